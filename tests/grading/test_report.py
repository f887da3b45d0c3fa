"""`resnet-course report` on a class of the real `resnet` assignment with known mistakes.

One class is graded once for the whole module, through the real `resnet-course grade`
(sandbox, nbgrader, the judge), from the student copy as a student would fill it:

  shortcut-a, -b, -c  identity_block adds the shortcut before its last BatchNormalization
  log-scale           plot_gradient_norms draws on a linear axis
  untouched           the student copy as released
  dies                notebook 1 calls os._exit(3) in layer_gradient_norms; notebook 2 missing

The report's JSON is checked count by count against that class; the same stored results
are then copied, damaged, given extra keys or new grade ids, and reported again. Points
are never written here: they are read from the stored results or the `--json` grades.
"""

import csv
import json
import re
import shutil
import warnings
from pathlib import Path

import pytest

import grading_helpers as gh
from resnet_course.autograder.cli import main as cli_main
from resnet_course.autograder.grading import demo, report_stats

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "report"
SHORTCUT = ("shortcut-a", "shortcut-b", "shortcut-c")
EVERYONE = (*SHORTCUT, "log-scale", "untouched", "dies")
# identity_block with the shortcut added before BatchNormalization 2c (the judge's block.add_before_last_bn)
LAST_BN = '    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)\n\n    X = Add()([X, X_shortcut])\n'
ADD_FIRST = '    X = Add()([X, X_shortcut])\n    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)\n'


def the_class(course):
    """{student: {notebook: notebook}} as listed in the module's docstring."""
    released = demo.student_copy(course, "resnet")
    solved = demo.solutions(course, "resnet")
    assert LAST_BN in solved["identity_block"], "the solution changed: update LAST_BN"
    _, old, new = demo.MISTAKES["demo-no-log-scale"]
    dies = demo.fill_answers(released, dict(solved, layer_gradient_norms="import os\nos._exit(3)\n"))
    del dies["02_residual_networks"]
    class_ = {student: demo.fill_answers(released, dict(solved, identity_block=solved["identity_block"]
                                                        .replace(LAST_BN, ADD_FIRST)))
              for student in SHORTCUT}
    class_["log-scale"] = demo.fill_answers(released, dict(
        solved, plot_gradient_norms=solved["plot_gradient_norms"].replace(old, new)))
    class_["untouched"] = demo.fill_answers(released, {})
    class_["dies"] = dies
    return class_


@pytest.fixture(scope="module")
def graded(tmp_path_factory, built_course, reference_cache):
    root = tmp_path_factory.mktemp("report")
    course = gh.copy_built_course(built_course, root / "course")
    submitted = demo.write_class(root / "submitted", "resnet", the_class(course))
    mp = pytest.MonkeyPatch()
    mp.setenv("RESNET_COURSE_REFERENCE_CACHE", str(reference_cache))
    try:
        assert cli_main(["grade", str(submitted), "--course", str(course), "--jobs", "2", "--no-progress",
                         "--json", str(root / "grades.json")]) == 0
        assert cli_main(["feedback", "--course", str(course)]) == 0
    finally:
        mp.undo()
    grades = json.loads((root / "grades.json").read_text())["students"]
    assert sorted(grades) == sorted(EVERYONE)
    return {"root": root, "course": course, "grades": grades}


def _report(course, out, *extra, lang=None):
    mp = pytest.MonkeyPatch()
    if lang:
        mp.setenv("RESNET_COURSE_LANG", lang)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            code = cli_main(["report", "--course", str(course), "--out", str(out), *extra])
    finally:
        mp.undo()
    assert code == 0
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs
    return json.loads((Path(out) / "report.json").read_text()), (Path(out) / "report.html").read_text()


@pytest.fixture(scope="module")
def reported(graded):
    figures, page = _report(graded["course"], graded["root"] / "out")
    return dict(graded, figures=figures, page=page, out=graded["root"] / "out")


def _by_key(entries):
    return {entry["key"]: entry for entry in entries}


