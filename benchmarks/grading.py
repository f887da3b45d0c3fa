"""How fast `resnet-course grade` is, against what nbgrader alone needs on the same machine.

    .venv/bin/python benchmarks/grading.py [--submissions 20] [--floor-students 3] [--course course]

(a) seconds per submission: `resnet-course grade --jobs 1` of K solution submissions of the
    real assignment, against the floor measured in the same run: plain `nbgrader autograde`
    of K submissions of an assignment whose two notebooks only import TensorFlow (no judge,
    no sandbox). Goal: at most 2.0x.
(b) N solution submissions with --jobs 2 against --jobs 1 (wall clock). Goal: at least 1.6x.
(c) peak memory per worker: the worker process (nbgrader, the judge's parent) and the
    largest kernel (cgroup high-water mark), from the stored results.
(d) the same N submissions on a real Dask cluster on this machine (`dask scheduler` and two
    single-threaded `dask worker` processes, started by `resnet-course cluster`'s code) against
    --jobs 2, in the same run: the first run on fresh workers (the course upload, unpacking
    and the judge's start-up included, as --jobs 2 starts its workers) and a second one.
    Goal: Dask costs at most 10% more wall time. Also the CPU seconds per submission (every
    process of the --jobs 2 run, kernels and judge included, over N) and the course bundle's size.

    .venv/bin/python benchmarks/grading.py --parts d --submissions 8    # only (c) and (d)

The machine is shared and has 2 cores: figures are noisy; the script prints the load.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

FLOOR_CONFIG = """
c = get_config()
c.CourseDirectory.course_id = "floor"
c.Execute.timeout = 300
c.Execute.startup_timeout = 180
c.IgnorePattern.enabled = True
"""


def floor_course(folder, students):
    """An assignment of two notebooks that only import TensorFlow, released and submitted K times."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    for name in ("01_vanishing_gradients", "02_residual_networks"):
        cells = [new_code_cell("import resnet_course.utils\nimport tensorflow as tf"),
                 new_code_cell('"""import only"""\nassert tf.__version__', metadata={"nbgrader": {
                     "grade": True, "solution": False, "locked": True, "points": 1,
                     "grade_id": f"{name}_import", "schema_version": 3, "task": False}})]
        nb = new_notebook(cells=cells)
        nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
        (folder / "source" / "floor").mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(folder / "source" / "floor" / f"{name}.ipynb"))
        for k in range(students):
            target = folder / "submitted" / f"s{k:02d}" / "floor"
            target.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, str(target / f"{name}.ipynb"))
    (folder / "nbgrader_config.py").write_text(FLOOR_CONFIG)
    run([str(BIN / "nbgrader"), "generate_assignment", "floor", "--force"], cwd=folder)


def run(command, output=None, **kwargs):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, **kwargs)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, command))}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    if output is not None:
        output.append(done.stdout)
    return time.monotonic() - started


def cpu_seconds_of(function):
    """CPU seconds of every process `function` starts, kernels included: a cpuacct cgroup of
    its own (the sandbox moves kernels into memory, pids and cpu groups, never cpuacct).
    None where cgroup v1's cpuacct is not writable."""
    from resnet_course.autograder.grading.limits import cgroup_v1_of

    own = cgroup_v1_of("self", "cpuacct")
    group = own / f"resnet-bench-{os.getpid()}" if own else None
    try:
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except (OSError, AttributeError):
        function()
        return None
    try:
        function()
        return int((group / "cpuacct.usage").read_text()) / 1e9
    finally:
        (own / "cgroup.procs").write_text(str(os.getpid()))
        group.rmdir()


def solution_class(course, folder, count):
    from resnet_course.autograder.grading import demo

    solved = demo.fill_answers(demo.student_copy(course, "resnet"), demo.solutions(course, "resnet"))
    demo.write_class(folder, "resnet", {f"bench{k:02d}": solved for k in range(count)})
    return folder


