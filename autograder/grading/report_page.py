"""The report as one self-contained HTML page: what the class got wrong, for the instructor.

Drawn from the figures (`report_stats.class_figures`) and the plots (`report_plots`, inlined as
data URIs), so the page opens from disk, needs no network and prints on A4. Headings and
sentences follow RESNET_COURSE_LANG (`both`: Korean, then English); the judge's messages are
shown in the language(s) chosen, each from the catalog.
"""

import base64
import html
import re

from resnet_course.utils.messages import get_language, label, register, text

from . import report_plots
from .report_plots import part_title

register({
    "report.title": {"ko": "학급 채점 보고서: {assignment}", "en": "Class report: {assignment}"},
    "report.intro": {
        "ko": "학생 {students}명의 저장된 채점 결과로 만들었습니다. 커널은 다시 실행하지 않았습니다.",
        "en": "Made from the stored grading results of {students} students. No kernel was run again.",
    },
    "report.section.summary": {"ko": "점수 요약", "en": "Scores at a glance"},
    "report.section.checks": {"ko": "검사별 결과 (실습별, 어려운 검사부터)", "en": "Checks (by exercise, hardest first)"},
    "report.section.mistakes": {"ko": "자주 나온 실수", "en": "Mistakes by frequency"},
    "report.section.no_result": {"ko": "채점기에 결과가 전달되지 않은 검사", "en": "Checks no result reached"},
    "report.section.irregular": {"ko": "정상적으로 채점되지 않은 학생", "en": "Students not graded as normal"},
    "report.section.timing": {"ko": "채점 시간", "en": "Grading time"},
    "report.section.notes": {"ko": "참고", "en": "Notes"},
    "report.col.part": {"ko": "노트북", "en": "Notebook"},
    "report.col.students": {"ko": "학생 수", "en": "Students"},
    "report.col.mean": {"ko": "평균", "en": "Mean"},
    "report.col.median": {"ko": "중앙값", "en": "Median"},
    "report.col.full": {"ko": "만점", "en": "Full marks"},
    "report.col.zero": {"ko": "0점", "en": "Zero"},
    "report.col.check": {"ko": "검사", "en": "Check"},
    "report.col.pass_rate": {"ko": "통과율", "en": "Pass rate"},
    "report.col.passed": {"ko": "통과한 학생", "en": "Passed"},
    "report.col.mean_points": {"ko": "평균 점수", "en": "Mean points"},
    "report.col.top_mistakes": {"ko": "가장 흔한 실수", "en": "Most common mistakes"},
    "report.col.rank": {"ko": "순위", "en": "Rank"},
    "report.col.mistake": {"ko": "채점기의 메시지", "en": "What the judge said"},
    "report.col.where": {"ko": "나온 검사", "en": "In checks"},
    "report.col.who": {"ko": "학생 (피드백으로 연결)", "en": "Students (linked to their feedback)"},
    "report.col.student": {"ko": "학생", "en": "Student"},
    "report.col.status": {"ko": "상태", "en": "Status"},
    "report.col.score": {"ko": "총점", "en": "Total"},
    "report.col.kind": {"ko": "종류", "en": "Kind"},
    "report.col.reason": {"ko": "이유", "en": "Reason"},
    "report.col.seconds": {"ko": "채점 시간(초)", "en": "Seconds"},
    "report.col.memory": {"ko": "커널의 최대 메모리(MB)", "en": "Kernel peak memory (MB)"},
    "report.exercise": {"ko": "실습 {exercise} ({notebook})", "en": "Exercise {exercise} ({notebook})"},
    "report.variants": {
        "ko": "같은 실수가 값만 바뀌어 {count}가지 문장으로 나왔습니다.",
        "en": "The same mistake came in {count} wordings, with different values.",
    },
    "report.none_named": {
        "ko": "채점기가 이름 붙인 실수가 없습니다.",
        "en": "The judge named no mistake.",
    },
    "report.none_irregular": {"ko": "모든 학생이 정상적으로 채점되었습니다.", "en": "Every student was graded as normal."},
    "report.timing_summary": {
        "ko": "학생 {timed}명의 채점 시간 합계 {total:.1f}초, 평균 {mean:.1f}초, 중앙값 {median:.1f}초입니다. "
              "작업자 여럿이 동시에 채점했다면 실제로 걸린 시간은 이보다 짧습니다.",
        "en": "Grading {timed} students took {total:.1f} s in all, {mean:.1f} s on average, "
              "{median:.1f} s in the median. With several workers at once, the wall-clock time was shorter.",
    },
    "report.untimed": {
        "ko": "채점 시간이 기록되지 않은 학생: {students}",
        "en": "Students whose grading time was not recorded: {students}",
    },
    "report.slowest": {"ko": "가장 오래 걸린 학생", "en": "The slowest students"},
    "report.unreadable": {
        "ko": "읽을 수 없는 저장 파일이 있어 그 파일만 빼고 만들었습니다:",
        "en": "Some stored files could not be read; the report leaves out only those:",
    },
    "report.other_version": {
        "ko": "이 학생들은 다른 판의 과정으로 채점되었습니다. `resnet-course grade` 명령을 다시 실행하면 현재 과정으로 다시 채점합니다: {students}",
        "en": "These students were graded against another version of the course; running `resnet-course grade` "
              "again grades them against the current one: {students}",
    },
    "report.no_feedback": {
        "ko": "피드백 페이지가 없는 학생은 연결하지 않았습니다. `resnet-course feedback` 명령으로 만드세요.",
        "en": "Students without a feedback page are not linked. Write the pages with `resnet-course feedback`.",
    },
})

