"""What a notebook source must satisfy before it is built: the authoring contracts as code.

`resnet-course build` refuses a source that breaks any of these, and the tests hold the
committed sources and student copies to them. Each check returns a list of problems,
`(catalog key, values)`, so a message can name the file, the cell and the fix; an empty
list means the source is fine. The contracts themselves are described in
course/AUTHORING.md.
"""

import ast
import re

from resnet_course.utils.messages import Phrase, register

LANGS = ("ko", "en")
KEPT_CELL_METADATA = ("lang", "nbgrader", "tags")
GRADED_FUNCTION = re.compile(r"^# GRADED FUNCTION: ([A-Za-z_][A-Za-z0-9_]*)\s*$")
GRADE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")

# The markers nbgrader cuts on. None of them may reach a student.
SECRET_MARKERS = (
    "BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
    "BEGIN MARK SCHEME", "END MARK SCHEME",
)

register({
    "source.header": {
        "ko": "{path}: 파일 첫머리에 jupytext 헤더(`format_name: myst` 항목과 `kernelspec`)가 없습니다. 헤더가 없으면 코드 셀, nbgrader "
              "메타데이터, 커널 정보를 제대로 읽거나 저장할 수 없습니다. course/AUTHORING.md의 헤더를 복사해 넣으세요.",
        "en": "{path}: the jupytext header (`format_name: myst` and `kernelspec`) is missing. Without it code "
              "cells, nbgrader metadata and the kernel are not reliably read or saved. "
              "Copy the header from course/AUTHORING.md.",
    },
    "source.filter_drops": {
        "ko": "{path}: jupytext 설정 `cell_metadata_filter: {filter}` 항목이 셀 메타데이터 `{name}` 항목을 버립니다. "
              "`lang,nbgrader,tags,-all` 값으로 고치세요.",
        "en": "{path}: the jupytext setting `cell_metadata_filter: {filter}` drops the cell metadata `{name}`. "
              "Change it to `lang,nbgrader,tags,-all`.",
    },
    "source.answer_without_metadata": {
        "ko": "{where}: `# GRADED FUNCTION` 셀에 nbgrader 메타데이터(solution: true)가 없습니다.",
        "en": "{where}: the `# GRADED FUNCTION` cell has no nbgrader metadata (solution: true).",
    },
    "source.marker_without_metadata": {
        "ko": "{where}: `{marker}` 표시가 있는데 셀의 nbgrader 메타데이터가 {needed} 설정이 아닙니다. 메타데이터가 빠지면 답이나 숨겨진 테스트가 학생에게 "
              "그대로 나갑니다.",
        "en": "{where}: the cell holds `{marker}` but its nbgrader metadata is not {needed}. "
              "Without it the answer or the hidden tests would reach students as they are.",
    },
    "source.no_lang": {
        "ko": "{where}: 설명 셀에 언어 태그가 없습니다. 셀 위에 `+++ {{\"lang\": \"ko\"}}` 또는 `+++ {{\"lang\": \"en\"}}` 줄을 붙이세요.",
        "en": "{where}: a prose cell has no language tag. Put `+++ {{\"lang\": \"ko\"}}` or "
              "`+++ {{\"lang\": \"en\"}}` above it.",
    },
    "source.unpaired": {
        "ko": "{where}: `{lang}` 설명 셀에 짝이 없습니다. 한국어 셀 바로 다음에 같은 내용의 영어 셀이 와야 합니다.",
        "en": "{where}: the `{lang}` prose cell has no partner. Each Korean cell is followed directly by "
              "its English partner.",
    },
    "source.partner_mismatch": {
        "ko": "{where}: 한국어 셀과 영어 짝 셀의 {what} 항목이 다릅니다 (한국어 {ko}, 영어 {en}).",
        "en": "{where}: the Korean cell and its English partner differ in {what} (Korean {ko}, English {en}).",
    },
    "source.wrong_script": {
        "ko": "{where}: `{lang}` 셀인데 {problem}",
        "en": "{where}: a `{lang}` cell, but {problem}",
    },
    "source.no_hangul": {"ko": "한글이 없습니다.", "en": "it holds no Hangul."},
    "source.hangul": {"ko": "한글이 들어 있습니다.", "en": "it holds Hangul."},
    "source.answer_header": {
        "ko": "{where}: 답 셀(solution)은 `# GRADED FUNCTION: <함수 이름>` 줄로 시작해야 합니다.",
        "en": "{where}: an answer (solution) cell must start with the line `# GRADED FUNCTION: <name>`.",
    },
    "source.answer_one_function": {
        "ko": "{where}: `# GRADED FUNCTION: {name}` 셀에는 `{name}` 함수 하나만 있어야 합니다 (지금: {found}).",
        "en": "{where}: the `# GRADED FUNCTION: {name}` cell must hold the one function `{name}` (found: {found}).",
    },
    "source.answer_grade_id": {
        "ko": "{where}: 답 셀의 grade id `{grade_id}` 값은 함수 이름 `{name}` 값과 같아야 합니다.",
        "en": "{where}: the answer cell's grade id `{grade_id}` must equal the function name `{name}`.",
    },
    "source.solution_and_grade": {
        "ko": "{where}: 셀이 solution이면서 grade입니다. nbgrader는 이런 셀을 손으로 채점하는 답으로 봅니다. "
              "답 셀은 solution만, 점수는 잠긴 테스트 셀에 두세요.",
        "en": "{where}: the cell is both solution and grade; nbgrader treats it as a manually graded answer. "
              "Answer cells are solution only; points live on locked test cells.",
    },
    "source.test_docstring": {
        "ko": "{where}: grade id가 `{grade_id}`인 채점 테스트 셀은 무엇을 확인하는지 한국어와 영어로 쓴 docstring으로 시작해야 합니다.",
        "en": "{where}: the graded test cell `{grade_id}` must open with a docstring, in Korean and English, "
              "saying what it checks.",
    },
    "source.test_grade_id": {
        "ko": "{where}: 채점 테스트 셀의 grade id `{grade_id}` 값이 이 노트북의 채점 함수 이름({names}) 뒤에 `_<무엇>` 꼬리를 붙인 형태가 "
              "아닙니다.",
        "en": "{where}: the graded test cell's grade id `{grade_id}` is not a graded function's name "
              "({names}) followed by `_<aspect>`.",
    },
    "source.test_metadata": {
        "ko": "{where}: grade id가 `{grade_id}`인 채점 테스트 셀은 잠겨 있고(locked: true) 점수(points)가 0보다 커야 합니다.",
        "en": "{where}: the graded test cell `{grade_id}` must be locked (locked: true) with points above 0.",
    },
    "source.untested_function": {
        "ko": "{path}: `{name}` 함수를 채점하는 테스트 셀(grade id `{name}_…`)이 없습니다.",
        "en": "{path}: no graded test cell (grade id `{name}_…`) grades the function `{name}`.",
    },
    "source.duplicate_grade_id": {
        "ko": "{where}: grade id `{grade_id}` 값이 두 번 쓰였습니다.",
        "en": "{where}: the grade id `{grade_id}` is used twice.",
    },
    "source.bad_grade_id": {
        "ko": "{where}: grade id `{grade_id}`에는 영문자, 숫자, 밑줄만 쓸 수 있습니다.",
        "en": "{where}: the grade id `{grade_id}` may hold only letters, digits and underscores.",
    },
    "source.syntax": {
        "ko": "{where}: 파이썬 문법 오류: {error}",
        "en": "{where}: Python syntax error: {error}",
    },
})