def _checks(figures):
    return {check["grade_id"]: check for group in figures["checks"] for check in group["checks"]}


def _part(figures, part):
    return next(p for p in figures["distributions"] if p["part"] == part)


def test_the_mistakes_are_counted_student_by_student(reported):
    figures = reported["figures"]
    assert figures["students"] == 6
    mistakes = _by_key(figures["mistakes"])
    shortcut = mistakes["block.add_before_last_bn"]
    assert shortcut["count"] == 3 and shortcut["students"] == list(SHORTCUT)
    # The right layers wired in another order: the values check's, one slip costs one check.
    assert shortcut["checks"] == [{"grade_id": "identity_block_values", "count": 3, "students": list(SHORTCUT)}]
    assert "BatchNormalization" in shortcut["texts"][0]["en"] and "숏컷" in shortcut["texts"][0]["ko"]
    assert "숏컷" not in shortcut["texts"][0]["en"] and "BatchNormalization" in shortcut["texts"][0]["ko"]
    # The symptom (outputs differ) beside a named cause is not counted as a mistake of its own.
    assert "model.values_differ" not in mistakes
    log = mistakes["plots.not_log"]
    assert log["count"] == 1 and log["students"] == ["log-scale"]
    assert [c["grade_id"] for c in log["checks"]] == ["plot_gradient_norms_labels"]
    # The most common misunderstanding stands first; nothing-arrived is kept apart.
    assert figures["mistakes"][0]["key"] == "block.add_before_last_bn"
    assert all(m["key"] not in report_stats.NO_RESULT_KEYS for m in figures["mistakes"])
    nothing = _by_key(figures["no_result"])["judge.missing"]
    assert nothing["students"] == ["dies", "untouched"]
    died_in = {c["grade_id"] for c in nothing["checks"] if "dies" in c["students"]}
    assert died_in == {gid for gid in figures["structure"]["01_vanishing_gradients"]
                       if gid.startswith(("layer_gradient_norms", "plot_gradient_norms"))}


def test_checks_pass_rates_and_groups(reported):
    figures = reported["figures"]
    checks = _checks(figures)
    assert set(checks) == {gid for cells in figures["structure"].values() for gid in cells}
    assert (checks["identity_block_values"]["passed"], checks["identity_block_values"]["students"]) == (1, 6)
    assert checks["identity_block_structure"]["passed"] == 4  # the shortcut students' layers are right
    assert checks["plot_gradient_norms_labels"]["passed"] == 3  # the three shortcut students
    assert checks["build_deep_network_structure"]["passed"] == 5  # all but untouched (dies ran it)
    assert checks["identity_block_values"]["top_mistakes"][0] == {"key": "block.add_before_last_bn", "count": 3}
    grades = reported["grades"]
    for gid, check in checks.items():
        notebook = check["notebook"]
        scores = [g["notebooks"][notebook]["grades"][gid]["score"] for g in grades.values()
                  if notebook in g["notebooks"]]
        assert check["mean_points"] == pytest.approx(sum(scores) / 6, abs=1e-3), gid
    for group in figures["checks"]:
        assert {c["exercise"] for c in group["checks"]} == {group["exercise"]}
        rates = [c["pass_rate"] for c in group["checks"]]
        assert rates == sorted(rates)
    assert [g["checks"][0]["pass_rate"] for g in figures["checks"]] == \
        sorted(g["checks"][0]["pass_rate"] for g in figures["checks"])
    assert {g["exercise"] for g in figures["checks"]} == {"build_deep_network", "layer_gradient_norms",
                                                          "plot_gradient_norms", "identity_block",
                                                          "convolutional_block", "ResNet50"}


