"""What the notebooks' helper calls leave under a cell: one picture, no stray value.

Run in a real kernel with the inline backend, as a student's cells are: the font set-up
line as a statement echoes nothing, the model diagram appears once, and the training
curves show the test value after the BatchNorm catch-up beside the curve measured before.
"""

import matplotlib
import nbformat
import pytest

from student_notebooks import execute

matplotlib.use("Agg")


def _images(cell):
    return sum(1 for out in cell.outputs if "image/png" in out.get("data", {}))


def _results(cell):
    return [out for out in cell.outputs if out.output_type in ("execute_result", "error")]


@pytest.mark.slow
def test_font_line_echoes_nothing_and_the_diagram_shows_once(tmp_path):
    cells = [
        "import resnet_course.utils\nfrom resnet_course.utils.fonts import use_korean_font\nuse_korean_font()",
        "import keras\nfrom resnet_course.utils import plotting\nx = keras.Input((8, 8, 3))\n"
        "model = keras.Model(x, keras.layers.Conv2D(4, 3, name='conv1')(x), name='tiny')\n"
        "plotting.show_model_diagram(model)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    execute(nb, tmp_path, allow_errors=False)
    font, diagram = nb.cells
    assert _results(font) == [], font.outputs  # no 'NanumGothic' under the cell
    assert _results(diagram) == [] and _images(diagram) == 1, diagram.outputs


def test_training_curves_show_the_test_value_after_the_catch_up():
    from resnet_course.utils import plotting

    history = {"loss": [1.2, 0.4], "accuracy": [0.5, 0.9], "val_loss": [1.5, 1.1], "val_accuracy": [0.3, 0.667]}
    figure = plotting.plot_training_curves(history, recalibrated={"loss": 0.21, "accuracy": 0.95})
    loss_ax, accuracy_ax = figure.axes[:2]
    legend = [t.get_text() for t in accuracy_ax.get_legend().get_texts()]
    assert "테스트, 이동 평균을 맞춘 뒤 / test, moving averages caught up: 95.0%" in legend
    assert "테스트, 훈련 중의 이동 평균으로 / test, with the moving averages of training" in legend
    star = [line for line in accuracy_ax.get_lines() if line.get_marker() == "*"]
    assert len(star) == 1 and list(star[0].get_ydata()) == [0.95] and list(star[0].get_xdata()) == [2]
    assert "95.0%" in [t.get_text() for t in accuracy_ax.texts]
    assert any("0.210" in t.get_text() for t in loss_ax.get_legend().get_texts())
    plain = plotting.plot_training_curves(history)  # without a catch-up: the curves as they were
    assert [t.get_text() for t in plain.axes[1].get_legend().get_texts()] == ["훈련 / training", "테스트 / test"]
