"""How the Korean is written, beyond the terms: the house rules a test can see.

- A gloss, the English in parentheses after a Korean term (기울기 소실(vanishing gradient)),
  is given once per notebook, at the term's first use, and never for an everyday word the
  glossary marks `gloss: false` (층(layer), 깊이(depth), 훈련(training)).
- No parentheses inside parentheses, in either language: (제로 패딩(zero padding)) reads
  badly in both.
- No Korean particle whose form depends on the sound before it (이/가, 을/를, 은/는, 와/과,
  으로/로, ...) right after inline code in prose, or after a `{field}` in a message
  template: the reader's pronunciation of code, and the value a template receives, are
  unknown, so `skip_3`가 and "{name}이(가)" read wrong. A fixed Korean noun goes between:
  "`skip_3` 층이", "`{name}` 층은". Particles of one form (의, 에, 에서, 도, 만, 부터, 까지)
  and the copula with 이 (이면, 이고, 입니다) fit after anything.
"""

import re

from resnet_course.utils.messages import register

from .glossary import accepted_spans
from .source_checks import LANGS, prose_text, where

register({
    "style.everyday_gloss": {
        "ko": "{where}: 일상어 \"{ko}\" 뒤에는 영어를 괄호로 달지 않습니다 (\"{gloss}\" 부분을 지우세요).",
        "en": "{where}: \"{ko}\" is an everyday word and takes no English gloss (remove \"{gloss}\").",
    },
    "style.gloss_twice": {
        "ko": "{where}: 영어 병기 \"{gloss}\" 표현이 이 노트북에서 두 번째로 나옵니다. 처음 나올 때 한 번만 다세요.",
        "en": "{where}: the gloss \"{gloss}\" appears a second time in this notebook. Gloss a term once, "
              "at its first use.",
    },
    "style.gloss_not_first": {
        "ko": "{where}: 용어 \"{ko}\" 표현은 앞의 셀({first})에서 먼저 나옵니다. 영어 병기 \"{gloss}\" 부분은 "
              "처음 나오는 곳으로 옮기세요.",
        "en": "{where}: the term \"{ko}\" is already used earlier ({first}). Move the gloss \"{gloss}\" "
              "to its first use.",
    },
    "style.nested_parentheses": {
        "ko": "{where}: 괄호 안에 괄호가 있습니다: \"{text}\". 문장을 나누거나 쉼표를 쓰세요.",
        "en": "{where}: parentheses inside parentheses: \"{text}\". Split the sentence or use a comma.",
    },
    "style.glued_particle": {
        "ko": "{where}: 코드나 값 바로 뒤에 조사가 붙었습니다: \"{text}\". 사이에 명사를 넣으세요 "
              "(예: \"`skip_3` 층이\").",
        "en": "{where}: a Korean particle glued to code or a value: \"{text}\". Put a Korean noun "
              "between (e.g. \"`skip_3` 층이\").",
    },
})

# Particles whose form follows the sound before them; longest first, each a whole word.
_ALTERNATING = ("으로", "이나", "이랑", "이란", "여야", "로", "이", "가", "을", "를", "은", "는", "와", "과",
                "나", "랑", "란", "라", "면")
_PARTICLE = "(?:" + "|".join(_ALTERNATING) + r")(?:\([^()]*\))?(?![가-힣])"
_GLUED_TO_CODE = re.compile(r"`[^`\n]+`" + _PARTICLE)
_GLUED_TO_FIELD = re.compile(r"\{[^{}]*\}[`'\")\]]*" + _PARTICLE)
# A gloss: English in parentheses right after Hangul, or "(기울기 폭주, exploding gradient)".
_GLOSS = re.compile(r"(?<=[가-힣])\(([A-Za-z][^()가-힣]*)\)|\(([가-힣][가-힣 ]*), ([A-Za-z][^()가-힣]*)\)")
_HEADING_LINE = re.compile(r"^#{1,6} .*$", re.M)


def glued_particles(text):
    """The places in a Korean prose text where a particle is glued to inline code."""
    return [m.group(0) for m in _GLUED_TO_CODE.finditer(text)]


def glued_to_fields(template):
    """The places in a Korean message template where a particle is glued to a `{field}`.

    A field inside parentheses after a Korean noun is no such place: in "SIGNS 파일({files})이"
    the particle belongs to 파일.
    """
    found = []
    for match in _GLUED_TO_FIELD.finditer(template):
        opening = template.rfind("(", 0, match.start())
        if ")" in match.group(0) and opening > 0 and re.match(r"[가-힣]", template[opening - 1]):
            continue
        found.append(match.group(0))
    return found