def where(path, index, cell=None):
    """`file, cell N (first line)`: enough for an author to find the cell."""
    first = ""
    if cell is not None:
        first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
        if len(first) > 50:
            first = first[:47] + "..."
    return f"{path}, cell {index + 1}" + (f" ({first})" if first else "")


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {}) or {}


def is_prose(cell):
    return cell.cell_type == "markdown"


# ---------------------------------------------------------------------------------------
# jupytext: the header and the metadata filter
# ---------------------------------------------------------------------------------------

def check_header(nb, path, raw_text=None):
    """The source opens with a MyST header, and its metadata filter keeps lang, nbgrader and tags.

    jupytext 1.19 guesses MyST for a headerless file that holds `{code-cell}` blocks, but
    then sets `notebook_metadata_filter: -all` (the kernel spec is lost on the next save),
    and a file without `{code-cell}` blocks would be read as plain markdown: every code
    cell and its nbgrader metadata gone. So the header is required, not guessed.
    """
    from jupytext.cell_metadata import _IGNORE_CELL_METADATA
    from jupytext.metadata_filter import filter_metadata

    info = nb.metadata.get("jupytext", {})
    has_header = raw_text is None or raw_text.lstrip("\ufeff").startswith("---\n")
    if not has_header or info.get("text_representation", {}).get("format_name") != "myst" \
            or "kernelspec" not in nb.metadata:
        return [("source.header", {"path": path})]
    user_filter = info.get("cell_metadata_filter")
    if user_filter is None:
        return []  # jupytext's MyST default keeps every cell metadata key we use
    probe = {key: "x" for key in KEPT_CELL_METADATA}
    kept = filter_metadata(probe, user_filter, _IGNORE_CELL_METADATA)
    return [("source.filter_drops", {"path": path, "filter": user_filter, "name": key})
            for key in KEPT_CELL_METADATA if key not in kept]


