"""Grading one student: nbgrader's own `Autograde` on each notebook, in a private scratch folder.

`grade_student` is the one grading function both paths call (a worker of the embedded pool,
a Dask worker on another machine): a function of the course (unpacked from its bundle, named
by its digest), one student's files as bytes, and the settings. It grades in a scratch folder
of its own with a gradebook of its own (a copy of the template built from the source
notebooks), and returns everything as data: the result, the autograded notebooks, the
judge's verdicts and plots, what the kernel exported and the logs. It writes nothing that
outlives it; the grading process stores what it returns (`store.py`). Student kernels run
in the sandbox (`sandbox.py`); a kernel that dies ends its notebook with 0 for what did not
run and a recorded reason.
"""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

from resnet_course.utils.messages import register, text

from . import submissions  # noqa: F401  (its messages name missing and renamed notebooks)
from .course_state import load_course_config
from .store import slug
from .student_outputs import collect_outputs, notebook_outcome

register({
    "grade.unreadable": {
        "ko": "노트북 파일을 읽을 수 없습니다(올바른 JSON 노트북이 아님): {detail}",
        "en": "The notebook file cannot be read (not a valid JSON notebook): {detail}",
    },
    "grade.not_utf8": {
        "ko": "노트북에 UTF-8이 아닌 바이트가 있어 대체 문자로 바꾼 뒤 채점했습니다.",
        "en": "The notebook held bytes that are not UTF-8; they were replaced before grading.",
    },
    "grade.nbgrader_failed": {
        "ko": "nbgrader가 이 노트북을 채점하지 못했습니다: {detail}",
        "en": "nbgrader could not grade this notebook: {detail}",
    },
})

_stopping = False
# nbgrader, the judge and the sandbox name their folders through this process's environment:
# one student at a time per process (a Dask worker with several threads waits here).
_one_at_a_time = threading.Lock()


def request_stop(*_):
    """SIGTERM: the grading process is stopping; no half-graded student may be returned."""
    global _stopping
    _stopping = True
    sys.exit(143)


def _check_stopping():
    # nbgrader's capture_log swallows even SystemExit: look at the flag after each notebook.
    if _stopping:
        sys.exit(143)


def scratch_parent(fallback=None):
    """Where a student's scratch folder goes: not under /tmp.

    Inside the sandbox /tmp is a private, writable tmpfs; the folders leading to the binds
    would be created in it and a kernel could write beside its own folder there. Elsewhere
    they sit on the sandbox's read-only root, and writing outside its folder fails.
    """
    for folder in ("/var/tmp", str(fallback or "")):
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK) and not folder.startswith("/tmp"):
            return folder
    return None


def worker_config(course_folder, course_tmp, base, settings):
    """The course config, pointed at a scratch folder, with the sandboxed Execute."""
    from nbgrader.converters import Autograde

    config = load_course_config(course_folder)
    config.CourseDirectory.root = str(course_tmp)
    config.CourseDirectory.db_url = f"sqlite:///{course_tmp / 'gradebook.db'}"
    steps = config.Autograde.autograde_preprocessors if "autograde_preprocessors" in config.Autograde \
        else Autograde.class_traits()["autograde_preprocessors"].default()
    swapped = []
    for step in steps:
        name = step if isinstance(step, str) else f"{step.__module__}.{step.__name__}"
        if name in ("nbgrader.preprocessors.Execute", "nbgrader.preprocessors.execute.Execute"):
            step = "resnet_course.autograder.grading.guarded_execute.GuardedExecute"
        swapped.append(step)
    config.Autograde.autograde_preprocessors = swapped
    config.GuardedExecute.sandbox = settings["sandbox"]
    config.GuardedExecute.report_folder = str(base / "reports")
    manager = config.SandboxedKernelManager
    manager.work_root = str(base / "kernels")
    manager.sandbox_uid = settings.get("uid")
    manager.memory_limit_mb = settings["memory_mb"]
    manager.wall_clock = settings["wall_clock"]
    return config


def _read_notebook_leniently(path):
    """(notes, problem): repair non-UTF-8 bytes in place; say so, or say why it is unreadable."""
    import nbformat

    raw = path.read_bytes()
    notes = []
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        path.write_bytes(raw.decode("utf-8", "replace").encode("utf-8"))
        notes.append(text("grade.not_utf8"))
    try:
        nbformat.read(str(path), as_version=4)
    except Exception as error:
        detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"[:300]
        return notes, text("grade.unreadable", detail=detail)
    return notes, None


