"""Importing the package before TensorFlow keeps stderr empty (nbgrader scores stderr as 0)."""

import subprocess
import sys
import textwrap

from conftest import run_env

KERAS_ROUND_TRIP = textwrap.dedent("""
    import resnet_course.utils
    import numpy as np
    import tensorflow as tf
    import keras
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.zeros((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)
    print(model.predict(np.ones((2, 3)), verbose=0).shape)
""")


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=run_env(), timeout=300)


def test_package_first_then_tensorflow_writes_nothing_to_stderr():
    result = _run(KERAS_ROUND_TRIP)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 2)"
    assert result.stderr == ""


def test_without_the_package_tensorflow_is_noisy():
    """Guards the guard: if TensorFlow ever became quiet by itself, the test above would prove nothing."""
    result = _run(KERAS_ROUND_TRIP.replace("import resnet_course.utils\n", ""))
    assert result.returncode == 0
    assert result.stderr.strip() != ""
