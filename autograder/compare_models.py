"""Comparing a student's Keras models with the reference's, fairly.

Models arrive as `model.to_json()` (architecture, no weights). They are rebuilt here only
after an allow-list walk of the JSON (built-in Keras layers and operations only: a `Lambda`
or a custom class would need the student's code to rebuild, and that code never runs in the
judge), then with Keras's own safe mode on.

Fairness: the student's initializer, import style, layer-creation order and spelling do not
matter. Both models get the *same* deterministic weights, layer by layer matched by role
(the seed's layer names when present, else the graph's topology, read by
`diagnose_resnet`), with non-trivial batch-norm statistics; then outputs are compared on the
same inputs in inference mode and in training mode (`model(x, training=True)`). What a
structural check says comes from `diagnose_resnet` (blocks, ResNet50), which names the
mistake; a generic comparison of layer meanings backs it up.
"""

import copy
import hashlib
import json
import zlib
from collections import Counter, OrderedDict
from dataclasses import dataclass

import numpy as np

from resnet_course.utils.messages import register

from . import diagnose_resnet as dr
from .compare_run import ArtifactError, Verdict, ordered_cases

register({
    "model.lambda_refused": {
        "ko": "모델에 `Lambda` 층({layer})이 있습니다. Lambda 층은 여러분의 파이썬 코드가 있어야 다시 만들 수 있는데, "
              "채점기는 안전을 위해 학생 코드를 실행하지 않습니다. Keras의 기본 층(Add, Activation, ReLU 등)만 쓰세요.",
        "en": "The model contains a `Lambda` layer ({layer}). Rebuilding it needs your Python code, and for safety "
              "the judge never runs student code. Use Keras's built-in layers (Add, Activation, ReLU, ...).",
    },
    "model.custom_refused": {
        "ko": "모델에 직접 만든 클래스나 Keras 밖의 객체({what})가 있습니다. 채점기는 학생 코드를 실행하지 않으므로 "
              "이런 모델을 다시 만들 수 없습니다. Keras의 기본 층과 초기화 함수만 쓰세요.",
        "en": "The model contains a custom class or an object from outside Keras ({what}). The judge never runs "
              "student code, so it cannot rebuild such a model. Use Keras's built-in layers and initializers only.",
    },
    "model.too_large": {
        "ko": "모델이 너무 큽니다({what}). 과제가 요구하는 크기를 확인하세요.",
        "en": "The model is far too large ({what}). Check the sizes the exercise asks for.",
    },
    "model.unbuildable": {
        "ko": "모델 구조(JSON)로 모델을 다시 만들 수 없습니다: {error}",
        "en": "The model cannot be rebuilt from its architecture (JSON): {error}",
    },
    "model.case_missing": {
        "ko": "테스트 인자 {case}에 대한 결과가 채점기에 도착하지 않았습니다. 함수가 그 인자에서 오류를 내는지 확인하세요.",
        "en": "No result reached the grader for the test arguments {case}. Check whether your function raises for them.",
    },
    "model.input_shape": {
        "ko": "모델의 입력 모양이 {found}입니다. {expected}여야 합니다.",
        "en": "The model's input shape is {found}, expected {expected}.",
    },
    "model.output_shape": {
        "ko": "{case}: 출력 모양이 {found}입니다. {expected}여야 합니다.",
        "en": "{case}: the output has shape {found}, expected {expected}.",
    },
    "model.values_differ": {
        "ko": "{case}: 같은 가중치와 같은 입력에서 {mode} 출력이 기대값과 다릅니다(최대 차이 {diff:.3g}).",
        "en": "{case}: with the same weights and inputs, the {mode} output differs from the expected one "
              "(largest difference {diff:.3g}).",
    },
    "model.mode_inference": {"ko": "추론 모드(inference mode)", "en": "inference-mode"},
    "model.mode_training": {"ko": "학습 모드(training mode)", "en": "training-mode"},
    "model.training_only_hint": {
        "ko": "추론 모드의 출력은 맞지만 학습 모드에서만 다릅니다. 배치 정규화(BatchNormalization)의 축(axis=3, 채널 축)과 "
              "`training=` 인자를 확인하세요.",
        "en": "Inference-mode outputs match; only training mode differs. Check BatchNormalization's axis (axis=3, "
              "the channels) and any `training=` argument.",
    },
    "model.look_at": {
        "ko": "구조 검사가 찾은 문제: {problem}",
        "en": "What the structure check found: {problem}",
    },
    "model.meaning_differs": {
        "ko": "모델 구조가 기대와 다릅니다. 빠진 층: {missing}. 더 있는 층: {extra}.",
        "en": "The model's structure differs from the expected one. Missing: {missing}. Unexpected: {extra}.",
    },
    "model.wiring_differs": {
        "ko": "층의 종류와 개수는 맞지만 연결 순서가 다릅니다. 기대한 연결 중 빠진 것: {missing}.",
        "en": "The layers are the right kinds and number, but they are wired in a different order. "
              "Expected connections that are missing: {missing}.",
    },
    "model.params_differ": {
        "ko": "파라미터 수가 {found:,}개입니다. {expected:,}개여야 합니다(차이 {delta:+,}).",
        "en": "The model has {found:,} parameters, expected {expected:,} (difference {delta:+,}).",
    },
    "model.none": {"ko": "없음", "en": "none"},
    "deep.layer_count": {
        "ko": "은닉 Dense 층이 {found}개입니다. depth={expected}개여야 합니다(`hidden_1` … `hidden_{expected}`).",
        "en": "There are {found} hidden Dense layers, expected depth={expected} (`hidden_1` … `hidden_{expected}`).",
    },
    "deep.units": {
        "ko": "은닉층 {layer}의 유닛이 {found}개입니다. width={expected}여야 합니다.",
        "en": "Hidden layer {layer} has {found} units, expected width={expected}.",
    },
    "deep.activation": {
        "ko": "은닉층 {layer}의 활성화 함수가 {found}입니다. 인자로 받은 activation({expected})을 쓰세요.",
        "en": "Hidden layer {layer} uses activation {found}; use the activation argument ({expected}).",
    },
    "deep.output": {
        "ko": "출력층이 기대와 다릅니다: {found}. 활성화 함수 없는 `Dense(1, name=\"output\")`여야 합니다.",
        "en": "The output layer is not as expected: {found}. It should be `Dense(1, name=\"output\")` with no activation.",
    },
    "deep.skip_count": {
        "ko": "잔차 연결(Add)이 {found}개입니다. residual={residual}이고 depth={depth}이면 {expected}개여야 합니다"
              "(첫 은닉층 뒤의 층마다 하나, `skip_2` … ).",
        "en": "There are {found} skip connections (Add); with residual={residual} and depth={depth} there should "
              "be {expected} (one per hidden layer after the first, `skip_2` …).",
    },
    "deep.skip_wiring": {
        "ko": "잔차 연결 {layer}이(가) 은닉층의 입력과 출력을 더하지 않습니다. `h = Add()([h, hidden_i(h)])`처럼 "
              "층에 들어가는 h와 그 층의 출력을 더하세요.",
        "en": "Skip connection {layer} does not add a hidden layer's input to its output. Add the h that goes into "
              "the layer and the layer's output: `h = Add()([h, hidden_i(h)])`.",
    },
    "deep.names": {
        "ko": "층 이름이 약속과 다릅니다: {examples}. 이름은 `hidden_1` … , `skip_2` … , `output`입니다.",
        "en": "Layer names differ from the agreed ones: {examples}. Use `hidden_1` …, `skip_2` …, `output`.",
    },
})

