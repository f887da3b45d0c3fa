"""Comparing a student's plot with the reference plot, by its data, not its pixels.

`plot_gradient_norms_lines` judges the data (one line per network, x from 1, y the given
norms, drawn on the given Axes); `plot_gradient_norms_labels` the presentation (log-scale
y axis, both axis labels, the legend's entries), as the notebook's test cells describe.

The hidden test cell exports what the returned Axes shows as JSON (`plotdata`): the lines
(label, x, y), the axis scales, the axis labels, the legend entries. Line data is compared
within tolerance; labels are accepted in either language (or both); legend entries must be
the labels of the dict the function was given. For the feedback, the student's plot is
redrawn from its data beside the reference's and saved as a PNG in the judge's folder.
"""

import numpy as np

from resnet_course.utils.messages import register, text

from .comparator import ArtifactError, Verdict, ordered_cases

register({
    "plots.case_missing": {
        "ko": "그래프 {case}의 데이터가 채점기에 전달되지 않았습니다. 함수가 Axes 객체를 반환하는지 확인하세요.",
        "en": "The data of plot {case} did not reach the grader. Check that your function returns the Axes.",
    },
    "plots.malformed": {
        "ko": "그래프 데이터({case})를 읽을 수 없습니다.",
        "en": "The plot data ({case}) cannot be read.",
    },
    "plots.ignored_ax": {
        "ko": "`ax` 인자가 주어졌는데 그 위에 그리지 않았습니다. `ax` 인자가 None일 때만 새 그림을 만들고, 주어진 `ax` 객체를 그대로 반환하세요.",
        "en": "An `ax` was given, but the plot was not drawn on it. Make a new figure only when `ax` is None, and return the given `ax`.",
    },
    "plots.line_count": {
        "ko": "그래프에 선이 {found}개 있습니다. 네트워크마다 하나씩, {expected}개여야 합니다.",
        "en": "The plot has {found} lines; expected {expected}, one per network.",
    },
    "plots.x_from_zero": {
        "ko": "x축이 0부터 시작합니다. 층 번호는 1부터 셉니다: `x = range(1, len(norms) + 1)`.",
        "en": "The x values start at 0. Layers are numbered from 1: `x = range(1, len(norms) + 1)`.",
    },
    "plots.x_values": {
        "ko": "선 '{label}'의 x 값이 기대와 다릅니다: {found}. 1부터 층의 수까지여야 합니다.",
        "en": "The x values of line '{label}' are not as expected: {found}. They should run from 1 to the number of layers.",
    },
    "plots.y_values": {
        "ko": "선 '{label}'의 y 값이 주어진 노름과 다릅니다. 딕셔너리(dict)의 값을 그대로, 층 순서대로 그리세요.",
        "en": "The y values of line '{label}' differ from the norms it was given. Plot the dict's values as they are, in layer order.",
    },
    "plots.not_log": {
        "ko": "y축이 로그 스케일(log scale)이 아닙니다. `ax.set_yscale('log')` 또는 `ax.semilogy(...)` 함수를 쓰세요.",
        "en": "The y axis is not on a log scale. Use `ax.set_yscale('log')` or `ax.semilogy(...)`.",
    },
    "plots.x_log": {
        "ko": "x축까지 로그 스케일입니다. 층 번호(x)는 선형 스케일로 두세요.",
        "en": "The x axis is on a log scale too. Keep the layer number (x) on a linear scale.",
    },
    "plots.no_xlabel": {
        "ko": "x축 레이블이 없습니다. 예: `ax.set_xlabel('층 / layer')`.",
        "en": "The x axis has no label. For example `ax.set_xlabel('층 / layer')`.",
    },
    "plots.no_ylabel": {
        "ko": "y축 레이블이 없습니다. 예: `ax.set_ylabel('기울기 노름 / gradient norm')`.",
        "en": "The y axis has no label. For example `ax.set_ylabel('기울기 노름 / gradient norm')`.",
    },
    "plots.no_legend": {
        "ko": "범례(legend)가 없습니다. 선마다 `label=` 인자를 주고 `ax.legend()` 함수를 호출하세요.",
        "en": "There is no legend. Give each line a `label=` and call `ax.legend()`.",
    },
    "plots.legend_entries": {
        "ko": "범례의 항목이 {found}입니다. 딕셔너리의 키인 {expected} 항목이어야 합니다.",
        "en": "The legend shows {found}; it should show the dict's keys {expected}.",
    },
    "plots.feedback_yours": {"ko": "여러분의 그래프", "en": "Your plot"},
    "plots.feedback_expected": {"ko": "기대한 그래프", "en": "Expected plot"},
})


def _cases(student, reference):
    return ordered_cases(student, reference, "json", "plots.case_missing")


def _numbers(values, limit=100_000):
    if not isinstance(values, list) or len(values) > limit:
        raise ValueError("not a list of numbers")
    return np.array([float("nan") if v is None else float(v) for v in values], dtype=np.float64)


