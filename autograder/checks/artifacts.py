"""What hidden test cells hand to the judge: artifacts, written outside the notebook.

A hidden test cell runs in the student's kernel, so it cannot be trusted to decide a
grade. It only *exports* what the student's functions produced (a model's architecture
as JSON, arrays, a plot's data) into the folder named by RESNET_COURSE_ARTIFACTS; the
judge compares them with the instructor's references outside the kernel.

When RESNET_COURSE_ARTIFACTS is unset (a student working locally, `nbgrader validate` on
the sources) nothing is written anywhere: a file beside a source notebook would be copied
into the release by nbgrader.

Layout: <artifacts>/<grade_id>/<case>.<kind>, where kind is
  model.json   a Keras model's architecture, `model.to_json()` (no weights)
  npy          a float64 array, saved without pickle
  json         plain JSON data (plots, small facts)
"""

import json
import os
import re
from pathlib import Path

ENV_VAR = "RESNET_COURSE_ARTIFACTS"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


def artifacts_dir():
    """The folder artifacts go to, or None when grading is not under way."""
    value = os.environ.get(ENV_VAR, "").strip()
    return Path(value) if value else None


def _target(grade_id, case, suffix):
    root = artifacts_dir()
    if root is None:
        return None
    for part in (grade_id, case):
        if not _SAFE_NAME.match(part):
            raise ValueError(f"artifact name part {part!r} must match {_SAFE_NAME.pattern}")
    folder = root / grade_id
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{case}.{suffix}"


def _write_atomic(path, data):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def export_model(grade_id, case, model):
    """Export a Keras model's architecture (never its weights) as JSON."""
    path = _target(grade_id, case, "model.json")
    if path is not None:
        _write_atomic(path, model.to_json().encode("utf-8"))
    return path


def export_array(grade_id, case, values):
    """Export numbers as a float64 array (an object that only pretends to be numbers fails here)."""
    import numpy as np

    path = _target(grade_id, case, "npy")
    if path is not None:
        array = np.array(values, dtype=np.float64)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "wb") as handle:
            np.save(handle, array, allow_pickle=False)
        os.replace(tmp, path)
    return path


def export_json(grade_id, case, data):
    """Export plain JSON data (lists, numbers, strings)."""
    path = _target(grade_id, case, "json")
    if path is not None:
        _write_atomic(path, json.dumps(data, ensure_ascii=False, allow_nan=True).encode("utf-8"))
    return path
