"""Taking in a class's submissions: a folder in nbgrader's layout, or a zip from an LMS.

Folder: `<student>/<assignment>/<notebook>.ipynb` (nbgrader's `submitted/` layout), or
`<student>/<notebook>.ipynb` when the folder already is one assignment's.

Zip: nbgrader's `zip_collect` naming, the file name of each notebook carrying the student:
`<student>_<notebook>.ipynb`, `<student>_attempt_<date>_<notebook>.ipynb` (Canvas/Moodle
style), or a path `<student>/<notebook>.ipynb` inside the archive. Unpacked safely: no
absolute paths or `..`, no links or special files, limits on the number of members, on
each member's size and on the total (a zip bomb stops at the limit, not at the disk's end).
"""

import hashlib
import os
import re
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from resnet_course.utils.messages import CourseError, Phrase, register

MAX_MEMBERS = 20000
MAX_MEMBER_BYTES = 200 * 2**20
MAX_TOTAL_BYTES = 4 * 2**30
_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")

register({
    "intake.not_found": {
        "ko": "제출물을 찾을 수 없습니다: {path}",
        "en": "Submissions not found: {path}",
    },
    "intake.bad_zip": {
        "ko": "zip 파일을 열 수 없습니다: {path} ({detail})",
        "en": "Cannot open the zip file: {path} ({detail})",
    },
    "intake.unsafe_member": {
        "ko": "zip 안의 항목 하나를 건너뜁니다. 항목: {name!r}, 이유: {why}",
        "en": "Skipping one zip member: {name!r} ({why})",
    },
    "intake.why.outside": {"ko": "압축 파일 밖을 가리키는 경로", "en": "path outside the archive"},
    "intake.why.symlink": {"ko": "심볼릭 링크(symbolic link)", "en": "symbolic link"},
    "intake.why.special": {"ko": "일반 파일이 아닌 특수 파일(special file)", "en": "special file"},
    "intake.why.too_large": {"ko": "{limit_mb} MB보다 큼", "en": "larger than {limit_mb} MB"},
    "intake.why.damaged": {
        "ko": "손상되었거나 헤더에 적힌 크기와 실제 크기가 다름 ({error})",
        "en": "damaged, or its size is not the one its header gives ({error})",
    },
    "intake.why.no_student": {"ko": "이름에 학생 ID가 없음", "en": "no student id in the name"},
    "intake.why.bad_student": {"ko": "올바른 학생 ID가 아님", "en": "not a valid student id"},
    "intake.too_large": {
        "ko": "zip 파일이 너무 큽니다({what}). 한도: {limit}",
        "en": "The zip file is too large ({what}). Limit: {limit}",
    },
    "intake.empty": {
        "ko": "{path} 폴더에서 과제 {assignment}의 제출물을 하나도 찾지 못했습니다. 폴더 구성은 <학생>/<과제>/<노트북>.ipynb 형태여야 합니다.",
        "en": "No submissions for assignment {assignment} found in {path}. The layout must be "
              "<student>/<assignment>/<notebook>.ipynb.",
    },
    "intake.renamed": {
        "ko": "{found} 노트북을 {expected} 노트북으로 보고 채점했습니다 (다른 이름으로 제출되었습니다).",
        "en": "Graded notebook {found} as {expected} (it was submitted under another name).",
    },
    "intake.missing": {
        "ko": "노트북 {notebook}.ipynb 파일이 제출되지 않았습니다.",
        "en": "Notebook {notebook}.ipynb was not submitted.",
    },
    "intake.bad_timestamp": {
        "ko": "timestamp.txt 파일을 날짜로 읽을 수 없어 무시했습니다 (제출물은 제출 시각 없이 채점합니다).",
        "en": "timestamp.txt is not a date and was ignored (graded without a submission time).",
    },
    "intake.unexpected": {
        "ko": "과제에 없는 노트북은 채점하지 않았습니다: {names}",
        "en": "Notebooks that are not part of the assignment were not graded: {names}",
    },
})