def test_score_distributions(reported):
    figures, grades = reported["figures"], reported["grades"]
    total, first, second = (_part(figures, p) for p in ("total", "01_vanishing_gradients", "02_residual_networks"))
    assert (total["students"], total["full"], total["zero"]) == (6, 0, 1)
    assert (first["full"], first["zero"]) == (3, 1)
    assert (second["full"], second["zero"]) == (1, 2)
    totals = sorted(g["score"] for g in grades.values())
    assert total["mean"] == pytest.approx(sum(totals) / 6, abs=1e-3)
    assert total["median"] == pytest.approx((totals[2] + totals[3]) / 2)
    assert sum(b["count"] for b in total["histogram"]["bins"]) == 6
    structure = figures["structure"]
    died = sum(points for gid, points in structure["01_vanishing_gradients"].items()
               if gid.startswith("build_deep_network"))
    assert grades["dies"]["score"] == died > 0


def test_students_not_graded_as_normal(reported):
    irregular = reported["figures"]["irregular"]
    assert [s["student"] for s in irregular] == ["dies"]
    kinds = {(r["notebook"], r["kind"], r["key"]) for r in irregular[0]["reasons"]}
    assert kinds == {("01_vanishing_gradients", "kernel_died", "sandbox.death.exit"),
                     ("02_residual_networks", "missing_notebook", "intake.missing")}
    died = next(r for r in irregular[0]["reasons"] if r["kind"] == "kernel_died")
    assert "exit code 3" in died["en"] and "종료 코드 3" in died["ko"]


def test_grading_time(reported):
    timing, grades_folder = reported["figures"]["timing"], reported["course"] / ".grading" / "resnet"
    seconds = {s: json.loads((grades_folder / s / "result.json").read_text())["seconds"] for s in EVERYONE}
    assert timing["students_timed"] == 6 and not timing["untimed"]
    assert timing["total_seconds"] == pytest.approx(sum(seconds.values()), abs=0.01)
    assert [row["student"] for row in timing["slowest"]] == sorted(seconds, key=lambda s: (-seconds[s], s))


def test_csv_files_hold_the_same_figures(reported):
    out, figures = reported["out"], reported["figures"]

    def rows(name):
        with open(out / name, encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    assert len(rows("checks.csv")) == len(_checks(figures))
    shortcut = [r for r in rows("mistakes.csv") if r["key"] == "block.add_before_last_bn"]
    block = next(r for r in shortcut if r["grade_id"] == "identity_block_values")
    assert block["students"] == ";".join(SHORTCUT) and block["students_total"] == "3"
    assert [r["student"] for r in rows("irregular.csv")] == ["dies", "dies"]
    summary = {r["part"]: r for r in rows("summary.csv")}
    assert summary["total"]["zero"] == "1" and summary["01_vanishing_gradients"]["full"] == "3"
    assert sorted(r["student"] for r in rows("students.csv")) == sorted(EVERYONE)


def test_feedback_links_are_relative_and_lead_to_each_students_page(reported):
    page, out = reported["page"], reported["out"]
    links = reported["figures"]["feedback"]
    assert set(links) == set(EVERYONE)
    for student, href in links.items():
        assert not href.startswith(("/", "file:")), href
        assert (out / href).resolve() == (reported["course"] / "feedback" / student / "resnet" / "feedback.html").resolve()
        assert f'href="{href}"' in page


def test_the_page_in_each_language(reported):
    course, root = reported["course"], reported["root"]
    _, korean = _report(course, root / "ko", lang="ko")
    _, english = _report(course, root / "en", lang="en")
    both = reported["page"]
    assert "자주 나온 실수 / Mistakes by frequency" in both
    assert "자주 나온 실수" in korean and "Mistakes by frequency" not in korean and '<html lang="ko"' in korean
    assert "Mistakes by frequency" in english and '<html lang="en"' in english
    hangul = [ch for ch in english if "\uac00" <= ch <= "\ud7a3"]
    assert not hangul, "".join(hangul)[:80]
    # The judge's message in the reader's language, from the catalog.
    assert "숏컷" in korean and "BatchNormalization" in english


def _copy_store(reported, name):
    target = reported["root"] / name / "course"
    shutil.copytree(reported["course"] / ".grading", target / ".grading")
    return target


def _counts(figures):
    """What must not change when only the way the results were stored changes."""
    return {
        "mistakes": [(m["key"], m["students"], [(c["grade_id"], c["students"]) for c in m["checks"]])
                     for m in figures["mistakes"] + figures["no_result"]],
        "checks": [(g["exercise"], [(c["grade_id"], c["passed"], c["mean_points"]) for c in g["checks"]])
                   for g in figures["checks"]],
        "distributions": figures["distributions"],
        "irregular": [(s["student"], [(r["notebook"], r["kind"]) for r in s["reasons"]]) for s in figures["irregular"]],
        "timing": figures["timing"]["total_seconds"],
    }


def test_stored_results_alone_make_the_report(reported):
    """No source notebook, no submission, no config: the stored files are all the report reads."""
    bare = _copy_store(reported, "bare")
    figures, _ = _report(bare, bare.parent / "out")
    assert _counts(figures) == _counts(reported["figures"])
    # Without the stored autograded notebooks either, each check's exercise comes from its grade id.
    for folder in (bare / ".grading" / "resnet").glob("*/autograded"):
        shutil.rmtree(folder)
    figures, _ = _report(bare, bare.parent / "out2")
    assert _counts(figures) == _counts(reported["figures"])


def _rewrite(course, pattern, change):
    """Apply `change` to every stored JSON file matching `pattern` and write it back."""
    for path in (course / ".grading" / "resnet").glob(pattern):
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data))