# ---------------------------------------------------------------------------------------
# Safe loading
# ---------------------------------------------------------------------------------------

_LAYERS = {
    "InputLayer", "Conv2D", "Convolution2D", "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "ELU",
    "Softmax", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "ZeroPadding2D",
    "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D",
    "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout", "SpatialDropout2D", "GaussianNoise", "Identity",
    "Reshape", "Rescaling", "ActivityRegularization",
}
_MODELS = {"Functional", "Model", "Sequential"}
_SAFE_MODULE_PREFIXES = ("keras.layers", "keras.src.layers", "keras.initializers", "keras.src.initializers",
                         "keras.regularizers", "keras.src.regularizers", "keras.constraints",
                         "keras.src.constraints", "keras.activations", "keras.src.activations",
                         "keras.src.ops", "keras.ops", "keras.src.models", "keras.models", "keras")
_SIZE_KEYS = {"units": 8192, "filters": 8192}
MAX_LAYERS = 1500
MAX_PARAMS = 60_000_000
# Beyond these caps, the worker's address-space limit (judge.Judge.memory_limit_mb) stops a
# model that would still allocate too much: that check alone fails, in its own process.


def check_safe(config):
    """Walk a model's JSON; raise ArtifactError for anything that needs student code to rebuild."""
    count = [0]

    def walk(value, depth=0):
        if depth > 200:
            raise ArtifactError("model.too_large", what="nesting")
        if isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
            return
        if not isinstance(value, dict):
            return
        cls = value.get("class_name")
        if cls == "__lambda__":
            raise ArtifactError("model.lambda_refused", layer="lambda")
        if cls == "Lambda":
            raise ArtifactError("model.lambda_refused", layer=value.get("name") or "?")
        module = value.get("module")
        if isinstance(cls, str) and "module" in value:
            module = module or ""
            if module == "builtins" and cls == "function":
                pass  # a built-in activation referenced by name
            elif not module.startswith(_SAFE_MODULE_PREFIXES):
                raise ArtifactError("model.custom_refused", what=f"{module}.{cls}")
            elif module.startswith(("keras.layers", "keras.src.layers")) and cls not in _LAYERS:
                raise ArtifactError("model.custom_refused", what=cls)
            elif module.startswith(("keras.src.models", "keras.models")) and cls not in _MODELS:
                raise ArtifactError("model.custom_refused", what=cls)
            registered = value.get("registered_name")
            if registered not in (None, cls) and ">" in str(registered):
                raise ArtifactError("model.custom_refused", what=str(registered))
            if module.startswith(("keras.layers", "keras.src.layers", "keras.src.ops")):
                count[0] += 1
                if count[0] > MAX_LAYERS:
                    raise ArtifactError("model.too_large", what=f"> {MAX_LAYERS} layers")
        for key, limit in _SIZE_KEYS.items():
            size = value.get(key)
            if isinstance(size, (int, float)) and not isinstance(size, bool) and size > limit:
                raise ArtifactError("model.too_large", what=f"{key}={size}")
        for key, limit in (("kernel_size", 64), ("pool_size", 64), ("batch_shape", 1024), ("batch_input_shape", 1024)):
            dims = value.get(key)
            if isinstance(dims, list) and any(isinstance(d, int) and d > limit for d in dims):
                raise ArtifactError("model.too_large", what=f"{key}={dims}")
        for item in value.values():
            walk(item, depth + 1)

    walk(config)


