"""References for the judge: the artifacts the instructor's solutions export.

The judge compares a student's artifacts with these. They are made by running the source
notebook (`course/source/<assignment>/<notebook>.ipynb`: solutions and hidden tests) in a
fresh kernel with NBGRADER_EXECUTION=autograde, exactly as a submission is run, but in a
trusted process with RESNET_COURSE_ARTIFACTS pointing at a private folder. They live in the
course folder (`course/.cache/references/<hash>/`, or $RESNET_COURSE_REFERENCE_CACHE), never
in the installed package or anything a student receives, and the sandbox cannot see them.

The hash covers the source notebook, the package's own code that runs in the kernel, and
the versions of the libraries that compute the numbers, so an edited solution or hidden test
gives new references. Two grading workers asking at once take turns on a lock file; the
second finds the finished folder. A folder is complete only once renamed into place.

    python -m resnet_course.autograder.judge.references COURSE_ROOT [ASSIGNMENT]   # build ahead of time
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from resnet_course.utils.messages import CourseError, register

CACHE_ENV = "RESNET_COURSE_REFERENCE_CACHE"
MANIFEST = "MANIFEST.json"

register({
    "references.missing_source": {
        "ko": "참조 결과를 만들 원본 노트북이 없습니다: {path}. 먼저 `resnet-course build` 명령을 실행하세요.",
        "en": "The source notebook for the references is missing: {path}. Run `resnet-course build` first.",
    },
    "references.failed": {
        "ko": "강사용 원본 노트북(정답)을 실행하다 오류가 났습니다. 참조 결과를 만들 수 없습니다: {detail}",
        "en": "Running the instructor's source notebook (the solutions) failed, so there are no references: {detail}",
    },
})


def cache_root(course_root):
    value = os.environ.get(CACHE_ENV, "").strip()
    return Path(value) if value else Path(course_root) / ".cache" / "references"


def _package_code_digest():
    """A digest of the package code a kernel runs: the helpers, the checks and the graph diagnosis.

    The judge's own modules compare; they do not change what a kernel exports, so editing
    them reuses the references.
    """
    import resnet_course.utils as utils
    from resnet_course.autograder import checks, diagnosis

    digest = hashlib.sha256()
    for package in (utils, checks, diagnosis):
        folder = Path(package.__file__).parent
        for path in sorted(folder.rglob("*.py")):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def fingerprint(source_notebook):
    """The cache key: source notebook, package code and library versions."""
    from importlib import metadata

    digest = hashlib.sha256()
    digest.update(Path(source_notebook).read_bytes())
    digest.update(_package_code_digest().encode())
    for dist in ("resnet-course", "keras", "tensorflow", "numpy", "matplotlib"):
        try:
            digest.update(f"{dist}={metadata.version(dist)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{dist}=none".encode())
    return digest.hexdigest()[:24]


def reference_folder(source_notebook, cache, log=None):
    """The finished reference folder for this source notebook, built (once) when missing."""
    source_notebook = Path(source_notebook)
    if not source_notebook.is_file():
        raise CourseError("references.missing_source", path=source_notebook)
    cache = Path(cache)
    key = f"{source_notebook.stem}-{fingerprint(source_notebook)}"
    final = cache / key
    if (final / MANIFEST).is_file():
        return final
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a second worker waits here, then finds the folder
        if (final / MANIFEST).is_file():
            return final
        for stale in cache.glob(f"{key}.building-*"):  # left by a build that was killed
            shutil.rmtree(stale, ignore_errors=True)
        if log:
            log.info("Computing references for %s (once per change of the source) ...", source_notebook.name)
        work = Path(tempfile.mkdtemp(prefix=f"{key}.building-", dir=cache))
        try:
            _build(source_notebook, work)
            if final.exists():
                shutil.rmtree(final)
            os.replace(work, final)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
    prune(cache, source_notebook.stem, keep=KEEP_PER_NOTEBOOK)
    return final


# Each edit of a source notebook or of the kernel-side code makes a new reference folder.
# The newest few are kept (a run grading an older course state may still be reading one).
KEEP_PER_NOTEBOOK = 3


def prune(cache, stem, keep=KEEP_PER_NOTEBOOK):
    """Remove all but the `keep` newest finished reference folders of one notebook."""
    from .cache_folders import keep_newest

    # <stem>-<hash> only: not another notebook whose name starts with this one's.
    ours = [folder for folder in Path(cache).glob(f"{stem}-*") if folder.name[len(stem) + 1:].isalnum()]
    for folder in keep_newest(ours, MANIFEST, keep):
        Path(f"{folder}.lock").unlink(missing_ok=True)


def _build(source_notebook, folder):
    """Run the source notebook in a subprocess whose kernel exports into `folder`/artifacts."""
    artifacts = folder / "artifacts"
    artifacts.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RESNET_COURSE_ARTIFACTS")}
    env.update({"NBGRADER_EXECUTION": "autograde", "RESNET_COURSE_ARTIFACTS": str(artifacts),
                "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    env.pop("RESNET_COURSE_QUICK", None)
    started = time.time()
    with tempfile.TemporaryDirectory(prefix="resnet-reference-run-") as workdir:
        # Run a copy in an empty folder: nothing may land beside the source notebook.
        copy = Path(workdir) / source_notebook.name
        shutil.copy(source_notebook, copy)
        done = subprocess.run(
            [sys.executable, "-m", "resnet_course.autograder.judge.references", "--run", str(copy),
             str(folder / "executed.ipynb")],
            env=env, cwd=workdir, capture_output=True, text=True,
        )
    if done.returncode != 0:
        raise CourseError("references.failed", detail=(done.stderr or done.stdout)[-3000:])
    manifest = {
        "source": str(source_notebook),
        "seconds": round(time.time() - started, 1),
        "grade_ids": sorted(p.name for p in artifacts.iterdir() if p.is_dir()),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))


def _run_notebook(path, executed_path):
    """In the subprocess: execute every cell; fail on any error in the solution notebook."""
    import nbformat
    from nbclient import NotebookClient

    from resnet_course.autograder.judge.private_kernel import PrivateSocketKernelManager

    nb = nbformat.read(path, as_version=4)
    # Two grading workers may build references at the same moment: private sockets, no ports.
    client = NotebookClient(nb, timeout=900, startup_timeout=300, kernel_name="python3",
                            kernel_manager_class=PrivateSocketKernelManager,
                            allow_errors=True, resources={"metadata": {"path": str(Path(path).parent)}})
    client.execute()
    nbformat.write(nb, executed_path)
    errors = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
                errors.append(f"[{grade_id}] {output.get('ename')}: {output.get('evalue')}")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--run":
        return _run_notebook(argv[1], argv[2])
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    root = Path(argv[0]).resolve() if argv else Path.cwd()
    assignment = argv[1] if len(argv) > 1 else "resnet"
    config = Config()
    config.CourseDirectory.root = str(root)
    source = Path(CourseDirectory(config=config).format_path("source", ".", assignment))
    for notebook in sorted(source.glob("*.ipynb")):
        started = time.time()
        folder = reference_folder(notebook, cache_root(root))
        print(f"{notebook.name}: {folder} ({time.time() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
