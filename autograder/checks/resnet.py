"""Public checks for notebook 2 (Residual Networks): instant feedback in the student's kernel.

Each check builds small models with the student's function on public inputs, reads the
graph with `diagnosis` (which names the mistake), and, when the graph looks right,
compares outputs on a fixed input with weights set by layer role against expected numbers
written below. Those numbers are public: they are what the notebook would print for a
correct answer, not the hidden tests (the judge decides grades outside the kernel).

    public_check("identity_block", check_identity_block, identity_block)
    public_check("convolutional_block", check_convolutional_block, convolutional_block)
    public_check("ResNet50", check_ResNet50, ResNet50)

`answered(function, *args)` is the cheap "has the student written anything" check used by
the visible `require(...)` line of the graded test cells. `build_block_model` and
`build_resnet` are what the hidden tests use to build the models they export.

The notebook imports what it needs from this module alone (`__all__`): the checks, the
runner of a check cell (`public_check`, `require`) and the exports of the graded cells.
"""

import numpy as np

from resnet_course.utils.messages import register

from .artifacts import export_json, export_model
from .common import DETAIL, public_check, require, unique, with_case
from .habits import habit_problems_with_error, naming_habits
from .stand_ins import standing_in
from ..diagnosis.crash_hints import error_summary
from ..diagnosis.block_parts import block_roles
from ..diagnosis.blocks import (block_name_problems, block_names, diagnose_convolutional_block,
                                diagnose_identity_block, names_message)
from ..diagnosis.graph import graph_of
from ..diagnosis.resnet50 import (diagnose_resnet50_blocks, diagnose_resnet50_layout, expected_block_letters,
                                  own_layer_names, resnet50_roles)
from ..diagnosis.role_weights import fill_weights

__all__ = [
    "public_check", "require", "answered", "build_block_model", "build_resnet",
    "check_identity_block", "check_convolutional_block", "check_ResNet50", "export_json", "export_model",
    "export_block_cases", "export_resnet_cases",
]

register({
    "resnet_check.returns_none": {
        "ko": "함수가 None을 반환합니다. 마지막에 `return X`(또는 `return model`)가 있는지 확인하세요.",
        "en": "The function returns None. Check that it ends with `return X` (or `return model`).",
    },
    "resnet_check.not_tensor": {
        "ko": "함수가 Keras 텐서가 아니라 {found} 값을 반환합니다. 마지막 층의 출력 X를 반환하세요.",
        "en": "The function returns a {found}, not a Keras tensor. Return X, the output of the last layer.",
    },
    "resnet_check.not_model": {
        "ko": "`ResNet50` 함수가 keras Model이 아니라 {found} 객체를 반환합니다. `Model(inputs=X_input, outputs=X, "
              "name='ResNet50')` 객체를 반환하세요.",
        "en": "`ResNet50` returns a {found}, not a keras Model. Return `Model(inputs=X_input, outputs=X, name='ResNet50')`.",
    },
    "resnet_check.output_shape": {
        "ko": "입력 모양이 {input}일 때 출력 모양이 {found}입니다. 기대하는 모양은 {expected}입니다.",
        "en": "For an input of shape {input} the output has shape {found}; expected {expected}.",
    },
    "resnet_check.param_count": {
        "ko": "파라미터가 {found:,}개입니다. 기대하는 개수는 {expected:,}개입니다. 차이가 날 만한 곳: 합성곱의 편향(`use_bias`), 단계별 필터 수(2단계 "
              "[64, 64, 256]부터 5단계 [512, 512, 2048]까지), 합성곱 블록 숏컷의 1×1 합성곱, 출력층(Dense, 클래스 6개). "
              "`model.summary()` 출력에서 층별 파라미터 수를 볼 수 있습니다.",
        "en": "The model has {found:,} parameters; expected {expected:,}. Where to look: the convolutions' "
              "biases (`use_bias`), each stage's filters (from [64, 64, 256] in stage 2 to [512, 512, 2048] in "
              "stage 5), the 1×1 convolution on each convolutional block's shortcut, and the output layer "
              "(Dense, 6 classes). `model.summary()` lists the parameters layer by layer.",
    },
    "resnet_check.values_inference": {
        "ko": "구조는 맞아 보이지만, 역할별로 정한 가중치를 넣고 추론(inference) 모드로 계산한 출력이 기대값과 다릅니다(최대 차이 {diff:.3g}). 각 층에 넘기는 "
              "텐서, 즉 주 경로의 X와 숏컷의 X_shortcut을 다시 확인하세요.",
        "en": "The structure looks right, but with weights set by role the output in inference mode differs from the "
              "expected values (largest difference {diff:.3g}). Check which tensor (X or X_shortcut) each layer receives.",
    },
    "resnet_check.values_training": {
        "ko": "추론 모드의 출력은 맞지만 훈련 모드의 출력이 다릅니다(최대 차이 {diff:.3g}). 배치 정규화가 호출에서 모드를 받는지, 즉 `training=` 인자를 고정하지 "
              "않았는지 확인하세요.",
        "en": "Inference-mode outputs match, but training-mode outputs differ (largest difference {diff:.3g}). "
              "Check that BatchNormalization takes its mode from the call (no hard-wired `training=`).",
    },
    "resnet_check.build_failed": {
        "ko": "블록을 만들다가 오류가 났습니다. 오류가 나기 전까지 만든 층을 살펴본 결과는 다음과 같습니다.",
        "en": "Building the block failed. Here is what the layers made before the failure show.",
    },
    "resnet_check.values_not_finite": {
        "ko": "출력에 NaN이나 무한대가 있습니다. 값이 어디서 폭주하는지 찾으세요: 합성곱마다 뒤에 배치 정규화가 있는지, 블록마다 숏컷을 한 번만 더하는지, 각 층이 맞는 텐서를 "
              "받는지 차례로 확인하세요.",
        "en": "The output holds NaN or infinite values. Find where the values blow up: check that every "
              "convolution is followed by BatchNormalization, that each block adds its shortcut once, and that "
              "each layer receives the right tensor.",
    },
})