def safe_config(folder, case, context):
    """A model's JSON after the safety walk, without building it (structure checks need no weights)."""
    config = folder.model_config(case)
    if not folder.trusted:
        key = "safe:" + hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
        if key not in context.cache:
            try:
                check_safe(config)
                context.cache[key] = None
            except ArtifactError as error:
                context.cache[key] = error
        if context.cache[key] is not None:
            raise context.cache[key]
    return config


def load_model(folder, case, context):
    """Rebuild one exported model (cached per file content) after the safety walk."""
    config = folder.model_config(case)
    key = "model:" + hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    if key in context.cache:
        cached = context.cache[key]
        if isinstance(cached, ArtifactError):
            raise cached
        return cached
    try:
        if not folder.trusted:
            check_safe(config)
        import keras

        try:
            # Keras consumes the dict it is given; the structure checks need it intact.
            model = keras.saving.deserialize_keras_object(copy.deepcopy(config), safe_mode=True)
        except Exception as error:
            raise ArtifactError("model.unbuildable", error=f"{type(error).__name__}: {str(error)[:300]}") from None
        if not isinstance(model, keras.Model):
            raise ArtifactError("model.unbuildable", error=type(model).__name__)
        if model.count_params() > MAX_PARAMS:
            raise ArtifactError("model.too_large", what=f"{model.count_params():,} parameters")
    except ArtifactError as error:
        context.cache[key] = error
        raise
    context.cache[key] = (model, config)
    return model, config


