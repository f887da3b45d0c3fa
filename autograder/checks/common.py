"""What every public check shares: running a student's function, naming what is wrong.

A public check runs in the student's kernel on public inputs and speaks to the student;
it never decides a grade (the judge does, outside the kernel). A check is a function that
returns a list of problems, each a catalog key with the values its message needs. This
module runs it, turns "not answered yet" (NotImplementedError) and crashes inside the
student's code into plain bilingual sentences, and prints or raises the verdict.
"""

import traceback

from resnet_course.utils.messages import register, text
from resnet_course.utils.runmode import run_mode

register({
    "check.passed": {
        "ko": "✅ {exercise}: 모든 공개 테스트를 통과했습니다.",
        "en": "✅ {exercise}: all public tests passed.",
    },
    "check.failed": {
        "ko": "❌ {exercise}: 고칠 곳이 있습니다.",
        "en": "❌ {exercise}: something needs fixing.",
    },
    "check.not_answered": {
        "ko": "⏳ {exercise}: 아직 답을 작성하지 않았습니다. 위의 `# GRADED FUNCTION: {exercise}` 셀에서 "
              "`raise NotImplementedError()`를 지우고 코드를 작성한 뒤 그 셀을 실행하세요.",
        "en": "⏳ {exercise}: not answered yet. In the `# GRADED FUNCTION: {exercise}` cell above, replace "
              "`raise NotImplementedError()` with your code and run that cell.",
    },
    "check.not_defined": {
        "ko": "⏳ {exercise}: 함수가 아직 정의되지 않았습니다. 위의 `# GRADED FUNCTION: {exercise}` 셀을 먼저 실행하세요.",
        "en": "⏳ {exercise}: the function is not defined yet. Run the `# GRADED FUNCTION: {exercise}` cell above first.",
    },
    "check.skipped_while_grading": {
        "ko": "ℹ️ {exercise}: 채점 중에는 공개 검사를 건너뜁니다. 점수와 안내는 채점 셀과 채점기(judge)가 정합니다.",
        "en": "ℹ️ {exercise}: public checks are skipped while grading. The graded cells and the judge decide "
              "scores and messages.",
    },
    "check.returns_none": {
        "ko": "함수가 아무것도 돌려주지 않습니다(None). 마지막에 `return`을 잊지 않았는지 보세요.",
        "en": "The function returns nothing (None). Check that it ends with a `return`.",
    },
    "check.crashed": {
        "ko": "💥 {exercise}: 여러분의 코드를 실행하다가 오류가 났습니다: {error}\n   위치: {where}",
        "en": "💥 {exercise}: your code raised an error: {error}\n   at: {where}",
    },
})


class NotAnswered(Exception):
    """The student's function still raises NotImplementedError (or is missing)."""


def _student_frame(error):
    """The innermost traceback line that is not inside the course's own packages or libraries."""
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        name = frame.filename
        if "site-packages" in name or "resnet_course" in name or "/autograder/" in name or "/utils/" in name:
            continue
        return f"{name}:{frame.lineno}: {frame.line or ''}".strip()
    return frames[-1].line if frames else "?"


def collect_problems(exercise, check, *args, **kwargs):
    """Run `check(*args, **kwargs)`; return (status, lines) with status passed/failed/not_answered/crashed."""
    try:
        problems = check(*args, **kwargs)
    except NotAnswered:
        return "not_answered", [text("check.not_answered", exercise=exercise)]
    except NotImplementedError:
        return "not_answered", [text("check.not_answered", exercise=exercise)]
    except NameError as error:
        if exercise in str(error):
            return "not_answered", [text("check.not_defined", exercise=exercise)]
        return "crashed", [text("check.crashed", exercise=exercise, error=f"{type(error).__name__}: {error}",
                                where=_student_frame(error))]
    except Exception as error:  # the student's code, not ours: say where, not a 40-line traceback
        return "crashed", [text("check.crashed", exercise=exercise, error=f"{type(error).__name__}: {error}",
                                where=_student_frame(error))]
    if not problems:
        return "passed", [text("check.passed", exercise=exercise)]
    lines = [text("check.failed", exercise=exercise)]
    for key, values in problems:
        lines.append("  • " + text(key, **values).replace("\n", "\n    "))
    return "failed", lines


def public_check(exercise, check, *args, **kwargs):
    """Print a bilingual verdict for a public check cell.

    Returns nothing on purpose: a value would be echoed as `Out[n]: False` under the verdict.
    Code that needs the outcome calls `collect_problems`.

    Under nbgrader (autograde, validate) nobody reads a public check and none decides a
    grade, while some cost seconds (ResNet50's runs its model in two modes): it only says so.
    """
    if run_mode() == "autograde":
        print(text("check.skipped_while_grading", exercise=exercise))
        return
    _, lines = collect_problems(exercise, check, *args, **kwargs)
    print("\n".join(lines))


def require(exercise, check, *args, **kwargs):
    """The visible part of a graded test cell: raise AssertionError with the verdict unless it passed."""
    status, lines = collect_problems(exercise, check, *args, **kwargs)
    if status != "passed":
        raise AssertionError("\n".join(lines))


def runs(function, *args, **kwargs):
    """For `require(...)` in graded test cells: the function is answered and returns something."""
    if function(*args, **kwargs) is None:
        return [("check.returns_none", {})]
    return []
