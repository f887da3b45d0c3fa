"""`resnet-course feedback`: one HTML page per student, in Korean and English.

Built from what `resnet-course grade` stored (`<course>/.grading/<assignment>/<student>/`):
each check's points and the judge's message, and, where the judge drew one, the student's
plot beside the reference. It holds no code at all: nbgrader's own feedback renders the
autograded notebook, hidden tests included (nbgrader issue #917). As a second guard, any
message line that repeats a line of a hidden test block is blanked out before it is shown.

Pages go to `<course>/feedback/<student>/<assignment>/feedback.html` (nbgrader's feedback
folder, where its exchange returns feedback to students), self-contained (images inline).
"""

import base64
import html
import json
import re
from pathlib import Path

from resnet_course.utils.messages import label, register, text

from .arguments import add_course_arguments

register({
    "feedback.help": {
        "ko": "학생별 채점 피드백을 HTML로 만듭니다 (한국어와 영어, 숨겨진 테스트 코드는 넣지 않음).",
        "en": "Write each student's grading feedback as HTML (Korean and English, never hidden test code).",
    },
    "feedback.title": {"ko": "채점 피드백: {assignment}", "en": "Grading feedback: {assignment}"},
    "feedback.student": {"ko": "학생", "en": "Student"},
    "feedback.total": {"ko": "총점", "en": "Total"},
    "feedback.check": {"ko": "검사", "en": "Check"},
    "feedback.points": {"ko": "점수", "en": "Points"},
    "feedback.message": {"ko": "설명", "en": "What to look at"},
    "feedback.passed": {"ko": "통과했습니다.", "en": "Passed."},
    "feedback.note": {"ko": "채점 중 알게 된 점", "en": "Notes from grading"},
    "feedback.plot": {
        "ko": "왼쪽: 여러분의 그래프, 오른쪽: 기대한 그래프",
        "en": "Left: your plot, right: the expected plot",
    },
    "feedback.hidden": {"ko": "[숨겨진 테스트의 내용은 보여 주지 않습니다]", "en": "[hidden test content is not shown]"},
    "feedback.none": {
        "ko": "{assignment}의 채점 결과가 없습니다. 먼저 `resnet-course grade` 명령을 실행하세요.",
        "en": "No grading results for {assignment}. Run `resnet-course grade` first.",
    },
    "feedback.written": {"ko": "피드백 {count}개를 {path}에 썼습니다.", "en": "Wrote {count} feedback pages to {path}."},
})

_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)

STYLE = """
body { font-family: 'Noto Sans CJK KR', 'NanumGothic', 'Malgun Gothic', sans-serif; margin: 2em auto;
       max-width: 60em; line-height: 1.5; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.4em 0.6em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
td.points { white-space: nowrap; text-align: right; }
tr.full td.points { color: #1a7f37; } tr.partial td.points { color: #b35900; }
pre { white-space: pre-wrap; margin: 0; font-family: inherit; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5em 1em; }
img { max-width: 100%; border: 1px solid #ddd; }
"""


def hidden_test_lines(course, assignment):
    """Every non-trivial line inside a hidden-test block of the assignment's source notebooks."""
    import nbformat

    lines = set()
    for path in sorted((Path(course) / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            for block in _HIDDEN.findall(cell.source):
                lines.update(line.strip() for line in block.splitlines() if len(line.strip()) >= 6)
    return lines


def scrub(message, hidden):
    """Blank out any line of `message` that repeats hidden-test code."""
    kept = []
    for line in message.splitlines():
        stripped = line.strip()
        if any(code in stripped for code in hidden if len(code) >= 6) or \
                (len(stripped) >= 6 and stripped in hidden):
            kept.append(text("feedback.hidden"))
        else:
            kept.append(line)
    return "\n".join(kept)


def _both(key, **values):
    return f"{text(key, in_language='ko', **values)} / {text(key, in_language='en', **values)}"


def _number(value):
    return f"{value:g}"


def _plots(folder, notebook):
    """The judge's pictures for a notebook: the student's plot beside the reference, per case."""
    figures = []
    for path in sorted((Path(folder) / "judge" / notebook).glob("*.png")):
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        figures.append(f'<figure><img alt="{html.escape(path.stem)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{html.escape(path.stem)}: {html.escape(_both('feedback.plot'))}"
                       f"</figcaption></figure>")
    return "\n".join(figures)


def render(result, assignment, folder, hidden):
    """The HTML page for one student's result."""
    esc = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="ko"><head><meta charset="utf-8">',
             f"<title>{esc(_both('feedback.title', assignment=assignment))}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{esc(_both('feedback.title', assignment=assignment))}</h1>",
             f"<p><b>{esc(_both('feedback.student'))}:</b> {esc(result['student'])}<br>",
             f"<b>{esc(_both('feedback.total'))}:</b> {_number(result['score'])} / "
             f"{_number(result['max_score'])}</p>"]
    if result.get("reason"):
        parts.append(f'<div class="note"><b>{esc(_both("feedback.note"))}</b>'
                     f"<pre>{esc(scrub(result['reason'], hidden))}</pre></div>")
    for notebook, outcome in result["notebooks"].items():
        parts.append(f"<h2>{esc(notebook)} — {_number(outcome['score'])} / {_number(outcome['max_score'])}</h2>")
        parts.append(f"<table><tr><th>{esc(_both('feedback.check'))}</th><th>{esc(_both('feedback.points'))}</th>"
                     f"<th>{esc(_both('feedback.message'))}</th></tr>")
        for grade_id, grade in outcome["grades"].items():
            full = grade["score"] >= grade["max_score"]
            message = "\n".join(grade["messages"]) if grade["messages"] else \
                (text("feedback.passed") if full else "")
            parts.append(f'<tr class="{"full" if full else "partial"}"><td>{esc(grade_id)}</td>'
                         f'<td class="points">{_number(grade["score"])} / {_number(grade["max_score"])}</td>'
                         f"<td><pre>{esc(scrub(message, hidden))}</pre></td></tr>")
        parts.append("</table>")
        parts.append(_plots(folder, notebook))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_feedback(course, assignment, students=None):
    """Write every (or the named) student's page; return the paths written."""
    course = Path(course)
    store = course / ".grading" / assignment
    hidden = hidden_test_lines(course, assignment)
    written = []
    for result_file in sorted(store.glob("*/result.json")):
        result = json.loads(result_file.read_text())
        if students and result["student"] not in students:
            continue
        target = course / "feedback" / result["student"] / assignment / "feedback.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(result, assignment, result_file.parent, hidden), encoding="utf-8")
        written.append(target)
    return written


def _run(args):
    from resnet_course.utils.messages import CourseError

    from ..authoring.sources import course_root

    course = Path(args.course or course_root())
    written = write_feedback(course, args.assignment, args.student or None)
    if not written:
        raise CourseError("feedback.none", assignment=args.assignment)
    print(text("feedback.written", count=len(written), path=course / "feedback"))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("feedback", help=label("feedback.help"),
                                   description=text("feedback.help"))
    add_course_arguments(parser, students=True)
    parser.set_defaults(func=_run)