def check_metadata_present(nb, path):
    """Cells whose text says "answer" or "hidden test" carry the nbgrader metadata that hides them."""
    problems = []
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        here = where(path, index, cell)
        if cell.cell_type == "code" and GRADED_FUNCTION.match(cell.source.split("\n", 1)[0]):
            if not meta.get("solution"):
                problems.append(("source.answer_without_metadata", {"where": here}))
                continue
        if "BEGIN SOLUTION" in cell.source and not meta.get("solution"):
            problems.append(("source.marker_without_metadata",
                             {"where": here, "marker": "### BEGIN SOLUTION", "needed": "solution: true"}))
        if "BEGIN HIDDEN TESTS" in cell.source and not meta.get("grade"):
            problems.append(("source.marker_without_metadata",
                             {"where": here, "marker": "### BEGIN HIDDEN TESTS", "needed": "grade: true"}))
    return problems


# ---------------------------------------------------------------------------------------
# Two languages: tags and pairs
# ---------------------------------------------------------------------------------------

_CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`|!\[|\$\$.*?\$\$|\$[^$\n]*\$|\]\([^)]*\)|<[^>]+>", re.S)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")
_HEADING = re.compile(r"^(#{1,6})\s", re.M)


def prose_text(source):
    """The words of a markdown cell: code, math, link targets and HTML tags removed. Image alt
    texts stay: each cell's alt text is in its own language, like the rest of its prose."""
    return _CODE_SPAN.sub(" ", source)


def _shape(source):
    return {
        "headings": [len(h) for h in _HEADING.findall(prose_text(source))],
        "images": _IMAGE.findall(source),
    }


def check_pairs(nb, path):
    """Every prose cell has a language tag, and each Korean cell is followed by its English partner."""
    problems = []
    cells = nb.cells
    index = 0
    while index < len(cells):
        cell = cells[index]
        if not is_prose(cell):
            index += 1
            continue
        lang = cell.metadata.get("lang")
        here = where(path, index, cell)
        if lang not in LANGS:
            problems.append(("source.no_lang", {"where": here}))
            index += 1
            continue
        partner = cells[index + 1] if index + 1 < len(cells) else None
        if lang == "en" or partner is None or not is_prose(partner) or partner.metadata.get("lang") != "en":
            problems.append(("source.unpaired", {"where": here, "lang": lang}))
            index += 1
            continue
        problems.extend(_check_partner(cell, partner, here, where(path, index + 1, partner)))
        index += 2
    return problems


def _check_partner(ko_cell, en_cell, here, here_en):
    problems = []
    ko_shape, en_shape = _shape(ko_cell.source), _shape(en_cell.source)
    if ko_shape["headings"] != en_shape["headings"]:
        problems.append(("source.partner_mismatch", {
            "where": here, "what": "headings", "ko": ko_shape["headings"], "en": en_shape["headings"]}))
    if ko_shape["images"] != en_shape["images"]:
        problems.append(("source.partner_mismatch", {
            "where": here, "what": "images", "ko": ko_shape["images"], "en": en_shape["images"]}))
    if not HANGUL.search(prose_text(ko_cell.source)):
        problems.append(("source.wrong_script", {
            "where": here, "lang": "ko", "problem": Phrase("source.no_hangul")}))
    if HANGUL.search(prose_text(en_cell.source)):
        problems.append(("source.wrong_script", {
            "where": here_en, "lang": "en", "problem": Phrase("source.hangul")}))
    return problems


# ---------------------------------------------------------------------------------------
# Cell conventions: answer cells and graded test cells
# ---------------------------------------------------------------------------------------

def graded_function_names(nb):
    names = []
    for cell in nb.cells:
        match = GRADED_FUNCTION.match(cell.source.split("\n", 1)[0]) if cell.cell_type == "code" else None
        if match:
            names.append(match.group(1))
    return names


def _parse(cell, here, problems):
    try:
        return ast.parse(cell.source)
    except SyntaxError as error:
        problems.append(("source.syntax", {"where": here, "error": f"{error.msg} (line {error.lineno})"}))
        return None


def check_conventions(nb, path):
    """Answer cells hold one `# GRADED FUNCTION`; test cells open with a bilingual docstring; grade ids."""
    problems = []
    names = graded_function_names(nb)
    seen_ids = set()
    tested = set()
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta:
            continue
        here = where(path, index, cell)
        grade_id = str(meta.get("grade_id", ""))
        if not GRADE_ID.match(grade_id):
            problems.append(("source.bad_grade_id", {"where": here, "grade_id": grade_id}))
        if grade_id in seen_ids:
            problems.append(("source.duplicate_grade_id", {"where": here, "grade_id": grade_id}))
        seen_ids.add(grade_id)
        if meta.get("solution") and meta.get("grade"):
            problems.append(("source.solution_and_grade", {"where": here}))
            continue
        if meta.get("solution"):
            problems.extend(_check_answer_cell(cell, here, grade_id))
        elif meta.get("grade"):
            owner = next((name for name in names if grade_id.startswith(name + "_")), None)
            if owner is None:
                problems.append(("source.test_grade_id", {
                    "where": here, "grade_id": grade_id, "names": ", ".join(names) or "-"}))
            else:
                tested.add(owner)
            if not meta.get("locked") or not (meta.get("points") or 0) > 0:
                problems.append(("source.test_metadata", {"where": here, "grade_id": grade_id}))
            tree = _parse(cell, here, problems)
            if tree is not None and not _has_bilingual_docstring(tree):
                problems.append(("source.test_docstring", {"where": here, "grade_id": grade_id}))
    for name in names:
        if name not in tested:
            problems.append(("source.untested_function", {"path": path, "name": name}))
    return problems


