"""Public checks that name Keras 2 habits instead of showing a bare Keras 3 error.

`naming_habits(check)` wraps a check: when the student's code raises an error that
`diagnosis.keras_habits` recognises (an old keyword, `AveragePooling2D()` without its
window, a name the original import cell gave), the check returns the problems that say what
to write in Keras 3, after the error itself. Any other error goes on to `common`, which
shows it with the line it came from. Kept beside `common.py` (which decides how a verdict
is printed) so that module stays as it is.
"""

import functools

from resnet_course.utils.messages import register

from ..diagnosis.crash_hints import error_summary
from ..diagnosis.keras_habits import habit_problems_of
from .common import DETAIL

register({
    "check.keras_error": {
        "ko": "여러분의 코드를 실행하다가 Keras 오류가 났습니다. Keras의 설명은 아래와 같습니다.",
        "en": "Keras raised an error while running your code; what Keras said is below.",
    },
})


def habit_problems_with_error(error):
    """[] when the error is not a known habit, else the error and the problems that name it."""
    problems = habit_problems_of(error)
    if not problems:
        return []
    # Keras's sentence once, under both languages (common.DETAIL), not inside each
    return [("check.keras_error", {DETAIL: error_summary(error)[:300]})] + problems


def naming_habits(check):
    """The check, returning named Keras 2 habits instead of raising them."""
    @functools.wraps(check)
    def wrapper(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except NotImplementedError:
            raise
        except Exception as error:
            problems = habit_problems_with_error(error)
            if not problems:
                raise
            return problems
    return wrapper
