"""Driving the student flow in a real browser: a headless JupyterLab and Debian's Chromium.

`JupyterLab` starts the server the way `make lab` does (`jupyter lab --notebook-dir=...`),
on a free loopback port with a token, with a throw-away HOME and Jupyter folders so the
developer's own settings neither leak in nor get touched, and with the first-run pop-ups
off. `LabPage` is what a student does with the mouse: open a notebook, Run All, move a
slider, click Validate. Every wait is on a condition, never a fixed sleep, and every wait
also watches for the two things that must fail a run at once: an error dialog and a dead
kernel. Each step leaves a screenshot under test-artifacts/browser/.
"""

import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 1000}

# User settings a first-time student would otherwise be asked about. JupyterLab 4 asks
# "Would you like to get notified about official Jupyter news?" in a toast on first start.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
}

# What the server writes to its log when a kernel dies (jupyter_client's restarter).
KERNEL_DEATH = re.compile(r"restarting kernel|[Kk]ernel died|KernelRestarter", re.I)


class BrowserTestFailure(AssertionError):
    """The student flow broke: an error dialog, a dead kernel, or a step that never finished."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLab:
    """A JupyterLab server for one test, in its own folders. Use as a context manager."""

    def __init__(self, workdir, notebook_dir, startup_timeout=120):
        self.workdir = Path(workdir)
        self.notebook_dir = Path(notebook_dir)
        self.startup_timeout = startup_timeout
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = self.workdir / "jupyterlab.log"
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def environment(self):
        home = self.workdir / "home"
        jupyter = home / ".jupyter"
        folders = {
            "HOME": home,
            "JUPYTER_CONFIG_DIR": jupyter,
            "JUPYTER_DATA_DIR": home / ".local" / "share" / "jupyter",
            "JUPYTER_RUNTIME_DIR": self.workdir / "runtime",
            "JUPYTERLAB_SETTINGS_DIR": jupyter / "lab" / "user-settings",
            "JUPYTERLAB_WORKSPACES_DIR": jupyter / "lab" / "workspaces",
            "IPYTHONDIR": home / ".ipython",
            "MPLCONFIGDIR": home / ".config" / "matplotlib",
            "XDG_CACHE_HOME": home / ".cache",
            "XDG_CONFIG_HOME": home / ".config",
            "XDG_DATA_HOME": home / ".local" / "share",
        }
        for folder in folders.values():
            folder.mkdir(parents=True, exist_ok=True)
        for name, values in LAB_SETTINGS.items():
            path = folders["JUPYTERLAB_SETTINGS_DIR"] / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        # The developer's shell must not change what the student sees (language, grading mode).
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("NBGRADER_", "RESNET_COURSE_", "JUPYTER", "IPYTHON", "JPY_"))}
        env.update({key: str(value) for key, value in folders.items()})
        env["RESNET_COURSE_QUICK"] = "1"  # training cells run their few-batch version
        return env

    def command(self):
        # `make lab` runs `resnet-course lab assignments`: JupyterLab with the students' own
        # configuration (the instructor tools hidden), and its address printed when it is up.
        course = Path(sys.executable).parent / "resnet-course"
        as_root = ["--allow-root"] if os.geteuid() == 0 else []  # CI containers run as root
        return [
            str(course), "lab", str(self.notebook_dir),  # as `make lab` does
            "--no-browser", "--ip=127.0.0.1", f"--port={self.port}", "--port-retries=0",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.news_url=None",  # no announcements feed, so nothing to ask about
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        ] + as_root

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            self.command(), cwd=self.workdir, env=self.environment(), stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrowserTestFailure(f"JupyterLab exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if self.api("/api/status").get("started"):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BrowserTestFailure(f"JupyterLab did not answer in {self.startup_timeout} s:\n{self.log_tail()}")

    def stop(self):
        """Stop the server and its kernels: our own process group only."""
        if self.process is None or self.process.poll() is not None:
            return
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait(timeout=10)
        try:  # kernels the server did not get to shut down
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def api(self, path, method="GET"):
        request = urllib.request.Request(self.url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read().decode()
        return json.loads(body) if body else None

    def shut_down_kernels(self):
        """Stop every running kernel (between tests: a finished test's kernels only cost memory)."""
        for kernel in self.api("/api/kernels"):
            self.api(f"/api/kernels/{kernel['id']}", method="DELETE")

    def log_text(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines=40):
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_size(self):
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def kernel_deaths(self, since=0):
        """Log lines reporting a dead kernel, from byte offset `since` on."""
        with open(self.log_path, "rb") as log:
            log.seek(since)
            text = log.read().decode("utf-8", errors="replace")
        return [line for line in text.splitlines() if KERNEL_DEATH.search(line)]


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def _image_digest(page, img):
    """A digest of the bytes an <img> shows: its data: URL, or what its blob:/http URL serves."""
    src = img.get_attribute("src") or ""
    if src.startswith("data:"):
        return hashlib.sha256(src.encode()).hexdigest()
    data = page.evaluate(
        """async (src) => { const r = await fetch(src); const b = new Uint8Array(await r.arrayBuffer());
             let s = ''; for (const x of b) s += String.fromCharCode(x); return btoa(s); }""", src)
    return hashlib.sha256(data.encode()).hexdigest()


class LabPage:
    """One browser tab on the server, used as a student would use it."""

    RUNNING_PROMPT = "[*]:"

    def __init__(self, page, server, screenshots=ARTIFACTS, prefix="", workspace="default"):
        self.page = page
        self.server = server
        self.workspace = workspace  # its own JupyterLab workspace: no tabs restored from another test
        self.screenshots = Path(screenshots)
        self.prefix = prefix
        self.step = 0
        self.expected_dialogs = set()  # titles a step is waiting for (e.g. "Validation Results")
        self.log_start = server.log_size()  # kernel deaths before this tab are not its business
        self.console_errors = []
        self.timings, self._clock = {}, time.monotonic()
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def lap(self, step):
        """Record the seconds since the last lap under `step`."""
        now = time.monotonic()
        self.timings[step], self._clock = round(now - self._clock, 1), now

    def close(self):
        """Close the tab, keeping what its console said beside the screenshots."""
        self.screenshots.mkdir(parents=True, exist_ok=True)
        (self.screenshots / f"{self.prefix}console.log").write_text("\n".join(self.console_errors), encoding="utf-8")
        self.page.close()

    # -- watching -------------------------------------------------------------------
    def screenshot(self, name):
        self.step += 1
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{self.prefix}{self.step:02d}_{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def dialogs(self):
        """(title, text) of every open JupyterLab dialog."""
        found = []
        for dialog in self.page.locator(".jp-Dialog").all():
            header = dialog.locator(".jp-Dialog-header")
            title = header.inner_text().strip() if header.count() else ""
            found.append((title, dialog.inner_text().strip()))
        return found

    def toasts(self, kind=None):
        """The text of JupyterLab's notifications (toasts); `kind` e.g. "error" or "warning"."""
        selector = f".Toastify__toast--{kind}" if kind else ".Toastify__toast"
        return self.page.locator(selector).all_inner_texts()

    def check_health(self):
        """Fail at once on an unexpected dialog (errors, 'Kernel Restarting') or a dead kernel."""
        for title, body in self.dialogs():
            if title not in self.expected_dialogs:
                self.screenshot("unexpected_dialog")
                raise BrowserTestFailure(f"unexpected dialog {title!r}:\n{body}")
        for toast in self.toasts(kind="error"):
            self.screenshot("error_notification")
            raise BrowserTestFailure(f"error notification:\n{toast}")
        deaths = self.server.kernel_deaths(since=self.log_start)
        if deaths:
            self.screenshot("kernel_died")
            raise BrowserTestFailure("a kernel died:\n" + "\n".join(deaths))
        status = self.kernel_status()
        if status in ("dead", "restarting", "autorestarting"):
            self.screenshot("kernel_died")
            raise BrowserTestFailure(f"the kernel is {status}")

    # The whole test's budget (set by `browser_tab` from the test's own timeout): every step's
    # wait ends by it, so a slow run fails here, named and with a screenshot, before pytest's
    # timeout would kill it without either.
    budget_deadline = None

    def wait_for(self, condition, timeout, what):
        """Poll `condition()` until it is true, checking the page's health at every poll."""
        deadline = time.monotonic() + timeout
        budget = self.budget_deadline is not None and self.budget_deadline < deadline
        deadline = min(deadline, self.budget_deadline) if budget else deadline
        while True:
            self.check_health()
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                self.screenshot("timeout")
                if budget:
                    raise BrowserTestFailure(f"the test's time budget ran out waiting for {what} "
                                             f"(the step alone may take {timeout} s)")
                raise BrowserTestFailure(f"timed out after {timeout} s waiting for {what}")
            self.page.wait_for_timeout(250)

    # -- notebooks ------------------------------------------------------------------
    @property
    def notebook(self):
        return self.page.locator(".jp-NotebookPanel:visible").last

    def kernel_status(self):
        """The notebook's kernel state as JupyterLab shows it (idle, busy, starting, dead…)."""
        indicator = self.page.locator(".jp-NotebookPanel:visible .jp-Notebook-ExecutionIndicator")
        if not indicator.count():
            return None
        return indicator.last.get_attribute("data-status")

    def open_notebook(self, path, timeout=120):
        """Open `path` in JupyterLab: the first time by its URL, later from the file browser.

        A student opens the second notebook by double-clicking it; that also spares a
        reload of the whole application.
        """
        name = path.rsplit("/", 1)[-1]
        if self.page.url.startswith(self.server.url + "/lab"):
            item = self.page.locator(".jp-DirListing-item", has=self.page.locator(
                ".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")))
            item.dblclick()
            current = self.page.locator(".lm-DockPanel .lm-TabBar-tab.lm-mod-current")
            self.wait_for(lambda: name in " ".join(current.all_inner_texts()), timeout, f"{path} to open")
        else:
            self.page.goto(f"{self.server.url}/lab/workspaces/{self.workspace}/tree/{path}?token={self.server.token}")
        self.wait_for(lambda: self.page.locator(".jp-NotebookPanel:visible .jp-Cell").count() > 0,
                      timeout, f"{path} to open")
        self.wait_for(self._settled_idle(), timeout, f"the kernel of {path} to be ready")
        self.page.locator(".jp-NotebookPanel:visible .jp-Notebook").last.click(position={"x": 5, "y": 5})

    def _settled_idle(self, seconds=1.5):
        """A condition: the kernel has looked idle for `seconds` in a row (it flickers while connecting)."""
        since = [None]

        def settled():
            if self.kernel_status() != "idle" or "Idle" not in self.status_bar():
                since[0] = None
                return False
            since[0] = since[0] or time.monotonic()
            return time.monotonic() - since[0] >= seconds
        return settled

    def status_bar(self):
        bar = self.page.locator(".jp-StatusBar-Widget")
        return bar.inner_text() if bar.count() else ""

    def menu(self, *labels):
        """Click through the main menu, e.g. menu("Run", "Run All Cells")."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(labels[0])}$")).click()
        for label in labels[1:]:
            item = self.page.locator(".lm-Menu-content .lm-Menu-itemLabel:visible",
                                     has_text=re.compile(f"^{re.escape(label)}$"))
            item.first.click()

    def menu_bar_labels(self):
        """The titles in JupyterLab's main menu bar (File, Edit, ...)."""
        return [label.strip() for label in self.page.locator("#jp-MainMenu .lm-MenuBar-itemLabel").all_inner_texts()]

    def prompts(self):
        # textContent, not innerText: cells scrolled out of view are not rendered
        # (content-visibility), and innerText of an unrendered element is empty.
        return [text.strip() for text in self.notebook.locator(".jp-CodeCell .jp-InputArea-prompt").all_text_contents()]

    def wait_until_executed(self, timeout):
        """Wait until no cell is queued or running and the kernel is idle again."""
        def finished():
            prompts = self.prompts()
            return self.RUNNING_PROMPT not in prompts and self.kernel_status() == "idle"

        self.page.wait_for_timeout(500)  # let the click reach the kernel before the first look
        self.wait_for(finished, timeout, "the cells to finish running")

    def run_all(self, timeout):
        self.menu("Run", "Run All Cells")
        self.wait_for(lambda: self.RUNNING_PROMPT in self.prompts() or self.kernel_status() == "busy",
                      30, "Run All Cells to start")
        self.wait_until_executed(timeout)

    def run_cell(self, cell, timeout):
        """Select `cell` (a locator) and run it with Ctrl+Enter, as a student does."""
        cell.locator(".jp-InputArea-prompt").click()
        self.page.keyboard.press("Escape")
        cell.locator(".jp-InputArea-prompt").click()
        self.page.keyboard.press("Control+Enter")  # run, stay on the cell
        self.wait_until_executed(timeout)

    def error_outputs(self):
        """The text of every traceback or stderr output in the notebook."""
        selector = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        return self.notebook.locator(selector).all_text_contents()

    def show_first_error(self):
        """Scroll the first traceback or stderr output into view and screenshot it."""
        selector = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        errors = self.notebook.locator(selector)
        if errors.count():
            errors.first.scroll_into_view_if_needed()
            self.screenshot("error_output")

    def unexecuted_cells(self):
        return [i for i, prompt in enumerate(self.prompts()) if not re.fullmatch(r"\[\d+\]:", prompt)]

    # -- widgets --------------------------------------------------------------------
    def widget_area(self, *needles):
        """The output area holding a widget whose labels mention every needle (any case)."""
        areas = self.notebook.locator(".jp-OutputArea", has=self.page.locator(".jupyter-widgets"))
        for area in areas.all():
            text = (area.text_content() or "").lower()  # the area may be out of view: not innerText
            if all(needle.lower() in text for needle in needles):
                return area
        raise BrowserTestFailure(f"no widget mentioning {needles!r} in the notebook")

    def labelled(self, area, kind, needle):
        """The ipywidgets control of `kind` (slider, checkbox, toggle-button, dropdown) labelled `needle`."""
        for control in area.locator(f".widget-{kind}").all():
            label = (control.text_content() or "") + " " + (control.get_attribute("title") or "")
            if needle.lower() in label.lower():
                return control
        raise BrowserTestFailure(f"no {kind} labelled {needle!r}")

    def bring_into_view(self, locator, timeout=30):
        """Scroll until `locator` sits inside the viewport and holds still.

        JupyterLab renders cells out of view lazily (content-visibility), so the page's
        height changes as cells come into view and one scroll is not always enough.
        """
        last = [None]

        def placed():
            locator.scroll_into_view_if_needed()
            box = locator.bounding_box()
            inside = box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]
            steady, last[0] = box == last[0], box
            return inside and steady

        self.wait_for(placed, timeout, "an element to scroll into view")

    def drag_slider(self, slider, fraction):
        """Drag a slider's handle to `fraction` (0…1) of its track with the mouse."""
        self.bring_into_view(slider)
        track = slider.locator(".noUi-target").bounding_box()
        handle = slider.locator(".noUi-handle").bounding_box()
        self.page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
        self.page.mouse.down()
        target = track["x"] + fraction * track["width"]
        self.page.mouse.move(target, handle["y"] + handle["height"] / 2, steps=12)
        self.page.mouse.up()

    def slider_value(self, slider):
        return slider.locator(".widget-readout").inner_text().strip()

    def settle(self, area, before, timeout):
        """Wait for the area to differ from `before` and then hold still; return its new state.

        A slider that updates continuously sends a burst of values while it is dragged and
        the kernel answers each in turn, so the first change seen need not be the last.
        Settled means: kernel idle, and the text and images unchanged for two looks in a row.
        """
        idle = self._settled_idle()
        last = [None]

        def settled():
            quiet = idle()
            state = self.plot_state(area)
            steady, last[0] = state == last[0], state
            changed = state["text"] != before["text"] and state["images"] != before["images"]
            return quiet and steady and changed and state

        return self.wait_for(settled, timeout, "the explorer's plot and ratio to change")

    def plot_state(self, area):
        """What the student sees change: the area's text and a digest of each plotted image."""
        images = area.locator("img").all()
        return {"text": area.inner_text(), "images": [_image_digest(self.page, img) for img in images]}

    # -- nbgrader ------------------------------------------------------------------
    def validate(self, timeout):
        """Click the notebook toolbar's Validate button; return (dialog class, dialog text)."""
        self.expected_dialogs.add("Validation Results")  # until close_dialog()
        self.notebook.locator(".validate-button").click()
        self.wait_for(lambda: any(t == "Validation Results" for t, _ in self.dialogs()),
                      timeout, "the validation result")
        message = self.page.locator(".jp-Dialog #validation-message")
        kinds = [c for c in (message.get_attribute("class") or "").split() if c.startswith("validation-")]
        # no class: "There was an error running the validate command" (e.g. a cell timed out)
        return (kinds or ["validation-error"])[0], self.page.locator(".jp-Dialog").inner_text()

    def close_dialog(self):
        self.page.locator(".jp-Dialog .jp-mod-accept").click()
        self.page.locator(".jp-Dialog").wait_for(state="detached", timeout=10_000)
        self.expected_dialogs.clear()


