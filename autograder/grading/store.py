"""What a student's grading leaves behind, in `<course>/.grading/<assignment>/<student>/`.

`result.json` (scores, messages, reasons, the submission's fingerprint, the course digest),
the autograded notebooks, the judge's verdicts and plots, what the kernel exported, and the
logs. Graders return all of it as data (`student.grade_student`); only the grading process
writes here. A finished result replaces the old one in one rename, so a crash leaves one or
the other.
"""

import json
import re
import shutil
from pathlib import Path

RESULT_FILE = "result.json"


def slug(value):
    """A student id as one safe folder name."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", value)


def _safe_relative(name):
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts or not relative.parts:
        raise ValueError(f"unsafe path in a grading result: {name!r}")
    return relative


def store_student(store_root, result, files):
    """Keep what a student's grading returned: result.json and its files (relative path: bytes)."""
    store = Path(store_root) / slug(result["student"])
    staging = store.with_name(store.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "logs").mkdir()
    for name, data in files.items():
        target = staging / _safe_relative(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (staging / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1))
    # The finished result replaces the old one in one step: a crash leaves one or the other.
    old = store.with_name(store.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if store.exists():
        store.rename(old)
    staging.rename(store)
    shutil.rmtree(old, ignore_errors=True)


def save_result(store_root, result):
    """Write a result that came back without files (its graders stopped), keeping older files."""
    folder = Path(store_root) / slug(result["student"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def stored_result(store_root, student):
    path = Path(store_root) / slug(student) / RESULT_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
