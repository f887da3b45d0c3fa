"""Holding the Korean text to the course glossary (course/glossary.yml), phrase by phrase.

For each Korean prose cell and its English partner: where the English uses a glossary
term, the Korean must use that term's one Korean rendering, and no Korean cell may use a
variant the glossary refuses. Phrases, not words: the longest English phrase is matched
first and takes its words with it ("gradient descent" needs 경사 하강법, and its
"gradient" then asks nothing more); a refused variant that sits inside an accepted term
(e.g. 경사 in 경사 하강법) is not a mistake.
"""

import re
from pathlib import Path

from resnet_course.utils.messages import register

from .source_checks import LANGS, prose_text, where

register({
    "glossary.missing": {
        "ko": "{where}: 영어 짝 셀에 \"{en}\"이(가) 있으니 한국어 셀에는 \"{ko}\"를 써야 합니다.",
        "en": "{where}: the English partner says \"{en}\", so the Korean cell must say \"{ko}\".",
    },
    "glossary.wrong": {
        "ko": "{where}: \"{wrong}\" 대신 용어집의 \"{ko}\"를 쓰세요 ({en}).",
        "en": "{where}: use the glossary's \"{ko}\" instead of \"{wrong}\" ({en}).",
    },
})


def load_glossary(path):
    """The glossary's entries, longest English phrase first."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    terms = [{"en": str(t["en"]), "ko": str(t["ko"]), "wrong": [str(w) for w in t.get("wrong", [])]}
             for t in data["terms"]]
    return sorted(terms, key=lambda t: -len(t["en"]))


def english_pattern(phrase):
    """Whole words, case ignored, space or hyphen between words, a plural on the last word."""
    words = re.split(r"[\s-]+", phrase.strip())
    last = words[-1]
    if last.endswith("y") and len(last) > 2:
        tail = re.escape(last[:-1]) + r"(?:y|ies)"
    else:
        tail = re.escape(last) + r"(?:s|es)?"
    body = r"[\s-]*".join([re.escape(w) for w in words[:-1]] + [tail])
    # Upper-case abbreviations (ReLU) are matched as written; words ignore case.
    flags = 0 if phrase.upper() == phrase or any(c.isupper() for c in phrase[1:]) else re.I
    return re.compile(r"(?<![A-Za-z0-9])" + body + r"(?![A-Za-z0-9])", flags)


def english_terms_used(english, glossary):
    """The entries whose English phrase the text uses, longer phrases taking their words first."""
    remaining = prose_text(english)
    used = []
    for term in glossary:
        pattern = english_pattern(term["en"])
        if pattern.search(remaining):
            used.append(term)
            remaining = pattern.sub(" ", remaining)
    return used


def _accepted_spans(korean, glossary):
    spans = []
    for term in glossary:
        for match in re.finditer(re.escape(term["ko"]), korean):
            spans.append(match.span())
    return spans


def wrong_variants_used(korean, glossary):
    """[(term, wrong variant)] in a Korean text, ignoring variants inside an accepted term."""
    text = prose_text(korean)
    spans = _accepted_spans(text, glossary)
    found = []
    for term in glossary:
        for wrong in term["wrong"]:
            for match in re.finditer(re.escape(wrong), text):
                start, end = match.span()
                if not any(s <= start and end <= e for s, e in spans):
                    found.append((term, wrong))
                    break
    return found


def check_glossary(nb, path, glossary):
    """Problems `(key, values)` in a source's Korean cells, as the glossary sees them."""
    problems = []
    cells = nb.cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown" or cell.metadata.get("lang") != LANGS[0]:
            continue
        here = where(path, index, cell)
        korean = prose_text(cell.source)
        partner = cells[index + 1] if index + 1 < len(cells) else None
        if partner is not None and partner.cell_type == "markdown" and partner.metadata.get("lang") == "en":
            for term in english_terms_used(partner.source, glossary):
                if term["ko"] not in korean:
                    problems.append(("glossary.missing", {"where": here, "en": term["en"], "ko": term["ko"]}))
        for term, wrong in wrong_variants_used(cell.source, glossary):
            problems.append(("glossary.wrong", {"where": here, "wrong": wrong, "ko": term["ko"], "en": term["en"]}))
    return problems
