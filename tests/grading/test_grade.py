"""`resnet-course grade` on a small class: outputs, gradebook, re-runs, zips, interruptions."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import command as grade
from resnet_course.autograder.grading import course_state
from resnet_course.autograder.grading import gradebook
from resnet_course.autograder.grading import submissions
from resnet_course.utils.messages import CourseError

pytestmark = pytest.mark.slow
CLI = str(Path(sys.executable).parent / "resnet-course")


def _env():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def grade_cli(*args, check=True, **kwargs):
    done = subprocess.run([CLI, "grade", *map(str, args), "--no-progress"], capture_output=True,
                          text=True, env=_env(), timeout=600, **kwargs)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    course = gh.make_course(root / "course")
    submitted = root / "submitted"
    gh.write_submission(submitted, "alice", gh.solved(course))
    gh.write_submission(submitted, "bob", {"01_basics": gh.release(course, "01_basics"),
                                           "02_numbers": gh.solved(course)["02_numbers"]})
    gh.write_submission(submitted, "carol", gh.solved(course, {"square": "    import os\n    os._exit(3)"}))
    (submitted / "alice" / "tiny" / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    out = root / "out"
    out.mkdir()
    first = grade_cli(submitted, "--course", course, "--assignment", "tiny", "--jobs", "2",
                      "--json", out / "grades.json", "--csv", out / "grades.csv")
    return {"root": root, "course": course, "submitted": submitted, "out": out, "first": first}


def test_json_has_exactly_the_documented_shape(small_class):
    data = json.loads((small_class["out"] / "grades.json").read_text())
    assert set(data) == {"assignment", "students"} and data["assignment"] == "tiny"
    assert set(data["students"]) == {"alice", "bob", "carol"}
    for student in data["students"].values():
        assert set(student) == {"status", "reason", "score", "max_score", "notebooks"}
        assert set(student["notebooks"]) == {"01_basics", "02_numbers"}
        for notebook in student["notebooks"].values():
            assert set(notebook) == {"score", "max_score", "grades"}
            for entry in notebook["grades"].values():
                assert set(entry) == {"score", "max_score", "messages"}
                assert isinstance(entry["messages"], list)
    alice, bob, carol = (data["students"][s] for s in ("alice", "bob", "carol"))
    assert (alice["status"], alice["score"], alice["max_score"], alice["reason"]) == ("graded", 10, 10, None)
    assert (bob["status"], bob["score"]) == ("graded", 5)
    assert bob["notebooks"]["01_basics"]["grades"]["add_values"]["messages"][0].startswith("NotImplementedError")
    assert (carol["status"], carol["score"]) == ("failed", 7)
    assert carol["notebooks"]["01_basics"]["grades"] == {
        "add_values": {"score": 2, "max_score": 2, "messages": []},
        "square_values": {"score": 0, "max_score": 3, "messages": [
            "커널이 스스로 종료되었습니다(종료 코드 3). `os._exit`, `sys.exit` 같은 호출이나 충돌 때문일 수 "
            "있습니다.\nThe kernel exited by itself (exit code 3): an `os._exit`, `sys.exit` or a crash."]},
    }
    assert "01_basics:" in carol["reason"] and "exit code 3" in carol["reason"]


def test_csv_has_one_row_per_student(small_class):
    with open(small_class["out"] / "grades.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["student"] for row in rows] == ["alice", "bob", "carol"]
    assert [(r["01_basics"], r["02_numbers"], r["total"], r["max_score"]) for r in rows] == [
        ("5", "5", "10", "10"), ("0", "5", "5", "10"), ("2", "5", "7", "10")]
    assert "exit code 3" in rows[2]["reason"]


def test_table_and_gradebook(small_class):
    out = small_class["first"].stdout
    assert "alice" in out and "10/10" in out and "7/10" in out
    url = gradebook.sqlite_url(small_class["course"] / "gradebook.db")
    assert gradebook.scores_in_gradebook(url, "tiny", "carol") == {
        "01_basics": {"add_values": 2.0, "square_values": 0.0}, "02_numbers": {"mean_values": 5.0}}
    from nbgrader.api import Gradebook

    with Gradebook(url) as gb:
        assert str(gb.find_submission("tiny", "alice").timestamp).startswith("2026-11-20 10:00:00")
    # nbgrader's own tools find the autograded notebooks where they expect them.
    assert (small_class["course"] / "autograded" / "alice" / "tiny" / "01_basics.ipynb").is_file()


def test_rerun_is_idempotent_and_regrades_only_what_changed(small_class):
    course, submitted, out = small_class["course"], small_class["submitted"], small_class["out"]
    url = gradebook.sqlite_url(course / "gradebook.db")
    before = {s: gradebook.scores_in_gradebook(url, "tiny", s) for s in ("alice", "bob", "carol")}
    again = grade_cli(submitted, "--course", course, "--assignment", "tiny", "--json", out / "again.json")
    assert "0 graded now, 3 unchanged and reused" in again.stdout
    assert json.loads((out / "again.json").read_text()) == json.loads((out / "grades.json").read_text())
    assert {s: gradebook.scores_in_gradebook(url, "tiny", s) for s in before} == before
    # Bob fixes notebook 1: only Bob is graded again.
    gh.write_submission(submitted, "bob", {"01_basics": gh.solved(course)["01_basics"]})
    third = grade_cli(submitted, "--course", course, "--assignment", "tiny")
    assert "1 graded now, 2 unchanged and reused" in third.stdout
    assert gradebook.scores_in_gradebook(url, "tiny", "bob")["01_basics"] == {
        "add_values": 2.0, "square_values": 3.0}


def test_zip_from_an_lms_is_unpacked_safely(small_class, tmp_path):
    course = small_class["course"]
    archive = tmp_path / "collected.zip"
    solved = gh.solved(course)
    import nbformat

    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("dave_01_basics.ipynb", nbformat.writes(solved["01_basics"]))
        bundle.writestr("dave_02_numbers.ipynb", nbformat.writes(solved["02_numbers"]))
        bundle.writestr("erin_attempt_2026-11-20-10-00-00_01_basics.ipynb", nbformat.writes(solved["01_basics"]))
        bundle.writestr("../../escape_01_basics.ipynb", "{}")
        bundle.writestr("/abs_01_basics.ipynb", "{}")
        link = zipfile.ZipInfo("frank_01_basics.ipynb")
        link.external_attr = (0o120777 << 16)
        bundle.writestr(link, "/etc/passwd")
    notes = []
    found = submissions.collect(archive, "tiny", tmp_path / "staging",
                                {"01_basics": ["add", "add_values"], "02_numbers": ["mean"]}, log=notes.append)
    assert sorted(s.student for s in found) == ["dave", "erin"]
    assert sorted(p.name for p in found[0].folder.iterdir()) == ["01_basics.ipynb", "02_numbers.ipynb"]
    assert any("path outside the archive" in n for n in notes) and any("symbolic link" in n for n in notes)
    assert not (tmp_path / "escape_01_basics.ipynb").exists() and not Path("/abs_01_basics.ipynb").exists()
    assert "02_numbers.ipynb" in " ".join(next(s for s in found if s.student == "erin").notes)
    # The zip goes through the whole command too.
    done = grade_cli(archive, "--course", course, "--assignment", "tiny", "--json", tmp_path / "zip.json")
    data = json.loads((tmp_path / "zip.json").read_text())
    assert data["students"]["dave"]["score"] == 10 and data["students"]["erin"]["score"] == 5
    assert "erin" in done.stdout


def test_zip_bomb_and_unsafe_names_stop_at_the_limits(tmp_path, monkeypatch):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("mallory_01_basics.ipynb", b"\0" * (3 * 2**20))
    monkeypatch.setattr(submissions, "MAX_TOTAL_BYTES", 2**20)
    with pytest.raises(CourseError) as error:
        submissions.collect(archive, "tiny", tmp_path / "staging", {"01_basics": []}, log=lambda *_: None)
    assert "too large" in str(error.value) and "너무 큽니다" in str(error.value)
    assert not submissions.valid_student_id("../x") and not submissions.valid_student_id("a/b")
    assert submissions.valid_student_id("kim.minji@uni.ac.kr")


def test_a_submission_that_keeps_stopping_its_grader_costs_only_its_student(tmp_path):
    """A worker that dies mid-student is replaced and the student graded again (up to Dask's
    allowed-failures, 3); the fourth death records 0 with the reason, the rest are graded."""
    course = gh.make_course(tmp_path / "course", timeout=60)
    submitted = tmp_path / "submitted"
    gh.write_submission(submitted, "a_slow", gh.solved(course, {"add": "    import time\n    time.sleep(60)"}))
    gh.write_submission(submitted, "b_fine", gh.solved(course))
    gh.write_submission(submitted, "c_fine", gh.solved(course))
    process = subprocess.Popen([CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny",
                                "--jobs", "2", "--no-progress", "--json", str(tmp_path / "g.json")],
                               env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Each time a_slow's kernel (a grandchild of its worker) runs, kill that worker outright.
    killed = []
    while process.poll() is None and len(killed) < 10:
        time.sleep(0.5)
        victim = _worker_of("a_slow", process.pid)
        if victim and victim not in killed:
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert len(killed) == 4, killed
    data = json.loads((tmp_path / "g.json").read_text())["students"]
    assert data["b_fine"]["score"] == 10 and data["c_fine"]["score"] == 10
    assert data["a_slow"]["status"] == "failed" and data["a_slow"]["score"] == 0
    assert "stopped its grader 4 times" in data["a_slow"]["reason"] and "-9" in data["a_slow"]["reason"]


def _parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _worker_of(student, grader):
    """The worker process (a child of the grader) with a descendant whose command names `student`."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if student not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
        except OSError:
            continue
        pid = int(entry.name)
        while pid and pid > 1:
            parent = _parent(pid)
            if parent == grader:
                return pid
            pid = parent
    return None


