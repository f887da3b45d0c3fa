"""Grading one student: nbgrader's own `Autograde` on each notebook, in a worker process.

A worker grades in a temporary course folder with a gradebook of its own (a copy of the
template built from the source notebooks), so workers never share a database. Student kernels
run in the sandbox (`sandbox.py`); a kernel that dies ends its notebook with 0 for what did
not run and a recorded reason. What one student's grading leaves is stored by `store.py`.
"""

import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from resnet_course.utils.messages import register, text

from . import submissions  # noqa: F401  (its messages name missing and renamed notebooks)
from .course_state import load_course_config
from .store import slug, store_student

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

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_stopping = False


def request_stop(*_):
    """SIGTERM: the grading process is stopping; no half-graded student may be stored."""
    global _stopping
    _stopping = True
    sys.exit(143)


def _check_stopping():
    # nbgrader's capture_log swallows even SystemExit: look at the flag after each notebook.
    if _stopping:
        sys.exit(143)


def worker_config(ctx, course_tmp, base, slot):
    """The course config, pointed at a worker's own folders, with the sandboxed Execute."""
    from nbgrader.converters import Autograde

    config = load_course_config(ctx["course"])
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
    config.GuardedExecute.sandbox = ctx["sandbox"]
    config.GuardedExecute.report_folder = str(base / "reports")
    manager = config.SandboxedKernelManager
    manager.work_root = str(base / "kernels")
    manager.sandbox_uid = ctx["uid_base"] + slot if ctx["uid_base"] else None
    manager.memory_limit_mb = ctx["memory_mb"]
    manager.wall_clock = ctx["wall_clock"]
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


def _cell_messages(cell):
    """What a graded cell says when it did not earn full marks: errors, then stderr."""
    messages = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            value = output.get("evalue") or ""
            messages.append(_ANSI.sub("", f"{output.get('ename')}: {value}" if output.get("ename") not in
                                      ("KernelDied", "JudgeVerdict") else value).strip())
        elif output.get("output_type") == "stream" and output.get("name") == "stderr":
            messages.append(_ANSI.sub("", output.get("text", "")).strip())
    return [message[:4000] for message in messages if message]


def _notebook_outcome(structure, notebook, gradebook_url, autograded_path, assignment, student, reason):
    from nbgrader.api import Gradebook, MissingEntry

    grades = {grade_id: {"score": 0.0, "max_score": max_score, "messages": []}
              for grade_id, max_score in structure[notebook].items()}
    cells = {}
    if autograded_path and autograded_path.is_file():
        import nbformat

        for cell in nbformat.read(str(autograded_path), as_version=4).cells:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in grades:
                cells[grade_id] = cell
        with Gradebook(gradebook_url) as gb:
            try:
                submitted = gb.find_submission_notebook(notebook, assignment, student)
                for grade in submitted.grades:
                    if grade.name in grades:
                        grades[grade.name]["score"] = float(grade.score or 0.0)
            except MissingEntry:
                pass
    for grade_id, grade in grades.items():
        if grade["score"] < grade["max_score"]:
            if grade_id in cells:
                grade["messages"] = _cell_messages(cells[grade_id])
            elif reason:
                grade["messages"] = [reason]
    return {
        "score": sum(g["score"] for g in grades.values()),
        "max_score": sum(g["max_score"] for g in grades.values()),
        "reason": reason,
        "grades": grades,
    }


def grade_submission(ctx, slot, task):
    """Autograde one student's submission with nbgrader; return the result dictionary."""
    from nbgrader.converters import Autograde
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    started = time.monotonic()
    student, folder, assignment = task["student"], Path(task["folder"]), ctx["assignment"]
    structure = ctx["structure"]
    base = Path(ctx["work_root"]) / f"w{slot}" / slug(student)
    shutil.rmtree(base, ignore_errors=True)
    course_tmp = base / "course"
    (course_tmp / "source").mkdir(parents=True)
    (course_tmp / "source" / assignment).symlink_to(Path(ctx["course"], "source", assignment).resolve())
    shutil.copyfile(ctx["template"], course_tmp / "gradebook.db")
    submitted = course_tmp / "submitted" / student / assignment
    shutil.copytree(folder, submitted, symlinks=False)
    (base / "reports").mkdir()
    os.environ["RESNET_COURSE_ARTIFACTS_ROOT"] = str(base / "artifacts")
    if ctx.get("reference_cache"):
        os.environ["RESNET_COURSE_REFERENCE_CACHE"] = ctx["reference_cache"]
    config = worker_config(ctx, course_tmp, base, slot)
    gradebook_url = config.CourseDirectory.db_url
    timestamp = (submitted / "timestamp.txt").read_text().strip() if (submitted / "timestamp.txt").is_file() else None

    notes = list(task.get("notes", []))
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
        notebooks[notebook] = _notebook_outcome(structure, notebook, gradebook_url, autograded,
                                                assignment, student, reason)
    result = _result(student, ctx, notebooks, notes, timestamp, task.get("fingerprint"))
    import resource

    result["seconds"] = round(time.monotonic() - started, 2)
    result["peak_kernel_memory"] = peak_kernel
    result["worker_peak_memory"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    _check_stopping()
    store_student(ctx, student, result, course_tmp, base, logs)
    shutil.rmtree(base, ignore_errors=True)
    return result


def _result(student, ctx, notebooks, notes, timestamp=None, fingerprint=None):
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
        "course_digest": ctx["digest"],
    }


def failed_result(ctx, task, reason):
    """Every notebook 0 with `reason` (the worker grading this student crashed)."""
    notebooks = {name: {"score": 0.0, "max_score": sum(cells.values()), "reason": reason,
                        "grades": {gid: {"score": 0.0, "max_score": mx, "messages": [reason]}
                                   for gid, mx in cells.items()}}
                 for name, cells in ctx["structure"].items()}
    # No fingerprint: the next run grades this student again.
    return _result(task["student"], ctx, notebooks, list(task.get("notes", [])), None, None)
