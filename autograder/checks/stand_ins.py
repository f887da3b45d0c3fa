"""Stand-ins for the graded block functions, so ResNet50 is judged on what ResNet50 itself adds.

Marking with "error carried forward": a mistake inside `identity_block` is charged to that
exercise once, never again to ResNet50. So the hidden tests build the student's ResNet50 a
second time with the notebook's `identity_block` and `convolutional_block` replaced by
stand-ins. A stand-in records how ResNet50 called it (f, filters, stage, block, s) and puts
one 1×1 convolution of the block's output shape in its place; the judge, outside the kernel,
replaces each stand-in by the reference block built with those arguments (graph surgery on
the JSON). A block ResNet50 builds without calling the graded functions stays as written:
its insides are ResNet50's.

A stand-in is not a solution: one convolution with the output shape the notebook states
(`(m, ⌈n_H/s⌉, ⌈n_W/s⌉, F3)`). It accepts the calls students write, with `stage` and `block`
missing (the TF2 edition's blocks had none; the names check charges it) or extra keywords
(`training=`, `initializer=`), which it records.
"""

import contextlib

PREFIX = "course_stand_in_"
FUNCTIONS = ("identity_block", "convolutional_block")


def _plain(value):
    """A JSON-ready copy of an argument (numbers, strings, lists of them), else its repr."""
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    try:
        return int(value)
    except (TypeError, ValueError):
        return repr(value)[:80]


class StandIns:
    """The two stand-in functions and the calls they received, in order."""

    def __init__(self):
        self.calls = []

    def _block(self, kind, X, f, filters, stage, block, s, extra):
        import keras

        F1, F2, F3 = filters
        name = f"{PREFIX}{len(self.calls)}"
        self.calls.append({"layer": name, "kind": kind, "f": _plain(f), "filters": _plain([F1, F2, F3]),
                           "stage": None if stage is None else str(stage),
                           "block": None if block is None else str(block),
                           "s": _plain(s), "extra": sorted(extra)})
        stride = 1 if kind == "identity" else s
        return keras.layers.Conv2D(int(F3), 1, strides=stride, padding="same", name=name)(X)

    def identity_block(self, X, f, filters, stage=None, block=None, *rest, **extra):
        return self._block("identity", X, f, filters, stage, block, 1, list(extra) + ["*"] * len(rest))

    def convolutional_block(self, X, f, filters, stage=None, block=None, s=2, *rest, **extra):
        return self._block("convolutional", X, f, filters, stage, block, s, list(extra) + ["*"] * len(rest))


@contextlib.contextmanager
def standing_in(function):
    """While active, the graded block functions `function` sees are stand-ins; yields the StandIns."""
    namespace = getattr(function, "__globals__", None)
    stand_ins = StandIns()
    if namespace is None:
        yield stand_ins
        return
    saved = {name: namespace[name] for name in FUNCTIONS if name in namespace}
    namespace.update({name: getattr(stand_ins, name) for name in FUNCTIONS})
    try:
        yield stand_ins
    finally:
        for name in FUNCTIONS:
            if name in saved:
                namespace[name] = saved[name]
            else:
                namespace.pop(name, None)
