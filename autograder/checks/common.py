"""What every public check shares: running a student's function, naming what is wrong.

A public check runs in the student's kernel on public inputs and speaks to the student;
it never decides a grade (the judge does, outside the kernel). A check is a function that
returns a list of problems, each a catalog key with the values its message needs. This
module runs it, turns "not answered yet" (NotImplementedError) and crashes inside the
student's code into plain bilingual sentences, and prints or raises the verdict.

The same check speaks in three places, by the nbgrader step running the notebook
(`utils.runmode.nbgrader_step`):

- the student runs the cells: the check cell prints its verdict; a graded test cell
  (`require`) after a failed check says in one line that the check above explains it;
- `nbgrader validate` (the toolbar's Validate): every graded test cell of an exercise fails
  with the public check's message when that check finds a problem, so Validate never says
  "Success" on a notebook whose check cells show ❌. The check runs once per exercise and
  function, however many test cells ask (`validation`);
- `nbgrader autograde`: the public checks stay silent (they cost seconds and decide nothing)
  and the judge alone decides.
"""

import linecache
import os
import textwrap
import traceback

from resnet_course.utils.messages import get_language, label, register, text
from resnet_course.utils.runmode import nbgrader_step

from . import validation
from ..diagnosis import shape_trace

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
        "ko": "⏳ {exercise}: 아직 답을 작성하지 않았습니다. 위의 `# GRADED FUNCTION: {exercise}` 셀에서 `raise "
              "NotImplementedError()` 줄을 지우고 코드를 작성한 뒤 그 셀을 실행하세요.",
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
        "ko": "함수가 아무것도 반환하지 않습니다(None). 마지막에 `return` 문을 잊지 않았는지 보세요.",
        "en": "The function returns nothing (None). Check that it ends with a `return`.",
    },
    "check.crashed": {
        "ko": "💥 {exercise}: 여러분의 코드를 실행하다가 오류가 났습니다.",
        "en": "💥 {exercise}: your code raised an error.",
    },
    "check.where": {"ko": "위치", "en": "at"},
    "check.case": {
        "ko": "(확인 셀이 정한 인자: {arguments})",
        "en": "(with the check's own arguments: {arguments})",
    },
    "check.case_input": {
        "ko": "(확인 셀이 정한 인자: 입력 {shape}, {arguments})",
        "en": "(with the check's own arguments: input {shape}, {arguments})",
    },
    "check.see_check_above": {
        "ko": "❌ {exercise}: 위의 확인 셀이 무엇을 고칠지 알려 줍니다.",
        "en": "❌ {exercise}: the check cell above explains what to fix.",
    },
    "check.see_cell_above": {
        "ko": "❌ {exercise}: 위의 채점 셀에 나온 설명을 보세요.",
        "en": "❌ {exercise}: see the explanation in the graded cell above.",
    },
})

# A problem's values may carry the arguments the check called the function with: the
# message then says that they are the check's own (f=2 is not what the notebook uses).
CASE = "check_case"
# ... and a line of no language, shown once under the message (Keras's own sentence about a
# failure): inside the template it would be repeated in each language.
DETAIL = "check_detail"


class NotAnswered(Exception):
    """The student's function still raises NotImplementedError (or is missing)."""


def with_case(problems, input_shape=None, **arguments):
    """The problems, each marked with the arguments the check called the function with.

    The message then says they are the check's own (f=2 is not what the notebook uses):
    'input 5×5×3, f=2, filters=[2, 3, 4], s=2'.
    """
    shape = shape_trace.shape_text(tuple(input_shape)) if input_shape is not None else None
    case = (shape, ", ".join(f"{name}={value!r}" for name, value in arguments.items()))
    return [(key, {**values, CASE: case}) for key, values in problems]


def unique(problems):
    """Problems in order, each said once (the same mistake found in two cases is one mistake)."""
    seen, kept = [], []
    for key, values in problems:
        plain = (key, {k: v for k, v in values.items() if k != CASE})
        if plain not in seen:
            seen.append(plain)
            kept.append((key, values))
    return kept


def render_problem(key, values):
    """One problem in the chosen language(s), with the check's own arguments when it has them."""
    languages = ("ko", "en") if get_language() == "both" else (get_language(),)
    lines = []
    for lang in languages:
        line = text(key, in_language=lang, **values)
        if values.get(CASE):
            shape, arguments = values[CASE]
            key_case = "check.case_input" if shape else "check.case"
            line += " " + text(key_case, in_language=lang, shape=shape, arguments=arguments)
        lines.append(line)
    if values.get(DETAIL):
        lines.append(values[DETAIL])
    return "\n".join(lines)


def _bullets(problems):
    return ["  • " + render_problem(key, values).replace("\n", "\n    ") for key, values in unique(problems)]


def _without_paths(value):
    """A message with the course's and the libraries' folders cut out (a student reads it)."""
    for folder in shape_trace.library_dirs():
        value = value.replace(folder + os.sep, "").replace(folder, "")
    return value


def _student_frame(error):
    """'line 12: X = Add()([X, X_shortcut])': the innermost line of the student's own code."""
    dirs = shape_trace.library_dirs()
    frames = traceback.extract_tb(error.__traceback__)
    for frame in reversed(frames):
        if shape_trace.is_library_file(frame.filename, dirs):
            continue
        name = os.path.basename(frame.filename or "")
        # A notebook cell runs from a temporary file (ipykernel) or a string: its name says nothing.
        place = f"line {frame.lineno}" if name.startswith("<") or "ipykernel" in (frame.filename or "") \
            else f"{name}:{frame.lineno}"
        return f"{place}: {(frame.line or '').strip()}".rstrip(": ")
    return None


