"""`resnet-course feedback`: bilingual pages with each check's points, never hidden-test code."""

import re

import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import feedback
from resnet_course.autograder.grading import command as grade
from resnet_course.autograder.grading.course_state import load_course_config
from resnet_course.autograder.cli import main as cli_main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback")
    course = gh.make_course(root / "course")
    submitted = root / "submitted"
    gh.write_submission(submitted, "mina", gh.solved(course, {"square": "    return x + x"}))
    # A message that repeats a hidden test line must not carry it into the page.
    echo = "    raise ValueError('assert add(10, -3) == 7  # " + gh.HIDDEN_MARKER + "')"
    gh.write_submission(submitted, "echo", gh.solved(course, {"add": echo}))
    grade.grade_class(submitted, course=course, assignment="tiny", jobs=2, progress=False, log=lambda *_: None)
    return course


def test_pages_show_points_and_messages_in_both_languages(graded, capsys):
    assert cli_main(["feedback", "--course", str(graded), "--assignment", "tiny"]) == 0
    assert "Wrote 2 feedback pages" in capsys.readouterr().out
    page = (graded / "feedback" / "mina" / "tiny" / "feedback.html").read_text()
    assert "채점 피드백: tiny / Grading feedback: tiny" in page
    assert "총점 / Total:</b> 7 / 10" in page
    assert re.search(r"<td>square_values</td><td class=\"points\">0 / 3</td>", page)
    assert re.search(r"<td>add_values</td><td class=\"points\">2 / 2</td>", page)
    assert "통과했습니다." in page and "AssertionError" in page


def test_no_hidden_test_code_reaches_the_pages(graded):
    cli_main(["feedback", "--course", str(graded), "--assignment", "tiny"])
    hidden = feedback.hidden_test_lines(graded, "tiny")
    assert any(gh.HIDDEN_MARKER in line for line in hidden)
    for page in (graded / "feedback").glob("*/tiny/feedback.html"):
        content = page.read_text()
        assert gh.HIDDEN_MARKER not in content and "BEGIN HIDDEN TESTS" not in content
        for line in hidden:
            assert line not in content
        assert "def add" not in content  # no code at all
    echo = (graded / "feedback" / "echo" / "tiny" / "feedback.html").read_text()
    assert "[숨겨진 테스트의 내용은 보여 주지 않습니다]" in echo


def test_nbgraders_own_feedback_would_have_shown_them(graded):
    """Why ours exists (nbgrader issue #917): generate_feedback renders the hidden tests."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = load_course_config(graded)
    config.CourseDirectory.root = str(graded)
    config.CourseDirectory.db_url = f"sqlite:///{graded / 'gradebook.db'}"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    assert api.generate_feedback("tiny", "mina")["success"]
    theirs = (graded / "feedback" / "mina" / "tiny" / "01_basics.html").read_text()
    assert gh.HIDDEN_MARKER in theirs


def test_scrub_blanks_hidden_lines_only():
    hidden = {"assert secret_check(x) == 42"}
    assert feedback.scrub("ok line\n  assert secret_check(x) == 42", hidden) == \
        "ok line\n" + feedback.text("feedback.hidden")
