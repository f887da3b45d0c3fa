"""`resnet-course build` end to end on a small fixture course (no TensorFlow in it).

tests/fixtures/course/notebooks/01_toy_scaling.md has what a real source has: both
languages, an import cell, an answer cell with a solution, a public check, a graded test
cell with hidden tests, and an SVG diagram from ../images/.
"""

import json
import re

import nbformat
import pytest

from _build_helpers import copy_fixture_course
from resnet_course.autograder import cli
from resnet_course.autograder.authoring import build, diagrams
from resnet_course.utils.messages import CourseError

NAME = "01_toy_scaling.ipynb"


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """Two independent `both` builds and the ko/en variants of the fixture course."""
    root = tmp_path_factory.mktemp("builds")
    result = {}
    for label, lang in (("both", "both"), ("again", "both"), ("ko", "ko"), ("en", "en")):
        course = copy_fixture_course(root / f"course-{label}")
        out = root / f"out-{label}"
        build.build(course=course, lang=lang, out=out)
        result[label] = {"course": course, "out": out, "path": out / "resnet" / NAME}
    return result


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def test_student_copy_has_stubs_not_solutions(builds):
    text = builds["both"]["path"].read_text(encoding="utf-8")
    assert "# 여기에 코드를 작성하세요 / YOUR CODE HERE" in text
    assert "raise NotImplementedError()" in text
    for secret in ("scaled_values_secret", "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "hidden_linspace"):
        assert secret not in text
    # the visible check stays, so a blank answer fails the test cell visibly
    assert 'require(\\"scale_values\\", check_scale_values, scale_values)' in text


def test_same_sources_give_byte_identical_notebooks(builds):
    first, second = builds["both"], builds["again"]
    assert first["path"].read_bytes() == second["path"].read_bytes()
    source_a = first["course"] / "source" / "resnet" / NAME
    source_b = second["course"] / "source" / "resnet" / NAME
    assert source_a.read_bytes() == source_b.read_bytes()


def test_nbgrader_source_holds_only_notebooks_without_jupytext_metadata(builds):
    folder = builds["both"]["course"] / "source" / "resnet"
    assert sorted(p.name for p in folder.iterdir()) == [NAME]
    for path in (folder / NAME, builds["both"]["path"]):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert set(nb["metadata"]) == {"kernelspec", "language_info"}
        assert "jupytext" not in path.read_text(encoding="utf-8")
        assert (nb["nbformat"], nb["nbformat_minor"]) == (4, 5)


def test_cell_ids_are_readable_and_unique(builds):
    cells = _cells(builds["both"]["path"])
    ids = [cell.id for cell in cells]
    assert len(ids) == len(set(ids))
    assert "scale_values" in ids and "scale_values_values" in ids  # graded cells: their grade id
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)


def test_images_are_embedded_as_data_uris(builds):
    cells = _cells(builds["both"]["path"])
    sources = "\n".join(cell.source for cell in cells if cell.cell_type == "markdown")
    assert "../images/" not in sources
    assert sources.count("](data:image/svg+xml;base64,") == 2  # the Korean and the English cell
    # each cell embeds the diagram in its own language; the file itself keeps both
    labels = {cell.metadata["lang"]: " ".join(label for svg in diagrams.embedded_diagrams(cell.source)
                                              for label in diagrams.visible_text(svg))
              for cell in cells if cell.cell_type == "markdown" and "data:image/svg" in cell.source}
    assert "배율" in labels["ko"] and "scale" not in labels["ko"]
    assert "scale" in labels["en"] and "배율" not in labels["en"]


def test_language_variants_keep_code_and_grade_ids(builds):
    variants = {label: _cells(builds[label]["path"]) for label in ("both", "ko", "en")}
    langs = {label: [c.metadata.get("lang") for c in cells if c.cell_type == "markdown"]
             for label, cells in variants.items()}
    assert langs["both"] == ["ko", "en"] * 3  # Korean first, then its English partner
    assert set(langs["ko"]) == {"ko"} and set(langs["en"]) == {"en"}

    def code(cells):
        return [(c.id, c.source, c.metadata.get("nbgrader")) for c in cells if c.cell_type == "code"]

    assert code(variants["ko"]) == code(variants["both"]) == code(variants["en"])


def test_ko_and_en_builds_leave_the_course_folder_alone(builds):
    # a single-language build happens in a scratch copy: course/source keeps the `both` variant
    assert not (builds["ko"]["course"] / "source").exists()
    assert not (builds["ko"]["course"] / "gradebook.db").exists()


def test_stale_student_copy_fails_with_the_command_to_run(builds, tmp_path):
    course, out = builds["both"]["course"], builds["both"]["out"]
    assert build.check_up_to_date(course=course, out=out)
    broken = tmp_path / "out"
    (broken / "resnet").mkdir(parents=True)
    data = builds["both"]["path"].read_text(encoding="utf-8")
    (broken / "resnet" / NAME).write_text(data.replace("small exercise", "tiny exercise"), encoding="utf-8")
    (broken / "resnet" / "99_left_over.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        build.check_up_to_date(course=course, out=broken)
    message = str(caught.value)
    assert "resnet-course build" in message
    assert NAME in message and "99_left_over.ipynb" in message


def test_build_command_is_registered(builds, tmp_path, monkeypatch, capsys):
    parser = cli.build_parser()
    args = parser.parse_args(["build", "--lang", "ko", "--assignment", "resnet", "--out", str(tmp_path)])
    assert (args.lang, args.assignment, args.out) == ("ko", "resnet", str(tmp_path))
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--lang", "fr"])
    # `build --check` through the command line: exit 0 when fresh, 1 with the fix when stale
    monkeypatch.setenv("RESNET_COURSE_ROOT", str(builds["both"]["course"]))
    assert cli.main(["build", "--check", "--out", str(builds["both"]["out"])]) == 0
    assert cli.main(["build", "--check", "--out", str(tmp_path)]) == 1
    assert "resnet-course build" in capsys.readouterr().err
    # a single-language build never lands on the committed assignments/ by default
    course = builds["both"]["course"]
    assert build.default_out(course, "both") == course.parent / "assignments"
    assert build.default_out(course, "ko") == course.parent / "dist" / "assignments-ko"
