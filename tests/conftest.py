"""Shared test set-up: the repository root, the venv's executables, a quiet TensorFlow."""

import os
import sys
from pathlib import Path

import pytest

import resnet_course.utils  # noqa: F401  (silences TensorFlow before any test imports it)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def venv_bin():
    return BIN


@pytest.fixture(autouse=True)
def _default_language(monkeypatch):
    """Every test starts in the default language, whatever the developer's shell says."""
    monkeypatch.delenv("RESNET_COURSE_LANG", raising=False)
    from resnet_course.utils import messages

    monkeypatch.setattr(messages, "_chosen", None)
    yield


def run_env(**extra):
    """An environment for subprocesses: the developer's, minus what would change results."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env.update(extra)
    return env


# ---------------------------------------------------------------------------------------
# No test writes into the checkout
# ---------------------------------------------------------------------------------------
# A test that builds or caches into the repository can hide what it should test (a fixture
# that rebuilt assignments/ made the byte-identity guard compare a build with itself). Every
# test's whole run (its fixtures' set-up included) is bracketed by a look at every file of
# the checkout; a test that leaves one new, changed or gone fails the session, named.
# test-artifacts/ is where tests put screenshots on purpose; the rest is tooling.

_NOT_WATCHED = {".git", ".venv", "__pycache__", ".pytest_cache", "test-artifacts", "resnet_course.egg-info"}
_writes = []


def checkout_snapshot(root=REPO):
    """{relative path: (size, mtime_ns)} of every file in the checkout, tooling aside."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _NOT_WATCHED and not d.endswith(".egg-info")]
        for name in files:
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            found[os.path.relpath(path, root)] = (info.st_size, info.st_mtime_ns)
    return found


def snapshot_changes(before, after):
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    before = checkout_snapshot()
    yield
    changed = snapshot_changes(before, checkout_snapshot())
    if changed:
        _writes.append((item.nodeid, changed))


def pytest_terminal_summary(terminalreporter):
    if _writes:
        terminalreporter.section("tests that wrote into the checkout")
        for nodeid, changed in _writes:
            shown = ", ".join(changed[:8]) + (f" (+{len(changed) - 8} more)" if len(changed) > 8 else "")
            terminalreporter.write_line(f"{nodeid}: {shown}")


def pytest_sessionfinish(session, exitstatus):
    if _writes and session.exitstatus == 0:
        session.exitstatus = 1


# ---------------------------------------------------------------------------------------
# The real course, built once per session outside the checkout
# ---------------------------------------------------------------------------------------
# Not pytest's tmp_path_factory: a concurrent pytest session prunes older basetemp folders,
# and these live for the whole run. Each goes when the session ends.

@pytest.fixture(scope="session")
def built_course():
    """A scratch copy of course/ built as `resnet-course build` builds it: source/, release/, gradebook.

    Tests that need the instructor's source notebooks or the release read them here, never
    from course/source/ of the checkout (ignored by git, absent in a fresh clone, and stale
    whenever a source changed since the last build).
    """
    import shutil
    import tempfile

    from resnet_course.autograder.authoring import build

    holder = Path(tempfile.mkdtemp(prefix="resnet-built-course-"))
    try:
        course = build.stage_course(REPO / "course", holder / "course")
        build.build_release(course)
        yield course
    finally:
        shutil.rmtree(holder, ignore_errors=True)


@pytest.fixture(scope="session")
def reference_cache():
    """One cache of the judge's references for the whole session (they take a minute to compute)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="resnet-references-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
