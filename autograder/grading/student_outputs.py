"""What one student's grading produced, read back as data: scores, messages and files.

`notebook_outcome` reads a notebook's scores from the scratch gradebook and the messages of
every check that did not earn full marks from the autograded notebook. `collect_outputs`
gathers the files worth keeping (the autograded notebooks, the judge's verdicts and plots,
what the kernel exported, the logs) as {relative path: bytes}, laid out as
`course/.grading/<assignment>/<student>/` keeps them (`store.py`).
"""

import os
import re
import stat
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The kernel writes its exports; what it may make travel back is bounded (kept for appeals only).
EXPORTED_BYTES_KEPT = 64 * 2**20
NBGRADER_LOG_KEPT = 200_000


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


def notebook_outcome(structure, notebook, gradebook_url, autograded_path, assignment, student, reason):
    """{score, max_score, reason, grades} of one notebook, from nbgrader's gradebook and cells."""
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


def _regular_files(folder):
    """(relative path, path) of the regular files under `folder`, never through a link.

    The kernel could write into the artifacts folder: a link, a FIFO or a device planted
    there must neither redirect nor block what is read.
    """
    folder = Path(folder)
    for root, dirs, names in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(root, d)))
        for name in sorted(names):
            path = Path(root) / name
            try:
                if stat.S_ISREG(path.lstat().st_mode):
                    yield path.relative_to(folder).as_posix(), path
            except OSError:
                continue


def collect_outputs(autograded, artifacts_root, kernel_logs, logs):
    """The files a student's grading leaves, as {relative path in the store: bytes}."""
    files = {}
    autograded = Path(autograded)
    if autograded.is_dir():
        for path in sorted(autograded.glob("*.ipynb")):
            files[f"autograded/{path.name}"] = path.read_bytes()
    artifacts_root = Path(artifacts_root)
    # <root>/<student>/<assignment>/<notebook>[.judge]: the judge's folder is its own output.
    for judge in sorted(artifacts_root.glob("*/*/*.judge")):
        if judge.is_dir() and not judge.is_symlink():
            for relative, path in _regular_files(judge):
                files[f"judge/{judge.name[: -len('.judge')]}/{relative}"] = path.read_bytes()
    exported_bytes = 0
    for exported in sorted(artifacts_root.glob("*/*/*")):
        if exported.is_dir() and not exported.is_symlink() and not exported.name.endswith(".judge"):
            for relative, path in _regular_files(exported):
                exported_bytes += path.lstat().st_size
                if exported_bytes > EXPORTED_BYTES_KEPT:
                    break
                files[f"artifacts/{exported.name}/{relative}"] = path.read_bytes()
    for name, log in logs.items():
        files[f"logs/{name}.nbgrader.log"] = log[-NBGRADER_LOG_KEPT:].encode("utf-8", "replace")
    kernel_logs = Path(kernel_logs)
    if kernel_logs.is_dir():
        for path in sorted(kernel_logs.glob("*.log")):
            files[f"logs/{path.name}"] = path.read_bytes()
    return files
