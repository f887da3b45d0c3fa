"""`resnet-course bundle`: the students' zip holds notebooks, a README and the wheel, no answers."""

import shutil
import zipfile

import nbformat
import pytest

from _build_helpers import COURSE, REPO
from resnet_course.autograder.authoring import build
from resnet_course.autograder.authoring import bundle
from resnet_course.autograder import cli
from resnet_course.autograder.authoring import source_checks
from resnet_course.autograder.authoring.sources import NOTEBOOKS
from resnet_course.utils.messages import CourseError


@pytest.fixture(scope="module")
def secrets():
    return source_checks.secret_lines(build.load_sources(COURSE).values())


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The bundle (language ko, through the command line) unpacked, and its wheel unpacked too."""
    root = tmp_path_factory.mktemp("bundle")
    zip_path = root / "students.zip"
    assert cli.main(["bundle", "--lang", "ko", "--out", str(zip_path)]) == 0
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "zip")
    wheels = list((root / "zip" / "resnet-course").glob("resnet_course-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as archive:
        archive.extractall(root / "wheel")
    return root


def test_bundle_holds_readme_notebooks_and_wheel(unpacked):
    top = unpacked / "zip" / "resnet-course"
    names = sorted(p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file())
    wheel = [n for n in names if n.endswith(".whl")][0]
    assert names == sorted(["README.md", wheel] + [f"resnet/{s}.ipynb" for s in NOTEBOOKS])
    readme = (top / "README.md").read_text(encoding="utf-8")
    assert "설치" in readme and "제출" in readme and f"pip install {wheel}" in readme
    # a student at home: the internet is needed once, how to open it, what Validate means
    assert "인터넷이 한 번 필요합니다" in readme and "resnet-course lab resnet" in readme
    assert "Validate" in readme and "주소" in readme and "--no-index" not in readme  # no wheels here
    assert "## Install" not in readme  # --lang ko: Korean only
    for stem in NOTEBOOKS:
        nb = nbformat.read(top / "resnet" / f"{stem}.ipynb", as_version=4)
        assert {c.metadata.get("lang") for c in nb.cells if c.cell_type == "markdown"} == {"ko"}


def test_wheel_holds_the_package_and_nothing_of_the_course(unpacked):
    files = [p.relative_to(unpacked / "wheel").as_posix() for p in (unpacked / "wheel").rglob("*") if p.is_file()]
    assert "resnet_course/autograder/checks/common.py" in files
    assert "resnet_course/utils/messages.py" in files
    assert all(f.startswith(("resnet_course/", "resnet_course-")) for f in files), files
    assert not [f for f in files if f.endswith((".md", ".ipynb")) or "/course/" in f or "tests" in f]


def test_unpacked_bundle_and_wheel_hold_no_solution_or_hidden_test(unpacked, secrets):
    notebooks = {p.name: p.read_text(encoding="utf-8") + source_checks.notebook_text(nbformat.read(p, as_version=4))
                 for p in (unpacked / "zip").rglob("*.ipynb")}
    assert len(notebooks) == len(NOTEBOOKS)
    assert source_checks.find_leaks(notebooks, secrets) == []
    files = {str(p): p.read_text(encoding="utf-8", errors="replace")
             for p in (unpacked / "wheel").rglob("*") if p.is_file()}
    assert source_checks.find_package_leaks(files, secrets) == []
    readme = (unpacked / "zip" / "resnet-course" / "README.md").read_text(encoding="utf-8")
    assert source_checks.find_leaks({"README.md": readme}, secrets) == []


def test_bundle_refuses_a_wheel_or_notebook_holding_a_solution(tmp_path, secrets):
    clean_wheel = bundle.build_wheel(tmp_path / "wheel", REPO)
    notebooks = build.built_notebooks(COURSE, "both")
    bundle._check_no_leaks(notebooks, clean_wheel, secrets)  # the real ones are clean
    wheel = tmp_path / "doctored" / clean_wheel.name
    wheel.parent.mkdir()
    shutil.copy2(clean_wheel, wheel)
    with zipfile.ZipFile(wheel, "a") as archive:
        archive.writestr("resnet_course/autograder/cheat.py",
                         "def answer():\n    " + secrets[0] + "\n    " + secrets[1] + "\n")
    with pytest.raises(CourseError, match="cheat.py"):
        bundle._check_no_leaks(notebooks, wheel, secrets)
    name = sorted(notebooks)[0]
    leaky = {**notebooks, name: notebooks[name].replace("raise NotImplementedError()", "### BEGIN SOLUTION", 1)}
    with pytest.raises(CourseError, match="BEGIN SOLUTION"):
        bundle._check_no_leaks(leaky, clean_wheel, secrets)


def test_platform_and_python_version_need_wheels(tmp_path, capsys):
    assert cli.main(["bundle", "--platform", "win_amd64", "--out", str(tmp_path / "x.zip")]) == 1
    assert "`--platform` and `--python-version` go with `--wheels`." in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
