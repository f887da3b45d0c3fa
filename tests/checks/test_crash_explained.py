"""A crash inside a student's ResNet50 is explained in words, once, with no colour codes or paths.

The mistake: stage 2's convolutional block at `s=2`. Keras fails far from it, at the final
average pooling on a 1×1 map; the explanation names stage 2, the shape it produced and the
one expected, and the likely cause. Checked in process (the check's lines), in a kernel
(what the check cell and the locked cells below it show) and on the judge's side (the note
it adds when no model reached it).
"""

import re

import pytest

from judge_catalog.catalog import RESNET, edit
from student_notebooks import execute, filled, graded_cells, outputs_text, up_to

STEM = "02_residual_networks"
STAGE2_STRIDE = edit(RESNET, 'stage=2, block="a", s=1)', 'stage=2, block="a", s=2)')
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _package_folders():
    from resnet_course.autograder.diagnosis.shape_trace import library_dirs

    return [folder for folder in library_dirs() if "python3" not in folder.rsplit("/", 1)[-1]] + ["site-packages"]


def assert_explained_once(message):
    assert "After stage 2 the shape is 8×8×256, expected 15×15×256: is stage 2's convolutional block `s=1`?" in message
    assert "2단계를 지난 뒤 모양이 8×8×256입니다. 기대한 모양은 15×15×256입니다." in message
    assert message.count("After stage 2 the shape") == 1 and message.count("2단계를 지난 뒤") == 1
    # Keras's own sentence once, cleaned: no colour codes, no dump of the arguments it received
    assert message.count("Computed output size would be zero or negative") == 1
    assert "\x1b" not in message and "[1m" not in message and "Arguments received" not in message
    for folder in _package_folders():
        assert folder not in message, folder


@pytest.fixture(scope="module")
def stage2_resnet():
    from resnet_course.autograder.authoring.sources import graded_function_namespace

    namespace = graded_function_namespace(STEM)
    exec(compile(STAGE2_STRIDE, "<student>", "exec"), namespace)
    return namespace["ResNet50"]


def test_the_check_names_stage_2_and_both_shapes(stage2_resnet):
    from resnet_course.autograder.checks.common import collect_problems
    from resnet_course.autograder.checks.resnet import check_ResNet50

    status, lines = collect_problems("ResNet50", check_ResNet50, stage2_resnet)
    assert status == "crashed"
    message = "\n".join(lines)
    assert_explained_once(message)
    assert "AveragePooling2D" in message and "1×1×2048" in message  # where Keras gave up


def test_the_judge_shows_the_kernel_explanation_once_and_hints_from_raw_keras_text(stage2_resnet):
    from resnet_course.autograder.checks.common import collect_problems
    from resnet_course.autograder.checks.resnet import check_ResNet50
    from resnet_course.autograder.judge.preprocessors import _kernel_error, error_note

    _, lines = collect_problems("ResNet50", check_ResNet50, stage2_resnet)
    cell = {"outputs": [{"output_type": "error", "ename": "AssertionError", "evalue": "\n".join(lines)}]}
    note = error_note("ResNet50_layout", _kernel_error(cell))
    assert_explained_once(note)
    # A hidden test that crashed by itself reports Keras's raw text: the judge names the cause it can.
    with pytest.raises(ValueError) as raw:
        stage2_resnet()
    cell = {"outputs": [{"output_type": "error", "ename": "ValueError", "evalue": str(raw.value)}]}
    note = error_note("ResNet50_layout", _kernel_error(cell))
    assert "\x1b" not in note and "Arguments received" not in note
    assert "The AveragePooling2D layer received an input of shape 1×1×2048, too small for it" in note


@pytest.mark.slow
def test_in_a_kernel_the_check_cell_explains_and_the_locked_cells_point_back(tmp_path):
    nb = execute(up_to(filled(STEM, {"ResNet50": STAGE2_STRIDE}), "ResNet50_values"), tmp_path,
                 RESNET_COURSE_QUICK="1")
    check = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith('public_check("ResNet50"')]
    assert len(check) == 1
    assert_explained_once(outputs_text(check[0]))
    locked = graded_cells(nb, "ResNet50")
    assert len(locked) >= 2
    for cell in locked:
        shown = ANSI.sub("", outputs_text(cell))  # the traceback as the student reads it
        assert "ResNet50: the check cell above explains what to fix." in shown
        assert "위의 확인 셀이 무엇을 고칠지 알려 줍니다" in shown
        assert "Computed output size" not in shown and "After stage 2" not in shown  # not repeated
        for folder in _package_folders():
            assert folder not in shown, (folder, shown)


def test_a_block_that_fails_at_the_add_names_the_cause_and_says_keras_sentence_once():
    from judge_catalog.catalog import BY_NAME

    from resnet_course.autograder.authoring.sources import graded_function_namespace
    from resnet_course.autograder.checks.common import collect_problems
    from resnet_course.autograder.checks.resnet import check_identity_block

    namespace = graded_function_namespace(STEM)
    exec(compile(BY_NAME["id_valid_middle"].source, "<student>", "exec"), namespace)
    status, lines = collect_problems("identity_block", check_identity_block, namespace["identity_block"])
    message = "\n".join(lines)
    assert status == "failed"
    # Keras's sentence once per public case that failed (not once per language)
    sentences = re.findall(r"Inputs have incompatible shapes\. Received shapes \([^)]*\) and \([^)]*\)", message)
    assert len(sentences) == len(set(sentences)) >= 1, message
    assert "The middle convolution (2b) uses valid padding" in message
    assert "There is no add" not in message  # the add was written: it is where the build failed
    assert "\x1b" not in message
