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


def merge_student(db, assignment, result):
    """Write one student's automatic scores (a grading result) into the course gradebook.

    `db` is a URL, or an open `CourseGradebook` (a run merging many students opens it once).
    """
    if isinstance(db, CourseGradebook):
        return db.merge(assignment, result)
    with CourseGradebook(db) as gradebook:
        return gradebook.merge(assignment, result)


def _merge(gb, assignment, result):
    student = result["student"]
    with warnings.catch_warnings():
        # nbgrader's own update_or_create_submission trips SQLAlchemy's autoflush warnings.
        warnings.simplefilter("ignore", SAWarning)
        gb.update_or_create_student(student)
        kwargs = {"timestamp": result["timestamp"]} if result.get("timestamp") else {}
        gb.update_or_create_submission(assignment, student, **kwargs)
        scores = {(notebook, grade_id): float(grade["score"])
                  for notebook, outcome in result["notebooks"].items() for grade_id, grade in outcome["grades"].items()}
        for row, cell, notebook in _grade_rows(gb, assignment, student):
            if (notebook, cell) in scores:
                row.auto_score = scores[(notebook, cell)]
                row.needs_manual_grade = False
        gb.db.commit()


def _grade_rows(gb, assignment, student):
    """(grade row, grade cell name, notebook name) of a student's submission, in one query.

    nbgrader's `find_grade` is one query per graded cell; at scale the merge is the grading
    process's one serial step, so it asks once.
    """
    from nbgrader.api import (Assignment, Grade, GradeCell, Notebook, Student, SubmittedAssignment,
                              SubmittedNotebook)

    return gb.db.query(Grade, GradeCell.name, Notebook.name) \
        .join(GradeCell, GradeCell.id == Grade.cell_id) \
        .join(SubmittedNotebook, SubmittedNotebook.id == Grade.notebook_id) \
        .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id) \
        .join(SubmittedAssignment, SubmittedAssignment.id == SubmittedNotebook.assignment_id) \
        .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id) \
        .join(Student, Student.id == SubmittedAssignment.student_id) \
        .filter(Assignment.name == assignment, Student.id == student).all()


class CourseGradebook:
    """The course gradebook, opened once for a run: one commit per student merged.

    Opening nbgrader's `Gradebook` makes an engine and checks every table (create_all): done
    per student, it cost more than the merge itself (PostgreSQL, the real assignment: 3
    students a second). A connection the server dropped is opened again, once per merge.
    """

    def __init__(self, db_url):
        self.db_url = db_url
        self.gb = Gradebook(db_url)

    def merge(self, assignment, result):
        from sqlalchemy.exc import DBAPIError

        try:
            _merge(self.gb, assignment, result)
        except DBAPIError:
            self.gb.db.rollback()
            self.close()
            self.gb = Gradebook(self.db_url)
            _merge(self.gb, assignment, result)

    def close(self):
        try:
            self.gb.close()
            self.gb.engine.dispose()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def scores_in_gradebook(db_url, assignment, student):
    """{notebook: {grade_id: score}} as the gradebook holds it (manual scores win)."""
    with Gradebook(db_url) as gb:
        try:
            submission = gb.find_submission(assignment, student)
        except MissingEntry:
            return {}
        return {nb.name: {grade.name: float(grade.score) for grade in nb.grades}
                for nb in submission.notebooks}