# ---------------------------------------------------------------------------------------
# Building models with the student's functions
# ---------------------------------------------------------------------------------------


def _keras():
    import keras

    return keras


def _check_tensor(out):
    keras = _keras()
    if out is None:
        return [("resnet_check.returns_none", {})]
    if not isinstance(out, keras.KerasTensor):
        return [("resnet_check.not_tensor", {"found": type(out).__name__})]
    return []


def _salvage(function, X, error):
    """Keras tensors the student's code had made when it failed, as a multi-output model.

    A block whose two paths end with different shapes fails inside `Add`, so there is no
    model to read. The tensors are still in the student's frames (X, X_shortcut, ...): a
    model from the input to them shows the graph up to the add, which is enough to name
    the mistake (valid padding, a missing stride, wrong filters).
    """
    import os

    keras = _keras()
    ours = os.path.dirname(os.path.abspath(__file__))
    tensors, seen = [], {id(X)}
    tb = error.__traceback__
    while tb is not None:
        filename = os.path.abspath(tb.tb_frame.f_code.co_filename)
        if not filename.startswith(ours) and "site-packages" not in filename:
            for value in list(tb.tb_frame.f_locals.values()):
                candidates = value if isinstance(value, (list, tuple)) else [value]
                for item in candidates:
                    if isinstance(item, keras.KerasTensor) and id(item) not in seen:
                        seen.add(id(item))
                        tensors.append(item)
        tb = tb.tb_next
    if not tensors:
        return None
    try:
        return keras.Model(X, tensors)
    except Exception:
        return None


