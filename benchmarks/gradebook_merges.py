"""How many students per second the grading process merges into the course gradebook.

    .venv/bin/python benchmarks/gradebook_merges.py [--students 500]

Every finished student is one `gradebook.merge_student` (nbgrader's Gradebook API, one
commit), done by the grading process alone, whichever path graded it: at scale it is the
one serial step. This measures it into a real PostgreSQL server (started here as
tests/grading/test_grade_postgres.py starts one, on a Unix socket, and stopped) and into
SQLite, for the tiny two-notebook course and for a structure the size of the real
assignment's (its graded cells), with results shaped as graders return them.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _as_postgres(command):
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"failed: {command}\n{done.stderr}")
    return done


def start_postgres(root):
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data, sockets = root / "data", root / "run"
    sockets.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    _as_postgres([str(pg_bin / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8"])
    port = 20000 + os.getpid() % 20000
    _as_postgres([str(pg_bin / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                  "-o", f"-k {sockets} -p {port} -c listen_addresses=''", "start"])
    _as_postgres([str(pg_bin / "createdb"), "-h", str(sockets), "-p", str(port), "-U", "grader", "gradebook"])
    stop = [str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
    return f"postgresql+psycopg2://grader@/gradebook?host={sockets}&port={port}", stop


def result_for(student, structure):
    notebooks = {nb: {"score": 0.0, "max_score": sum(cells.values()), "reason": None,
                      "grades": {gid: {"score": mx, "max_score": mx, "messages": []} for gid, mx in cells.items()}}
                 for nb, cells in structure.items()}
    return {"student": student, "status": "graded", "reason": None, "score": 0, "max_score": 0,
            "notebooks": notebooks, "timestamp": "2026-11-20 10:00:00.000000 UTC"}


def merges_per_second(db_url, template_url, assignment, structure, count):
    from resnet_course.autograder.grading import gradebook

    gradebook.copy_assignment(template_url, db_url, assignment)
    with gradebook.CourseGradebook(db_url) as course_gradebook:  # as `resnet-course grade` holds it
        started = time.monotonic()
        for k in range(count):
            gradebook.merge_student(course_gradebook, assignment, result_for(f"{assignment}{k:05d}", structure))
        return count / (time.monotonic() - started)


def _venv_on_path():
    bin_folder = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_folder + os.pathsep + os.environ.get("PATH", "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    import grading_helpers as gh
    from resnet_course.autograder.grading import gradebook
    from resnet_course.autograder.grading.course_state import build_template

    _venv_on_path()  # nbgrader runs `alembic` when it creates a gradebook
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    work = Path(tempfile.mkdtemp(prefix="resnet-merges-"))
    stop = None
    try:
        course = gh.make_course(work / "course")
        template = build_template(course, "tiny", work / "template")
        template_url = gradebook.sqlite_url(template)
        structure = gradebook.assignment_structure(template_url, "tiny")
        assignments = [("tiny", template_url, structure)]
        # The real assignment's template, when a grading run has built it (benchmarks/grading.py does).
        real = sorted((REPO / "course" / ".grading" / "resnet").glob(".template-*/gradebook.db"))
        if real:
            real_url = gradebook.sqlite_url(real[-1])
            assignments.append(("resnet", real_url, gradebook.assignment_structure(real_url, "resnet")))
        pg_root = Path(tempfile.mkdtemp(prefix="resnet-merges-pg-"))
        postgres, stop = start_postgres(pg_root)
        for name, url in (("PostgreSQL", postgres), ("SQLite", gradebook.sqlite_url(work / "gradebook.db"))):
            for assignment, source_url, cells_of in assignments:
                rate = merges_per_second(url, source_url, assignment, cells_of, args.students)
                cells = sum(len(c) for c in cells_of.values())
                print(f"{name}, {assignment}: {rate:.0f} students merged per second "
                      f"({args.students} students, {cells} graded cells each)")
        print(f"load average after: {os.getloadavg()}")
    finally:
        if stop:
            _as_postgres(stop)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
