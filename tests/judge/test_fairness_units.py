"""The pieces of fair grading, one by one: shapes decide equivalence, topology decides roles,
Keras 2 habits are named, stand-ins and graph surgery leave ResNet50 its own questions."""

import json

import pytest

import resnet_course.utils  # noqa: F401  (quiet TensorFlow first)


@pytest.fixture(scope="module")
def solutions():
    from resnet_course.autograder.authoring.sources import graded_function_namespace

    return graded_function_namespace("02_residual_networks")


def _node(model, name):
    from resnet_course.autograder.diagnosis.graph import graph_of

    return graph_of(model.to_json())[name]


def test_same_padding_that_pads_nothing_is_valid():
    import keras

    for size, pool, padding, expected in ((2, 2, "same", "valid"), (3, 2, "same", "same"), (4, 2, "same", "valid"),
                                          (5, 3, "same", "same"), (2, 2, "valid", "valid")):
        x = keras.Input((size, size, 3))
        y = keras.layers.AveragePooling2D((pool, pool), padding=padding, name="pool")(x)
        assert _node(keras.Model(x, y), "pool").effective_padding == expected, (size, pool, padding)
    x = keras.Input((5, 5, 3))
    conv = keras.layers.Conv2D(2, 3, padding="same", name="conv")(x)
    one = keras.layers.Conv2D(2, 1, padding="same", name="one")(x)
    model = keras.Model(x, [conv, one])
    assert (_node(model, "conv").effective_padding, _node(model, "one").effective_padding) == ("same", "valid")


def test_sequential_and_functional_networks_read_the_same():
    import keras

    from resnet_course.autograder.diagnosis.deep_network import deep_parts, name_problems

    sequential = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="tanh", name="hidden_1"),
                                   keras.layers.Dense(3, name="h2"), keras.layers.Activation("tanh"),
                                   keras.layers.Dense(1, name="output")])
    inputs = keras.Input((2,))
    h = keras.layers.Dense(3, activation="tanh", name="hidden_1")(inputs)
    h = keras.layers.Dense(3, activation="tanh", name="hidden_2")(h)
    functional = keras.Model(inputs, keras.layers.Dense(1, name="output")(h))
    for model in (sequential, functional):
        for form in (model, model.to_json()):
            parts = deep_parts(form)
            assert [n.config["units"] for n in parts.hidden] == [3, 3] and parts.output.config["units"] == 1
    assert name_problems(deep_parts(sequential)) == [("hidden_2", "h2")]
    assert name_problems(deep_parts(functional)) == []


@pytest.mark.parametrize("error,key", [
    ("TypeError: AveragePooling2D.__init__() missing 1 required positional argument: 'pool_size'", "habit.pool_size"),
    ("ValueError: Unrecognized keyword arguments passed to Conv2D: {'init': 'glorot_uniform'}", "habit.old_keyword"),
    ("ValueError: Unrecognized keyword arguments passed to Conv2D: {'border_mode': 'same'}", "habit.old_keyword"),
    ("ValueError: Unrecognized keyword arguments passed to Model: {'input': <KerasTensor>, 'output': 1}",
     "habit.old_keyword"),
    ("ValueError: Unrecognized keyword arguments passed to MaxPooling2D: {'dim_ordering': 'tf'}", "habit.dropped_keyword"),
    ("TypeError: Conv2D.__init__() missing 2 required positional arguments: 'filters' and 'kernel_size'",
     "habit.conv_arguments"),
    ("ModuleNotFoundError: No module named 'keras.layers.merge'", "habit.merge"),
    ("NameError: name 'merge' is not defined", "habit.merge"),
    ("AttributeError: module 'keras.layers' has no attribute 'merge'", "habit.merge"),
    ("AttributeError: module 'keras.backend' has no attribute 'set_learning_phase'", "habit.learning_phase"),
    ("ModuleNotFoundError: No module named 'keras.layers.convolutional'", "habit.old_module"),
    ("AttributeError: 'KerasTensor' object has no attribute '_keras_shape'", "habit.tensor_shape"),
    ("ValueError: A KerasTensor cannot be used as input to a TensorFlow function.", "habit.tf_function"),
    ("TypeError: identity_block() got an unexpected keyword argument 'stage'", "habit.block_signature"),
    ("NameError: name 'layers' is not defined", "namespace.missing_name"),
    ("NameError: name 'ReLU' is not defined", "namespace.missing_layer"),
    ("ValueError: Argument `padding` must be either 'valid' or 'same'. Received: padding=SAME", "habit.padding_case"),
])
def test_keras2_habits_are_named(error, key):
    from resnet_course.autograder.diagnosis.keras_habits import habit_problems
    from resnet_course.utils.messages import text

    found = habit_problems(error)
    assert {k for k, _ in found} == {key}
    english = text(found[0][0], in_language="en", **found[0][1])
    assert any(word in english for word in ("Keras 3", "TF2 edition", "import")), english  # says what to write


