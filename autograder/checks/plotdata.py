"""A matplotlib Axes as plain data: what a plot shows, not how its pixels look.

The inline backend closes figures at the end of a cell, so a graded plotting function
returns its Axes and the test cell exports `plot_data(ax)` as JSON; the judge compares that
with the reference plot's data. The public checks read the same dict.
"""

import numpy as np


def _numbers(values):
    """Floats for JSON; masked or non-numeric entries become NaN (JSON keeps NaN, see artifacts)."""
    try:
        array = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan).ravel()
    except (TypeError, ValueError):  # dates, strings: not numbers a judge can compare
        return [float("nan")] * len(np.ravel(values))
    return [float(v) for v in array]


def _line(line):
    return {
        "label": str(line.get_label()),
        "x": _numbers(line.get_xdata()),
        "y": _numbers(line.get_ydata()),
    }


def _collection(collection):
    """Scatter points (PathCollection): the offsets, so a scatter plot is seen, not just missed."""
    offsets = np.asarray(collection.get_offsets(), dtype=float).reshape(-1, 2)
    return {"label": str(collection.get_label()), "x": _numbers(offsets[:, 0]), "y": _numbers(offsets[:, 1])}


def legend_texts(ax):
    """The legend's entries, from the Axes' own legend or else the figure's; None when there is none."""
    legend = ax.get_legend()
    if legend is None and ax.figure is not None:
        for candidate in getattr(ax.figure, "legends", []):
            legend = candidate
            break
    if legend is None:
        return None
    return [text.get_text() for text in legend.get_texts()]


def plot_data(ax):
    """The data of a matplotlib Axes as a JSON-ready dict.

    lines        every Line2D on the Axes: label, x, y (in drawing order)
    collections  scatter-style collections with offsets: label, x, y
    xscale, yscale, xlabel, ylabel, title, xlim, ylim
    legend       the legend's texts, or None when there is no legend
    """
    from matplotlib.collections import PathCollection

    return {
        "lines": [_line(line) for line in ax.get_lines()],
        "collections": [_collection(c) for c in ax.collections if isinstance(c, PathCollection)],
        "xscale": ax.get_xscale(),
        "yscale": ax.get_yscale(),
        "xlabel": ax.get_xlabel(),
        "ylabel": ax.get_ylabel(),
        "title": ax.get_title(),
        "xlim": _numbers(ax.get_xlim()),
        "ylim": _numbers(ax.get_ylim()),
        "legend": legend_texts(ax),
    }
