"""A tiny course for the grading tests, and the submissions (kind and hostile) made from it.

Assignment `tiny` has two notebooks: `01_basics` (add: 2 points, square: 3 points) and
`02_numbers` (mean: 5 points, through numpy). No TensorFlow: the grading machinery is what
is under test here; the real `resnet` assignment has its own end-to-end class run.
"""

import json
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ASSIGNMENT = "tiny"
HIDDEN_MARKER = "HIDDEN-MARKER-7f3a"

CONFIG = '''
c = get_config()
c.CourseDirectory.course_id = "tiny-course"
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.Execute.timeout = {timeout}
c.Execute.startup_timeout = 120
c.Execute.interrupt_on_timeout = True
c.IgnorePattern.enabled = True
c.OverwriteCells.add_missing_cells = True
'''


def _answer(name, body, solution):
    source = f"# GRADED FUNCTION: {name}\n{body}\n    ### BEGIN SOLUTION\n{solution}\n    ### END SOLUTION"
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": name,
        "schema_version": 3, "task": False}})


def _test(grade_id, points, visible, hidden):
    source = (f'"""Checks {grade_id}."""\n{visible}\n### BEGIN HIDDEN TESTS\n'
              f'{hidden}  # {HIDDEN_MARKER}\n### END HIDDEN TESTS')
    return new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": points, "grade_id": grade_id,
        "schema_version": 3, "task": False}})


def _notebook(cells):
    nb = new_notebook(cells=cells)
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def source_notebooks():
    basics = _notebook([
        new_markdown_cell("# Basics"),
        new_code_cell("import math", metadata={"tags": ["imports"]}),
        _answer("add", "def add(a, b):", "    return a + b"),
        _test("add_values", 2, "assert add(1, 2) == 3", "assert add(10, -3) == 7"),
        _answer("square", "def square(x):", "    return x * x"),
        _test("square_values", 3, "assert square(3) == 9", "assert square(-4) == 16"),
    ])
    numbers = _notebook([
        new_markdown_cell("# Numbers"),
        new_code_cell("import numpy as np", metadata={"tags": ["imports"]}),
        _answer("mean", "def mean(xs):", "    return float(np.mean(xs))"),
        _test("mean_values", 5, "assert mean([1, 2, 3]) == 2.0",
              "assert abs(mean([0.5, 1.5]) - 1.0) < 1e-12"),
    ])
    return {"01_basics": basics, "02_numbers": numbers}


def make_course(folder, timeout=30):
    """Write the tiny course (config, sources) and its release, built by nbgrader.

    `timeout` is nbgrader's per-cell limit: 30 s by default, so a sound cell finishes inside it
    however busy the machine is (tests of endless loops give their own).
    """
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    from resnet_course.autograder.grading.command import _venv_on_path

    _venv_on_path()
    folder = Path(folder)
    (folder / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(CONFIG.format(timeout=timeout))
    for name, nb in source_notebooks().items():
        nbformat.write(nb, str(folder / "source" / ASSIGNMENT / f"{name}.ipynb"))
    config = PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()
    config.CourseDirectory.root = str(folder)
    config.CourseDirectory.db_url = f"sqlite:///{folder / 'build.db'}"
    config.GenerateAssignment.create_assignment = True
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    outcome = api.generate_assignment(ASSIGNMENT, force=True)
    assert outcome["success"], outcome
    (folder / "build.db").unlink()
    return folder


def release(course, name):
    return nbformat.read(str(Path(course) / "release" / ASSIGNMENT / f"{name}.ipynb"), as_version=4)


def fill(nb, answers):
    """Replace the stub of each named answer cell with the given code (the body after `def`)."""
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell.metadata.nbgrader.get("solution"):
            header = cell.source.split("\n")[:2]  # "# GRADED FUNCTION: x", "def x(...):"
            cell.source = "\n".join(header) + "\n" + answers[grade_id]
    return nb


SOLUTIONS = {"add": "    return a + b", "square": "    return x * x", "mean": "    return float(np.mean(xs))"}


def write_submission(root, student, notebooks):
    """Write `root/<student>/tiny/<name>.ipynb` for each (name: notebook or raw bytes)."""
    folder = Path(root) / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in notebooks.items():
        path = folder / (name if name.endswith(".ipynb") else f"{name}.ipynb")
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            nbformat.write(content, str(path))
    return folder


def solved(course, overrides=None, extra_cells=None):
    """Both notebooks with the solutions (and `overrides` of single answers)."""
    answers = dict(SOLUTIONS, **(overrides or {}))
    basics = fill(release(course, "01_basics"), answers)
    numbers = fill(release(course, "02_numbers"), answers)
    for position, code in (extra_cells or []):
        basics.cells.insert(position, new_code_cell(code))
    return {"01_basics": basics, "02_numbers": numbers}


def copy_course(source, target):
    shutil.copytree(source, target, symlinks=True)
    return Path(target)


def read_json(path):
    return json.loads(Path(path).read_text())


def processes_left(uids, seconds=10):
    """Pids still running as any of `uids` after waiting up to `seconds` for them to go.

    A killed sandboxed kernel is gone only once it has been reaped, which can take a moment
    after its worker or the grading process has exited.
    """
    import time

    from resnet_course.autograder.grading.limits import processes_of_uid

    deadline = time.monotonic() + seconds
    while True:
        left = [pid for uid in uids for pid in processes_of_uid(uid)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.2)


def copy_built_course(built_course, folder, parts=("source", "release", "notebooks")):
    """A copy of the session's built course (tests/conftest.py `built_course`) for one grading run:
    grading writes its gradebook and .grading/ into the copy, never into the shared build."""
    folder = Path(folder)
    folder.mkdir(parents=True)
    for name in parts:
        shutil.copytree(Path(built_course) / name, folder / name)
    shutil.copy(Path(built_course) / "nbgrader_config.py", folder / "nbgrader_config.py")
    return folder