def test_unknown_errors_and_our_own_names_are_not_habits():
    from resnet_course.autograder.diagnosis.keras_habits import habit_problems

    assert habit_problems("NameError: name 'identity_block' is not defined") == []
    assert habit_problems("ValueError: Unrecognized keyword arguments passed to Conv2D: {'colour': 1}") == []
    assert habit_problems(None) == []


def test_the_import_cell_gives_every_template_name():
    from resnet_course.autograder.authoring.sources import graded_function_namespace
    from resnet_course.autograder.diagnosis.keras_habits import TEMPLATE_NAMES

    namespace = graded_function_namespace("02_residual_networks")
    assert sorted(name for name in TEMPLATE_NAMES if name not in namespace) == []


def test_roles_come_from_topology_not_names(solutions):
    """Stage-5 blocks lettered 'c', 'd' and a shortcut named 'branch2d' play the roles their place gives."""
    import keras

    from resnet_course.autograder.diagnosis import block_roles
    from resnet_course.autograder.judge.model_runs import _matched_roles

    conv = solutions["convolutional_block"]
    x = keras.Input((6, 6, 3))
    right = keras.Model(x, conv(x, 2, [2, 2, 4], stage=5, block="a", s=2))
    y = keras.Input((6, 6, 3))
    other = keras.Model(y, conv(y, 2, [2, 2, 4], stage=5, block="c", s=2))
    roles_right, roles_other = block_roles(right), block_roles(other)
    assert sorted(roles_right) == sorted(roles_other)
    assert roles_other["conv1"] == "res5c_branch1"
    # The judge's matching keeps them: a name never moves a layer to another role.
    assert _matched_roles(other, json.loads(other.to_json()), roles_right, {}, "block") == roles_other


def test_stand_ins_record_the_calls_and_surgery_restores_the_reference(solutions):
    from resnet_course.autograder.checks.resnet import build_resnet
    from resnet_course.autograder.diagnosis.resnet50 import diagnose_resnet50_layout, resnet50_layout
    from resnet_course.autograder.judge.block_surgery import block_templates, with_reference_blocks
    from resnet_course.autograder.judge.compare_resnet import count_params

    ResNet50 = solutions["ResNet50"]
    model, calls = build_resnet(ResNet50, (48, 48, 1), 3, stand_ins=True)
    assert len(calls) == 16 and calls[0]["kind"] == "convolutional" and calls[0]["s"] == 1
    assert [c["block"] for c in calls[-3:]] == ["a", "b", "c"] and calls[-1]["stage"] == "5"
    assert solutions["identity_block"].__name__ == "identity_block"  # the real blocks are back
    full = build_resnet(ResNet50, (48, 48, 1), 3)
    templates = block_templates(json.loads(build_resnet(ResNet50).to_json()))
    replaced, inserted = with_reference_blocks(json.loads(model.to_json()), calls, templates)
    assert len(inserted) == len(full.layers) - (len(model.layers) - len(calls))  # every block layer, once
    assert count_params(replaced) == full.count_params()
    assert diagnose_resnet50_layout(replaced, (48, 48, 1), 3) == []
    assert resnet50_layout(replaced)["stages"] == resnet50_layout(full)["stages"]


