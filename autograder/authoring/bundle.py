"""`resnet-course bundle`: the zip an instructor hands to students.

    resnet-course/README.md                           install, open, submit (ko/en)
    resnet-course/resnet/NN_name.ipynb                the student notebooks (chosen language)
    resnet-course/resnet_course-<version>-py3-none-any.whl   the helper package
    resnet-course/wheels/*.whl                        with --wheels: every dependency, for an
                                                      install with no internet (wheelhouse.py)

The notebooks come from a scratch build of the sources (the same bytes as assignments/
for `both`); the wheel is built from the package folders with the build tools already
installed (`pip wheel --no-deps --no-build-isolation --no-index`: no network). Before the
zip is written, the notebooks and every file in the wheel are scanned for solution and
hidden-test lines; a hit stops the bundle. The dependencies' wheels are other projects'
files, stored as they are (a wheel is compressed already). The README is bundle_readme.py's.
"""

import os
import platform as host
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import zipfile
from pathlib import Path

from resnet_course.utils.messages import CourseError, label, register, text

from . import build, bundle_readme, source_checks, wheelhouse
from .sources import ASSIGNMENT, course_root

TOP = "resnet-course"
# Fixed zip timestamps (the zip format's epoch) keep the bundle byte-stable for the same inputs.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PACKAGE_FILES = ("pyproject.toml", "README.md", "utils", "autograder")

register({
    "bundle.help": {
        "ko": "학생에게 나눠 줄 zip(노트북, 설명서, 패키지 wheel)을 만듭니다",
        "en": "write the zip handed to students (notebooks, README, the package wheel)",
    },
    "bundle.help_out": {
        "ko": "만들 zip 파일 (기본값: dist/resnet-course-<언어>.zip)",
        "en": "the zip file to write (default: dist/resnet-course-<lang>.zip)",
    },
    "bundle.wheel_failed": {
        "ko": "패키지 wheel을 만들지 못했습니다:\n{output}",
        "en": "The package wheel could not be built:\n{output}",
    },
    "bundle.leak": {
        "ko": "학생용 묶음의 {name}에 답이나 숨겨진 테스트가 들어 있어 묶음을 만들지 않았습니다: {what}",
        "en": "The student bundle was not written: {name} holds an answer or a hidden test: {what}",
    },
    "bundle.wrote": {"ko": "만들었습니다: {path}", "en": "wrote: {path}"},
    "bundle.help_wheels": {
        "ko": "모든 의존 패키지의 wheel을 함께 넣어 인터넷 없이 설치되게 합니다(약 700MB)",
        "en": "add every dependency's wheel, for an install with no internet (about 700 MB)",
    },
    "bundle.help_platform": {
        "ko": "wheel을 고를 플랫폼 태그, 여러 번 쓸 수 있음 (기본값: 이 컴퓨터의 플랫폼). 예: manylinux2014_x86_64",
        "en": "platform tag of the wheels, repeatable (default: this machine's), e.g. manylinux2014_x86_64",
    },
    "bundle.help_python": {
        "ko": "wheel을 고를 Python 버전 (기본값: 이 컴퓨터의 버전). 예: 3.12",
        "en": "Python version of the wheels (default: this machine's), e.g. 3.12",
    },
})

def build_wheel(dest, package_root=None):
    """Build the package's wheel into `dest` from a clean copy of its folders; returns its path."""
    package_root = Path(package_root or course_root().parent)
    dest = Path(dest)
    with tempfile.TemporaryDirectory(prefix="resnet-course-wheel-") as scratch:
        src = Path(scratch) / "src"
        src.mkdir()
        for name in PACKAGE_FILES:
            item = package_root / name
            if item.is_dir():
                shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(item, src / name)
        env = dict(os.environ, SOURCE_DATE_EPOCH="315532800", PIP_DISABLE_PIP_VERSION_CHECK="1")
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                   "--quiet", "--wheel-dir", str(dest), str(src)]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            raise CourseError("bundle.wheel_failed", output=(result.stdout + result.stderr).strip()[-3000:])
    wheels = sorted(dest.glob("resnet_course-*.whl"))
    if not wheels:
        raise CourseError("bundle.wheel_failed", output="no resnet_course-*.whl")
    return wheels[-1]


