"""The public check of `build_deep_network` (notebook 1): structure, then values.

The structure is read from the model's graph by topology (`diagnosis.deep_network`: units,
activations, wiring, whether built with `Sequential`, a loop or by hand, `Add`, `add` or `+`);
the values are compared with a numpy forward pass of the student's own model, with weights
set here, so the check needs no reference implementation of the exercise. The layer names
(`hidden_i`, `output`) are a question of their own, asked last.
"""

import numpy as np
from resnet_course.utils.messages import register

from ..diagnosis.deep_network import deep_parts, effective_activation, layer_name, name_problems, source_of, value_after
from .common import unique, with_case  # common also registers check.returns_none, returned here
from .habits import naming_habits

register({
    "vanishing.build.not_model": {
        "ko": "keras.Model 객체를 반환해야 하는데 {found} 값을 반환합니다.",
        "en": "It should return a keras.Model, but returns {found}.",
    },
    "vanishing.build.input_dim": {
        "ko": "입력의 특성 수가 {found}입니다. `keras.Input(shape=(input_dim,))` 입력으로 {expected}개여야 합니다.",
        "en": "The input has {found} features; it must have input_dim = {expected}: `keras.Input(shape=(input_dim,))`.",
    },
    "vanishing.build.hidden_count": {
        "ko": "은닉층(이름이 `output` 층이 아닌 Dense 층)이 {found}개입니다. 깊이 depth={depth}이면 {depth}개여야 합니다.",
        "en": "There are {found} hidden layers (Dense layers other than `output`); depth={depth} needs {depth}.",
    },
    "vanishing.build.hidden_names": {
        "ko": "층 이름이 이름 규칙과 다릅니다(기대 ≠ 실제): {examples}. 은닉층은 입력 쪽부터 `hidden_1`, `hidden_2`, …, "
              "출력층은 `output` 이름을 씁니다.",
        "en": "Layer names differ from the naming convention (expected ≠ found): {examples}. The hidden layers are "
              "`hidden_1`, `hidden_2`, … from the input on, and the output layer is `output`.",
    },
    "vanishing.build.width": {
        "ko": "{name}의 유닛 수가 {found}입니다. 은닉층은 모두 width={width}개여야 합니다.",
        "en": "{name} has {found} units; every hidden layer must have width={width}.",
    },
    "vanishing.build.output": {
        "ko": "출력층이 없습니다. 마지막 층은 `Dense(1, name=\"output\")`이어야 합니다.",
        "en": "The output layer is missing: the last layer must be `Dense(1, name=\"output\")`.",
    },
    "vanishing.build.output_units": {
        "ko": "`output` 층의 유닛이 {found}개입니다. 출력은 값 하나, `Dense(1, ...)`입니다.",
        "en": "The `output` layer has {found} units; the output is a single value, `Dense(1, ...)`.",
    },
    "vanishing.build.output_activation": {
        "ko": "`output` 층에 활성화 함수({found})가 있습니다. 출력층에는 활성화 함수를 두지 않습니다.",
        "en": "The `output` layer has an activation ({found}); the output layer has none.",
    },
    "vanishing.build.output_input": {
        "ko": "`output` 층의 입력이 {found}입니다. 마지막 은닉 값 {expected}에 연결하세요.",
        "en": "The `output` layer takes {found}; connect it to the last hidden value, {expected}.",
    },
    "vanishing.build.skip_missing": {
        "ko": "hidden_{i} 층 뒤에 잔차 더하기가 없습니다. residual=True이면 `layers.Add(name=\"skip_{i}\")` 층으로 층에 들어간 h와 "
              "hidden_{i} 층의 출력을 더해야 합니다.",
        "en": "The residual add is missing after hidden_{i}: residual=True needs `layers.Add(name=\"skip_{i}\")` "
              "to add the h that went into the layer to the output of hidden_{i}.",
    },
    "vanishing.build.skip_unnamed": {
        "ko": "더하기 층이 있지만 이름이 {found}입니다. 이름은 skip_2 … skip_{depth} 형태여야 합니다. `layers.Add(name=f\"skip_{{i}}\")` "
              "층으로 더하고 이름을 붙이세요. `h + hidden_i(h)`처럼 `+` 연산자로 더하면 이름을 붙일 수 없습니다.",
        "en": "There are additions named {found}, not skip_2 … skip_{depth}. Name them with "
              "`layers.Add(name=f\"skip_{{i}}\")`: an addition written with `+`, as in `h + hidden_i(h)`, cannot "
              "be named.",
    },
    "vanishing.build.skip_inputs": {
        "ko": "skip_{i} 층이 {found} 값을 더합니다. hidden_{i} 층의 출력과 hidden_{i} 층에 들어간 값({expected})을 더해야 합니다.",
        "en": "skip_{i} adds {found}; it must add hidden_{i}'s output and what went into hidden_{i} ({expected}).",
    },
    "vanishing.build.unexpected_skip": {
        "ko": "residual=False, 즉 잔차 연결 없이 만들어야 하는데 더하기 층({found})이 있습니다. 일반 네트워크에는 스킵 연결이 없습니다.",
        "en": "residual=False, yet there are additions ({found}); a plain network has no skip connections.",
    },
    "vanishing.build.first_skip": {
        "ko": "hidden_1에는 스킵 연결을 두지 않습니다. 스킵 연결은 hidden_2부터입니다.",
        "en": "hidden_1 gets no skip connection; skip connections start at hidden_2.",
    },
    "vanishing.build.hidden_input": {
        "ko": "hidden_{i} 층의 입력이 {found}입니다. 바로 앞의 값인 {expected} 값을 받아야 합니다.",
        "en": "hidden_{i} takes {found}; it must take the value just before it, {expected}.",
    },
    "vanishing.build.no_bias": {
        "ko": "{name}에 편향이 없습니다. `use_bias` 인자는 기본값(True)으로 두세요.",
        "en": "{name} has no bias; leave `use_bias` at its default (True).",
    },
    "vanishing.build.wrong_activation": {
        "ko": "은닉층이 {found} 활성화 함수를 씁니다. 인자로 받은 활성화 함수 activation={expected!r} 값을 그대로 써야 합니다.",
        "en": "The hidden layers use the {found} activation; they must use the given activation={expected!r}.",
    },
    "vanishing.build.activation_after_add": {
        "ko": "활성화 함수가 더하기 뒤에 적용됩니다: act(h + Wh + b). 순서는 h + act(Wh + b)입니다.",
        "en": "The activation is applied after the add: act(h + Wh + b). It must be h + act(Wh + b).",
    },
    "vanishing.build.values": {
        "ko": "구조는 맞지만 계산한 값이 기대값과 다릅니다. 각 은닉층은 {rule} 식을 따라야 합니다 (깊이 depth={depth}, 잔차 residual={residual}, "
              "최대 차이 {diff:.2e}).",
        "en": "The structure is right but the values differ from the expected ones: each hidden layer must "
              "compute {rule} (depth={depth}, residual={residual}, largest difference {diff:.2e}).",
    },
})