def nested_parentheses(text):
    """The outermost parenthesised spans of a prose text that hold another pair of parentheses."""
    found, depth, start, nested = [], 0, 0, False
    for index, char in enumerate(text):
        if char == "(":
            start, nested = (index, False) if depth == 0 else (start, True)
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0 and nested:
                found.append(text[start:index + 1])
    return found


def _glossed_term(korean_before, glossary):
    """The glossary term the Korean right before a gloss ends with (the longest), if any."""
    ending = [t for t in glossary if korean_before.endswith(t["ko"])]
    return max(ending, key=lambda t: len(t["ko"]), default=None)


def _first_uses(korean_cells, glossary):
    """{term's ko: (cell index, position)} of each glossary term's first use, longer terms
    taking their words first (합성곱 inside 합성곱 블록 is a use of 합성곱 블록)."""
    first = {}
    for index, text in korean_cells:
        text = _HEADING_LINE.sub(lambda m: " " * len(m.group(0)), text)  # a title is no first use
        spans = accepted_spans(text, glossary)
        for start, end, term in spans:
            if any(s <= start and end <= e and len(t["ko"]) > len(term["ko"]) for s, e, t in spans):
                continue
            first[term["ko"]] = min(first.get(term["ko"], (index, start)), (index, start))
    return first


def _glosses(text):
    """[(Korean before the gloss or None, English, position of the glossed Korean, gloss text)]."""
    found = []
    for match in _GLOSS.finditer(text):
        if match.group(1) is not None:
            found.append((None, match.group(1).strip(), match.start(), match.group(0)))
        else:
            found.append((match.group(2).strip(), match.group(3).strip(), match.start(2), match.group(0)))
    return found


def check_glosses(nb, path, glossary):
    """Glosses in a notebook's Korean cells: once, at first use, never for an everyday word."""
    korean_cells = [(i, prose_text(c.source)) for i, c in enumerate(nb.cells)
                    if c.cell_type == "markdown" and c.metadata.get("lang") == LANGS[0]]
    first = _first_uses(korean_cells, glossary)
    problems, seen = [], set()
    for index, text in korean_cells:
        here = where(path, index, nb.cells[index])
        for korean, english, position, gloss in _glosses(text):
            if korean is None:
                term = _glossed_term(text[:position], glossary)
                position -= len(term["ko"]) if term else 0
            else:
                term = next((t for t in glossary if t["ko"] == korean), None)
            key = term["ko"] if term is not None else english.lower()
            if key in seen:
                problems.append(("style.gloss_twice", {"where": here, "gloss": gloss}))
                continue
            seen.add(key)
            if term is None:
                continue
            if not term["gloss"]:
                problems.append(("style.everyday_gloss", {"where": here, "ko": term["ko"], "gloss": gloss}))
                continue
            first_use = first.get(term["ko"])
            if first_use is not None and first_use < (index, position):
                problems.append(("style.gloss_not_first", {
                    "where": here, "ko": term["ko"], "gloss": gloss,
                    "first": where(path, first_use[0], nb.cells[first_use[0]])}))
    return problems


def check_prose_style(nb, path, glossary):
    """Every house rule above, for one notebook source."""
    problems = check_glosses(nb, path, glossary)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        here = where(path, index, cell)
        for text in nested_parentheses(prose_text(cell.source)):
            problems.append(("style.nested_parentheses", {"where": here, "text": " ".join(text.split())}))
        if cell.metadata.get("lang") == LANGS[0]:
            for text in glued_particles(cell.source):
                problems.append(("style.glued_particle", {"where": here, "text": text}))
    return problems


def check_message_style(catalog):
    """{key: problems} for the messages whose Korean template glues a particle to a field or to
    inline code, or nests parentheses."""
    found = {}
    for key, texts in sorted(catalog.items()):
        here = f"message {key}"
        glued = glued_to_fields(texts["ko"])
        glued += [text for text in glued_particles(texts["ko"]) if not any(text.endswith(g) for g in glued)]
        problems = [("style.glued_particle", {"where": here, "text": text}) for text in glued]
        for lang in LANGS:
            problems += [("style.nested_parentheses", {"where": here, "text": text})
                         for text in nested_parentheses(prose_text(re.sub(r"\{[^{}]*\}", "X", texts[lang])))]
        if problems:
            found[key] = problems
    return found
