"""The gradient-decay explorer, driven headlessly: set a control, read what is plotted."""

import inspect
import logging
import statistics
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from resnet_course.utils import gradients, messages  # noqa: E402
from resnet_course.utils.gradients import NetworkSpec, gradient_profile  # noqa: E402
from resnet_course.utils.widgets import GradientExplorer  # noqa: E402


@pytest.fixture(scope="module")
def explorer():
    return GradientExplorer(depth=50)


def _reset(explorer, **values):
    defaults = dict(depth=50, width=32, activation="sigmoid", init="glorot", residual=False,
                    batch_norm=False, measure="inputs")
    defaults.update(values)
    for name, value in defaults.items():
        explorer.controls[name].value = value
    return explorer.plotted_data()


def _line(data, which):
    """The chosen network's line is drawn first, its twin second."""
    return np.array(data["lines"][0 if which == "chosen" else 1]["y"])


def test_sigmoid_plain_depth_50_vanishes_and_the_shortcut_keeps_it(explorer):
    _reset(explorer)
    assert explorer.ratio < 1e-6
    _reset(explorer, measure="weights")
    assert explorer.ratio < 1e-6
    _reset(explorer, residual=True)
    assert explorer.ratio > 1e-2
    assert explorer.twin_ratio < 1e-6  # the twin is the plain network


def test_plotted_lines_cover_every_layer_on_a_log_axis(explorer):
    data = _reset(explorer, depth=37)
    assert data["yscale"] == "log"
    assert len(data["lines"]) == 2
    for line in data["lines"]:
        assert line["x"] == list(range(1, 38))
        assert len(line["y"]) == 37 and all(y > 0 for y in line["y"])
    y = _line(data, "chosen")
    assert explorer.ratio == pytest.approx(y[0] / y[-1])


def test_deeper_sigmoid_plain_networks_lose_more_gradient(explorer):
    ratios = []
    for depth in (5, 10, 20, 50):
        _reset(explorer, depth=depth)
        ratios.append(explorer.ratio)
    assert ratios == sorted(ratios, reverse=True)
    # about a constant factor per layer: the log-ratio grows roughly linearly with depth
    per_layer = [np.log10(r) / (d - 1) for r, d in zip(ratios, (5, 10, 20, 50))]
    assert max(per_layer) - min(per_layer) < 0.3


def test_switching_skip_connections_swaps_the_chosen_line_and_its_twin(explorer):
    plain = _reset(explorer, activation="tanh")
    residual = _reset(explorer, activation="tanh", residual=True)
    np.testing.assert_allclose(_line(plain, "chosen"), _line(residual, "twin"))
    np.testing.assert_allclose(_line(plain, "twin"), _line(residual, "chosen"))
    assert plain["lines"][0]["label"] != residual["lines"][0]["label"]


def test_he_initialisation_rescues_a_plain_relu_network(explorer):
    _reset(explorer, activation="relu", init="small")
    small = explorer.ratio
    _reset(explorer, activation="relu", init="he")
    assert small < 1e-6
    assert 1e-2 < explorer.ratio < 1e2


def test_batch_norm_removes_the_sigmoid_vanishing(explorer):
    _reset(explorer, batch_norm=True)
    assert explorer.ratio > 1e-2


def test_residual_weight_gradients_grow_with_depth_while_input_gradients_stay_flat(explorer):
    weights = _line(_reset(explorer, residual=True, measure="weights"), "chosen")
    inputs = _line(_reset(explorer, residual=True, measure="inputs"), "chosen")
    assert weights[-1] > 10 * weights[0]  # the signal h grows as layers add to it, and dW = h^T dz with it
    assert inputs[1:].max() / inputs[1:].min() < 3  # layers 2..50 sit on the shortcut


def test_residual_relu_explodes_and_batch_norm_tames_it(explorer):
    _reset(explorer, activation="relu", residual=True)
    assert explorer.ratio > 1e3
    _reset(explorer, activation="relu", residual=True, batch_norm=True)
    assert 1e-2 < explorer.ratio < 1e2


def test_measure_changes_the_data_and_the_axis_label(explorer):
    inputs = _reset(explorer, measure="inputs")
    weights = _reset(explorer, measure="weights")
    assert inputs["ylabel"] != weights["ylabel"]
    assert not np.allclose(_line(inputs, "chosen"), _line(weights, "chosen"))


def test_width_and_activation_change_the_data(explorer):
    base = _line(_reset(explorer), "chosen")
    assert not np.allclose(base, _line(_reset(explorer, width=64), "chosen"))
    assert not np.allclose(base, _line(_reset(explorer, activation="tanh"), "chosen"))


