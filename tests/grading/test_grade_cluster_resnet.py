"""The real assignment on a Dask cluster: the judge's references travel in the course bundle.

Two `dask worker` processes that never saw the course grade the demo's solution, one of its
typical mistakes and its cheat; every score and message equals the embedded pool's.
"""

import json
import os
import subprocess

import pytest

import cluster_helpers as ch
import grading_helpers as gh
from resnet_course.autograder.grading import demo

pytestmark = pytest.mark.slow
CLI = str(ch.BIN / "resnet-course")
STUDENTS = ("demo-solution", "demo-no-final-relu", "demo-cheat")


def _grade(reference_cache, *args):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    environment["PATH"] = f"{ch.BIN}{os.pathsep}{environment.get('PATH', '')}"
    # The grading process computes the references once (shared with the other real-assignment tests).
    environment["RESNET_COURSE_REFERENCE_CACHE"] = str(reference_cache)
    done = subprocess.run([CLI, "grade", *map(str, args), "--no-progress"], capture_output=True, text=True,
                          env=environment, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_the_real_assignment_is_judged_on_the_cluster_as_in_the_pool(tmp_path, built_course, reference_cache):
    pool_course = gh.copy_built_course(built_course, tmp_path / "pool" / "course", ("source", "release"))
    dask_course = gh.copy_built_course(built_course, tmp_path / "dask" / "course", ("source", "release"))
    everyone = demo.example_submissions(pool_course, "resnet")
    submitted = demo.write_class(tmp_path / "submitted", "resnet", {s: everyone[s] for s in STUDENTS})
    _grade(reference_cache, submitted, "--course", pool_course, "--jobs", "2", "--json", tmp_path / "pool.json")
    processes = ch.Processes(tmp_path / "cluster")
    try:
        _, address = processes.scheduler()
        workers = [processes.worker(address, name) for name in ("w1", "w2")]
        ch.wait_for_workers(address, 2)
        _grade(reference_cache, submitted, "--course", dask_course, "--scheduler", address, "--json", tmp_path / "dask.json")
    finally:
        processes.stop_all()
    by_pool = json.loads((tmp_path / "pool.json").read_text())
    by_dask = json.loads((tmp_path / "dask.json").read_text())
    assert by_dask == by_pool
    students = by_dask["students"]
    solution, cheat = students["demo-solution"], students["demo-cheat"]
    assert solution["score"] == solution["max_score"] and cheat["score"] == 0
    assert 0 < students["demo-no-final-relu"]["score"] < solution["max_score"]
    # The references came with the course: each worker that graded holds them under its own cache.
    caches = [w.folder / "course-cache" for w in workers]
    references = [path for cache in caches for path in cache.glob("*/references/*/MANIFEST.json")]
    assert {path.parent.name.split("-")[0] for path in references} == {"01_vanishing_gradients", "02_residual_networks"}
    judged = dask_course / ".grading" / "resnet" / "demo-no-final-relu" / "judge"
    assert list(judged.glob("*/verdicts.json"))
