"""The report's texts in Korean and English, from the catalog, for what grading stored.

Two kinds of stored text are read back here:

- the judge's problems (`verdicts.json`: `[message key, values]`), rendered again from the
  message catalog in each language. The values were stored as strings, some of them texts
  already rendered in both languages ("추론 모드…\\ninference-mode"): each language gets its half.
- the reasons a student was not graded as normal (`result.json`: `reason`, per notebook and
  for the submission). Only their text was stored, in the language of the grading run, so
  each is matched against the catalog texts that grading writes them from, which gives its
  kind (kernel died, time limit, …) and its values, and so its text in the other language.
  A reason no template matches is shown as it was stored.
"""

import ast
import importlib
import re
from functools import lru_cache
from string import Formatter

from resnet_course.utils.messages import catalog, register, text

register({
    "report.kind.kernel_died": {"ko": "커널이 죽음", "en": "kernel died"},
    "report.kind.time_limit": {"ko": "시간 한도 초과", "en": "time limit"},
    "report.kind.memory_limit": {"ko": "메모리 한도 초과", "en": "memory limit"},
    "report.kind.missing_notebook": {"ko": "노트북이 없음", "en": "missing notebook"},
    "report.kind.renamed_notebook": {"ko": "노트북 이름이 바뀜", "en": "renamed notebook"},
    "report.kind.invalid_file": {"ko": "읽을 수 없는 파일", "en": "invalid file"},
    "report.kind.not_utf8": {"ko": "UTF-8이 아닌 바이트", "en": "bytes that are not UTF-8"},
    "report.kind.grader_failed": {"ko": "채점 도구의 오류", "en": "the grader failed"},
    "report.kind.grader_stopped": {"ko": "채점 작업자를 거듭 멈추게 함", "en": "stopped its grader again and again"},
    "report.kind.note": {"ko": "채점 중 알게 된 점", "en": "note from grading"},
    "report.kind.other": {"ko": "그 밖의 이유", "en": "other reason"},
})

# kind: the catalog keys whose text grading stores as a reason of that kind.
REASON_KINDS = {
    "kernel_died": ("sandbox.death.exit", "sandbox.death.signal", "sandbox.death.unresponsive",
                    "sandbox.death.startup"),
    "time_limit": ("sandbox.death.wall_clock",),
    "memory_limit": ("sandbox.death.memory",),
    "missing_notebook": ("intake.missing",),
    "renamed_notebook": ("intake.renamed",),
    "invalid_file": ("grade.unreadable",),
    "not_utf8": ("grade.not_utf8",),
    "grader_failed": ("grade.nbgrader_failed", "cluster.task_failed", "sandbox.death.grader"),
    "grader_stopped": ("grade.grader_stopped",),
    "note": ("intake.bad_timestamp", "intake.unexpected"),
}
# The modules that register those keys. guarded_execute (sandbox.death.startup and .grader)
# is left out on purpose: it imports nbgrader, 3 s here; its two reasons show as stored.
_REASON_MODULES = ("resnet_course.autograder.grading.submissions", "resnet_course.autograder.grading.student",
                   "resnet_course.autograder.grading.retries", "resnet_course.autograder.grading.cluster_client",
                   "resnet_course.autograder.grading.sandbox")
_HANGUL = re.compile("[가-힣]")


def load_judge_messages():
    """Import every comparator module (and so the diagnosis modules), whose keys the judge stores.

    None of them imports TensorFlow at import time; the table is the worker's own.
    """
    from ..judge import worker

    for spec in worker._load_comparators().values():
        module = spec.split(":")[0]
        importlib.import_module(module if "." in module else f"resnet_course.autograder.judge.{module}")


