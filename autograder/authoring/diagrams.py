"""One diagram, one language at a time: the SVG labels a notebook cell shows.

The diagrams in course/images/ are drawn once, with both languages, so that the file
itself (and a markdown preview of a source) stays readable. Each label says which
language it belongs to:

- `data-lang="ko"` or `data-lang="en"` on a `<text>`, `<tspan>` or `<title>`: shown in
  that language only;
- `data-lang="both"`: shown only in the bilingual file, never in a notebook cell (the
  " / " between a Korean and an English label on one line);
- no `data-lang`: shown in every language (code names such as Conv2D, numbers, shapes);
- `data-ko-<attribute>` / `data-en-<attribute>`: the value the attribute takes when the
  label stands alone in that language (an English subtitle moves up into the title's place).

The build embeds into each prose cell the diagram in that cell's language, so `--lang en`
shows no Hangul, `--lang ko` no English label where a Korean one exists, and `both` shows
each cell's own. `language_problems` is the guard the build and the tests apply to what
was built: alt texts and diagram text in the cell's language.
"""

import base64
import re
import xml.etree.ElementTree as ET

from resnet_course.utils.messages import register

SVG_NS = "http://www.w3.org/2000/svg"
LANG_ATTRIBUTE = "data-lang"
_TEXT_TAGS = {f"{{{SVG_NS}}}text", f"{{{SVG_NS}}}title"}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z]{3,}(?![A-Za-z0-9_])")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SVG_URI = re.compile(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)")
_ALT = re.compile(r"!\[([^\]]*)\]\(")

register({
    "diagram.unreadable": {
        "ko": "그림 파일 {name} 내용을 SVG로 읽을 수 없습니다: {error}",
        "en": "The diagram {name} cannot be read as SVG: {error}",
    },
    "diagram.hangul_in_english": {
        "ko": "{where}: 영어 셀의 그림 설명이나 그림 레이블에 한글이 있습니다: \"{text}\". 그 레이블에 "
              "`data-lang=\"ko\"` 표시를 붙이고, 같은 뜻의 영어 레이블을 `data-lang=\"en\"` 표시와 함께 두세요.",
        "en": "{where}: the English cell's alt text or diagram holds Hangul: \"{text}\". Tag that label "
              "`data-lang=\"ko\"` and give it an English partner tagged `data-lang=\"en\"`.",
    },
    "diagram.english_in_korean": {
        "ko": "{where}: 한국어 셀의 그림에 영어 레이블이 있습니다: \"{text}\". 같은 뜻의 한국어 레이블을 두고 "
              "영어 레이블에는 `data-lang=\"en\"` 표시를 붙이세요. 코드 이름은 그대로 둡니다.",
        "en": "{where}: the Korean cell's diagram holds an English label: \"{text}\". Give it a Korean "
              "partner and tag the English `data-lang=\"en\"` (code names stay as they are).",
    },
    "diagram.alt_not_korean": {
        "ko": "{where}: 한국어 셀의 그림 설명(alt)에 한글이 없습니다: \"{text}\".",
        "en": "{where}: the Korean cell's alt text holds no Hangul: \"{text}\".",
    },
})

ET.register_namespace("", SVG_NS)


def for_language(svg_text, lang):
    """The SVG as one language shows it (`ko`, `en`); any other value returns it unchanged."""
    if lang not in ("ko", "en"):
        return svg_text
    root = ET.fromstring(svg_text)
    _filter(root, lang)
    return ET.tostring(root, encoding="unicode") + "\n"


def _filter(parent, lang):
    for child in list(parent):
        tagged = child.get(LANG_ATTRIBUTE)
        if tagged is not None and tagged != lang:
            _remove_keeping_tail(parent, child)
            continue
        for name in list(child.attrib):
            prefix = f"data-{lang}-"
            if name.startswith(prefix):
                child.set(name[len(prefix):], child.attrib.pop(name))
            elif name == LANG_ATTRIBUTE or re.match(r"data-(ko|en)-", name):
                del child.attrib[name]
        _filter(child, lang)


def _remove_keeping_tail(parent, child):
    """Remove `child`; the text that followed it stays where it was."""
    tail = child.tail or ""
    siblings = list(parent)
    index = siblings.index(child)
    if tail:
        if index > 0:
            previous = siblings[index - 1]
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(child)


def visible_text(svg_text):
    """The text of every label and title of an SVG, one string each, spaces folded."""
    root = ET.fromstring(svg_text)
    return [" ".join("".join(element.itertext()).split())
            for element in root.iter() if element.tag in _TEXT_TAGS and "".join(element.itertext()).strip()]


def embedded_diagrams(markdown):
    """The SVG diagrams embedded in a markdown cell as data URIs, decoded."""
    return [base64.b64decode(match.group(1)).decode("utf-8") for match in _SVG_URI.finditer(markdown)]


def alt_texts(markdown):
    return [match.group(1) for match in _ALT.finditer(markdown)]


def code_words(nb):
    """Every identifier and word the notebook's code cells use: Latin a Korean diagram may keep."""
    return {word for cell in nb.cells if cell.cell_type == "code" for word in _IDENTIFIER.findall(cell.source)}


def english_words(text, allowed):
    """The lowercase English words of a label that are not code names."""
    return [word for word in _ENGLISH_WORD.findall(text) if word not in allowed]


def language_problems(nb, path, allowed=None):
    """Alt texts and diagram labels that are not in their cell's language: [(key, values)].

    English cells: no Hangul in an alt text or a diagram. Korean cells: an alt text with
    Hangul, and no diagram label with English words other than code names: `allowed`, by
    default the words of `nb`'s code cells (pass the source's when `nb` is a student copy,
    whose answers are gone).
    """
    from .source_checks import where

    allowed = code_words(nb) if allowed is None else allowed
    problems = []
    for index, cell in enumerate(nb.cells):
        lang = cell.metadata.get("lang")
        if cell.cell_type != "markdown" or lang not in ("ko", "en"):
            continue
        here = where(path, index, cell)
        labels = [label for svg in embedded_diagrams(cell.source) for label in visible_text(svg)]
        if lang == "en":
            for text in alt_texts(cell.source) + labels:
                if _HANGUL.search(text):
                    problems.append(("diagram.hangul_in_english", {"where": here, "text": text}))
            continue
        for text in alt_texts(cell.source):
            if not _HANGUL.search(text):
                problems.append(("diagram.alt_not_korean", {"where": here, "text": text}))
        for text in labels:
            if english_words(text, allowed):
                problems.append(("diagram.english_in_korean", {"where": here, "text": text}))
    return problems
