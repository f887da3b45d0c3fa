"""Notebook 2 (Residual Networks): the source runs, the checks name mistakes, students see "not answered".

The public checks are themselves tested against a catalog of implementations: common
mistakes, each of which must be reported with the right message key, and correct ones
written differently (other imports, `layers.add`, `x + y`, `ReLU()`, helper functions,
other initializers), each of which must pass. The same graph diagnosis must hold on a
model rebuilt from its JSON, as the judge sees it.
"""

import os
import re

import numpy as np
import pytest

import resnet_course.utils  # noqa: F401  (quiet TensorFlow first)

STEM = "02_residual_networks"


# ---------------------------------------------------------------------------------------
# The catalog: one configurable implementation, mutated one way at a time
# ---------------------------------------------------------------------------------------


def _relu(X, style):
    import keras
    import tensorflow as tf

    if style == "ReLU":
        return keras.layers.ReLU()(X)
    if style == "tf.nn.relu":
        return keras.layers.Activation(tf.nn.relu)(X)
    if style == "ops":
        return keras.ops.relu(X)
    if style == "sigmoid":
        return keras.layers.Activation("sigmoid")(X)
    return keras.layers.Activation("relu")(X)


def _add(main, shortcut, style):
    import keras

    if style == "layers.add":
        return keras.layers.add([main, shortcut])
    if style == "swap":
        return keras.layers.Add()([shortcut, main])
    if style == "plus":
        return main + shortcut
    return keras.layers.Add()([main, shortcut])


def make_block(kind, **mutation):
    """identity_block / convolutional_block, correct unless `mutation` says otherwise."""
    import keras
    import tensorflow as tf

    L = tf.keras.layers if mutation.get("tf_keras") else keras.layers
    relu_style = mutation.get("relu", "Activation")
    add_style = mutation.get("add", "Add")

    def init():
        if mutation.get("initializer"):
            return mutation["initializer"]
        return keras.initializers.GlorotUniform(seed=0)

    def one(value):
        return (value, value) if mutation.get("tuple_strides", True) else value

    def block_fn(X, f, filters, stage, block, s=2):
        conv = "res" + str(stage) + block + "_branch"
        bn = "bn" + str(stage) + block + "_branch"
        if mutation.get("bad_names"):
            conv, bn = "conv_" + conv, "norm_" + bn
        F1, F2, F3 = filters
        if mutation.get("filters_order"):
            F1, F2, F3 = F3, F2, F1
        s = s if kind == "convolutional" else 1
        first_stride, middle_stride = s, 1
        if mutation.get("stride_on_middle"):
            first_stride, middle_stride = 1, s
        axis = mutation.get("bn_axis", 3)
        call_kwargs = {"training": True} if mutation.get("training_true") else {}
        X_shortcut = X

        def norm(T, name):
            return L.BatchNormalization(axis=axis, name=name)(T, **call_kwargs)

        first_kernel = (f, f) if mutation.get("kernel_f_on_1x1") else (1, 1)
        X = L.Conv2D(F1, first_kernel, strides=one(first_stride), padding=mutation.get("first_padding", "valid"),
                     name=conv + "2a", kernel_initializer=init())(X)
        if mutation.get("relu_before_bn"):
            X = _relu(X, relu_style)
            X = norm(X, bn + "2a")
        else:
            X = norm(X, bn + "2a")
            X = _relu(X, relu_style)

        X = L.Conv2D(F2, (f, f), strides=one(middle_stride), padding=mutation.get("middle_padding", "same"),
                     name=conv + "2b", kernel_initializer=init())(X)
        X = norm(X, bn + "2b")
        if not mutation.get("no_middle_relu"):
            X = _relu(X, "sigmoid" if mutation.get("sigmoid") else relu_style)

        X = L.Conv2D(F3, (1, 1), strides=one(1), padding="valid", name=conv + "2c", kernel_initializer=init())(X)
        if not mutation.get("add_before_last_bn"):
            X = norm(X, bn + "2c")
        if mutation.get("relu_before_add"):
            X = _relu(X, relu_style)

        if kind == "convolutional" and not mutation.get("no_shortcut_conv"):
            shortcut_stride = 1 if mutation.get("shortcut_no_stride") else s
            X_shortcut = L.Conv2D(F3, (1, 1), strides=one(shortcut_stride), padding="valid", name=conv + "1",
                                  kernel_initializer=init())(X_shortcut)
            if not mutation.get("shortcut_no_bn"):
                X_shortcut = norm(X_shortcut, bn + "1")

        if mutation.get("no_add"):
            return X
        X = _add(X, X_shortcut, add_style)
        if mutation.get("add_before_last_bn"):
            X = norm(X, bn + "2c")
        if not (mutation.get("no_final_relu") or mutation.get("relu_before_add")):
            X = _relu(X, relu_style)
        return X

    if kind == "identity":
        def identity_block(X, f, filters, stage, block):
            return block_fn(X, f, filters, stage, block)
        return identity_block

    def convolutional_block(X, f, filters, stage, block, s=2):
        return block_fn(X, f, filters, stage, block, s)
    return convolutional_block


