"""`nbgrader validate` with the course config: the sources pass, the student copies fail.

On the sources (solutions in place) every graded test cell passes; on the release (no
answers) none does, because every test cell keeps a visible check that fails on a blank
answer (`nbgrader validate --invert`). nbgrader sets NBGRADER_EXECUTION=validate itself,
so heavy cells run as a smoke test.
"""

import pytest

from _build_helpers import copy_fixture_course, copy_real_course, validate, validate_concurrently
from resnet_course.autograder.authoring import build
from resnet_course.autograder.authoring.sources import NOTEBOOKS

NAME = "01_toy_scaling"


def _built(course):
    build.build_release(course, database=False)
    return course / "source" / "resnet", course / "release" / "resnet"


def _fixture(tmp_path, old=None, new=None):
    course = copy_fixture_course(tmp_path / "course")
    if old is not None:
        path = course / "notebooks" / f"{NAME}.md"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    return _built(course)


def test_fixture_source_passes_and_release_fails_every_test(tmp_path):
    source, release = _fixture(tmp_path)
    assert validate([source / f"{NAME}.ipynb"]) == {f"{NAME}.ipynb": {}}
    assert validate([release / f"{NAME}.ipynb"], invert=True) == {f"{NAME}.ipynb": {}}


def test_a_wrong_solution_fails_validate(tmp_path):
    source, _ = _fixture(tmp_path, "np.asarray(values, dtype=float) * factor",
                         "np.asarray(values, dtype=float) + factor")
    result = validate([source / f"{NAME}.ipynb"])[f"{NAME}.ipynb"]
    assert [cell["source"].splitlines()[0] for cell in result["failed"]] == [
        '"""scale_values가 공개 입력과 숨겨진 입력에서 배율을 곱한 값을 돌려주는지 확인합니다.']
    assert "배율을 곱한 값이 아닙니다" in result["failed"][0]["raw_error"]


def test_a_test_cell_with_only_hidden_tests_fails_validate_invert(tmp_path):
    # without its visible check, the test cell passes on a blank answer: --invert says so
    _, release = _fixture(tmp_path, 'require("scale_values", check_scale_values, scale_values)\n', "")
    result = validate([release / f"{NAME}.ipynb"], invert=True)[f"{NAME}.ipynb"]
    assert len(result["passed"]) == 1


@pytest.fixture(scope="module")
def real_results(tmp_path_factory):
    """validate on both real sources and validate --invert on both releases, side by side."""
    course = copy_real_course(tmp_path_factory.mktemp("real") / "course")
    source, release = _built(course)
    jobs = [(source / f"{stem}.ipynb", False) for stem in NOTEBOOKS]
    jobs += [(release / f"{stem}.ipynb", True) for stem in NOTEBOOKS]
    return validate_concurrently(jobs)


@pytest.mark.slow
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_real_source_passes_validate(real_results, stem):
    result = real_results[(f"{stem}.ipynb", False)]
    assert result == {}, result


@pytest.mark.slow
@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_real_release_fails_every_test_unanswered(real_results, stem):
    result = real_results[(f"{stem}.ipynb", True)]
    assert result == {}, result
