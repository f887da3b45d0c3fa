"""Hangul in plots: NanumGothic as a fallback after DejaVu Sans, drawn with real glyphs."""

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from resnet_course.utils.fonts import nanum_font_files, use_korean_font  # noqa: E402


def _render(draw):
    """Draw on a fresh figure, return (RGB pixels, warnings raised while drawing)."""
    fig, ax = plt.subplots(figsize=(4, 3), dpi=80)
    draw(fig, ax)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    plt.close(fig)
    return pixels, [str(w.message) for w in caught]


def test_font_files_come_from_the_wheel_without_importing_it():
    import sys

    files = nanum_font_files()
    assert any(path.name == "NanumGothic.ttf" for path in files)
    assert "koreanize_matplotlib" not in sys.modules


def test_korean_figure_renders_without_glyph_warnings():
    use_korean_font()

    def draw(fig, ax):
        ax.plot([-3, -1, 2], [1, -2, 3], label="기울기 노름 / gradient norm")
        ax.plot([-3, 2], [0, -1], label="잔차 네트워크")
        ax.set_title("기울기 소실(vanishing gradient)")
        ax.set_xlabel("층 / layer")
        ax.set_ylabel("손실 / loss")
        ax.legend()

    _, caught = _render(draw)
    assert not [m for m in caught if "Glyph" in m and "missing" in m], caught


def _glyph_image(char):
    def draw(fig, ax):
        ax.set_axis_off()
        ax.text(0.5, 0.5, char, fontsize=60, ha="center", va="center")

    pixels, _ = _render(draw)
    return (pixels.mean(axis=2) < 128)  # ink mask


def test_hangul_is_drawn_with_real_glyphs_not_boxes():
    """A missing glyph is drawn as the same empty box for every character; real glyphs differ."""
    use_korean_font()
    masks = [_glyph_image(ch) for ch in "가나몸"]
    assert all(mask.sum() > 50 for mask in masks)  # something was drawn
    for i in range(len(masks)):
        for j in range(i + 1, len(masks)):
            assert (masks[i] != masks[j]).sum() > 50, "two different syllables drew the same shape"

    # The check itself can fail: with DejaVu Sans alone, the syllables collapse into one box.
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            boxes = [_glyph_image(ch) for ch in "가나"]
    assert (boxes[0] != boxes[1]).sum() == 0


def test_minus_sign_still_renders():
    use_korean_font()

    def draw(fig, ax):
        ax.plot([-5, -1], [-2, -7])
        ax.set_title("−3 음수 / negative")

    _, caught = _render(draw)
    assert not [m for m in caught if "missing" in m], caught
