"""`resnet-course demo` (`make demo`): the instructor's run from start to finish, no browser.

Builds the course, writes a few example submissions into `course/.demo/submitted/`, grades
them with `resnet-course grade` into a gradebook of their own (`course/.demo/gradebook.db`,
so the course's real gradebook stays clean), writes their feedback pages, prints the grade
table and ends with the class report (`course/.demo/report/report.html`). The submissions
are made from the student copy, as a student would:

  demo-solution      every answer cell filled with the instructor's solution
  demo-untouched     the student copy as released
  demo-no-final-relu identity_block without the ReLU after the add (a typical mistake)
  demo-no-log-scale  plot_gradient_norms on a linear axis (a typical mistake)
  demo-cheat         nothing solved, every error silenced with set_custom_exc
"""

import re
import subprocess
import sys
from pathlib import Path

import nbformat

from resnet_course.utils.messages import CourseError, label, register, text

from .arguments import add_course_arguments, add_grading_arguments

register({
    "demo.help": {
        "ko": "과정을 빌드하고 예시 제출물을 만들어 채점한 뒤 성적표를 보여 줍니다.",
        "en": "Build the course, make example submissions, grade them and print the grade table.",
    },
    "demo.step": {"ko": "▶ 실행: {step}", "en": "▶ running: {step}"},
    "demo.arg.skip_build": {"ko": "과정을 다시 빌드하지 않고 지금 빌드된 그대로 씁니다",
                            "en": "use the course as it is built now"},
    "demo.build_failed": {
        "ko": "과정 빌드에 실패했습니다:\n{log}",
        "en": "Building the course failed:\n{log}",
    },
    "demo.done": {
        "ko": "데모 완료. 성적: {csv}  피드백: {feedback}",
        "en": "Demo done. Grades: {csv}  Feedback: {feedback}",
    },
})

_SOLUTION_MARKERS = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", re.M)
CHEAT = "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)\n"

# Typical mistakes as edits of the instructor's solution: (grade id, text, replacement).
MISTAKES = {
    "demo-no-final-relu": ("identity_block", '    X = Add()([X, X_shortcut])\n    X = Activation("relu")(X)\n',
                           "    X = Add()([X, X_shortcut])\n"),
    "demo-no-log-scale": ("plot_gradient_norms", '    ax.set_yscale("log")\n', ""),
}


def solutions(course, assignment):
    """{grade_id: answer cell source} from the instructor's source notebooks (markers removed)."""
    found = {}
    for path in sorted((Path(course) / "source" / assignment).glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and not meta.get("grade"):
                found[meta["grade_id"]] = _SOLUTION_MARKERS.sub("", cell.source)
    return found


def student_copy(course, assignment):
    """{notebook name: notebook} as released to students."""
    folder = Path(course) / "release" / assignment
    if not folder.is_dir():
        folder = Path(course).parent / "assignments" / assignment
    return {path.stem: nbformat.read(str(path), as_version=4) for path in sorted(folder.glob("*.ipynb"))}


def fill_answers(notebooks, answers):
    """Put `answers` ({grade_id: source}) into the answer cells of copies of `notebooks`."""
    filled = {}
    for name, nb in notebooks.items():
        nb = nbformat.from_dict(nb)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
                cell.source = answers[grade_id]
        filled[name] = nb
    return filled


def example_submissions(course, assignment):
    """{student: {notebook: notebook}} for the demo class."""
    released = student_copy(course, assignment)
    solved = solutions(course, assignment)
    class_ = {"demo-solution": fill_answers(released, solved),
              "demo-untouched": fill_answers(released, {})}
    for student, (grade_id, old, new) in MISTAKES.items():
        if grade_id in solved and old in solved[grade_id]:
            class_[student] = fill_answers(released, dict(solved, **{grade_id: solved[grade_id].replace(old, new)}))
    cheat = {}
    for name, nb in released.items():
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution"):
                cheat[meta["grade_id"]] = CHEAT + cell.source
    class_["demo-cheat"] = fill_answers(released, cheat)
    return class_


def write_class(folder, assignment, class_):
    for student, notebooks in class_.items():
        target = Path(folder) / student / assignment
        target.mkdir(parents=True, exist_ok=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, str(target / f"{name}.ipynb"))
    return Path(folder)


def _run(args):
    import shutil

    from ..authoring.sources import course_root
    from . import command, feedback, outputs, report

    course = Path(args.course or course_root())
    demo = course / ".demo"
    if not args.skip_build:
        print(text("demo.step", step="resnet-course build"))
        done = subprocess.run([sys.executable, "-m", "resnet_course.autograder.cli", "build"],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise CourseError("demo.build_failed", log=(done.stdout + done.stderr)[-3000:])
    shutil.rmtree(demo / "submitted", ignore_errors=True)
    submitted = write_class(demo / "submitted", args.assignment, example_submissions(course, args.assignment))
    print(text("demo.step", step=f"resnet-course grade {submitted}"))
    results, structure = command.grade_class(
        submitted, course=course, assignment=args.assignment, jobs=args.jobs,
        db_url=f"sqlite:///{demo / 'gradebook.db'}", sandbox=not args.no_sandbox, force=args.force)
    outputs.write_csv(demo / "grades.csv", results, list(structure))
    (demo / "grades.json").write_text(__import__("json").dumps(
        outputs.class_json(args.assignment, results), ensure_ascii=False, indent=2), encoding="utf-8")
    feedback.write_feedback(course, args.assignment, [r["student"] for r in results])
    print(outputs.grade_table(results, list(structure)))
    print(text("demo.done", csv=demo / "grades.csv", feedback=course / "feedback"))
    # The class report of the demo's students only: the course may hold a real class too.
    page = report.write_report(course, args.assignment, demo / "report", [r["student"] for r in results])
    print(text("report.written", path=page))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("demo", help=label("demo.help"), description=text("demo.help"))
    add_course_arguments(parser)
    add_grading_arguments(parser)
    parser.add_argument("--skip-build", action="store_true", help=label("demo.arg.skip_build"))
    parser.set_defaults(func=_run)
