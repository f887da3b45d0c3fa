"""Running the student's model and the reference's side by side on the same weights and inputs.

The reference side of a comparison is the same for every student, so a worker keeps it
(`_ReferenceRun`); the student's model is filled with the reference's numbers role by role,
and the outputs are compared in inference or in training mode. A difference is reported with
what the graph shows (a structural hint), so a student reads *why* the numbers differ.
"""

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from resnet_course.utils.messages import Phrase, register

from ..diagnosis.block_parts import block_roles
from ..diagnosis.graph import graph_of
from ..diagnosis.resnet50 import resnet50_roles
from .comparator import ArtifactError, Verdict, ordered_cases
from .safe_models import load_model
from .weights import close, fill_weights, model_input, outputs

register({
    "model.case_missing": {
        "ko": "테스트 인자 {case}에 대한 결과가 채점기에 전달되지 않았습니다. 함수가 그 인자에서 오류를 내는지 확인하세요.",
        "en": "No result reached the grader for the test arguments {case}. Check whether your function raises for them.",
    },
    "model.input_shape": {
        "ko": "모델의 입력 모양이 {found}입니다. 기대하는 모양은 {expected}입니다.",
        "en": "The model's input shape is {found}, expected {expected}.",
    },
    "model.output_shape": {
        "ko": "{case}: 출력 모양이 {found}입니다. 기대하는 모양은 {expected}입니다.",
        "en": "{case}: the output has shape {found}, expected {expected}.",
    },
    "model.values_differ": {
        "ko": "{case}: 같은 가중치와 같은 입력에서 {mode} 출력이 기대값과 다릅니다(최대 차이 {diff:.3g}).",
        "en": "{case}: with the same weights and inputs, the {mode} output differs from the expected one "
              "(largest difference {diff:.3g}).",
    },
    "model.mode_inference": {"ko": "추론 모드(inference mode)", "en": "inference-mode"},
    "model.mode_training": {"ko": "훈련 모드(training mode)", "en": "training-mode"},
    "model.training_only_hint": {
        "ko": "추론 모드의 출력은 맞고 훈련 모드에서만 다릅니다. 배치 정규화(BatchNormalization)의 축(axis=3, 채널 축)과 `training=` 인자를 "
              "확인하세요.",
        "en": "Inference-mode outputs match; only training mode differs. Check BatchNormalization's axis (axis=3, "
              "the channels) and any `training=` argument.",
    },
    # A named cause found by reading the graph, under a values check that failed: `cause` (its key) is
    # stored beside the text so the class report counts the mistake, not the symptom.
    "model.look_at": {
        "ko": "그래프를 읽어 찾은 원인: {problem}",
        "en": "The cause, read from the graph: {problem}",
    },
})


def cases(student, reference):
    """The models a grade id compares; `<case>__<what>` files are helpers of a case, not cases."""
    return ordered_cases(student, reference, "model.json", "model.case_missing", keep=lambda c: "__" not in c)


def _roles(config, kind):
    if kind == "block":
        return block_roles(config)
    if kind == "resnet":
        return resnet50_roles(config)
    if kind == "deep":  # Dense layers in graph order: hidden_1 … hidden_depth, output
        dense = [n.name for n in graph_of(config).nodes.values() if n.kind == "dense"]
        return {f"dense{i}": name for i, name in enumerate(dense)}
    return {}


def _reference_roles(r_model, r_config, kind):
    """{role: layer name} of the reference, read from its topology."""
    return _roles(r_config, kind)


def _matched_roles(s_model, s_config, r_roles, r_classes, kind):
    """{role: layer name} of the student's model, read from its topology alone.

    A layer's name never gives it a role: a stage-5 block lettered 'c' instead of 'b', or a
    shortcut named `..._branch2d`, plays the role its place in the graph gives it. Names are
    the names check's question.
    """
    return _roles(s_config, kind)


def _input_shape(model):
    return tuple(model.inputs[0].shape[1:])


def _shape_problem(s_shape, r_shape):
    if s_shape != r_shape:
        return ("model.input_shape", {"found": s_shape, "expected": r_shape})
    return None


def input_shape_problem(s_model, r_model):
    return _shape_problem(_input_shape(s_model), _input_shape(r_model))


@dataclass(frozen=True)
class _ReferenceRun:
    """What the reference model gives for one case and mode, with what the student's fill needs."""

    roles: dict
    classes: dict
    input_shape: tuple
    scales: dict
    x: np.ndarray
    outputs: np.ndarray


# Which exported reference model a case is compared with: ResNet50's cases are exported with
# stand-ins for the blocks, so the reference side is the reference ResNet50 itself.
_REFERENCE_CASE = {"resnet": lambda case: f"{case}__full"}

# The reference side of a comparison is the same for every student: a worker grading a class
# computes it once per reference model, case and mode (ResNet50: about 2 s saved per student).
_REFERENCE_RUNS = OrderedDict()
_REFERENCE_RUNS_KEPT = 64


