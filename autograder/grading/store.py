"""What a student's grading leaves behind, in `<course>/.grading/<assignment>/<student>/`.

`result.json` (scores, messages, reasons, the submission's fingerprint, the course digest),
the autograded notebooks, the judge's verdicts and plots, what the kernel exported, and the
logs. A finished result replaces the old one in one rename, so a crash leaves one or the other.
"""

import json
import os
import re
import shutil
from pathlib import Path

RESULT_FILE = "result.json"


def slug(value):
    """A student id as one safe folder name."""
    return re.sub(r"[^A-Za-z0-9_.@+-]", "_", value)


def store_student(ctx, student, result, course_tmp, base, logs):
    """Keep the result, the autograded notebooks, the judge's output and the logs of a student."""
    store = Path(ctx["store"]) / slug(student)
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
    folder = Path(ctx["store"]) / slug(result["student"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RESULT_FILE).write_text(json.dumps(result, ensure_ascii=False, indent=1))


def stored_result(ctx, student):
    path = Path(ctx["store"]) / slug(student) / RESULT_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
