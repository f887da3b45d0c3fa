"""`resnet-course grade`: autograde a whole class, in parallel, sandboxed, robust to hostile code.

    resnet-course grade SUBMITTED [--assignment resnet] [--jobs N | --scheduler ADDRESS]
                        [--csv FILE] [--json FILE] [--db URL] [--no-sandbox] [--force]

Every student is autograded by nbgrader's own `Autograde` converter (what `nbgrader
autograde` runs), one notebook at a time, by one grading function (`student.grade_student`)
wherever it runs: in an embedded pool of `--jobs N` worker processes, or on the workers of a
Dask cluster (`--scheduler`, `cluster_client.py`), which share nothing with this process but
the Dask connection. The course travels to each grader as a bundle named by its digest
(`course_bundle.py`); each grader grades a student in a scratch folder of its own with a
gradebook of its own and returns everything as data. This process alone writes the results
and merges each student into the course gradebook as soon as that student is finished.
Student kernels run in the sandbox (`sandbox.py`); a kernel that dies ends its notebook with
0 for what did not run and a recorded reason, and a grader that dies costs nothing: the
student is graded again (`retries.py`).

What a run leaves behind, per student, in `<course>/.grading/<assignment>/<student>/`:
`result.json` (scores, messages, reasons, the submission's fingerprint), the autograded
notebooks, the judge's verdicts and plots, and the kernel logs. A re-run skips a student
whose submission and course are unchanged (and merges their stored result again), so it is
idempotent and a run stopped half-way resumes where it stopped.
"""

import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from resnet_course.utils.messages import label, register, text

from . import course_bundle, submissions
from .arguments import add_course_arguments, add_grading_arguments
from .course_state import cached_template, course_digest, load_course_config, uses_judge
from .environment import grading_environment
from .outputs import class_json, grade_table, write_csv
from .pool import WorkerPool
from .store import save_result, slug, store_student, stored_result
from .student import scratch_parent

register({
    "grade.help": {
        "ko": "제출물 전체를 채점합니다 (nbgrader autograde, 병렬, 샌드박스).",
        "en": "Grade a whole class's submissions (nbgrader autograde, in parallel, sandboxed).",
    },
    "grade.summary": {
        "ko": "채점 완료: 학생 {count}명 (이번에 채점 {graded}명, 변경 없어 재사용 {reused}명, 실패 {failed}명), "
              "{seconds:.1f}초, 동시에 채점한 작업자 {workers}개",
        "en": "Grading done: {count} students ({graded} graded now, {reused} unchanged and reused, "
              "{failed} failed), {seconds:.1f} s, {workers} workers at once",
    },
    "grade.arg.submitted": {
        "ko": "제출물: <학생>/<과제>/*.ipynb 폴더 또는 LMS zip 파일",
        "en": "submissions: a <student>/<assignment>/*.ipynb folder, or an LMS zip",
    },
    "grade.arg.scheduler": {
        "ko": "Dask 스케줄러 주소(예: tcp://10.0.0.5:8786, tls://…). 주면 학생들을 그 클러스터의 작업자가 채점합니다",
        "en": "a Dask scheduler address (e.g. tcp://10.0.0.5:8786, tls://…): the cluster's workers grade the students",
    },
    "grade.arg.csv": {"ko": "학생마다 한 줄씩 여기에 씁니다", "en": "write one row per student here"},
    "grade.arg.json": {"ko": "모든 점수와 메시지를 여기에 씁니다", "en": "write every score and message here"},
    "grade.arg.db": {
        "ko": "성적부 SQLAlchemy URL (기본값: sqlite course/gradebook.db)",
        "en": "gradebook SQLAlchemy URL (default: sqlite course/gradebook.db)",
    },
    "grade.arg.memory_mb": {"ko": "커널 하나의 메모리 한도 (MB)", "en": "memory limit per kernel (MB)"},
    "grade.arg.wall_clock": {"ko": "노트북 하나에 허용하는 시간 (초)", "en": "seconds allowed per notebook"},
    "grade.arg.no_progress": {"ko": "진행 막대를 보이지 않습니다", "en": "no progress bar"},
    "grade.written": {
        "ko": "저장했습니다: {path}",
        "en": "Written: {path}",
    },
})


