"""Validate means what the check cells say: `nbgrader validate` on the catalog's mistakes.

Each student copy (assignments/) is filled with the solutions, except for one catalog entry
per graded function (several functions' mistakes share a notebook run: a ResNet50 entry
brings its own blocks, so it does not see the block mistakes beside it). The public check
of every entry is run here, in process, and Validate must agree with it exactly:

- an exercise whose public check finds a problem fails in every one of its graded cells,
  each showing that check's message (every problem it listed);
- an exercise whose public check passes (solutions, valid variants, mistakes only the judge
  can see) fails in none;
- the solved notebooks pass (`Success`).

Validate runs the way a student's does: nbgrader's own Validator with the course config,
NBGRADER_EXECUTION=validate, each notebook in its own kernel.
"""

import itertools
import re
from pathlib import Path

import nbformat
import pytest

from _build_helpers import validate_concurrently
from judge_catalog.catalog import BY_NAME, NOTEBOOK, RESNET, edit
from student_notebooks import filled

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]

CATALOG_NOTEBOOKS = {
    "01_vanishing_gradients": ("build_deep_network", "layer_gradient_norms", "plot_gradient_norms"),
    "02_residual_networks": ("identity_block", "convolutional_block", "ResNet50"),
}
# Not in the catalog: the crash a student met (stage 2's convolutional block at s=2).
EXTRA = {"ResNet50": {"r_stage2_stride_crash": edit(RESNET, 'stage=2, block="a", s=1)', 'stage=2, block="a", s=2)')}}
# Rows without a ResNet50 mistake take a correct ResNet50 with blocks of its own, so the
# block mistakes of the same row stay the blocks' business.
FILLER = {"ResNet50": "r_loop_relu_add"}
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REQUIRE = re.compile(r'^require\("(\w+)"', re.M)


def _sources(function):
    """{entry name: source} of the catalog's mistakes of this function, then the extra cases."""
    found = {e.name: e.source for e in BY_NAME.values() if e.function == function and e.kind == "mistake"}
    return {**found, **EXTRA.get(function, {})}


def plan():
    """[(row name, notebook, {function: (entry name or None, source or None)})]."""
    rows = []
    for stem, functions in CATALOG_NOTEBOOKS.items():
        lists = [list(_sources(f).items()) for f in functions]
        for index, picks in enumerate(itertools.zip_longest(*lists)):
            row = {}
            for function, pick in zip(functions, picks):
                if pick is None and function in FILLER:
                    pick = (FILLER[function], BY_NAME[FILLER[function]].source)
                row[function] = pick or (None, None)
            rows.append((f"{stem[:2]}_row{index}", stem, row))
        rows.append((f"{stem[:2]}_solution", stem, {f: (None, None) for f in functions}))
    return rows


def _normal(value):
    return " ".join(ANSI.sub("", value).split())


def _public_verdicts(stem, row):
    """{function: (status, [each problem's text])} of the public checks, run here on the row's code."""
    from resnet_course.autograder.authoring.sources import graded_function_namespace
    from resnet_course.autograder.checks import validation
    from resnet_course.autograder.checks.common import collect_problems

    namespace = dict(graded_function_namespace(stem))
    for function, (name, source) in row.items():
        if source is not None:
            exec(compile(source, f"<{name}>", "exec"), namespace)
    verdicts = {}
    for function in row:
        status, lines = collect_problems(function, validation.check_for(function), namespace[function])
        # each problem listed (a crash's Keras sentence and "at:" line differ by where the code ran)
        verdicts[function] = (status, [_normal(line[4:]) for line in lines[1:] if line.startswith("  • ")])
    return verdicts


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Every row validated, side by side; with the public checks' verdicts on the same code."""
    import matplotlib

    matplotlib.use("Agg")
    folder = tmp_path_factory.mktemp("validate_catalog")
    jobs, expected = [], {}
    for row_name, stem, row in plan():
        nb = filled(stem, {f: source for f, (_, source) in row.items() if source is not None})
        path = folder / row_name / f"{stem}.ipynb"
        path.parent.mkdir()
        nbformat.write(nb, path)
        jobs.append((path, False))
        expected[row_name] = (stem, row, _public_verdicts(stem, row),
                              {f: len(re.findall(rf'^require\("{f}"', "\n".join(c.source for c in nb.cells), re.M))
                               for f in row})
    # Four at a time: sixteen kernels importing TensorFlow at once only queue on two cores.
    results = validate_concurrently(jobs, at_once=4, key=lambda path: Path(path).parent.name)
    return {row_name: (results[(row_name, False)], *expected[row_name][1:]) for row_name in expected}


def test_the_plan_covers_every_catalog_mistake_and_groups_them():
    rows = plan()
    named = {name for _, _, row in rows for name, _ in row.values() if name}
    mistakes = {e.name for e in BY_NAME.values() if e.kind == "mistake" and NOTEBOOK[e.function] in CATALOG_NOTEBOOKS}
    assert mistakes <= named
    assert len(rows) <= 16 < len(mistakes)  # several functions' mistakes per notebook run


def test_validate_fails_exactly_where_the_public_check_does_with_its_message(validated):
    caught = 0
    for row_name, (result, row, verdicts, graded) in validated.items():
        failed = {}
        for cell in result.get("failed", []):
            exercise = REQUIRE.search(cell["source"]).group(1)
            failed.setdefault(exercise, []).append(_normal(cell["raw_error"]))
        for function, (name, _) in row.items():
            status, problems = verdicts[function]
            if status == "passed":
                assert function not in failed, (row_name, name, failed.get(function))
                continue
            caught += 1
            assert len(failed.get(function, [])) == graded[function] > 0, (row_name, name, status)
            for error in failed[function]:
                assert problems, (row_name, name)
                for problem in problems:  # every problem the check listed, in every graded cell
                    assert problem in error, (row_name, name, problem, error[-1500:])
    assert caught >= 25  # the catalog's mistakes the public checks catch (all of them, today)


def test_the_solutions_pass_validate(validated):
    for row_name in ("01_solution", "02_solution"):
        result = validated[row_name][0]
        assert result == {}, result


def test_the_stage_2_crash_fails_every_resnet_cell_with_the_stage_named(validated):
    row = next(r for r in validated.values() if r[1].get("ResNet50", (None,))[0] == "r_stage2_stride_crash")
    errors = [cell["raw_error"] for cell in row[0]["failed"] if 'require("ResNet50"' in cell["source"]]
    assert len(errors) == row[3]["ResNet50"]
    for error in errors:
        assert "After stage 2 the shape is 8×8×256, expected 15×15×256" in _normal(error)
