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

import csv
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import deque
from multiprocessing.connection import wait
from pathlib import Path

from resnet_course.utils.messages import CourseError, label, register, text

# nbformat imports jsonschema, which compiles an IRI grammar (rfc3987_syntax) at import time
# when that package is installed: 0.75 s in the grading process and again in every worker,
# about half of importing nbgrader. Only a schema with `"format": "iri"` would use it, and the
# notebook schemas nbgrader validates against have none, so grading hides the package from
# jsonschema. Nothing changes if jsonschema was already imported.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

from . import submissions  # noqa: F401  (its messages name missing and renamed notebooks)

register({
    "grade.help": {
        "ko": "제출물 전체를 채점합니다 (nbgrader autograde, 병렬, 샌드박스).",
        "en": "Grade a whole class's submissions (nbgrader autograde, in parallel, sandboxed).",
    },
    "grade.no_source": {
        "ko": "과제 {assignment}의 원본 노트북이 {path}에 없습니다. 먼저 `resnet-course build`를 실행하세요.",
        "en": "The source notebooks of assignment {assignment} are missing from {path}. "
              "Run `resnet-course build` first.",
    },
    "grade.template_failed": {
        "ko": "원본 노트북으로 임시 성적부를 만들지 못했습니다:\n{log}",
        "en": "Could not build the template gradebook from the source notebooks:\n{log}",
    },
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
    "grade.worker_crashed": {
        "ko": "이 학생을 채점하던 작업자 프로세스가 비정상 종료되었습니다(종료 코드 {code}).",
        "en": "The worker process grading this student stopped unexpectedly (exit code {code}).",
    },
    "grade.summary": {
        "ko": "채점 완료: 학생 {count}명 (이번에 채점 {graded}명, 변경 없어 재사용 {reused}명, 실패 {failed}명), {seconds:.1f}초",
        "en": "Grading done: {count} students ({graded} graded now, {reused} unchanged and reused, "
              "{failed} failed), {seconds:.1f} s",
    },
    "grade.written": {
        "ko": "저장했습니다: {path}",
        "en": "Written: {path}",
    },
})

RESULT_FILE = "result.json"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


# ---------------------------------------------------------------------------------------
# Course-side preparation (grading process)
# ---------------------------------------------------------------------------------------

def load_course_config(course):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(course) / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


# Modules that move files and numbers around but decide no score: editing them regrades nobody.
_ORCHESTRATION = {"grade.py", "submissions.py", "gradebook_merge.py", "feedback.py", "demo.py", "cli.py"}


def course_digest(course, assignment):
    """A hash of what decides grades besides the submission: sources, config, package code."""
    digest = hashlib.sha256()
    source = Path(course) / "source" / assignment
    files = sorted(source.rglob("*")) + [Path(course) / "nbgrader_config.py"]
    import resnet_course.autograder as autograder
    import resnet_course.utils as utils

    for package in (utils, autograder):
        files += sorted(path for path in Path(package.__file__).parent.glob("*.py")
                        if path.name not in _ORCHESTRATION)
    for path in files:
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_template(course, assignment, grading, digest):
    """The template gradebook for this course state, built once and kept beside the results.

    Building it runs nbgrader's generate_assignment (2.7 s here); the digest covers the
    sources, the config and the grading code, so an edit to any of them builds a new one.
    The three newest are kept (a run grading an older course state may still copy one).
    The file is only ever copied, never opened for writing.
    """
    grading = Path(grading)
    folder = grading / f".template-{digest[:16]}"
    if (folder / "gradebook.db").is_file():
        return folder / "gradebook.db"
    staging = Path(tempfile.mkdtemp(prefix=".template-new-", dir=grading))
    try:
        build_template(course, assignment, staging)
        try:
            staging.rename(folder)
        except OSError:  # another run put the same template in place first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from .cache_folders import keep_newest

    keep_newest([path for path in grading.glob(".template-*") if not path.name.startswith(".template-new-")],
                "gradebook.db", keep=3)
    return folder / "gradebook.db"