@dataclass
class Submission:
    student: str
    folder: Path
    notes: list = field(default_factory=list)

    def fingerprint(self):
        """A hash of every file of the submission (names and bytes)."""
        digest = hashlib.sha256()
        for path in sorted(p for p in self.folder.rglob("*") if p.is_file() and not p.is_symlink()):
            digest.update(str(path.relative_to(self.folder)).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
            with open(path, "rb") as handle:
                for chunk in iter(lambda: handle.read(2**20), b""):
                    digest.update(chunk)
        return digest.hexdigest()


def read_files(folder):
    """Every regular file of a submission folder as {relative path: bytes} (what a grader receives)."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file() and not path.is_symlink()}


def valid_student_id(name):
    return bool(_STUDENT_ID.match(name)) and name not in (".", "..")


def _member_problem(info):
    name = info.filename
    mode = info.external_attr >> 16
    parts = Path(name).parts
    if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts or "\\" in name:
        return Phrase("intake.why.outside")
    if stat.S_ISLNK(mode):
        return Phrase("intake.why.symlink")
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return Phrase("intake.why.special")  # (archivers often store permissions without a file type: fine)
    if info.file_size > MAX_MEMBER_BYTES:
        return Phrase("intake.why.too_large", limit_mb=MAX_MEMBER_BYTES // 2**20)
    return None


def _zip_student_and_name(member, notebooks):
    """(student, file name) for one archive member, following zip_collect's naming."""
    path = Path(member)
    if len(path.parts) >= 2 and valid_student_id(path.parts[-2]) and path.parts[-2] not in notebooks:
        # <...>/<student>/<file> or <student>/<assignment>/<file>
        parts = path.parts
        if len(parts) >= 3 and valid_student_id(parts[-3]):
            return parts[-3], path.name
        return parts[-2], path.name
    name = path.name
    for notebook in sorted(notebooks, key=len, reverse=True):
        suffix = f"_{notebook}.ipynb"
        if name.endswith(suffix) and len(name) > len(suffix):
            student = name[: -len(suffix)]
            student = re.sub(r"_attempt_\d[\d-]*$|_late$", "", student)
            return student.split("_")[0] if not valid_student_id(student) else student, f"{notebook}.ipynb"
    match = re.match(r"^([A-Za-z0-9.@+-]+)_(.+)$", name)
    if match:
        return match.group(1), match.group(2)
    return None, name


def unpack_zip(archive, target, notebooks, log=print):
    """Unpack an LMS zip into `target/<student>/<file>`; return the student folders."""
    archive = Path(archive)
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise CourseError("intake.bad_zip", path=str(archive), detail=str(error)) from None
    members = bundle.infolist()
    if len(members) > MAX_MEMBERS:
        raise CourseError("intake.too_large", what=f"{len(members)} members", limit=str(MAX_MEMBERS))
    if sum(info.file_size for info in members) > MAX_TOTAL_BYTES:
        raise CourseError("intake.too_large", what="uncompressed size",
                          limit=f"{MAX_TOTAL_BYTES // 2**30} GB")
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    for info in members:
        if info.is_dir():
            continue
        problem = _member_problem(info)
        if problem:
            log(_note("intake.unsafe_member", name=info.filename, why=problem))
            continue
        student, name = _zip_student_and_name(info.filename, notebooks)
        if not student or not valid_student_id(student) or not valid_student_id(name.replace(" ", "_")):
            log(_note("intake.unsafe_member", name=info.filename, why=Phrase("intake.why.no_student")))
            continue
        destination = target / student / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            # zipfile reads at most the size the central directory gives (the limits above were
            # checked against those sizes), then checks the CRC: a member whose header lies about
            # its size ends in BadZipFile here, with nothing beyond the claimed size written.
            with bundle.open(info) as source, open(destination, "wb") as out:
                shutil.copyfileobj(source, out, 2**20)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as error:
            destination.unlink(missing_ok=True)
            if not any(destination.parent.iterdir()):
                destination.parent.rmdir()
            log(_note("intake.unsafe_member", name=info.filename,
                      why=Phrase("intake.why.damaged", error=type(error).__name__)))
    return target


def _note(key, **values):
    from resnet_course.utils.messages import text

    return text(key, **values)


def _copy_regular_files(source, destination):
    """Copy only regular files (no links, devices, sockets) from one folder to another."""
    destination.mkdir(parents=True, exist_ok=True)
    for root, dirs, files in os.walk(source, followlinks=False):
        rel = Path(root).relative_to(source)
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(root, d))
                   and d not in (".ipynb_checkpoints", "__pycache__")]
        for name in files:
            path = Path(root) / name
            if path.is_symlink() or not stat.S_ISREG(path.lstat().st_mode):
                continue
            (destination / rel).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination / rel / name)


