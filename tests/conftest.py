"""Shared test set-up: the repository root, the venv's executables, a quiet TensorFlow."""

import os
import sys
from pathlib import Path

import pytest

import resnet_course.utils  # noqa: F401  (silences TensorFlow before any test imports it)

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def repo():
    return REPO


@pytest.fixture(scope="session")
def venv_bin():
    return BIN


@pytest.fixture(autouse=True)
def _default_language(monkeypatch):
    """Every test starts in the default language, whatever the developer's shell says."""
    monkeypatch.delenv("RESNET_COURSE_LANG", raising=False)
    from resnet_course.utils import messages

    monkeypatch.setattr(messages, "_chosen", None)
    yield


def run_env(**extra):
    """An environment for subprocesses: the developer's, minus what would change results."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_"))}
    env.update(extra)
    return env
