"""How much a heavy cell (training for epochs) should do, and which nbgrader step runs it.

nbgrader sets NBGRADER_EXECUTION during `autograde` and `validate`: a grade must not wait
for training. Tests, demos and the browser test set RESNET_COURSE_QUICK=1 to run a few
batches instead of whole epochs.

`run_mode()` sizes heavy cells and says "autograde" under both nbgrader steps (a Validate
must not train either). `nbgrader_step()` tells the two apart, for the checks: under
validate the public checks speak through the graded test cells, under autograde they stay
silent and the judge alone decides.
"""

import os

NBGRADER_STEPS = ("autograde", "validate")


def nbgrader_step():
    """'autograde' or 'validate' while nbgrader runs the notebook, else None.

    nbgrader 0.9 sets NBGRADER_EXECUTION to the step's name. Any other non-empty value is
    taken as autograde: the step that must not pay for what only a student reads.
    """
    value = os.environ.get("NBGRADER_EXECUTION", "").strip().lower()
    if not value:
        return None
    return value if value in NBGRADER_STEPS else "autograde"


def run_mode():
    """'autograde' under nbgrader (autograde or validate), 'quick' with RESNET_COURSE_QUICK=1, else 'full'."""
    if nbgrader_step():
        return "autograde"
    if os.environ.get("RESNET_COURSE_QUICK", "").strip() not in ("", "0", "false", "no"):
        return "quick"
    return "full"