def _venv_on_path():
    """nbgrader runs `alembic` (beside this Python) when it creates a gradebook."""
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def default_uid_base(pid=None):
    """A block of unused uids for the sandboxes of the grading process `pid` (this one), one per slot."""
    return 3_000_000 + ((os.getpid() if pid is None else pid) % 100_000) * 64


def grade_class(submitted, *, course=None, assignment="resnet", jobs=None, scheduler=None, security=None,
                db_url=None, sandbox=True, force=False, memory_mb=4096, wall_clock=900, progress=True, log=print):
    """Grade every submission in `submitted`; return (the results, one per student; the structure).

    `scheduler` (a Dask scheduler address) sends the students to a Dask cluster; without it
    an embedded pool of `jobs` processes grades them. Both call the same grading function.
    """
    from . import gradebook
    from ..authoring.sources import course_root

    started = time.monotonic()
    _venv_on_path()
    course = Path(course or course_root()).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    uid_base = default_uid_base() if os.geteuid() == 0 else None
    if sandbox and not scheduler:  # a cluster's workers check their own sandbox
        from .sandbox import require_sandbox

        require_sandbox(uid_base)
    db_url = db_url or gradebook.sqlite_url(course / "gradebook.db")
    grading = course / ".grading" / assignment
    grading.mkdir(parents=True, exist_ok=True)
    work_root = Path(tempfile.mkdtemp(prefix="resnet-grade-", dir=scratch_parent(grading)))
    stack = contextlib.ExitStack()
    try:
        digest = course_digest(course, assignment)
        template = cached_template(course, assignment, grading, digest)
        template_url = gradebook.sqlite_url(template)
        structure = gradebook.assignment_structure(template_url, assignment)
        gradebook.copy_assignment(template_url, db_url, assignment)
        grade_ids = {nb: list(cells) for nb, cells in structure.items()}
        course_gradebook = stack.enter_context(gradebook.CourseGradebook(db_url))
        subs = submissions.collect(submitted, assignment, work_root / "intake", grade_ids, log=log)
        bundle = course_bundle.pack(course, assignment, digest, template, structure,
                                    _prepare_references(course, assignment, log), grading_environment())
        results, todo, fingerprints, reused = [], [], {}, 0
        for sub in subs:
            fingerprints[sub.student] = sub.fingerprint()
            previous = None if force else stored_result(grading, sub.student)
            if previous and previous.get("fingerprint") == fingerprints[sub.student] \
                    and previous.get("course_digest") == digest:
                gradebook.merge_student(course_gradebook, assignment, previous)
                results.append(previous)
                reused += 1
            else:
                todo.append(sub)

        def load(sub):
            return {"student": sub.student, "files": submissions.read_files(sub.folder), "notes": sub.notes,
                    "fingerprint": fingerprints[sub.student]}

        bar = progress_bar(len(todo)) if progress and todo else None

        def finished(outcome):
            result = outcome["result"]
            if result.get("fingerprint") is None and not outcome["files"]:
                save_result(grading, result)  # its graders stopped: older files stay for appeals
            else:
                store_student(grading, result, outcome["files"])
            gradebook.merge_student(course_gradebook, assignment, result)
            _publish_autograded(course, assignment, grading, result["student"])
            results.append(result)
            if bar:
                bar.set_postfix_str(result["student"], refresh=False)
                bar.update(1)

        settings = {"sandbox": sandbox, "memory_mb": memory_mb, "wall_clock": wall_clock}
        workers = 0
        try:
            if todo and scheduler:
                from .cluster_client import grade_on_cluster

                workers = grade_on_cluster(scheduler, security, bundle, settings, todo, load, finished, log=log)
            elif todo:
                workers = min(jobs, len(todo))
                _grade_in_pool(workers, bundle, grading, settings, uid_base, todo, load, finished)
        finally:
            if bar:
                bar.close()
        failed = sum(result["status"] == "failed" for result in results)
        log(text("grade.summary", count=len(results), graded=len(todo), reused=reused,
                 failed=failed, seconds=time.monotonic() - started, workers=workers))
        return results, structure
    finally:
        stack.close()
        shutil.rmtree(work_root, ignore_errors=True)