def _grade_ids(path):
    """The nbgrader grade ids of a notebook file, or an empty set when it is unreadable."""
    import json

    try:
        data = json.loads(Path(path).read_bytes().decode("utf-8", "replace"))
        return {cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                for cell in data.get("cells", []) if isinstance(cell, dict)} - {None}
    except Exception:
        return set()


def match_notebooks(folder, expected):
    """Rename a notebook submitted under another name when its cells say which one it is.

    `expected` maps each notebook name to its grade ids. Returns bilingual notes.
    """
    folder = Path(folder)
    notes = []
    present = {p.stem for p in folder.glob("*.ipynb")}
    missing = [name for name in expected if name not in present]
    extra = sorted(present - set(expected))
    for name in missing:
        candidates = [stem for stem in extra
                      if _grade_ids(folder / f"{stem}.ipynb") & set(expected[name])]
        if len(candidates) == 1:
            stem = candidates[0]
            (folder / f"{stem}.ipynb").rename(folder / f"{name}.ipynb")
            extra.remove(stem)
            notes.append(_note("intake.renamed", found=f"{stem}.ipynb", expected=f"{name}.ipynb"))
        else:
            notes.append(_note("intake.missing", notebook=name))
    if extra:
        notes.append(_note("intake.unexpected", names=", ".join(f"{stem}.ipynb" for stem in extra)))
    return notes


def _check_timestamp(folder, notes):
    """nbgrader stops on a timestamp.txt it cannot parse: drop one that is not a date."""
    path = Path(folder) / "timestamp.txt"
    if not path.is_file():
        return
    from nbgrader.utils import parse_utc

    try:
        parse_utc(path.read_text(encoding="utf-8", errors="strict").strip()[:100])
    except Exception:
        path.unlink()
        notes.append(_note("intake.bad_timestamp"))


def collect(submitted, assignment, staging, notebooks, log=print):
    """Every student's submission, copied into `staging/<student>/` (regular files only).

    `notebooks` maps the assignment's notebook names to their grade ids.
    """
    submitted = Path(submitted)
    if not submitted.exists():
        raise CourseError("intake.not_found", path=str(submitted))
    staging = Path(staging)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    if submitted.is_file():
        root = unpack_zip(submitted, staging / "_unzipped", set(notebooks), log=log)
    else:
        root = submitted
    found = []
    for student_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink()):
        student = student_dir.name
        if not valid_student_id(student):
            log(_note("intake.unsafe_member", name=student, why=Phrase("intake.why.bad_student")))
            continue
        folder = student_dir / assignment if (student_dir / assignment).is_dir() else student_dir
        if not any(folder.glob("*.ipynb")) and not (student_dir / assignment).is_dir():
            continue
        copy = staging / "students" / student
        _copy_regular_files(folder, copy)
        notes = match_notebooks(copy, notebooks)
        _check_timestamp(copy, notes)
        found.append(Submission(student, copy, notes))
    if not found:
        raise CourseError("intake.empty", path=str(submitted), assignment=assignment)
    return found