def wheel_texts(wheel):
    """{member name: text} for every file in a wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return {f"{Path(wheel).name}:{info.filename}": archive.read(info).decode("utf-8", errors="replace")
                for info in archive.infolist() if not info.is_dir()}


def _check_no_leaks(notebooks, wheel, secrets):
    import nbformat

    notebook_texts = {name: source_checks.notebook_text(nbformat.reads(data, as_version=4)) + "\n" + data
                      for name, data in notebooks.items()}
    leaks = source_checks.find_leaks(notebook_texts, secrets)
    leaks += source_checks.find_package_leaks(wheel_texts(wheel), secrets)
    if leaks:
        name, what = leaks[0]
        raise CourseError("bundle.leak", name=name, what=what)


def _add(archive, name, data):
    info = zipfile.ZipInfo(f"{TOP}/{name}", date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _add_file(archive, name, path):
    """A large file streamed into the zip, stored as it is (a wheel is compressed already)."""
    info = zipfile.ZipInfo(f"{TOP}/{name}", date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    with open(path, "rb") as source, archive.open(info, "w", force_zip64=True) as target:
        shutil.copyfileobj(source, target, 1 << 20)


def wheelhouse_platform(platforms=(), python_version=None):
    """What the README says the wheels are for: 'linux-x86_64, Python 3.11' by default."""
    where = ", ".join(platforms) if platforms else sysconfig.get_platform()
    version = python_version or ".".join(host.python_version_tuple()[:2])
    return f"{where}, Python {version}"


def bundle(lang="both", out=None, course=None, assignment=ASSIGNMENT, wheels=False, platforms=(),
           python_version=None):
    """Write the student zip; returns its path. `wheels`: add the wheelhouse of every dependency."""
    if (platforms or python_version) and not wheels:
        raise CourseError("wheelhouse.needs_wheels")
    course = Path(course or course_root())
    out = Path(out) if out else course.parent / "dist" / f"resnet-course-{lang}.zip"
    notebooks = build.built_notebooks(course, lang, assignment)
    secrets = source_checks.secret_lines(build.load_sources(course).values())
    with tempfile.TemporaryDirectory(prefix="resnet-course-bundle-") as scratch:
        wheel = build_wheel(Path(scratch), course.parent)
        _check_no_leaks(notebooks, wheel, secrets)
        dependencies = (wheelhouse.download(wheel, Path(scratch) / wheelhouse.FOLDER, platforms, python_version)
                        if wheels else [])
        platform = wheelhouse_platform(platforms, python_version) if wheels else None
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w") as archive:
            _add(archive, "README.md", bundle_readme.readme(lang, wheel.name, platform))
            for name, data in sorted(notebooks.items()):
                _add(archive, f"{assignment}/{name}", data)
            _add(archive, wheel.name, wheel.read_bytes())
            for path in dependencies:
                _add_file(archive, f"{wheelhouse.FOLDER}/{path.name}", path)
        os.replace(partial, out)
    return out


def _run(args):
    path = bundle(lang=args.lang, out=args.out, wheels=args.wheels, platforms=args.platform or (),
                  python_version=args.python_version)
    print(text("bundle.wrote", path=path))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("bundle", help=label("bundle.help"), description=label("bundle.help"))
    parser.add_argument("--lang", choices=build.LANG_CHOICES, default="both", help=label("build.help_lang"))
    parser.add_argument("--out", default=None, help=label("bundle.help_out"))
    parser.add_argument("--wheels", action="store_true", help=label("bundle.help_wheels"))
    parser.add_argument("--platform", action="append", metavar="P", help=label("bundle.help_platform"))
    parser.add_argument("--python-version", metavar="V", help=label("bundle.help_python"))
    parser.set_defaults(func=_run)
    return parser
