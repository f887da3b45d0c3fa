"""`resnet-course report`: what the class got wrong, from what `resnet-course grade` stored.

    resnet-course report [--assignment resnet] [--out DIR] [--course DIR] [--student ID ...]

An item analysis for the instructor: the score distribution per notebook and in total, every
check's pass rate and mean points (grouped by exercise, the hardest first), the mistakes the
judge named ordered by how many students made them (with links to their feedback pages), the
students who could not be graded as normal and why, and how long grading took.

It reads only `<course>/.grading/<assignment>/` (`report_store`): no kernel runs, no submission
is opened, and a class graded with `--jobs` or on a cluster reports alike. It writes, to
`--out` (default `<course>/report/<assignment>/`):

  report.html     one self-contained page (plots inline), in RESNET_COURSE_LANG
  report.json     every figure of the page
  summary.csv  histograms.csv  checks.csv  mistakes.csv  irregular.csv  students.csv
"""

import csv
import json
import os
from pathlib import Path
from urllib.parse import quote

from resnet_course.utils.messages import CourseError, label, register, text

from .arguments import add_course_arguments
from .report_page import render_page
from .report_stats import class_figures
from .report_store import read_class

register({
    "report.arg.out": {"ko": "보고서를 쓸 폴더 (기본값: <과정>/report/<과제>/)",
                       "en": "folder for the report (default: <course>/report/<assignment>/)"},
    "report.help": {
        "ko": "저장된 채점 결과로 학급 보고서(HTML, JSON, CSV)를 만듭니다: 점수 분포, 검사별 통과율, 자주 나온 실수.",
        "en": "Write the class report (HTML, JSON, CSV) from the stored grading results: score "
              "distributions, pass rate per check, the most common mistakes.",
    },
    "report.none": {
        "ko": "{path}에 과제 {assignment}의 채점 결과가 없습니다. 먼저 `resnet-course grade` 명령을 실행하세요.",
        "en": "No grading results for {assignment} in {path}. Run `resnet-course grade` first.",
    },
    "report.written": {"ko": "학급 보고서: {path}", "en": "Class report: {path}"},
})

PAGE = "report.html"


def feedback_links(course, assignment, out, students):
    """{student: link to their feedback page, relative to the report's folder} (None: no page)."""
    links = {}
    for student in students:
        page = Path(course) / "feedback" / student / assignment / "feedback.html"
        if page.is_file():
            relative = os.path.relpath(page.resolve(), Path(out).resolve())
            links[student] = "/".join(quote(part) for part in Path(relative).parts)
        else:
            links[student] = None
    return links


def _unreadable(stored):
    return [{"path": str(path), "key": key, "ko": text(key, in_language="ko", **values),
             "en": text(key, in_language="en", **values)} for path, key, values in stored.unreadable]


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_tables(out, figures):
    """The figures of the page as CSV files, one per table; returns their paths."""
    out = Path(out)
    notebooks = list(figures["structure"])
    written = {
        "summary.csv": (["part", "students", "max_score", "mean", "median", "min", "max", "full", "zero"],
                        [[p["part"], p["students"], p["max_score"], p["mean"], p["median"], p["min"], p["max"],
                          p["full"], p["zero"]] for p in figures["distributions"]]),
        "histograms.csv": (["part", "low", "high", "full_marks", "students"],
                           [[p["part"], b["low"], b["high"], b["full"], b["count"]]
                            for p in figures["distributions"] for b in p["histogram"]["bins"]]),
        "checks.csv": (["exercise", "notebook", "grade_id", "max_score", "students", "passed", "pass_rate",
                        "mean_points", "top_mistakes"],
                       [[c["exercise"], c["notebook"], c["grade_id"], c["max_score"], c["students"], c["passed"],
                         c["pass_rate"], c["mean_points"],
                         " ".join(f"{m['key']}:{m['count']}" for m in c["top_mistakes"])]
                        for group in figures["checks"] for c in group["checks"]]),
        "mistakes.csv": (["kind", "key", "students_total", "grade_id", "students_in_check", "students", "ko", "en"],
                         [[kind, m["key"], m["count"], c["grade_id"], c["count"], ";".join(c["students"]),
                           m["texts"][0]["ko"], m["texts"][0]["en"]]
                          for kind, entries in (("mistake", figures["mistakes"]), ("no_result", figures["no_result"]))
                          for m in entries for c in m["checks"]]),
        "irregular.csv": (["student", "status", "score", "max_score", "kind", "notebook", "key", "ko", "en"],
                          [[s["student"], s["status"], s["score"], s["max_score"], r["kind"], r["notebook"] or "",
                            r["key"] or "", r["ko"], r["en"]] for s in figures["irregular"] for r in s["reasons"]]),
        "students.csv": (["student", "status", *notebooks, "total", "max_score", "seconds"],
                         [[row["student"], row["status"], *[row["scores"].get(nb, "") for nb in notebooks],
                           row["score"], row["max_score"], "" if row["seconds"] is None else row["seconds"]]
                          for row in figures["student_rows"]]),
    }
    paths = []
    for name, (header, rows) in written.items():
        _write_csv(out / name, header, rows)
        paths.append(out / name)
    return paths


def _replace(path, content):
    """Write beside, then rename: a report being read in a browser is never half-written."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)


def write_report(course, assignment="resnet", out=None, students=None):
    """Read the stored results, write the page, the JSON and the CSV files; return the page's path."""
    course = Path(course)
    out = Path(out) if out else course / "report" / assignment
    stored = read_class(course, assignment, students)
    if not stored.students:
        raise CourseError("report.none", assignment=assignment, path=course / ".grading" / assignment)
    figures = class_figures(stored)
    links = feedback_links(course, assignment, out, [s.name for s in stored.students])
    figures["feedback"] = links
    figures["unreadable"] = _unreadable(stored)
    out.mkdir(parents=True, exist_ok=True)
    _replace(out / "report.json", json.dumps(figures, ensure_ascii=False, indent=1))
    write_tables(out, figures)
    _replace(out / PAGE, render_page(figures, links, figures["unreadable"]))
    return out / PAGE


def _run(args):
    from ..authoring.sources import course_root

    page = write_report(Path(args.course or course_root()), args.assignment, args.out, args.student or None)
    print(text("report.written", path=page))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("report", help=label("report.help"), description=text("report.help"))
    add_course_arguments(parser, students=True)
    parser.add_argument("--out", default=None, help=label("report.arg.out"))
    parser.set_defaults(func=_run)