# ---------------------------------------------------------------------------------------
# Deterministic weights by role
# ---------------------------------------------------------------------------------------


def _seed(*parts):
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _weight_values(role, kind, shape):
    """The same numbers for the same role, kind and shape, whichever model asks."""
    rng = np.random.default_rng(_seed(role, kind, shape))
    if kind == "kernel":
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else int(shape[0])
        return rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), size=shape)
    if kind == "bias":
        return rng.normal(0.0, 0.1, size=shape)
    if kind == "gamma":
        return rng.uniform(0.7, 1.3, size=shape)
    if kind == "beta":
        return rng.normal(0.0, 0.2, size=shape)
    if kind == "moving_mean":
        return rng.normal(0.0, 0.3, size=shape)
    if kind == "moving_variance":
        return rng.uniform(0.6, 1.6, size=shape)
    return rng.normal(0.0, 0.1, size=shape)


def _kind_of(variable):
    name = getattr(variable, "path", None) or variable.name
    return str(name).split("/")[-1].split(":")[0]


# Drawing ResNet50's 23.6 million numbers takes about 0.4 s and every student asks for the
# same ones: the worker keeps the arrays it made (read-only; set_weights copies them).
_WEIGHTS = OrderedDict()
_WEIGHT_BUDGET_BYTES = 256 * 2**20
_weight_bytes = 0  # what _WEIGHTS holds, kept as it changes (ResNet50 alone has ~700 arrays)


def _weights_for(role, kind, shape, scale):
    global _weight_bytes
    key = (role, kind, shape, scale)
    array = _WEIGHTS.get(key)
    if array is not None:
        _WEIGHTS.move_to_end(key)
        return array
    array = (_weight_values(role, kind, shape) * scale).astype(np.float32)
    array.flags.writeable = False
    _WEIGHTS[key] = array
    _weight_bytes += array.nbytes
    while _weight_bytes > _WEIGHT_BUDGET_BYTES and len(_WEIGHTS) > 1:
        _, dropped = _WEIGHTS.popitem(last=False)
        _weight_bytes -= dropped.nbytes
    return array


def fill_weights(model, roles, scales=None):
    """Set every weight of `model`: layers named in `roles` ({role: layer name}) by role, others by name."""
    by_layer = {name: role for role, name in roles.items()}
    scales = scales or {}
    for layer in model.layers:
        if not layer.weights:
            continue
        role = by_layer.get(layer.name, f"unmatched:{layer.name}")
        values = []
        for variable in layer.weights:
            kind = _kind_of(variable)
            shape = tuple(int(d) for d in variable.shape)
            values.append(_weights_for(role, kind, shape, float(scales.get((role, kind), 1.0))))
        layer.set_weights(values)


def model_input(model, batch=4, seed=0):
    shape = model.inputs[0].shape
    dims = [int(d) if d is not None else 8 for d in shape[1:]]
    return np.random.default_rng(seed).normal(0.0, 1.0, size=[batch, *dims]).astype(np.float32)


def outputs(model, x, training):
    import keras

    values = model(x, training=training)
    if isinstance(values, (list, tuple)):
        values = values[0]
    return np.asarray(keras.ops.convert_to_numpy(values), dtype=np.float64)


