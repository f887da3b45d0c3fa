"""`resnet-course grade --scheduler` on a real Dask cluster: the same grades as `--jobs 2`.

A real `dask scheduler` and two `dask worker` processes on 127.0.0.1, each in its own empty
working folder with its own HOME and course cache: the course reaches them only over Dask.
"""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import cluster_helpers as ch
import grading_helpers as gh
from resnet_course.autograder.grading import gradebook
from resnet_course.autograder.grading.course_state import course_digest

pytestmark = pytest.mark.slow
CLI = str(ch.BIN / "resnet-course")
REPO = Path(__file__).resolve().parents[2]
CHEAT = "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)"


def grade_cli(*args, check=True, env=None):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    environment["PATH"] = f"{ch.BIN}{os.pathsep}{environment.get('PATH', '')}"
    environment.update(env or {})
    done = subprocess.run([CLI, "grade", *map(str, args), "--no-progress"], capture_output=True, text=True,
                          env=environment, timeout=900)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def demo_kind_of_class(course, folder):
    """The demo's kinds of students, on the tiny course."""
    gh.write_submission(folder, "solution", gh.solved(course))
    gh.write_submission(folder, "untouched", {name: gh.release(course, name) for name in ("01_basics", "02_numbers")})
    gh.write_submission(folder, "mistake-square", gh.solved(course, {"square": "    return x * 2"}))
    gh.write_submission(folder, "mistake-mean", gh.solved(course, {"mean": "    return float(sum(xs))"}))
    gh.write_submission(folder, "exits", gh.solved(course, {"square": "    import os\n    os._exit(3)"}))
    gh.write_submission(folder, "cheat", gh.solved(course, {"add": "    return 0"}, extra_cells=[(2, CHEAT)]))
    return folder


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    processes = ch.Processes(tmp_path_factory.mktemp("cluster"))
    try:
        _, address = processes.scheduler()
        workers = [processes.worker(address, name) for name in ("w1", "w2")]
        ch.wait_for_workers(address, 2)
        yield {"address": address, "workers": workers, "processes": processes}
    finally:
        processes.stop_all()


def test_a_cluster_grades_exactly_as_the_embedded_pool(cluster, tmp_path):
    course_pool = gh.make_course(tmp_path / "pool" / "course")
    course_dask = gh.copy_course(course_pool, tmp_path / "dask" / "course")
    submitted = demo_kind_of_class(course_pool, tmp_path / "submitted")
    grade_cli(submitted, "--course", course_pool, "--assignment", "tiny", "--jobs", "2", "--json", tmp_path / "pool.json")
    done = grade_cli(submitted, "--course", course_dask, "--assignment", "tiny", "--scheduler", cluster["address"],
                     "--json", tmp_path / "dask.json")
    by_pool = json.loads((tmp_path / "pool.json").read_text())
    by_dask = json.loads((tmp_path / "dask.json").read_text())
    assert by_dask == by_pool
    students = by_dask["students"]
    assert {name: (s["score"], s["status"]) for name, s in students.items()} == {
        "solution": (10, "graded"), "untouched": (0, "graded"), "mistake-square": (7, "graded"),
        "mistake-mean": (5, "graded"), "exits": (7, "failed"), "cheat": (8, "graded")}
    assert "exit code 3" in students["exits"]["reason"]
    assert "0 unchanged and reused" in done.stdout
    # Graded over there: each result names its Dask worker, and the course came over Dask,
    # unpacked under each worker's own cache by its digest.
    store = course_dask / ".grading" / "tiny"
    graders = {json.loads((store / name / "result.json").read_text())["grader"] for name in students}
    assert graders and all(grader.startswith("dask worker w") for grader in graders), graders
    digest = course_digest(course_dask, "tiny")
    caches = [worker.folder / "course-cache" / digest[:24] for worker in cluster["workers"]]
    assert any((cache / "course" / "source" / "tiny" / "01_basics.ipynb").is_file() for cache in caches)
    # What a worker returned was written here: the autograded notebooks and the logs.
    assert (store / "solution" / "autograded" / "01_basics.ipynb").is_file()
    assert (course_dask / "autograded" / "solution" / "tiny" / "01_basics.ipynb").is_file()
    assert list((store / "solution" / "logs").glob("*.log"))
    # A re-run on the cluster reuses every stored result.
    again = grade_cli(submitted, "--course", course_dask, "--assignment", "tiny", "--scheduler", cluster["address"])
    assert "0 graded now, 6 unchanged and reused" in again.stdout


