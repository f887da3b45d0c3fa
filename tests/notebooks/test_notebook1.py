"""Notebook 1 (vanishing gradients): the source runs clean, the public checks name mistakes,
and an untouched student copy says "not answered yet" everywhere."""

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from resnet_course.autograder.authoring import sources  # noqa: E402
from resnet_course.autograder.checks.common import collect_problems  # noqa: E402

STEM = "01_vanishing_gradients"
EXERCISES = ("build_deep_network", "layer_gradient_norms", "plot_gradient_norms")
GRADE_IDS = {
    "build_deep_network_structure": 6, "build_deep_network_values": 5, "build_deep_network_names": 2,
    "layer_gradient_norms_shape": 3, "layer_gradient_norms_values": 5,
    "plot_gradient_norms_lines": 4, "plot_gradient_norms_labels": 2,
}


def _execute(nb, tmp_path, allow_errors, **env):
    """Run a notebook in a fresh kernel with the given environment variables; return it."""
    from student_notebooks import execute

    return execute(nb, tmp_path, allow_errors, **env)


def _text(cell, name=None):
    return "".join(out.get("text", "") for out in cell.get("outputs", [])
                   if out.get("output_type") == "stream" and (name is None or out.get("name") == name))


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


@pytest.fixture(scope="module")
def executed_source(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb1_source")
    artifacts = tmp / "artifacts"
    nb = _execute(sources.read_source(STEM), tmp, allow_errors=True,
                  RESNET_COURSE_QUICK="1", RESNET_COURSE_ARTIFACTS=str(artifacts))
    return nb, artifacts


@pytest.mark.slow
def test_source_notebook_runs_without_errors_or_stderr(executed_source):
    nb, _ = executed_source
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.outputs if out.get("output_type") == "error"]
        assert not errors, f"cell {index} ({_grade_id(cell) or cell.source[:40]!r}): {errors[0]['evalue']}"
        assert _text(cell, "stderr") == "", f"cell {index} wrote to stderr: {_text(cell, 'stderr')[:500]}"


@pytest.mark.slow
def test_source_public_checks_pass_and_test_cells_are_graded(executed_source):
    nb, _ = executed_source
    checks = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.startswith("public_check(")]
    assert len(checks) == 3
    for cell in checks:
        assert "all public tests passed" in _text(cell), _text(cell)
    graded = [_grade_id(cell) for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade")]
    assert sorted(graded) == sorted(GRADE_IDS)


@pytest.mark.slow
def test_hidden_tests_export_every_artifact(executed_source):
    import json

    _, artifacts = executed_source
    for grade_id, count in GRADE_IDS.items():
        files = sorted(p.name for p in (artifacts / grade_id).iterdir())
        assert len(files) == count, (grade_id, files)
    model_json = json.loads((artifacts / "build_deep_network_structure" / "residual_tanh_d7_w6_in4.model.json").read_text())
    names = [layer["config"]["name"] for layer in model_json["config"]["layers"]]
    assert "skip_7" in names and "hidden_7" in names
    norms = np.load(artifacts / "layer_gradient_norms_values" / "plain_sigmoid_d10_w6_n32.npy", allow_pickle=False)
    assert norms.shape == (10,) and norms[0] < norms[-1]  # sigmoid: the gradient fades towards the input
    plot = json.loads((artifacts / "plot_gradient_norms_lines" / "two_networks.json").read_text())
    assert plot["yscale"] == "log" and plot["legend"] == ["plain", "residual"]
    assert plot["lines"][0]["x"] == [1, 2, 3, 4, 5]
    given = json.loads((artifacts / "plot_gradient_norms_lines" / "given_axes.json").read_text())
    assert given["same_axes"] is True


@pytest.mark.slow
def test_explorer_and_degradation_cells_show_their_output(executed_source):
    nb, _ = executed_source
    explorer = next(cell for cell in nb.cells if cell.source.startswith("explorer = GradientExplorer()"))
    assert any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in explorer.outputs)
    training = next(cell for cell in nb.cells if "contenders = " in cell.source)
    assert len(re.findall(r"final loss", _text(training))) == 3