ACTIVATIONS = ("sigmoid", "tanh", "relu")

_BUILD_CASES = (  # depth, width, activation, residual, input_dim
    (4, 8, "relu", False, 2),
    (4, 8, "tanh", True, 2),
    (3, 5, "sigmoid", True, 3),
)


def _activation_of(parts, node):
    found = effective_activation(parts.graph, node)
    return found or "linear"


def _structure_problems(model, depth, width, activation, residual, input_dim):
    """What the graph shows, read by topology (`diagnosis.deep_network`): names play no part here."""
    import keras

    if not isinstance(model, keras.Model):
        return [("vanishing.build.not_model", {"found": type(model).__name__})]
    problems = []
    found_dim = model.inputs[0].shape[-1] if model.inputs else None
    if found_dim != input_dim:
        problems.append(("vanishing.build.input_dim", {"found": found_dim, "expected": input_dim}))
    parts = deep_parts(model)
    graph = parts.graph
    if parts.output is None:
        return problems + [("vanishing.build.output", {})]
    if len(parts.hidden) != depth:
        return problems + [("vanishing.build.hidden_count", {"found": len(parts.hidden), "depth": depth})]
    for index, node in enumerate(parts.hidden, start=1):
        units = node.config.get("units")
        if units != width:
            problems.append(("vanishing.build.width", {"name": f"hidden_{index}", "found": units, "width": width}))
            break
    if residual and any(graph[n].kind in ("relu", "activation") for add in parts.adds
                        for n in graph.consumers(add.name)):
        return problems + [("vanishing.build.activation_after_add", {})]
    found_acts = {_activation_of(parts, node) for node in parts.hidden}
    if found_acts != {activation}:
        other = sorted(found_acts - {activation})
        problems.append(("vanishing.build.wrong_activation", {"found": ", ".join(other), "expected": activation}))
    if parts.output.config.get("units") != 1:
        problems.append(("vanishing.build.output_units", {"found": parts.output.config.get("units")}))
    out_act = effective_activation(graph, parts.output)
    if out_act:
        problems.append(("vanishing.build.output_activation", {"found": out_act}))
    if not residual and parts.adds:
        return problems + [("vanishing.build.unexpected_skip", {"found": ", ".join(n.name for n in parts.adds)})]
    # One walk for both wirings: hidden_i reads what came before it (the value of hidden_{i-1}
    # in a plain network, the sum after it in a residual one); a residual network adds.
    previous = parts.values[0] if parts.values else None
    if residual and parts.values:
        for name in graph.consumers(parts.values[0]):
            summed = {source_of(graph, n) for n in graph[name].inputs}
            if graph[name].kind == "add" and graph.inputs and graph.inputs[0] in summed:
                return problems + [("vanishing.build.first_skip", {})]
    for i in range(2, depth + 1):
        node, value = parts.hidden[i - 1], parts.values[i - 1]
        source = source_of(graph, node.inputs[0]) if node.inputs else None
        if source != previous:
            return problems + [("vanishing.build.hidden_input", {
                "i": i, "found": layer_name(source), "expected": layer_name(previous)})]
        if not residual:
            previous = value
            continue
        adds = [c for c in graph.consumers(value) if graph[c].kind == "add"]
        if not adds:
            return problems + [("vanishing.build.skip_missing", {"i": i})]
        summed = sorted(source_of(graph, n) for n in graph[adds[0]].inputs)
        if summed != sorted([previous, value]):
            return problems + [("vanishing.build.skip_inputs", {
                "i": i, "found": " + ".join(layer_name(n) for n in summed), "expected": layer_name(previous)})]
        previous = value_after(graph, adds[0])
    last = source_of(graph, parts.output.inputs[0]) if parts.output.inputs else None
    if last != previous:
        problems.append(("vanishing.build.output_input", {"found": layer_name(last), "expected": layer_name(previous)}))
    return problems


