"""Holding the Korean text to the course glossary (course/glossary.yml), phrase by phrase.

For each Korean text and its English partner (a prose cell and the next one, a message's
two languages, a label shown in each language): where the English uses a glossary term,
the Korean must use that term's one Korean rendering, and no Korean text may use a variant
the glossary refuses. Phrases, not words: the longest English phrase is matched first and
takes its words with it ("gradient descent" needs 경사 하강법, and its "gradient" then
asks nothing more); a refused variant that sits inside an accepted term (e.g. 경사 in
경사 하강법) is not a mistake. The glossary's spellings (1×1, TensorFlow) hold in both
languages. The Korean comments and strings of code cells are held to the refused variants
too: a student reads them as much as the prose.
"""

import io
import re
import tokenize
from pathlib import Path

from resnet_course.utils.messages import register

from .source_checks import HANGUL, LANGS, prose_text, where

register({
    "glossary.missing": {
        "ko": "{where}: 영어 쪽에 \"{en}\" 용어가 있으니 한국어 쪽에도 용어집의 \"{ko}\" 표기를 쓰세요.",
        "en": "{where}: the English says \"{en}\", so the Korean must say \"{ko}\".",
    },
    "glossary.wrong": {
        "ko": "{where}: \"{wrong}\" 표현 대신 용어집의 \"{ko}\" 표현을 쓰세요 ({en}).",
        "en": "{where}: use the glossary's \"{ko}\" instead of \"{wrong}\" ({en}).",
    },
    "glossary.spelling": {
        "ko": "{where}: \"{found}\" 표기 대신 \"{right}\"처럼 쓰세요 (용어집의 표기 규칙: {name}).",
        "en": "{where}: write \"{right}\", not \"{found}\" (the glossary: {name}).",
    },
})

_FIELD = re.compile(r"\{[^{}]*\}")


def load_glossary(path):
    """The glossary's entries, longest English phrase first."""
    terms = [{"en": str(t["en"]), "ko": str(t["ko"]), "wrong": [str(w) for w in t.get("wrong", [])],
              "gloss": bool(t.get("gloss", True)),
              "pattern": re.compile(t["en_pattern"], re.I) if "en_pattern" in t else english_pattern(str(t["en"]))}
             for t in _read(path)["terms"]]
    return sorted(terms, key=lambda t: -len(t["en"]))


def load_spellings(path):
    """The glossary's spelling rules: [{name, right, wrong: [compiled patterns]}]."""
    return [{"name": str(s["name"]), "right": str(s["right"]), "wrong": [re.compile(w) for w in s["wrong"]]}
            for s in _read(path).get("spellings", [])]


def _read(path):
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


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
        pattern = term.get("pattern") or english_pattern(term["en"])
        if pattern.search(remaining):
            used.append(term)
            remaining = pattern.sub(" ", remaining)
    return used


def accepted_spans(korean, glossary):
    """Where the text uses an accepted Korean term: [(start, end, term)]."""
    spans = []
    for term in glossary:
        for match in re.finditer(re.escape(term["ko"]), korean):
            spans.append((*match.span(), term))
    return spans


def wrong_variants_used(korean, glossary):
    """[(term, wrong variant)] in a Korean text, ignoring variants inside an accepted term."""
    text = prose_text(korean)
    spans = accepted_spans(text, glossary)
    found = []
    for term in glossary:
        for wrong in term["wrong"]:
            for match in re.finditer(re.escape(wrong), text):
                start, end = match.span()
                if not any(s <= start and end <= e for s, e, _ in spans):
                    found.append((term, wrong))
                    break
    return found


def spellings_broken(text, spellings):
    """[(rule, what was found)] for the spelling rules a text breaks (code and math are not text)."""
    prose = prose_text(text)
    return [(rule, match.group(0)) for rule in spellings for pattern in rule["wrong"]
            for match in pattern.finditer(prose)]


def check_pair(korean, english, here, glossary, spellings=()):
    """Problems `(key, values)` of one Korean text and its English partner (None: no partner)."""
    problems = []
    if english is not None:
        korean_prose = prose_text(korean)
        for term in english_terms_used(english, glossary):
            if term["ko"] not in korean_prose:
                problems.append(("glossary.missing", {"where": here, "en": term["en"], "ko": term["ko"]}))
    for term, wrong in wrong_variants_used(korean, glossary):
        problems.append(("glossary.wrong", {"where": here, "wrong": wrong, "ko": term["ko"], "en": term["en"]}))
    for text in (korean, english or ""):
        problems += _spelling_problems(text, here, spellings)
    return problems


def korean_in_code(source):
    """The comments and string literals of a code cell that hold Hangul (what a student reads)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [line for line in source.splitlines() if HANGUL.search(line)]
    return [tok.string for tok in tokens
            if tok.type in (tokenize.COMMENT, tokenize.STRING) and HANGUL.search(tok.string)]


def _spelling_problems(text, here, spellings):
    return [("glossary.spelling", {"where": here, "found": found, "name": rule["name"], "right": rule["right"]})
            for rule, found in spellings_broken(text, spellings)]


def check_glossary(nb, path, glossary, spellings=()):
    """Problems `(key, values)` in a source's cells, as the glossary sees them.

    Korean prose cells against their English partners; the spellings in prose cells of both
    languages; the refused variants in the Korean comments and strings of code cells.
    """
    problems = []
    cells = nb.cells
    for index, cell in enumerate(cells):
        here = where(path, index, cell)
        if cell.cell_type == "code":
            for piece in korean_in_code(cell.source):
                problems += check_pair(piece, None, here, glossary)
            continue
        if cell.cell_type != "markdown":
            continue
        problems += _spelling_problems(cell.source, here, spellings)
        if cell.metadata.get("lang") != LANGS[0]:
            continue
        partner = cells[index + 1] if index + 1 < len(cells) else None
        english = None
        if partner is not None and partner.cell_type == "markdown" and partner.metadata.get("lang") == "en":
            english = partner.source
        problems += check_pair(cell.source, english, here, glossary)
    return _unique(problems)


def message_prose(template):
    """A message template as prose: its `{fields}` are values, not words."""
    return _FIELD.sub(" ", template)


def check_messages(catalog, glossary, spellings=()):
    """{key: problems} for the messages whose Korean and English break the glossary."""
    found = {}
    for key, texts in sorted(catalog.items()):
        problems = check_pair(message_prose(texts["ko"]), message_prose(texts["en"]), f"message {key}",
                              glossary, spellings)
        if problems:
            found[key] = _unique(problems)
    return found


def _unique(problems):
    seen, kept = set(), []
    for key, values in problems:
        marker = (key, tuple(sorted(values.items())))
        if marker not in seen:
            seen.add(marker)
            kept.append((key, values))
    return kept
