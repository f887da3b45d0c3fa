"""Both catalogs through the real `resnet-course grade`: student copy → submission → sandbox → judge.

Submissions are made from the student copies (assignments/resnet/*.ipynb, from
`resnet-course build`) with answer cells replaced by catalog entries: the judge's own catalog
(tests/judge_catalog/catalog.py) and the catalog of real students' styles
(tests/judge_catalog/real_styles.py). One submission carries one entry per graded function of
its notebook (and submits only that notebook), so both catalogs need as many notebook runs as
the longest list of entries of each notebook, plus the solution and the untouched copy. One
`resnet-course grade --jobs 2` grades them all, sandboxed, in a copy of the course folder, with
the session's build of the sources and its reference cache (keyed by the source notebook).

Asserted for every entry: the exact points of every grade id of its function (and the total it
states), for a failing one the message fragment (English) plus Korean text in the same message;
and that the public check agrees with the judge (a solution the check calls correct gets full
marks, a function the judge charges is not called correct by the check).
"""

import itertools
import json
import re
import subprocess
import tempfile
from pathlib import Path

import nbformat
import pytest

import grading_helpers as gh

from judge_catalog import catalog, harness, real_styles
from judge_catalog.catalog import GRADE_IDS, NOTEBOOK, POINTS

# One fixture grades everything: about 45 notebook runs, 15 minutes or more on 2 busy cores.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(3600)]

ASSIGNMENT = "resnet"
NOTEBOOKS = ("01_vanishing_gradients", "02_residual_networks")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ALL = catalog.ALL + real_styles.ALL
BY_NAME = {entry.name: entry for entry in ALL}
assert len(BY_NAME) == len(ALL), "a name is in both catalogs"




def _student_copy(stem):
    return nbformat.read(harness.REPO / "assignments" / ASSIGNMENT / f"{stem}.ipynb", as_version=4)


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
    copy = gh.copy_built_course(built_course, root / "course")
    sources = {stem: built_course / "source" / ASSIGNMENT / f"{stem}.ipynb" for stem in NOTEBOOKS}
    copies = {stem: _student_copy(stem) for stem in NOTEBOOKS}
    solutions = {stem: _solutions(path) for stem, path in sources.items()}

    submitted = root / "submitted"
    for student, stem, picks in [("solution", None, None), ("untouched", None, None)] + plan():
        notebooks = {}
        for nb_stem in NOTEBOOKS:
            if student == "solution":
                answers = solutions[nb_stem]
            elif student == "untouched":
                answers = {}
            elif nb_stem == stem:
                answers = {f: BY_NAME[name].source for f, name in picks.items() if name}
            else:
                continue  # not submitted: graded zero without running anything
            notebooks[nb_stem] = harness.fill(copies[nb_stem], answers)
        harness.submit(root, student, ASSIGNMENT, notebooks)
    out = root / "grades.json"
    env = harness.run_env(RESNET_COURSE_REFERENCE_CACHE=cache)
    done = subprocess.run([str(harness.BIN / "resnet-course"), "grade", str(submitted), "--course", str(copy),
                           "--assignment", ASSIGNMENT, "--jobs", "2", "--json", str(out), "--no-progress"],
                          env=env, capture_output=True, text=True, timeout=3300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-6000:]
    data = json.loads(out.read_text())["students"]
    images = sorted(str(p.relative_to(root)) for p in copy.glob(".grading/*/*/**/*.png"))
    return {"results": data, "images": images, "copy": copy}


def _grades(graded, student, stem):
    return graded["results"][student]["notebooks"][stem]["grades"]


def test_solution_gets_full_marks(graded):
    for stem in NOTEBOOKS:
        lost = {g: v for g, v in _grades(graded, "solution", stem).items() if v["score"] != v["max_score"]}
        assert not lost, (stem, lost)


def test_untouched_copy_gets_zero(graded):
    for stem in NOTEBOOKS:
        earned = {g: v["score"] for g, v in _grades(graded, "untouched", stem).items() if v["score"]}
        assert not earned, (stem, earned)


def test_points_are_the_notebooks(graded):
    """POINTS (which the entries' stated scores add up) is what the graded cells give."""
    found = {g: v["max_score"] for stem in NOTEBOOKS for g, v in _grades(graded, "solution", stem).items()}
    assert found == POINTS


def _entry_rows():
    return [(student, stem, entry) for student, stem, picks in plan() for entry in picks.values() if entry]


@pytest.mark.parametrize("student,stem,entry_name", _entry_rows(), ids=[r[2] for r in _entry_rows()])
def test_catalog_entry(graded, student, stem, entry_name):
    entry = BY_NAME[entry_name]
    grades = _grades(graded, student, stem)
    for grade_id, should_pass in entry.expected().items():
        got = grades[grade_id]
        want = got["max_score"] if should_pass else 0
        message = "\n".join(got["messages"])
        assert got["score"] == want, (entry.name, grade_id, got)
        if not should_pass:
            assert entry.fails[grade_id] in message, (entry.name, grade_id, message)
            assert HANGUL.search(message), (entry.name, grade_id, message)
    if entry.score is not None:
        assert sum(grades[g]["score"] for g in GRADE_IDS[entry.function]) == entry.score, entry.name


