"""Shared by the build, guard and bundle tests: paths, fixture courses, nbgrader validate."""

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COURSE = REPO / "course"
FIXTURE_COURSE = Path(__file__).resolve().parent / "fixtures" / "course"
FIXTURE_SOURCE = FIXTURE_COURSE / "notebooks" / "01_toy_scaling.md"


def copy_fixture_course(dest):
    """A course folder made of the fixture sources and the real nbgrader config."""
    dest = Path(dest)
    shutil.copytree(FIXTURE_COURSE, dest)
    shutil.copy2(COURSE / "nbgrader_config.py", dest / "nbgrader_config.py")
    return dest


def copy_real_course(dest):
    """A scratch copy of what a build of the real course reads (never build in course/ from tests)."""
    from resnet_course.autograder.authoring.build import stage_course

    return stage_course(COURSE, dest)


def course_validator(course=COURSE, invert=False):
    """nbgrader's own Validator with the course config, its kernels on private sockets.

    nbgrader's Execute hard-codes jupyter_client's TCP kernel manager (a configured
    kernel_manager_class is ignored). Several validations started at once can then be
    handed the same free port, and a kernel dies with "Address already in use" (the CI run
    of 5bf8316). The validation itself is nbgrader's, unchanged.
    """
    from nbgrader.preprocessors import Execute
    from nbgrader.validator import Validator
    from traitlets.config.loader import PyFileConfigLoader

    from resnet_course.autograder.judge.private_kernel import PrivateSocketKernelManager

    class PrivateSocketExecute(Execute):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", PrivateSocketKernelManager)
            super().__init__(*args, **kwargs)

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    validator = Validator(config=config)
    validator.preprocessors = [PrivateSocketExecute if step is Execute else step
                               for step in validator.preprocessors]
    assert PrivateSocketExecute in validator.preprocessors, validator.preprocessors
    validator.invert = invert
    return validator


def validate(paths, invert=False):
    """nbgrader's Validator with the course config: {notebook name: results} ({} = success).

    nbgrader sets NBGRADER_EXECUTION=validate while it runs each notebook, so heavy cells
    shrink to a smoke run exactly as they do for a real `nbgrader validate`.
    """
    validator = course_validator(invert=invert)
    return {Path(p).name: validator.validate(str(p)) for p in paths}


_VALIDATE_SCRIPT = """
import json, sys
sys.path.insert(0, sys.argv[4])
import resnet_course.utils  # quiet TensorFlow in this process too
from _build_helpers import course_validator
validator = course_validator(sys.argv[1], invert=sys.argv[3] == "invert")
print("RESULT " + json.dumps(validator.validate(sys.argv[2])))
"""


def validate_concurrently(jobs, at_once=None, key=None):
    """Run `validate` for each (notebook, invert) in its own process, `at_once` at a time (default all).

    Each validation starts a kernel that imports TensorFlow; side by side they finish in
    about the time of the slowest instead of the sum. Returns {(key(notebook), invert): results},
    keyed by the notebook's file name unless `key` says otherwise (notebooks of the same name
    in different folders need it).
    """
    import json
    import os
    import subprocess
    import sys

    key = key or (lambda path: Path(path).name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    waiting, running, results = list(jobs), {}, {}

    def finish(job, process):
        out, err = process.communicate(timeout=900)
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert process.returncode == 0 and lines, f"validate {job} crashed:\n{out[-2000:]}\n{err[-3000:]}"
        results[job] = json.loads(lines[-1][len("RESULT "):])

    while waiting or running:
        while waiting and len(running) < (at_once or len(jobs)):
            path, invert = waiting.pop(0)
            command = [sys.executable, "-c", _VALIDATE_SCRIPT, str(COURSE), str(path),
                       "invert" if invert else "plain", str(Path(__file__).parent)]
            running[(key(path), invert)] = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        job = next(iter(running))
        finish(job, running.pop(job))
    return results
