"""The course as a grader needs it, in one piece of data that can travel: the course bundle.

A grader (a worker of the embedded pool, or a Dask worker on another machine with another
disk) needs the nbgrader config, the source notebooks (solutions and hidden tests), the
template gradebook built from them and the judge's references. The grading process packs
them into a `CourseBundle`, named by the course digest; a grader unpacks it once per digest
into a folder of its own (`unpack`) and grades every student of that course version from it.

The bundle holds the solutions: it goes only to graders, lives in folders the sandbox does
not bind (the kernel never sees them), and is private to the user the grader runs as.
"""

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "BUNDLE.json"
KEEP_UNPACKED = 3
# What the judge reads from a reference folder; the executed solution notebook is not needed.
_REFERENCE_PARTS = ("artifacts", "MANIFEST.json")


@dataclass
class CourseBundle:
    digest: str
    assignment: str
    structure: dict  # {notebook: {grade_id: max_score}}
    environment: dict  # the grading process's (environment.grading_environment)
    files: dict = field(default_factory=dict)  # {relative path: bytes}
    uses_judge: bool = False

    def size(self):
        return sum(len(data) for data in self.files.values())


def _files_under(folder, prefix, keep=None):
    found = {}
    folder = Path(folder)
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if keep and relative.parts[0] not in keep:
            continue
        if path.is_file() and not path.is_symlink():
            found[f"{prefix}/{relative.as_posix()}"] = path.read_bytes()
    return found


def pack(course, assignment, digest, template, structure, reference_folders, environment):
    """The bundle of a course state: config, sources, template gradebook and references."""
    course = Path(course)
    files = {}
    config = course / "nbgrader_config.py"
    if config.is_file():
        files["course/nbgrader_config.py"] = config.read_bytes()
    files.update(_files_under(course / "source" / assignment, f"course/source/{assignment}"))
    files["template.db"] = Path(template).read_bytes()
    for folder in reference_folders or ():
        folder = Path(folder)
        files.update(_files_under(folder, f"references/{folder.name}", keep=_REFERENCE_PARTS))
    return CourseBundle(digest=digest, assignment=assignment, structure=structure, environment=environment,
                        files=files, uses_judge=reference_folders is not None)


@dataclass
class UnpackedCourse:
    """A bundle on a grader's disk: where the course, the template and the references are."""

    folder: Path
    digest: str
    assignment: str
    structure: dict
    uses_judge: bool

    @property
    def course(self):
        return self.folder / "course"

    @property
    def template(self):
        return self.folder / "template.db"

    @property
    def references(self):
        return self.folder / "references" if self.uses_judge else None


def _safe_relative(name):
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"unsafe path in a course bundle: {name!r}")
    return path


def unpacked(root, digest):
    """The course of `digest` already unpacked under `root`, or None."""
    folder = Path(root) / digest[:24]
    try:
        info = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    if info.get("digest") != digest:
        return None
    return UnpackedCourse(folder, digest, info["assignment"], info["structure"], info["uses_judge"])


def unpack(bundle, root):
    """Write `bundle` under `root` once per digest; return the `UnpackedCourse`.

    A folder is complete only once renamed into place with its marker, so two graders
    unpacking at once, or one killed half-way, never leave a half course in use.
    """
    found = unpacked(root, bundle.digest)
    if found:
        return found
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o700)  # solutions: the grader's user only
    staging = Path(tempfile.mkdtemp(prefix=f".{bundle.digest[:24]}-new-", dir=root))
    try:
        for name, data in bundle.files.items():
            target = staging / _safe_relative(name)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        (staging / "references").mkdir(exist_ok=True)
        (staging / MARKER).write_text(json.dumps({
            "digest": bundle.digest, "assignment": bundle.assignment, "structure": bundle.structure,
            "uses_judge": bundle.uses_judge}, ensure_ascii=False))
        try:
            staging.rename(root / bundle.digest[:24])
        except OSError:  # another grader put the same course in place first
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from ..judge.cache_folders import keep_newest

    keep_newest([path for path in root.iterdir() if path.is_dir() and not path.name.startswith(".")],
                MARKER, keep=KEEP_UNPACKED)
    return unpacked(root, bundle.digest)


def worker_cache_root():
    """Where a Dask worker keeps unpacked courses: $RESNET_COURSE_WORKER_CACHE, else ~/.cache."""
    value = os.environ.get("RESNET_COURSE_WORKER_CACHE", "").strip()
    if value:
        return Path(value)
    base = os.environ.get("XDG_CACHE_HOME", "").strip() or str(Path.home() / ".cache")
    return Path(base) / "resnet-course" / "courses"