def _name_problems(model):
    wrong = name_problems(deep_parts(model))
    if not wrong:
        return []
    return [("vanishing.build.hidden_names", {"examples": ", ".join(f"{want} ≠ {got}" for want, got in wrong)})]


def _act(name, z):
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-z))
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return z  # linear


def _forward(weights, X, activation, residual, after_add=False):
    """h ← h + act(h W + b) (or act(h + h W + b) with after_add), in float64."""
    h = X.astype(np.float64)
    for i, (kernel, bias) in enumerate(weights[:-1]):
        z = h @ kernel + bias
        if residual and i > 0:
            h = _act(activation, h + z) if after_add else h + _act(activation, z)
        else:
            h = _act(activation, z)
    kernel, bias = weights[-1]
    return h @ kernel + bias


def _value_problems(model, depth, width, activation, residual, input_dim):
    rng = np.random.default_rng(7)
    weights = []
    parts = deep_parts(model)
    names = [layer_name(node.name) for node in parts.hidden + [parts.output]]
    for index, name in enumerate(names, start=1):
        layer = model.get_layer(name)
        if len(layer.get_weights()) != 2:
            return [("vanishing.build.no_bias", {"name": f"hidden_{index}" if index <= depth else "output"})]
        fan_in, fan_out = layer.get_weights()[0].shape
        pair = (rng.normal(0, 1 / np.sqrt(fan_in), (fan_in, fan_out)), rng.normal(0, 0.3, fan_out))
        layer.set_weights([pair[0].astype("float32"), pair[1].astype("float32")])
        weights.append(pair)
    X = rng.normal(size=(12, input_dim)).astype("float32")
    found = np.asarray(model(X), dtype=np.float64)
    expected = _forward(weights, X, activation, residual)
    if found.shape == expected.shape and np.allclose(found, expected, rtol=1e-4, atol=1e-4):
        return []
    close = lambda other: found.shape == other.shape and np.allclose(found, other, rtol=1e-4, atol=1e-4)  # noqa: E731
    for other in ACTIVATIONS + ("linear",):
        if other != activation and close(_forward(weights, X, other, residual)):
            return [("vanishing.build.wrong_activation", {"found": other, "expected": activation})]
    if residual and close(_forward(weights, X, activation, residual, after_add=True)):
        return [("vanishing.build.activation_after_add", {})]
    diff = float(np.max(np.abs(found - expected))) if found.shape == expected.shape else float("inf")
    rule = "h ← h + hidden_i(h)" if residual else "h ← hidden_i(h)"  # the plain network adds nothing
    return [("vanishing.build.values", {"depth": depth, "residual": residual, "rule": rule, "diff": diff})]


@naming_habits
def check_build_deep_network(build_deep_network):
    """Structure (names, units, wiring), then values with fixed weights, on three public cases.

    Every case is tried and every problem found is listed, each marked with the case's
    arguments (they are the check's own, not the notebook's).
    """
    found = []
    for depth, width, activation, residual, input_dim in _BUILD_CASES:
        model = build_deep_network(depth, width, activation, residual, input_dim=input_dim)
        if model is None:
            return [("check.returns_none", {})]
        problems = _structure_problems(model, depth, width, activation, residual, input_dim)
        if not problems:
            problems = _value_problems(model, depth, width, activation, residual, input_dim)
        found += with_case(problems, depth=depth, width=width, activation=activation, residual=residual,
                           input_dim=input_dim)
    if found:
        return unique(found)
    # Names are a question of their own: everything else is right when we get here.
    return _name_problems(build_deep_network(*_BUILD_CASES[1][:4], input_dim=_BUILD_CASES[1][4]))
