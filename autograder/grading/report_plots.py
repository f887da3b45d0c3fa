"""The report's plots, drawn with matplotlib from the figures, as PNG bytes to inline in the page.

Each plot is a bare `Figure` (no pyplot, so no backend is chosen for whoever imported us),
labelled from the message catalog in the language in force and drawn with the course's
Hangul fallback font.
"""

import io

from resnet_course.utils.fonts import use_korean_font
from resnet_course.utils.messages import label, register

register({
    "report.plot.points": {"ko": "점수", "en": "points"},
    "report.plot.students": {"ko": "학생 수", "en": "students"},
    "report.plot.total": {"ko": "총점", "en": "total"},
    "report.plot.mean": {"ko": "평균 {value:g}", "en": "mean {value:g}"},
    "report.plot.median": {"ko": "중앙값 {value:g}", "en": "median {value:g}"},
    "report.plot.distributions": {"ko": "점수 분포", "en": "Score distribution"},
    "report.plot.pass_rate": {"ko": "통과율", "en": "pass rate"},
    "report.plot.checks": {"ko": "검사별 통과율 (어려운 검사부터)", "en": "Pass rate per check (hardest first)"},
    "report.plot.mistakes": {"ko": "자주 나온 실수", "en": "The most common mistakes"},
    "report.plot.seconds": {"ko": "채점 시간(초)", "en": "grading time (s)"},
    "report.plot.timing": {"ko": "학생별 채점 시간", "en": "Grading time per student"},
})

PNG_DPI = 100
_BAR = "#3b6ea8"
_FULL = "#2e8540"


def _png(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=PNG_DPI)
    return buffer.getvalue()


def _figure(width, height, left=0.6, bottom=0.55, top=0.45, right=0.2):
    """A figure with fixed margins in inches (a layout engine doubles the drawing time)."""
    from matplotlib.figure import Figure

    use_korean_font()
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return figure


def _label_inches(labels, fontsize=8):
    """Room for the longest of `labels` as y tick labels (grade ids and keys are ASCII)."""
    return 0.25 + 0.6 * fontsize / 72 * max((len(str(label)) for label in labels), default=4)


def part_title(part):
    return label("report.plot.total") if part == "total" else part


def score_histograms(distributions):
    """One histogram per notebook and one of the total, with the mean and the median marked."""
    figure = _figure(4.2 * len(distributions), 3.4, top=0.6)
    axes = figure.subplots(1, len(distributions), squeeze=False, gridspec_kw={"wspace": 0.3})[0]
    for ax, part in zip(axes, distributions):
        bins = part["histogram"]["bins"]
        width = part["histogram"]["width"]
        # Full marks stand alone, in green, one bar's width to the right of the rest.
        ax.bar([b["low"] for b in bins], [b["count"] for b in bins], align="edge",
               width=[0.9 * (width if b["full"] else max(b["high"] - b["low"], 0.1)) for b in bins],
               color=[_FULL if b["full"] else _BAR for b in bins])
        if part["mean"] is not None:
            ax.axvline(part["mean"], color="#c0392b", linestyle="--",
                       label=label("report.plot.mean", value=round(part["mean"], 1)))
            ax.axvline(part["median"], color="#7d3c98", linestyle=":",
                       label=label("report.plot.median", value=round(part["median"], 1)))
            ax.legend(fontsize=7, loc="best")
        ax.set_title(part_title(part["part"]), fontsize=10)
        ax.set_xlabel(label("report.plot.points"))
        ax.set_ylabel(label("report.plot.students"))
        ax.set_xlim(0, part["max_score"] + width)
        ax.yaxis.get_major_locator().set_params(integer=True)
    figure.suptitle(label("report.plot.distributions"))
    return _png(figure)


def check_pass_rates(groups):
    """Every check's pass rate as a bar, in the order the page lists them (hardest first)."""
    checks = [check for group in groups for check in group["checks"]]
    # One shade per exercise, alternating, so the groups of the table show in the bars.
    shades = [(_BAR, "#7fa7d6")[index % 2] for index, group in enumerate(groups) for _ in group["checks"]]
    figure = _figure(8, 1.0 + 0.28 * max(1, len(checks)), left=_label_inches(c["grade_id"] for c in checks))
    ax = figure.subplots()
    rates = [100 * (check["pass_rate"] or 0.0) for check in checks]
    positions = range(len(checks))
    ax.barh(positions, rates, color=[_FULL if rate >= 100 else shade for rate, shade in zip(rates, shades)])
    ax.set_yticks(list(positions), [check["grade_id"] for check in checks], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(label("report.plot.pass_rate") + " (%)")
    ax.set_title(label("report.plot.checks"), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(figure)


def mistake_counts(mistakes, shown=12):
    """How many students made each named mistake, the most common at the top."""
    top = mistakes[:shown]
    figure = _figure(8, 1.0 + 0.3 * max(1, len(top)), left=_label_inches(entry["key"] for entry in top))
    ax = figure.subplots()
    positions = range(len(top))
    ax.barh(positions, [entry["count"] for entry in top], color="#b35900")
    ax.set_yticks(list(positions), [entry["key"] for entry in top], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(label("report.plot.students"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(label("report.plot.mistakes"), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(figure)


def grading_times(timing):
    """The histogram of seconds per student."""
    seconds = [row["seconds"] for row in timing["per_student"]]
    figure = _figure(6, 3, left=0.7)
    ax = figure.subplots()
    ax.hist(seconds, bins=min(30, max(5, len(seconds) // 5)), color=_BAR)
    ax.set_xlabel(label("report.plot.seconds"))
    ax.set_ylabel(label("report.plot.students"))
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(label("report.plot.timing"), fontsize=10)
    return _png(figure)