def test_naming_slips_cost_at_most_one_point(graded):
    for student, stem, entry_name in _entry_rows():
        entry = BY_NAME[entry_name]
        if entry.kind == "names":
            grades = _grades(graded, student, stem)
            lost = sum(grades[g]["max_score"] - grades[g]["score"] for g in GRADE_IDS[entry.function])
            assert lost <= 1, (entry.name, lost)


def test_a_block_mistake_never_costs_resnet50(graded):
    """Error carried forward across exercises: every submission whose ResNet50 is right gets its 12
    points, whatever its blocks do (they are broken, refused by Keras 3 or missing in many)."""
    for student, stem, picks in plan():
        resnet = picks.get("ResNet50")
        if resnet and BY_NAME[resnet].kind == "valid":
            grades = _grades(graded, student, stem)
            assert all(grades[g]["score"] == grades[g]["max_score"] for g in GRADE_IDS["ResNet50"]), (
                student, picks, {g: grades[g] for g in GRADE_IDS["ResNet50"]})


def test_plot_feedback_images_are_drawn(graded):
    """A failing plot check shows the student's plot beside the reference, as a PNG in the judge's folder."""
    entry_student = next(s for s, stem, picks in plan() if picks.get("plot_gradient_norms") == "plot_no_log")
    assert any(f"/{entry_student}/" in p for p in graded["images"]), graded["images"][:5]


def test_catalog_sizes():
    kinds = [e.kind for e in catalog.ALL]
    assert kinds.count("mistake") >= 25
    assert kinds.count("valid") >= 10
    assert kinds.count("cheat") == 3
    assert {e.function for e in catalog.ALL if e.kind == "mistake"} == set(GRADE_IDS)
    styles = [e.kind for e in real_styles.ALL]
    assert {k: styles.count(k) for k in ("valid", "names", "habit", "mistake")} == {
        "valid": 18, "names": 11, "habit": 11, "mistake": 6}
    assert {e.function for e in real_styles.ALL} == set(GRADE_IDS)
    assert all(e.score is not None for e in real_styles.ALL)


# ---------------------------------------------------------------------------------------
# The public check and the judge agree
# ---------------------------------------------------------------------------------------

def _public_verdicts():
    """{entry name: (status, text)} of the public check on every entry of both catalogs, in this process."""
    from resnet_course.autograder.authoring.sources import graded_function_namespace
    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder.checks import vanishing as checks_vanishing
    from resnet_course.autograder.checks.common import collect_problems

    checks = {"identity_block": checks_resnet.check_identity_block,
              "convolutional_block": checks_resnet.check_convolutional_block,
              "ResNet50": checks_resnet.check_ResNet50,
              "build_deep_network": checks_vanishing.check_build_deep_network,
              "layer_gradient_norms": checks_vanishing.check_layer_gradient_norms,
              "plot_gradient_norms": checks_vanishing.check_plot_gradient_norms}
    solutions = {stem: graded_function_namespace(stem) for stem in NOTEBOOKS}
    found = {}
    for entry in ALL:
        if entry.kind == "cheat":  # a cheat patches numpy and the checks: never in this process
            found[entry.name] = ("cheat", "")
            continue
        namespace = dict(solutions[NOTEBOOK[entry.function]])  # the other answers are the solutions
        try:
            exec(compile(entry.source, f"<catalog {entry.name}>", "exec"), namespace)
        except Exception as error:  # an answer cell Keras 3 refuses to run: the check never sees a function
            found[entry.name] = ("answer cell raised", f"{type(error).__name__}: {error}")
            continue
        status, lines = collect_problems(entry.function, checks[entry.function], namespace[entry.function])
        found[entry.name] = (status, "\n".join(lines))
    return found


def test_public_check_agrees_with_the_judge(graded):
    verdicts = _public_verdicts()
    disagreements = []
    for student, stem, entry_name in _entry_rows():
        entry = BY_NAME[entry_name]
        status, text = verdicts[entry_name]
        grades = _grades(graded, student, stem)
        full = all(grades[g]["score"] == grades[g]["max_score"] for g in GRADE_IDS[entry.function])
        if status == "passed" and not full:
            disagreements.append((entry_name, "the check passes, the judge takes points", grades))
        if not full and entry.kind != "cheat" and status not in ("failed", "answer cell raised"):
            disagreements.append((entry_name, f"the judge charges it, the check says {status}", text))
        if entry.kind == "habit" and status == "failed":
            # The check names the habit in the judge's words (the English fragment of any failing grade id).
            fragments = set(entry.fails.values())
            if not any(fragment in text for fragment in fragments):
                disagreements.append((entry_name, "the check does not name the habit", text))
    assert disagreements == []
