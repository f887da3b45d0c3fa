"""The public check of `plot_gradient_norms` (notebook 1): lines, log scale, labels, legend, `ax`.

The plot is read as data (`plotdata.plot_data`), as the judge reads it, not as pixels.
"""

import numpy as np
from resnet_course.utils.messages import register

from . import common  # noqa: F401  (registers check.returns_none, which this check returns)
from .plotdata import plot_data

register({
    "vanishing.plot.not_axes": {
        "ko": "matplotlib Axes 객체를 반환해야 하는데 {found} 값을 반환합니다. 함수를 `return ax` 문으로 끝내세요.",
        "en": "It should return a matplotlib Axes but returns {found}. End with `return ax`.",
    },
    "vanishing.plot.no_lines": {
        "ko": "선이 없습니다. 네트워크마다 `ax.plot(x, norms, label=name)` 호출로 선을 하나씩 그리세요.",
        "en": "There are no lines. Draw one line per network with `ax.plot(x, norms, label=name)`.",
    },
    "vanishing.plot.line_count": {
        "ko": "선이 {found}개입니다. 딕셔너리의 네트워크마다 하나씩, {expected}개여야 합니다.",
        "en": "There are {found} lines; there must be one per network in the dictionary, {expected}.",
    },
    "vanishing.plot.missing_line": {
        "ko": "{name!r}의 노름을 그린 선이 없습니다. 세로값은 노름 그 자체여야 합니다.",
        "en": "No line shows the norms of {name!r}; the y values must be the norms themselves.",
    },
    "vanishing.plot.log_values": {
        "ko": "세로값이 노름의 log10처럼 보입니다. 노름을 그대로 그리고, 로그 눈금은 `ax.set_yscale(\"log\")` 함수로 정하세요.",
        "en": "The y values look like log10 of the norms. Plot the norms themselves and let `ax.set_yscale(\"log\")` take the log.",
    },
    "vanishing.plot.x_from_zero": {
        "ko": "가로축이 0부터 시작합니다. 층 번호는 1부터입니다: `np.arange(1, len(norms) + 1)`.",
        "en": "x starts at 0; layers are numbered from 1: `np.arange(1, len(norms) + 1)`.",
    },
    "vanishing.plot.x_values": {
        "ko": "{name!r} 선의 가로축 값이 1, 2, …, {n} 순서가 아닙니다.",
        "en": "The x values of the {name!r} line are not 1, 2, …, {n}.",
    },
    "vanishing.plot.not_log": {
        "ko": "세로축이 로그 스케일이 아닙니다({found}). `ax.set_yscale(\"log\")` 함수를 쓰세요.",
        "en": "The y axis is not log scale ({found}). Use `ax.set_yscale(\"log\")`.",
    },
    "vanishing.plot.no_xlabel": {
        "ko": "가로축 레이블이 없습니다. `ax.set_xlabel(...)` 함수로 붙이세요.",
        "en": "The x axis has no label. Use `ax.set_xlabel(...)`.",
    },
    "vanishing.plot.no_ylabel": {
        "ko": "세로축 레이블이 없습니다. `ax.set_ylabel(...)` 함수로 붙이세요.",
        "en": "The y axis has no label. Use `ax.set_ylabel(...)`.",
    },
    "vanishing.plot.no_legend": {
        "ko": "범례가 없습니다. 선마다 `label=name` 인자를 주고 `ax.legend()` 함수를 부르세요.",
        "en": "The legend is missing. Give each line `label=name` and call `ax.legend()`.",
    },
    "vanishing.plot.legend_texts": {
        "ko": "범례 글자는 딕셔너리의 키여야 합니다. 기대: {expected}, 지금: {found}",
        "en": "The legend entries must be the dictionary's keys. Expected: {expected}, found: {found}",
    },
    "vanishing.plot.ignores_ax": {
        "ko": "`ax` 인자를 넘겨도 그 위에 그리지 않거나 다른 Axes 객체를 반환합니다. 주어진 `ax` 위에 그리고 그 `ax` 객체를 반환하세요.",
        "en": "When `ax` is given, the function does not draw on it or returns another Axes. Draw on the given `ax` and return it.",
    },
})


_PLOT_NORMS = {
    "plain": np.array([0.5, 4e-2, 3e-3, 2e-4, 1e-5]),
    "residual": np.array([0.9, 0.6, 0.8, 0.7, 0.75]),
}


def _match(line, norms):
    y = np.asarray(line["y"], dtype=float)
    return y.shape == norms.shape and np.allclose(y, norms, rtol=1e-6)


def _plot_problems(ax, norms_by_name):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


    if not isinstance(ax, Axes):
        return [("vanishing.plot.not_axes", {"found": "Figure" if isinstance(ax, Figure) else type(ax).__name__})]
    data = plot_data(ax)
    lines = data["lines"]
    problems = []
    if not lines:
        return [("vanishing.plot.no_lines", {})]
    if len(lines) != len(norms_by_name):
        problems.append(("vanishing.plot.line_count", {"found": len(lines), "expected": len(norms_by_name)}))
    for name, norms in norms_by_name.items():
        matches = [line for line in lines if _match(line, norms)]
        if not matches:
            if any(_match(line, np.log10(norms)) for line in lines):
                problems.append(("vanishing.plot.log_values", {}))
            else:
                problems.append(("vanishing.plot.missing_line", {"name": name}))
            continue
        x = np.asarray(matches[0]["x"], dtype=float)
        n = len(norms)
        if x.shape == (n,) and np.allclose(x, np.arange(n)):
            problems.append(("vanishing.plot.x_from_zero", {}))
        elif not (x.shape == (n,) and np.allclose(x, np.arange(1, n + 1))):
            problems.append(("vanishing.plot.x_values", {"name": name, "n": n}))
    if data["yscale"] != "log" and ("vanishing.plot.log_values", {}) not in problems:
        problems.append(("vanishing.plot.not_log", {"found": data["yscale"]}))
    if not data["xlabel"].strip():
        problems.append(("vanishing.plot.no_xlabel", {}))
    if not data["ylabel"].strip():
        problems.append(("vanishing.plot.no_ylabel", {}))
    if data["legend"] is None:
        problems.append(("vanishing.plot.no_legend", {}))
    elif sorted(data["legend"]) != sorted(norms_by_name):
        problems.append(("vanishing.plot.legend_texts", {"expected": ", ".join(norms_by_name),
                                                         "found": ", ".join(data["legend"])}))
    unique = []
    for problem in problems:  # two lines with the same mistake: say it once
        if problem not in unique:
            unique.append(problem)
    return unique


def check_plot_gradient_norms(plot_gradient_norms):
    """Lines, x from 1, log y, axis labels, legend; then that a given `ax` is used and returned."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        ax = plot_gradient_norms({name: norms.copy() for name, norms in _PLOT_NORMS.items()})
        if ax is None:
            return [("check.returns_none", {})]
        problems = _plot_problems(ax, _PLOT_NORMS)
        if problems and problems[0][0] == "vanishing.plot.not_axes":
            return problems
        # The `ax` question is its own: asked even when the plot above has problems.
        _, given = plt.subplots()
        returned = plot_gradient_norms({"only": np.array([1.0, 0.1, 0.01])}, ax=given)
        if returned is not given or not given.get_lines():
            problems.append(("vanishing.plot.ignores_ax", {}))
        return problems
    finally:  # the check's figures are not the student's: keep them out of the notebook
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
