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