def test_extra_keys_from_another_grading_path_change_nothing(reported):
    """A cluster may store more (its worker, its timings): what the report knows reads the same."""
    extra = _copy_store(reported, "extra")

    def more_in_result(result):
        result.update(dask_worker="tcp://10.0.0.7:40001", queued_seconds=1.5)
        for outcome in result["notebooks"].values():
            outcome["worker"] = "w3"
            for grade in outcome["grades"].values():
                grade["attempt"] = 1

    _rewrite(extra, "*/result.json", more_in_result)
    _rewrite(extra, "*/judge/*/verdicts.json", lambda verdicts: [v.update(judge_seconds=0.2) for v in verdicts.values()])
    figures, _ = _report(extra, extra.parent / "out")
    assert _counts(figures) == _counts(reported["figures"])


def test_new_grade_ids_and_points_are_read_from_the_results(reported):
    """#13 may add checks (e.g. *_names) and move points: the report follows what was stored."""
    changed = _copy_store(reported, "changed")

    def names_check(result):
        grades = result["notebooks"]["02_residual_networks"]["grades"]
        full = result["student"] == "log-scale"
        grades["identity_block_names"] = {"score": 1.0 if full else 0.0, "max_score": 1.0, "messages": []}
        grades["identity_block_structure"]["max_score"] = 7.0

    _rewrite(changed, "*/result.json", names_check)
    figures, page = _report(changed, changed.parent / "out")
    assert figures["structure"]["02_residual_networks"]["identity_block_names"] == 1.0
    names = _checks(figures)["identity_block_names"]
    assert (names["exercise"], names["passed"], names["max_score"]) == ("identity_block", 1, 1.0)
    assert _checks(figures)["identity_block_structure"]["max_score"] == 7.0
    assert "<code>identity_block_names</code>" in page


def test_an_unreadable_result_costs_only_itself(reported, capsys):
    broken = _copy_store(reported, "broken")
    (broken / ".grading" / "resnet" / "shortcut-b" / "result.json").write_text("{ not json")
    (broken / ".grading" / "resnet" / "log-scale" / "judge" / "01_vanishing_gradients" / "verdicts.json").write_bytes(b"\xff")
    figures, page = _report(broken, broken.parent / "out")
    assert figures["students"] == 5
    assert _by_key(figures["mistakes"])["block.add_before_last_bn"]["students"] == ["shortcut-a", "shortcut-c"]
    assert "plots.not_log" not in _by_key(figures["mistakes"])  # its verdicts were the damaged file
    unreadable = {Path(item["path"]).parent.name: item for item in figures["unreadable"]}
    assert set(unreadable) == {"shortcut-b", "01_vanishing_gradients"}
    assert "JSON" in unreadable["shortcut-b"]["ko"] and "Not readable as JSON" in unreadable["shortcut-b"]["en"]
    assert "읽을 수 없는 저장 파일" in page


