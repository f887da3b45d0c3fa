"""`resnet-course build`: bilingual sources → nbgrader source → release → student copies.

    course/notebooks/NN_name.md   (jupytext MyST; both languages, solutions, hidden tests)
      → course/source/<assignment>/NN_name.ipynb   language filter, images embedded,
                                                   deterministic cell ids, no jupytext metadata
      → nbgrader generate_assignment                 (course/nbgrader_config.py)
      → course/release/<assignment>/NN_name.ipynb
      → <out>/<assignment>/NN_name.ipynb             normalised, checked for leaks

The same sources always give byte-identical notebooks, so `assignments/` can be committed
and a test can tell when it is stale. The default variant (`both`) is built in the course
folder itself (and registered in the gradebook); `--lang ko|en` builds in a scratch copy
of the course, so course/source and the gradebook always hold what assignments/ holds.
"""

import base64
import hashlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

from resnet_course.utils.messages import CourseError, label, register, text

from . import diagrams, source_checks
from .sources import ASSIGNMENT, course_root

LANG_CHOICES = ("both", "ko", "en")
SOURCE_NAME = re.compile(r"^\d\d_[A-Za-z0-9_]+\.md$")
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# Images are referenced from a source as ../images/<file> (so a markdown preview of the
# source shows them too): in markdown `![alt](../images/x.svg)`, or in HTML `<img src="../images/x.svg">`.
_MD_IMAGE = re.compile(r"(!\[[^\]]*\]\()\.\./images/([A-Za-z0-9_.-]+)((?:\s+\"[^\"]*\")?\))")
_HTML_IMAGE = re.compile(r"(<img\b[^>]*?\bsrc=[\"'])\.\./images/([A-Za-z0-9_.-]+)([\"'])")
DEFAULT_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

register({
    "build.help": {
        "ko": "노트북 원본(course/notebooks/*.md)에서 학생용 노트북을 만듭니다",
        "en": "build the student notebooks from the sources in course/notebooks/*.md",
    },
    "build.help_lang": {
        "ko": "언어: both(한국어 다음 영어, 기본값), ko, en",
        "en": "language: both (Korean, then English; default), ko, en",
    },
    "build.help_assignment": {"ko": "과제 이름 (기본값: resnet)", "en": "assignment name (default: resnet)"},
    "build.help_out": {
        "ko": "학생용 과제 노트북을 둘 폴더 (기본값: both는 저장소의 assignments/, ko와 en은 dist/assignments-<언어>/)",
        "en": "folder for the student notebooks (default: the repository's assignments/ for both, "
              "dist/assignments-<lang>/ for ko and en)",
    },
    "build.help_check": {
        "ko": "아무것도 쓰지 않고, --out의 노트북이 원본에서 빌드한 결과와 같은지만 확인합니다",
        "en": "write nothing; only check that the notebooks in --out are what the sources build to",
    },
    "build.no_sources": {
        "ko": "{folder}에 노트북 원본(NN_이름.md)이 없습니다.",
        "en": "No notebook sources (NN_name.md) in {folder}.",
    },
    "build.source_problems": {
        "ko": "원본을 빌드할 수 없습니다. 다음을 고치세요:",
        "en": "The sources cannot be built. Fix the following:",
    },
    "build.image_missing": {
        "ko": "{where}: 그림 `../images/{name}` 파일이 {folder} 폴더에 없습니다.",
        "en": "{where}: the image `../images/{name}` is not in {folder}.",
    },
    "build.image_type": {
        "ko": "{where}: 그림 `{name}`의 형식을 지원하지 않습니다 (SVG, PNG, JPEG만).",
        "en": "{where}: the image `{name}` has an unsupported type (SVG, PNG and JPEG only).",
    },
    "build.nbgrader_failed": {
        "ko": "과제를 만드는 nbgrader generate_assignment 명령이 실패했습니다:\n{output}",
        "en": "nbgrader generate_assignment failed:\n{output}",
    },
    "build.release_missing": {
        "ko": "nbgrader가 {path} 경로에 파일을 만들지 않았습니다.",
        "en": "nbgrader did not write {path}.",
    },
    "build.leak": {
        "ko": "학생용 노트북 {name}에 답이나 숨겨진 테스트가 남아 있습니다: {what}",
        "en": "The student notebook {name} still holds an answer or a hidden test: {what}",
    },
    "build.wrote": {"ko": "만들었습니다: {path}", "en": "wrote: {path}"},
    "build.stale": {
        "ko": "{folder} 폴더의 학생용 노트북이 원본과 다릅니다: {names}.\n`resnet-course build` 명령을 실행하고, 바뀐 과제 폴더 assignments/를 "
              "커밋하세요.",
        "en": "The student notebooks in {folder} do not match the sources: {names}.\n"
              "Run `resnet-course build` and commit the updated assignments/.",
    },
    "build.up_to_date": {
        "ko": "{folder}의 학생용 노트북이 원본과 같습니다.",
        "en": "The student notebooks in {folder} match the sources.",
    },
})


