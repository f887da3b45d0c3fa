"""resnet_course.utils: the course's helpers (data set, gradient lab, widgets, plots, messages).

Importing this package first silences TensorFlow's start-up output, so a notebook that
imports it before TensorFlow keeps stderr clean (nbgrader scores a cell 0 otherwise).
Submodules are imported on demand, so this import stays fast and TensorFlow-free.
"""

from .quiet import silence_tensorflow

silence_tensorflow()

__all__ = ["silence_tensorflow"]