def grade_run(course, submitted, jobs, db, scheduler=None, output=None):
    """Wall-clock seconds of one `resnet-course grade` (forced: every student is graded again).

    All runs share one course gradebook, made by the warm-up run: the floor's gradebook is
    made by `nbgrader generate_assignment` before its timing, so neither timing includes
    creating a gradebook.
    """
    where = ["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)]
    return run([str(BIN / "resnet-course"), "grade", str(submitted), "--course", str(course), *where,
                "--force", "--no-progress", "--db", f"sqlite:///{db}"], output=output)


def dask_against_pool(course, n_class, db, count, work):
    """(d): --jobs 2 and two single-threaded Dask workers on the same submissions, same run."""
    from resnet_course.autograder.grading.cluster_command import LocalCluster

    timed = []
    cpu = cpu_seconds_of(lambda: timed.append(grade_run(course, n_class, 2, db)))
    pool = timed[0]
    cluster = LocalCluster(work / "cluster", 2, "127.0.0.1", 0, None)
    try:
        cluster.wait_for_workers(2, None)
        said = []
        cold = grade_run(course, n_class, 2, db, scheduler=cluster.address, output=said)
        warm = grade_run(course, n_class, 2, db, scheduler=cluster.address)
    finally:
        cluster.stop()
    bundle = next((line for line in said[0].splitlines() if "course bundle" in line), "?")
    print(f"(d) {count} submissions: --jobs 2 {pool:.0f} s; Dask, 2 single-threaded workers: first run "
          f"{cold:.0f} s ({cold / pool - 1:+.0%}), second run {warm:.0f} s ({warm / pool - 1:+.0%}) (goal <= +10%)")
    per = f"{cpu / count:.1f} s" if cpu is not None else "? (no writable cpuacct cgroup)"
    print(f"    CPU per submission (the --jobs 2 run, every process, kernels included): {per}")
    print(f"    {bundle.strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=str(REPO / "course"))
    parser.add_argument("--submissions", type=int, default=20, help="N for (b)")
    parser.add_argument("--floor-students", type=int, default=3, help="K for (a)")
    parser.add_argument("--parts", default="abd", help="which of (a), (b), (d) to run; (c) always")
    args = parser.parse_args()
    course = Path(args.course).resolve()
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    work = Path(tempfile.mkdtemp(prefix="resnet-bench-"))
    try:
        # Warm-up: references, caches, the template and the gradebook, outside every measurement.
        db = work / "gradebook.db"
        warm = solution_class(course, work / "warm", 1)
        grade_run(course, warm, 1, db)

        if "a" in args.parts:
            floor = work / "floor"
            floor_course(floor, args.floor_students)
            floor_seconds = run([str(BIN / "nbgrader"), "autograde", "floor", "--force"], cwd=floor)
            floor_per = floor_seconds / args.floor_students

            k_class = solution_class(course, work / "k", args.floor_students)
            ours = grade_run(course, k_class, 1, db)
            ours_per = ours / args.floor_students
            print(f"(a) floor: {floor_per:.1f} s/submission (nbgrader autograde, TF-only notebooks, "
                  f"K={args.floor_students})")
            print(f"    ours:  {ours_per:.1f} s/submission (resnet-course grade --jobs 1, real assignment, "
                  f"K={args.floor_students})")
            print(f"    ratio: {ours_per / floor_per:.2f}x (goal <= 2.0x)")

        n_class = solution_class(course, work / "n", args.submissions)
        if "b" in args.parts:
            one = grade_run(course, n_class, 1, db)
            two = grade_run(course, n_class, 2, db)
            print(f"(b) {args.submissions} submissions: --jobs 1 {one:.0f} s, --jobs 2 {two:.0f} s, "
                  f"speed-up {one / two:.2f}x (goal >= 1.6x)")
        if "d" in args.parts:
            dask_against_pool(course, n_class, db, args.submissions, work)

        store = course / ".grading" / "resnet"
        results = [json.loads(p.read_text()) for p in store.glob("bench*/result.json")]
        worker = max(r.get("worker_peak_memory") or 0 for r in results) / 2**20
        kernel = max(r.get("peak_kernel_memory") or 0 for r in results) / 2**20
        judge = max(r.get("judge_peak_memory") or 0 for r in results) / 2**20
        print(f"(c) peak memory per worker: grading process {worker:.0f} MB, judge's comparison process "
              f"{judge:.0f} MB, largest kernel {kernel:.0f} MB")
        print(f"load average after: {os.getloadavg()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for folder in (course / ".grading" / "resnet").glob("bench*"):
            shutil.rmtree(folder, ignore_errors=True)
        for folder in (course / "autograded").glob("bench*"):
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
