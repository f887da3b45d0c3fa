"""The judge's comparators for the residual blocks (notebook 2): structure, values, training mode."""

from ..diagnosis.block_parts import block_roles
from ..diagnosis.blocks import diagnose_convolutional_block, diagnose_identity_block
from ..diagnosis.graph import graph_of
from .comparator import ArtifactError, Verdict
from .meaning import meaning_problems
from .model_runs import cases, input_shape_problem, values_verdict
from .safe_models import load_model

def _block_args(r_config):
    """f, filters, s, stage, block of the reference block (read from its graph)."""
    graph = graph_of(r_config)
    roles = block_roles(r_config)
    conv = lambda role: graph[roles[role]]  # noqa: E731
    filters = [conv(r).filters for r in ("conv2a", "conv2b", "conv2c")]
    f = conv("conv2b").kernel[0]
    s = conv("conv2a").strides[0]
    name = roles["conv2a"]
    stage = block = None
    if name.startswith("res") and name.endswith("_branch2a"):
        code = name[3:-len("_branch2a")]
        digits = "".join(ch for ch in code if ch.isdigit())
        stage, block = (int(digits), code[len(digits):]) if digits and code.startswith(digits) else (None, None)
    return {"f": f, "filters": filters, "s": s, "stage": stage, "block": block, "shortcut": "conv1" in roles}


def _block_diagnosis(student, reference, context, case):
    s_config = student.model_config(case)
    r_config = reference.model_config(case)
    args = _block_args(r_config)
    if args["shortcut"]:
        found = diagnose_convolutional_block(s_config, args["f"], args["filters"], args["s"],
                                                args["stage"], args["block"])
    else:
        found = diagnose_identity_block(s_config, args["f"], args["filters"], args["stage"], args["block"])
    return found


def _structure(student, reference, context, diagnose):
    for case in cases(student, reference):
        s_model, s_config = load_model(student, case, context)  # refuses unsafe models first
        r_model, r_config = load_model(reference, case, context)
        problem = input_shape_problem(s_model, r_model)
        if problem:
            return Verdict(False, [problem])
        problems = diagnose(case) or meaning_problems(s_config, r_config)
        if problems:
            return Verdict(False, [(key, values) for key, values in problems[:4]])
    return Verdict.ok()


def block_structure(student, reference, context):
    return _structure(student, reference, context,
                      lambda case: _block_diagnosis(student, reference, context, case))


def _block_hints(student, reference, context):
    def hints(case):
        try:
            return _block_diagnosis(student, reference, context, case) or meaning_problems(
                student.model_config(case), reference.model_config(case))
        except ArtifactError:
            return []
    return hints


def block_values(student, reference, context):
    return values_verdict(student, reference, context, "block", False, _block_hints(student, reference, context))


def block_training(student, reference, context):
    return values_verdict(student, reference, context, "block", True, _block_hints(student, reference, context))
