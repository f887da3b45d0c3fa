"""Faults on a real Dask cluster: a submission that keeps killing its workers, a lost scheduler."""

import json
import os
import signal
import subprocess
import time

import pytest

import cluster_helpers as ch
import grading_helpers as gh
from resnet_course.autograder.grading import gradebook

pytestmark = pytest.mark.slow
CLI = str(ch.BIN / "resnet-course")


def _env():
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    environment["PATH"] = f"{ch.BIN}{os.pathsep}{environment.get('PATH', '')}"
    return environment


def _grader_pid(student, nannies):
    """The worker process (a child of one of `nannies`) whose descendants include `student`'s kernel."""
    from test_grade_cluster import _worker_grading

    return _worker_grading(student, nannies)[1]


def test_a_submission_that_keeps_killing_its_workers_ends_with_0_and_the_reason(tmp_path):
    course = gh.make_course(tmp_path / "course", timeout=60)
    submitted = tmp_path / "submitted"
    gh.write_submission(submitted, "a_killer", gh.solved(course, {"add": "    import time\n    time.sleep(50)"}))
    gh.write_submission(submitted, "b_fine", gh.solved(course))
    processes = ch.Processes(tmp_path / "cluster")
    try:
        # The scheduler's own limit decides: after allowed-failures + 1 deaths the task fails.
        _, address = processes.scheduler(allowed_failures=1)
        nannies = {processes.worker(address, name).pid for name in ("w1", "w2")}
        ch.wait_for_workers(address, 2)
        run = subprocess.Popen([CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny",
                                "--scheduler", address, "--no-progress", "--json", str(tmp_path / "g.json")],
                               env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        killed = []
        while run.poll() is None and len(killed) < 5:
            time.sleep(0.2)
            victim = _grader_pid("a_killer", nannies)
            if victim and victim not in killed:
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 0, stdout + stderr
        assert len(killed) == 2, killed
        students = json.loads((tmp_path / "g.json").read_text())["students"]
        assert students["b_fine"]["score"] == 10
        killer = students["a_killer"]
        assert (killer["status"], killer["score"]) == ("failed", 0)
        assert "stopped its grader 2 times" in killer["reason"] and "모두 2번 멈췄습니다" in killer["reason"]
        assert all("stopped its grader" in m for nb in killer["notebooks"].values()
                   for g in nb["grades"].values() for m in g["messages"])
    finally:
        processes.stop_all()


def test_a_lost_scheduler_keeps_every_finished_student(tmp_path):
    course = gh.make_course(tmp_path / "course", timeout=600)
    submitted = tmp_path / "submitted"
    gh.write_submission(submitted, "a_fast", gh.solved(course))
    gh.write_submission(submitted, "z_slow", gh.solved(course, {"add": "    import time\n    time.sleep(500)"}))
    processes = ch.Processes(tmp_path / "cluster")
    try:
        scheduler, address = processes.scheduler()
        processes.worker(address, "w1")
        processes.worker(address, "w2")
        ch.wait_for_workers(address, 2)
        run = subprocess.Popen([CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny",
                                "--scheduler", address, "--no-progress"], env=_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        stored = course / ".grading" / "tiny" / "a_fast" / "result.json"
        while not stored.exists() and run.poll() is None:
            time.sleep(0.2)
        assert stored.exists(), run.communicate()
        os.killpg(scheduler.pid, signal.SIGKILL)
        stdout, stderr = run.communicate(timeout=300)
        assert run.returncode == 1, stdout + stderr
        assert "connection to the Dask scheduler was lost" in stderr and "연결이 끊겼습니다" in stderr
        assert "The 1 students already finished are stored" in stderr
        url = gradebook.sqlite_url(course / "gradebook.db")
        assert gradebook.scores_in_gradebook(url, "tiny", "a_fast")["02_numbers"] == {"mean_values": 5.0}
        assert gradebook.scores_in_gradebook(url, "tiny", "z_slow") == {}
        assert not (course / ".grading" / "tiny" / "z_slow").exists()
    finally:
        processes.stop_all()
    # A new cluster; z_slow has handed in a fixed notebook: only z_slow is graded.
    gh.write_submission(submitted, "z_slow", gh.solved(course))
    processes = ch.Processes(tmp_path / "cluster-again")
    try:
        _, address = processes.scheduler()
        processes.worker(address, "w3")
        ch.wait_for_workers(address, 1)
        done = subprocess.run([CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny",
                               "--scheduler", address, "--no-progress", "--json", str(tmp_path / "g.json")],
                              env=_env(), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "1 graded now, 1 unchanged and reused" in done.stdout
        students = json.loads((tmp_path / "g.json").read_text())["students"]
        assert {name: s["score"] for name, s in students.items()} == {"a_fast": 10, "z_slow": 10}
    finally:
        processes.stop_all()