def close(found, expected, rtol=1e-4):
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    return bool(np.allclose(found, expected, rtol=rtol, atol=1e-5 * scale))


# ---------------------------------------------------------------------------------------
# Meaning of a graph (spelling-independent), for the generic structure comparison
# ---------------------------------------------------------------------------------------


def _meaning(node):
    c = node.config
    if node.kind == "conv":
        k, s = node.kernel, node.strides
        padding = "-" if k == (1, 1) else node.padding
        return f"Conv2D({node.filters}, {k[0]}x{k[1]}, stride {s[0]}x{s[1]}, {padding}, bias={c.get('use_bias', True)})"
    if node.kind == "bn":
        axis = c.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        axis = -1 if axis == 3 else axis
        return f"BatchNormalization(axis={axis})"
    if node.kind == "dense":
        return f"Dense({c.get('units')}, bias={c.get('use_bias', True)})"
    if node.kind in ("maxpool", "avgpool"):
        size = dr._pair(c.get("pool_size"))
        strides = dr._pair(c.get("strides") or c.get("pool_size"))
        return f"{node.kind}({size[0]}x{size[1]}, stride {strides[0]}, {c.get('padding', 'valid')})"
    if node.kind == "zeropad":
        return f"ZeroPadding2D({c.get('padding')})"
    if node.kind == "activation":
        return f"activation({dr._activation_name(c.get('activation')) or node.class_name})"
    if node.kind == "other":
        return node.class_name
    return node.kind


def _skip_passthrough(graph, name):
    while name in graph.nodes and graph[name].kind in ("passthrough",) and len(graph[name].inputs) == 1:
        name = graph[name].inputs[0]
    return name


def meaning_summary(config):
    """(Counter of node meanings, Counter of (parent meaning → child meaning) edges)."""
    graph = dr.graph_of(config)
    nodes, edges = Counter(), Counter()
    for node in graph.nodes.values():
        if node.kind in ("passthrough", "input"):
            continue
        nodes[_meaning(node)] += 1
        for parent in node.inputs:
            parent = _skip_passthrough(graph, parent)
            if parent in graph.nodes:
                edges[(_meaning(graph[parent]), _meaning(node))] += 1
    return nodes, edges


def meaning_problems(student_config, reference_config):
    s_nodes, s_edges = meaning_summary(student_config)
    r_nodes, r_edges = meaning_summary(reference_config)
    if s_nodes != r_nodes:
        missing = r_nodes - s_nodes
        extra = s_nodes - r_nodes
        show = lambda c: ", ".join(f"{n}×{k}" if k > 1 else n for n, k in sorted(c.items())[:4]) or "-"  # noqa: E731
        return [("model.meaning_differs", {"missing": show(missing), "extra": show(extra)})]
    if s_edges != r_edges:
        missing = r_edges - s_edges
        shown = ", ".join(f"{a} → {b}" for (a, b) in sorted(missing)[:3])
        return [("model.wiring_differs", {"missing": shown})]
    return []


# ---------------------------------------------------------------------------------------
# Shared steps
# ---------------------------------------------------------------------------------------


def _cases(student, reference):
    return ordered_cases(student, reference, "model.json", "model.case_missing")


def _roles(config, kind):
    if kind == "block":
        return dr.block_roles(config)
    if kind == "resnet":
        return dr.resnet50_roles(config)
    if kind == "deep":  # Dense layers in graph order: hidden_1 … hidden_depth, output
        dense = [n.name for n in dr.graph_of(config).nodes.values() if n.kind == "dense"]
        return {f"dense{i}": name for i, name in enumerate(dense)}
    return {}


def _reference_roles(r_model, r_config, kind):
    """{role: layer name} of the reference: the seed's names first, topology for the rest."""
    r_roles = _roles(r_config, kind)
    r_roles.update({f"name:{layer.name}": layer.name for layer in r_model.layers
                    if layer.weights and layer.name not in r_roles.values()})
    return r_roles


