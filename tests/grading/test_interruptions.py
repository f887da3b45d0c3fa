"""A grading run stopped half-way keeps every finished grade, and the next run grades only the rest.

Two students: `a_fast`, solved, and `z_slow`, whose `add` waits for a file named `release` in
the data folder (the one host folder a sandboxed kernel can read, bound read-only, so the test
can let it go). The run is stopped once a_fast is merged into the gradebook and z_slow's
kernel is seen running under the run's sandbox uids (that is what makes "no kernel is left"
checkable: the uids watched are the ones the run used), by Ctrl-C or by SIGKILL of the grading
process itself. Then `release` is written and the same command runs again.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import command as grade
from resnet_course.autograder.grading import gradebook
from resnet_course.autograder.grading.limits import processes_of_uid

pytestmark = pytest.mark.slow
CLI = str(Path(sys.executable).parent / "resnet-course")
WAITS_FOR_RELEASE = ("    import os, time\n"
                     "    while not os.path.exists(os.path.join(os.environ['RESNET_COURSE_DATA'], 'release')):\n"
                     "        time.sleep(0.05)\n"
                     "    return a + b")


def _class(tmp_path):
    course = gh.make_course(tmp_path / "course", timeout=600)
    submitted = tmp_path / "submitted"
    gh.write_submission(submitted, "a_fast", gh.solved(course))
    gh.write_submission(submitted, "z_slow", gh.solved(course, {"add": WAITS_FOR_RELEASE}))
    data = tmp_path / "data"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["RESNET_COURSE_DATA"] = str(data)
    command = [CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny", "--jobs", "2",
               "--no-progress", "--json", str(tmp_path / "grades.json")]
    return course, data, env, command


def _until(condition, what, seconds=300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened within {seconds} s: {what}")


def _start_and_wait_for_the_halfway_point(course, env, command):
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    uids = [grade.default_uid_base(process.pid) + slot for slot in (0, 1)]
    url = gradebook.sqlite_url(course / "gradebook.db")

    def a_fast_merged():
        try:
            return gradebook.scores_in_gradebook(url, "tiny", "a_fast").get("02_numbers") == {"mean_values": 5.0}
        except Exception:  # the gradebook is still being created
            return False

    _until(a_fast_merged, "a_fast merged into the gradebook")
    _until(lambda: any(processes_of_uid(uid) for uid in uids), "z_slow's kernel running as a sandbox uid")
    children = [int(p) for p in subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,
                                                text=True).stdout.split()]
    return process, uids, children


def _resume(course, data, env, command):
    (data / "release").write_text("")
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "1 graded now, 1 unchanged and reused" in again.stdout, again.stdout
    students = json.loads((Path(command[-1])).read_text())["students"]
    assert students["a_fast"]["score"] == 10 and students["z_slow"]["score"] == 10, students
    url = gradebook.sqlite_url(course / "gradebook.db")
    assert gradebook.scores_in_gradebook(url, "tiny", "z_slow")["01_basics"] == {"add_values": 2.0,
                                                                               "square_values": 3.0}


def _state(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        return pid, [line for line in status if line.startswith(("Name:", "State:", "PPid:"))]
    except OSError:
        return pid, "gone"


def _alive(pid):
    """Running, not merely a zombie waiting for this VM's init to reap it."""
    state = _state(pid)[1]
    return state != "gone" and not any(line.startswith("State:") and "Z" in line for line in state)


def test_ctrl_c_keeps_finished_grades_and_the_next_run_grades_only_the_rest(tmp_path):
    course, data, env, command = _class(tmp_path)
    process, uids, _ = _start_and_wait_for_the_halfway_point(course, env, command)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Interrupted" in stderr and "중단되었습니다" in stderr
    url = gradebook.sqlite_url(course / "gradebook.db")
    assert gradebook.scores_in_gradebook(url, "tiny", "a_fast")["02_numbers"] == {"mean_values": 5.0}
    assert gradebook.scores_in_gradebook(url, "tiny", "z_slow") == {}
    assert (course / ".grading" / "tiny" / "a_fast" / "result.json").is_file()
    assert not (course / ".grading" / "tiny" / "z_slow").exists()
    # A killed kernel is gone once reaped, a moment after the grading process has exited.
    left = gh.processes_left(uids, seconds=15)
    assert left == [], [_state(pid) for pid in left]
    _resume(course, data, env, command)


def test_a_killed_grading_process_keeps_finished_grades_and_leaves_nothing_running(tmp_path):
    """SIGKILL gives the grading process no chance to clean up: its workers learn it from the
    kernel (a parent-death signal) and stop their sandboxed kernels with them."""
    course, data, env, command = _class(tmp_path)
    process, uids, children = _start_and_wait_for_the_halfway_point(course, env, command)
    workers = [pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
    assert len(workers) == 2, [_state(pid) for pid in children]
    process.kill()
    process.wait(timeout=60)  # not communicate(): orphaned workers would hold its pipes open
    process.stdout.close()
    process.stderr.close()
    left = gh.processes_left(uids, seconds=30)
    assert left == [], [_state(pid) for pid in left]
    _until(lambda: not [pid for pid in children if _alive(pid)],  # the workers and the resource tracker
           f"the grading process's children gone: {[_state(pid) for pid in children]}", seconds=30)
    url = gradebook.sqlite_url(course / "gradebook.db")
    assert gradebook.scores_in_gradebook(url, "tiny", "a_fast")["02_numbers"] == {"mean_values": 5.0}
    assert not (course / ".grading" / "tiny" / "z_slow" / "result.json").exists()
    _resume(course, data, env, command)
