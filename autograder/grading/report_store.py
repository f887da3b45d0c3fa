"""What `resnet-course report` reads: the files `resnet-course grade` stored, and nothing else.

Per student, `<course>/.grading/<assignment>/<student>/result.json` and the judge's
`judge/<notebook>/verdicts.json`; for the class, the order of the checks and which exercise
each belongs to, from the source notebooks (or, without them, a stored autograded notebook).
No kernel runs and no submission is opened, so the report is the same whether the class was
graded with `--jobs` on this machine or on a cluster: only the stored files count, and keys
this module does not know are ignored.

A stored file that cannot be read costs only itself: it is listed, with its reason, and the
rest of the class is reported.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from resnet_course.utils.messages import register

from .store import RESULT_FILE, slug

register({
    "report.unreadable_json": {
        "ko": "JSON 형식으로 읽을 수 없습니다: {detail}",
        "en": "Not readable as JSON: {detail}",
    },
    "report.not_a_result": {
        "ko": "채점 결과의 형식이 아닙니다 (빠진 항목: {fields}).",
        "en": "Not a grading result (missing: {fields}).",
    },
    "report.no_result_file": {
        "ko": "이 폴더에는 채점 결과 파일(result.json)이 없습니다.",
        "en": "This folder holds no grading result (result.json).",
    },
})

VERDICTS_FILE = "verdicts.json"  # what judge/preprocessors.py writes into each judge folder
_REQUIRED = ("student", "score", "max_score", "notebooks")


@dataclass
class StoredStudent:
    """One student's stored result and the judge's verdicts ({notebook: {grade_id: verdict}})."""

    folder: Path
    result: dict
    verdicts: dict = field(default_factory=dict)

    @property
    def name(self):
        return self.result["student"]


@dataclass
class StoredClass:
    assignment: str
    course: Path
    students: list
    structure: dict  # {notebook: {grade_id: max_score}}, in notebook order
    exercises: dict  # {grade_id: exercise}
    unreadable: list  # [(path, catalog key, values)]


def _read_json(path):
    """(data, None) or (None, (key, values)) for a file that is not JSON."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        return None, ("report.unreadable_json", {"detail": f"{type(error).__name__}: {str(error)[:200]}"})


def _valid_result(data):
    """(True, None) or (False, problem) for what a result.json holds."""
    if not isinstance(data, dict):
        return False, ("report.not_a_result", {"fields": ", ".join(_REQUIRED)})
    missing = [key for key in _REQUIRED if key not in data]
    if not missing and not isinstance(data["notebooks"], dict):
        missing = ["notebooks"]
    if missing:
        return False, ("report.not_a_result", {"fields": ", ".join(missing)})
    for outcome in data["notebooks"].values():
        if not isinstance(outcome, dict) or not isinstance(outcome.get("grades"), dict):
            return False, ("report.not_a_result", {"fields": "notebooks.grades"})
    return True, None


def student_folders(store):
    """Each student's folder, skipping the template gradebook and half-written copies."""
    if not Path(store).is_dir():
        return []
    return [path for path in sorted(Path(store).iterdir())
            if path.is_dir() and not path.name.startswith(".") and not path.name.endswith((".new", ".old"))]


def _read_verdicts(folder, unreadable):
    verdicts = {}
    for path in sorted((folder / "judge").glob(f"*/{VERDICTS_FILE}")):
        data, problem = _read_json(path)
        if problem:
            unreadable.append((path, *problem))
        elif isinstance(data, dict):
            verdicts[path.parent.name] = {gid: v for gid, v in data.items() if isinstance(v, dict)}
    return verdicts


def read_students(store, students=None):
    """([StoredStudent], unreadable) for every stored result (or only the named students)."""
    wanted = set(students) if students else None
    wanted_folders = {slug(student) for student in wanted} if wanted else None
    found, unreadable = [], []
    for folder in student_folders(store):
        path = folder / RESULT_FILE
        if not path.is_file():
            if wanted is None or folder.name in wanted_folders:
                unreadable.append((path, "report.no_result_file", {}))
            continue
        data, problem = _read_json(path)
        if problem is None:
            valid, problem = _valid_result(data)
        if problem:
            if wanted is None or folder.name in wanted_folders:
                unreadable.append((path, *problem))
            continue
        if wanted is not None and data["student"] not in wanted:
            continue
        found.append(StoredStudent(folder, data, _read_verdicts(folder, unreadable)))
    return found, unreadable


def class_structure(students):
    """{notebook: {grade_id: max_score}} over the class, in the order the results list them.

    The grade ids and their points come from what was stored, never from this module, so a
    check added to the assignment (or a new split of its points) shows up as it was graded.
    A grade id graded with different points for different students keeps the largest.
    """
    structure = {}
    for student in students:
        for notebook, outcome in student.result["notebooks"].items():
            cells = structure.setdefault(notebook, {})
            for grade_id, grade in outcome["grades"].items():
                points = float(grade.get("max_score") or 0.0)
                cells[grade_id] = max(points, cells.get(grade_id, points))
    return structure


def _notebook_cells(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []


def _exercises_from_cells(cells, notebook, exercises):
    """Each test cell belongs to the answer cell above it: `# GRADED FUNCTION: name`."""
    current = notebook
    answers = []
    for cell in cells:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        grade_id = meta.get("grade_id")
        if not grade_id:
            continue
        if meta.get("solution") and not meta.get("grade"):
            current = grade_id
            answers.append(grade_id)
        elif meta.get("grade"):
            # A test cell named after an answer belongs to it wherever it sits.
            named = [answer for answer in answers if grade_id.startswith(answer + "_")]
            exercises[grade_id] = max(named, key=len) if named else current


def exercise_of_checks(course, assignment, students, structure):
    """{grade_id: exercise}: from the source notebooks, else a stored autograded notebook.

    Without either, a check's exercise is its grade id without the last `_part`
    (`identity_block_structure` belongs to `identity_block`).
    """
    exercises = {}
    for notebook in structure:
        source = Path(course) / "source" / assignment / f"{notebook}.ipynb"
        cells = _notebook_cells(source) if source.is_file() else []
        if not cells:
            for student in students:
                stored = student.folder / "autograded" / f"{notebook}.ipynb"
                if stored.is_file():
                    cells = _notebook_cells(stored)
                    if cells:
                        break
        _exercises_from_cells(cells, notebook, exercises)
        for grade_id in structure[notebook]:
            exercises.setdefault(grade_id, grade_id.rsplit("_", 1)[0] if "_" in grade_id else grade_id)
    return exercises


def read_class(course, assignment, students=None):
    """Everything the report needs, read from `<course>/.grading/<assignment>/`."""
    course = Path(course)
    stored, unreadable = read_students(course / ".grading" / assignment, students)
    structure = class_structure(stored)
    return StoredClass(assignment=assignment, course=course, students=stored, structure=structure,
                       exercises=exercise_of_checks(course, assignment, stored, structure),
                       unreadable=unreadable)
