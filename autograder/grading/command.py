"""`resnet-course grade`: autograde a whole class, in parallel, sandboxed, robust to hostile code.

    resnet-course grade SUBMITTED [--assignment resnet] [--jobs N] [--csv FILE] [--json FILE]
                        [--db URL] [--no-sandbox] [--force]

Every student is autograded by nbgrader's own `Autograde` converter (what `nbgrader
autograde` runs), one notebook at a time, in a pool of worker processes. Each worker grades
in a temporary course folder with a gradebook of its own (a copy of a template built from
the source notebooks), so workers never share a database; the grading process merges each
student into the course gradebook as soon as that student is finished. Student kernels run
in the sandbox (`sandbox.py`); a kernel that dies ends its notebook with 0 for what did not
run and a recorded reason, and a worker that crashes costs only the student it was grading.

What a run leaves behind, per student, in `<course>/.grading/<assignment>/<student>/`:
`result.json` (scores, messages, reasons, the submission's fingerprint), the autograded
notebooks, the judge's verdicts and plots, and the kernel logs. A re-run skips a student
whose submission and course are unchanged (and merges their stored result again), so it is
idempotent and a run stopped half-way resumes where it stopped.
"""

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from resnet_course.utils.messages import label, register, text

from . import submissions  # noqa: F401  (its messages name missing and renamed notebooks)
from .course_state import cached_template, course_digest, load_course_config, uses_judge
from .outputs import class_json, grade_table, write_csv
from .pool import WorkerPool
from .store import save_result, slug, stored_result

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
    "grade.written": {
        "ko": "저장했습니다: {path}",
        "en": "Written: {path}",
    },
})


def _work_parent(grading):
    """Where workers keep their temporary course folders: not under /tmp.

    Inside the sandbox /tmp is a private, writable tmpfs; the folders leading to the binds
    would be created in it and a kernel could write beside its own folder there. Elsewhere
    they sit on the sandbox's read-only root, and writing outside its folder fails.
    """
    for folder in ("/var/tmp", str(grading)):
        if os.path.isdir(folder) and os.access(folder, os.W_OK) and not folder.startswith("/tmp"):
            return folder
    return None


def _venv_on_path():
    """nbgrader runs `alembic` (beside this Python) when it creates a gradebook."""
    here = str(Path(sys.executable).parent)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def default_uid_base(pid=None):
    """A block of unused uids for the sandboxes of the grading process `pid` (this one), one per slot."""
    return 3_000_000 + ((os.getpid() if pid is None else pid) % 100_000) * 64


def grade_class(submitted, *, course=None, assignment="resnet", jobs=None, db_url=None, sandbox=True,
                force=False, memory_mb=4096, wall_clock=900, progress=True, log=print):
    """Grade every submission in `submitted`; return the list of results (one per student)."""
    from . import gradebook
    from ..authoring.sources import course_root

    started = time.monotonic()
    _venv_on_path()
    course = Path(course or course_root()).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    uid_base = default_uid_base() if os.geteuid() == 0 else None
    if sandbox:
        from .sandbox import require_sandbox

        require_sandbox(uid_base)
    db_url = db_url or gradebook.sqlite_url(course / "gradebook.db")
    grading = course / ".grading" / assignment
    grading.mkdir(parents=True, exist_ok=True)
    work_root = Path(tempfile.mkdtemp(prefix="resnet-grade-", dir=_work_parent(grading)))
    pool = None
    try:
        digest = course_digest(course, assignment)
        template = cached_template(course, assignment, grading, digest)
        template_url = gradebook.sqlite_url(template)
        structure = gradebook.assignment_structure(template_url, assignment)
        gradebook.copy_assignment(template_url, db_url, assignment)
        grade_ids = {nb: list(cells) for nb, cells in structure.items()}
        subs = submissions.collect(submitted, assignment, work_root / "intake", grade_ids, log=log)
        reference_cache = _prepare_references(course, assignment, log)
        ctx = {"course": str(course), "assignment": assignment, "template": str(template),
               "structure": structure, "work_root": str(work_root), "store": str(grading),
               "sandbox": sandbox, "uid_base": uid_base, "memory_mb": memory_mb,
               "wall_clock": wall_clock, "digest": digest,
               "reference_cache": reference_cache}
        results, tasks, reused = [], [], 0
        for sub in subs:
            task = {"student": sub.student, "folder": str(sub.folder), "notes": sub.notes,
                    "fingerprint": sub.fingerprint()}
            previous = None if force else stored_result(ctx, sub.student)
            if previous and previous.get("fingerprint") == task["fingerprint"] \
                    and previous.get("course_digest") == ctx["digest"]:
                gradebook.merge_student(db_url, assignment, previous)
                results.append(previous)
                reused += 1
            else:
                tasks.append(task)

        bar = None
        if progress and tasks:
            from tqdm import tqdm

            bar = tqdm(total=len(tasks), unit="student", desc="grading", file=sys.stderr)

        def finished(result):
            if stored_result(ctx, result["student"]) is None or result.get("fingerprint") is None:
                save_result(ctx, result)
            gradebook.merge_student(db_url, assignment, result)
            _publish_autograded(course, assignment, grading, result["student"])
            results.append(result)
            if bar:
                bar.update(1)
                bar.set_postfix_str(result["student"])

        workers = min(jobs, len(tasks))
        if tasks:
            pool = WorkerPool(workers, ctx)
            try:
                pool.run(tasks, finished)
            except BaseException:
                pool.close(kill=True)
                pool = None
                raise
            pool.close()
            pool = None
        if bar:
            bar.close()
        failed = sum(result["status"] == "failed" for result in results)
        log(text("grade.summary", count=len(results), graded=len(tasks), reused=reused,
                 failed=failed, seconds=time.monotonic() - started, workers=workers))
        return results, structure
    finally:
        if pool:
            pool.close(kill=True)
        shutil.rmtree(work_root, ignore_errors=True)


def _prepare_references(course, assignment, log):
    """Compute the judge's references once, before the workers start (none when no judge)."""
    if not uses_judge(load_course_config(course)):
        return None
    from ..judge.references import cache_root, reference_folder

    cache = cache_root(course)
    for source in sorted((Path(course) / "source" / assignment).glob("*.ipynb")):
        reference_folder(source, cache)
    return str(cache)


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
    results, structure = grade_class(
        args.submitted, course=args.course, assignment=args.assignment, jobs=args.jobs,
        db_url=args.db, sandbox=not args.no_sandbox, force=args.force, memory_mb=args.memory_mb,
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
    parser = subparsers.add_parser("grade", help=label("grade.help"), description=text("grade.help"))
    parser.add_argument("submitted", help="submissions: <student>/<assignment>/*.ipynb folder, or an LMS zip")
    parser.add_argument("--assignment", default="resnet")
    parser.add_argument("--course", default=None, help="course folder (default: course/ of the checkout)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="students graded at once (default: cores)")
    parser.add_argument("--csv", default=None, help="write one row per student here")
    parser.add_argument("--json", default=None, help="write every score and message here")
    parser.add_argument("--db", default=None, help="gradebook SQLAlchemy URL (default: sqlite course/gradebook.db)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="run student code without bubblewrap (trusted submissions only)")
    parser.add_argument("--force", action="store_true", help="grade again even when nothing changed")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory limit per kernel (MB)")
    parser.add_argument("--wall-clock", type=int, default=900, help="seconds allowed per notebook")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run)