def _write_files(folder, files):
    """A submission's files (relative path: bytes) into `folder`; nothing outside it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        relative = Path(name)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            continue
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def grade_student(course, submission, settings):
    """Autograde one student; return {"result": ..., "files": {relative path: bytes}}.

    `course` is an `UnpackedCourse`; `submission` holds "student", "files" (its folder's
    files as bytes), "notes" and "fingerprint"; `settings` holds "sandbox", "uid",
    "memory_mb", "wall_clock" and "grader" (who graded: kept in the result).
    """
    with _one_at_a_time:
        # Named after the student: an operator (or a test) can tell whose kernel is whose.
        prefix = f"resnet-{slug(submission['student'])[:32]}-"
        base = Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_parent(settings.get("scratch"))))
        try:
            return _grade_in(base, course, submission, settings)
        finally:
            shutil.rmtree(base, ignore_errors=True)


def _grade_in(base, course, submission, settings):
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    started = time.monotonic()
    student, assignment, structure = submission["student"], course.assignment, course.structure
    course_tmp = base / "course"
    (course_tmp / "source").mkdir(parents=True)
    (course_tmp / "source" / assignment).symlink_to((course.course / "source" / assignment).resolve())
    shutil.copyfile(course.template, course_tmp / "gradebook.db")
    submitted = course_tmp / "submitted" / student / assignment
    _write_files(submitted, submission["files"])
    (base / "reports").mkdir()
    os.environ["RESNET_COURSE_ARTIFACTS_ROOT"] = str(base / "artifacts")
    if course.references:
        os.environ["RESNET_COURSE_REFERENCE_CACHE"] = str(course.references)
    config = worker_config(course.course, course_tmp, base, settings)
    gradebook_url = config.CourseDirectory.db_url
    timestamp = (submitted / "timestamp.txt").read_text().strip() if (submitted / "timestamp.txt").is_file() else None

    notes = list(submission.get("notes", []))
    notebooks, logs, peak_kernel = {}, {}, 0
    for notebook in structure:
        path = submitted / f"{notebook}.ipynb"
        reason = None
        autograded = course_tmp / "autograded" / student / assignment / f"{notebook}.ipynb"
        if not path.is_file():
            reason = text("intake.missing", notebook=notebook)
        else:
            fixed, reason = _read_notebook_leniently(path)
            notes += fixed
        if reason is None:
            coursedir = CourseDirectory(config=config)
            coursedir.assignment_id, coursedir.student_id, coursedir.notebook_id = assignment, student, notebook
            config.SandboxedKernelManager.log_name = notebook
            converter = Autograde(coursedir=coursedir, config=config)
            converter.force = True
            converter.create_student = True
            outcome = capture_log(converter)
            _check_stopping()
            logs[notebook] = (outcome.get("log") or "") + (outcome.get("error") or "")
            report_path = base / "reports" / f"{notebook}.json"
            report = json.loads(report_path.read_text()) if report_path.is_file() else {}
            peak_kernel = max(peak_kernel, report.get("peak_memory") or 0)
            if report.get("death_reason"):
                reason = report["death_reason"]
            if not outcome["success"]:
                lines = [line for line in (outcome.get("error") or "").strip().splitlines() if line.strip()]
                reason = reason or text("grade.nbgrader_failed", detail=(lines[-1] if lines else "?")[:300])
        notebooks[notebook] = notebook_outcome(structure, notebook, gradebook_url, autograded,
                                               assignment, student, reason)
    result = _result(student, course.digest, notebooks, notes, timestamp, submission.get("fingerprint"))
    import resource

    result["seconds"] = round(time.monotonic() - started, 2)
    result["peak_kernel_memory"] = peak_kernel
    result["worker_peak_memory"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result["judge_peak_memory"] = _judge_peak_memory()
    result["grader"] = settings.get("grader")
    _check_stopping()
    files = collect_outputs(course_tmp / "autograded" / student / assignment, base / "artifacts",
                            base / "kernels" / "logs", logs)
    return {"result": result, "files": files}


def _judge_peak_memory():
    """The high-water mark of the judge's comparison process (it lives apart from this one)."""
    from ..judge.worker_client import ComparisonWorker

    worker = ComparisonWorker._current
    if worker is None or worker.process.poll() is not None:
        return None
    try:
        for line in Path(f"/proc/{worker.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _result(student, digest, notebooks, notes, timestamp=None, fingerprint=None):
    reasons = [f"{name}: {outcome['reason']}" for name, outcome in notebooks.items() if outcome["reason"]]
    return {
        "student": student,
        "status": "failed" if reasons else "graded",
        "reason": "\n".join(notes + reasons) or None,
        "score": sum(outcome["score"] for outcome in notebooks.values()),
        "max_score": sum(outcome["max_score"] for outcome in notebooks.values()),
        "notebooks": notebooks,
        "timestamp": timestamp,
        "fingerprint": fingerprint,
        "course_digest": digest,
    }


def failed_result(structure, digest, submission, reason):
    """Every notebook 0 with `reason` (the graders of this student stopped)."""
    notebooks = {name: {"score": 0.0, "max_score": sum(cells.values()), "reason": reason,
                        "grades": {gid: {"score": 0.0, "max_score": mx, "messages": [reason]}
                                   for gid, mx in cells.items()}}
                 for name, cells in structure.items()}
    # No fingerprint: the next run grades this student again.
    return _result(submission["student"], digest, notebooks, list(submission.get("notes", [])), None, None)