def build_block_model(function, input_shape, *args, **kwargs):
    """`keras.Model(X, function(X, *args, **kwargs))` for an input of `input_shape`.

    Returns (model, problems). problems is empty for a model built as asked. When the
    function fails after making some layers (typically at the add, with mismatched
    shapes), model is the graph salvaged up to the failure and problems holds
    `resnet_check.build_failed`; diagnose that graph to name the cause. Other failures
    (NotImplementedError included) propagate.
    """
    keras = _keras()
    X = keras.Input(shape=tuple(input_shape))
    try:
        out = function(X, *args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:
        partial = _salvage(function, X, error)
        if partial is None:
            raise
        partial._course_error = error
        # Keras's sentence once, under both languages (common.DETAIL), not inside each
        failed = [("resnet_check.build_failed", {DETAIL: error_summary(error)[:300]})]
        return partial, failed + habit_problems_with_error(error)[1:]
    problems = _check_tensor(out)
    if problems:
        return None, problems
    try:
        return keras.Model(X, out), []
    except ValueError as error:
        if "times in the model" not in str(error):
            raise
        # Two layers with one name (`'2a'` pasted twice): Keras refuses the model. What the
        # block computes does not depend on names, so tell the copies apart and go on; the
        # names check reports them.
        _tell_copies_apart(out)
        return keras.Model(X, out), []


def _tell_copies_apart(out):
    """Rename the later layers that share a name with an earlier one: `<name>_2`, `<name>_3`, ..."""
    seen, order, stack, visited = {}, [], [out], set()
    while stack:
        tensor = stack.pop()
        history = getattr(tensor, "_keras_history", None)
        if history is None or id(history[0]) in visited:
            continue
        operation = history[0]
        visited.add(id(operation))
        order.append(operation)
        for node in getattr(operation, "_inbound_nodes", []):
            stack.extend(node.input_tensors)
    for operation in reversed(order):  # input side first: the first of a name keeps it
        count = seen.get(operation.name, 0) + 1
        seen[operation.name] = count
        if count > 1:
            operation.name = f"{operation.name}_{count}"


_resnet_cache = {}


def _call_resnet(function, input_shape, classes):
    if input_shape is None and classes is None:
        return function()  # the interface's defaults: (64, 64, 3) and 6 classes
    return function(input_shape=tuple(input_shape), classes=classes)


def build_resnet(function, input_shape=None, classes=None, stand_ins=False):
    """The student's ResNet50 for these arguments (None, None: its defaults), built once per function.

    With `stand_ins`, the graded block functions are replaced by stand-ins while it is built
    (`stand_ins.py`); returns (model, calls) then. Graded cells reuse what was built, so
    autograde builds each variant once per argument set, not once per cell.
    """
    code = getattr(function, "__code__", None)
    key = (id(function), id(code), None if input_shape is None else tuple(input_shape), classes, stand_ins)
    if key not in _resnet_cache:
        if len(_resnet_cache) >= 4:  # two argument sets, two variants at most: keep memory flat
            _resnet_cache.pop(next(iter(_resnet_cache)))
        if stand_ins:
            with standing_in(function) as replaced:
                model = _call_resnet(function, input_shape, classes)
            _resnet_cache[key] = (model, replaced.calls)
        else:
            _resnet_cache[key] = _call_resnet(function, input_shape, classes)
    return _resnet_cache[key]


def _error_text(error):
    return f"{type(error).__name__}: {str(error)[:400]}"


def export_block_cases(grade_id, function, cases):
    """Build one block model per case and export each (a graph cut short too) before anything is asserted.

    cases: {case: (input_shape, keyword arguments)}. Returns {case: problems} for the cell's
    own asserts, after every case is exported: one case failing never hides another.
    """
    export_json(grade_id, "cases", {k: {"input_shape": list(shape), **args} for k, (shape, args) in cases.items()})
    found = {}
    for case, (shape, args) in cases.items():
        try:
            model, problems = build_block_model(function, shape, **args)
        except NotImplementedError:
            raise
        except Exception as error:  # nothing to export: the judge reads the error's text
            export_json(grade_id, f"{case}__error", {"error": _error_text(error)})
            found[case] = [("check.keras_error", {DETAIL: error_summary(error)[:300]})]
            continue
        if model is not None:
            export_model(grade_id, case, model)
        if problems and getattr(model, "_course_error", None) is not None:
            export_json(grade_id, f"{case}__error", {"error": _error_text(model._course_error)})
        found[case] = problems
    return found


def export_resnet_cases(grade_id, function, cases):
    """Export the student's ResNet50 for each case, built with stand-ins for the graded blocks.

    cases: {case: None (the defaults, `ResNet50()`) or (input_shape, classes)}. Each case
    exports `<case>.model.json` (with stand-ins) and `<case>__stand_ins.json` (how ResNet50
    called the blocks); `default__full.model.json` is ResNet50 as built with the notebook's own
    blocks. Returns {case: error text} for the cases that raised.
    """
    errors = {}
    for case, args in cases.items():
        shape, classes = args if args is not None else (None, None)
        try:
            model, calls = build_resnet(function, shape, classes, stand_ins=True)
        except NotImplementedError:
            raise
        except Exception as error:
            errors[case] = _error_text(error)
            export_json(grade_id, f"{case}__error", {"error": errors[case]})
            continue
        export_model(grade_id, case, model)
        export_json(grade_id, f"{case}__stand_ins", {"calls": calls})
    if "default" in cases:
        # As built with the notebook's own blocks (already built by the cell's `require` line):
        # the reference run's copy gives the judge the reference blocks to put in place.
        try:
            full = build_resnet(function)
        except Exception:  # the student's blocks fail: that is the block exercises' to charge
            full = None
        if full is not None and hasattr(full, "to_json"):
            export_model(grade_id, "default__full", full)
    return errors


@naming_habits
def answered(function, *args, **kwargs):
    """No problems unless calling the function raises (NotImplementedError means "not answered")."""
    keras = _keras()
    if function.__name__ == "ResNet50":
        model = build_resnet(function, *args, **kwargs)
        if model is None:
            return [("resnet_check.returns_none", {})]
        if not isinstance(model, keras.Model):
            return [("resnet_check.not_model", {"found": type(model).__name__})]
        return []
    _, problems = build_block_model(function, *args, **kwargs)
    return problems


# ---------------------------------------------------------------------------------------
# Values on a fixed input with weights set by role
# ---------------------------------------------------------------------------------------


def fixed_input(shape, seed=0):
    """The public input for value checks: smooth, deterministic, both signs."""
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 1.0, size=shape).astype("float32")


