"""Hangul in matplotlib: NanumGothic registered as a fallback after DejaVu Sans.

matplotlib's default font has no Hangul, so Korean titles come out as empty boxes with
"Glyph missing" warnings. The koreanize-matplotlib wheel ships NanumGothic; we take only
its font files (importing that package pulls in distutils, gone in Python 3.12). DejaVu
Sans stays first, so Latin text and the minus sign look as usual, and matplotlib falls
back to NanumGothic glyph by glyph for Hangul.
"""

import importlib.util
from pathlib import Path

FALLBACK_FAMILY = "NanumGothic"
_done = False


def nanum_font_files():
    """The NanumGothic .ttf files inside the installed koreanize-matplotlib wheel."""
    spec = importlib.util.find_spec("koreanize_matplotlib")  # finds it without importing it
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    return sorted(folder.glob("NanumGothic*.ttf"))


def use_korean_font():
    """Register NanumGothic and put it after DejaVu Sans in matplotlib's font list.

    Called automatically by the course's plotting helpers; call it yourself before
    plotting Korean text with plain matplotlib. Returns nothing: notebook 1 calls it as the
    last line of a cell, where a value would be echoed under the cell ('NanumGothic').
    """
    global _done
    import matplotlib
    from matplotlib import font_manager

    if not _done:
        files = nanum_font_files()
        if not files:
            from .messages import CourseError

            raise CourseError("fonts.missing")
        for path in files:
            font_manager.fontManager.addfont(str(path))
        _done = True
    # A list of concrete families (not the generic "sans-serif") is what turns on
    # matplotlib's per-glyph fallback.
    matplotlib.rcParams["font.family"] = ["DejaVu Sans", FALLBACK_FAMILY]
    matplotlib.rcParams["axes.unicode_minus"] = True


from .messages import register  # noqa: E402  (kept beside the one message it serves)

register({
    "fonts.missing": {
        "ko": "한글 글꼴(NanumGothic)을 찾지 못했습니다. `pip install koreanize-matplotlib` 명령으로 설치하세요.",
        "en": "The Korean font (NanumGothic) was not found. Install it with `pip install koreanize-matplotlib`.",
    },
})
