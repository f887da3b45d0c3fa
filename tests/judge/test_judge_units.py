"""The judge's parts one by one: how a verdict becomes a score, what it refuses to read or rebuild.

Fast tests, no nbgrader run: nbgrader's own `determine_grade` scores the outputs the judge
writes; the safety walk refuses models that need student code; artifacts that are links,
pickles or not there never reach a comparator.
"""

import json
import os
from pathlib import Path

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_output

from resnet_course.autograder.judge import comparator, worker
from resnet_course.autograder.judge import preprocessors as judge
from resnet_course.autograder.judge.comparator import ArtifactError, ArtifactFolder


def _graded_cell(outputs):
    cell = new_code_cell("pass", metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "x_values",
                                                         "points": 3, "locked": True, "schema_version": 3}})
    cell.outputs = outputs
    return cell


def test_verdicts_become_nbgraders_scores():
    from nbgrader.utils import determine_grade

    passed = _graded_cell(judge._outputs_for("x_values", {"passed": True}))
    failed = _graded_cell(judge._outputs_for("x_values", {"passed": False, "message": "틀림\nwrong"}))
    assert passed.outputs == []
    assert determine_grade(passed) == (3.0, 3.0)
    assert determine_grade(failed) == (0, 3.0)
    [error] = failed.outputs
    assert error.output_type == "error" and error.ename == "AssertionError"
    assert "wrong" in error.evalue and "틀림" in "\n".join(error.traceback)


def test_what_the_kernel_printed_cannot_move_a_score():
    """A number as the last expression is partial credit in plain nbgrader; the judge's rewrite drops it."""
    from nbgrader.utils import determine_grade

    student_outputs = [new_output("execute_result", data={"text/plain": "3.0"}, execution_count=1)]
    assert determine_grade(_graded_cell(student_outputs)) == (3.0, 3.0)  # what nbgrader alone would do
    cell = _graded_cell(student_outputs)
    cell.outputs = judge._outputs_for("x_values", {"passed": False, "message": "no"})
    assert determine_grade(cell) == (0, 3.0)


def test_kernel_error_is_quoted_without_colour_codes():
    cell = _graded_cell([new_output("error", ename="ValueError", evalue="\x1b[0;31mshapes differ\x1b[0m",
                                    traceback=[])])
    assert judge._kernel_error(cell) == "ValueError: shapes differ"


@pytest.mark.parametrize("grade_id,shapes,says", [
    # "valid" middle convolution (the public example: 4x4 input, f=3)
    ("identity_block_values", "(2, 2, 6) and (4, 4, 6)", "check the padding of the middle f×f convolution"),
    # the shortcut without its stride (5x5 input, s=2): no shape rule tells it from padding
    ("convolutional_block_structure", "(3, 3, 4) and (5, 5, 4)", "both take the stride (s, s)"),
    ("ResNet50_layout", "(8, 8, 16) and (4, 4, 16)", "must end in the same shape"),
    ("identity_block_structure", "(4, 4, 16) and (4, 4, 8)", "different numbers of channels"),
])
def test_a_block_that_raises_at_the_add_gets_its_cause_named(grade_id, shapes, says):
    from resnet_course.autograder.diagnosis import crash_hints

    error = f"AssertionError: 💥 block: ValueError: Inputs have incompatible shapes. Received shapes {shapes}"
    hint = crash_hints.hint_for(grade_id, error)
    assert says in hint and "덧셈(Add)" in hint, hint


def test_other_errors_get_no_hint():
    from resnet_course.autograder.diagnosis import crash_hints

    assert crash_hints.hint_for("identity_block_values", "ValueError: shapes differ") is None
    assert crash_hints.hint_for("identity_block_values", None) is None


