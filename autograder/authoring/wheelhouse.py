"""A wheelhouse: every dependency of the course package as wheels, for a lab with no internet.

`resnet-course bundle --wheels [--platform P ...] [--python-version V]` puts one beside the
package wheel, so a student installs with `pip install --no-index --find-links wheels ...`
and pip never asks an index. The wheels come from `pip download` run by this environment's
pip, with the indexes, find-links and cache this machine's pip is set up with: a wheel
downloaded once (by `make bootstrap`, or an earlier bundle) is not fetched again.

Wheels only (`--only-binary=:all:`): an sdist would need its build tools, and so the
internet, on the student's machine. Without `--platform`, the wheels fit this machine's
platform and Python; with it, pip picks the wheels of that platform and version (pip still
evaluates environment markers for the machine it runs on, so a wheelhouse for another
operating system may miss a dependency its markers add there).
"""

import os
import subprocess
import sys
from pathlib import Path

from resnet_course.utils.messages import CourseError, register

register({
    "wheelhouse.failed": {
        "ko": "의존 패키지의 wheel을 받지 못했습니다. 모든 의존 패키지에 이 플랫폼용 wheel이 있어야 합니다:\n{output}",
        "en": "The dependencies' wheels could not be downloaded. Every dependency needs a wheel for this platform:\n{output}",
    },
    "wheelhouse.needs_wheels": {
        "ko": "`--platform` 옵션과 `--python-version` 옵션은 `--wheels` 옵션과 함께 씁니다.",
        "en": "`--platform` and `--python-version` go with `--wheels`.",
    },
})

FOLDER = "wheels"


def download_command(package_wheel, dest, platforms=(), python_version=None):
    """The `pip download` line that fills `dest` with wheels of everything the package needs."""
    command = [sys.executable, "-m", "pip", "download", "--only-binary=:all:", "--dest", str(dest)]
    for platform in platforms or ():
        command += ["--platform", platform]
    if python_version:
        command += ["--python-version", str(python_version)]
    return command + [str(package_wheel)]


def download(package_wheel, dest, platforms=(), python_version=None):
    """Fill `dest` with the package's dependencies as wheels (the package wheel itself left out); their paths."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run(download_command(package_wheel, dest, platforms, python_version),
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise CourseError("wheelhouse.failed", output=(result.stdout + result.stderr).strip()[-3000:])
    own = dest / Path(package_wheel).name
    if own.exists():  # the bundle carries it at its top level, where the README names it
        own.unlink()
    return sorted(dest.glob("*.whl"))