def _check_answer_cell(cell, here, grade_id):
    match = GRADED_FUNCTION.match(cell.source.split("\n", 1)[0])
    if not match:
        return [("source.answer_header", {"where": here})]
    name = match.group(1)
    problems = []
    if grade_id != name:
        problems.append(("source.answer_grade_id", {"where": here, "grade_id": grade_id, "name": name}))
    tree = _parse(cell, here, problems)
    if tree is None:
        return problems
    functions = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    others = [type(node).__name__ for node in tree.body
              if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Import, ast.ImportFrom))]
    if functions != [name] or others:
        found = ", ".join([f"def {f}" for f in functions] + others) or "-"
        problems.append(("source.answer_one_function", {"where": here, "name": name, "found": found}))
    return problems


def _has_bilingual_docstring(tree):
    if not tree.body:
        return False
    first = tree.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        return False
    doc = first.value.value
    return bool(HANGUL.search(doc)) and bool(LATIN_WORD.search(HANGUL.sub(" ", doc)))


def check_source(nb, path, raw_text=None):
    """Every structural contract of one source; the glossary is checked by tests/test_glossary.py."""
    problems = check_header(nb, path, raw_text)
    if problems:
        return problems
    return check_metadata_present(nb, path) + check_pairs(nb, path) + check_conventions(nb, path)


