"""The judge's machinery, proven on a toy notebook through real `nbgrader autograde`.

The toy notebook (tests/fixtures/judge/toy.ipynb) has one graded function, `squares(n)`,
and two graded test cells that only export arrays. The comparators come from
tests/fixtures/judge/toy_comparators.py (RESNET_COURSE_JUDGE_EXTRA). This checks the
parts that do not depend on the course's notebooks: artifacts outside the autograded
folder, references from the source notebook (cached, locked), verdicts rewriting outputs,
scores in the gradebook, and the cheats that beat an in-kernel test.
"""

import json
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from judge_catalog import harness

pytestmark = pytest.mark.slow

TOY = harness.FIXTURES / "toy.ipynb"

ANSWERS = {
    "solution": {"squares": "def squares(n):\n    return [float(i * i) for i in range(1, n + 1)]"},
    "variant": {"squares": "import numpy as np\n\ndef squares(n):\n    k = np.arange(1, n + 1)\n    return k ** 2"},
    "untouched": {},
    "reversed": {"squares": "def squares(n):\n    return [float(i * i) for i in range(n, 0, -1)]"},
    "wrong_length": {"squares": "def squares(n):\n    return [float(i * i) for i in range(n + 1)]"},
    # The one-line cheat that beats every in-kernel test: errors vanish, nothing is exported.
    "cheat_custom_exc": {"squares": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
                                    "def squares(n):\n    raise ValueError('no idea')"},
    # An object that equals everything and pretends to be a list.
    "cheat_eq": {"squares": "class Yes(list):\n    def __eq__(self, other):\n        return True\n"
                            "def squares(n):\n    return Yes([0.0] * n)"},
    # Printing a number as the last expression would be partial credit in plain nbgrader.
    "cheat_output": {"squares": "def squares(n):\n    raise ValueError('no idea')",
                     "+after:squares": "import sys\nsys.stdout.write('1.0')\n1.0"},
    # Writing an artifact with a planted symlink to a file the student wants the judge to read.
    "cheat_symlink": {"squares": "import os\n"
                                 "d = os.environ.get('RESNET_COURSE_ARTIFACTS')\n"
                                 "if d:\n"
                                 "    os.makedirs(os.path.join(d, 'squares_values'), exist_ok=True)\n"
                                 "    for case in ('n3', 'n6'):\n"
                                 "        os.symlink('/etc/hostname', os.path.join(d, 'squares_values', case + '.npy'))\n"
                                 "def squares(n):\n    raise ValueError('no idea')"},
}

EXPECTED = {  # grade id: points
    "solution": {"squares_shape": 1, "squares_values": 2},
    "variant": {"squares_shape": 1, "squares_values": 2},
    "untouched": {"squares_shape": 0, "squares_values": 0},
    "reversed": {"squares_shape": 1, "squares_values": 0},
    "wrong_length": {"squares_shape": 0, "squares_values": 0},
    "cheat_custom_exc": {"squares_shape": 0, "squares_values": 0},
    "cheat_eq": {"squares_shape": 1, "squares_values": 0},
    "cheat_output": {"squares_shape": 0, "squares_values": 0},
    "cheat_symlink": {"squares_shape": 0, "squares_values": 0},
}


@pytest.fixture(scope="module")
def graded():
    # Its own folder, not pytest's: a concurrent pytest session may prune old basetemps.
    holder = tempfile.TemporaryDirectory(prefix="resnet-judge-toy-")
    try:
        yield _grade(Path(holder.name) / "toycourse")
    finally:
        holder.cleanup()


def _grade(folder):
    course = harness.make_course(folder, "toy", [TOY])
    env = harness.run_env(RESNET_COURSE_JUDGE_EXTRA="toy_comparators", PYTHONPATH=str(harness.FIXTURES))
    harness.generate(course, "toy", env=env)
    release = nbformat.read(course / "release" / "toy" / "toy.ipynb", as_version=4)
    for student, answers in ANSWERS.items():
        harness.submit(course, student, "toy", {"toy": harness.fill(release, answers)})
    done = harness.autograde(course, "toy", env=env)
    assert done.returncode == 0, done.stderr[-6000:]
    return course, harness.results(course, "toy"), done.stderr