def _reference_run(reference, case, context, kind, training, head_scale):
    case = _REFERENCE_CASE.get(kind, lambda c: c)(case)
    # A reference file is written once (its folder's name is the hash of what made it):
    # its path, size and time name its content without reading and hashing it per student.
    info = reference.file_stat(f"{case}.model.json")
    key = (str(reference.folder), case, info.st_size, info.st_mtime_ns, kind, bool(training), bool(head_scale))
    run = _REFERENCE_RUNS.get(key)
    if run is not None:
        _REFERENCE_RUNS.move_to_end(key)
        return run
    r_model, r_config = load_model(reference, case, context)
    r_roles = _reference_roles(r_model, r_config, kind)
    scales = _head_scales(r_model, r_roles) if head_scale else None
    fill_weights(r_model, r_roles, scales)
    x = model_input(r_model)
    run = _ReferenceRun(roles=r_roles, classes={layer.name: type(layer).__name__ for layer in r_model.layers},
                        input_shape=_input_shape(r_model), scales=scales, x=x,
                        outputs=outputs(r_model, x, training))
    _REFERENCE_RUNS[key] = run
    while len(_REFERENCE_RUNS) > _REFERENCE_RUNS_KEPT:
        _REFERENCE_RUNS.popitem(last=False)
    return run


def _run_pair(student, reference, context, case, kind, training, head_scale=False, student_model=None):
    """Fill both models with the same weights by role; return (student outputs, reference outputs).

    `student_model(case)` gives (model, config) when the student's model is not the exported
    one as it is (ResNet50: the reference blocks put in place of the stand-ins).
    """
    s_model, s_config = (student_model(case) if student_model else
                         load_model(student, case, context))  # refuses unsafe models first
    ref = _reference_run(reference, case, context, kind, training, head_scale)
    problem = _shape_problem(_input_shape(s_model), ref.input_shape)
    if problem:
        return None, None, problem
    s_roles = _matched_roles(s_model, s_config, ref.roles, ref.classes, kind)
    fill_weights(s_model, s_roles, ref.scales)
    try:
        found = outputs(s_model, ref.x, training)
    except Exception as error:
        raise ArtifactError("model.unbuildable", error=f"{type(error).__name__}: {str(error)[:200]}") from None
    return found, ref.outputs, None


def _head_scales(r_model, r_roles):
    """Scale the final Dense kernel so the reference's logits stay in softmax's sensitive range."""
    import keras

    dense_roles = [role for role, name in r_roles.items()
                   if isinstance(r_model.get_layer(name), keras.layers.Dense)]
    if not dense_roles:
        return None
    role = "fc" if "fc" in dense_roles else dense_roles[-1]
    layer = r_model.get_layer(r_roles[role])
    fill_weights(r_model, r_roles)
    probe = keras.Model(r_model.inputs, layer.input)
    features = np.asarray(probe(model_input(r_model), training=False))
    spread = float(np.std(features)) * np.sqrt(features.shape[-1]) or 1.0
    return {(role, "kernel"): 0.5 / spread / np.sqrt(2.0 / features.shape[-1]), (role, "bias"): 0.0}


def values_verdict(student, reference, context, kind, training, hints, head_scale=False,
                   charged_elsewhere=None, student_model=None):
    """Outputs of the student's model against the reference's, case by case, in one mode.

    Error carried forward: when the outputs differ, `charged_elsewhere(case)` may answer that
    the difference comes from a mistake another check of the same function charges (it is
    called only then). That case then passes here: one slip costs one check. `hints(case)`
    names what the graph shows when the difference is this check's own.
    """
    mode = "model.mode_training" if training else "model.mode_inference"
    for case in cases(student, reference):
        try:
            found, expected, problem = _run_pair(student, reference, context, case, kind, training, head_scale,
                                                 student_model)
        except ArtifactError as error:
            if error.key == "model.unbuildable" and charged_elsewhere is not None and charged_elsewhere(case):
                continue
            raise
        if problem:
            return Verdict(False, [problem])
        same_shape = found.shape == expected.shape
        if same_shape and close(found, expected):
            continue
        if charged_elsewhere is not None and charged_elsewhere(case):
            continue
        if not same_shape:
            return Verdict(False, [("model.output_shape", {"case": case, "found": found.shape[1:],
                                                            "expected": expected.shape[1:]})] + hints(case)[:1])
        problems = [("model.values_differ", {"case": case, "mode": Phrase(mode),
                                             "diff": float(np.max(np.abs(found - expected)))})]
        if training:
            f_inf, e_inf, _ = _run_pair(student, reference, context, case, kind, False, head_scale, student_model)
            if f_inf.shape == e_inf.shape and close(f_inf, e_inf):
                problems.append(("model.training_only_hint", {}))
        for key, values in hints(case)[:2]:
            problems.append(("model.look_at", {"problem": Phrase(key, **values), "cause": key}))
        return Verdict(False, problems)
    return Verdict.ok()


def inference_matches(student, reference, context, case, kind, head_scale=False, student_model=None):
    """Whether the student's inference-mode outputs match the reference's for one case."""
    try:
        found, expected, problem = _run_pair(student, reference, context, case, kind, False, head_scale,
                                             student_model)
    except ArtifactError:
        return False
    return problem is None and found.shape == expected.shape and close(found, expected)