def _student_copy():
    """What a student receives: solutions replaced by stubs, hidden tests removed (nbgrader's own preprocessors)."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = sources.read_source(STEM)
    nb, resources = ClearSolutions().preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, resources)
    return nb


def test_student_copy_has_no_solutions_or_hidden_tests():
    nb = _student_copy()
    text = "\n".join(cell.source for cell in nb.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "export_model" not in text and "export_array" not in text
    code = "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    assert code.count("raise NotImplementedError()") == 3


@pytest.mark.slow
def test_untouched_student_copy_says_not_answered_yet(tmp_path):
    nb = _student_copy()
    # Only what the verdicts need: the import cell, the exercises, their checks and test cells.
    keep = [cell for cell in nb.cells if cell.cell_type == "code" and (
        "imports" in cell.metadata.get("tags", []) or cell.source.startswith(("# GRADED FUNCTION", "public_check("))
        or cell.metadata.get("nbgrader", {}).get("grade"))]
    nb.cells = keep
    nb = _execute(nb, tmp_path, allow_errors=True, RESNET_COURSE_QUICK="1")
    checks = [cell for cell in nb.cells if cell.source.startswith("public_check(")]
    assert len(checks) == 3
    for exercise, cell in zip(EXERCISES, checks):
        assert f"{exercise}: not answered yet" in _text(cell), _text(cell)
        assert not [out for out in cell.outputs if out.get("output_type") == "error"]
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            errors = [out for out in cell.outputs if out.get("output_type") == "error"]
            assert errors and "not answered yet" in errors[0]["evalue"], _grade_id(cell)


# ------------------------------------------------------------- the public checks, in process

@pytest.fixture(scope="module")
def reference():
    return sources.graded_function_namespace(STEM)


def _verdict(exercise, check, function):
    status, lines = collect_problems(exercise, check, function)
    return status, "\n".join(lines)


def _build_variants(ref):
    import keras
    from keras import layers

    def no_skip(depth, width, activation, residual, input_dim=2):
        return ref(depth, width, activation, False, input_dim)

    def default_names(depth, width, activation, residual, input_dim=2):
        inputs = keras.Input(shape=(input_dim,))
        h = layers.Dense(width, activation=activation)(inputs)
        for _ in range(2, depth + 1):
            z = layers.Dense(width, activation=activation)(h)
            h = layers.Add()([h, z]) if residual else z
        return keras.Model(inputs, layers.Dense(1, name="output")(h))

    def plus_operator(depth, width, activation, residual, input_dim=2):
        inputs = keras.Input(shape=(input_dim,))
        h = layers.Dense(width, activation=activation, name="hidden_1")(inputs)
        for i in range(2, depth + 1):
            z = layers.Dense(width, activation=activation, name=f"hidden_{i}")(h)
            h = h + z if residual else z
        return keras.Model(inputs, layers.Dense(1, name="output")(h))

    def activation_after_add(depth, width, activation, residual, input_dim=2):
        inputs = keras.Input(shape=(input_dim,))
        h = layers.Dense(width, activation=activation, name="hidden_1")(inputs)
        for i in range(2, depth + 1):
            if residual:
                z = layers.Dense(width, name=f"hidden_{i}")(h)
                h = layers.Activation(activation)(layers.Add(name=f"skip_{i}")([h, z]))
            else:
                h = layers.Dense(width, activation=activation, name=f"hidden_{i}")(h)
        return keras.Model(inputs, layers.Dense(1, name="output")(h))

    def always_relu(depth, width, activation, residual, input_dim=2):
        return ref(depth, width, "relu", residual, input_dim)

    def sigmoid_output(depth, width, activation, residual, input_dim=2):
        model = ref(depth, width, activation, residual, input_dim)
        last = model.get_layer("output").input
        return keras.Model(model.inputs, layers.Dense(1, activation="sigmoid", name="output")(last))

    def skip_from_start(depth, width, activation, residual, input_dim=2):
        inputs = keras.Input(shape=(input_dim,))
        first = h = layers.Dense(width, activation=activation, name="hidden_1")(inputs)
        for i in range(2, depth + 1):
            z = layers.Dense(width, activation=activation, name=f"hidden_{i}")(h)
            h = layers.Add(name=f"skip_{i}")([first, z]) if residual else z
        return keras.Model(inputs, layers.Dense(1, name="output")(h))

    def separate_activation_layers(depth, width, activation, residual, input_dim=2):
        inputs = keras.Input(shape=(input_dim,))
        h = layers.Activation(activation)(layers.Dense(width, name="hidden_1")(inputs))
        for i in range(2, depth + 1):
            z = layers.Activation(activation)(layers.Dense(width, name=f"hidden_{i}")(h))
            h = layers.add([z, h], name=f"skip_{i}") if residual else z
        return keras.Model(inputs, layers.Dense(1, name="output")(h))

    def sequential_when_plain(depth, width, activation, residual, input_dim=2):
        if residual:
            return ref(depth, width, activation, residual, input_dim)
        return keras.Sequential([keras.Input(shape=(input_dim,))]
                                + [layers.Dense(width, activation=activation, name=f"hidden_{i}")
                                   for i in range(1, depth + 1)]
                                + [layers.Dense(1, name="output")])

    wrong = {
        no_skip: "The residual add is missing after hidden_2",
        default_names: "Layer names differ from the naming convention (expected ≠ found): hidden_1 ≠ dense",
        activation_after_add: "The activation is applied after the add",
        always_relu: "use the relu activation; they must use the given activation='tanh'",
        sigmoid_output: "The `output` layer has an activation (sigmoid)",
        skip_from_start: "skip_3 adds hidden_1 + hidden_3; it must add hidden_3's output and what went into hidden_3 (skip_2)",
    }
    # `h + z` cannot be named skip_i, and nothing looks an addition up by name: full marks.
    right = [separate_activation_layers, sequential_when_plain, plus_operator]
    return wrong, right


def test_build_check_names_each_mistake(reference):
    from resnet_course.autograder.checks.vanishing import check_build_deep_network

    ref = reference["build_deep_network"]
    assert _verdict("build_deep_network", check_build_deep_network, ref)[0] == "passed"
    wrong, right = _build_variants(ref)
    for function, message in wrong.items():
        status, text = _verdict("build_deep_network", check_build_deep_network, function)
        assert status == "failed" and message in text, (function.__name__, text)
    for function in right:
        status, text = _verdict("build_deep_network", check_build_deep_network, function)
        assert status == "passed", (function.__name__, text)


def test_norms_check_names_each_mistake(reference):
    import keras
    import tensorflow as tf

    from resnet_course.autograder.checks.vanishing import check_layer_gradient_norms

    ref = reference["layer_gradient_norms"]

    def kernels(model):
        return [layer.kernel for layer in model.layers if layer.name.startswith("hidden_")]

    def with_loss(loss_of, variables_of=kernels, norm=lambda g: float(tf.norm(g))):
        def function(model, X, Y):
            variables = variables_of(model)
            with tf.GradientTape() as tape:
                loss = loss_of(model(X), Y)
            return np.array([norm(g) for g in tape.gradient(loss, variables)])
        return function

    mean_squared = lambda p, y: tf.reduce_mean(tf.square(p - y))  # noqa: E731
    wrong = {
        "reversed": (lambda m, X, Y: ref(m, X, Y)[::-1], "The norms are in output-to-input order"),
        "squared": (with_loss(mean_squared, norm=lambda g: float(tf.reduce_sum(g * g))), "The values look squared"),
        "summed": (with_loss(lambda p, y: tf.reduce_sum(tf.square(p - y))),
                   "the loss is summed rather than averaged over the batch"),
        "halved": (with_loss(lambda p, y: 0.5 * tf.reduce_mean(tf.square(p - y))), "The values are halved"),
        "biases": (with_loss(mean_squared, lambda m: [l.bias for l in m.layers if l.name.startswith("hidden_")]),
                   "These look like the biases' gradient norms"),
        "broadcast": (with_loss(lambda p, y: tf.reduce_mean(tf.square(p - tf.reshape(y, [-1])))),
                      "The loss seems to broadcast"),
        "with output": (with_loss(mean_squared, lambda m: [l.kernel for l in m.layers if hasattr(l, "kernel")]),
                        "one too many: leave out the `output` layer"),
        "list": (lambda m, X, Y: list(ref(m, X, Y)), "It should return a numpy array but returns list"),
        "two per layer": (with_loss(mean_squared, lambda m: [w for l in m.layers if l.name.startswith("hidden_")
                                                              for w in (l.kernel, l.bias)]), "twice too many"),
    }
    right = {
        "keras loss": with_loss(lambda p, y: keras.losses.MeanSquaredError()(y, p)),
        "numpy norm": with_loss(mean_squared, norm=lambda g: np.linalg.norm(g.numpy())),
    }
    assert _verdict("layer_gradient_norms", check_layer_gradient_norms, ref)[0] == "passed"
    for name, (function, message) in wrong.items():
        status, text = _verdict("layer_gradient_norms", check_layer_gradient_norms, function)
        assert status == "failed" and message in text, (name, text)
    for name, function in right.items():
        status, text = _verdict("layer_gradient_norms", check_layer_gradient_norms, function)
        assert status == "passed", (name, text)


def test_plot_check_names_each_mistake(reference):
    import matplotlib.pyplot as plt

    from resnet_course.autograder.checks.vanishing import check_plot_gradient_norms

    ref = reference["plot_gradient_norms"]

    def variant(x_start=1, log=True, transform=lambda v: v, legend=True, xlabel="layer", ylabel="norm",
                returns="ax", use_given=True):
        def plot(norms_by_name, ax=None):
            if ax is None or not use_given:
                fig, ax = plt.subplots()
            for name, norms in norms_by_name.items():
                ax.plot(np.arange(x_start, x_start + len(norms)), transform(np.asarray(norms)), label=name)
            if log:
                ax.set_yscale("log")
            ax.set_xlabel(xlabel)
            ax.set_ylabel(ylabel)
            if legend:
                ax.legend()
            return ax.figure if returns == "figure" else ax
        return plot

    def semilogy_with_figure_legend(norms_by_name, ax=None):
        if ax is None:
            _, ax = plt.subplots()
        for name, norms in norms_by_name.items():
            ax.semilogy(range(1, len(norms) + 1), list(norms), "o-", label=name)
        ax.set(xlabel="layer", ylabel="‖∂L/∂W‖")
        ax.figure.legend()
        return ax

    open_before = set(plt.get_fignums())  # figures other tests left open are not the checks' doing
    wrong = {
        "x from 0": (variant(x_start=0), "x starts at 0; layers are numbered from 1"),
        "linear y": (variant(log=False), "The y axis is not log scale"),
        "log10 values": (variant(log=False, transform=np.log10), "The y values look like log10 of the norms"),
        "no legend": (variant(legend=False), "The legend is missing"),
        "no x label": (variant(xlabel=""), "The x axis has no label"),
        "no y label": (variant(ylabel=""), "The y axis has no label"),
        "returns figure": (variant(returns="figure"), "returns Figure"),
        "ignores ax": (variant(use_given=False), "When `ax` is given"),
    }
    assert _verdict("plot_gradient_norms", check_plot_gradient_norms, ref)[0] == "passed"
    for name, (function, message) in wrong.items():
        status, text = _verdict("plot_gradient_norms", check_plot_gradient_norms, function)
        assert status == "failed" and message in text, (name, text)
    status, text = _verdict("plot_gradient_norms", check_plot_gradient_norms, semilogy_with_figure_legend)
    assert status == "passed", text
    assert set(plt.get_fignums()) <= open_before  # the checks close the figures they made


def test_blank_answers_are_not_answered_yet():
    from resnet_course.autograder.checks import vanishing as checks

    def blank(*args, **kwargs):
        raise NotImplementedError()

    for exercise, check in zip(EXERCISES, (checks.check_build_deep_network, checks.check_layer_gradient_norms,
                                           checks.check_plot_gradient_norms)):
        status, text = _verdict(exercise, check, blank)
        assert status == "not_answered" and "not answered yet" in text


def test_public_checks_agree_with_the_judge_catalog(reference):
    """Every catalogued mistake (and cheat) fails the public check, every valid variant passes:
    the feedback a student sees in the notebook never contradicts the judge's verdict."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from judge_catalog import catalog

    from resnet_course.autograder.checks import vanishing as checks

    by_function = {"build_deep_network": checks.check_build_deep_network,
                   "layer_gradient_norms": checks.check_layer_gradient_norms,
                   "plot_gradient_norms": checks.check_plot_gradient_norms}
    entries = [entry for entry in catalog.DEEP_ENTRIES + catalog.NORMS_ENTRIES + catalog.PLOT_ENTRIES
               + catalog.CHEAT_ENTRIES if entry.function in by_function]
    assert len(entries) >= 20
    disagreements = []
    for entry in entries:
        namespace = dict(reference)
        exec(compile(entry.source, f"<catalog {entry.name}>", "exec"), namespace)
        status, lines = collect_problems(entry.function, by_function[entry.function], namespace[entry.function])
        if (status == "passed") != (entry.kind == "valid"):
            disagreements.append((entry.name, entry.kind, status, lines))
    assert disagreements == []
