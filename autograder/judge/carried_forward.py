"""Error carried forward: one slip is charged to the one check it belongs to.

Exam boards mark this way: when a named mistake of one check makes the numbers of another
differ, the other check judges the work *given* that mistake and does not charge it again.
The judge applies it within a function (a block's wrong padding costs its structure check,
not also its values and its training mode) and across functions (a block's mistake never
costs ResNet50 anything: the reference blocks stand in, see `block_surgery`).

It applies to work that is there: a graph with at most half of the reference's weighted
layers (a function that returns its input, say) gets no credit carried forward, so every
check that compares numbers charges it. Nor does code Keras 3 refuses to build at all (a
Keras 2 habit, a name the import cell did not give): every check of the function fails with
the message that names it (`refusals`).
"""

from ..diagnosis.graph import graph_of
from ..diagnosis.keras_habits import habit_problems

_WEIGHTED = ("conv", "bn", "dense")


def weighted_count(config):
    return sum(1 for node in graph_of(config).nodes.values() if node.kind in _WEIGHTED)


def substantive(student_config, reference_config):
    """Whether the student's graph holds the work: more than half the reference's weighted layers."""
    return weighted_count(student_config) * 2 > weighted_count(reference_config)


def refusals(student):
    """The Keras 2 habits named by the errors the hidden tests exported (`<case>__error.json`)."""
    found = []
    for case in student.cases("json"):
        if not case.endswith("__error"):
            continue
        data = student.json(case)
        error = str(data.get("error", "")) if isinstance(data, dict) else ""
        found += [p for p in habit_problems(error) if p not in found]
    return found
