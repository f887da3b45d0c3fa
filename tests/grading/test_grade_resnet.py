"""One class of the real `resnet` assignment, end to end: sandbox, nbgrader, the judge, feedback.

`resnet-course demo` (what `make demo` runs) in a copy of the course folder, sharing the
course's reference cache: the instructor's solution, the untouched student copy, two typical
mistakes and the set_custom_exc cheat, all made from the student copy, graded and tabled.
"""

import json
from pathlib import Path

import pytest

import grading_helpers as gh

from resnet_course.autograder.grading import feedback
from resnet_course.autograder.cli import main as cli_main

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def resnet_class(tmp_path_factory, built_course, reference_cache):
    root = tmp_path_factory.mktemp("resnet")
    copy = gh.copy_built_course(built_course, root / "course")
    mp = pytest.MonkeyPatch()
    mp.setenv("RESNET_COURSE_REFERENCE_CACHE", str(reference_cache))
    try:
        # `make demo` runs exactly this, after building the course.
        assert cli_main(["demo", "--course", str(copy), "--skip-build"]) == 0
    finally:
        mp.undo()
    data = json.loads((copy / ".demo" / "grades.json").read_text())
    results = data["students"]
    structure = {nb: {gid: g["max_score"] for gid, g in outcome["grades"].items()}
                 for nb, outcome in results["demo-solution"]["notebooks"].items()}
    return {"course": copy, "results": results, "structure": structure}


def test_solution_gets_full_marks_untouched_and_cheat_nothing(resnet_class):
    results = resnet_class["results"]
    total = sum(sum(cells.values()) for cells in resnet_class["structure"].values())
    solution = results["demo-solution"]
    assert solution["status"] == "graded" and solution["max_score"] == total
    assert solution["score"] == total, json.dumps(solution["notebooks"], ensure_ascii=False)[:3000]
    assert results["demo-untouched"]["score"] == 0
    cheat = results["demo-cheat"]
    assert cheat["score"] == 0 and cheat["status"] == "graded"
    # Typical mistakes lose points in their own checks only.
    def lost(student):
        return sorted(gid for nb in results[student]["notebooks"].values()
                      for gid, g in nb["grades"].items() if g["score"] < g["max_score"])

    # Charged once: the identity block's structure check, never ResNet50 (the reference blocks
    # stand in for the student's there) nor again the block's values or training mode.
    assert lost("demo-no-final-relu") == ["identity_block_structure"]
    assert lost("demo-no-log-scale") and all(g.startswith("plot_gradient_norms") for g in lost("demo-no-log-scale"))
    # The judge says what went wrong, in both languages.
    messages = [m for nb in cheat["notebooks"].values() for g in nb["grades"].values() for m in g["messages"]]
    assert messages and all("채점기" in m and "judge" in m for m in messages)


def _hidden_blocks_of_the_sources():
    """Every line between the hidden-test markers of course/notebooks/*.md, read here as plain
    text: an oracle of its own, not the scrubber's `hidden_test_lines` it is meant to check."""
    lines = set()
    for source in sorted((REPO / "course" / "notebooks").glob("*.md")):
        inside = False
        for line in source.read_text(encoding="utf-8").splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) >= 12:  # `for ...:` and `)` say nothing
                lines.add(line.strip())
    return lines


def test_feedback_for_the_real_assignment_keeps_hidden_tests_hidden(resnet_class):
    course = resnet_class["course"]
    pages = feedback.write_feedback(course, "resnet")
    assert len(pages) == 5
    hidden = _hidden_blocks_of_the_sources()
    assert len(hidden) > 40, len(hidden)
    import html

    for page in pages:
        content = html.unescape(page.read_text())
        assert "BEGIN HIDDEN TESTS" not in content
        assert not [line for line in hidden if line in content], page
    solution = (course / "feedback" / "demo-solution" / "resnet" / "feedback.html").read_text()
    assert "<img" in solution  # the plot beside the reference


def test_autograde_skips_what_decides_no_score_and_stays_quiet(resnet_class):
    """Under autograde the public checks and the training runs only say they were skipped."""
    import nbformat

    folder = resnet_class["course"] / ".grading" / "resnet" / "demo-solution" / "autograded"
    said = []
    for path in sorted(folder.glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type != "code" or cell.metadata.get("nbgrader", {}).get("grade"):
                continue
            outputs = cell.get("outputs", [])
            assert not [o for o in outputs if o.get("output_type") == "error" or o.get("name") == "stderr"], \
                (path.name, cell.source[:80], outputs)
            said += [o.get("text", "") for o in outputs if o.get("name") == "stdout"]
    said = "".join(said)
    assert said.count("public checks are skipped while grading") == 6  # three per notebook
    assert said.count("Autograding: training skipped.") == 2  # degradation (nb 1) and ResNet50 (nb 2)


def test_demo_ends_with_the_class_report_of_its_students(resnet_class):
    """`make demo` writes the report last: the demo's five students, their mistakes named."""
    out = resnet_class["course"] / ".demo" / "report"
    figures = json.loads((out / "report.json").read_text())
    assert sorted(row["student"] for row in figures["student_rows"]) == sorted(resnet_class["results"])
    mistakes = {entry["key"]: entry["students"] for entry in figures["mistakes"]}
    assert mistakes["block.final_relu_missing"] == ["demo-no-final-relu"]
    assert mistakes["plots.not_log"] == ["demo-no-log-scale"]
    assert (out / "report.html").is_file()
