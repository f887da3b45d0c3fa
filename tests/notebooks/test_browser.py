"""The student flow in a real browser (issue 9): JupyterLab, Chromium, both notebooks, Validate.

One JupyterLab server (started as `make lab` starts it, with the students' configuration:
no Formgrader or other instructor tools, #19; on a temporary copy of
assignments/) and one headless Chromium serve both tests. The first proves that the
harness notices a dying kernel (tests/fixtures/browser/dies.ipynb); the second is the
student's flow on the course's own notebooks.

Run alone with `.venv/bin/python -m pytest tests/test_browser.py`. Every step leaves a
screenshot in test-artifacts/browser/ (`harness_*.png`, `student_*.png`), next to each
test's `*timings.json` (seconds per step) and `*console.log`, and `jupyterlab.log`.
"""

import contextlib
import json
import time
import shutil

import pytest

from browser_helpers import (
    ARTIFACTS, REPO, VIEWPORT, BrowserTestFailure, JupyterLab, LabPage, complete_notebook,
    first_cell_index, launch_chromium, reported_ratios,
)

# The sum of the student flow's step timeouts is larger than this; the tab's budget (below)
# makes whichever step is running when it runs out fail with its own message and screenshot.
TIMEOUT = 900
pytestmark = [pytest.mark.slow, pytest.mark.timeout(TIMEOUT)]

FIXTURES = REPO / "tests" / "fixtures" / "browser"
ASSIGNMENTS = REPO / "assignments"  # the committed student copies
NOTEBOOK_1 = "resnet/01_vanishing_gradients.ipynb"
NOTEBOOK_2 = "resnet/02_residual_networks.ipynb"
NOT_ANSWERED = ("아직 답을 작성하지 않았습니다", "not answered yet")  # autograder/checks/common.py


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of assignments/ (plus the fixtures): nothing in the repository changes."""
    work = tmp_path_factory.mktemp("lab")
    notebooks = work / "assignments"
    shutil.copytree(ASSIGNMENTS, notebooks)
    shutil.copytree(FIXTURES, notebooks / "browser-fixtures", ignore=shutil.ignore_patterns("*.py"))
    server = JupyterLab(work, notebooks)
    with server:
        yield server
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(server.log_path, ARTIFACTS / "jupyterlab.log")


@pytest.fixture(scope="module")
def chromium():
    """Headless Debian Chromium; one browser context for both tests, so JupyterLab's files load once."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport=VIEWPORT)  # one HTTP cache: JupyterLab loads once
        yield context
        browser.close()