def test_template_gradebook_is_built_once_per_course_state(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", ""))
    course = gh.make_course(tmp_path / "course")
    grading = tmp_path / "grading"
    grading.mkdir()
    for age, name in enumerate(["c", "b", "a"]):  # three older course states, "a" the oldest
        (grading / f".template-{name * 16}").mkdir()
        (grading / f".template-{name * 16}" / "gradebook.db").write_text("old")
        os.utime(grading / f".template-{name * 16}" / "gradebook.db", (1_000_000 - age, 1_000_000 - age))
    built = []
    real_build = course_state.build_template
    monkeypatch.setattr(course_state, "build_template", lambda *args: built.append(args) or real_build(*args))

    first = course_state.cached_template(course, "tiny", grading, "0123456789abcdef" * 4)
    again = course_state.cached_template(course, "tiny", grading, "0123456789abcdef" * 4)
    assert first == again and len(built) == 1
    assert gradebook.assignment_structure(gradebook.sqlite_url(first), "tiny")
    left = sorted(path.name for path in grading.iterdir())
    assert left == [".template-0123456789abcdef", f".template-{'b' * 16}", f".template-{'c' * 16}"]


def test_grading_processes_skip_the_iri_grammar_and_still_validate_notebooks():
    """The import-time lever of the grading package: no rfc3987 grammar, nbformat's validation intact."""
    script = """
import sys
import resnet_course.autograder.grading.command
import nbformat
from nbformat.v4 import new_code_cell, new_notebook
assert sys.modules.get("rfc3987_syntax", "absent") is None, "the IRI grammar was imported"
nbformat.validate(new_notebook(cells=[new_code_cell("x = 1")]))
broken = new_notebook(cells=[new_code_cell("x = 1")])
broken.cells[0].outputs = [{"output_type": "no-such-output", "text": "?"}]
try:
    nbformat.validate(broken)
except nbformat.ValidationError:
    print("INVALID-CAUGHT")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "INVALID-CAUGHT" in done.stdout


def test_a_student_with_a_long_id_is_graded(tmp_path):
    """LMS ids can be long: the grading folder is named after the student, and the kernel's
    ipc socket path under it passed the 107-byte limit, so every kernel failed to start and
    the student got 0 ("File name too long")."""
    course = gh.make_course(tmp_path / "course")
    student = "kim.minjun.2026.fall.section-b@graduate-school.university.example.ac.kr"
    gh.write_submission(tmp_path / "submitted", student, gh.solved(course))
    results, _ = grade.grade_class(tmp_path / "submitted", course=course, assignment="tiny", jobs=1,
                                   progress=False, log=lambda *_: None)
    assert [(r["student"], r["score"], r["status"]) for r in results] == [(student, 10, "graded")]
