"""Bringing each worker's grades into the course gradebook, one student at a time.

Workers autograde into gradebooks of their own (nbgrader's SQLite file, one per student),
so they never contend for the course gradebook. The grading process alone writes the course
gradebook, through nbgrader's own `Gradebook` API: SQLite by default, any SQLAlchemy URL
(PostgreSQL for a large course). Each student's merge is one commit, so a crash or Ctrl-C
keeps every student merged before it; merging the same result again changes nothing.
"""

import warnings

from nbgrader.api import Gradebook, MissingEntry
from sqlalchemy.exc import SAWarning


def sqlite_url(path):
    return f"sqlite:///{path}"


def assignment_structure(db_url, assignment):
    """{notebook: {grade_id: max_score}} of an assignment, in notebook order."""
    with Gradebook(db_url) as gb:
        found = gb.find_assignment(assignment)
        return {nb.name: {cell.name: float(cell.max_score) for cell in nb.grade_cells}
                for nb in sorted(found.notebooks, key=lambda nb: nb.name)}


def copy_assignment(template_url, db_url, assignment):
    """Make the course gradebook's copy of an assignment match the template (built from source)."""
    with Gradebook(template_url) as source, Gradebook(db_url) as target:
        original = source.find_assignment(assignment)
        target.update_or_create_assignment(assignment, duedate=original.duedate)
        for notebook in original.notebooks:
            target.update_or_create_notebook(notebook.name, assignment)
            for cell in notebook.grade_cells:
                target.update_or_create_grade_cell(cell.name, notebook.name, assignment,
                                                   max_score=cell.max_score, cell_type=cell.cell_type)
            for cell in notebook.solution_cells:
                target.update_or_create_solution_cell(cell.name, notebook.name, assignment)
            for cell in notebook.task_cells:
                target.update_or_create_task_cell(cell.name, notebook.name, assignment,
                                                  max_score=cell.max_score, cell_type=cell.cell_type)
            for cell in notebook.source_cells:
                target.update_or_create_source_cell(cell.name, notebook.name, assignment,
                                                    source=cell.source, checksum=cell.checksum,
                                                    cell_type=cell.cell_type, locked=cell.locked)


def merge_student(db_url, assignment, result):
    """Write one student's automatic scores (a grading result) into the course gradebook."""
    student = result["student"]
    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        # nbgrader's own update_or_create_submission trips SQLAlchemy's autoflush warnings.
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        kwargs = {"timestamp": result["timestamp"]} if result.get("timestamp") else {}
        gb.update_or_create_submission(assignment, student, **kwargs)
        for notebook, outcome in result["notebooks"].items():
            for grade_id, grade in outcome["grades"].items():
                try:
                    row = gb.find_grade(grade_id, notebook, assignment, student)
                except MissingEntry:
                    continue
                row.auto_score = float(grade["score"])
                row.needs_manual_grade = False
        gb.db.commit()


def scores_in_gradebook(db_url, assignment, student):
    """{notebook: {grade_id: score}} as the gradebook holds it (manual scores win)."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {nb.name: {grade.name: float(grade.score) for grade in nb.grades}
                for nb in submission.notebooks}