def helper_style_identity_block(X, f, filters, stage, block):
    """A correct identity block written with a helper function and keras.ops."""
    import keras

    def conv_bn(T, n, k, name, relu=True):
        T = keras.layers.Conv2D(n, k, padding="same", name="res" + name,
                                kernel_initializer="he_normal")(T)
        T = keras.layers.BatchNormalization(axis=-1, name="bn" + name)(T)
        return keras.layers.ReLU()(T) if relu else T

    base = f"{stage}{block}_branch"
    F1, F2, F3 = filters
    main = conv_bn(X, F1, 1, base + "2a")
    main = conv_bn(main, F2, f, base + "2b")
    main = conv_bn(main, F3, 1, base + "2c", relu=False)
    return keras.ops.relu(keras.layers.add([X, main]))


IDENTITY_MISTAKES = {
    "no_final_relu": "block.final_relu_missing",
    "relu_before_add": "block.relu_before_add",
    "add_before_last_bn": "block.add_before_last_bn",
    "bn_axis": "block.bn_axis",
    "middle_padding": "block.middle_valid_padding",
    "filters_order": "block.filters_order",
    "kernel_f_on_1x1": "block.kernel_f_on_1x1",
    "relu_before_bn": "block.relu_before_bn",
    "no_middle_relu": "block.relu_missing",
    "sigmoid": "block.wrong_activation",
    "no_add": "block.no_add",
    "training_true": "block.training_hardwired",
    "bad_names": "block.layer_names",
}
_MUTATION_VALUES = {"bn_axis": 1, "middle_padding": "valid"}

CONV_MISTAKES = {
    "stride_on_middle": "block.stride_on_middle",
    "shortcut_no_bn": "block.shortcut_no_bn",
    "shortcut_no_stride": "block.shortcut_no_stride",
    "no_shortcut_conv": "block.shortcut_no_conv",
    "filters_order": "block.filters_order",
    "kernel_f_on_1x1": "block.kernel_f_on_1x1",
    "middle_padding": "block.middle_valid_padding",
    "no_final_relu": "block.final_relu_missing",
    "relu_before_add": "block.relu_before_add",
    "add_before_last_bn": "block.add_before_last_bn",
}

VALID_VARIANTS = {
    "plain": {},
    "tf.keras": {"tf_keras": True},
    "layers.add": {"add": "layers.add"},
    "add operands swapped": {"add": "swap"},
    "x + y": {"add": "plus"},
    "ReLU()": {"relu": "ReLU"},
    "Activation(tf.nn.relu)": {"relu": "tf.nn.relu"},
    "keras.ops.relu": {"relu": "ops"},
    "strides=1": {"tuple_strides": False},
    "same padding on 1x1": {"first_padding": "same"},
    "he_normal": {"initializer": "he_normal"},
}


def _keys(problems):
    return [key for key, _ in problems]


def _run_check(check, function):
    from resnet_course.autograder.checks.common import collect_problems

    return collect_problems(function.__name__, check, function)


@pytest.fixture(scope="module")
def solutions():
    from resnet_course.autograder.authoring.sources import graded_function_namespace

    return graded_function_namespace(STEM)


