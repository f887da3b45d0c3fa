"""The `resnet-course` command line.

Each subcommand lives in the module that does the work and exposes
`register_command(subparsers)`, which adds its parser and sets `func`. Modules are listed
here, so a command exists only once the code behind it does.
"""

import argparse
import importlib
import sys

from resnet_course.utils.messages import CourseError, register, text

COMMAND_MODULES = (
    "resnet_course.autograder.authoring.build",
    "resnet_course.autograder.authoring.bundle",
    "resnet_course.autograder.authoring.lab_setup",
    "resnet_course.utils.data",
    "resnet_course.autograder.grading.command",
    "resnet_course.autograder.grading.cluster_command",
    "resnet_course.autograder.grading.feedback",
    "resnet_course.autograder.grading.report",
    "resnet_course.autograder.grading.demo",
)

register({
    "cli.description": {
        "ko": "resnet-course: 잔차 네트워크(ResNet) 과정의 빌드, 데이터, 채점 도구",
        "en": "resnet-course: build, data and grading tools for the residual-network course",
    },
    "cli.interrupted": {
        "ko": "중단되었습니다. 이미 끝난 작업은 그대로 남아 있습니다.",
        "en": "Interrupted. Work already finished is kept.",
    },
})


def build_parser():
    parser = argparse.ArgumentParser(prog="resnet-course", description=text("cli.description"))
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register_command(subparsers)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except CourseError as error:
        print(str(error), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(text("cli.interrupted"), file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
