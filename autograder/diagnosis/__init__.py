"""Reading a Keras model's graph and naming the mistake in it: shared by the checks and the judge.

The public checks run this on a live model in the student's kernel; the judge runs the same
code on the model's JSON outside it, so both say the same thing about the same mistake. It
never runs a model and holds no reference answers.
"""

from .block_parts import block_roles
from .blocks import diagnose_convolutional_block, diagnose_identity_block
from .graph import Graph, graph_of
from .resnet50 import diagnose_resnet50_blocks, diagnose_resnet50_layout, resnet50_layout, resnet50_roles

__all__ = [
    "Graph", "graph_of", "block_roles", "diagnose_identity_block", "diagnose_convolutional_block",
    "diagnose_resnet50_layout", "diagnose_resnet50_blocks", "resnet50_layout", "resnet50_roles",
]