def languages_of(value):
    """(Korean, English) of a stored value: the halves of a "ko\\nen" text, else the value twice."""
    if isinstance(value, str) and "\n" in value:
        lines = value.split("\n")
        if len(lines) % 2 == 0:
            ko, en = "\n".join(lines[: len(lines) // 2]), "\n".join(lines[len(lines) // 2:])
            if _HANGUL.search(ko) and not _HANGUL.search(en):
                return ko, en
    return value, value


def _as_number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() and "." not in str(value) else number


def _format(key, lang, values):
    try:
        return text(key, in_language=lang, **values)
    except (ValueError, TypeError, IndexError):
        # A format such as {diff:.3g} meets the string the judge stored: give it its number.
        return text(key, in_language=lang, **{name: _as_number(v) for name, v in values.items()})


_rendered = {}


def render_problem(key, values):
    """(Korean, English) of one stored problem, or None when the catalog cannot render it."""
    if not isinstance(key, str) or not isinstance(values, dict):
        return None
    frozen = (key, tuple(sorted((str(k), str(v)) for k, v in values.items())))
    if frozen not in _rendered:
        if not _rendered:
            load_judge_messages()
        values = dict(frozen[1])
        try:
            _rendered[frozen] = (_format(key, "ko", {name: languages_of(v)[0] for name, v in values.items()}),
                                 _format(key, "en", {name: languages_of(v)[1] for name, v in values.items()}))
        except (KeyError, ValueError, TypeError, IndexError):
            # Not in this catalog, or values it cannot take: the stored message stands.
            _rendered[frozen] = None
    return _rendered[frozen]


# -- reasons ------------------------------------------------------------------------------

def _pattern(template):
    """A regular expression matching what `template.format(...)` produced; fields become groups."""
    parts, seen, literal_fields = [], set(), set()
    for literal, name, _spec, conversion in Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is None:
            continue
        if not name.isidentifier():
            parts.append("(?:.*?)")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>.*?)")
            if conversion == "r":
                literal_fields.add(name)
    return "".join(parts), literal_fields


@lru_cache(maxsize=1)
def _reason_patterns():
    """[(kind, key, compiled pattern for 'both', for ko, for en, fields written with !r)]."""
    for module in _REASON_MODULES:
        importlib.import_module(module)
    known = catalog()
    patterns = []
    for kind, keys in REASON_KINDS.items():
        for key in keys:
            if key not in known:
                continue
            ko, ko_literal = _pattern(known[key]["ko"])
            en, en_literal = _pattern(known[key]["en"])
            # In the 'both' form the fields of the English half repeat the Korean half's.
            named = set(re.findall(r"\(\?P<(\w+)>", ko))
            en_repeat = re.sub(r"\(\?P<(\w+)>\.\*\?\)",
                               lambda m: f"(?P={m.group(1)})" if m.group(1) in named else "(?:.*?)", en)
            patterns.append((kind, key, re.compile(f"{ko}\n{en_repeat}", re.S), re.compile(ko, re.S),
                             re.compile(en, re.S), ko_literal | en_literal))
    return patterns


def _values_of(match, literal_fields):
    values = match.groupdict()
    for name in literal_fields & set(values):
        try:
            values[name] = ast.literal_eval(values[name])
        except (ValueError, SyntaxError):
            pass
    return values


def classify_reason(stored):
    """(kind, key, values) for one stored reason text; ('other', None, {}) when nothing matches."""
    for kind, key, both, ko, en, literal_fields in _reason_patterns():
        for pattern in (both, ko, en):
            match = pattern.fullmatch(stored)
            if match:
                return kind, key, _values_of(match, literal_fields)
    return "other", None, {}


def reason_entry(stored, notebook=None):
    """One reason as the report shows it: its kind, and its text in both languages."""
    stored = stored.strip()
    kind, key, values = classify_reason(stored)
    texts = None
    if key:
        try:
            texts = (text(key, in_language="ko", **values), text(key, in_language="en", **values))
        except (KeyError, ValueError, IndexError):
            texts = None
    ko, en = texts or languages_of(stored)
    return {"notebook": notebook, "kind": kind, "key": key, "ko": ko, "en": en, "stored": stored}


def _split_notes(notes):
    """The notes grading put before the notebooks' reasons, one entry each.

    A note in the 'both' language takes two lines (Korean, then English): a pair of lines that
    one template matches is one note; any other line is a note of its own.
    """
    lines = [line for line in notes.split("\n") if line.strip()]
    found, index = [], 0
    while index < len(lines):
        if index + 1 < len(lines):
            pair = lines[index] + "\n" + lines[index + 1]
            if classify_reason(pair)[1]:
                found.append(pair)
                index += 2
                continue
        found.append(lines[index])
        index += 1
    return found


def reason_entries(result):
    """Why a student was not graded as normal: one entry per notebook reason and per note."""
    entries, notebook_lines = [], []
    for notebook, outcome in result.get("notebooks", {}).items():
        reason = outcome.get("reason") if isinstance(outcome, dict) else None
        if reason:
            entries.append(reason_entry(str(reason), notebook))
            notebook_lines.append(f"{notebook}: {reason}")
    notes = str(result.get("reason") or "")
    for line in notebook_lines:
        notes = notes.replace(line, "")
    # Intake notes a missing notebook once for the submission and again as that notebook's reason.
    said = {entry["stored"] for entry in entries}
    notes = [reason_entry(note) for note in _split_notes(notes) if note.strip() not in said]
    entries = notes + entries
    if not entries and result.get("status") not in (None, "graded"):
        entries.append(reason_entry(f"status: {result.get('status')}"))
    return entries
