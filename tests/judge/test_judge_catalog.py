"""Every catalog entry through the real pipeline: student copy → submission → `nbgrader autograde`.

Submissions are made from the student copies (assignments/resnet/*.ipynb, from
`resnet-course build`) with answer cells replaced by catalog entries (tests/judge_catalog/).
One submission carries one entry per graded function of its notebook (and submits only that
notebook), so the whole catalog needs as many notebook runs as the longest list of entries
of each notebook, plus the solution and the untouched copy. Students are split over two temporary courses graded side by side (each
`nbgrader autograde` grades its students one after another, and each course has its own
gradebook), with the course's real nbgrader_config.py and the session's reference cache (keyed by the
source notebook, so a stale cache cannot be used).

Asserted for every entry: the exact points of every grade id of its function, and for a
failing one the message fragment (English) plus Korean text in the same message.
"""

import itertools
import re
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

from judge_catalog import harness
from judge_catalog.catalog import ALL, GRADE_IDS, NOTEBOOK

# One fixture grades everything: about 25 notebook runs, 12 minutes or more on 2 busy cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

ASSIGNMENT = "resnet"
NOTEBOOKS = ("01_vanishing_gradients", "02_residual_networks")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _source_notebook(stem, built_course):
    """The instructor's source notebook, from this session's build of the sources."""
    return built_course / "source" / ASSIGNMENT / f"{stem}.ipynb"


def _student_copy(stem, course):
    committed = harness.REPO / "assignments" / ASSIGNMENT / f"{stem}.ipynb"
    path = committed if committed.is_file() else Path(course) / "release" / ASSIGNMENT / f"{stem}.ipynb"
    return nbformat.read(path, as_version=4)


def _solutions(source):
    nb = nbformat.read(source, as_version=4)
    found = {}
    for cell in nb.cells:
        first = cell.source.lstrip().split("\n", 1)[0] if cell.cell_type == "code" else ""
        if first.startswith("# GRADED FUNCTION:"):
            found[first.split(":", 1)[1].strip()] = cell.source
    return found


def plan():
    """[(student, notebook, {function: entry name or None})]: one entry per function per submission."""
    rows = []
    for stem in NOTEBOOKS:
        functions = [f for f in GRADE_IDS if NOTEBOOK[f] == stem]
        lists = [[e.name for e in ALL if e.function == f] for f in functions]
        for index, names in enumerate(itertools.zip_longest(*lists)):
            rows.append((f"{stem[:2]}_mix{index:02d}", stem, dict(zip(functions, names))))
    return rows


@pytest.fixture(scope="module")
def graded(built_course, reference_cache):
    # Not pytest's tmp_path: a concurrent pytest session prunes old basetemp folders, and
    # this run is long. The folder goes when the module ends.
    holder = tempfile.TemporaryDirectory(prefix="resnet-judge-catalog-")
    try:
        yield _grade_everything(Path(holder.name), built_course, reference_cache)
    finally:
        holder.cleanup()


def _grade_everything(root, built_course, cache):
    from judge_catalog.catalog import BY_NAME

    sources = {stem: _source_notebook(stem, built_course) for stem in NOTEBOOKS}
    env = harness.run_env(RESNET_COURSE_REFERENCE_CACHE=cache)

    # References first, both notebooks at once (each in its own kernel).
    from resnet_course.autograder.judge import references

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda s: references.reference_folder(s, cache), sources.values()))

    courses = [harness.make_course(root / f"course{i}", ASSIGNMENT, list(sources.values())) for i in (0, 1)]
    for course in courses:
        harness.generate(course, ASSIGNMENT, env=env)
    copies = {stem: _student_copy(stem, courses[0]) for stem in NOTEBOOKS}
    solutions = {stem: _solutions(path) for stem, path in sources.items()}

    students = [("solution", None, None), ("untouched", None, None)] + plan()
    for index, (student, stem, picks) in enumerate(students):
        course = courses[index % 2]
        notebooks = {}
        for nb_stem in NOTEBOOKS:
            if student == "solution":
                answers = solutions[nb_stem]
            elif student == "untouched":
                answers = {}
            elif nb_stem == stem:
                answers = {f: BY_NAME[name].source for f, name in picks.items() if name}
            else:
                continue  # not submitted: nbgrader records zero without running anything
            notebooks[nb_stem] = harness.fill(copies[nb_stem], answers)
        harness.submit(course, student, ASSIGNMENT, notebooks)
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda c: harness.autograde(c, ASSIGNMENT, env=env), courses))
    for done in runs:
        assert done.returncode == 0, done.stderr[-6000:]
    found = {}
    for course in courses:
        found.update(harness.results(course, ASSIGNMENT))
    images = sorted(str(p.relative_to(root)) for p in root.glob("course*/.artifacts/*/*/*.judge/*.png"))
    return {"results": found, "images": images}


def test_solution_gets_full_marks(graded):
    for stem, grades in graded["results"]["solution"].items():
        lost = {g: v for g, v in grades.items() if v["score"] != v["max"]}
        assert not lost, (stem, lost)


def test_untouched_copy_gets_zero(graded):
    for stem, grades in graded["results"]["untouched"].items():
        earned = {g: v["score"] for g, v in grades.items() if v["score"]}
        assert not earned, (stem, earned)


def _entry_rows():
    return [(student, stem, entry) for student, stem, picks in plan() for entry in picks.values() if entry]


@pytest.mark.parametrize("student,stem,entry_name", _entry_rows(), ids=[r[2] for r in _entry_rows()])
def test_catalog_entry(graded, student, stem, entry_name):
    from judge_catalog.catalog import BY_NAME

    entry = BY_NAME[entry_name]
    grades = graded["results"][student][stem]
    for grade_id, should_pass in entry.expected().items():
        got = grades[grade_id]
        want = got["max"] if should_pass else 0
        assert got["score"] == want, (entry.name, grade_id, got)
        if not should_pass:
            assert entry.fails[grade_id] in got["message"], (entry.name, grade_id, got["message"])
            assert HANGUL.search(got["message"]), (entry.name, grade_id, got["message"])


def test_plot_feedback_images_are_drawn(graded):
    """A failing plot check shows the student's plot beside the reference, as a PNG in the judge's folder."""
    entry_student = next(s for s, stem, picks in plan() if picks.get("plot_gradient_norms") == "plot_no_log")
    assert any(f"/{entry_student}/resnet/01_vanishing_gradients.judge/" in p for p in graded["images"])


def test_catalog_sizes():
    kinds = [e.kind for e in ALL]
    assert kinds.count("mistake") >= 25
    assert kinds.count("valid") >= 10
    assert kinds.count("cheat") == 3
    assert {e.function for e in ALL if e.kind == "mistake"} == set(GRADE_IDS)
