"""What a course is, as grading sees it: its nbgrader config, its digest, its template gradebook.

A stored result is reused only while everything that decides a grade is unchanged: the
submission (its fingerprint), and the course's state here: the source notebooks, the
nbgrader config and every module of the installed package that can change a score.
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

from resnet_course.utils.messages import CourseError, register

register({
    "grade.no_source": {
        "ko": "과제 {assignment}의 원본 노트북이 {path}에 없습니다. 먼저 `resnet-course build` 명령을 실행하세요.",
        "en": "The source notebooks of assignment {assignment} are missing from {path}. "
              "Run `resnet-course build` first.",
    },
    "grade.template_failed": {
        "ko": "원본 노트북으로 임시 성적부를 만들지 못했습니다:\n{log}",
        "en": "Could not build the template gradebook from the source notebooks:\n{log}",
    },
})


def load_course_config(course):
    """The course's nbgrader_config.py as a traitlets Config."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    path = Path(course) / "nbgrader_config.py"
    if not path.is_file():
        return Config()
    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


# Modules that move files and numbers around but decide no score: editing them regrades
# nobody. Every other module of both packages, in every subpackage, is part of the digest.
ORCHESTRATION = frozenset({
    "cli.py", "grading/command.py", "grading/course_state.py", "grading/pool.py", "grading/store.py",
    "grading/outputs.py", "grading/submissions.py", "grading/gradebook.py", "grading/feedback.py",
    "grading/demo.py", "grading/course_bundle.py", "grading/environment.py", "grading/retries.py",
    "grading/cluster_client.py", "grading/cluster_worker.py", "grading/cluster_options.py",
    "grading/cluster_command.py",
})


def package_files():
    """(name, path) of every module that can change a score: both packages, all subpackages."""
    import resnet_course.autograder as autograder
    import resnet_course.utils as utils

    found = []
    for package in (utils, autograder):
        folder = Path(package.__file__).parent
        for path in sorted(folder.rglob("*.py")):
            name = f"{folder.name}/{path.relative_to(folder)}"
            if str(path.relative_to(folder)) not in ORCHESTRATION or package is utils:
                found.append((name, path))
    return found


def course_digest(course, assignment):
    """A hash of what decides grades besides the submission: sources, config, package code."""
    digest = hashlib.sha256()
    source = Path(course) / "source" / assignment
    files = [(str(path.relative_to(source)), path) for path in sorted(source.rglob("*"))]
    files += [("nbgrader_config.py", Path(course) / "nbgrader_config.py"), *package_files()]
    for name, path in files:
        if path.is_file():
            digest.update(name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_template(course, assignment, grading, digest):
    """The template gradebook for this course state, built once and kept beside the results.

    Building it runs nbgrader's generate_assignment (2.7 s here); the digest covers the
    sources, the config and the grading code, so an edit to any of them builds a new one.
    The three newest are kept (a run grading an older course state may still copy one).
    The file is only ever copied, never opened for writing.
    """
    grading = Path(grading)
    folder = grading / f".template-{digest[:16]}"
    if (folder / "gradebook.db").is_file():
        return folder / "gradebook.db"
    staging = Path(tempfile.mkdtemp(prefix=".template-new-", dir=grading))
    try:
        build_template(course, assignment, staging)
        try:
            staging.rename(folder)
        except OSError:  # another run put the same template in place first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from ..judge.cache_folders import keep_newest

    keep_newest([path for path in grading.glob(".template-*") if not path.name.startswith(".template-new-")],
                "gradebook.db", keep=3)
    return folder / "gradebook.db"


def build_template(course, assignment, folder):
    """A gradebook holding the assignment's structure, made by nbgrader from the sources."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import capture_log

    folder = Path(folder)
    (folder / "source").mkdir(parents=True, exist_ok=True)
    source = Path(course) / "source" / assignment
    if not source.is_dir():
        raise CourseError("grade.no_source", assignment=assignment, path=str(source))
    link = folder / "source" / assignment
    if not link.exists():
        link.symlink_to(source.resolve())
    config = load_course_config(course)
    config.CourseDirectory.root = str(folder)
    config.CourseDirectory.db_url = f"sqlite:///{folder / 'gradebook.db'}"
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.create_assignment = True
    config.GenerateAssignment.force = True
    coursedir = CourseDirectory(config=config)
    outcome = capture_log(GenerateAssignment(coursedir=coursedir, config=config))
    if not outcome["success"]:
        raise CourseError("grade.template_failed", log=(outcome.get("log", "") + outcome.get("error", ""))[-3000:])
    return folder / "gradebook.db"


def uses_judge(config):
    """Whether the course's autograde pipeline includes the judge."""
    steps = config.Autograde.get("autograde_preprocessors", [])
    return any("judge.preprocessors.Judge" in (s if isinstance(s, str) else f"{s.__module__}.{s.__name__}") for s in steps)