def _grade_in_pool(jobs, bundle, grading, settings, uid_base, todo, load, finished):
    """The embedded pool: the course unpacked beside the results, as a Dask worker unpacks it."""
    unpacked = course_bundle.unpack(bundle, grading / ".courses")
    pool = WorkerPool(jobs, {"course": unpacked, "settings": settings, "uid_base": uid_base})
    try:
        pool.run(todo, load, finished)
    except BaseException:
        pool.close(kill=True)
        raise
    pool.close()


def progress_bar(total):
    """Count, rate and time left, on stderr (the same bar for the pool and a cluster)."""
    from tqdm import tqdm

    return tqdm(total=total, unit="student", desc="grading", file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                           "[{elapsed}<{remaining}, {rate_fmt}]{postfix}")


def _prepare_references(course, assignment, log):
    """The judge's reference folders, computed once before any grader starts (None: no judge)."""
    if not uses_judge(load_course_config(course)):
        return None
    from ..judge.references import cache_root, reference_folder

    cache = cache_root(course)
    return [reference_folder(source, cache)
            for source in sorted((Path(course) / "source" / assignment).glob("*.ipynb"))]


def _publish_autograded(course, assignment, grading, student):
    """Copy a student's autograded notebooks where nbgrader's own tools look for them."""
    source = grading / slug(student) / "autograded"
    if not source.is_dir():
        return
    target = course / "autograded" / student / assignment
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.ipynb"):
        shutil.copyfile(path, target / path.name)


def _run(args):
    from .cluster_options import security_from

    results, structure = grade_class(
        args.submitted, course=args.course, assignment=args.assignment, jobs=args.jobs,
        scheduler=args.scheduler, security=security_from(args), db_url=args.db,
        sandbox=not args.no_sandbox, force=args.force, memory_mb=args.memory_mb,
        wall_clock=args.wall_clock, progress=not args.no_progress)
    notebooks = list(structure)
    if args.json:
        Path(args.json).write_text(json.dumps(class_json(args.assignment, results), ensure_ascii=False,
                                              indent=2), encoding="utf-8")
        print(text("grade.written", path=args.json))
    if args.csv:
        write_csv(args.csv, results, notebooks)
        print(text("grade.written", path=args.csv))
    print(grade_table(results, notebooks))
    return 0


def register_command(subparsers):
    from .cluster_options import add_tls_options

    parser = subparsers.add_parser("grade", help=label("grade.help"), description=text("grade.help"))
    parser.add_argument("submitted", help=label("grade.arg.submitted"))
    add_course_arguments(parser)
    add_grading_arguments(parser)
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS", help=label("grade.arg.scheduler"))
    parser.add_argument("--csv", default=None, help=label("grade.arg.csv"))
    parser.add_argument("--json", default=None, help=label("grade.arg.json"))
    parser.add_argument("--db", default=None, help=label("grade.arg.db"))
    parser.add_argument("--memory-mb", type=int, default=4096, help=label("grade.arg.memory_mb"))
    parser.add_argument("--wall-clock", type=int, default=900, help=label("grade.arg.wall_clock"))
    parser.add_argument("--no-progress", action="store_true", help=label("grade.arg.no_progress"))
    add_tls_options(parser)
    parser.set_defaults(func=_run)