# ---------------------------------------------------------------------------------------
# Leaks: what must never reach a student
# ---------------------------------------------------------------------------------------

_REGION = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END \1", re.S)
_IMPORT = re.compile(r"^(import\s|from\s+\S+\s+import\s)")
# `keras.layers.Dense(` and `layers.Dense(` are the same line of a solution.
_QUALIFIER = re.compile(r"\b(?:[A-Za-z_][A-Za-z0-9_]*\.)+(?=[A-Z][A-Za-z0-9_]*\()")
_TRAILING_COMMENT = re.compile(r"\s+#\s[^\"']*$")
MIN_SECRET_LINE = 16


def normalise_line(line):
    """A code line compared by meaning: spaces folded, module prefixes of classes and trailing comments dropped."""
    line = _TRAILING_COMMENT.sub("", " ".join(line.split()))
    return _QUALIFIER.sub("", line)


def secret_lines(notebooks):
    """Distinctive lines of the solutions and hidden tests of the given source notebooks.

    A line counts when it is long enough to be specific (MIN_SECRET_LINE characters once
    normalised), is not an import, and appears nowhere (not even inside a longer line)
    outside those regions in any source: what the student's skeleton shows is no secret.
    """
    inside, public = set(), []
    for nb in notebooks:
        for cell in nb.cells:
            source = cell.source
            for match in _REGION.finditer(source):
                inside.update(normalise_line(line) for line in match.group(2).splitlines())
            public.extend(normalise_line(line) for line in _REGION.sub("\n", source).splitlines())
    public_text = "\n".join(public)
    return sorted(line for line in inside
                  if len(line) >= MIN_SECRET_LINE and not _IMPORT.match(line) and line not in public_text)


# In the package's own code a secret line this long is a leak on its own: a whole Conv2D or
# BatchNormalization call of a solution is no coincidence, where `ax.legend()` may be.
ALONE_IN_CODE = 40


def find_package_leaks(text_by_name, secrets):
    """`find_leaks` for the package's own code: a long secret line alone, or two short ones together."""
    return find_leaks(text_by_name, secrets, markers=False, min_run=2, alone=ALONE_IN_CODE)


def find_leaks(text_by_name, secrets, markers=True, min_run=1, window=6, alone=None):
    """[(name, what)] for the secret lines (and nbgrader markers, unless markers=False) in the texts.

    Lines are compared whole, after `normalise_line`. With `min_run=1` (student notebooks,
    where every public line is already excluded from the secrets) one line is a leak. The
    package's own code (`markers=False, min_run=2`) may share a stray line with a solution
    (`ax.legend()`), so there a leak is two secret lines within `window` lines of each other:
    a piece of a solution, not a coincidence; a line of `alone` characters or more is a leak
    by itself. The package may name the markers (this module does), so they are not searched
    for there.
    """
    secret_set = set(secrets)
    found = []
    for name, text in text_by_name.items():
        for marker in SECRET_MARKERS if markers else ():
            if marker in text:
                found.append((name, marker))
        lines = [normalise_line(line) for line in text.splitlines()]
        lines = [line for line in lines if line]
        hits = [i for i, line in enumerate(lines) if line in secret_set]
        for position, index in enumerate(hits):
            if min_run <= 1 or (alone is not None and len(lines[index]) >= alone):
                found.append((name, lines[index]))
                continue
            run = [j for j in hits[position:] if j - index < window]
            if len(run) >= min_run:
                found.append((name, " ⏎ ".join(lines[j] for j in run)))
                break
    return found


def notebook_text(nb):
    """Everything a student could read in a notebook: cell sources and text outputs."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(str(output.get("text", "")))
            for value in output.get("data", {}).values():
                parts.append(value if isinstance(value, str) else str(value))
    return "\n".join(parts)