def test_a_block_with_one_name_twice_still_builds():
    import keras

    from resnet_course.autograder.checks.resnet import build_block_model

    def pasted(X, f, filters, stage, block):
        base = f"res{stage}{block}_branch"
        X_shortcut = X
        for n, k in zip(filters, (1, f, 1)):
            X = keras.layers.Conv2D(n, k, padding="same", name=base + "2a")(X)
        return keras.layers.Add()([X, X_shortcut])

    model, problems = build_block_model(pasted, (4, 4, 4), f=3, filters=[2, 2, 4], stage=1, block="a")
    assert problems == []
    assert [l.name for l in model.layers if "branch" in l.name] == ["res1a_branch2a", "res1a_branch2a_2",
                                                                      "res1a_branch2a_3"]


def test_carried_forward_needs_the_work_to_be_there(solutions):
    import keras

    from resnet_course.autograder.judge.carried_forward import substantive

    x = keras.Input((4, 4, 4))
    reference = json.loads(keras.Model(x, solutions["identity_block"](x, 3, [2, 2, 4], 1, "a")).to_json())
    y = keras.Input((4, 4, 4))
    returns_input = json.loads(keras.Model(y, keras.layers.Activation("relu")(y)).to_json())
    assert substantive(reference, reference) and not substantive(returns_input, reference)


def test_a_layer_named_like_another_role_keeps_its_own_role(solutions):
    """The old matching let a layer's name take a role: a shortcut named `..._branch2a` took the
    first convolution's weights. Roles now come from the graph alone."""
    import keras

    from resnet_course.autograder.diagnosis import block_roles
    from resnet_course.autograder.judge.model_runs import _matched_roles

    def swapped(X, f, filters, stage, block, s=2):
        base = f"res{stage}{block}_branch"
        F1, F2, F3 = filters
        shortcut = keras.layers.Conv2D(F3, 1, strides=s, name=base + "2a")(X)  # the shortcut, named as 2a
        shortcut = keras.layers.BatchNormalization(axis=3, name=f"bn{stage}{block}_branch1")(shortcut)
        X = keras.layers.Conv2D(F1, 1, strides=s, name=base + "1")(X)
        X = keras.layers.Activation("relu")(keras.layers.BatchNormalization(axis=3, name=f"bn{stage}{block}_branch2a")(X))
        X = keras.layers.Conv2D(F2, f, padding="same", name=base + "2b")(X)
        X = keras.layers.Activation("relu")(keras.layers.BatchNormalization(axis=3, name=f"bn{stage}{block}_branch2b")(X))
        X = keras.layers.Conv2D(F3, 1, name=base + "2c")(X)
        X = keras.layers.BatchNormalization(axis=3, name=f"bn{stage}{block}_branch2c")(X)
        return keras.layers.Activation("relu")(keras.layers.Add()([X, shortcut]))

    x = keras.Input((6, 6, 3))
    reference = keras.Model(x, solutions["convolutional_block"](x, 3, [2, 2, 4], stage=1, block="a", s=2))
    y = keras.Input((6, 6, 3))
    student = keras.Model(y, swapped(y, 3, [2, 2, 4], 1, "a"))
    r_roles = block_roles(reference)
    r_classes = {layer.name: type(layer).__name__ for layer in reference.layers}
    s_roles = _matched_roles(student, json.loads(student.to_json()), r_roles, r_classes, "block")
    assert s_roles == block_roles(student)
    assert (s_roles["conv2a"], s_roles["conv1"]) == ("res1a_branch1", "res1a_branch2a")
