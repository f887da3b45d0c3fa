"""Error carried forward: one slip is charged to the one check it belongs to.

Exam boards mark this way: when a named mistake of one check makes the numbers of another
differ, the other check judges the work *given* that mistake and does not charge it again.
The judge applies it within a function (a block's wrong padding costs its structure check,
not also its values and its training mode) and across functions (a block's mistake never
costs ResNet50 anything: the reference blocks stand in, see `block_surgery`).

It applies to work that is there: a graph with at most half of the reference's weighted
layers (a function that returns its input, say) gets no credit carried forward, so every
check that compares numbers charges it.
"""

from ..diagnosis.graph import graph_of

_WEIGHTED = ("conv", "bn", "dense")


def weighted_count(config):
    return sum(1 for node in graph_of(config).nodes.values() if node.kind in _WEIGHTED)


def substantive(student_config, reference_config):
    """Whether the student's graph holds the work: more than half the reference's weighted layers."""
    return weighted_count(student_config) * 2 > weighted_count(reference_config)
