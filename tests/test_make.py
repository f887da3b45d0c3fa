"""The two-command start: `make` bootstraps once, and `make lab` serves assignments/."""

import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import REPO, run_env


def test_bootstrap_is_up_to_date_after_install():
    """`make -q` exits 0 only when nothing would be rebuilt: the second run reinstalls nothing."""
    result = subprocess.run(["make", "-q", "bootstrap"], cwd=REPO, capture_output=True, timeout=60)
    assert result.returncode == 0, "make bootstrap would reinstall although pyproject.toml is unchanged"


def test_bootstrap_reinstalls_when_pyproject_is_newer(tmp_path):
    """Dry run with pyproject.toml treated as changed: make plans the pip install again."""
    result = subprocess.run(["make", "-n", "-W", "pyproject.toml", "bootstrap"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert "pip install" in result.stdout


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_make_lab_serves_the_assignments_as_a_student_has_them(tmp_path):
    """`make lab`: assignments/ served, the address printed in both languages, no instructor tools."""
    port, token = _free_port(), "resnet-course-test"
    env = run_env(HOME=str(tmp_path), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter"),
                  JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    lab_args = f"--no-browser --ip=127.0.0.1 --ServerApp.token={token}"
    log = tmp_path / "make-lab.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(["make", "lab", f"PORT={port}", f"LAB_ARGS={lab_args}"], cwd=REPO, env=env,
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        listing = None
        deadline = time.time() + 120
        while time.time() < deadline and listing is None:
            try:
                with urllib.request.urlopen(f"{base}/api/contents/resnet?token={token}", timeout=5) as answer:
                    listing = json.load(answer)
            except OSError:
                assert server.poll() is None, "make lab exited:\n" + log.read_text(errors="replace")[-3000:]
                time.sleep(1)
        assert listing is not None, "JupyterLab did not answer within 120 s"
        names = {item["name"] for item in listing["content"]}
        assert {"01_vanishing_gradients.ipynb", "02_residual_networks.ipynb"} <= names
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as page:
            html = page.read().decode()
        assert "JupyterLab" in html
        # the page tells JupyterLab which plugins are off: the instructor tools, not Validate
        disabled = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                        html, re.S).group(1))["disabledExtensions"]
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                "@jupyter/nbgrader:course-list"} <= set(disabled)
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        for path, expected in (("/formgrader", 404), ("/assignments/validate", 405)):  # validate wants a POST
            try:
                urllib.request.urlopen(f"{base}{path}?token={token}", timeout=10)
                status = 200
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == expected, (path, status)
        # the address, set apart in both languages, for when no browser opens
        deadline = time.time() + 30
        while time.time() < deadline and "copy the address below" not in log.read_text(errors="replace"):
            time.sleep(0.5)
        printed = log.read_text(errors="replace")
        assert "브라우저가 저절로 열리지 않으면 아래 주소를 복사해" in printed
        assert "If no browser opens by itself, copy the address below" in printed
        assert re.search(rf"copy the address below.*\n\n    http://127\.0\.0\.1:{port}/lab\?token=", printed), printed[-2000:]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def test_lab_settings_silence_news_and_raise_validate_limits(tmp_path):
    import json

    from resnet_course.autograder.authoring.lab_setup import install_lab_settings

    settings = tmp_path / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True)
    (settings / "overrides.json").write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}))
    overrides, config = install_lab_settings(tmp_path)
    written = json.loads(overrides.read_text())
    assert written["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    assert written["@jupyterlab/apputils-extension:themes"]["theme"] == "JupyterLab Dark"  # kept
    loaded = {}
    exec(config.read_text(), {"get_config": lambda: _Config(loaded)})
    assert loaded["Execute.timeout"] >= 300 and loaded["Execute.iopub_timeout"] >= 30


class _Config:
    """Just enough of traitlets' config object to read `c.Section.option = value` lines."""

    def __init__(self, store):
        object.__setattr__(self, "_store", store)

    def __getattr__(self, section):
        store = self._store

        class _Section:
            def __setattr__(self, option, value):
                store[f"{section}.{option}"] = value

        return _Section()


def _checkout_copy(tmp_path):
    """The tracked files in a scratch folder, mtimes kept, sharing this checkout's .venv.

    make must see the copy's bootstrap as done (`make -q bootstrap`): a reinstall there would
    point the shared editable install at the copy, so the test stops before one could happen.
    """
    import shutil

    copy = tmp_path / "checkout"
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target)
    (copy / ".venv").symlink_to(REPO / ".venv")
    done = subprocess.run(["make", "-q", "bootstrap"], cwd=copy, capture_output=True, timeout=60)
    assert done.returncode == 0, "the copy's bootstrap is not up to date: refusing to run make there"
    return copy


def test_make_lab_builds_the_student_notebooks_when_they_are_missing(tmp_path):
    """`make lab` runs `make notebooks` first: in a checkout without assignments/, the build makes them."""
    copy = _checkout_copy(tmp_path)
    notebooks = sorted((copy / "assignments" / "resnet").glob("*.ipynb"))
    assert len(notebooks) == 2
    committed = {path.name: path.read_bytes() for path in notebooks}
    for path in notebooks:
        path.unlink()
    done = subprocess.run(["make", "notebooks"], cwd=copy, capture_output=True, text=True, timeout=600,
                          env=run_env())
    assert done.returncode == 0, done.stdout + done.stderr
    rebuilt = {path.name: path.read_bytes() for path in (copy / "assignments" / "resnet").glob("*.ipynb")}
    assert rebuilt == committed  # what a build of the sources gives, byte for byte
    again = subprocess.run(["make", "notebooks"], cwd=copy, capture_output=True, text=True, timeout=120,
                           env=run_env())
    assert "resnet-course build" not in again.stdout  # present notebooks are not rebuilt
    # `make lab` goes through the same step before it starts the server.
    planned = subprocess.run(["make", "-n", "lab"], cwd=copy, capture_output=True, text=True, timeout=60).stdout
    assert planned.index("resnet-course build") < planned.index("resnet-course lab"), planned


def test_the_system_package_step_names_what_is_missing_and_the_command(tmp_path):
    """Without root or sudo, a missing package stops `make test` with the exact apt command."""
    import shutil
    import tempfile

    tools = Path(tempfile.mkdtemp(prefix="resnet-tools-"))  # readable by the unprivileged user
    os.chmod(tools, 0o755)

    for tool in ("bash", "ls", "grep", "id", "fc-list", "bwrap", "setpriv", "cat", "env"):
        found = shutil.which(tool)
        assert found, tool
        (tools / tool).symlink_to(found)
    # chromium and sudo are not on this PATH; the script runs as an unprivileged user.
    command = [str(REPO / ".ci" / "ensure-system-packages")]
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={"PATH": str(tools), "HOME": str(tools)})
    assert done.returncode == 1, done.stdout + done.stderr
    assert "chromium" in done.stderr and "The tests need system packages that are missing" in done.stderr
    assert "테스트에 필요한 시스템 패키지가 없습니다" in done.stderr
    assert "apt-get install -y -q --no-install-recommends chromium" in done.stderr
    # With everything present it says nothing and installs nothing.
    present = subprocess.run([str(REPO / ".ci" / "ensure-system-packages")], capture_output=True, text=True,
                             timeout=60)
    shutil.rmtree(tools)
    assert present.returncode == 0 and present.stdout == "" and present.stderr == "", present
