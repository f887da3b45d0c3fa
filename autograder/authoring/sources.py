"""Reading the course's notebook sources (`course/notebooks/*.md`) from trusted code.

The installed package holds no solutions; instructor-side tools (references for the
judge, benchmarks, tests) read them from the course folder at run time with these helpers.
"""

import os
from pathlib import Path

NOTEBOOKS = ("01_vanishing_gradients", "02_residual_networks")
ASSIGNMENT = "resnet"


def course_root(start=None):
    """The course folder: RESNET_COURSE_ROOT, else the `course/` folder of the checkout."""
    if os.environ.get("RESNET_COURSE_ROOT"):
        return Path(os.environ["RESNET_COURSE_ROOT"]).resolve()
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "notebooks").is_dir():
            return folder
        if (folder / "course" / "notebooks").is_dir():
            return folder / "course"
    # An editable install lives in the checkout: fall back to the folder beside this package.
    beside = Path(__file__).resolve().parent.parent / "course"
    if beside.is_dir():
        return beside
    raise FileNotFoundError("course/ folder not found; set RESNET_COURSE_ROOT")


def source_path(stem, root=None):
    return Path(root or course_root()) / "notebooks" / f"{stem}.md"


def read_source(stem, root=None):
    """The source notebook as an nbformat notebook (jupytext)."""
    import jupytext

    return jupytext.read(source_path(stem, root))


def is_graded_function(cell):
    return cell.cell_type == "code" and cell.source.lstrip().startswith("# GRADED FUNCTION:")


def is_import_cell(cell):
    return cell.cell_type == "code" and "imports" in cell.metadata.get("tags", [])


def graded_function_namespace(stem, root=None):
    """Run a source's import cells and its answer cells (solutions) and return the namespace.

    For trusted instructor-side code only: benchmarks and tests that need the reference
    implementation without running the whole notebook.
    """
    import resnet_course.utils  # noqa: F401  (quiet TensorFlow first)

    namespace = {"__name__": f"course_solutions_{stem}"}
    for cell in read_source(stem, root).cells:
        if is_import_cell(cell) or is_graded_function(cell):
            exec(compile(cell.source, f"<{stem}>", "exec"), namespace)
    return namespace


def notebook_function(stem, name, root=None):
    """A function that a source defines in any code cell (`def name(...)`), run with the names
    its import cells make (keras, np, ...), not the rest of the cell or notebook.

    For trusted instructor-side code only: benchmarks and tests that run the notebook's own
    procedure (a training helper that is not graded) rather than a copy of it.
    """
    import ast

    import resnet_course.utils  # noqa: F401  (quiet TensorFlow first)

    cells = read_source(stem, root).cells
    namespace = {"__name__": f"course_notebook_{stem}"}
    for cell in cells:
        if is_import_cell(cell):
            exec(compile(cell.source, f"<{stem} imports>", "exec"), namespace)
    for cell in cells:
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            defs = [node for node in ast.parse(cell.source).body
                    if isinstance(node, ast.FunctionDef) and node.name == name]
            exec(compile(ast.Module(body=defs, type_ignores=[]), f"<{stem}>", "exec"), namespace)
            return namespace[name]
    raise LookupError(f"{name} not found in {source_path(stem, root)}")