# ---------------------------------------------------------------------------------------
# Reading and checking the sources
# ---------------------------------------------------------------------------------------

def source_files(course):
    folder = Path(course) / "notebooks"
    files = sorted(p for p in folder.glob("*.md") if SOURCE_NAME.match(p.name))
    if not files:
        raise CourseError("build.no_sources", folder=folder)
    return files


def read_source(path):
    """Read a source as jupytext sees it (the header decides the format: no fmt is forced)."""
    import jupytext

    return jupytext.read(path)


def _raise_problems(problems):
    lines = [text("build.source_problems")]
    lines += ["  • " + text(key, **values).replace("\n", "\n    ") for key, values in problems]
    error = CourseError("build.source_problems")
    error.problems = problems
    error.args = ("\n".join(lines),)
    raise error


def load_sources(course):
    """{stem: notebook} for every source, after every structural check has passed."""
    notebooks, problems = {}, []
    for path in source_files(course):
        nb = read_source(path)
        shown = f"course/notebooks/{path.name}"
        problems += source_checks.check_source(nb, shown, path.read_text(encoding="utf-8"))
        problems += _check_images(nb, Path(course) / "images", shown)
        notebooks[path.stem] = nb
    if problems:
        _raise_problems(problems)
    return notebooks


def _image_refs(source):
    return [m.group(2) for m in _MD_IMAGE.finditer(source)] + [m.group(2) for m in _HTML_IMAGE.finditer(source)]


def _check_images(nb, images, shown):
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for name in _image_refs(cell.source):
            here = source_checks.where(shown, index, cell)
            if Path(name).suffix.lower() not in IMAGE_TYPES:
                problems.append(("build.image_type", {"where": here, "name": name}))
            elif not (images / name).is_file():
                problems.append(("build.image_missing", {"where": here, "name": name, "folder": images}))
    return problems


# ---------------------------------------------------------------------------------------
# One source → one nbgrader source notebook
# ---------------------------------------------------------------------------------------

def _data_uri(path, lang="both"):
    mime = IMAGE_TYPES[path.suffix.lower()]
    data = path.read_bytes()
    if mime == "image/svg+xml" and lang in ("ko", "en"):  # the diagram's labels in the cell's language
        try:
            data = diagrams.for_language(data.decode("utf-8"), lang).encode("utf-8")
        except (ValueError, SyntaxError) as error:  # ElementTree's ParseError is a SyntaxError
            raise CourseError("diagram.unreadable", name=path.name, error=error) from None
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def embed_images(source, images, lang="both"):
    """Replace ../images/<file> references with data URIs, so the image travels in the notebook.

    Data URIs rather than cell attachments: JupyterLab 4 renders attachments only for
    bitmap types and refuses an SVG attachment, while an <img> with a data URI shows in
    JupyterLab, nbconvert's HTML (feedback) and GitHub alike. An SVG is embedded in the
    language of the cell (`lang`), so each cell shows its own language's labels.
    """
    source = _MD_IMAGE.sub(lambda m: m.group(1) + _data_uri(images / m.group(2), lang) + m.group(3), source)
    return _HTML_IMAGE.sub(lambda m: m.group(1) + _data_uri(images / m.group(2), lang) + m.group(3), source)


def _cell_id(cell, used):
    grade_id = source_checks.nbgrader_meta(cell).get("grade_id")
    if grade_id and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(grade_id)):
        base = str(grade_id)
    else:
        digest = hashlib.sha1(cell.source.encode("utf-8")).hexdigest()[:10]
        base = f"{cell.cell_type[:4]}-{cell.metadata.get('lang', 'x')}-{digest}"
    ident, counter = base, 2
    while ident in used:
        ident, counter = f"{base}-{counter}", counter + 1
    used.add(ident)
    return ident