@pytest.mark.parametrize("name", sorted(IDENTITY_MISTAKES))
def test_identity_block_mistake_is_named(name):
    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder.checks.common import collect_problems
    from resnet_course.utils.messages import text

    function = make_block("identity", **{name: _MUTATION_VALUES.get(name, True)})
    problems = checks_resnet.check_identity_block(function)
    assert IDENTITY_MISTAKES[name] in _keys(problems), problems
    status, lines = collect_problems("identity_block", checks_resnet.check_identity_block, function)
    assert status == "failed"
    assert text(IDENTITY_MISTAKES[name], **dict(problems)[IDENTITY_MISTAKES[name]]).split("\n")[1] in "\n".join(lines)


@pytest.mark.parametrize("name", sorted(CONV_MISTAKES))
def test_convolutional_block_mistake_is_named(name):
    from resnet_course.autograder.checks import resnet as checks_resnet

    function = make_block("convolutional", **{name: _MUTATION_VALUES.get(name, True)})
    problems = checks_resnet.check_convolutional_block(function)
    assert CONV_MISTAKES[name] in _keys(problems), problems


@pytest.mark.parametrize("variant", sorted(VALID_VARIANTS))
def test_valid_block_variants_pass(variant):
    from resnet_course.autograder.checks import resnet as checks_resnet

    for kind, check in (("identity", checks_resnet.check_identity_block),
                        ("convolutional", checks_resnet.check_convolutional_block)):
        problems = check(make_block(kind, **VALID_VARIANTS[variant]))
        assert problems == [], (kind, problems)


def test_helper_function_variant_passes():
    from resnet_course.autograder.checks import resnet as checks_resnet

    assert checks_resnet.check_identity_block(helper_style_identity_block) == []


def test_diagnosis_reads_json_like_a_live_model():
    """The judge rebuilds models from JSON (or reads the JSON itself): same verdicts."""
    import keras

    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder import diagnosis as dr

    args = dict(f=3, filters=[2, 3, 4], stage=2, block="a", s=2)
    for mutation, key in (({}, None), ({"stride_on_middle": True}, "block.stride_on_middle"),
                          ({"relu": "ops", "add": "plus", "shortcut_no_bn": True}, "block.shortcut_no_bn")):
        model, problems = checks_resnet.build_block_model(make_block("convolutional", **mutation), (8, 8, 3), **args)
        assert problems == []
        live = dr.diagnose_convolutional_block(model, **args)
        assert dr.diagnose_convolutional_block(model.to_json(), **args) == live
        rebuilt = keras.models.model_from_json(model.to_json())
        assert dr.diagnose_convolutional_block(rebuilt, **args) == live
        assert (key in _keys(live)) if key else live == []
        if key is None:
            assert set(dr.block_roles(rebuilt)) == {"conv2a", "bn2a", "conv2b", "bn2b", "conv2c", "bn2c",
                                                    "conv1", "bn1"}


def test_weights_by_role_ignore_creation_order_and_initializer(solutions):
    """Two correct blocks built differently give the same numbers once filled by role."""
    from resnet_course.autograder.checks import resnet as cr
    from resnet_course.autograder import diagnosis as dr

    args = dict(f=3, filters=[2, 3, 6], stage=1, block="a")
    X = cr.fixed_input((2, 4, 4, 6))
    reference, _ = cr.build_block_model(solutions["identity_block"], (4, 4, 6), **args)
    other, _ = cr.build_block_model(helper_style_identity_block, (4, 4, 6), **args)
    a = cr.outputs_by_role(reference, dr.block_roles(reference), X)
    b = cr.outputs_by_role(other, dr.block_roles(other), X)
    for left, right in zip(a, b):
        np.testing.assert_allclose(left, right, atol=1e-5)


def test_public_expected_values_match_the_solutions(solutions):
    """The numbers written in checks_resnet.EXPECTED are what the solutions give."""
    from resnet_course.autograder.checks import resnet as cr
    from resnet_course.autograder import diagnosis as dr

    for name, (shape, args) in (("identity_block", cr.IDENTITY_VALUE_CASE),
                                ("convolutional_block", cr.CONV_VALUE_CASE)):
        model, _ = cr.build_block_model(solutions[name], shape[1:], **args)
        inference, training = cr.outputs_by_role(model, dr.block_roles(model), cr.fixed_input(shape))
        np.testing.assert_allclose(cr.output_summary(inference), cr.EXPECTED[name]["inference"], atol=1e-4)
        np.testing.assert_allclose(cr.output_summary(training), cr.EXPECTED[name]["training"], atol=1e-4)