def test_student_ids_cannot_escape_the_artifacts_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(judge.ARTIFACTS_ROOT_ENV, raising=False)
    folder = judge.artifacts_folder(tmp_path, "../../etc", "resnet", "02_residual_networks")
    assert folder.is_relative_to(tmp_path / ".artifacts")
    monkeypatch.setenv(judge.ARTIFACTS_ROOT_ENV, str(tmp_path / "elsewhere"))
    assert judge.artifacts_folder(tmp_path, "s1", "resnet", "nb").parent.parent.parent == tmp_path / "elsewhere"
    assert judge.judge_folder(folder).name == "02_residual_networks.judge"


def _folder(tmp_path, grade_id="g"):
    folder = tmp_path / grade_id
    folder.mkdir(parents=True)
    return folder


def test_arrays_are_read_without_pickle(tmp_path):
    folder = _folder(tmp_path)
    np.save(folder / "ok.npy", np.arange(3.0))
    np.save(folder / "pickled.npy", np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    (folder / "garbage.npy").write_bytes(b"not numpy")
    student = ArtifactFolder(folder, trusted=False)
    assert student.array("ok").tolist() == [0.0, 1.0, 2.0]
    for case in ("pickled", "garbage"):
        with pytest.raises(ArtifactError) as error:
            student.array(case)
        assert error.value.key == "judge.unreadable"


def test_links_and_huge_files_are_refused(tmp_path):
    folder = _folder(tmp_path)
    secret = tmp_path / "secret.npy"
    np.save(secret, np.arange(3.0))
    os.symlink(secret, folder / "link.npy")
    os.link(secret, folder / "hard.npy")
    with open(folder / "big.json", "wb") as handle:
        handle.truncate(comparator.MAX_FILE_BYTES + 1)
    student = ArtifactFolder(folder, trusted=False)
    for case, reader in (("link", student.array), ("hard", student.array), ("big", student.json)):
        with pytest.raises(ArtifactError) as error:
            reader(case)
        assert error.value.key == "judge.unreadable", case


def test_unknown_grade_id_and_missing_artifacts_score_zero_with_a_reason(tmp_path):
    reference = tmp_path / "ref"
    (reference / "squares_values").mkdir(parents=True)
    np.save(reference / "squares_values" / "n3.npy", np.arange(3.0))
    student = tmp_path / "student"
    student.mkdir()
    table = {"squares_values": "compare_arrays:gradient_norms_values"}
    unknown = worker.judge_one("nobody_knows", "nb", student, reference, tmp_path / "fb", table, {})
    assert not unknown.passed and "No comparison is registered" in unknown.message()
    missing = worker.judge_one("squares_values", "nb", student, reference, tmp_path / "fb", table, {})
    assert not missing.passed and "No result reached the grader" in missing.message()
    assert "채점기에 결과가 전달되지 않았습니다" in missing.message()


def test_every_graded_cell_of_the_course_has_a_comparator(repo):
    from resnet_course.autograder.authoring.sources import NOTEBOOKS, read_source

    grade_ids = set()
    for stem in NOTEBOOKS:
        for cell in read_source(stem, repo / "course").cells:
            if judge.is_graded_test_cell(cell):
                grade_ids.add(cell.metadata["nbgrader"]["grade_id"])
    assert len(grade_ids) == 20  # 16 before the names checks of #13
    assert grade_ids <= set(worker.COMPARATORS), grade_ids - set(worker.COMPARATORS)
    for spec in set(worker.COMPARATORS.values()):
        assert callable(worker._resolve(spec)), spec


@pytest.fixture(scope="module")
def keras():
    import resnet_course.utils  # noqa: F401

    import keras

    return keras


def _model_json(keras, build):
    x = keras.Input((4, 4, 3))
    return json.loads(keras.Model(x, build(x)).to_json())


def test_lambda_layers_are_refused_with_the_reason(keras):
    from resnet_course.autograder.judge.safe_models import check_safe

    config = _model_json(keras, lambda x: keras.layers.Lambda(lambda t: t * 2)(x))
    with pytest.raises(ArtifactError) as error:
        check_safe(config)
    assert error.value.key == "model.lambda_refused"


def test_custom_classes_are_refused(keras):
    from resnet_course.autograder.judge.safe_models import check_safe

    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2

    config = _model_json(keras, lambda x: Doubler()(x))
    with pytest.raises(ArtifactError) as error:
        check_safe(config)
    assert error.value.key == "model.custom_refused"


def test_built_in_spellings_are_accepted(keras):
    import tensorflow as tf

    from resnet_course.autograder.judge.safe_models import check_safe

    def build(x):
        y = keras.layers.Conv2D(2, 1, kernel_initializer="he_normal")(x)
        y = keras.layers.Activation(tf.nn.relu)(y) + keras.ops.relu(y)
        return keras.layers.add([keras.layers.ReLU()(y), y])

    from resnet_course.autograder.diagnosis.graph import graph_of

    config = _model_json(keras, build)
    assert check_safe(config) is None  # a refused spelling raises ArtifactError instead
    kinds = sorted(node.kind for node in graph_of(config).nodes.values())
    assert kinds == ["add", "add", "conv", "input", "relu", "relu", "relu"], kinds  # read by meaning


def test_equal_weights_by_role_make_equal_models(keras, tmp_path):
    """Two spellings of one block, created in different orders, give the same outputs."""
    from resnet_course.autograder.judge import weights as cm

    def block(x, order):
        layers = {
            "a": keras.layers.Conv2D(4, 1, name="res2a_branch2a", kernel_initializer="zeros"),
            "bn": keras.layers.BatchNormalization(axis=3, name="bn2a_branch2a"),
        }
        if order:
            layers = dict(reversed(list(layers.items())))
        y = layers["bn"](layers["a"](x))
        return keras.layers.Add()([y, keras.layers.Conv2D(4, 1, name="res2a_branch1")(x)])

    models = []
    for order in (False, True):
        x = keras.Input((5, 5, 3))
        models.append(keras.Model(x, block(x, order)))
    roles = [{layer.name: layer.name for layer in m.layers if layer.weights} for m in models]
    for model, role in zip(models, roles):
        cm.fill_weights(model, {v: k for k, v in role.items()})
    x = cm.model_input(models[0])
    for training in (False, True):
        np.testing.assert_allclose(cm.outputs(models[0], x, training), cm.outputs(models[1], x, training),
                                   rtol=1e-6)


def test_a_config_survives_rebuilding(keras, tmp_path):
    from resnet_course.autograder.judge import safe_models as cm

    folder = _folder(tmp_path, "g")
    x = keras.Input((3,))
    (folder / "case.model.json").write_text(keras.Model(x, keras.layers.Dense(2)(x)).to_json())
    context = comparator.Context("g", "nb", tmp_path / "fb")
    _, config = cm.load_model(ArtifactFolder(folder, trusted=False), "case", context)
    assert "layers" in config["config"]


def test_gradient_norm_mistakes_are_named():
    from resnet_course.autograder.judge.compare_arrays import diagnose

    expected = np.array([0.5, 0.1, 0.02, 0.004])
    assert diagnose("c", expected.copy(), expected) is None
    assert diagnose("c", expected[::-1], expected)[0] == "arrays.reversed"
    assert diagnose("c", expected ** 2, expected)[0] == "arrays.squared"
    assert diagnose("c", expected * 32, expected)[0] == "arrays.scaled"
    assert diagnose("c", np.append(expected, 0.7), expected)[0] == "arrays.includes_output"
    assert diagnose("c", np.zeros(4), expected)[0] == "arrays.values"
    assert diagnose("c", np.array([0.5, np.nan, 0.02, 0.004]), expected)[0] == "arrays.not_finite"


def test_plot_feedback_image_is_drawn(tmp_path):
    from resnet_course.autograder.judge import compare_plots

    data = compare_plots.normalise({"lines": [{"label": "plain", "x": [1, 2, 3], "y": [1.0, 0.1, 0.01]}],
                                    "yscale": "log", "xlabel": "층 / layer", "ylabel": "norm", "legend": ["plain"]})
    context = comparator.Context("plot_gradient_norms_lines", "nb", tmp_path / "judge")
    path = Path(compare_plots.render_feedback(data, data, context, "case"))
    assert path.is_file() and path.read_bytes()[:4] == b"\x89PNG"
    assert path.parent == tmp_path / "judge"


def test_parameter_count_from_json_matches_keras(keras):
    from resnet_course.autograder.judge.compare_resnet import count_params

    x = keras.Input((9, 7, 3))
    y = keras.layers.Conv2D(5, (3, 2), strides=2, padding="same")(x)
    y = keras.layers.BatchNormalization(axis=3)(y)
    y = keras.layers.Conv2D(4, 1, use_bias=False)(y)
    y = keras.layers.BatchNormalization(axis=-1, center=False)(y)
    y = keras.layers.Dense(6)(keras.layers.Flatten()(keras.layers.ReLU()(y)))
    model = keras.Model(x, y)
    assert count_params(json.loads(model.to_json())) == model.count_params()


def test_a_named_cause_under_a_values_check_reads_in_each_language_and_keeps_its_key(tmp_path):
    """A values check that fails with a cause read from the graph: each line in one language,
    and the stored problem keeps the cause's key, which the class report counts."""
    from resnet_course.autograder.judge import model_runs  # noqa: F401  (registers model.*)
    from resnet_course.autograder.diagnosis import blocks  # noqa: F401  (registers block.*)
    from resnet_course.utils.messages import Phrase, set_language

    set_language("both")
    verdict = comparator.Verdict(False, [
        ("model.values_differ", {"case": "f2_odd", "mode": Phrase("model.mode_inference"), "diff": 1.19}),
        ("model.look_at", {"problem": Phrase("block.add_before_last_bn", block=""),
                           "cause": "block.add_before_last_bn"})])
    lines = verdict.message().split("\n")
    assert len(lines) == 4
    korean = [line for line in lines if any("가" <= ch <= "힣" for ch in line)]
    assert korean == [lines[0], lines[2]]  # Korean, English, Korean, English: no English inside Korean lines
    assert "inference-mode" not in lines[0] and "추론" not in lines[1]
    assert "숏컷" in lines[2] and "BatchNormalization" in lines[3] and "숏컷" not in lines[3]


def test_a_resnet50_block_message_names_the_block_and_the_full_layer_name():
    """"합성곱 2b 뒤에 …" could be any of sixteen blocks: in a whole ResNet50 each message says
    which block and names the layer as the naming convention does; a lone block's stays short."""
    from resnet_course.autograder.diagnosis.blocks import located
    from resnet_course.utils.messages import text

    problems = located([("block.bn_missing", {"conv": "2b", "block": ""}), ("block.final_relu_missing", {"block": ""})],
                       4, "c")
    assert [values["conv"] for _, values in problems[:1]] == ["res4c_branch2b"]
    korean = [text(key, in_language="ko", **values) for key, values in problems]
    english = [text(key, in_language="en", **values) for key, values in problems]
    assert korean[0] == "블록 4c: 합성곱 res4c_branch2b 뒤에 배치 정규화(BatchNormalization) 층이 없습니다."
    assert english[0] == "Block 4c: BatchNormalization is missing after convolution res4c_branch2b."
    assert korean[1].startswith("블록 4c: 마지막 ReLU가 없습니다.") and english[1].startswith("Block 4c: The final ReLU")
    both = text(*problems[0][:1], **problems[0][1]).split("\n")
    assert both == [korean[0], english[0]]  # the block's Phrase keeps to each line's language
    assert text("block.bn_missing", in_language="ko", conv="2b", block="") == \
        "합성곱 2b 뒤에 배치 정규화(BatchNormalization) 층이 없습니다."
