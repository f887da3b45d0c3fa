"""Command-line options that several instructor commands share, with their help in both languages.

`grade`, `demo`, `feedback` and `report` take a course folder and an assignment, some of them
students, workers, --no-sandbox and --force: one wording for each, so `--help` reads the same
everywhere.
"""

from resnet_course.utils.messages import label, register

register({
    "cli.arg.assignment": {"ko": "과제 이름 (기본값: resnet)", "en": "assignment name (default: resnet)"},
    "cli.arg.course": {
        "ko": "과정 폴더 (기본값: 체크아웃의 course/)",
        "en": "course folder (default: course/ of the checkout)",
    },
    "cli.arg.student": {"ko": "이 학생만 (여러 번 쓸 수 있음)", "en": "only this student (repeatable)"},
    "cli.arg.jobs": {
        "ko": "이 컴퓨터에서 동시에 채점할 학생 수 (기본값: 코어 수)",
        "en": "students graded at once on this machine (default: cores)",
    },
    "cli.arg.no_sandbox": {
        "ko": "bubblewrap 없이 학생 코드를 실행합니다 (믿을 수 있는 제출물만)",
        "en": "run student code without bubblewrap (trusted submissions only)",
    },
    "cli.arg.force": {"ko": "바뀐 것이 없어도 다시 채점합니다", "en": "grade again even when nothing changed"},
})


def add_course_arguments(parser, students=False):
    """--assignment and --course (and --student, repeatable, when `students`)."""
    parser.add_argument("--assignment", default="resnet", help=label("cli.arg.assignment"))
    parser.add_argument("--course", default=None, help=label("cli.arg.course"))
    if students:
        parser.add_argument("--student", action="append", help=label("cli.arg.student"))


def add_grading_arguments(parser):
    """--jobs, --no-sandbox and --force: how the commands that grade (grade, demo) run."""
    parser.add_argument("--jobs", "-j", type=int, default=None, help=label("cli.arg.jobs"))
    parser.add_argument("--no-sandbox", action="store_true", help=label("cli.arg.no_sandbox"))
    parser.add_argument("--force", action="store_true", help=label("cli.arg.force"))
