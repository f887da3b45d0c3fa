"""The guard in conftest.py that fails a run whose tests write into the checkout, shown failing."""

import subprocess
import sys
import textwrap

from conftest import REPO, checkout_snapshot, snapshot_changes


def test_the_snapshot_sees_a_new_a_changed_and_a_removed_file(tmp_path):
    (tmp_path / "kept.txt").write_text("a")
    (tmp_path / "changed.txt").write_text("a")
    (tmp_path / "gone.txt").write_text("a")
    (tmp_path / ".venv").mkdir()
    before = checkout_snapshot(tmp_path)
    (tmp_path / "changed.txt").write_text("bb")
    (tmp_path / "gone.txt").unlink()
    (tmp_path / "new.txt").write_text("a")
    (tmp_path / ".venv" / "ignored.txt").write_text("a")
    assert snapshot_changes(before, checkout_snapshot(tmp_path)) == ["changed.txt", "gone.txt", "new.txt"]


def test_a_test_that_writes_into_the_checkout_fails_the_run(tmp_path):
    """A throwaway test module, run by pytest with this conftest, writes one file into the checkout."""
    target = REPO / "course" / ".probe-written-by-a-test"
    probe_test = tmp_path / "test_probe.py"
    probe_test.write_text(textwrap.dedent(f"""
        from pathlib import Path

        def test_writes():
            Path({str(target)!r}).write_text("oops")
    """))
    try:
        # conftest.py loaded as a plugin: the probe lives outside tests/, so as not to write there.
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "conftest",
                               "--rootdir", str(tmp_path), str(probe_test)],
                              capture_output=True, text=True, cwd=REPO, timeout=300,
                              env={**__import__("os").environ, "PYTHONPATH": str(REPO / "tests")})
    finally:
        target.unlink(missing_ok=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "tests that wrote into the checkout" in done.stdout
    assert "course/.probe-written-by-a-test" in done.stdout
