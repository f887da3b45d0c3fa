"""The gradient-decay explorer: sliders and switches over a deep network, a log-scale plot.

`GradientExplorer()` shows, for the network the controls describe and for its twin with
skip connections switched the other way, the gradient norm at every layer, and the ratio
of the first layer's norm to the last layer's. In JupyterLab it lives in an Output widget;
without a front end (tests, benchmarks) it is driven the same way: set a control's
`.value`, then read `plotted_data()` and `ratio`.

The arithmetic is numpy (`gradients.py`); one update at depth 50 takes a few milliseconds
of it and the rest is drawing the figure.
"""

import base64
import io
import time

import numpy as np

from . import gradients
from .fonts import use_korean_font
from .messages import label, register

register({
    "explorer.depth": {"ko": "깊이", "en": "depth"},
    "explorer.width": {"ko": "너비", "en": "width"},
    "explorer.activation": {"ko": "활성화 함수", "en": "activation function"},
    "explorer.init": {"ko": "초기화", "en": "initialization"},
    "explorer.activation.sigmoid": {"ko": "시그모이드", "en": "sigmoid"},
    "explorer.init.small": {"ko": "작은 정규분포 (σ=0.01)", "en": "small normal (σ=0.01)"},
    "explorer.init.glorot": {"ko": "Glorot 정규분포", "en": "Glorot normal"},
    "explorer.init.he": {"ko": "He 정규분포", "en": "He normal"},
    "explorer.residual": {"ko": "스킵 연결", "en": "skip connections"},
    "explorer.batch_norm": {"ko": "배치 정규화", "en": "batch normalization"},
    "explorer.measure": {"ko": "기울기 측정 위치", "en": "gradient measured at"},
    "explorer.measure.weights": {"ko": "가중치", "en": "weights"},
    "explorer.measure.inputs": {"ko": "층 입력", "en": "layer inputs"},
    # "(선택)" would read as "optional" in a Korean interface: the line is the current setting.
    "explorer.line.plain.chosen": {"ko": "일반 네트워크 (현재 설정)", "en": "plain network (current setting)"},
    "explorer.line.residual.chosen": {"ko": "잔차 네트워크 (현재 설정)", "en": "residual network (current setting)"},
    "explorer.line.plain.twin": {"ko": "일반 네트워크 (비교용)", "en": "plain network (for comparison)"},
    "explorer.line.residual.twin": {"ko": "잔차 네트워크 (비교용)", "en": "residual network (for comparison)"},
    # ÷, not a slash: in `both` a slash already separates the Korean from the English.
    "explorer.title": {
        "ko": "깊이 {depth}, 노름 비율 첫 층 ÷ 마지막 층 = {ratio}",
        "en": "depth {depth}, norm ratio first ÷ last layer = {ratio}",
    },
    "explorer.ratio": {
        "ko": "기울기 노름 비율 첫 층 ÷ 마지막 층: 현재 설정 {chosen}, 비교용 네트워크 {twin}",
        "en": "gradient norm ratio first ÷ last layer: current setting {chosen}, network for comparison {twin}",
    },
})

def _activation_name(activation):
    """Option text: sigmoid has a Korean name (시그모이드); tanh and ReLU read the same in both."""
    return label("explorer.activation.sigmoid") if activation == "sigmoid" else {"tanh": "tanh", "relu": "ReLU"}[activation]


def _power_of_ten(value, _position):
    return f"1e{int(round(np.log10(value)))}" if value > 0 else ""


def _kind(residual):
    return "residual" if residual else "plain"