def _matched_roles(s_model, s_config, r_roles, r_classes, kind):
    """{role: layer name} of the student's model, matched to the reference's roles."""
    s_roles = _roles(s_config, kind)
    s_layers = {layer.name: layer for layer in s_model.layers}
    # A student layer carrying the reference layer's name and class takes that layer's role.
    for role, r_name in r_roles.items():
        layer = s_layers.get(r_name)
        if layer is not None and type(layer).__name__ == r_classes[r_name]:
            for other, name in list(s_roles.items()):
                if name == r_name and other != role:
                    del s_roles[other]
            s_roles[role] = r_name
    return s_roles


def _input_shape(model):
    return tuple(model.inputs[0].shape[1:])


def _shape_problem(s_shape, r_shape):
    if s_shape != r_shape:
        return ("model.input_shape", {"found": s_shape, "expected": r_shape})
    return None


def _input_shape_problem(s_model, r_model):
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


# The reference side of a comparison is the same for every student: a worker grading a class
# computes it once per reference model, case and mode (ResNet50: about 2 s saved per student).
_REFERENCE_RUNS = OrderedDict()
_REFERENCE_RUNS_KEPT = 64


def _reference_run(reference, case, context, kind, training, head_scale):
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


def _run_pair(student, reference, context, case, kind, training, head_scale=False):
    """Fill both models with the same weights by role; return (student outputs, reference outputs)."""
    s_model, s_config = load_model(student, case, context)  # refuses unsafe models first
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


def _values_verdict(student, reference, context, kind, training, hints, head_scale=False):
    mode = "model.mode_training" if training else "model.mode_inference"
    from resnet_course.utils.messages import text

    for case in _cases(student, reference):
        found, expected, problem = _run_pair(student, reference, context, case, kind, training, head_scale)
        if problem:
            return Verdict(False, [problem])
        if found.shape != expected.shape:
            return Verdict(False, [("model.output_shape", {"case": case, "found": found.shape[1:],
                                                            "expected": expected.shape[1:]})] + hints(case)[:1])
        if not close(found, expected):
            problems = [("model.values_differ", {"case": case, "mode": text(mode),
                                                 "diff": float(np.max(np.abs(found - expected)))})]
            if training:
                f_inf, e_inf, _ = _run_pair(student, reference, context, case, kind, False, head_scale)
                if f_inf.shape == e_inf.shape and close(f_inf, e_inf):
                    problems.append(("model.training_only_hint", {}))
            structural = hints(case)
            if structural:
                key, values = structural[0]
                problems.append(("model.look_at", {"problem": text(key, **values)}))
            return Verdict(False, problems)
    return Verdict.ok()


# ---------------------------------------------------------------------------------------
# Blocks (notebook 2)
# ---------------------------------------------------------------------------------------


def _block_args(r_config):
    """f, filters, s, stage, block of the reference block (read from its graph)."""
    graph = dr.graph_of(r_config)
    roles = dr.block_roles(r_config)
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
        found = dr.diagnose_convolutional_block(s_config, args["f"], args["filters"], args["s"],
                                                args["stage"], args["block"])
    else:
        found = dr.diagnose_identity_block(s_config, args["f"], args["filters"], args["stage"], args["block"])
    return found


def _structure(student, reference, context, diagnose):
    for case in _cases(student, reference):
        s_model, s_config = load_model(student, case, context)  # refuses unsafe models first
        r_model, r_config = load_model(reference, case, context)
        problem = _input_shape_problem(s_model, r_model)
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
    return _values_verdict(student, reference, context, "block", False, _block_hints(student, reference, context))


def block_training(student, reference, context):
    return _values_verdict(student, reference, context, "block", True, _block_hints(student, reference, context))


# ---------------------------------------------------------------------------------------
# ResNet50 (notebook 2)
# ---------------------------------------------------------------------------------------


