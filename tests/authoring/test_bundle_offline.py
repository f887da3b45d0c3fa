"""`resnet-course bundle --wheels`: the bundle installs and runs with no network at all.

The bundle is made through the command line with its wheelhouse (pip download, with this
machine's pip set-up and cache: a wheel already fetched is not fetched again). Then, as a
student in a lab with no internet would: a fresh virtual environment, the README's own
install line, and notebook 1 (its answers filled in) run top to bottom in quick mode.

Nothing may reach the network: pip gets no index (`--no-index`, no config file), every
proxy variable points at a closed local port, and where bubblewrap can make one, install
and run happen in a network namespace of their own (loopback only).
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

from judge_catalog import harness
from resnet_course.autograder import cli
from student_notebooks import solutions

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

STEM = "01_vanishing_gradients"
NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing listens there

RUN_NOTEBOOK = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[2]}}).execute()
nbformat.write(nb, sys.argv[1])
"""


def _no_network():
    """A command prefix that runs in a network namespace with loopback only, or [] where none can be made."""
    bwrap = shutil.which("bwrap")
    if bwrap:
        prefix = [bwrap, "--dev-bind", "/", "/", "--unshare-net", "--die-with-parent"]
        if subprocess.run(prefix + ["true"], capture_output=True).returncode == 0:
            return prefix
    return []


def _offline_env(venv, home):
    env = {"PATH": f"{venv / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_NO_CACHE_DIR": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "RESNET_COURSE_QUICK": "1", "MPLBACKEND": "Agg",
           "XDG_CACHE_HOME": str(home / ".cache"), "JUPYTER_PLATFORM_DIRS": "1"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        env[name] = NOWHERE
    return env


def test_a_bundle_with_wheels_installs_and_runs_a_notebook_offline(tmp_path):
    timings = {}
    start = time.monotonic()
    zip_path = tmp_path / "offline.zip"
    assert cli.main(["bundle", "--lang", "en", "--wheels", "--out", str(zip_path)]) == 0
    timings["bundle_s"] = round(time.monotonic() - start, 1)
    timings["bundle_mb"] = round(zip_path.stat().st_size / 2**20)
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "unpacked")
    top = tmp_path / "unpacked" / "resnet-course"
    wheels = [n for n in names if n.startswith("resnet-course/wheels/")]
    assert any("/tensorflow" in n for n in wheels) and any("/nbgrader-" in n for n in wheels)
    assert not any("/resnet_course-" in n for n in wheels)  # the package wheel sits at the top, as the README says

    readme = (top / "README.md").read_text(encoding="utf-8")
    install = [line for line in readme.splitlines() if line.startswith("pip install")]
    assert install == [f"pip install --no-index --find-links wheels {next(top.glob('resnet_course-*.whl')).name}"]
    assert "with no internet" in " ".join(readme.split()) and "Validate" in readme

    venv, home = tmp_path / "student-venv", tmp_path / "home"
    home.mkdir()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env, jail = _offline_env(venv, home), _no_network()
    start = time.monotonic()
    done = subprocess.run(jail + shlex.split(install[0]), cwd=top, env=env, capture_output=True, text=True,
                          timeout=1200)
    timings["install_s"] = round(time.monotonic() - start, 1)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (venv / "bin" / "resnet-course").exists()

    notebook = tmp_path / "work" / f"{STEM}.ipynb"
    notebook.parent.mkdir()
    nbformat.write(harness.fill(nbformat.read(top / "resnet" / f"{STEM}.ipynb", as_version=4), solutions(STEM)),
                   notebook)
    start = time.monotonic()
    done = subprocess.run(jail + [str(venv / "bin" / "python"), "-c", RUN_NOTEBOOK, str(notebook),
                                  str(notebook.parent)], cwd=notebook.parent, env=env, capture_output=True,
                          text=True, timeout=900)
    timings["notebook_s"] = round(time.monotonic() - start, 1)
    assert done.returncode == 0, done.stderr[-3000:]
    ran = nbformat.read(notebook, as_version=4)
    code = [c for c in ran.cells if c.cell_type == "code"]
    errors = [(c.source[:60], o.get("evalue", o.get("text", ""))[:300]) for c in code for o in c.outputs
              if o.output_type == "error" or o.get("name") == "stderr"]
    assert errors == []
    assert all(c.get("execution_count") for c in code)
    printed = "\n".join(o.get("text", "") for c in code for o in c.outputs)
    assert printed.count("all public tests passed") == 3
    print("offline bundle:", json.dumps({**timings, "network_namespace": bool(jail)}))
