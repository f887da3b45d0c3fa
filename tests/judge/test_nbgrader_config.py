"""course/nbgrader_config.py: the settings the build and grading rely on."""

import re

from traitlets.config.loader import PyFileConfigLoader

from _build_helpers import COURSE

CONFIG = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()

TENSORFLOW_NOISE = [
    "WARNING: All log messages before absl::InitializeLog() are written to STDERR\n",
    "I0000 00:00:1732700000.123456   12345 cpu_feature_guard.cc:210] This TensorFlow binary is optimized "
    "to use available CPU instructions in performance-critical operations.\n",
    "E0000 00:00:1732700000.123456   12345 cuda_dnn.cc:8310] Unable to register cuDNN factory: "
    "Attempting to register factory for plugin cuDNN when one has already been registered\n",
    "2024-11-27 18:00:00.000000: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results.\n",
    "WARNING:absl:You are saving your model as an HDF5 file via `model.save()`.\n",
    "/venv/lib/python3.11/site-packages/keras/src/layers/core/dense.py:87: UserWarning: Do not pass an "
    "`input_shape`/`input_dim` argument to a layer.\n",
]

STUDENT_STDERR = [
    "/tmp/ipykernel_42/123.py:3: RuntimeWarning: divide by zero encountered in log\n",
    "Traceback (most recent call last):\n  File \"<stdin>\", line 1\nValueError: shapes do not match\n",
]


def test_course_settings():
    assert CONFIG.CourseDirectory.course_id == "resnet-course"
    assert CONFIG.OverwriteCells.add_missing_cells is True
    assert CONFIG.ClearSolutions.code_stub == {
        "python": "# 여기에 코드를 작성하세요 / YOUR CODE HERE\nraise NotImplementedError()"}
    assert CONFIG.Execute.timeout >= 300 and CONFIG.Execute.startup_timeout >= 120


def test_ignore_pattern_removes_library_noise_and_keeps_student_output():
    assert CONFIG.IgnorePattern.enabled is True
    pattern = re.compile(CONFIG.IgnorePattern.pattern)
    for text in TENSORFLOW_NOISE:
        assert pattern.search(text), text
    for text in STUDENT_STDERR:
        assert not pattern.search(text), text
