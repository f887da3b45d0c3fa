"""Public checks for notebook 1 (vanishing gradients): they name the mistake, never grade.

Each check runs the student's function on public inputs and returns a list of problems,
(catalog key, values), for `common.public_check` to print: one module per exercise
(`deep_network`, `gradient_norms`, `gradient_plot`), on fixed benches (`gradient_benches`).
This package ships to students: nothing in it computes a graded answer for an arbitrary
model. The hidden test cells use the same benches with other sizes and seeds.

Notebook 1 imports everything it needs from this module alone (`__all__`).
"""

from .artifacts import export_array, export_json, export_model
from .common import public_check, require, runs
from .deep_network import check_build_deep_network
from .gradient_benches import fixed_example, fixed_network
from .gradient_norms import check_layer_gradient_norms
from .gradient_plot import check_plot_gradient_norms
from .plotdata import plot_data

__all__ = [
    "public_check", "require", "runs", "fixed_example", "fixed_network",
    "check_build_deep_network", "check_layer_gradient_norms", "check_plot_gradient_norms",
    "export_model", "export_array", "export_json", "plot_data",
]
