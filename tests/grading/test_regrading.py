"""What makes `resnet-course grade` grade a student again, and what each run keeps.

A stored result is reused only while the submission and the course are unchanged; `--force`
grades again anyway; a changed course (here: a test cell worth another number of points)
regrades everyone, on a template gradebook built for the new course state. `--jobs` defaults
to the machine's cores, and each student's kernel logs are kept beside the result.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import gradebook

pytestmark = pytest.mark.slow
CLI = str(Path(sys.executable).parent / "resnet-course")


def _grade(course, submitted, *extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    done = subprocess.run([CLI, "grade", str(submitted), "--course", str(course), "--assignment", "tiny",
                           "--no-progress", "--json", str(course.parent / "grades.json"), *extra],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    summary = re.search(r"(\d+) graded now, (\d+) unchanged and reused, \d+ failed\), [\d.]+ s, (\d+) workers",
                        done.stdout)
    assert summary, done.stdout
    students = json.loads((course.parent / "grades.json").read_text())["students"]
    return tuple(int(n) for n in summary.groups()), students


@pytest.fixture(scope="module")
def course_and_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("regrading")
    course = gh.make_course(root / "course")
    submitted = root / "submitted"
    gh.write_submission(submitted, "alice", gh.solved(course))
    gh.write_submission(submitted, "bob", gh.solved(course, {"mean": "    return 0.0"}))
    gh.write_submission(submitted, "carol", gh.solved(course))
    return course, submitted


def test_jobs_default_to_the_cores_and_kernel_logs_are_kept(course_and_class):
    course, submitted = course_and_class
    (graded, reused, workers), students = _grade(course, submitted)
    assert (graded, reused) == (3, 0)
    assert workers == min(os.cpu_count(), 3)
    assert students["alice"]["score"] == 10 and students["bob"]["score"] == 5
    logs = course / ".grading" / "tiny" / "alice" / "logs"
    assert sorted(p.name for p in logs.iterdir()) == ["01_basics.log", "01_basics.nbgrader.log",
                                                      "02_numbers.log", "02_numbers.nbgrader.log"]
    assert "ipython kernel" in (logs / "01_basics.log").read_text()  # what the kernel itself printed


def test_force_grades_again_what_is_unchanged(course_and_class):
    course, submitted = course_and_class
    (graded, reused, _), _ = _grade(course, submitted)
    assert (graded, reused) == (0, 3)
    (graded, reused, _), students = _grade(course, submitted, "--force")
    assert (graded, reused) == (3, 0)
    assert students["bob"]["score"] == 5


def test_a_changed_course_regrades_everyone_on_a_new_template(course_and_class):
    course, submitted = course_and_class
    grading = course / ".grading" / "tiny"
    templates_before = sorted(p.name for p in grading.glob(".template-*"))
    assert len(templates_before) == 1
    # The instructor makes the mean check worth 4 points instead of 5.
    source = course / "source" / "tiny" / "02_numbers.ipynb"
    nb = nbformat.read(str(source), as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "mean_values")
    cell.metadata.nbgrader["points"] = 4
    nbformat.write(nb, str(source))
    (graded, reused, _), students = _grade(course, submitted)
    assert (graded, reused) == (3, 0)
    assert students["alice"]["score"] == 9 and students["alice"]["max_score"] == 9
    assert students["bob"]["score"] == 5
    templates_after = sorted(p.name for p in grading.glob(".template-*"))
    assert len(templates_after) == 2 and set(templates_before) < set(templates_after)
    assert gradebook.assignment_structure(gradebook.sqlite_url(course / "gradebook.db"), "tiny")[
        "02_numbers"] == {"mean_values": 4.0}
