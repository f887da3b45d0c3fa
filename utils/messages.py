"""The bilingual message catalog used by checks, widgets, plots and the command line.

Every message has a Korean and an English text. The language shown is `both` (default,
Korean first), `ko` or `en`, chosen by `set_language()` or the environment variable
`RESNET_COURSE_LANG`. Each module keeps its own messages next to the code that uses them
and adds them here with `register()`; a key registered twice with different text, or
missing a language, is an error, so the catalog cannot drift.
"""

import os

LANGUAGES = ("both", "ko", "en")
_ENV_VAR = "RESNET_COURSE_LANG"

_catalog = {}
_chosen = None  # set by set_language(); None means "ask the environment"


def register(messages):
    """Add {key: {"ko": ..., "en": ...}} entries to the catalog. Returns the dict."""
    for key, texts in messages.items():
        missing = [lang for lang in ("ko", "en") if not str(texts.get(lang, "")).strip()]
        if missing:
            raise ValueError(f"message {key!r} lacks {', '.join(missing)} text")
        if key in _catalog and _catalog[key] != texts:
            raise ValueError(f"message {key!r} registered twice with different text")
        _catalog[key] = dict(texts)
    return messages


def catalog():
    """A copy of every registered message (for tests and tools)."""
    return {key: dict(texts) for key, texts in _catalog.items()}


def set_language(lang):
    """Choose `both`, `ko` or `en` for everything the course prints from now on."""
    global _chosen
    if lang not in LANGUAGES:
        raise ValueError(text("lang.unknown", lang=lang, choices=", ".join(LANGUAGES)))
    _chosen = lang


def get_language():
    """The language in force: set_language(), else RESNET_COURSE_LANG, else `both`."""
    if _chosen is not None:
        return _chosen
    lang = os.environ.get(_ENV_VAR, "both").strip().lower()
    return lang if lang in LANGUAGES else "both"


class Phrase:
    """A message used as a field of another: rendered in the language of the sentence around it.

        text("intake.unsafe_member", name=name, why=Phrase("intake.why.symlink"))

    gives a Korean sentence with the Korean reason and an English one with the English reason,
    where a plain `text(...)` value would put both languages into each.
    """

    def __init__(self, key, **values):
        self.key = key
        self.values = values

    def render(self, lang):
        return text(self.key, in_language=lang, **self.values)

    def __str__(self):
        return text(self.key, **self.values)

    def __repr__(self):
        return f"Phrase({self.key!r}, **{self.values!r})"

    # Two problems that say the same thing are one problem (checks and judge say each once).
    def __eq__(self, other):
        return isinstance(other, Phrase) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self):
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.values.items()))))


class Rendered(Phrase):
    """A message rendered in each language where it was made, used as a field elsewhere.

    For a text that crosses a process boundary (a Dask worker's refusal, read by the grading
    process): `Rendered.texts_of(key, ...)` travels as a plain {"ko", "en"} dict, and the far side
    wraps it in `Rendered(texts)`; it need not have the same catalog (a worker of another
    version is exactly the one that refuses).
    """

    def __init__(self, texts):
        # No catalog key here: what says this message is its two texts (equality and hash too).
        self.key, self.values = None, {}
        self.texts = {lang: str(texts[lang]) for lang in ("ko", "en")}

    @staticmethod
    def texts_of(key, **values):
        return {lang: text(key, in_language=lang, **values) for lang in ("ko", "en")}

    def render(self, lang):
        return self.texts[lang]

    def __str__(self):
        lang = get_language()
        return f"{self.texts['ko']}\n{self.texts['en']}" if lang == "both" else self.texts[lang]

    def __repr__(self):
        return f"Rendered({self.texts!r})"

    def __eq__(self, other):
        return isinstance(other, Rendered) and self.texts == other.texts

    def __hash__(self):
        return hash((self.texts["ko"], self.texts["en"]))


def _fill(template, lang, values):
    return template.format(**{name: value.render(lang) if isinstance(value, Phrase) else value
                              for name, value in values.items()})


def text(key, in_language=None, **values):
    """The message `key` in the chosen language, with `{name}` fields filled from `values`.

    In `both`, the Korean text comes first and the English follows on its own line. A value
    that is a `Phrase` is rendered in the language of each line.
    """
    try:
        texts = _catalog[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalog") from None
    lang = in_language or get_language()
    if lang == "both":
        return f"{_fill(texts['ko'], 'ko', values)}\n{_fill(texts['en'], 'en', values)}"
    return _fill(texts[lang], lang, values)


def label(key, in_language=None, **values):
    """A short label (plot title, axis, widget): `both` joins the languages with ' / '."""
    lang = in_language or get_language()
    if lang == "both":
        texts = _catalog[key]
        return f"{_fill(texts['ko'], 'ko', values)} / {_fill(texts['en'], 'en', values)}"
    return text(key, in_language=lang, **values)


class CourseError(Exception):
    """An error whose message is a catalog entry: shown in Korean and English."""

    def __init__(self, key, **values):
        self.key = key
        self.values = values
        super().__init__(text(key, **values))


register({
    "lang.unknown": {
        "ko": "알 수 없는 언어 {lang!r}입니다. 다음 중 하나를 고르세요: {choices}",
        "en": "Unknown language {lang!r}. Choose one of: {choices}",
    },
})