# ---------------------------------------------------------------------------------------
# ResNet50: layout mistakes and a valid variant
# ---------------------------------------------------------------------------------------


def make_resnet(solutions, **mutation):
    """ResNet50 from the solution blocks, correct unless `mutation` says otherwise."""
    import keras

    identity_block = solutions["identity_block"]
    convolutional_block = solutions["convolutional_block"]
    L = keras.layers

    def ResNet50(input_shape=(64, 64, 3), classes=6):
        X_input = keras.Input(input_shape)
        X = X_input if mutation.get("no_zeropad") else L.ZeroPadding2D((3, 3))(X_input)
        X = L.Conv2D(64, (7, 7), strides=(2, 2), name="conv1")(X)
        X = L.BatchNormalization(axis=3, name="bn_conv1")(X)
        X = L.ReLU()(X) if mutation.get("relu_layer") else L.Activation("relu")(X)
        if not mutation.get("no_maxpool"):
            X = L.MaxPooling2D((3, 3), strides=(2, 2))(X)
        layout = [(2, [64, 64, 256], 1, 2), (3, [128, 128, 512], 2, 3), (4, [256, 256, 1024], 2, 5),
                  (5, [512, 512, 2048], 2, 2)]
        if mutation.get("stage4_four"):
            layout[2] = (4, [256, 256, 1024], 2, 4)
        if mutation.get("stage2_stride2"):
            layout[0] = (2, [64, 64, 256], 2, 2)
        for stage, filters, s, identities in layout:
            X = convolutional_block(X, 3, filters, stage=stage, block="a", s=s)
            for letter in "bcdefgh"[:identities]:
                X = identity_block(X, 3, filters, stage=stage, block=letter)
        if mutation.get("stage2_stride2"):
            X = L.GlobalAveragePooling2D(name="avg_pool")(X)
        else:
            X = L.AveragePooling2D((2, 2), name="avg_pool")(X)
            X = L.Flatten()(X)
        activation = None if mutation.get("no_softmax") else "softmax"
        X = L.Dense(classes, activation=activation, name="fc" + str(classes))(X)
        return keras.Model(X_input, X, name="ResNet50")
    return ResNet50


def test_resnet_layout_mistakes_are_named_live_and_from_json(solutions):
    """One model with four layout mistakes: each is named, from the live model and its JSON,
    and none is charged to the blocks."""
    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder import diagnosis as dr

    function = make_resnet(solutions, no_zeropad=True, no_maxpool=True, no_softmax=True, stage4_four=True)
    problems = checks_resnet.check_ResNet50(function)
    expected = {
        "resnet.no_zeropad": {},
        "resnet.no_maxpool": {},
        "resnet.no_softmax": {},
        "resnet.stage_identity_count": {"stage": 4, "found": 4, "expected": 5},
    }
    for key, values in expected.items():
        assert dict(problems).get(key) == values, (key, problems)
    model = checks_resnet.build_resnet(function)
    assert dr.diagnose_resnet50_layout(model.to_json()) == dr.diagnose_resnet50_layout(model)
    assert dr.diagnose_resnet50_blocks(model) == []
    layout = dr.resnet50_layout(model.to_json())
    assert [len(stage["blocks"]) for stage in layout["stages"]] == [3, 4, 5, 3]


def test_resnet_block_bug_is_charged_to_the_blocks(solutions):
    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder import diagnosis as dr
    from resnet_course.utils.messages import text

    broken = make_resnet(dict(solutions, identity_block=make_block("identity", no_final_relu=True)))
    model = checks_resnet.build_resnet(broken)
    assert dr.diagnose_resnet50_layout(model) == []
    problems = dr.diagnose_resnet50_blocks(model)
    assert _keys(problems) == ["block.final_relu_missing"]
    assert problems[0][1]["block"].values == {"block": "2b"}  # which of the sixteen blocks
    assert text(problems[0][0], in_language="en", **problems[0][1]).startswith("Block 2b: The final ReLU is missing")
    assert "block.final_relu_missing" in _keys(checks_resnet.check_ResNet50(broken))