def test_no_stored_results_is_a_clear_error(tmp_path, capsys):
    assert cli_main(["report", "--course", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "채점 결과가 없습니다" in error and "No grading results for resnet" in error
    assert not (tmp_path / "out").exists()


def test_only_the_named_students(reported):
    figures, _ = _report(reported["course"], reported["root"] / "two", "--student", "dies", "--student", "shortcut-a")
    assert figures["students"] == 2
    assert _by_key(figures["mistakes"])["block.add_before_last_bn"]["students"] == ["shortcut-a"]


def test_no_result_keys_are_the_judges(reported):
    from resnet_course.autograder.judge import preprocessors

    assert set(report_stats.NO_RESULT_KEYS) == set(preprocessors._NOTHING_ARRIVED)


# -- the page in the browser ----------------------------------------------------------

def _ink(png):
    """The mask of dark pixels of a screenshot."""
    import io

    import numpy as np
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return pixels < 128


def _shapes(page, characters):
    """The distinct ink shapes of `characters`, each drawn large in the page's heading font."""
    page.evaluate("""(chars) => { for (const ch of chars) { const s = document.createElement('span');
        s.className = 'glyph-probe'; s.textContent = ch; s.style.fontSize = '64px';
        s.style.fontFamily = getComputedStyle(document.querySelector('h1')).fontFamily;
        document.body.prepend(s); } }""", list(characters))
    masks = [_ink(probe.screenshot()) for probe in page.locator(".glyph-probe").all()]
    page.evaluate("() => document.querySelectorAll('.glyph-probe').forEach(s => s.remove())")
    assert len(masks) == len(characters) and all(mask.sum() > 50 for mask in masks)
    return {(mask.shape, mask.tobytes()) for mask in masks}


def test_the_page_in_a_real_browser(reported):
    from playwright.sync_api import sync_playwright

    from browser_helpers import VIEWPORT, launch_chromium

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_path = reported["out"] / "report.html"
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            errors, failed = [], []
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("requestfailed", lambda request: failed.append(request.url))
            page.goto(page_path.as_uri(), wait_until="load")

            images = page.evaluate("() => Array.from(document.images).map(i => "
                                   "({ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 22)}))")
            assert len(images) == 4, images  # distributions, checks, mistakes, grading time
            assert all(image["ok"] and image["src"] == "data:image/png;base64," for image in images), images

            # Hangul renders: the fonts doing it have the glyphs, and different syllables draw differently.
            cdp = page.context.new_cdp_session(page)
            cdp.send("DOM.enable")
            cdp.send("CSS.enable")
            root = cdp.send("DOM.getDocument")["root"]["nodeId"]
            heading = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": heading})["fonts"]
            hangul = sum(1 for ch in page.inner_text("h1") if "\uac00" <= ch <= "\ud7a3")
            assert any(("CJK" in f["familyName"] or "Nanum" in f["familyName"]) and f["glyphCount"] >= hangul
                       for f in fonts), fonts
            assert len(_shapes(page, "가나몸")) == 3, "two different syllables drew the same shape (tofu)"
            # The check itself can fail: characters no font has (private use) all draw the same box.
            assert len(_shapes(page, "\ue000\ue001")) == 1

            page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
            # Printing: no navigation, and an A4 PDF of a few pages.
            page.emulate_media(media="print")
            assert page.evaluate("() => getComputedStyle(document.querySelector('nav')).display") == "none"
            pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), prefer_css_page_size=True)
            assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 2
            assert not errors, errors
            assert not failed, failed
        finally:
            browser.close()
    assert (ARTIFACTS / "report.png").stat().st_size > 50_000