def _resnet_args(r_config):
    graph = dr.graph_of(r_config)
    shape = tuple(graph[graph.inputs[0]].config.get("batch_shape", [None, 64, 64, 3])[1:])
    dense = graph.of_kind("dense")
    classes = dense[-1].config.get("units") if dense else 6
    return shape, classes


def resnet_layout(student, reference, context):
    def diagnose(case):
        shape, classes = _resnet_args(reference.model_config(case))
        return dr.diagnose_resnet50_layout(student.model_config(case), shape, classes)

    for case in _cases(student, reference):
        safe_config(student, case, context)
        problems = diagnose(case)
        if not problems:
            s_layout = dr.resnet50_layout(student.model_config(case))
            r_layout = dr.resnet50_layout(reference.model_config(case))
            if [(s["blocks"], s["all_filters"], s["stride"]) for s in s_layout["stages"]] != \
                    [(s["blocks"], s["all_filters"], s["stride"]) for s in r_layout["stages"]]:
                problems = [("resnet.stage_count", {"found": len(s_layout["stages"]),
                                                    "expected": len(r_layout["stages"])})]
        if problems:
            return Verdict(False, problems[:4])
    return Verdict.ok()


def resnet_layers(student, reference, context):
    """Every block's inside and every layer's meaning (spelling aside), apart from the layout."""
    for case in _cases(student, reference):
        s_config = safe_config(student, case, context)
        r_config = reference.model_config(case)
        problems = dr.diagnose_resnet50_blocks(s_config)
        if problems:
            return Verdict(False, problems[:4])
        layout_problems = dr.diagnose_resnet50_layout(s_config, *_resnet_args(r_config))
        if not layout_problems:  # a layout mistake is the layout check's to charge
            problems = meaning_problems(s_config, r_config)
            if problems:
                return Verdict(False, problems)
    return Verdict.ok()