def test_resnet_solution_and_a_valid_variant_pass(solutions):
    """The solution gives the public values written in checks_resnet.EXPECTED, and a
    variant written differently (ReLU layers, default initializers) passes too."""
    from resnet_course.autograder.checks import resnet as checks_resnet
    from resnet_course.autograder import diagnosis as dr

    for function in (solutions["ResNet50"], make_resnet(solutions, relu_layer=True)):
        assert checks_resnet.check_ResNet50(function) == []
        model = checks_resnet.build_resnet(function)
        assert model.count_params() == checks_resnet.RESNET50_PARAMS == 23_600_006
    roles = dr.resnet50_roles(model)
    assert len(roles) == 2 + 16 * 6 + 4 * 2 + 1  # stem, six per block, two per shortcut, fc


# ---------------------------------------------------------------------------------------
# Plots and the model diagram
# ---------------------------------------------------------------------------------------


def test_plots_are_bilingual_and_the_diagram_needs_no_graphviz(solutions, monkeypatch):
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from resnet_course.utils import plotting

    monkeypatch.setattr(plotting, "_graphviz_available", lambda: False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph missing" would be a warning
        from resnet_course.autograder.checks.resnet import build_resnet

        model = build_resnet(solutions["ResNet50"])
        assert plotting.show_model_diagram(model) is None  # no value to echo as a second picture
        figure = plotting.plot_model_diagram(model)
        texts = [t.get_text() for t in figure.axes[0].texts]
        assert {"2a", "4f", "합성곱 블록\nconvolutional block", "항등 블록\nidentity block", "1x1x2048"} <= set(texts)
        figure.canvas.draw()
        history = {"loss": [1.0, 0.5], "accuracy": [0.4, 0.8], "val_loss": [1.1, 0.6], "val_accuracy": [0.3, 0.7]}
        curves = plotting.plot_training_curves(history)
        assert curves.axes[0].get_title() == "손실 / Loss"
        curves.canvas.draw()
        actual, predicted = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
        matrix = plotting.plot_confusion_matrix(actual, predicted, np.arange(6))
        assert "혼동 행렬" in matrix.axes[0].get_title()
        matrix.canvas.draw()
        gallery = plotting.plot_misclassified(np.zeros((4, 64, 64, 3), np.uint8), actual, predicted,
                                              np.full((4, 6), 1 / 6))
        assert len([ax for ax in gallery.axes if ax.images]) == 2
        gallery.canvas.draw()
    assert plotting.confusion_matrix(actual, predicted, 3).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 1]]


def test_own_image_is_resized_and_scaled(tmp_path):
    from PIL import Image

    from resnet_course.utils import plotting

    path = tmp_path / "hand.png"
    Image.new("RGB", (120, 90), (255, 128, 0)).save(path)
    image = plotting.prepare_image(path)
    assert image.shape == (1, 64, 64, 3)
    assert image.max() <= 1.0 and abs(image[0, 0, 0, 0] - 1.0) < 1e-6
    assert plotting.own_image_predictor(None, range(6), path=str(tmp_path / "missing.png")) is None


def test_own_image_is_read_as_taken_and_mirrored():
    from resnet_course.utils import plotting

    class LeftOrTop:
        """Class 0: how bright the picture's left half is; class 1: its top half."""

        def __init__(self):
            self.seen = []

        def predict(self, images, batch_size=None, verbose=0):
            self.seen.append(images.shape)
            left, top = images[:, :, :32].mean(axis=(1, 2, 3)), images[:, :32].mean(axis=(1, 2, 3))
            return np.stack([left, top, 2 - left - top], axis=1) / 2

    left_lit, top_lit = np.zeros((1, 64, 64, 3)), np.zeros((1, 64, 64, 3))
    left_lit[:, :, :32], top_lit[:, :32] = 1.0, 1.0
    model = LeftOrTop()
    read = plotting.read_both_ways(model, np.concatenate([left_lit, top_lit]))
    # Mirroring swaps left and right, never top and bottom; both looks go in one batch.
    assert np.allclose(read, [[0.25, 0.25, 0.5], [0.25, 0.5, 0.25]])
    assert model.seen == [(4, 64, 64, 3)]


def _code_cell(containing):
    """The one code cell of notebook 2's source that contains `containing`."""
    from resnet_course.autograder.authoring.sources import read_source

    (cell,) = [c for c in read_source(STEM).cells if c.cell_type == "code" and containing in c.source]
    return cell


