"""Keep TensorFlow, absl and Keras from writing start-up noise to stderr.

nbgrader scores a test cell 0 when anything reaches stderr, and TensorFlow's C++ side
logs to file descriptor 2 before any Python setting can reach it ("All log messages
before absl::InitializeLog() ..."). Environment variables silence most of it; the rest
is swallowed by pointing descriptor 2 at /dev/null while TensorFlow is first imported
and its devices are first probed. This runs when `resnet_course.utils` is imported,
which every notebook does before it imports TensorFlow.
"""

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import sys
import warnings

_QUIET_ENV = {
    "TF_CPP_MIN_LOG_LEVEL": "3",  # C++ INFO/WARNING/ERROR
    "ABSL_MIN_LOG_LEVEL": "3",
    "GRPC_VERBOSITY": "ERROR",
    "KERAS_BACKEND": "tensorflow",
}

# Python-level warnings that students trigger with correct code; none of them is about
# the exercise, and each would score a test cell 0 if it reached stderr.
_HARMLESS_WARNINGS = [
    r".*Do not pass an `input_shape`.*",
    r".*The structure of `inputs` doesn't match the expected structure.*",
    r".*is deprecated.*",
    r".*Compiled the loaded model, but the compiled metrics.*",
    r".*`build\(\)` was called on layer.*",
    r".*You are saving your model as an HDF5 file.*",
]


@contextlib.contextmanager
def stderr_to_devnull():
    """Point file descriptor 2 (what C++ libraries write to) at /dev/null for a while."""
    try:
        sys.stderr.flush()
    except Exception:  # a closed or odd stderr must not stop the import
        pass
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _settle_tensorflow(tf_module):
    """Probe devices (where CUDA would complain) and lower Python-side log levels."""
    try:
        tf_module.config.list_physical_devices()
    except Exception:
        pass
    try:
        tf_module.get_logger().setLevel(logging.ERROR)
    except Exception:
        pass
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except Exception:
        pass


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Wraps the first import of `tensorflow` so its C++ start-up lines go nowhere."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path.remove(self)  # one import is enough; let the real finders work
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    def __init__(self, real_loader):
        self._real = real_loader

    def create_module(self, spec):
        return self._real.create_module(spec)

    def exec_module(self, module):
        with stderr_to_devnull():
            self._real.exec_module(module)
            _settle_tensorflow(module)


def silence_tensorflow():
    """Silence TensorFlow/absl/Keras start-up output. Safe to call more than once."""
    for name, value in _QUIET_ENV.items():
        os.environ.setdefault(name, value)
    for pattern in _HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    if "tensorflow" in sys.modules:
        _settle_tensorflow(sys.modules["tensorflow"])
        return
    if not any(isinstance(f, _QuietTensorFlowFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())
