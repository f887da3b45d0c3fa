"""The guards on the real course: what `resnet-course build` and the committed assignments/
must satisfy, each next to a test that shows it failing on a deliberately broken input
(always a temporary copy, never a real file).
"""

import importlib
import json
import re
from pathlib import Path

import nbformat
import pytest

from _build_helpers import COURSE, FIXTURE_SOURCE, REPO
from resnet_course.autograder.authoring import build, diagrams, source_checks
from resnet_course.autograder.authoring.sources import ASSIGNMENT, NOTEBOOKS
from resnet_course.utils.messages import CourseError

ASSIGNMENTS = REPO / "assignments" / ASSIGNMENT


@pytest.fixture(scope="module")
def real_sources():
    return build.load_sources(COURSE)


@pytest.fixture(scope="module")
def real_variants():
    """The three language variants of the real course, built in scratch copies."""
    return {lang: build.built_notebooks(COURSE, lang) for lang in build.LANG_CHOICES}


def _problem_keys(error):
    return [key for key, _ in getattr(error, "problems", [])]


def _write_source(tmp_path, text, name="01_toy_scaling.md"):
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "images").mkdir()
    for image in (FIXTURE_SOURCE.parent.parent / "images").iterdir():
        (course / "images" / image.name).write_bytes(image.read_bytes())
    (course / "notebooks" / name).write_text(text, encoding="utf-8")
    return course


def _broken(tmp_path, old, new, count=1):
    text = FIXTURE_SOURCE.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    return _write_source(tmp_path, text.replace(old, new, count))


def _refused(course):
    with pytest.raises(CourseError) as caught:
        build.load_sources(course)
    return _problem_keys(caught.value)


# ---------------------------------------------------------------------------------------
# The real sources pass every structural check (pairs, metadata, conventions, images)
# ---------------------------------------------------------------------------------------

def test_real_sources_are_the_two_notebooks_and_pass_every_check(real_sources):
    assert sorted(real_sources) == sorted(NOTEBOOKS)


def test_fixture_source_passes_every_check(tmp_path):
    course = _write_source(tmp_path, FIXTURE_SOURCE.read_text(encoding="utf-8"))
    assert list(build.load_sources(course)) == ["01_toy_scaling"]


# --- jupytext: nbgrader metadata never dropped silently ---------------------------------

def test_headerless_source_is_refused(tmp_path):
    text = FIXTURE_SOURCE.read_text(encoding="utf-8")
    headerless = text.split("---\n", 2)[2]
    assert _refused(_write_source(tmp_path, headerless)) == ["source.header"]


def test_header_filter_that_drops_nbgrader_is_refused(tmp_path):
    course = _broken(tmp_path, "cell_metadata_filter: lang,nbgrader,tags,-all", "cell_metadata_filter: -all")
    assert _refused(course) == ["source.filter_drops"] * 3
    course2 = _broken(tmp_path / "b", "cell_metadata_filter: lang,nbgrader,tags,-all",
                      "cell_metadata_filter: -nbgrader")
    assert _refused(course2) == ["source.filter_drops"]


def test_answer_cell_without_metadata_is_refused(tmp_path):
    old = "---\nnbgrader:\n  grade: false\n  grade_id: scale_values\n  locked: false\n  schema_version: 3\n" \
          "  solution: true\n  task: false\n---\n# GRADED FUNCTION"
    keys = _refused(_broken(tmp_path, old, "# GRADED FUNCTION"))
    assert "source.answer_without_metadata" in keys


def test_hidden_tests_without_grade_metadata_are_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "  grade: true\n", "  grade: false\n"))
    assert "source.marker_without_metadata" in keys


# --- two languages ------------------------------------------------------------------------

def test_prose_without_language_tag_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, '+++ {"lang": "ko"}\n\n수고했습니다', "+++\n\n수고했습니다"))
    assert "source.no_lang" in keys


def test_korean_cell_without_english_partner_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, '+++ {"lang": "en"}\n\nWell done.', '+++ {"lang": "ko"}\n\n잘했습니다.'))
    assert "source.unpaired" in keys


def test_partners_in_the_wrong_language_are_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "Well done. This is the end", "잘했습니다. This is the end"))
    assert keys == ["source.wrong_script"]


def test_partners_with_different_headings_are_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "## Exercise 1: `scale_values`", "Exercise 1: `scale_values`"))
    assert keys == ["source.partner_mismatch"]


