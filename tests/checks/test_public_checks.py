"""public_check and require: who speaks, and how often, in each nbgrader step.

- the student runs the cells: the check cell prints; a graded cell after a failed check says
  in one line that the check above explains it;
- validate: every graded cell of an exercise fails with its public check's message, the
  check running once per function;
- autograde: the public checks cost nothing and say only that they are skipped.
"""

import numpy as np
import pytest

from resnet_course.autograder.checks import common, validation
from resnet_course.autograder.checks.common import collect_problems, public_check, require, runs


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    validation.forget()
    yield
    validation.forget()


def _counting_check():
    calls = []

    def check(value):
        calls.append(value)
        return [] if value(1) == 1 else [("check.returns_none", {})]

    return check, calls


def right(x):
    return x


def wrong(x):
    return x + 1


def test_public_check_runs_and_prints_the_verdict(capsys):
    check, calls = _counting_check()
    public_check("toy", check, right)
    public_check("toy", check, wrong)
    out = capsys.readouterr().out
    assert calls == [right, wrong]
    assert "toy: all public tests passed" in out and "toy: something needs fixing" in out


def test_autograde_pays_nothing_for_the_public_check(monkeypatch, capsys):
    check, calls = _counting_check()
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    validation.remember_check("toy", check)
    public_check("toy", check, wrong)
    for _ in range(3):
        require("toy", runs, wrong, 1)  # the cheap question passes: the judge decides the rest
    out = capsys.readouterr().out
    assert calls == []
    assert out.count("public checks are skipped while grading") == 1
    assert "채점 중에는 공개 검사를 건너뜁니다" in out


def test_validate_fails_every_graded_cell_with_the_check_message_and_runs_it_once(monkeypatch, capsys):
    check, calls = _counting_check()
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    public_check("toy", check, wrong)
    assert "something needs fixing" in capsys.readouterr().out
    for _ in range(3):
        with pytest.raises(AssertionError) as failed:
            require("toy", runs, wrong, 1)
        assert "toy: something needs fixing" in str(failed.value)
        assert "함수가 아무것도 반환하지 않습니다" in str(failed.value)  # the check's own problem, in Korean too
    assert calls == [wrong]  # one run for the check cell and the three graded cells
    public_check("toy", check, right)  # a new function is judged afresh, once
    require("toy", runs, right, 1)
    require("toy", runs, right, 1)
    assert calls == [wrong, right]


def test_validate_finds_the_check_by_exercise_name_without_the_check_cell(monkeypatch):
    """The check cell was deleted: the exercise's public check comes from the table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def plot_gradient_norms(norms_by_name, ax=None):
        ax = ax or plt.subplots()[1]
        for name, norms in norms_by_name.items():
            ax.plot(np.arange(1, len(norms) + 1), norms, label=name)
        return ax  # no log scale, no labels, no legend

    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(AssertionError) as failed:
        require("plot_gradient_norms", runs, plot_gradient_norms, {"a": [1.0, 0.1]})
    message = str(failed.value)
    # every problem found, not only the first
    for fragment in ("not log scale", "x axis has no label", "y axis has no label", "legend is missing"):
        assert fragment in message, message
    assert all(len(line) <= common.VALIDATE_WIDTH for line in message.splitlines())  # nbgrader cuts at 87
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    validation.forget()
    require("plot_gradient_norms", runs, plot_gradient_norms, {"a": [1.0, 0.1]})  # autograde: the judge's call


def test_a_graded_cell_after_a_failed_check_says_so_in_one_line(capsys):
    check, _ = _counting_check()
    public_check("toy", check, wrong)
    with pytest.raises(AssertionError) as failed:
        require("toy", runs, wrong, 1)
    assert str(failed.value) == ("❌ toy: 위의 확인 셀이 무엇을 고칠지 알려 줍니다.\n"
                                 "❌ toy: the check cell above explains what to fix.")
    require("toy", runs, right, 1)  # fixed and redefined: judged again, and passes


def test_a_crash_is_explained_once_then_pointed_back_to():
    def broken(x):
        return {}["missing"]

    with pytest.raises(AssertionError) as first:
        require("toy", runs, broken, 1)
    assert "toy: your code raised an error" in str(first.value)
    assert "KeyError: 'missing'" in str(first.value)
    assert 'test_public_checks.py:' in str(first.value) and '{}["missing"]' in str(first.value)  # where, in their code
    with pytest.raises(AssertionError) as second:
        require("toy", runs, broken, 1)
    assert "see the explanation in the graded cell above" in str(second.value)
    assert "KeyError" not in str(second.value)


def test_not_answered_is_said_in_every_graded_cell():
    def blank(x):
        raise NotImplementedError()

    for _ in range(2):
        with pytest.raises(AssertionError, match="not answered yet"):
            require("toy", runs, blank, 1)


def test_problems_found_in_several_cases_are_listed_once_each_with_their_arguments():
    def check(_):
        same = [("check.returns_none", {})]
        return (common.with_case(same, (5, 5, 3), f=2) + common.with_case(same, (6, 6, 4), f=3)
                + common.with_case([("check.passed", {"exercise": "inner"})], None, depth=3))

    status, lines = collect_problems("toy", check, right)
    body = "\n".join(lines)
    assert status == "failed"
    assert body.count("returns nothing (None)") == 1  # the same mistake in two cases: said once
    assert "(with the check's own arguments: input 5×5×3, f=2)" in body
    assert "(확인 셀이 정한 인자: 입력 5×5×3, f=2)" in body
    assert "(with the check's own arguments: depth=3)" in body


def test_every_exercise_of_the_sources_has_its_public_check_in_the_table():
    """Validate finds a check by the exercise name `require` receives: the table must know each one."""
    import re

    from resnet_course.autograder.authoring.sources import NOTEBOOKS, source_path

    cells = "\n".join(source_path(stem).read_text(encoding="utf-8") for stem in NOTEBOOKS)
    checked = dict(re.findall(r'^public_check\("(\w+)", (check_\w+),', cells, re.M))
    required = set(re.findall(r'^require\("(\w+)"', cells, re.M))
    assert len(checked) == 6 and required == set(checked)
    for exercise, check in checked.items():
        assert validation.PUBLIC_CHECKS[exercise].endswith(f":{check}"), exercise
        assert validation.check_for(exercise).__name__ == check