@contextlib.contextmanager
def browser_tab(chromium, lab, prefix):
    """A fresh tab in its own JupyterLab workspace, its old artifacts cleared; afterwards its
    kernels are shut down and the seconds each step took land in `<prefix>timings.json`."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{prefix}*"):
        old.unlink()
    page = chromium.new_page()
    page.set_default_timeout(30_000)
    tab = LabPage(page, lab, prefix=prefix, workspace=prefix.strip("_"))
    # Every wait ends inside this module's pytest timeout, with 60 s left for the clean-up.
    tab.budget_deadline = time.monotonic() + TIMEOUT - 60
    try:
        yield tab
    finally:
        (ARTIFACTS / f"{prefix}timings.json").write_text(json.dumps(tab.timings, indent=2), encoding="utf-8")
        tab.close()
        lab.shut_down_kernels()


def assert_clean_run(tab):
    """Every code cell ran, none raised or wrote to stderr, and the page threw nothing."""
    if tab.error_outputs():
        tab.show_first_error()
    assert tab.unexecuted_cells() == [], f"cells that did not run: {tab.unexecuted_cells()}"
    assert tab.error_outputs() == [], "errors or stderr in the notebook:\n" + "\n---\n".join(tab.error_outputs())
    page_errors = [e for e in tab.console_errors if "Uncaught" in e or "Error:" in e]
    assert not page_errors, "JavaScript errors in the page:\n" + "\n".join(page_errors)


def explore(tab, area, slider_label, toggle_label, timeout):
    """Drag the depth slider right, then switch skip connections on; return the three states."""
    start = tab.settle(area, {"text": None, "images": None}, timeout)
    slider = tab.labelled(area, "slider", slider_label)
    depth_before = tab.slider_value(slider)
    tab.drag_slider(slider, 0.9)
    deeper = tab.settle(area, start, timeout)
    assert int(tab.slider_value(slider)) > int(depth_before), "the depth slider did not move right"
    tab.screenshot("explorer_deeper")
    toggle = tab.labelled(area, "checkbox", toggle_label)
    toggle.locator("input").click()
    residual = tab.settle(area, deeper, timeout)
    assert toggle.locator("input").is_checked()
    tab.screenshot("explorer_residual")
    return start, deeper, residual


def test_a_dying_kernel_fails_the_run(lab, chromium):
    """The harness itself: a kernel that dies must stop a run at once, with a screenshot."""
    with browser_tab(chromium, lab, "harness_") as tab:
        tab.open_notebook("browser-fixtures/dies.ipynb")
        assert tab.toasts() == [], f"first-run notifications: {tab.toasts()}"
        tab.lap("open")
        with pytest.raises(BrowserTestFailure, match="(?i)died|restarting"):
            tab.run_all(timeout=60)
        tab.lap("kernel_death_noticed")
        # Whichever JupyterLab shows first, its "Kernel Restarting" dialog or the server's log
        # line, the run stops with a screenshot of that moment.
        shots = sorted(path.name for path in ARTIFACTS.glob("harness_01_*.png"))
        assert shots in (["harness_01_unexpected_dialog.png"], ["harness_01_kernel_died.png"]), shots


def run_first_check(tab, cell, timeout=120):
    """Run everything above a check cell (Run All Above Selected Cell), then the check itself."""
    cell.locator(".jp-InputArea-prompt").click()
    tab.menu("Run", "Run All Above Selected Cell")
    tab.wait_until_executed(timeout)
    tab.run_cell(cell, timeout)
    tab.bring_into_view(cell)
    assert tab.error_outputs() == [], "errors before the first check:\n" + "\n---\n".join(tab.error_outputs())
    return cell.locator(".jp-OutputArea").inner_text()


def test_student_flow(lab, chromium):
    """Finish notebook 1 and play with the explorer, meet notebook 2's first check, Validate."""
    for name in (NOTEBOOK_1, NOTEBOOK_2):
        if not (lab.notebook_dir / name).is_file():
            raise BrowserTestFailure(f"assignments/{name} is missing: the student copies come from "
                                     "`resnet-course build` (course/notebooks/*.md)")
    with browser_tab(chromium, lab, "student_") as tab:
        complete_notebook(lab.notebook_dir / NOTEBOOK_1, "01_vanishing_gradients")
        tab.lap("nb1_complete")

        # 1. the finished notebook 1, top to bottom
        tab.open_notebook(NOTEBOOK_1)
        assert tab.toasts() == [], f"first-run notifications: {tab.toasts()}"
        tab.screenshot("nb1_opened")
        # a student sees no instructor tools: no Nbgrader menu with its Formgrader; Validate stays
        menus = tab.menu_bar_labels()
        assert "File" in menus and "Run" in menus, menus
        assert not [m for m in menus if m in ("Nbgrader", "Formgrader")], menus
        assert tab.notebook.locator(".validate-button").count() == 1
        tab.lap("nb1_open")
        tab.run_all(timeout=150)
        assert_clean_run(tab)
        tab.lap("nb1_run_all")

        # 2. the gradient-decay explorer: deeper, then residual
        area = tab.widget_area("depth", "skip connections")
        tab.bring_into_view(area)
        tab.screenshot("explorer")
        start, deeper, residual = explore(tab, area, "depth", "skip connections", timeout=60)
        (chosen_50, twin_50), (chosen_deep, twin_deep), (chosen_res, twin_res) = (
            reported_ratios(state["text"])[:2] for state in (start, deeper, residual))
        # a deeper plain sigmoid network loses more of its gradient on the way to the first layer
        assert chosen_deep < chosen_50, (chosen_50, chosen_deep)
        # switching skip connections on makes the chosen network the residual one: the solid and
        # the dashed line trade places, and the shortcut carries the gradient back
        assert (chosen_res, twin_res) == (twin_deep, chosen_deep), (chosen_deep, twin_deep, chosen_res, twin_res)
        assert chosen_res > chosen_deep
        tab.lap("explorer")

        # 3. Validate, as a student does before submitting
        kind, text = tab.validate(timeout=180)
        tab.screenshot("nb1_validated")
        assert kind == "validation-success", text
        tab.close_dialog()
        tab.lap("nb1_validate")

        # 4. the untouched notebook 2: its first check says "not answered yet" in both languages
        path = lab.notebook_dir / NOTEBOOK_2
        tab.open_notebook(NOTEBOOK_2)
        check = tab.notebook.locator(".jp-Cell").nth(first_cell_index(path, "public_check("))
        output = run_first_check(tab, check)
        tab.screenshot("nb2_not_answered")
        for words in NOT_ANSWERED:
            assert words in output, output
        assert "Traceback" not in output
        tab.lap("nb2_first_check")
        # minutes in, still no first-run question (news, updates) waiting in a notification
        assert tab.toasts() == [], f"notifications: {tab.toasts()}"