def test_training_goes_through_augmentation_that_only_training_sees():
    """Section 5.2 trains `model` behind augmentation layers (`trainer`): they must change the
    images in training, leave them alone when reading, and train `model`'s own weights."""
    import ast

    import keras

    cell = _code_cell("trainer = keras.Sequential(")
    (assign,) = [n for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.Assign)
                 and [getattr(t, "id", None) for t in n.targets] == ["trainer"]]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Flatten(), keras.layers.Dense(6)])
    trainer = eval(ast.unparse(assign.value), {"keras": keras, "model": model})
    assert trainer.layers[-1] is model
    assert {id(w) for w in trainer.trainable_weights} == {id(w) for w in model.trainable_weights}

    image = np.zeros((4, 64, 64, 3), "float32")
    image[:, 12:40, 26:38] = 1.0  # a bar off the centre: moving, zooming or turning it shows
    assert np.allclose(trainer(image, training=False), model(image))
    augmented = keras.Sequential(trainer.layers[:-1])(image, training=True).numpy()
    changed = np.abs(augmented - image).mean(axis=(1, 2, 3))
    assert (changed > 1e-3).all(), changed                     # every image changed in training
    assert np.abs(augmented - augmented[:1]).max() > 1e-3      # each in its own way
    # a little, not erased: the bar still stands out, and the whole picture moved at most a
    # little lighter or darker (brightness ±0.1 of the 0-1 range; contrast keeps the mean)
    assert (augmented.max(axis=(1, 2, 3)) - augmented.min(axis=(1, 2, 3)) > 0.5).all()
    assert np.allclose(augmented.mean(axis=(1, 2, 3)), image.mean(), atol=0.15)

    # the exposure changes too: an even grey picture, which moving, zooming, turning and
    # contrast all leave as it is, comes out evenly lighter or darker, each by its own amount
    grey = np.full((4, 64, 64, 3), 0.5, "float32")
    lit = keras.Sequential(trainer.layers[:-1])(grey, training=True).numpy()
    shift = lit.mean(axis=(1, 2, 3)) - 0.5
    assert np.allclose(lit, 0.5 + shift[:, None, None, None], atol=1e-4)
    assert (np.abs(shift) <= 0.1 + 1e-4).all() and np.ptp(shift) > 1e-3, shift


def test_training_starts_every_block_as_the_identity(solutions):
    """Section 5.2 starts each residual block as the identity (zero-gamma) before training:
    an identity block then passes its input on, a convolutional block only its shortcut, and
    a model whose layers are named otherwise is left as it is."""
    import keras

    from resnet_course.autograder.authoring.sources import notebook_function

    start = notebook_function(STEM, "start_blocks_as_identity")
    cell = _code_cell("trainer.fit(")
    built, started, fitted = (cell.source.index(t) for t in
                              ("model = ResNet50(", "start_blocks_as_identity(model)", "trainer.fit("))
    assert built < started < fitted

    keras.utils.set_random_seed(0)
    X = keras.Input((8, 8, 256))
    identity = solutions["identity_block"](X, 3, [64, 64, 256], stage=2, block="b")
    convolutional = solutions["convolutional_block"](X, 3, [128, 128, 512], stage=3, block="a", s=2)
    model = keras.Model(X, [identity, convolutional])
    x = np.abs(np.random.default_rng(0).normal(size=(2, 8, 8, 256))).astype("float32")  # after a ReLU
    before_identity, _ = model(x)
    assert not np.allclose(before_identity, x, atol=1e-3)  # with the usual initialisation it is not
    start(model)
    after_identity, after_convolutional = model(x)
    assert np.allclose(after_identity, x, atol=1e-6)
    shortcut = model.get_layer("bn3a_branch1")(model.get_layer("res3a_branch1")(x), training=False)
    assert np.allclose(after_convolutional, np.maximum(shortcut, 0), atol=1e-5)
    zeroed = [layer.name for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
              and not np.any(layer.gamma.numpy())]
    assert sorted(zeroed) == ["bn2b_branch2c", "bn3a_branch2c"]

    # Layers left with Keras's own names, or a last BatchNorm without a scale (scale=False):
    # nothing to set, nothing changed, no error.
    for norm in (keras.layers.BatchNormalization(), keras.layers.BatchNormalization(scale=False, name="bn2b_branch2c")):
        main = norm(keras.layers.Conv2D(256, 1)(X))
        other_model = keras.Model(X, keras.layers.Activation("relu")(keras.layers.Add()([main, X])))
        weights = [w.copy() for w in other_model.get_weights()]
        start(other_model)
        assert all(np.array_equal(a, b) for a, b in zip(weights, other_model.get_weights()))


