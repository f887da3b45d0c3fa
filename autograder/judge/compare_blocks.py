"""The judge's comparators for the residual blocks (notebook 2): structure, values, training mode, names.

Where each mistake is charged (once; see `carried_forward`):
  structure  which layers the block has and how each is set: filters, kernels, strides,
             padding (as computed on the shapes the layer sees), a missing or extra layer,
             the axis of a batch normalization, a mode fixed in the graph, the add itself;
  values     how the right layers are wired (their order, what the shortcut carries), and
             any other difference of the inference-mode outputs the structure check does not
             name;
  training   a difference that shows only in training mode (a Dropout, a noise layer);
  names      the layer names, by role.
"""

from resnet_course.utils.messages import register

from ..diagnosis import crash_hints
from ..diagnosis.block_parts import block_roles, single_block
from ..diagnosis.blocks import (block_name_problems, diagnose_convolutional_block, diagnose_identity_block,
                                names_message, structure_part, wiring_part)
from ..diagnosis.graph import graph_of
from .carried_forward import refusals, substantive
from .comparator import ArtifactError, Verdict, ordered_cases
from .meaning import meaning_problems
from .model_runs import cases, inference_matches, input_shape_problem, values_verdict
from .safe_models import load_model, safe_config

register({
    "block.names_nothing": {
        "ko": "이름을 확인할 합성곱 층과 배치 정규화 층이 거의 없습니다. 블록을 먼저 완성하세요.",
        "en": "There are hardly any convolution and batch normalization layers whose names could be checked. "
              "Complete the block first.",
    },
    "block.names_case_missing": {
        "ko": "테스트 인자 {case}에 대한 모델이 채점기에 전달되지 않아 층 이름을 확인할 수 없습니다.",
        "en": "No model reached the grader for the test arguments {case}, so its layer names cannot be checked.",
    },
})


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


def _build_error(student, case):
    """The error the student's function raised for this case (its graph was exported cut short), or None."""
    name = f"{case}__error"
    if name not in student.cases("json"):
        return None
    data = student.json(name)
    return str(data.get("error", ""))[:600] if isinstance(data, dict) else None


def _diagnosis(student, reference, case):
    """Everything the graph shows, whichever check it is charged to."""
    s_config = student.model_config(case)
    args = _block_args(reference.model_config(case))
    if args["shortcut"]:
        found = diagnose_convolutional_block(s_config, args["f"], args["filters"], args["s"])
    else:
        found = diagnose_identity_block(s_config, args["f"], args["filters"])
    error = _build_error(student, case)
    if error is not None:  # the function raised at the add: it did write one
        found = [p for p in found if p[0] != "block.no_add"]
        found += [p for p in crash_hints.hint_problems(student.grade_id, error) if p not in found]
    return found


def _structure_problems(student, reference, case):
    found = structure_part(_diagnosis(student, reference, case))
    if found:
        return found
    # The named diagnosis found nothing of its own: compare the meanings of the layers
    # (kinds and settings, counted), not yet how they are wired.
    return meaning_problems(student.model_config(case), reference.model_config(case), edges=False)


def block_structure(student, reference, context):
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    for case in cases(student, reference):
        s_model, _ = load_model(student, case, context)  # refuses unsafe models first
        r_model, _ = load_model(reference, case, context)
        problem = input_shape_problem(s_model, r_model)
        if problem:
            return Verdict(False, [problem])
        problems = _structure_problems(student, reference, case)
        if problems:
            return Verdict(False, problems[:4])
    return Verdict.ok()


def _hints(student, reference):
    def hints(case):
        try:
            return wiring_part(_diagnosis(student, reference, case)) or meaning_problems(
                student.model_config(case), reference.model_config(case))
        except ArtifactError:
            return []
    return hints


def _structure_charged(student, reference):
    """Values: a difference the structure check names is the structure check's (when the work is there)."""
    def charged(case):
        s_config, r_config = student.model_config(case), reference.model_config(case)
        if not substantive(s_config, r_config):
            return False
        named = _diagnosis(student, reference, case)
        return not wiring_part(named) and bool(_structure_problems(student, reference, case))
    return charged


def block_values(student, reference, context):
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    return values_verdict(student, reference, context, "block", False, _hints(student, reference),
                          charged_elsewhere=_structure_charged(student, reference))


def block_training(student, reference, context):
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    def charged(case):
        # A difference that shows in inference mode too is the values or structure check's.
        if not substantive(student.model_config(case), reference.model_config(case)):
            return False
        return not inference_matches(student, reference, context, case, "block")
    return values_verdict(student, reference, context, "block", True, _hints(student, reference),
                          charged_elsewhere=charged)


def block_names(student, reference, context):
    """Every convolution and batch normalization named by the convention, found by its role."""
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    wrong = []
    for case in ordered_cases(student, reference, "model.json", "block.names_case_missing",
                              keep=lambda c: "__" not in c):
        s_config = safe_config(student, case, context)
        if not substantive(s_config, reference.model_config(case)):
            return Verdict.fail("block.names_nothing")
        args = _block_args(reference.model_config(case))
        graph = graph_of(s_config)
        blk, _ = single_block(graph)
        wrong += [pair for pair in block_name_problems(graph, blk, args["stage"], args["block"]) if pair not in wrong]
    if wrong:
        return Verdict.fail("block.layer_names", **names_message(wrong))
    return Verdict.ok()