# -- the notebooks a student would have ------------------------------------------------
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def is_answer_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("solution") and not meta.get("grade")


def strip_solution_markers(source):
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKERS.match(line))


def complete_notebook(student_path, stem):
    """Fill a student copy's answer cells with the course's solutions, as a finished student would.

    Each answer cell (nbgrader `solution: true`) gets the source of the cell with the same
    grade id in `course/notebooks/<stem>.md`, minus the BEGIN/END SOLUTION lines; every
    other cell stays as the student received it. Returns the grade ids filled in.
    """
    import nbformat

    from resnet_course.autograder.authoring.sources import read_source

    solutions = {cell.metadata["nbgrader"]["grade_id"]: strip_solution_markers(cell.source)
                 for cell in read_source(stem).cells if is_answer_cell(cell)}
    notebook = nbformat.read(student_path, as_version=4)
    filled = []
    for cell in notebook.cells:
        if is_answer_cell(cell):
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            if grade_id not in solutions:
                raise BrowserTestFailure(f"{student_path}: no solution for answer cell {grade_id!r}")
            cell.source = solutions[grade_id]
            filled.append(grade_id)
    if not filled:
        raise BrowserTestFailure(f"{student_path} has no answer cells to fill in")
    nbformat.write(notebook, student_path)
    return filled


def first_cell_index(path, needle):
    """The position of the first cell whose source contains `needle` (as JupyterLab lists cells)."""
    import nbformat

    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if needle in cell.source:
            return index
    raise BrowserTestFailure(f"{path}: no cell contains {needle!r}")


FLOAT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def reported_ratios(text, words=("ratio", "비율")):
    """The numbers on the first line that mentions the ratio, after its first colon.

    The explorer's line reads "…비율 첫 층 ÷ 마지막 층: 현재 설정 3.1e-07, 비교용 네트워크 2.0e-01 /
    …ratio first ÷ last layer: current setting 3.1e-07, …", so the first number is the network of
    the current setting, the second its twin's.
    """
    for line in text.splitlines():
        if any(word in line.lower() for word in words) and ":" in line:
            numbers = FLOAT.findall(line.split(":", 1)[1])
            if numbers:
                return [float(number) for number in numbers]
    raise BrowserTestFailure(f"no ratio reported in:\n{text}")