# --- cell conventions ---------------------------------------------------------------------

def test_answer_cell_with_two_functions_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "    ### END SOLUTION\n```",
                            "    ### END SOLUTION\n\n\ndef helper():\n    return 1\n```"))
    assert keys == ["source.answer_one_function"]


def test_answer_cell_without_graded_function_line_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "# GRADED FUNCTION: scale_values\n", "# scale_values\n"))
    assert "source.answer_header" in keys


def test_test_cell_without_docstring_is_refused(tmp_path):
    old = ('"""scale_values가 공개 입력과 숨겨진 입력에서 배율을 곱한 값을 돌려주는지 확인합니다.\n'
           'Checks that scale_values returns the scaled values on public and hidden inputs."""\n')
    assert _refused(_broken(tmp_path, old, "")) == ["source.test_docstring"]
    english_only = '"""Checks that scale_values returns the scaled values."""\n'
    assert _refused(_broken(tmp_path / "b", old, english_only)) == ["source.test_docstring"]


def test_grade_id_not_named_after_its_function_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "grade_id: scale_values_values", "grade_id: values_check"))
    assert keys == ["source.test_grade_id", "source.untested_function"]


def test_answer_cell_that_is_also_graded_is_refused(tmp_path):
    text = FIXTURE_SOURCE.read_text(encoding="utf-8")
    text = text.replace("  grade: false\n  grade_id: scale_values\n", "  grade: true\n  grade_id: scale_values\n")
    assert "source.solution_and_grade" in _refused(_write_source(tmp_path, text))


def test_missing_image_is_refused(tmp_path):
    keys = _refused(_broken(tmp_path, "../images/toy_diagram.svg", "../images/nowhere.svg", count=2))
    assert keys == ["build.image_missing", "build.image_missing"]


def test_real_answer_and_test_cells_follow_the_conventions(real_sources):
    for stem, nb in real_sources.items():
        names = source_checks.graded_function_names(nb)
        assert names, stem
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
        assert ids and all(any(i.startswith(n + "_") for n in names) for i in ids), ids


# ---------------------------------------------------------------------------------------
# ko, en and both: the same code cells and grade ids
# ---------------------------------------------------------------------------------------

def test_ko_and_en_builds_have_the_same_code_cells_and_grade_ids_as_both(real_variants):
    assert sorted(real_variants["both"]) == [f"{stem}.ipynb" for stem in NOTEBOOKS]
    for lang in ("ko", "en"):
        assert build.variant_differences(real_variants["both"], real_variants[lang]) == []
        assert real_variants[lang] != real_variants["both"]  # the prose did change


def test_variant_check_fails_when_a_code_cell_or_grade_id_differs(real_variants):
    both = real_variants["both"]
    name = sorted(both)[0]
    nb = nbformat.reads(both[name], as_version=4)
    graded = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    graded[0].metadata["nbgrader"]["grade_id"] += "_renamed"
    assert build.variant_differences(both, {**both, name: nbformat.writes(nb)})[0][0] == name
    nb = nbformat.reads(both[name], as_version=4)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    nb.cells = [c for c in nb.cells if c is not first_code]
    assert build.variant_differences(both, {**both, name: nbformat.writes(nb)}) == [(name, "code cells differ")]


# ---------------------------------------------------------------------------------------
# assignments/ is exactly what the build produces
# ---------------------------------------------------------------------------------------

def test_assignments_are_what_build_produces(real_variants):
    # Fails with "run `resnet-course build`" when a source changed and assignments/ did not
    # (the message itself is shown failing in tests/test_build.py on the fixture course).
    assert build.stale_notebooks(COURSE) == [], (
        "assignments/ is stale: run `resnet-course build` and commit assignments/")
    assert sorted(p.name for p in ASSIGNMENTS.iterdir()) == [f"{s}.ipynb" for s in NOTEBOOKS]


def test_stale_assignments_are_reported(tmp_path, real_variants):
    out = tmp_path / "assignments"
    build.write_student_copies(real_variants["both"], out)
    assert build.check_up_to_date(COURSE, out=out)
    victim = out / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb"
    victim.write_text(victim.read_text(encoding="utf-8").replace("ResNet", "ResNot", 1), encoding="utf-8")
    with pytest.raises(CourseError, match="resnet-course build"):
        build.check_up_to_date(COURSE, out=out)