def _worker_grading(student, nannies):
    """(nanny, pid) of the worker process whose descendants include `student`'s kernel."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f"resnet-{student}-" not in (entry / "cmdline").read_bytes().decode(errors="replace"):
                continue
        except OSError:
            continue
        pid = int(entry.name)
        while pid and pid > 1:
            parent = _parent(pid)
            if parent in nannies:
                return parent, pid
            pid = parent
    return None, None


def _parent(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _kill_the_grader_of(student, nannies, process):
    """SIGKILL the worker grading `student` once its kernel runs; return its pid."""
    victim = None
    while victim is None and process.poll() is None:
        time.sleep(0.2)
        _, victim = _worker_grading(student, nannies)
    assert victim, "the worker grading %s was not found" % student
    os.kill(victim, signal.SIGKILL)
    return victim


def _slow_class(course, folder):
    gh.write_submission(folder, "a_slow", gh.solved(course, {"add": "    import time\n    time.sleep(20)\n    return a + b"}))
    gh.write_submission(folder, "b_fine", gh.solved(course))
    gh.write_submission(folder, "c_fine", gh.solved(course))
    return folder


def _popen_grade(*args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    environment["PATH"] = f"{ch.BIN}{os.pathsep}{environment.get('PATH', '')}"
    return subprocess.Popen([CLI, "grade", *map(str, args), "--no-progress"], env=environment,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_dask_worker_killed_mid_student_costs_nothing(cluster, tmp_path):
    course = gh.make_course(tmp_path / "course", timeout=60)
    submitted = _slow_class(course, tmp_path / "submitted")
    process = _popen_grade(submitted, "--course", course, "--assignment", "tiny", "--scheduler", cluster["address"],
                           "--json", tmp_path / "g.json")
    victim = _kill_the_grader_of("a_slow", {w.pid for w in cluster["workers"]}, process)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stdout + stderr
    students = json.loads((tmp_path / "g.json").read_text())["students"]
    assert {name: (s["score"], s["status"]) for name, s in students.items()} == {
        "a_slow": (10, "graded"), "b_fine": (10, "graded"), "c_fine": (10, "graded")}
    assert "3 graded now" in stdout and "0 failed" in stdout
    # Graded again, once, by a live worker; the gradebook holds each student once.
    result = json.loads((course / ".grading" / "tiny" / "a_slow" / "result.json").read_text())
    assert result["grader"].startswith("dask worker") and result["fingerprint"]
    assert not Path(f"/proc/{victim}").exists() or _parent(victim) is None
    from nbgrader.api import Gradebook

    with Gradebook(gradebook.sqlite_url(course / "gradebook.db")) as gb:
        assert sorted(s.student.id for s in gb.find_assignment("tiny").submissions) == ["a_slow", "b_fine", "c_fine"]
    ch.wait_for_workers(cluster["address"], 2)  # the nanny started a new worker process


def test_a_pool_worker_killed_mid_student_costs_nothing(tmp_path):
    """The embedded pool does what Dask's scheduler does: the student is graded again."""
    course = gh.make_course(tmp_path / "course", timeout=60)
    submitted = _slow_class(course, tmp_path / "submitted")
    process = _popen_grade(submitted, "--course", course, "--assignment", "tiny", "--jobs", "2",
                           "--json", tmp_path / "g.json")
    _kill_the_grader_of("a_slow", {process.pid}, process)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stdout + stderr
    students = json.loads((tmp_path / "g.json").read_text())["students"]
    assert {name: s["score"] for name, s in students.items()} == {"a_slow": 10, "b_fine": 10, "c_fine": 10}
    result = json.loads((course / ".grading" / "tiny" / "a_slow" / "result.json").read_text())
    assert result["status"] == "graded" and result["grader"].startswith("local worker")


def _package_of_another_version(folder):
    """A copy of resnet-course with one file changed: same version string, another digest."""
    target = Path(folder) / "resnet_course"
    for name in ("utils", "autograder"):
        shutil.copytree(REPO / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    with open(target / "autograder" / "grading" / "student.py", "a") as handle:
        handle.write("\n# edited on this worker only\n")
    return Path(folder)


def _grade_alice_beside(cluster, tmp_path, name, **worker_options):
    """Grade one student with a third worker `name` started beside w1 and w2.

    Returns (the lines of the run's output that name that worker, alice's stored result).
    """
    worker = cluster["processes"].worker(cluster["address"], name, **worker_options)
    try:
        ch.wait_for_workers(cluster["address"], 3)
        course = gh.make_course(tmp_path / "course")
        gh.write_submission(tmp_path / "submitted", "alice", gh.solved(course))
        done = grade_cli(tmp_path / "submitted", "--course", course, "--assignment", "tiny",
                         "--scheduler", cluster["address"], "--json", tmp_path / "g.json")
        assert not any("w1" in line or "w2" in line for line in done.stdout.splitlines() if "refused" in line)
        result = json.loads((course / ".grading" / "tiny" / "alice" / "result.json").read_text())
        return [line for line in done.stdout.splitlines() if name in line], result
    finally:
        cluster["processes"].stop(worker)


def test_a_worker_of_another_version_is_refused_and_named(cluster, tmp_path):
    other = _package_of_another_version(tmp_path / "other-package")
    refusals, result = _grade_alice_beside(cluster, tmp_path, "w-other", PYTHONPATH=str(other))
    assert len(refusals) == 2, refusals  # Korean, then English
    assert "거부했습니다" in refusals[0] and "package digest" in refusals[0]
    assert "refused to grade" in refusals[1] and "package digest" in refusals[1]
    assert result["score"] == 10 and "w-other" not in result["grader"]


# A machine whose user namespaces are off (a locked-down container, a distribution that
# restricts them): bubblewrap's own --disable-userns gives the worker exactly that.
NO_USER_NAMESPACES = ("bwrap", "--dev-bind", "/", "/", "--unshare-user", "--disable-userns", "--share-net")


def test_a_worker_without_a_working_sandbox_is_refused_and_named(cluster, tmp_path):
    refusals, result = _grade_alice_beside(cluster, tmp_path, "w-locked", inside=NO_USER_NAMESPACES)
    assert len(refusals) == 2, refusals  # Korean, then English
    assert "샌드박스" in refusals[0] and "사용자 네임스페이스" in refusals[0] and "sandbox" not in refusals[0]
    assert "sandbox does not work" in refusals[1] and "user namespace" in refusals[1]
    assert not any("샌드박스" in line or "네임스페이스" in line for line in refusals[1:])
    assert result["score"] == 10 and "w-locked" not in result["grader"]
