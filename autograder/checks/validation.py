"""What a kernel remembers about the public checks it ran, so each speaks once.

Under `nbgrader validate` every graded test cell of an exercise must fail with the public
check's message when that check finds a problem, but a check can cost seconds (ResNet50's
runs its model in two modes) and an exercise has several test cells. The verdict is kept
per exercise for the function it judged: the check cell and the test cells below it share
one run, and a redefined function (a new object) is judged afresh.

When the student runs the cells, the same memory lets a graded test cell say in one line
that the check cell (or an earlier graded cell) above already explained the problem.

Which public check belongs to an exercise: the one its check cell ran in this kernel, else
the table below, keyed by the exercise name that `require` receives (grade ids may be
re-split freely; the exercise names are the graded functions' names).
"""

import importlib
import weakref

PUBLIC_CHECKS = {
    "build_deep_network": "resnet_course.autograder.checks.deep_network:check_build_deep_network",
    "layer_gradient_norms": "resnet_course.autograder.checks.gradient_norms:check_layer_gradient_norms",
    "plot_gradient_norms": "resnet_course.autograder.checks.gradient_plot:check_plot_gradient_norms",
    "identity_block": "resnet_course.autograder.checks.resnet:check_identity_block",
    "convolutional_block": "resnet_course.autograder.checks.resnet:check_convolutional_block",
    "ResNet50": "resnet_course.autograder.checks.resnet:check_ResNet50",
}

_checks_seen = {}  # exercise -> the check its check cell ran
_verdicts = {}     # exercise -> (reference to the function judged, (status, lines))
_explained = {}    # exercise -> (reference to the function, message key that points back)


def _reference(function):
    """A weak reference where the object allows one (a function kept alive by us would never change)."""
    try:
        return weakref.ref(function)
    except TypeError:
        return lambda: function


def remember_check(exercise, check):
    _checks_seen[exercise] = check


def check_for(exercise):
    """The public check of `exercise`, or None when the course has none for it."""
    if exercise in _checks_seen:
        return _checks_seen[exercise]
    target = PUBLIC_CHECKS.get(exercise)
    if target is None:
        return None
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def verdict(exercise, function, run):
    """(status, lines) for `function`: `run()` the first time, the same answer afterwards."""
    kept = _verdicts.get(exercise)
    if kept is not None and kept[0]() is function:
        return kept[1]
    result = run()
    _verdicts[exercise] = (_reference(function), result)
    return result


def remember_shown(exercise, function, status, key):
    """After a check cell or graded cell showed `status` for `function`: point back to it from now on."""
    if status in ("failed", "crashed"):
        _explained[exercise] = (_reference(function), key)
    else:
        _explained.pop(exercise, None)


def shown(exercise, function):
    """The message key pointing back to an explanation already shown for this function, else None."""
    kept = _explained.get(exercise)
    return kept[1] if kept is not None and kept[0]() is function else None


def forget():
    """Forget every verdict (tests; a kernel forgets when it restarts)."""
    _checks_seen.clear()
    _verdicts.clear()
    _explained.clear()