# ---------------------------------------------------------------------------------------
# No solution and no hidden test in anything a student receives
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def secrets(real_sources):
    lines = source_checks.secret_lines(real_sources.values())
    assert len(lines) > 20  # the solutions and hidden tests of both notebooks
    return lines


def test_no_solution_or_hidden_test_in_assignments(secrets):
    texts = {p.name: source_checks.notebook_text(nbformat.read(p, as_version=4))
             for p in sorted(ASSIGNMENTS.glob("*.ipynb"))}
    assert len(texts) == len(NOTEBOOKS)
    assert source_checks.find_leaks(texts, secrets) == []
    raw = {p.name: p.read_text(encoding="utf-8") for p in ASSIGNMENTS.glob("*.ipynb")}
    assert source_checks.find_leaks(raw, [], markers=True) == []


def _installed_package_files():
    files = []
    for name in ("resnet_course.utils", "resnet_course.autograder"):
        for folder in importlib.import_module(name).__path__:
            files += [p for p in Path(folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files


def test_no_solution_or_hidden_test_in_installed_modules(secrets):
    files = _installed_package_files()
    assert any(p.name == "build.py" for p in files)
    texts = {str(p): p.read_text(encoding="utf-8", errors="replace") for p in files}
    leaks = source_checks.find_package_leaks(texts, secrets)
    assert leaks == [], "solution or hidden-test code in the installed package:\n" + "\n".join(
        f"{name}: {what}" for name, what in leaks)


def test_leak_scan_finds_a_solution_line_and_a_marker(tmp_path, secrets, real_variants):
    name = sorted(real_variants["both"])[-1]
    nb = nbformat.reads(real_variants["both"][name], as_version=4)
    answer = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
    answer.source += "\n    " + secrets[len(secrets) // 2]
    leaks = source_checks.find_leaks({name: source_checks.notebook_text(nb)}, secrets)
    assert leaks == [(name, secrets[len(secrets) // 2])]
    marked = source_checks.find_leaks({name: "x = 1\n### BEGIN HIDDEN TESTS\n"}, secrets)
    assert marked == [(name, "BEGIN HIDDEN TESTS")]
    # a module: one short stray line in common with a solution is no leak, two together are,
    # and one long line is on its own (a whole call copied from a solution)
    short = [line for line in secrets if len(line) < source_checks.ALONE_IN_CODE]
    long_ = [line for line in secrets if len(line) >= source_checks.ALONE_IN_CODE]
    assert len(short) >= 2 and long_

    def scan(*lines):
        text = "def reference():\n" + "".join(f"    {line}\n\n" for line in lines)
        return source_checks.find_package_leaks({"helper.py": text}, secrets)

    assert scan(short[0]) == []
    assert scan(short[0], short[1]) == [("helper.py", f"{short[0]} ⏎ {short[1]}")]
    assert scan(long_[0]) == [("helper.py", long_[0])]
    # the same line written with another import style is the same line
    call = next(line for line in long_ if re.match(r"^X = [A-Z]\w*\(", line))
    qualified = call.replace("X = ", "X = keras.layers.", 1)
    assert source_checks.normalise_line(qualified) == call
    assert scan(qualified) == [("helper.py", call)]


def test_student_copies_hold_no_jupytext_metadata_and_embed_their_images():
    for path in sorted(ASSIGNMENTS.glob("*.ipynb")):
        data = json.loads(path.read_text(encoding="utf-8"))
        assert set(data["metadata"]) == {"kernelspec", "language_info"}
        markdown = "".join("".join(c["source"]) for c in data["cells"] if c["cell_type"] == "markdown")
        assert not re.search(r"\]\(\.\./images/", markdown)


# ---------------------------------------------------------------------------------------
# One language means one language: prose, alt texts and the diagrams' own labels
# ---------------------------------------------------------------------------------------

def _markdown_cells(notebook_text):
    return [c for c in nbformat.reads(notebook_text, as_version=4).cells if c.cell_type == "markdown"]


def _diagram_labels(cell):
    return [label for svg in diagrams.embedded_diagrams(cell.source) for label in diagrams.visible_text(svg)]


def test_each_variant_shows_every_cell_in_its_own_language(real_variants, real_sources):
    code_names = {f"{stem}.ipynb": diagrams.code_words(nb) for stem, nb in real_sources.items()}
    for lang, notebooks in real_variants.items():
        for name, data in notebooks.items():
            nb = nbformat.reads(data, as_version=4)
            assert diagrams.language_problems(nb, name, code_names[name]) == [], (lang, name)
    for name, data in real_variants["en"].items():
        for cell in _markdown_cells(data):
            words = source_checks.prose_text(cell.source) + " ".join(_diagram_labels(cell))
            assert not source_checks.HANGUL.search(words), (name, words[:200])
    for name, data in real_variants["ko"].items():
        for cell in _markdown_cells(data):
            assert not [t for t in _diagram_labels(cell) if diagrams.english_words(t, code_names[name])], name


def test_diagrams_are_embedded_in_the_language_of_their_cell(real_variants):
    labels = {lang: {} for lang in ("ko", "en")}
    for variant in ("both", "ko", "en"):
        for name, data in sorted(real_variants[variant].items()):
            for cell in _markdown_cells(data):
                for svg in diagrams.embedded_diagrams(cell.source):
                    labels[cell.metadata["lang"]].setdefault(variant, []).append(" ".join(diagrams.visible_text(svg)))
    # five diagrams per language, the same in `both` as in the single-language build
    assert len(labels["ko"]["ko"]) == len(labels["en"]["en"]) == 5
    assert labels["ko"]["both"] == labels["ko"]["ko"] and labels["en"]["both"] == labels["en"]["en"]
    korean, english = " ".join(labels["ko"]["ko"]), " ".join(labels["en"]["en"])
    def word(w, text):
        return re.search(rf"(?<![A-Za-z_]){w}(?![A-Za-z_])", text)

    assert "숏컷" in korean and not word("shortcut", korean) and " / " not in korean
    assert word("shortcut", english) and word("input", english) and " / " not in english
    # the diagram files themselves stay bilingual, for a reader of the sources
    raw = (COURSE / "images" / "nb2_skip_connection.svg").read_text(encoding="utf-8")
    assert "숏컷" in raw and "shortcut" in raw


def _course_with_changed(tmp_path, file, old, new):
    course = _write_source(tmp_path, FIXTURE_SOURCE.read_text(encoding="utf-8"))
    path = course / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return course


def _build_refused(course, lang):
    with pytest.raises(CourseError) as caught:
        build.build_release(course, lang, database=False)
    return _problem_keys(caught.value)


def test_untagged_korean_label_in_a_diagram_is_refused(tmp_path):
    course = _course_with_changed(tmp_path, "images/toy_diagram.svg", '<tspan data-lang="ko">결과</tspan>', "결과")
    assert _build_refused(course, "en") == ["diagram.hangul_in_english"]
    assert _build_refused(course, "both") == ["diagram.hangul_in_english"]  # the English cell of `both`


def test_untagged_english_label_in_a_diagram_is_refused(tmp_path):
    course = _course_with_changed(tmp_path, "images/toy_diagram.svg", '<tspan data-lang="en">result</tspan>', "result")
    assert _build_refused(course, "ko") == ["diagram.english_in_korean"]


def test_alt_text_in_the_other_language_is_refused(tmp_path):
    english_alt = _course_with_changed(tmp_path / "a", "notebooks/01_toy_scaling.md", "![Scaling]", "![배율 조정]")
    assert _refused(english_alt) == ["source.wrong_script"]
    korean_alt = _course_with_changed(tmp_path / "b", "notebooks/01_toy_scaling.md", "![배율 조정]", "![Scaling]")
    assert _build_refused(korean_alt, "ko") == ["diagram.alt_not_korean"]


def test_a_diagram_for_one_language_keeps_the_text_around_what_it_drops():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><title data-lang="ko">제목</title><title data-lang="en">Title</title>'
           '<text x="1" y="9">a <tspan data-lang="ko">숏컷</tspan><tspan data-lang="both"> / </tspan>'
           '<tspan data-lang="en">shortcut</tspan>: h</text>'
           '<text y="48" data-lang="en" data-en-y="28" data-ko-y="5">sub</text></svg>')
    assert diagrams.visible_text(diagrams.for_language(svg, "ko")) == ["제목", "a 숏컷: h"]
    english = diagrams.for_language(svg, "en")
    assert diagrams.visible_text(english) == ["Title", "a shortcut: h", "sub"]
    assert 'y="28"' in english and "data-" not in english
    assert diagrams.for_language(svg, "both") == svg