def normalise(data):
    """Plot JSON in a fixed shape; ValueError when it is not plot data."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    lines = []
    drawn = data.get("lines") or []
    if not drawn:  # a scatter plot instead of lines: its points are the data
        drawn = data.get("collections") or []
    for line in drawn:
        if not isinstance(line, dict):
            raise ValueError("line is not an object")
        x, y = _numbers(line.get("x", [])), _numbers(line.get("y", []))
        lines.append({"label": str(line.get("label") or ""), "x": x, "y": y})
    legend = data.get("legend")
    if isinstance(legend, dict):
        legend = legend.get("labels", legend.get("entries"))
    return {
        "lines": lines,
        "xscale": str(data.get("xscale", "linear")),
        "yscale": str(data.get("yscale", "linear")),
        "xlabel": str(data.get("xlabel") or ""),
        "ylabel": str(data.get("ylabel") or ""),
        "title": str(data.get("title") or ""),
        "legend": None if legend is None else [str(v) for v in legend][:100],
    }


def _load(folder, case):
    try:
        return normalise(folder.json(case))
    except (ValueError, TypeError, OverflowError):
        raise ArtifactError("plots.malformed", case=case) from None


def _visible(lines):
    """Lines that are data (matplotlib names helper lines '_child0' etc.)."""
    return [line for line in lines if line["x"].size]


def _match(s_lines, r_lines):
    """Pair reference lines with the student's: by label when the labels agree, else by order."""
    by_label = {line["label"]: line for line in s_lines}
    if all(line["label"] in by_label for line in r_lines):
        return [(by_label[line["label"]], line) for line in r_lines]
    return list(zip(s_lines, r_lines))


def _close(a, b):
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-4, atol=0, equal_nan=True))


def plot_lines(student, reference, context):
    for case in _cases(student, reference):
        s, r = _load(student, case), _load(reference, case)
        image = render_feedback(s, r, context, case)
        raw = student.json(case)
        verdict = _lines_verdict(s, r, raw if isinstance(raw, dict) else None)
        if not verdict.passed:
            verdict.image = image
            return verdict
    return Verdict.ok()


def _lines_verdict(s, r, raw=None):
    if raw is not None and raw.get("same_axes") is False:
        return Verdict.fail("plots.ignored_ax")
    s_lines, r_lines = _visible(s["lines"]), _visible(r["lines"])
    if len(s_lines) != len(r_lines):
        return Verdict.fail("plots.line_count", found=len(s_lines), expected=len(r_lines))
    for s_line, r_line in _match(s_lines, r_lines):
        if not _close(s_line["x"], r_line["x"]):
            if _close(s_line["x"] + 1, r_line["x"]):
                return Verdict.fail("plots.x_from_zero")
            shown = ", ".join(f"{v:g}" for v in s_line["x"][:5]) + (" …" if s_line["x"].size > 5 else "")
            return Verdict.fail("plots.x_values", label=r_line["label"], found=f"[{shown}]")
        if not _close(s_line["y"], r_line["y"]):
            return Verdict.fail("plots.y_values", label=r_line["label"])
    return Verdict.ok()


def plot_labels(student, reference, context):
    for case in _cases(student, reference):
        s, r = _load(student, case), _load(reference, case)
        problems = []
        if r["yscale"] == "log" and s["yscale"] != "log":
            problems.append(("plots.not_log", {}))
        if r["xscale"] != "log" and s["xscale"] == "log":
            problems.append(("plots.x_log", {}))
        if not s["xlabel"].strip():
            problems.append(("plots.no_xlabel", {}))
        if not s["ylabel"].strip():
            problems.append(("plots.no_ylabel", {}))
        expected = sorted(r["legend"] or [line["label"] for line in _visible(r["lines"])])
        if not s["legend"]:
            problems.append(("plots.no_legend", {}))
        elif sorted(s["legend"]) != expected:
            problems.append(("plots.legend_entries", {"found": s["legend"], "expected": expected}))
        if problems:
            verdict = Verdict(False, problems)
            verdict.image = render_feedback(s, r, context, case)
            return verdict
    return Verdict.ok()


def _draw(ax, data, title):
    for line in _visible(data["lines"]):
        ax.plot(line["x"], line["y"], marker="o", markersize=3, label=line["label"] or None)
    for axis, scale in (("x", data["xscale"]), ("y", data["yscale"])):
        if scale in ("log", "linear", "symlog", "logit"):
            try:
                getattr(ax, f"set_{axis}scale")(scale)
            except ValueError:
                pass
    ax.set_xlabel(data["xlabel"][:80])
    ax.set_ylabel(data["ylabel"][:80])
    ax.set_title(title)
    if data["legend"]:
        ax.legend(fontsize=8)


def render_feedback(student_data, reference_data, context, case):
    """The student's plot (left) beside the reference (right), as `<judge folder>/<grade id>.png`."""
    key = ("plot-image", context.grade_id.rsplit("_", 1)[0], case)
    if key in context.cache:
        return context.cache[key]
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from resnet_course.utils.fonts import use_korean_font

    use_korean_font()
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False)
    # Fixed margins: tight_layout measured every tick label again, half the drawing time.
    figure.subplots_adjust(left=0.1, right=0.98, top=0.84, bottom=0.13, wspace=0.32)
    _draw(axes[0], student_data, text("plots.feedback_yours"))
    _draw(axes[1], reference_data, text("plots.feedback_expected"))
    context.feedback.mkdir(parents=True, exist_ok=True)
    path = context.feedback / f"{context.grade_id.rsplit('_', 1)[0]}-{case}.png"
    figure.savefig(path, dpi=80)
    plt.close(figure)
    context.cache[key] = str(path)
    return str(path)