def crash_lines(exercise, error):
    """The explanation of a crash inside the student's function, each part said once."""
    problems, summary = shape_trace.explain_crash(error, exercise)
    lines = [text("check.crashed", exercise=exercise)] + _bullets(problems)
    lines.append("   " + _without_paths(summary))
    where = _student_frame(error)
    if where:
        lines.append(f"   {label('check.where')}: {where}")
    return lines


def collect_problems(exercise, check, *args, **kwargs):
    """Run `check(*args, **kwargs)`; return (status, lines) with status passed/failed/not_answered/crashed."""
    try:
        problems = check(*args, **kwargs)
    except (NotAnswered, NotImplementedError):
        return "not_answered", [text("check.not_answered", exercise=exercise)]
    except NameError as error:
        if exercise in str(error):
            return "not_answered", [text("check.not_defined", exercise=exercise)]
        return "crashed", crash_lines(exercise, error)
    except Exception as error:  # the student's code, not ours: say what happened, not a 40-line traceback
        return "crashed", crash_lines(exercise, error)
    if not problems:
        return "passed", [text("check.passed", exercise=exercise)]
    return "failed", [text("check.failed", exercise=exercise)] + _bullets(problems)


def public_check(exercise, check, *args, **kwargs):
    """Print a bilingual verdict for a public check cell.

    Returns nothing on purpose: a value would be echoed as `Out[n]: False` under the verdict.
    Code that needs the outcome calls `collect_problems`.

    Under autograde nobody reads a public check and none decides a grade, while some cost
    seconds (ResNet50's runs its model in two modes): it only says so. Under validate it runs
    once for the exercise, and the graded test cells below reuse its verdict.
    """
    step = nbgrader_step()
    if step == "autograde":
        print(text("check.skipped_while_grading", exercise=exercise))
        return
    function = args[0] if args and callable(args[0]) else None
    validation.remember_check(exercise, check)
    if step == "validate" and function is not None:
        _, lines = validation.verdict(exercise, function, lambda: collect_problems(exercise, check, *args, **kwargs))
    else:
        status, lines = collect_problems(exercise, check, *args, **kwargs)
        if function is not None:
            validation.remember_shown(exercise, function, status, "check.see_check_above")
    print("\n".join(lines))


def _public_verdict(exercise, function):
    """(status, lines) of the exercise's public check on `function`, run once per function; None without a check."""
    check = validation.check_for(exercise)
    if check is None:
        return None
    return validation.verdict(exercise, function, lambda: collect_problems(exercise, check, function))


# nbgrader's validate report cuts every line at 87 characters (`Validator.width`, 90): the
# lines of a message raised under validate are wrapped to fit instead of losing their ends.
VALIDATE_WIDTH = 80
# Raised from code of its own, so the innermost frame IPython always shows names no file of
# the package (the frames of this module are hidden with `__tracebackhide__`).
_RAISE_FILE = "<resnet-course check>"
_RAISE_SOURCE = "raise AssertionError(message) from None  # 설명은 아래 / message below\n"
_RAISE = compile(_RAISE_SOURCE, _RAISE_FILE, "exec")
linecache.cache[_RAISE_FILE] = (len(_RAISE_SOURCE), None, [_RAISE_SOURCE], _RAISE_FILE)


def _wrapped(lines, width=VALIDATE_WIDTH):
    wrapped = []
    for line in "\n".join(lines).split("\n"):
        indent = len(line) - len(line.lstrip())
        extra = 2 if line.lstrip().startswith("•") else 0
        wrapped += textwrap.wrap(line, width=width, subsequent_indent=" " * (indent + extra),
                                 break_long_words=False, break_on_hyphens=False) or [""]
    return wrapped


def _fail(lines, step):
    """Raise AssertionError with the message, each line whole in nbgrader's validate report."""
    __tracebackhide__ = True
    message = "\n".join(_wrapped(lines) if step == "validate" else lines)
    exec(_RAISE, {"message": message})


def require(exercise, check, *args, **kwargs):
    """The visible part of a graded test cell: raise AssertionError with the verdict unless it passed.

    `check` is the cheap question every step asks (is the function answered, does it run).
    Under validate the exercise's public check must pass too. When the student runs the
    cells, a problem already explained above (by the check cell or an earlier graded cell,
    for this same function) is named in one line instead of being repeated.
    """
    __tracebackhide__ = True  # IPython: the student sees their cell's line, not this module's
    step = nbgrader_step()
    function = args[0] if args and callable(args[0]) else None
    if step == "validate" and function is not None:
        public = _public_verdict(exercise, function)
        if public is not None and public[0] != "passed":
            _fail(public[1], step)
    if step is None and function is not None:
        shown = validation.shown(exercise, function)
        if shown is not None:
            _fail([text(shown, exercise=exercise)], step)
    status, lines = collect_problems(exercise, check, *args, **kwargs)
    if status == "passed":
        return
    if step is None and function is not None:
        validation.remember_shown(exercise, function, status, "check.see_cell_above")
    _fail(lines, step)


def runs(function, *args, **kwargs):
    """For `require(...)` in graded test cells: the function is answered and returns something."""
    if function(*args, **kwargs) is None:
        return [("check.returns_none", {})]
    return []