class GradientExplorer:
    """Interactive per-layer gradient norms. Display it in a notebook; drive it through `controls`."""

    def __init__(self, depth=50, width=32, activation="sigmoid", init="glorot", residual=False,
                 batch_norm=False, measure="inputs", batch=64, seed=0):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

        use_korean_font()
        self.batch, self.seed = batch, seed
        wide = {"description_width": "initial"}
        self.controls = {
            "depth": widgets.IntSlider(value=depth, min=2, max=100, description=label("explorer.depth"),
                                       continuous_update=False, style=wide),
            "width": widgets.IntSlider(value=width, min=4, max=128, step=4, description=label("explorer.width"),
                                       continuous_update=False, style=wide),
            "activation": widgets.Dropdown(options=[(_activation_name(a), a) for a in gradients.ACTIVATIONS],
                                           value=activation, description=label("explorer.activation"), style=wide),
            "init": widgets.Dropdown(options=[(label(f"explorer.init.{i}"), i) for i in gradients.INITS],
                                     value=init, description=label("explorer.init"), style=wide),
            "residual": widgets.Checkbox(value=residual, description=label("explorer.residual"), style=wide),
            "batch_norm": widgets.Checkbox(value=batch_norm, description=label("explorer.batch_norm"), style=wide),
            "measure": widgets.ToggleButtons(options=[(label(f"explorer.measure.{m}"), m) for m in gradients.MEASURES],
                                             value=measure, description=label("explorer.measure"),
                                             # Buttons are 138 px wide by default: "층 입력 / layer inputs" was cut.
                                             style={**wide, "button_width": "auto"}),
        }
        self.ratio_text = widgets.HTML()
        self.output = widgets.Output()
        # No layout engine, no minor ticks, a fixed legend place: each of these costs more
        # than the whole numpy computation once the norms span thirty decades.
        self.figure = Figure(figsize=(7.5, 4.2), dpi=80)
        self.figure.subplots_adjust(left=0.13, right=0.98, top=0.91, bottom=0.13)
        FigureCanvasAgg(self.figure)  # drawn off screen; the notebook shows a PNG of it
        self.ax = self.figure.add_subplot()
        self._chosen_line, = self.ax.plot([], [], marker="o", markersize=3, linewidth=1.8)
        self._twin_line, = self.ax.plot([], [], marker=".", markersize=3, linewidth=1.2, linestyle="--")
        self.ax.set_yscale("log")
        self.ax.yaxis.set_major_locator(LogLocator(numticks=6))
        self.ax.yaxis.set_minor_locator(NullLocator())
        self.ax.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))  # plain text: no mathtext parsing
        self.ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        self.ax.set_xlabel(label("gradients.axis.layer"))
        self.ax.grid(True, which="major", alpha=0.3)
        c = self.controls
        self.widget = widgets.VBox([
            widgets.HBox([c["depth"], c["width"]]),
            widgets.HBox([c["activation"], c["init"]]),
            widgets.HBox([c["residual"], c["batch_norm"]]),
            c["measure"], self.ratio_text, self.output,
        ])
        self.png = b""
        self.ratio = self.twin_ratio = float("nan")
        self.last_update_ms = self.last_update_cpu_ms = float("nan")
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.update()

    def spec(self):
        """The network the controls describe (its twin is `spec().twin()`)."""
        c = self.controls
        return gradients.NetworkSpec(depth=c["depth"].value, width=c["width"].value,
                                     activation=c["activation"].value, init=c["init"].value,
                                     residual=c["residual"].value, batch_norm=c["batch_norm"].value,
                                     batch=self.batch, seed=self.seed)

    def _on_change(self, _change):
        self.update()

    def update(self):
        """Recompute both networks, redraw, show. Returns the time it took in milliseconds."""
        start, cpu_start = time.perf_counter(), time.process_time()
        spec, measure = self.spec(), self.controls["measure"].value
        chosen, twin = gradients.gradient_profile(spec), gradients.gradient_profile(spec.twin())
        self.ratio, self.twin_ratio = chosen.ratio(measure), twin.ratio(measure)
        layers = np.arange(1, spec.depth + 1)
        for line, profile in ((self._chosen_line, chosen), (self._twin_line, twin)):
            line.set_data(layers, profile.norms(measure))
        self._chosen_line.set_label(label(f"explorer.line.{_kind(spec.residual)}.chosen"))
        self._twin_line.set_label(label(f"explorer.line.{_kind(not spec.residual)}.twin"))
        self.ax.set_ylabel(label(f"gradients.axis.{'weight' if measure == 'weights' else 'input'}_norm"))
        self.ax.set_title(label("explorer.title", depth=spec.depth, ratio=f"{self.ratio:.1e}"))
        self.ax.relim()
        self.ax.autoscale_view()
        self.ax.legend(loc="lower right", fontsize="small", framealpha=0.85)
        self.ratio_text.value = label("explorer.ratio", chosen=f"{self.ratio:.2e}", twin=f"{self.twin_ratio:.2e}")
        self._show()
        self.last_update_ms = (time.perf_counter() - start) * 1000
        self.last_update_cpu_ms = (time.process_time() - cpu_start) * 1000
        return self.last_update_ms

    def _show(self):
        # The PNG goes straight into the Output widget's state: no display message to route,
        # so the picture is there whenever and wherever the widget is shown.
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", pil_kwargs={"compress_level": 1})
        self.png = buffer.getvalue()
        self.output.outputs = ({
            "output_type": "display_data",
            "data": {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": self.ax.get_title()},
            "metadata": {},
        },)

    def plotted_data(self):
        """What the plot shows right now: its lines (label, x, y), axis labels, scale, title, ratios."""
        return {
            "lines": [{"label": line.get_label(), "x": np.asarray(line.get_xdata(), float).tolist(),
                       "y": np.asarray(line.get_ydata(), float).tolist()} for line in self.ax.get_lines()],
            "xlabel": self.ax.get_xlabel(), "ylabel": self.ax.get_ylabel(), "title": self.ax.get_title(),
            "yscale": self.ax.get_yscale(), "ratio": self.ratio, "twin_ratio": self.twin_ratio,
        }

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