@pytest.mark.parametrize("student", sorted(ANSWERS))
def test_points_per_grade_id(graded, student):
    _, found, _ = graded
    scores = {gid: found[student]["toy"][gid]["score"] for gid in EXPECTED[student]}
    assert scores == EXPECTED[student]


def test_messages_name_the_mistake(graded):
    _, found, _ = graded
    toy = {student: found[student]["toy"] for student in found}
    assert "reverse order" in toy["reversed"]["squares_values"]["message"]
    assert "거꾸로" in toy["reversed"]["squares_values"]["message"]
    assert "has shape (6,), expected (5,)" in toy["wrong_length"]["squares_shape"]["message"]
    for student in ("untouched", "cheat_custom_exc", "cheat_output"):
        message = toy[student]["squares_values"]["message"]
        assert "No result reached the grader" in message and "채점기에 결과가 전달되지 않았습니다" in message
    assert "symlink" in toy["cheat_symlink"]["squares_values"]["message"]


def test_artifacts_live_outside_the_autograded_folder(graded):
    course, _, _ = graded
    folder = course / ".artifacts" / "solution" / "toy" / "toy"
    assert (folder / "squares_values" / "n3.npy").is_file()
    verdicts = json.loads((course / ".artifacts" / "solution" / "toy" / "toy.judge" / "verdicts.json").read_text())
    assert verdicts["squares_values"]["passed"] is True
    assert not list((course / "autograded").rglob("*.npy"))


def test_references_are_cached_in_the_course(graded):
    course, _, _ = graded
    built = [p for p in (course / ".cache" / "references").iterdir() if p.is_dir()]
    assert len(built) == 1 and (built[0] / "MANIFEST.json").is_file()
    manifest = json.loads((built[0] / "MANIFEST.json").read_text())
    assert manifest["grade_ids"] == ["squares_shape", "squares_values"]


def test_concurrent_reference_requests_build_once(tmp_path):
    from resnet_course.autograder.judge import references

    cache = tmp_path / "refs"
    found, errors = [], []

    def ask():
        try:
            found.append(references.reference_folder(TOY, cache))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert found[0] == found[1]
    assert sorted(p.name for p in cache.iterdir() if p.is_dir()) == [found[0].name]
    assert (found[0] / "artifacts" / "squares_values" / "n6.npy").is_file()


def test_reference_key_changes_with_the_source(tmp_path):
    from resnet_course.autograder.judge import references

    edited = tmp_path / "toy.ipynb"
    nb = nbformat.read(TOY, as_version=4)
    nb.cells[2].source = nb.cells[2].source.replace("i * i", "i ** 2")
    nbformat.write(nb, edited)
    assert references.fingerprint(edited) != references.fingerprint(TOY)


def test_old_references_are_pruned_newest_kept(tmp_path):
    import os

    from resnet_course.autograder.judge import references

    cache = tmp_path / "refs"
    names = [f"toy-{index:024x}" for index in range(5)]
    for age, name in enumerate(reversed(names)):  # names[4] is the newest
        folder = cache / name
        folder.mkdir(parents=True)
        (folder / references.MANIFEST).write_text("{}")
        os.utime(folder / references.MANIFEST, (1_000_000 - age * 100, 1_000_000 - age * 100))
        (cache / f"{name}.lock").touch()
    other = cache / f"toy-extra-{0:024x}"  # another notebook whose name starts the same way
    other.mkdir()
    (other / references.MANIFEST).write_text("{}")
    unfinished = cache / f"toy-{9:024x}.building-x"
    unfinished.mkdir()

    references.prune(cache, "toy", keep=3)
    left = sorted(p.name for p in cache.iterdir())
    assert [n for n in names if n in left] == names[2:]
    assert f"{names[0]}.lock" not in left and f"{names[4]}.lock" in left
    assert other.name in left and unfinished.name in left
