"""The course gradebook on a real PostgreSQL server, started (and stopped) by this test."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import command as grade
from resnet_course.autograder.grading import gradebook

pytestmark = pytest.mark.slow
PG_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1] if Path("/usr/lib/postgresql").is_dir() else None


def _as_postgres(command, **kwargs):
    """Run a PostgreSQL tool as the unprivileged `postgres` user (it refuses to run as root)."""
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", *command]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    assert PG_BIN is not None, "PostgreSQL is not installed (make system-packages installs it)"
    import tempfile

    # pytest's own temporary folders are private to root; the server runs as `postgres`.
    root = Path(tempfile.mkdtemp(prefix="resnet-pg-"))
    data, sockets = root / "data", root / "run"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(sockets, "postgres", "postgres")
    done = _as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "grader", "--auth=trust", "-E", "UTF8"])
    assert done.returncode == 0, done.stderr
    port = 20000 + os.getpid() % 20000
    done = _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                         "-o", f"-k {sockets} -p {port} -c listen_addresses=''", "start"])
    assert done.returncode == 0, done.stderr + (root / "server.log").read_text()
    try:
        done = _as_postgres([str(PG_BIN / "createdb"), "-h", str(sockets), "-p", str(port), "-U", "grader",
                             "gradebook"])
        assert done.returncode == 0, done.stderr
        yield f"postgresql+psycopg2://grader@/gradebook?host={sockets}&port={port}"
    finally:
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(root, ignore_errors=True)


def test_grades_merge_into_postgresql(postgres, tmp_path):
    course = gh.make_course(tmp_path / "course")
    submitted = tmp_path / "submitted"
    gh.write_submission(submitted, "alice", gh.solved(course))
    gh.write_submission(submitted, "bob", gh.solved(course, {"mean": "    return 0.0"}))
    results, _ = grade.grade_class(submitted, course=course, assignment="tiny", jobs=2, db_url=postgres,
                                   progress=False, log=lambda *_: None)
    assert sorted((r["student"], r["score"]) for r in results) == [("alice", 10), ("bob", 5)]
    assert gradebook.scores_in_gradebook(postgres, "tiny", "bob") == {
        "01_basics": {"add_values": 2.0, "square_values": 3.0}, "02_numbers": {"mean_values": 0.0}}
    from nbgrader.api import Gradebook

    with Gradebook(postgres) as gb:
        assert sorted(s.id for s in gb.students) == ["alice", "bob"]
        assert gb.find_assignment("tiny").max_score == 10
        assert gb.engine.dialect.name == "postgresql"
    # A second run changes nothing: the stored results are merged again, idempotently. The
    # gradebook itself is read again: the same scores, still one submission per student.
    def gradebook_rows():
        with Gradebook(postgres) as gb:
            return sorted((submission.student.id, notebook.name, grade_.name,
                           grade_.score, grade_.auto_score)
                          for submission in gb.assignment_submissions("tiny")
                          for notebook in submission.notebooks for grade_ in notebook.grades), \
                len(list(gb.assignment_submissions("tiny")))

    before = gradebook_rows()
    said = []
    again, _ = grade.grade_class(submitted, course=course, assignment="tiny", jobs=2, db_url=postgres,
                                 progress=False, log=said.append)
    assert sorted((r["student"], r["score"]) for r in again) == [("alice", 10), ("bob", 5)]
    assert "0 graded now, 2 unchanged and reused" in "\n".join(said)
    assert gradebook_rows() == before and before[1] == 2
    assert not (course / "gradebook.db").exists()  # the URL was used, not the SQLite default