def test_changing_depth_keeps_the_first_layers_weights():
    """Layer i draws from its own seed, so a deeper network extends a shallower one."""
    short, tall = (gradients._fixed_parameters(d, 16, "glorot", 64, 0)[2] for d in (5, 9))
    for a, b in zip(short, tall):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spec", [
    NetworkSpec(8, 6, "sigmoid", "glorot", False, False),
    NetworkSpec(8, 6, "tanh", "he", True, True),
    NetworkSpec(10, 5, "relu", "small", True, False),
    NetworkSpec(6, 7, "relu", "he", False, True),
])
def test_numpy_backward_pass_matches_gradient_tape(spec):
    import tensorflow as tf

    X, targets, weights, head = gradients._fixed_parameters(spec.depth, spec.width, spec.init, spec.batch, spec.seed)
    variables = [tf.Variable(W) for W in weights]
    act = {"sigmoid": tf.sigmoid, "tanh": tf.tanh, "relu": tf.nn.relu}[spec.activation]
    with tf.GradientTape() as tape:
        h = tf.constant(X)
        tape.watch(h)
        layer_inputs = []
        for i, W in enumerate(variables):
            layer_inputs.append(h)
            z = h @ W
            if spec.batch_norm:
                mean, var = tf.nn.moments(z, axes=[0])
                z = (z - mean) / tf.sqrt(var + 1e-5)
            h = h + act(z) if spec.residual and i > 0 else act(z)
        loss = tf.reduce_mean((h @ head - targets) ** 2)
    grads = tape.gradient(loss, variables + layer_inputs)
    norms = np.array([float(tf.norm(g)) for g in grads])
    profile = gradient_profile(spec)
    np.testing.assert_allclose(profile.weights, norms[:spec.depth], rtol=1e-9)
    np.testing.assert_allclose(profile.inputs, norms[spec.depth:], rtol=1e-9)


class _GlyphLog(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _glyph_problems(action):
    handler = _GlyphLog()
    logging.getLogger("matplotlib").addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            action()
    finally:
        logging.getLogger("matplotlib").removeHandler(handler)
    found = [str(w.message) for w in caught] + handler.messages
    return [m for m in found if "Glyph" in m and "missing" in m]


def test_the_glyph_warning_is_caught_when_hangul_has_no_font():
    """Positive control: without the fallback font, Hangul does raise the warning we count."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def draw():
        figure = Figure()
        FigureCanvasAgg(figure)
        figure.add_subplot().set_title("기울기", family="DejaVu Sans")
        figure.canvas.draw()

    assert _glyph_problems(draw)


@pytest.mark.parametrize("lang", ["both", "ko", "en"])
def test_every_plot_renders_without_missing_glyphs(lang):
    messages.set_language(lang)
    try:
        def drive():
            explorer = GradientExplorer(depth=12)
            for name, values in (("activation", ("tanh", "relu")), ("init", ("small", "he")),
                                 ("residual", (True,)), ("batch_norm", (True,)), ("measure", ("weights",))):
                for value in values:
                    explorer.controls[name].value = value
                    assert explorer.png.startswith(b"\x89PNG")

        assert _glyph_problems(drive) == []
    finally:
        messages.set_language("both")


def test_labels_follow_the_language():
    messages.set_language("en")
    try:
        data = GradientExplorer(depth=5).plotted_data()
    finally:
        messages.set_language("both")
    texts = [data["xlabel"], data["ylabel"], data["title"]] + [line["label"] for line in data["lines"]]
    assert not any("\uac00" <= ch <= "\ud7a3" for text in texts for ch in text)
    both_explorer = GradientExplorer(depth=5)
    both = both_explorer.plotted_data()
    assert " / " in both["ylabel"] and any("\uac00" <= ch <= "\ud7a3" for ch in both["ylabel"])
    controls = both_explorer.controls
    assert ("시그모이드 / sigmoid", "sigmoid") in controls["activation"].options
    assert controls["residual"].description == "스킵 연결 / skip connections"
    assert all(" / " in text for text, _ in controls["init"].options + controls["measure"].options)


def test_an_update_is_cheap_in_cpu_time(explorer):
    """The benchmark reports the real figure; this guards against a costly regression (layout engines...)."""
    _reset(explorer)
    cpu = []
    for value in ("tanh", "relu", "sigmoid") * 3:
        explorer.controls["activation"].value = value
        cpu.append(explorer.last_update_cpu_ms)
    assert statistics.median(cpu) < 400


def test_no_function_takes_a_keras_model():
    """The explorer computes on its own networks only, so it cannot answer layer_gradient_norms."""
    from resnet_course.utils import widgets

    for module in (gradients, widgets):
        for name, member in vars(module).items():
            if callable(member) and not name.startswith("_"):
                targets = [member] + [m for _, m in inspect.getmembers(member, inspect.isfunction)]
                for function in targets:
                    try:
                        parameters = inspect.signature(function).parameters
                    except (TypeError, ValueError):
                        continue
                    assert "model" not in parameters, f"{module.__name__}.{name} takes a model"