# ---------------------------------------------------------------------------------------
# The notebook itself: the source end to end (quick mode) and the untouched student copy
# ---------------------------------------------------------------------------------------


def _execute(nb, env, allow_errors=False):
    from student_notebooks import execute

    return execute(nb, os.environ.get("TMPDIR", "/tmp"), allow_errors, **env)


def _outputs(cell, kind):
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == kind)


@pytest.mark.slow
def test_source_notebook_runs_in_quick_mode(tmp_path):
    from resnet_course.autograder.authoring.sources import read_source

    nb = _execute(read_source(STEM), {"RESNET_COURSE_QUICK": "1", "RESNET_COURSE_ARTIFACTS": str(tmp_path),
                                      "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert not [o for o in cell.outputs if o.output_type == "error"], cell.source[:80]
        assert _outputs(cell, "stderr") == "", (cell.source[:80], _outputs(cell, "stderr"))
    everything = "\n".join(_outputs(c, "stdout") for c in code)
    assert everything.count("모든 공개 테스트를 통과했습니다") == 3
    assert "23,600,006" in everything
    assert "빠른 모드" in everything
    # hidden tests exported the architectures for the judge, under their grade ids
    exported = {p.parent.name + "/" + p.name for p in tmp_path.rglob("*.json")}
    for grade_id in ("identity_block_structure", "identity_block_values", "identity_block_training",
                     "identity_block_names", "convolutional_block_structure", "convolutional_block_values",
                     "convolutional_block_training", "convolutional_block_names", "ResNet50_layout",
                     "ResNet50_layers", "ResNet50_params", "ResNet50_values", "ResNet50_names"):
        assert any(name.startswith(grade_id + "/") and name.endswith(".model.json") for name in exported), grade_id
    # every figure was shown, and the diagram fell back to matplotlib without graphviz
    assert sum(1 for c in code for o in c.outputs if "image/png" in o.get("data", {})) >= 5


def _student_copy():
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    from resnet_course.autograder.authoring.sources import read_source

    nb = read_source(STEM)
    resources = {}
    nb, resources = ClearSolutions().preprocess(nb, resources)
    nb, resources = ClearHiddenTests().preprocess(nb, resources)
    text = "\n".join(c.source for c in nb.cells)
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "Conv2D(F1" not in text
    return nb


@pytest.mark.slow
def test_untouched_student_copy_says_not_answered(tmp_path):
    nb = _execute(_student_copy(), {"RESNET_COURSE_QUICK": "1", "RESNET_COURSE_ARTIFACTS": str(tmp_path)},
                  allow_errors=True)
    checks = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("public_check(")]
    assert len(checks) == 3
    for cell in checks:
        out = _outputs(cell, "stdout")
        assert "아직 답을 작성하지 않았습니다" in out and "not answered yet" in out, out
        assert not [o for o in cell.outputs if o.output_type == "error"]
    graded = [c for c in nb.cells if c.cell_type == "code" and c.get("metadata", {}).get("nbgrader", {}).get("grade")]
    assert len(graded) == 13
    for cell in graded:  # the visible require(...) fails on a blank answer
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert errors and "not answered yet" in errors[0]["evalue"], cell.source[:80]
    assert not any(tmp_path.rglob("*.model.json"))


def test_source_follows_the_authoring_contracts():
    from resnet_course.autograder.authoring.source_checks import check_source
    from resnet_course.autograder.authoring.sources import read_source, source_path

    assert check_source(read_source(STEM), source_path(STEM)) == []
    images = re.findall(r"\]\(\.\./images/(nb2_[a-z0-9_]+\.svg)\)", source_path(STEM).read_text())
    assert len(set(images)) == 4
    for name in images:
        svg = (source_path(STEM).parent.parent / "images" / name).read_text()
        assert re.search(r"[\uac00-\ud7a3]", svg) and "<svg" in svg
