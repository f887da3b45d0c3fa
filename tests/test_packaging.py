"""Packaging: pyproject.toml and environment.yml agree; a plain `pip install .` works."""

import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml

from conftest import REPO, run_env


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_is_python_311_plus_this_package():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    pythons = [d for d in deps if isinstance(d, str) and d.startswith("python")]
    assert pythons == ["python=3.11"]
    pip_lists = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1
    # Everything else comes from pyproject.toml through the package itself: nothing pinned twice.
    assert pip_lists[0] == ['-e ".[dev]"'] or pip_lists[0] == ["-e .[dev]"]
    assert "pip" in deps


def test_requires_python_admits_the_environment_python():
    from packaging.specifiers import SpecifierSet

    assert "3.11" in SpecifierSet(_pyproject()["project"]["requires-python"])


def test_dependencies_have_ranges_and_cover_the_design():
    deps = _pyproject()["project"]["dependencies"]
    names = {d.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for d in deps}
    for needed in ("tensorflow", "keras", "numpy", "matplotlib", "ipywidgets", "jupyterlab",
                   "nbgrader", "h5py", "jupytext", "koreanize-matplotlib", "tqdm"):
        assert needed in names, needed
    for dep in deps:
        assert any(op in dep for op in (">=", "<", "==", "~=")), f"{dep} has no version range"
    assert "tensorflow>=2.18" in deps
    assert "dev" in _pyproject()["project"]["optional-dependencies"]


def test_ci_runs_the_readme_test_command():
    assert "make test" in (REPO / ".ci" / "run").read_text()
    assert "make test" in (REPO / "README.md").read_text()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel the bundle ships, built from a copy of the package (pip wheel in the checkout
    itself leaves build/ there)."""
    from resnet_course.autograder.authoring.bundle import build_wheel

    return build_wheel(tmp_path_factory.mktemp("wheel"), package_root=REPO)


def test_wheel_holds_only_the_two_packages(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    code = [n for n in names if not n.startswith("resnet_course-")]
    assert code, names
    assert all(n.startswith(("resnet_course/utils/", "resnet_course/autograder/")) for n in code), code
    assert not any(n.startswith("resnet_course/__init__") for n in names)  # implicit namespace


def test_pip_install_into_a_fresh_venv(tmp_path, wheel):
    """A regular (not editable) install, with its dependencies, in an empty virtual environment."""
    venv = tmp_path / "fresh"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin" / "python"
    # Inside pytest's own 900 s: a slow index ends as this command's timeout, with its output.
    subprocess.run([str(py), "-m", "pip", "install", "-q", str(wheel)], check=True, timeout=700,
                   env=run_env(), capture_output=True)
    outside = tmp_path / "elsewhere"  # not the checkout, so nothing is imported from the source tree
    outside.mkdir()
    check = subprocess.run(
        [str(py), "-c", "import resnet_course.utils, resnet_course.autograder, sys;"
                        "print(resnet_course.utils.__file__); print(resnet_course.autograder.__file__)"],
        cwd=outside, capture_output=True, text=True, env=run_env(), timeout=120)
    assert check.returncode == 0, check.stderr
    assert all(str(venv) in line for line in check.stdout.split()), check.stdout
    helped = subprocess.run([str(venv / "bin" / "resnet-course"), "--help"], cwd=outside,
                            capture_output=True, text=True, env=run_env(), timeout=120)
    assert helped.returncode == 0, helped.stderr
    assert "resnet-course" in helped.stdout and "잔차 네트워크" in helped.stdout