def build_template(course, assignment, folder):
    """A gradebook holding the assignment's structure, made by nbgrader from the sources."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    folder = Path(folder)
    (folder / "source").mkdir(parents=True, exist_ok=True)
    source = Path(course) / "source" / assignment
    if not source.is_dir():
        raise CourseError("grade.no_source", assignment=assignment, path=str(source))
    link = folder / "source" / assignment
    if not link.exists():
        link.symlink_to(source.resolve())
    config = load_course_config(course)
    config.CourseDirectory.root = str(folder)
    config.CourseDirectory.db_url = f"sqlite:///{folder / 'gradebook.db'}"
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.create_assignment = True
    config.GenerateAssignment.force = True
    coursedir = CourseDirectory(config=config)
    outcome = capture_log(GenerateAssignment(coursedir=coursedir, config=config))
    if not outcome["success"]:
        raise CourseError("grade.template_failed", log=(outcome.get("log", "") + outcome.get("error", ""))[-3000:])
    return folder / "gradebook.db"


# ---------------------------------------------------------------------------------------
# One student (worker process)
# ---------------------------------------------------------------------------------------

def _slug(value):
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", value)


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
            step = "resnet_course.autograder.sandbox.GuardedExecute"
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
    base = Path(ctx["work_root"]) / f"w{slot}" / _slug(student)
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
    _store(ctx, student, result, course_tmp, base, logs)
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


def _store(ctx, student, result, course_tmp, base, logs):
    """Keep the result, the autograded notebooks, the judge's output and the logs of a student."""
    store = Path(ctx["store"]) / _slug(student)
    staging = store.with_name(store.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    autograded = course_tmp / "autograded" / student / ctx["assignment"]
    if autograded.is_dir():
        (staging / "autograded").mkdir()
        for path in autograded.glob("*.ipynb"):
            shutil.copyfile(path, staging / "autograded" / path.name)
    for judge in (base / "artifacts").glob("*/*/*.judge"):
        shutil.copytree(judge, staging / "judge" / judge.name[: -len(".judge")], symlinks=False,
                        ignore_dangling_symlinks=True)
    # What the kernel exported, kept for appeals (no links: the kernel may have planted some).
    for exported in (base / "artifacts").glob("*/*/*"):
        if exported.is_dir() and not exported.is_symlink() and not exported.name.endswith(".judge"):
            shutil.copytree(exported, staging / "artifacts" / exported.name, symlinks=True,
                            ignore=lambda folder, names: [n for n in names if os.path.islink(os.path.join(folder, n))])
    (staging / "logs").mkdir()
    for name, log in logs.items():
        (staging / "logs" / f"{name}.nbgrader.log").write_text(log[-200000:])
    for kernel_log in (base / "kernels" / "logs").glob("*.log"):
        shutil.copyfile(kernel_log, staging / "logs" / kernel_log.name)
    (staging / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    # The finished result replaces the old one in one step: a crash leaves one or the other.
    old = store.with_name(store.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if store.exists():
        store.rename(old)
    staging.rename(store)
    shutil.rmtree(old, ignore_errors=True)


def save_result(ctx, result):
    """Write a result that no worker stored (its worker crashed)."""
    folder = Path(ctx["store"]) / _slug(result["student"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def stored_result(ctx, student):
    path = Path(ctx["store"]) / _slug(student) / RESULT_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------------------
# The worker pool
# ---------------------------------------------------------------------------------------

_stopping = False


def _stop_worker(*_):
    """SIGTERM: the grading process is stopping; no half-graded student may be stored."""
    global _stopping
    _stopping = True
    sys.exit(143)


def _check_stopping():
    # nbgrader's capture_log swallows even SystemExit: look at the flag after each notebook.
    if _stopping:
        sys.exit(143)


def _worker_main(slot, ctx, connection):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading process's to handle
    signal.signal(signal.SIGTERM, _stop_worker)  # leaves through nbclient's clean-up

    import warnings

    from sqlalchemy.exc import SAWarning

    import resnet_course.utils  # noqa: F401  (quiet TensorFlow, should the judge import it)

    # nbgrader's own update_or_create_submission trips SQLAlchemy's autoflush warnings.
    warnings.filterwarnings("ignore", category=SAWarning)

    config = load_course_config(ctx["course"])
    judged = uses_judge(config)
    if judged:
        from .judge import Judge

        Judge.prestart(config)
    try:
        _serve_tasks(ctx, slot, connection)
    finally:
        if judged:
            Judge.stop_worker()
    # Every result has gone through the pipe. Tearing down the interpreter's modules
    # (nbgrader, SQLAlchemy, Jupyter) took 0.8 s here and keeps nothing: leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _serve_tasks(ctx, slot, connection):
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = grade_submission(ctx, slot, task)
        except Exception as error:  # a bug or a broken file must cost one student, not the batch
            import traceback

            traceback.print_exc()
            result = failed_result(ctx, task, text("grade.nbgrader_failed",
                                                   detail=f"{type(error).__name__}: {error}"[:300]))
        connection.send(result)


class WorkerPool:
    """N processes, each grading one student at a time; a crashed worker is replaced."""

    def __init__(self, jobs, ctx):
        self.ctx = ctx
        self.mp = multiprocessing.get_context("spawn")
        self.workers = {}
        for slot in range(jobs):
            self._start(slot)

    def _start(self, slot):
        parent, child = self.mp.Pipe()
        process = self.mp.Process(target=_worker_main, args=(slot, self.ctx, child), daemon=True,
                                  name=f"resnet-grade-{slot}")
        process.start()
        child.close()
        self.workers[slot] = [process, parent, None]

    def run(self, tasks, on_result):
        pending = deque(tasks)
        while pending or any(worker[2] for worker in self.workers.values()):
            for slot, worker in self.workers.items():
                if worker[2] is None and pending:
                    worker[2] = pending.popleft()
                    worker[1].send(worker[2])
            busy = {slot: worker for slot, worker in self.workers.items() if worker[2]}
            ready = wait([w[1] for w in busy.values()] + [w[0].sentinel for w in busy.values()])
            for slot, (process, connection, task) in list(busy.items()):
                if connection in ready:
                    try:
                        result = connection.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        self.workers[slot][2] = None
                        on_result(result)
                        continue
                if connection in ready or process.sentinel in ready:
                    process.join(5)
                    reason = text("grade.worker_crashed", code=process.exitcode)
                    on_result(failed_result(self.ctx, task, reason))
                    self._start(slot)

    def close(self, kill=False):
        for process, connection, _ in self.workers.values():
            try:
                if kill:
                    process.terminate()
                else:
                    connection.send(None)
            except (OSError, ValueError):
                pass
        for process, _, _ in self.workers.values():
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)


# ---------------------------------------------------------------------------------------
# Outputs
# ---------------------------------------------------------------------------------------

def class_json(assignment, results):
    """The JSON document of issue 8: exactly these keys."""
    return {
        "assignment": assignment,
        "students": {
            result["student"]: {
                "status": result["status"],
                "reason": result["reason"],
                "score": result["score"],
                "max_score": result["max_score"],
                "notebooks": {
                    name: {
                        "score": outcome["score"],
                        "max_score": outcome["max_score"],
                        "grades": {gid: {"score": g["score"], "max_score": g["max_score"],
                                         "messages": list(g["messages"])}
                                   for gid, g in outcome["grades"].items()},
                    } for name, outcome in result["notebooks"].items()
                },
            } for result in sorted(results, key=lambda r: r["student"])
        },
    }


def write_csv(path, results, notebooks):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", "status", *notebooks, "total", "max_score", "reason"])
        for result in sorted(results, key=lambda r: r["student"]):
            writer.writerow([result["student"], result["status"],
                             *[_number(result["notebooks"][nb]["score"]) for nb in notebooks],
                             _number(result["score"]), _number(result["max_score"]),
                             (result["reason"] or "").replace("\n", " | ")])


def _number(value):
    return int(value) if float(value).is_integer() else round(value, 3)


def grade_table(results, notebooks):
    """A plain-text table: one row per student, per-notebook and total scores."""
    short = [nb.split("_")[0] if nb[:2].isdigit() else nb[:12] for nb in notebooks]
    rows = [["student", *short, "total", "status"]]
    for result in sorted(results, key=lambda r: r["student"]):
        rows.append([result["student"], *[f"{_number(result['notebooks'][nb]['score'])}/"
                                          f"{_number(result['notebooks'][nb]['max_score'])}" for nb in notebooks],
                     f"{_number(result['score'])}/{_number(result['max_score'])}", result["status"]])
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
                     for row in rows)


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------

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


def default_uid_base():
    """A block of unused uids for this run's sandboxes, one per worker slot."""
    return 3_000_000 + (os.getpid() % 100_000) * 64


def grade_class(submitted, *, course=None, assignment="resnet", jobs=None, db_url=None, sandbox=True,
                force=False, memory_mb=4096, wall_clock=900, progress=True, log=print):
    """Grade every submission in `submitted`; return the list of results (one per student)."""
    from . import gradebook_merge, submissions
    from .sources import course_root

    started = time.monotonic()
    _venv_on_path()
    course = Path(course or course_root()).resolve()
    jobs = max(1, jobs or os.cpu_count() or 1)
    uid_base = default_uid_base() if os.geteuid() == 0 else None
    if sandbox:
        from .sandbox import require_sandbox

        require_sandbox(uid_base)
    db_url = db_url or gradebook_merge.sqlite_url(course / "gradebook.db")
    grading = course / ".grading" / assignment
    grading.mkdir(parents=True, exist_ok=True)
    work_root = Path(tempfile.mkdtemp(prefix="resnet-grade-", dir=_work_parent(grading)))
    pool = None
    try:
        digest = course_digest(course, assignment)
        template = cached_template(course, assignment, grading, digest)
        template_url = gradebook_merge.sqlite_url(template)
        structure = gradebook_merge.assignment_structure(template_url, assignment)
        gradebook_merge.copy_assignment(template_url, db_url, assignment)
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
                gradebook_merge.merge_student(db_url, assignment, previous)
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
            gradebook_merge.merge_student(db_url, assignment, result)
            _publish_autograded(course, assignment, grading, result["student"])
            results.append(result)
            if bar:
                bar.update(1)
                bar.set_postfix_str(result["student"])

        if tasks:
            pool = WorkerPool(min(jobs, len(tasks)), ctx)
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
                 failed=failed, seconds=time.monotonic() - started))
        return results, structure
    finally:
        if pool:
            pool.close(kill=True)
        shutil.rmtree(work_root, ignore_errors=True)


def uses_judge(config):
    """Whether the course's autograde pipeline includes the judge."""
    steps = config.Autograde.get("autograde_preprocessors", [])
    return any("judge.Judge" in (s if isinstance(s, str) else f"{s.__module__}.{s.__name__}") for s in steps)


def _prepare_references(course, assignment, log):
    """Compute the judge's references once, before the workers start (none when no judge)."""
    if not uses_judge(load_course_config(course)):
        return None
    from .references import cache_root, reference_folder

    cache = cache_root(course)
    for source in sorted((Path(course) / "source" / assignment).glob("*.ipynb")):
        reference_folder(source, cache)
    return str(cache)


def _publish_autograded(course, assignment, grading, student):
    """Copy a student's autograded notebooks where nbgrader's own tools look for them."""
    source = grading / _slug(student) / "autograded"
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
