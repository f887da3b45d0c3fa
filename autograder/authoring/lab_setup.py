"""Settings a student's JupyterLab needs, written into the Python environment's own folders.

`make lab` runs this once per environment (and a student who installed from the bundle can
run `python -m resnet_course.autograder.authoring.lab_setup`). It writes two files under sys.prefix,
so the user's own configuration is left alone:

- share/jupyter/lab/settings/overrides.json: no "receive official Jupyter news?" question
  and no update check on first start (the course runs offline).
- etc/jupyter/nbgrader_config.py: the Validate button runs the notebooks inside the
  server with nbgrader's defaults (30 s per cell, 4 s wait for output), which a training
  cell on a slow laptop exceeds; these limits match the course's own grading config.
"""

import json
import sys
from pathlib import Path

LAB_OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}

STUDENT_NBGRADER_CONFIG = '''\
# Written by resnet_course.autograder.authoring.lab_setup: limits for the Validate button.
c = get_config()  # noqa: F821
c.Execute.timeout = 300
c.Execute.startup_timeout = 180
c.Execute.iopub_timeout = 60
'''


def install_lab_settings(prefix=None):
    """Write both files under `prefix` (default: this environment). Returns their paths."""
    prefix = Path(prefix or sys.prefix)
    overrides = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(overrides.read_text()) if overrides.is_file() else {}
    current.update(LAB_OVERRIDES)
    overrides.write_text(json.dumps(current, indent=2) + "\n")
    config = prefix / "etc" / "jupyter" / "nbgrader_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(STUDENT_NBGRADER_CONFIG)
    return overrides, config


if __name__ == "__main__":
    for path in install_lab_settings():
        print(path)
