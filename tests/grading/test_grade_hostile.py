"""A class of hostile and broken submissions, graded in one sandboxed batch.

Every student must end with a grade and a clear reason; none may abort the batch or touch
another student's grade; none may read the course, the gradebook, the repository or other
students, or write outside its own folder.
"""

import json
from pathlib import Path

import nbformat
import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import command as grade

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PROBE = '''
import json, os
def _probe(paths):
    found = []
    for p in paths:
        try:
            if os.path.isdir(p):
                found.append([p, sorted(os.listdir(p))])
            else:
                with open(p, "rb") as handle:
                    handle.read(16)
                found.append([p, "read"])
        except OSError:
            pass
    return found
'''


def _students(course, submitted):
    """name -> notebooks; the expected outcome is asserted test by test."""
    release = lambda name: gh.release(course, name)  # noqa: E731
    secret_paths = [
        "../../../source/tiny/01_basics.ipynb", "../../../source", "../../../gradebook.db",
        "../../../submitted", "../../alice", "../../../../artifacts",
        str(course / "source" / "tiny" / "01_basics.ipynb"), str(course / "gradebook.db"),
        str(course), str(submitted), str(submitted / "alice" / "tiny" / "01_basics.ipynb"),
        str(REPO / "course"), str(REPO / ".git"), str(REPO / "tests"), str(REPO / "README.md"),
        "/root", "/etc/shadow", "/home", "/work/main", "/tmp", ".",
    ]
    write_paths = ["../../../gradebook.db", "../outside.txt", str(course / "pwned.txt"),
                   str(REPO / "pwned.txt"), str(submitted / "alice" / "tiny" / "pwned.txt"),
                   "/work/main/utils/pwned.py", "/usr/pwned", "/tmp/inside-tmp.txt", "inside-cwd.txt"]

    students = {
        "alice": gh.solved(course),
        "untouched": {"01_basics": release("01_basics"), "02_numbers": release("02_numbers")},
        "loop": gh.solved(course, {"add": "    while True:\n        pass"}),
        "deaf_loop": gh.solved(course, {"add": "    import signal\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                               "    while True:\n        pass"}),
        "exit": gh.solved(course, {"add": "    import os\n    os._exit(1)"}),
        "memory": gh.solved(course, {"add": "    blob = b'x' * (3 * 2**30)\n    return len(blob)"}),
        "forkbomb": gh.solved(course, {"add": "    import os\n    while True:\n        try:\n"
                                              "            os.fork()\n        except OSError:\n            pass"}),
        "spam": gh.solved(course, {"add": "    while True:\n        print('spam ' * 200)"}),
        "bigout": gh.solved(course, extra_cells=[(2, "print('x' * (50 * 2**20))")]),
        # Flooding the output first must not hide the errors of the failing test cells after it.
        "flood_then_wrong": gh.solved(course, {"add": "    return a - b"},
                                      extra_cells=[(2, "print('y' * (3 * 2**20))")]),
        "peeker": gh.solved(course, extra_cells=[(2, PROBE + f"\nprint('FOUND=' + json.dumps(_probe({secret_paths!r})))")]),
        "writer": gh.solved(course, extra_cells=[(2, f'''
import json
wrote = []
for p in {write_paths!r}:
    try:
        with open(p, "w") as handle:
            handle.write("pwned")
        wrote.append(p)
    except OSError:
        pass
print("WROTE=" + json.dumps(wrote))''')]),
        "invalid_json": {"01_basics": b'{"cells": [ this is not json', "02_numbers": gh.solved(course)["02_numbers"]},
        "renamed": {"01_basics (1)": gh.solved(course)["01_basics"], "02_numbers": gh.solved(course)["02_numbers"]},
        "missing": {"02_numbers": gh.solved(course)["02_numbers"]},
    }
    # Deleted test cells: nbgrader puts them back (OverwriteCells.add_missing_cells).
    deleted = gh.solved(course, {"add": "    return a - b"})
    deleted["01_basics"].cells = [c for c in deleted["01_basics"].cells
                                  if c.metadata.get("nbgrader", {}).get("grade_id") != "add_values"]
    students["deleted_tests"] = deleted
    # Edited test cells: nbgrader restores the instructor's source.
    edited = gh.solved(course, {"add": "    return a - b"})
    for cell in edited["01_basics"].cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "add_values":
            cell.source = "pass  # trust me"
    students["edited_tests"] = edited
    # Stripped nbgrader metadata: every cell becomes an ordinary cell.
    stripped = gh.solved(course, {"add": "    return a - b"})
    for cell in stripped["01_basics"].cells:
        cell.metadata.pop("nbgrader", None)
    students["stripped"] = stripped
    # Non-UTF-8 bytes inside a cell of an otherwise correct notebook.
    raw = nbformat.writes(gh.solved(course)["01_basics"]).replace("# Basics", "# Basics XBADX")
    students["latin1"] = {"01_basics": raw.encode().replace(b"XBADX", b"\xff\xfe caf\xe9"),
                          "02_numbers": gh.solved(course)["02_numbers"]}
    return students


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    import threading

    from resnet_course.autograder.grading.limits import processes_of_uid

    root = tmp_path_factory.mktemp("hostile")
    # 20 s per cell: the loops are stopped by it, and a sound cell beside a fork bomb on a busy
    # machine (printing 50 MB, say) still finishes well inside it, so its score is exact.
    course = gh.make_course(root / "course", timeout=20)
    submitted = root / "submitted"
    for student, notebooks in _students(course, submitted).items():
        gh.write_submission(submitted, student, notebooks)
    # Which sandbox uids really ran processes, sampled while the class is graded: "nothing is
    # left" is then checked on uids the run used, not on a block computed beside it.
    uids, seen, done = [grade.default_uid_base() + slot for slot in (0, 1)], {}, threading.Event()

    def sample():
        while not done.wait(0.2):
            for uid in uids:
                seen[uid] = max(seen.get(uid, 0), len(processes_of_uid(uid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        results, structure = grade.grade_class(
            submitted, course=course, assignment="tiny", jobs=2, memory_mb=1024, wall_clock=60,
            progress=False, log=lambda *_: None)
    finally:
        done.set()
        sampler.join()
    by_student = {r["student"]: r for r in results}
    return {"course": course, "submitted": submitted, "results": by_student, "structure": structure,
            "uids": uids, "processes_seen": seen}


def _scores(result):
    return {gid: g["score"] for nb in result["notebooks"].values() for gid, g in nb["grades"].items()}


def _reason(result):
    return result["reason"] or ""


def _outputs(course, student, notebook="01_basics"):
    path = course / ".grading" / "tiny" / student / "autograded" / f"{notebook}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


def test_every_student_gets_a_result(hostile_class):
    assert len(hostile_class["results"]) == 19
    for result in hostile_class["results"].values():
        assert result["max_score"] == 10
        assert result["status"] in ("graded", "failed")


def test_the_solution_and_the_untouched_copy(hostile_class):
    results = hostile_class["results"]
    assert results["alice"]["score"] == 10 and results["alice"]["status"] == "graded"
    assert results["untouched"]["score"] == 0 and results["untouched"]["status"] == "graded"
    messages = results["untouched"]["notebooks"]["01_basics"]["grades"]["add_values"]["messages"]
    assert any("NotImplementedError" in m for m in messages)


def test_infinite_loop_is_interrupted_and_only_that_test_fails(hostile_class):
    result = hostile_class["results"]["loop"]
    assert _scores(result) == {"add_values": 0, "square_values": 3, "mean_values": 5}
    assert any("Timeout" in m for m in result["notebooks"]["01_basics"]["grades"]["add_values"]["messages"])


def test_loop_that_ignores_interrupts_is_stopped_by_the_wall_clock(hostile_class):
    result = hostile_class["results"]["deaf_loop"]
    assert result["status"] == "failed"
    assert result["notebooks"]["02_numbers"]["score"] == 5
    assert result["notebooks"]["01_basics"]["grades"]["add_values"]["score"] == 0
    assert "60 s" in _reason(result) or "answering" in _reason(result)


def test_os_exit_scores_what_ran_and_says_why(hostile_class):
    result = hostile_class["results"]["exit"]
    assert result["status"] == "failed"
    assert _scores(result) == {"add_values": 0, "square_values": 0, "mean_values": 5}
    assert "exit code 1" in _reason(result)
    assert "did not run" in " ".join(
        result["notebooks"]["01_basics"]["grades"]["square_values"]["messages"])


def test_memory_bomb_is_stopped_by_the_memory_limit(hostile_class):
    result = hostile_class["results"]["memory"]
    assert result["status"] == "failed"
    assert "memory limit (1024 MB)" in _reason(result)
    assert result["notebooks"]["02_numbers"]["score"] == 5


def test_fork_bomb_is_contained(hostile_class):
    result = hostile_class["results"]["forkbomb"]
    assert result["notebooks"]["01_basics"]["grades"]["add_values"]["score"] == 0
    assert result["notebooks"]["02_numbers"]["score"] == 5
    seen = hostile_class["processes_seen"]
    assert max(seen.values()) > 20, seen  # the bomb did fork, under the uids watched here
    assert gh.processes_left(hostile_class["uids"], seconds=10) == []


def test_endless_and_huge_output_is_cut(hostile_class):
    spam = hostile_class["results"]["spam"]
    assert _scores(spam) == {"add_values": 0, "square_values": 3, "mean_values": 5}
    big = hostile_class["results"]["bigout"]
    assert big["score"] == 10
    flood = hostile_class["results"]["flood_then_wrong"]
    assert _scores(flood) == {"add_values": 0, "square_values": 3, "mean_values": 5}
    for student in ("spam", "bigout"):
        path = hostile_class["course"] / ".grading" / "tiny" / student / "autograded" / "01_basics.ipynb"
        assert path.stat().st_size < 4 * 2**20
        assert "output too long" in _outputs(hostile_class["course"], student)


def test_reading_the_course_the_gradebook_and_the_repository_finds_nothing(hostile_class):
    assert hostile_class["results"]["peeker"]["score"] == 10
    text = _outputs(hostile_class["course"], "peeker")
    found = json.loads(text.split("FOUND=")[1].splitlines()[0])
    seen = {path: listing for path, listing in found}
    # Only its own folder and the sandbox's own skeleton answer; they hold nothing of anyone else's.
    assert set(seen) <= {"/tmp", ".", "/work/main", "/root", "/home"}, seen
    assert seen["."] == [] or all(not name.endswith(".ipynb") for name in seen["."])
    assert sorted(seen.get("/work/main", [])) in ([], [".venv", "autograder", "utils"])
    # The skeleton that the read-only binds need: the Python installation under /root/.pyenv,
    # the data folder when it lives in /root/.cache, the checkout's folder when it lives in /tmp.
    assert set(seen.get("/root", [])) <= {".pyenv", ".cache"} and seen.get("/home", ["student"]) == ["student"]
    checkout_in_tmp = [REPO.relative_to("/tmp").parts[0]] if REPO.is_relative_to("/tmp") else []
    assert seen.get("/tmp", []) in ([], checkout_in_tmp)  # a private /tmp, empty but for that skeleton
    for listing in seen.values():
        assert "gradebook.db" not in listing and "source" not in listing and "alice" not in listing


def test_writing_outside_its_folder_fails(hostile_class):
    course = hostile_class["course"]
    text = _outputs(course, "writer")
    wrote = json.loads(text.split("WROTE=")[1].splitlines()[0])
    # Writes may land only in its own folder and its private /tmp (a tmpfs that vanishes with the
    # kernel; a checkout under /tmp appears there as a skeleton, so a write there stays private too).
    assert {"/tmp/inside-tmp.txt", "inside-cwd.txt"} <= set(wrote)
    assert all(p == "inside-cwd.txt" or p.startswith("/tmp/") for p in wrote), wrote
    assert not (course / "pwned.txt").exists() and not (REPO / "pwned.txt").exists()
    assert not (REPO / "utils" / "pwned.py").exists()
    assert not (hostile_class["submitted"] / "alice" / "tiny" / "pwned.txt").exists()
    assert hostile_class["results"]["writer"]["score"] == 10


def test_broken_files(hostile_class):
    results = hostile_class["results"]
    invalid = results["invalid_json"]
    assert invalid["status"] == "failed" and invalid["score"] == 5
    assert "not a valid JSON notebook" in _reason(invalid)
    renamed = results["renamed"]
    assert renamed["score"] == 10 and "01_basics (1).ipynb" in _reason(renamed)
    missing = results["missing"]
    assert missing["score"] == 5 and missing["status"] == "failed"
    assert "01_basics.ipynb was not submitted" in _reason(missing)
    latin = results["latin1"]
    assert latin["score"] == 10 and "not UTF-8" in _reason(latin)


def test_tampered_test_cells_are_restored(hostile_class):
    results = hostile_class["results"]
    for student in ("deleted_tests", "edited_tests"):
        assert _scores(results[student]) == {"add_values": 0, "square_values": 3, "mean_values": 5}, student
    stripped = results["stripped"]
    assert stripped["notebooks"]["01_basics"]["grades"]["add_values"]["score"] == 0
    assert stripped["notebooks"]["02_numbers"]["score"] == 5


def test_gradebook_holds_every_student(hostile_class):
    from resnet_course.autograder.grading.gradebook import scores_in_gradebook, sqlite_url

    url = sqlite_url(hostile_class["course"] / "gradebook.db")
    for student, result in hostile_class["results"].items():
        stored = scores_in_gradebook(url, "tiny", student)
        assert {gid: s for nb in stored.values() for gid, s in nb.items()} == _scores(result), student