def to_nbgrader_source(nb, lang, images):
    """The nbgrader source notebook of one language variant: only what nbgrader and Jupyter need."""
    import nbformat

    cells, used = [], set()
    for cell in nb.cells:
        if cell.cell_type == "markdown" and lang != "both" and cell.metadata.get("lang") != lang:
            continue
        metadata = {key: cell.metadata[key] for key in source_checks.KEPT_CELL_METADATA if key in cell.metadata}
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(embed_images(cell.source, images, cell.metadata.get("lang")),
                                                metadata=metadata)
        elif cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(cell.source, metadata=metadata)
        else:
            new = nbformat.v4.new_raw_cell(cell.source, metadata=metadata)
        new["id"] = _cell_id(new, used)
        cells.append(new)
    kernelspec = dict(nb.metadata.get("kernelspec") or DEFAULT_KERNELSPEC)
    kernelspec.setdefault("language", "python")
    out = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": kernelspec,
        "language_info": {"name": "python"},
    })
    out.nbformat, out.nbformat_minor = 4, 5
    return out


def dumps(nb):
    """The one serialisation used everywhere: nbformat's (sorted keys, indent 1), newline at the end."""
    import nbformat

    data = nbformat.writes(nb, version=4)
    return data if data.endswith("\n") else data + "\n"


def normalise_release(nb):
    """Strip what nbgrader leaves that a student does not need and that could vary between builds."""
    nb.metadata = {key: nb.metadata[key] for key in ("kernelspec", "language_info") if key in nb.metadata}
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    return nb


# ---------------------------------------------------------------------------------------
# The pipeline
# ---------------------------------------------------------------------------------------

def run_generate_assignment(course, assignment, database=True):
    """nbgrader generate_assignment, in this process, with the course's nbgrader_config.py.

    In-process because a build starts no kernel and nbgrader's import is the slow part.
    With `database=False` (scratch builds) the gradebook is neither created nor touched.
    """
    import io
    import logging

    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    # nbgrader runs `alembic` from PATH to open the gradebook: put this environment's bin
    # first, or a build started as .venv/bin/resnet-course without an activated venv fails.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.assignment_id = assignment
    config.GenerateAssignment.force = True
    if not database:
        config.SaveCells.enabled = False
        config.GenerateAssignment.no_database = True

    captured = io.StringIO()
    log = logging.getLogger(f"resnet_course.build.nbgrader.{id(captured)}")
    log.propagate = False
    log.setLevel(logging.WARNING)
    log.addHandler(logging.StreamHandler(captured))
    coursedir = CourseDirectory(config=config, log=log)
    converter = GenerateAssignment(coursedir=coursedir, config=config, log=log)
    try:
        converter.start()
    except Exception as error:
        output = (captured.getvalue() + f"\n{type(error).__name__}: {error}").strip()[-3000:]
        raise CourseError("build.nbgrader_failed", output=output) from None