def output_summary(values):
    """A short fingerprint of an output: per-channel means, first and last pixel."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 2:
        return values.reshape(-1)
    return np.concatenate([values.mean(axis=(0, 1, 2)), values[0, 0, 0], values[-1, -1, -1]])


def outputs_by_role(model, roles, X):
    """(inference, training) outputs of `model` on X after filling its weights by role."""
    fill_weights(model, roles)
    inference = np.asarray(model(X, training=False), dtype=np.float64)
    # Training mode normalises with the batch's own statistics, so the moving averages this
    # call updates play no part in its output: no need to fill the weights again.
    training = np.asarray(model(X, training=True), dtype=np.float64)
    return inference, training


def _compare(found, expected, key, tolerance):
    found = np.asarray(found, dtype=np.float64)
    if not np.all(np.isfinite(found)):
        return [("resnet_check.values_not_finite", {})]
    diff = float(np.max(np.abs(found - np.asarray(expected)))) if found.shape == np.shape(expected) else float("inf")
    if diff > tolerance:
        return [(key, {"diff": diff})]
    return []


def _compare_modes(model, roles, X, expected):
    inference, training = outputs_by_role(model, roles, X)
    problems = _compare(output_summary(inference), expected["inference"], "resnet_check.values_inference", 1e-3)
    if problems:
        return problems
    return _compare(output_summary(training), expected["training"], "resnet_check.values_training", 1e-3)


# Public cases: (input shape, arguments) and the fingerprints a correct answer gives.
IDENTITY_SHAPE_CASES = [
    ((4, 4, 6), dict(f=3, filters=[2, 3, 6], stage=1, block="a")),
    ((5, 7, 8), dict(f=2, filters=[4, 4, 8], stage=3, block="c")),
]
CONV_SHAPE_CASES = [
    ((5, 5, 3), dict(f=2, filters=[2, 3, 4], stage=1, block="a", s=2)),
    ((6, 6, 4), dict(f=3, filters=[3, 5, 6], stage=2, block="a", s=1)),
    ((9, 9, 2), dict(f=3, filters=[2, 2, 3], stage=5, block="b", s=3)),
    ((6, 6, 3), dict(f=2, filters=[2, 2, 4], stage=3, block="a")),  # `s` left at its default, 2
]
IDENTITY_VALUE_CASE = ((2, 4, 4, 6), dict(f=3, filters=[2, 3, 6], stage=1, block="a"))
CONV_VALUE_CASE = ((2, 5, 5, 3), dict(f=2, filters=[2, 3, 4], stage=1, block="a", s=2))
RESNET_VALUE_INPUT = (2, 64, 64, 3)
RESNET50_PARAMS = 23_600_006

# What a correct answer gives on the public value cases (output_summary of outputs_by_role);
# tests/test_notebook2.py recomputes them from the solutions and fails when they drift.
EXPECTED = {
    "identity_block": {
        "inference": [0.456842, 0.333409, 0.352598, 0.266289, 0.186539, 0.599771, 0.0, 0.0, 0.402505,
                      0.040646, 0.0, 0.714692, 0.0, 0.911212, 0.097316, 0.0, 0.0, 0.0],
        "training": [0.445807, 0.382083, 0.51084, 0.295163, 0.187258, 0.603388, 0.0, 0.0, 0.663217,
                     0.104805, 0.0, 0.898428, 0.004401, 0.842102, 0.01178, 0.0, 0.0, 0.0],
    },
    "convolutional_block": {
        "inference": [0.111634, 0.04325, 0.187628, 0.239275, 0.060055, 0.0, 0.0, 0.0, 0.039997, 0.0, 0.0, 0.0],
        "training": [0.299273, 0.182342, 0.200136, 0.471207, 0.082793, 0.233424, 0.0, 0.0, 0.281112, 0.0,
                     0.0, 0.42339],
    },
    "ResNet50": {
        "inference": [0.154353, 0.166908, 0.080058, 0.030131, 0.07374, 0.494809, 0.178316, 0.219506,
                      0.075982, 0.03149, 0.061366, 0.43334],
        "training": [0.220512, 0.137762, 0.149245, 0.063117, 0.081212, 0.348152, 0.159025, 0.222903,
                     0.148618, 0.097891, 0.142509, 0.229054],
    },
}


def _expected_shape(kind, input_shape, args):
    h, w, c = input_shape
    if kind == "identity":
        return (None, h, w, args["filters"][2])
    s = args.get("s", 2)
    return (None, -(-h // s), -(-w // s), args["filters"][2])


def _check_block(function, kind, shape_cases, value_case):
    """Every problem of the public shape cases (each marked with the case's arguments), then values."""
    diagnose = diagnose_identity_block if kind == "identity" else diagnose_convolutional_block
    found = []
    for input_shape, args in shape_cases:
        model, problems = build_block_model(function, input_shape, **args)
        if model is None:  # no tensor came back: nothing more to read in any case
            return unique(found + problems)
        named = diagnose(model, **args)
        if problems:  # failed half-way at the add: name the cause, else show the error itself
            named = [p for p in named if p[0] != "block.no_add"]  # the add was tried: it is where it failed
            if not named and len(problems) == 1 and not found:
                raise model._course_error
            found += with_case(problems + named, input_shape, **args)
            continue
        if named:
            found += with_case(named, input_shape, **args)
            continue
        out = tuple(model.outputs[0].shape)
        expected = _expected_shape(kind, input_shape, args)
        if out != expected:
            found += with_case([("resnet_check.output_shape", {"input": (None, *input_shape), "found": out,
                                                                "expected": expected})], input_shape, **args)
    if found:
        return unique(found)
    batch_shape, args = value_case
    model, problems = build_block_model(function, batch_shape[1:], **args)
    if problems:
        return problems + diagnose(model, **args) if model is not None else problems
    expected = EXPECTED[function_name(kind)]
    if expected is not None:
        problems = _compare_modes(model, block_roles(model), fixed_input(batch_shape), expected)
        if problems:
            return with_case(problems, batch_shape[1:], **args)
    # Names are a question of their own, asked once the block computes what it should.
    wrong = []
    for input_shape, args in shape_cases:
        model, _ = build_block_model(function, input_shape, **args)
        wrong += [pair for pair in block_names(model, args["stage"], args["block"]) if pair not in wrong]
    return [("block.layer_names", names_message(wrong))] if wrong else []


def function_name(kind):
    return {"identity": "identity_block", "convolutional": "convolutional_block"}[kind]


@naming_habits
def check_identity_block(identity_block):
    """Problems with the student's identity_block (empty list when every public test passes)."""
    return _check_block(identity_block, "identity", IDENTITY_SHAPE_CASES, IDENTITY_VALUE_CASE)


@naming_habits
def check_convolutional_block(convolutional_block):
    """Problems with the student's convolutional_block."""
    return _check_block(convolutional_block, "convolutional", CONV_SHAPE_CASES, CONV_VALUE_CASE)


def resnet50_names(model, classes=6):
    """[(expected, found)] for ResNet50's own layers and every block's layer names, and the model's name."""
    graph = graph_of(model)
    wrong = [] if graph.name == "ResNet50" else [("ResNet50", str(graph.name))]
    wrong += own_layer_names(model, classes)
    for stage, letter, blk in expected_block_letters(model):
        wrong += block_name_problems(graph, blk, stage, letter)
    return wrong


@naming_habits
def check_ResNet50(ResNet50):
    """Problems with the student's ResNet50: layout, blocks, parameter count, values, then names."""
    keras = _keras()
    model = build_resnet(ResNet50)
    if model is None:
        return [("resnet_check.returns_none", {})]
    if not isinstance(model, keras.Model):
        return [("resnet_check.not_model", {"found": type(model).__name__})]
    problems = diagnose_resnet50_layout(model, (64, 64, 3), 6) + diagnose_resnet50_blocks(model)
    if problems:
        return problems
    found = tuple(model.outputs[0].shape)
    if found != (None, 6):
        return [("resnet_check.output_shape", {"input": (None, 64, 64, 3), "found": found, "expected": (None, 6)})]
    params = int(model.count_params())
    if params != RESNET50_PARAMS:
        return [("resnet_check.param_count", {"found": params, "expected": RESNET50_PARAMS})]
    expected = EXPECTED["ResNet50"]
    if expected is not None:
        problems = _compare_modes(model, resnet50_roles(model), fixed_input(RESNET_VALUE_INPUT), expected)
        if problems:
            return problems
    wrong = resnet50_names(model)
    return [("resnet.layer_names", names_message(wrong))] if wrong else []
