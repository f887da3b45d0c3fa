"""public_check: it speaks to the student, and under nbgrader it only says it was skipped."""

from resnet_course.autograder.checks.common import public_check


def _counting_check():
    calls = []

    def check(value):
        calls.append(value)
        return [] if value == 1 else [("check.failed", {"exercise": "toy"})]

    return check, calls


def test_public_check_runs_and_prints_the_verdict(monkeypatch, capsys):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    check, calls = _counting_check()
    public_check("toy", check, 1)
    public_check("toy", check, 2)
    out = capsys.readouterr().out
    assert calls == [1, 2]
    assert "toy: all public tests passed" in out and "toy: something needs fixing" in out


def test_public_check_is_skipped_while_grading(monkeypatch, capsys):
    check, calls = _counting_check()
    for mode in ("autograde", "validate"):
        monkeypatch.setenv("NBGRADER_EXECUTION", mode)
        public_check("toy", check, 2)
    out = capsys.readouterr().out
    assert calls == []  # the check's cost is not paid: nobody reads it and it decides nothing
    assert out.count("public checks are skipped while grading") == 2
    assert "채점 중에는 공개 검사를 건너뜁니다" in out