STYLE = """
body { font-family: 'Noto Sans CJK KR', 'NanumGothic', 'Malgun Gothic', sans-serif; margin: 2em auto;
       max-width: 72em; padding: 0 1em; line-height: 1.45; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 2px solid #3b6ea8; padding-bottom: 0.2em; }
nav a { margin-right: 1em; }
table { border-collapse: collapse; width: 100%; margin: 0.8em 0 1.5em; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.55em; vertical-align: top; text-align: left; }
th { background: #f1f4f8; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.group th { background: #e3ebf5; font-size: 1.02em; }
.bar { display: inline-block; height: 0.8em; background: #3b6ea8; vertical-align: middle; margin-right: 0.4em; }
.bar.full { background: #2e8540; }
.en { color: #444; }
.names { font-size: 0.85em; }
.variant { font-size: 0.85em; color: #555; margin-top: 0.3em; }
code { background: #f4f4f4; padding: 0 0.2em; }
figure { margin: 1em 0; } img { max-width: 100%; height: auto; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 0.5em 1em; margin: 1em 0; }
@page { size: A4; margin: 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  tr, figure, img, .note { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  .bar, th, tr.group th { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""

MISTAKE_COLUMNS = ("report.col.rank", "report.col.mistake", "report.col.students", "report.col.where",
                   "report.col.who")
SECTIONS = ("summary", "checks", "mistakes", "no_result", "irregular", "timing", "notes")
esc = html.escape
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def _heading(key, **values):
    return esc(label(key, **values))


def _sentence(key, **values):
    """A sentence in the language in force; in `both`, Korean then English on its own line."""
    if get_language() == "both":
        return (f'<span lang="ko">{esc(text(key, in_language="ko", **values))}</span><br>'
                f'<span lang="en" class="en">{esc(text(key, in_language="en", **values))}</span>')
    return esc(text(key, **values))


def _prose(message):
    """A catalog message as HTML: escaped, its `inline code` set as code."""
    return _INLINE_CODE.sub(r"<code>\1</code>", esc(message))


def _pair(ko, en):
    """A text known in both languages (a judge message, a reason), shown as the language asks."""
    lang = get_language()
    if lang == "ko":
        return f'<div lang="ko">{_prose(ko)}</div>'
    if lang == "en" or ko == en:
        return f'<div lang="en">{_prose(en)}</div>'
    return f'<div lang="ko">{_prose(ko)}</div><div lang="en" class="en">{_prose(en)}</div>'


def _number(value):
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, (int, float)) else esc(str(value))


def _megabytes(value):
    return f"{value / 2**20:.0f}" if isinstance(value, (int, float)) and value else "—"


def _image(png, alt):
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}"></figure>'


def _student(name, links):
    href = links.get(name)
    return f'<a href="{esc(href)}">{esc(name)}</a>' if href else esc(name)


def _students(names, links):
    return '<div class="names">' + ", ".join(_student(name, links) for name in names) + "</div>"


def _anchor(key):
    return "mistake-" + "".join(ch if ch.isalnum() else "-" for ch in key)


def _table(headers, rows):
    head = "".join(f"<th>{_heading(key)}</th>" for key in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _summary(figures):
    rows = [f"<tr><td>{esc(part_title(part['part']))}</td><td class='num'>{part['students']}</td>"
            f"<td class='num'>{_number(part['mean'])} / {_number(part['max_score'])}</td>"
            f"<td class='num'>{_number(part['median'])}</td><td class='num'>{part['full']}</td>"
            f"<td class='num'>{part['zero']}</td></tr>" for part in figures["distributions"]]
    table = _table(("report.col.part", "report.col.students", "report.col.mean", "report.col.median",
                    "report.col.full", "report.col.zero"), rows)
    return table + _image(report_plots.score_histograms(figures["distributions"]), label("report.plot.distributions"))


def _rate(rate):
    if rate is None:
        return "—"
    percent = round(100 * rate)
    return f'<span class="bar{" full" if percent >= 100 else ""}" style="width:{percent * 0.6:.0f}px"></span>{percent}%'


def _checks(figures):
    rows = []
    for group in figures["checks"]:
        rows.append(f'<tr class="group"><th colspan="5">'
                    f'{_heading("report.exercise", exercise=group["exercise"], notebook=group["notebook"])}</th></tr>')
        for check in group["checks"]:
            top = ", ".join(f'<a href="#{_anchor(m["key"])}"><code>{esc(m["key"])}</code></a> ({m["count"]})'
                            for m in check["top_mistakes"])
            rows.append(f"<tr><td><code>{esc(check['grade_id'])}</code></td>"
                        f"<td class='num'>{_rate(check['pass_rate'])}</td>"
                        f"<td class='num'>{check['passed']} / {check['students']}</td>"
                        f"<td class='num'>{_number(check['mean_points'])} / {_number(check['max_score'])}</td>"
                        f"<td>{top}</td></tr>")
    table = _table(("report.col.check", "report.col.pass_rate", "report.col.passed", "report.col.mean_points",
                    "report.col.top_mistakes"), rows)
    return _image(report_plots.check_pass_rates(figures["checks"]), label("report.plot.checks")) + table


def _mistake_rows(entries, links):
    rows = []
    for rank, entry in enumerate(entries, 1):
        first = entry["texts"][0]
        said = _pair(first["ko"], first["en"])
        if len(entry["texts"]) > 1:
            said += f'<div class="variant">{_sentence("report.variants", count=len(entry["texts"]))}</div>'
            said += "".join(f'<div class="variant">({variant["count"]}) {_pair(variant["ko"], variant["en"])}</div>'
                            for variant in entry["texts"][1:3])
        where = "<br>".join(f"<code>{esc(check['grade_id'])}</code> ({check['count']})" for check in entry["checks"])
        rows.append(f'<tr id="{_anchor(entry["key"])}"><td class="num">{rank}</td>'
                    f'<td><code>{esc(entry["key"])}</code>{said}</td><td class="num">{entry["count"]}</td>'
                    f"<td>{where}</td><td>{_students(entry['students'], links)}</td></tr>")
    return rows


def _mistakes(figures, links):
    if not figures["mistakes"]:
        return f"<p>{_sentence('report.none_named')}</p>"
    table = _table(MISTAKE_COLUMNS, _mistake_rows(figures["mistakes"], links))
    return _image(report_plots.mistake_counts(figures["mistakes"]), label("report.plot.mistakes")) + table


def _no_result(figures, links):
    if not figures["no_result"]:
        return ""
    return _table(MISTAKE_COLUMNS, _mistake_rows(figures["no_result"], links))


def _irregular(figures, links):
    if not figures["irregular"]:
        return f"<p>{_sentence('report.none_irregular')}</p>"
    rows = []
    for student in figures["irregular"]:
        for reason in student["reasons"]:
            rows.append(f"<tr><td>{_student(student['student'], links)}</td><td>{esc(str(student['status']))}</td>"
                        f"<td class='num'>{_number(student['score'])} / {_number(student['max_score'])}</td>"
                        f"<td>{_heading('report.kind.' + reason['kind'])}</td>"
                        f"<td>{esc(reason['notebook'] or '')}</td><td>{_pair(reason['ko'], reason['en'])}</td></tr>")
    return _table(("report.col.student", "report.col.status", "report.col.score", "report.col.kind",
                   "report.col.part", "report.col.reason"), rows)


def _timing(figures, links):
    timing = figures["timing"]
    parts = []
    if timing["students_timed"]:
        summary = _sentence("report.timing_summary", timed=timing["students_timed"], total=timing["total_seconds"],
                            mean=timing["mean_seconds"], median=timing["median_seconds"])
        parts.append(f"<p>{summary}</p>")
        parts.append(_image(report_plots.grading_times(timing), label("report.plot.timing")))
        rows = [f"<tr><td>{_student(row['student'], links)}</td><td class='num'>{row['seconds']:.1f}</td>"
                f"<td class='num'>{_megabytes(row['peak_kernel_memory'])}</td></tr>" for row in timing["slowest"]]
        parts.append(f"<h3>{_heading('report.slowest')}</h3>")
        parts.append(_table(("report.col.student", "report.col.seconds", "report.col.memory"), rows))
    if timing["untimed"]:
        parts.append(f"<p>{_sentence('report.untimed', students=', '.join(timing['untimed']))}</p>")
    return "".join(parts)


def _notes(figures, unreadable, links):
    notes = []
    if unreadable:
        items = "".join(f"<li><code>{esc(item['path'])}</code>: {_pair(item['ko'], item['en'])}</li>"
                        for item in unreadable)
        notes.append(f'<div class="note">{_sentence("report.unreadable")}<ul>{items}</ul></div>')
    if figures["course_versions"]["other_version"]:
        others = ", ".join(figures["course_versions"]["other_version"])
        notes.append(f'<div class="note">{_sentence("report.other_version", students=others)}</div>')
    if any(links.get(row["student"]) is None for row in figures["student_rows"]):
        notes.append(f'<div class="note">{_sentence("report.no_feedback")}</div>')
    return "".join(notes)


def render_page(figures, links, unreadable):
    """The whole page as one string."""
    lang = get_language()
    bodies = {
        "summary": _summary(figures),
        "checks": _checks(figures),
        "mistakes": _mistakes(figures, links),
        "no_result": _no_result(figures, links),
        "irregular": _irregular(figures, links),
        "timing": _timing(figures, links),
        "notes": _notes(figures, unreadable, links),
    }
    shown = [name for name in SECTIONS if bodies[name]]
    nav = "".join(f'<a href="#{name}">{_heading("report.section." + name)}</a>' for name in shown)
    title = _heading("report.title", assignment=figures["assignment"])
    sections = "".join(f'<section id="{name}"><h2>{_heading("report.section." + name)}</h2>{bodies[name]}</section>'
                       for name in shown)
    return ("<!DOCTYPE html>\n"
            f'<html lang="{"en" if lang == "en" else "ko"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
            f"<p>{_sentence('report.intro', students=figures['students'])}</p><nav>{nav}</nav>{sections}"
            "</body></html>\n")