def stage_course(course, scratch):
    """A scratch copy of what a build reads: sources, images, nbgrader config."""
    course, scratch = Path(course), Path(scratch)
    shutil.copytree(course / "notebooks", scratch / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
    if (course / "images").is_dir():
        shutil.copytree(course / "images", scratch / "images")
    shutil.copy2(course / "nbgrader_config.py", scratch / "nbgrader_config.py")
    return scratch


def build_release(course, lang="both", assignment=ASSIGNMENT, database=True):
    """Sources → course/source → nbgrader → {file name: student notebook text}. Writes in `course`."""
    import nbformat

    if lang not in LANG_CHOICES:
        raise CourseError("lang.unknown", lang=lang, choices=", ".join(LANG_CHOICES))
    course = Path(course)
    notebooks = load_sources(course)
    source_dir = course / "source" / assignment
    if source_dir.exists():
        shutil.rmtree(source_dir)
    source_dir.mkdir(parents=True)
    for stem, nb in notebooks.items():
        built = to_nbgrader_source(nb, lang, course / "images")
        problems = diagrams.language_problems(built, f"course/notebooks/{stem}.md")
        if problems:  # an alt text or a diagram label in the other language
            _raise_problems(problems)
        (source_dir / f"{stem}.ipynb").write_text(dumps(built), encoding="utf-8")

    run_generate_assignment(course, assignment, database)

    secrets = source_checks.secret_lines(notebooks.values())
    release_dir = course / "release" / assignment
    student = {}
    for stem in notebooks:
        path = release_dir / f"{stem}.ipynb"
        if not path.is_file():
            raise CourseError("build.release_missing", path=path)
        nb = normalise_release(nbformat.read(path, as_version=4))
        leaks = source_checks.find_leaks({path.name: source_checks.notebook_text(nb)}, secrets)
        if leaks:
            raise CourseError("build.leak", name=path.name, what="; ".join(what for _, what in leaks))
        student[path.name] = dumps(nb)
    return student


def _inputs_digest(course):
    """A digest of everything a build reads, so one process never builds the same inputs twice."""
    course = Path(course)
    digest = hashlib.sha256()
    files = [course / "nbgrader_config.py", *sorted((course / "notebooks").glob("*")),
             *sorted((course / "images").glob("*"))]
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


_built_cache = {}


def built_notebooks(course, lang="both", assignment=ASSIGNMENT):
    """What a build would write, computed in a scratch copy of the course (the course is untouched)."""
    key = (_inputs_digest(course), lang, assignment)
    if key not in _built_cache:
        with tempfile.TemporaryDirectory(prefix="resnet-course-build-") as scratch:
            _built_cache[key] = build_release(stage_course(course, Path(scratch) / "course"), lang, assignment,
                                                   database=False)
    return dict(_built_cache[key])


def graded_structure(notebook_text):
    """What every language variant must share: the code cells (id, source, nbgrader metadata)."""
    import nbformat

    nb = nbformat.reads(notebook_text, as_version=4)
    return [(cell.id, cell.source, cell.metadata.get("nbgrader")) for cell in nb.cells
            if cell.cell_type == "code"]


def variant_differences(reference, variant):
    """[(notebook, what)] where a variant's code cells or grade ids differ from the reference's."""
    differences = []
    for name in sorted(set(reference) | set(variant)):
        if name not in reference or name not in variant:
            differences.append((name, "missing"))
            continue
        ours, theirs = graded_structure(reference[name]), graded_structure(variant[name])
        ids = [meta["grade_id"] for _, _, meta in ours if meta]
        their_ids = [meta["grade_id"] for _, _, meta in theirs if meta]
        if ids != their_ids:
            differences.append((name, f"grade ids {ids} != {their_ids}"))
        elif ours != theirs:
            differences.append((name, "code cells differ"))
    return differences


def write_student_copies(student, out, assignment=ASSIGNMENT):
    """Write the notebooks to <out>/<assignment>/, removing notebooks no source makes any more."""
    folder = Path(out) / assignment
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.ipynb"):
        if stale.name not in student:
            stale.unlink()
    written = []
    for name, data in sorted(student.items()):
        path = folder / name
        if not path.is_file() or path.read_bytes() != data.encode("utf-8"):
            path.write_bytes(data.encode("utf-8"))
        written.append(path)
    return written


def default_out(course, lang):
    """assignments/ holds the committed `both` variant; the others default to dist/assignments-<lang>/."""
    return course.parent / "assignments" if lang == "both" else course.parent / "dist" / f"assignments-{lang}"


def build(course=None, lang="both", assignment=ASSIGNMENT, out=None):
    """The whole build; returns the student notebooks written."""
    course = Path(course or course_root())
    out = Path(out) if out else default_out(course, lang)
    if lang == "both":
        student = build_release(course, lang, assignment)
    else:
        student = built_notebooks(course, lang, assignment)
    return write_student_copies(student, out, assignment)


def stale_notebooks(course=None, lang="both", assignment=ASSIGNMENT, out=None):
    """Names of the notebooks in <out>/<assignment>/ that differ from a fresh build (missing or extra too)."""
    course = Path(course or course_root())
    out = Path(out) if out else default_out(course, lang)
    expected = built_notebooks(course, lang, assignment)
    folder = out / assignment
    present = {p.name for p in folder.glob("*.ipynb")} if folder.is_dir() else set()
    stale = sorted(name for name in set(expected) | present
                   if name not in expected or name not in present
                   or (folder / name).read_bytes() != expected[name].encode("utf-8"))
    return stale


def check_up_to_date(course=None, lang="both", assignment=ASSIGNMENT, out=None):
    course = Path(course or course_root())
    out = Path(out) if out else default_out(course, lang)
    stale = stale_notebooks(course, lang, assignment, out)
    if stale:
        raise CourseError("build.stale", folder=out / assignment, names=", ".join(stale))
    return True


# ---------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------

def _run(args):
    if args.check:
        check_up_to_date(lang=args.lang, assignment=args.assignment, out=args.out)
        out = Path(args.out) if args.out else default_out(course_root(), args.lang)
        print(text("build.up_to_date", folder=out / args.assignment))
        return 0
    for path in build(lang=args.lang, assignment=args.assignment, out=args.out):
        print(text("build.wrote", path=path))
    return 0


def register_command(subparsers):
    parser = subparsers.add_parser("build", help=label("build.help"), description=label("build.help"))
    parser.add_argument("--lang", choices=LANG_CHOICES, default="both", help=label("build.help_lang"))
    parser.add_argument("--assignment", default=ASSIGNMENT, help=label("build.help_assignment"))
    parser.add_argument("--out", default=None, help=label("build.help_out"))
    parser.add_argument("--check", action="store_true", help=label("build.help_check"))
    parser.set_defaults(func=_run)
    return parser
