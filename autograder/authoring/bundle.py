"""`resnet-course bundle`: the zip an instructor hands to students.

    resnet-course/README.md                           install, open, submit (ko/en)
    resnet-course/resnet/NN_name.ipynb                the student notebooks (chosen language)
    resnet-course/resnet_course-<version>-py3-none-any.whl   the helper package

The notebooks come from a scratch build of the sources (the same bytes as assignments/
for `both`); the wheel is built from the package folders with the build tools already
installed (`pip wheel --no-deps --no-build-isolation --no-index`: no network). Before the
zip is written, the notebooks and every file in the wheel are scanned for solution and
hidden-test lines; a hit stops the bundle.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from resnet_course.utils.messages import CourseError, label, register, text

from . import build, source_checks
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
})

README = {
    "ko": """\
# 잔차 네트워크(ResNet) 과제

이 묶음에는 노트북 두 개(`resnet/` 폴더)와 노트북이 쓰는 도우미 패키지
(`{wheel}`)가 들어 있습니다.

## 설치

Python 3.11 이상에서 가상 환경을 만들고 wheel을 설치합니다. TensorFlow처럼 필요한
패키지는 pip이 함께 설치합니다.

```
python3 -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
pip install {wheel}
```

## 열기

```
jupyter lab resnet
```

`01_vanishing_gradients.ipynb`부터 차례로 여세요. `# GRADED FUNCTION` 셀마다 답을 쓰고,
바로 아래의 확인 셀을 실행하면 무엇이 틀렸는지 알려 줍니다.

## 제출

1. 메뉴에서 Kernel → Restart Kernel and Run All Cells를 실행해 처음부터 오류 없이 도는지 확인합니다.
2. 노트북을 저장합니다. 파일 이름은 바꾸지 말고, 잠긴 테스트 셀은 지우거나 고치지 마세요.
3. `resnet` 폴더의 노트북 두 개를 강사가 안내한 방법(JupyterLab의 Assignments 탭 또는 파일 제출)으로 제출합니다.
""",
    "en": """\
# Residual networks (ResNet): the assignment

This bundle holds two notebooks (the `resnet/` folder) and the helper package they use
(`{wheel}`).

## Install

With Python 3.11 or newer, make a virtual environment and install the wheel; pip brings
what it needs, TensorFlow included.

```
python3 -m venv .venv
source .venv/bin/activate        # Windows: .venv\\Scripts\\activate
pip install {wheel}
```

## Open

```
jupyter lab resnet
```

Start with `01_vanishing_gradients.ipynb`. Write your answer in each `# GRADED FUNCTION`
cell and run the check cell below it: it tells you what is wrong and where to look.

## Submit

1. Run Kernel → Restart Kernel and Run All Cells and make sure everything runs without errors.
2. Save the notebooks. Keep their file names, and do not delete or edit the locked test cells.
3. Hand in the two notebooks of the `resnet` folder the way your instructor says (the Assignments tab in JupyterLab, or a file upload).
""",
}


def readme(lang, wheel):
    parts = [README["ko"], README["en"]] if lang == "both" else [README[lang]]
    return "\n".join(part.format(wheel=wheel) for part in parts)


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


def bundle(lang="both", out=None, course=None, assignment=ASSIGNMENT):
    """Write the student zip; returns its path."""
    course = Path(course or course_root())
    out = Path(out) if out else course.parent / "dist" / f"resnet-course-{lang}.zip"
    notebooks = build.built_notebooks(course, lang, assignment)
    secrets = source_checks.secret_lines(build.load_sources(course).values())
    with tempfile.TemporaryDirectory(prefix="resnet-course-bundle-") as scratch:
        wheel = build_wheel(Path(scratch), course.parent)
        _check_no_leaks(notebooks, wheel, secrets)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with zipfile.ZipFile(partial, "w") as archive:
            _add(archive, "README.md", readme(lang, wheel.name))
            for name, data in sorted(notebooks.items()):
                _add(archive, f"{assignment}/{name}", data)
            _add(archive, wheel.name, wheel.read_bytes())
        os.replace(partial, out)
    return out


def _run(args):
    path = bundle(lang=args.lang, out=args.out)
    print(text("bundle.wrote", path=path))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("bundle", help=label("bundle.help"), description=label("bundle.help"))
    parser.add_argument("--lang", choices=build.LANG_CHOICES, default="both", help=label("build.help_lang"))
    parser.add_argument("--out", default=None, help=label("bundle.help_out"))
    parser.set_defaults(func=_run)
    return parser
