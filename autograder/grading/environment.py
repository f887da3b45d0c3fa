"""What a grader is made of: the package's code and the libraries that compute a score.

Two graders give the same grade to the same submission only when they run the same code. A
Dask worker on another machine may have another release of resnet-course, or the same
version string over edited files, or another Keras: so a worker is compared with the
grading process by the digest of every file of the package, not only by its version, and by
the versions of the libraries that decide what a kernel computes and how nbgrader scores it.
"""

import hashlib
import platform
from importlib import metadata
from pathlib import Path

# The libraries whose version can move a score (numbers, plots, nbgrader's scoring).
DECIDING_LIBRARIES = ("keras", "tensorflow", "numpy", "matplotlib", "nbgrader", "nbclient", "ipykernel")


def package_digest():
    """A hash of every file of both packages (all subpackages), by path and bytes."""
    import resnet_course.autograder as autograder
    import resnet_course.utils as utils

    digest = hashlib.sha256()
    for package in (utils, autograder):
        for folder in package.__path__:
            folder = Path(folder)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".json"):
                    digest.update(f"{folder.name}/{path.relative_to(folder)}".encode())
                    digest.update(b"\0")
                    digest.update(path.read_bytes())
    return digest.hexdigest()


def _version(distribution):
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "none"


def grading_environment():
    """{what: value} of everything that must match between two graders."""
    found = {"resnet-course": _version("resnet-course"), "package digest": package_digest(),
             "python": ".".join(platform.python_version_tuple()[:2])}
    found.update({name: _version(name) for name in DECIDING_LIBRARIES})
    return found


def differences(expected, found):
    """[(what, expected, found)] where two grading environments differ."""
    return [(key, str(expected.get(key)), str(found.get(key)))
            for key in sorted(set(expected) | set(found)) if expected.get(key) != found.get(key)]


def describe(differences_found):
    """One line per difference, digests shortened to what a person can compare."""
    def short(value):
        return value[:12] if len(value) == 64 else value

    return "; ".join(f"{what}: {short(there)} (grading process: {short(here)})"
                     for what, here, there in differences_found)
