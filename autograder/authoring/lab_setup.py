"""A student's JupyterLab: the settings it needs, the instructor tools it hides, and its start.

`resnet-course lab [FOLDER]` (what `make lab` runs on assignments/, and what the bundle's
README tells a student at home to run) writes these settings into the Python environment's
own folders, so the user's own configuration is left alone, then starts JupyterLab:

- share/jupyter/lab/settings/overrides.json: no "receive official Jupyter news?" question
  and no update check on first start (the course runs offline).
- etc/jupyter/nbgrader_config.py: the Validate button runs the notebooks inside the
  server with nbgrader's defaults (30 s per cell, 4 s wait for output), which a training
  cell on a slow laptop exceeds; these limits match the course's own grading config.
- etc/resnet-course/student-jupyter/: a Jupyter configuration folder that hides nbgrader's
  instructor tools from students: the Formgrader, Create Assignment, course list and
  assignment list (the last two need an exchange, which a student at home has not: they
  would only show an error), and the Nbgrader menu that holds them. The Validate button
  stays. JupyterLab 4 reads disabled extensions from `labconfig/page_config.json` and the
  server extensions from `jupyter_server_config.d/`; the folder is put first on
  JUPYTER_CONFIG_PATH for this server only, so an instructor's own `jupyter lab` in the same
  environment keeps the Formgrader.

`python -m resnet_course.autograder.authoring.lab_setup` writes the settings without
starting anything; `--student` also writes the student folder's contents into
etc/jupyter itself, for an environment that is a student's only (then a plain `jupyter lab`
hides the tools too).

The server's address is printed in both languages once it is up: when no browser opens
(a remote machine, WSL, a container), the student copies it from there.
"""

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from resnet_course.utils.messages import label, register, text

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

# nbgrader 0.9's JupyterLab plugins a student must not see (validate-assignment stays).
INSTRUCTOR_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu",
)
STUDENT_SERVER_EXTENSIONS = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
STUDENT_SERVER_CONFIG = "resnet-course-student.json"
# "http://127.0.0.1:8888/lab?token=…" as jupyter_server prints it when it is ready.
_SERVER_URL = re.compile(r"(https?://[^\s/]+:\d+/lab\S*)")

register({
    "lab.help": {
        "ko": "학생용 JupyterLab을 엽니다(강사용 도구는 숨기고, Validate는 남깁니다)",
        "en": "open JupyterLab as a student has it (instructor tools hidden, Validate kept)",
    },
    "lab.help_folder": {
        "ko": "노트북이 있는 폴더 (기본값: 지금 폴더)",
        "en": "the folder holding the notebooks (default: the current folder)",
    },
    "lab.ready": {
        "ko": "JupyterLab이 준비되었습니다. 브라우저가 저절로 열리지 않으면 아래 주소를 복사해 브라우저 주소 창에 붙여 넣으세요.",
        "en": "JupyterLab is ready. If no browser opens by itself, copy the address below into your browser's address bar.",
    },
    "lab.stop": {
        "ko": "끝내려면 이 창에서 Ctrl+C를 두 번 누르세요",
        "en": "to stop, press Ctrl+C twice in this window",
    },
    "lab.no_folder": {
        "ko": "노트북 폴더가 없습니다: {folder}",
        "en": "The notebook folder does not exist: {folder}",
    },
})


def _write_json(path, update):
    """Merge `update` into the JSON object at `path` (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = json.loads(path.read_text()) if path.is_file() else {}
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(current.get(key), dict):
            current[key] = {**current[key], **value}
        else:
            current[key] = value
    path.write_text(json.dumps(current, indent=2) + "\n")
    return path


def install_lab_settings(prefix=None):
    """Write the overrides and the Validate limits under `prefix` (default: this environment)."""
    prefix = Path(prefix or sys.prefix)
    overrides = _write_json(prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json", LAB_OVERRIDES)
    config = prefix / "etc" / "jupyter" / "nbgrader_config.py"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(STUDENT_NBGRADER_CONFIG)
    return overrides, config


def student_config_dir(prefix=None):
    return Path(prefix or sys.prefix) / "etc" / "resnet-course" / "student-jupyter"


def install_student_config(config_dir):
    """A Jupyter config folder hiding the instructor tools: (page_config.json, server config)."""
    config_dir = Path(config_dir)
    pages = _write_json(config_dir / "labconfig" / "page_config.json",
                        {"disabledExtensions": {plugin: True for plugin in INSTRUCTOR_LAB_PLUGINS}})
    server = _write_json(config_dir / "jupyter_server_config.d" / STUDENT_SERVER_CONFIG,
                         {"ServerApp": {"jpserver_extensions": STUDENT_SERVER_EXTENSIONS}})
    return pages, server


def prepare(prefix=None, whole_environment=False):
    """Every file above, in this environment; the paths written."""
    written = list(install_lab_settings(prefix)) + list(install_student_config(student_config_dir(prefix)))
    if whole_environment:
        written += install_student_config(Path(prefix or sys.prefix) / "etc" / "jupyter")
    return written


def student_environment(base=None, prefix=None):
    """`base` (default: os.environ) with the student config folder first on JUPYTER_CONFIG_PATH."""
    env = dict(os.environ if base is None else base)
    paths = [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(student_config_dir(prefix))] + paths)
    return env


def ready_banner(url):
    """What a student reads when the server is up: the address, in both languages, set apart."""
    rule = "=" * 78
    return "\n".join(["", rule, text("lab.ready", in_language="ko"), text("lab.ready", in_language="en"), "",
                      f"    {url}", "", label("lab.stop") + ".", rule, ""])


def _relay(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_lab(folder=".", jupyter_args=(), quiet_seconds=1.0):
    """Start JupyterLab on `folder` as a student has it; print its address clearly; its exit code.

    The banner waits until the server has said what it says at start (the address, the
    "copy and paste one of these URLs" block, the language servers it skipped) and has been
    quiet for a moment, so it is the last thing on the screen, not lost above the log.
    """
    folder = Path(folder)
    if not folder.is_dir():
        print(text("lab.no_folder", folder=folder), file=sys.stderr)
        return 1
    prepare()
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    command = [jupyter, "lab", f"--notebook-dir={folder}", *jupyter_args]
    process = subprocess.Popen(command, env=student_environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
    lines = queue.Queue()
    threading.Thread(target=_relay, args=(process.stdout, lines), daemon=True).start()
    url, announced = None, False
    while True:
        try:
            line = lines.get(timeout=quiet_seconds)
        except queue.Empty:
            if url and not announced:
                announced = True
                sys.stdout.write(ready_banner(url))
                sys.stdout.flush()
            continue
        except KeyboardInterrupt:  # JupyterLab asks for its second Ctrl+C itself: keep relaying
            continue
        if line is None:
            return process.wait()
        sys.stdout.write(line)
        sys.stdout.flush()
        match = _SERVER_URL.search(line)
        if match and not announced:
            url = match.group(1)


def _run(args):
    return run_lab(args.folder, args.jupyter_args)


def register_command(subparsers):
    parser = subparsers.add_parser("lab", help=label("lab.help"), description=label("lab.help"))
    parser.add_argument("folder", nargs="?", default=".", help=label("lab.help_folder"))
    parser.add_argument("jupyter_args", nargs=argparse.REMAINDER, help="jupyter lab ...")
    parser.set_defaults(func=_run)
    return parser


if __name__ == "__main__":
    options = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    options.add_argument("--student", action="store_true",
                         help="hide the instructor tools in this whole environment (a student's own)")
    for path in prepare(whole_environment=options.parse_args().student):
        print(path)
