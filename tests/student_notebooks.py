"""Student notebooks as a student has them: the committed copy with answers written in.

Shared by the tests that run what a student runs (Validate, the check and graded cells in
a kernel): the student copy from assignments/, its `# GRADED FUNCTION` cells filled with the
instructor's solutions or with other code (catalog entries), cut short where a test needs
no more, and run in a fresh kernel on private sockets.
"""

import os
from pathlib import Path

import nbformat

from judge_catalog import harness
from judge_catalog.catalog import BY_NAME

REPO = Path(__file__).resolve().parent.parent


def student_copy(stem):
    return nbformat.read(REPO / "assignments" / "resnet" / f"{stem}.ipynb", as_version=4)


def solutions(stem):
    """{function name: answer cell source} of the instructor's source notebook."""
    from resnet_course.autograder.authoring.sources import is_graded_function, read_source

    return {cell.source.lstrip().split("\n", 1)[0].split(":", 1)[1].strip(): cell.source
            for cell in read_source(stem).cells if is_graded_function(cell)}


def filled(stem, answers=None, entries=()):
    """The student copy with every answer cell solved, except those `answers` or catalog `entries` replace."""
    chosen = dict(solutions(stem))
    chosen.update({BY_NAME[name].function: BY_NAME[name].source for name in entries})
    chosen.update(answers or {})
    return harness.fill(student_copy(stem), chosen)


def up_to(nb, last_grade_id):
    """The notebook cut after the graded cell `last_grade_id` (what follows is not needed)."""
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == last_grade_id:
            break
    nb.cells = cells
    return nb


def graded_cells(nb, prefix=""):
    return [c for c in nb.cells if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")
            and c.metadata.nbgrader.get("grade_id", "").startswith(prefix)]


def execute(nb, folder, allow_errors=True, **env):
    """Run the notebook in a fresh kernel (private sockets) with these environment variables."""
    from nbclient import NotebookClient

    from resnet_course.autograder.judge.private_kernel import PrivateSocketKernelManager

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                       kernel_manager_class=PrivateSocketKernelManager,
                       resources={"metadata": {"path": str(folder)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return nb


def outputs_text(cell):
    """Everything a cell showed as text: streams, and errors' names, values and tracebacks."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts += [out.get("ename", ""), out.get("evalue", ""), "\n".join(out.get("traceback", []))]
    return "\n".join(parts)