def _inbound_shape(layer):
    """The shape of a layer's (first) input, read from its call in the JSON."""
    calls = layer.get("inbound_nodes") or []
    found = []

    def walk(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                found.append(value["config"]["shape"])
                return
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(calls[0].get("args", []) if calls else [])
    return found[0] if found else None


def count_params(config):
    """A model's parameter count from its JSON alone (Conv2D, BatchNormalization, Dense), or None.

    Same number as `model.count_params()` for the layers a ResNet is made of, without
    building two 23-million-parameter models; None when a layer with weights is of another kind.
    """
    total = 0
    for layer in config.get("config", config).get("layers", []):
        cls, cfg = layer.get("class_name"), layer.get("config", {}) or {}
        shape = _inbound_shape(layer)
        if cls in ("Conv2D", "Convolution2D"):
            k = dr._pair(cfg.get("kernel_size", 1))
            total += k[0] * k[1] * int(shape[-1]) * int(cfg["filters"]) + (int(cfg["filters"]) if cfg.get("use_bias", True) else 0)
        elif cls == "BatchNormalization":
            axis = cfg.get("axis", -1)
            axis = axis[0] if isinstance(axis, list) else axis
            channels = int(shape[axis])
            total += channels * (2 + int(cfg.get("center", True)) + int(cfg.get("scale", True)))
        elif cls == "Dense":
            total += int(shape[-1]) * int(cfg["units"]) + (int(cfg["units"]) if cfg.get("use_bias", True) else 0)
        elif cls in ("Functional", "Model", "Sequential") or (cls not in _LAYERS and "ops" not in str(layer.get("module"))):
            return None
    return total


def resnet_params(student, reference, context):
    for case in _cases(student, reference):
        found = count_params(safe_config(student, case, context))
        expected = count_params(reference.model_config(case))
        if found is None or expected is None:  # a layer this count does not know: build and ask Keras
            found = int(load_model(student, case, context)[0].count_params())
            expected = int(load_model(reference, case, context)[0].count_params())
        if found != expected:
            return Verdict.fail("model.params_differ", found=found, expected=expected, delta=found - expected)
    return Verdict.ok()


def resnet_values(student, reference, context):
    def hints(case):
        try:
            s_config = student.model_config(case)
            return (dr.diagnose_resnet50_layout(s_config, *_resnet_args(reference.model_config(case)))
                    + dr.diagnose_resnet50_blocks(s_config))
        except ArtifactError:
            return []
    return _values_verdict(student, reference, context, "resnet", False, hints, head_scale=True)


# ---------------------------------------------------------------------------------------
# The deep plain / residual network (notebook 1)
# ---------------------------------------------------------------------------------------


def _deep_facts(config):
    graph = dr.graph_of(config)
    dense = [n for n in graph.nodes.values() if n.kind == "dense"]
    adds = graph.of_kind("add")
    return graph, dense, adds


def _effective_activation(graph, node):
    """A Dense layer's activation: its own argument, or an activation layer that alone follows it.

    `Dense(w)` then `Activation("tanh")` computes the same as `Dense(w, activation="tanh")`:
    meaning, not spelling, decides the verdict.
    """
    own = dr._activation_name(node.config.get("activation"))
    if own:
        return own
    following = graph.consumers(node.name)
    if len(following) == 1:
        nxt = graph[following[0]]
        if nxt.kind == "relu":
            return "relu"
        if nxt.kind in ("activation", "softmax"):
            return dr._activation_name(nxt.config.get("activation")) or nxt.class_name.lower()
    return None


def _deep_diagnosis(s_config, r_config):
    problems = []
    add = lambda key, **values: problems.append((key, values))  # noqa: E731
    s_graph, s_dense, s_adds = _deep_facts(s_config)
    r_graph, r_dense, r_adds = _deep_facts(r_config)
    r_hidden, r_out = r_dense[:-1], r_dense[-1]
    s_hidden, s_out = (s_dense[:-1], s_dense[-1]) if s_dense else ([], None)
    depth = len(r_hidden)
    if len(s_hidden) != depth:
        add("deep.layer_count", found=len(s_hidden), expected=depth)
    for s, r in zip(s_hidden, r_hidden):
        if s.config.get("units") != r.config.get("units"):
            add("deep.units", layer=s.name, found=s.config.get("units"), expected=r.config.get("units"))
            break
    for s, r in zip(s_hidden, r_hidden):
        found, expected = _effective_activation(s_graph, s), _effective_activation(r_graph, r)
        if found != expected:
            add("deep.activation", layer=s.name, found=found, expected=expected)
            break
    if s_out is None or s_out.config.get("units") != 1 or dr._activation_name(s_out.config.get("activation")):
        add("deep.output", found=s_out.describe() + f"({s_out.config.get('units')}, "
            f"{dr._activation_name(s_out.config.get('activation'))})" if s_out else "-")
    if len(s_adds) != len(r_adds):
        add("deep.skip_count", found=len(s_adds), expected=len(r_adds), residual=bool(r_adds), depth=depth)
    if not problems:
        names_s = [n.name for n in s_dense] + [n.name for n in s_adds]
        names_r = [n.name for n in r_dense] + [n.name for n in r_adds]
        wrong = [f"{r} ≠ {s}" for s, r in zip(sorted(names_s), sorted(names_r)) if s != r]
        if wrong:
            add("deep.names", examples=", ".join(wrong[:3]))
    return problems


def deep_network_structure(student, reference, context):
    for case in _cases(student, reference):
        s_model, s_config = load_model(student, case, context)
        r_model, r_config = load_model(reference, case, context)
        problem = _input_shape_problem(s_model, r_model)
        if problem:
            return Verdict(False, [problem])
        problems = _deep_diagnosis(s_config, r_config) or meaning_problems(s_config, r_config)
        if problems:
            return Verdict(False, problems[:4])
    return Verdict.ok()


def deep_network_values(student, reference, context):
    def hints(case):
        try:
            return _deep_diagnosis(student.model_config(case), reference.model_config(case))
        except ArtifactError:
            return []
    return _values_verdict(student, reference, context, "deep", False, hints)
