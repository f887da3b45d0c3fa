"""Grading submissions through the real pipeline: a temporary course, real `nbgrader autograde`.

Used by the judge's tests: a course folder with the course's own nbgrader_config.py, the
source notebooks, the gradebook made by `nbgrader generate_assignment`, and submissions
made from a student copy with some answer cells replaced.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURES = REPO / "tests" / "fixtures" / "judge"


def run_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # nbgrader calls `alembic` by name
    env.update({k: str(v) for k, v in extra.items()})
    return env


def make_course(folder, assignment, source_notebooks, references=None):
    """A course folder holding the course's config and `source/<assignment>/<notebooks>`."""
    folder = Path(folder)
    (folder / "source" / assignment).mkdir(parents=True)
    shutil.copy(REPO / "course" / "nbgrader_config.py", folder / "nbgrader_config.py")
    for path in source_notebooks:
        shutil.copy(path, folder / "source" / assignment / Path(path).name)
    return folder


def nbgrader(course, *args, env=None, timeout=1800):
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env or run_env(),
                          capture_output=True, text=True, timeout=timeout)
    return done


def generate(course, assignment, env=None):
    done = nbgrader(course, "generate_assignment", assignment, "--force", env=env)
    assert done.returncode == 0, done.stderr[-4000:]


def fill(notebook, answers):
    """A copy of `notebook` whose `# GRADED FUNCTION: <name>` cells hold `answers[name]`.

    A key "+after:<name>" inserts an extra code cell after that answer cell (a cheat's
    extra line, for example); a key "+cell:<index>" replaces the whole cell at an index.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(notebook)))
    extra = {k.split(":", 1)[1]: v for k, v in answers.items() if k.startswith("+after:")}
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "code" else ""
        if first.startswith("# GRADED FUNCTION:"):
            name = first.split(":", 1)[1].strip()
            if name in answers:
                body = answers[name].strip("\n")
                if not body.lstrip().startswith("# GRADED FUNCTION:"):
                    body = f"# GRADED FUNCTION: {name}\n{body}"
                cell.source = body
            if name in extra:
                cells.append(nbformat.v4.new_code_cell(extra[name]))
    nb.cells = cells
    nbformat.validator.normalize(nb)
    return nb


def submit(course, student, assignment, notebooks):
    """Write submissions: {notebook stem: notebook node}."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for stem, nb in notebooks.items():
        nbformat.write(nb, folder / f"{stem}.ipynb")


def autograde(course, assignment, env=None, student=None):
    args = ["autograde", assignment, "--force"]
    if student:
        args += ["--student", student]
    return nbgrader(course, *args, env=env)


def results(course, assignment):
    """{student: {notebook: {grade_id: {"score": s, "max": m, "message": text or ""}}}} from gradebook + notebooks."""
    from nbgrader.api import Gradebook

    course = Path(course)
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment_row = gb.find_assignment(assignment)
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            for notebook in assignment_row.notebooks:
                sub = gb.find_submission_notebook(notebook.name, assignment, student)
                per = {}
                for grade in sub.grades:
                    per[grade.name] = {"score": grade.score, "max": grade.max_score, "message": ""}
                graded = course / "autograded" / student / assignment / f"{notebook.name}.ipynb"
                if graded.exists():
                    nb = nbformat.read(graded, as_version=4)
                    for cell in nb.cells:
                        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                        if grade_id in per:
                            per[grade_id]["message"] = "\n".join(
                                o.get("evalue", "") for o in cell.get("outputs", []) if o.get("output_type") == "error")
                found.setdefault(student, {})[notebook.name] = per
    return found
