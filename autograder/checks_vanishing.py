"""Public checks for notebook 1 (vanishing gradients): they name the mistake, never grade.

Each check runs the student's function on public inputs and returns a list of problems,
(catalog key, values), for `checks_common.public_check` to print. The check of
build_deep_network compares with a numpy forward pass of the student's own model; the
check of layer_gradient_norms measures on bench networks with fixed weights
(`fixed_network`, not the exercise's network) and compares with norms written down in
this module (`_NORM_EXPECTED`), computed by trusted code in tests/, so one unfinished
exercise never blocks the check of another. This module ships to students: nothing in it
computes a graded answer for an arbitrary model. The hidden test cells use the same
benches with other sizes and seeds.
"""

import numpy as np

from resnet_course.utils.messages import register

register({
    "vanishing.returns_none": {
        "ko": "함수가 아무것도 돌려주지 않습니다(None). 마지막에 `return`을 잊지 않았는지 보세요.",
        "en": "The function returns nothing (None). Check that it ends with a `return`.",
    },
    # build_deep_network
    "vanishing.build.not_model": {
        "ko": "keras.Model을 돌려줘야 하는데 {found}을(를) 돌려줍니다.",
        "en": "It should return a keras.Model, but returns {found}.",
    },
    "vanishing.build.input_dim": {
        "ko": "입력의 특성 수가 {found}입니다. `keras.Input(shape=(input_dim,))`로 {expected}개여야 합니다.",
        "en": "The input has {found} features; it must have input_dim = {expected}: `keras.Input(shape=(input_dim,))`.",
    },
    "vanishing.build.hidden_count": {
        "ko": "은닉층(`output`이 아닌 Dense 층)이 {found}개입니다. depth={depth}이면 {depth}개여야 합니다.",
        "en": "There are {found} hidden layers (Dense layers other than `output`); depth={depth} needs {depth}.",
    },
    "vanishing.build.hidden_names": {
        "ko": "층 이름은 hidden_1 … hidden_{depth}이어야 합니다. 지금 이름: {found}",
        "en": "Layer names must be hidden_1 … hidden_{depth}. Found: {found}",
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
        "ko": "hidden_{i} 뒤에 잔차 더하기가 없습니다. residual=True이면 `layers.Add(name=\"skip_{i}\")([h, z])`가 필요합니다.",
        "en": "The residual add is missing after hidden_{i}: residual=True needs `layers.Add(name=\"skip_{i}\")([h, z])`.",
    },
    "vanishing.build.skip_unnamed": {
        "ko": "더하기 층 {found}이(가) 있지만 이름이 skip_2 … skip_{depth}이 아닙니다. `layers.Add(name=f\"skip_{{i}}\")`로 이름을 붙이세요 (`h + z`는 이름을 붙일 수 없습니다).",
        "en": "There are additions named {found}, not skip_2 … skip_{depth}. Name them with `layers.Add(name=f\"skip_{{i}}\")` (`h + z` cannot be named).",
    },
    "vanishing.build.skip_inputs": {
        "ko": "skip_{i}가 {found}을(를) 더합니다. hidden_{i}의 출력과 hidden_{i}에 들어간 값({expected})을 더해야 합니다.",
        "en": "skip_{i} adds {found}; it must add hidden_{i}'s output and what went into hidden_{i} ({expected}).",
    },
    "vanishing.build.unexpected_skip": {
        "ko": "residual=False인데 더하기 층({found})이 있습니다. 일반 네트워크에는 스킵 연결이 없습니다.",
        "en": "residual=False, yet there are additions ({found}); a plain network has no skip connections.",
    },
    "vanishing.build.first_skip": {
        "ko": "hidden_1에는 스킵 연결을 두지 않습니다. 스킵 연결은 hidden_2부터입니다.",
        "en": "hidden_1 gets no skip connection; skip connections start at hidden_2.",
    },
    "vanishing.build.hidden_input": {
        "ko": "hidden_{i}의 입력이 {found}입니다. 바로 앞의 값 {expected}을(를) 받아야 합니다.",
        "en": "hidden_{i} takes {found}; it must take the value just before it, {expected}.",
    },
    "vanishing.build.no_bias": {
        "ko": "{name}에 편향이 없습니다. `use_bias`는 기본값(True)으로 두세요.",
        "en": "{name} has no bias; leave `use_bias` at its default (True).",
    },
    "vanishing.build.wrong_activation": {
        "ko": "은닉층이 {found} 활성화 함수를 씁니다. activation={expected!r}을(를) 그대로 써야 합니다.",
        "en": "The hidden layers use the {found} activation; they must use the given activation={expected!r}.",
    },
    "vanishing.build.activation_after_add": {
        "ko": "활성화 함수가 더하기 뒤에 적용됩니다: act(h + Wh + b). 순서는 h + act(Wh + b)입니다.",
        "en": "The activation is applied after the add: act(h + Wh + b). It must be h + act(Wh + b).",
    },
    "vanishing.build.values": {
        "ko": "구조는 맞지만 계산 값이 h ← h + hidden_i(h)와 다릅니다 (depth={depth}, residual={residual}, 최대 차이 {diff:.2e}).",
        "en": "The structure is right but the values differ from h ← h + hidden_i(h) (depth={depth}, residual={residual}, largest difference {diff:.2e}).",
    },
    # layer_gradient_norms
    "vanishing.norms.not_array": {
        "ko": "numpy 배열을 돌려줘야 하는데 {found}을(를) 돌려줍니다. `np.array([...])`로 감싸세요.",
        "en": "It should return a numpy array but returns {found}. Wrap it: `np.array([...])`.",
    },
    "vanishing.norms.not_numbers": {
        "ko": "돌려준 값을 숫자 배열로 바꿀 수 없습니다: {error}",
        "en": "The result cannot be turned into an array of numbers: {error}",
    },
    "vanishing.norms.shape": {
        "ko": "모양이 {found}입니다. 은닉층마다 숫자 하나, ({depth},)이어야 합니다.",
        "en": "The shape is {found}; it must be one number per hidden layer, ({depth},).",
    },
    "vanishing.norms.with_output": {
        "ko": "값이 {found}개로 하나 많습니다. `output` 층은 빼고 hidden_1 … hidden_{depth}만 잽니다.",
        "en": "There are {found} values, one too many: leave out the `output` layer, measure hidden_1 … hidden_{depth} only.",
    },
    "vanishing.norms.with_bias": {
        "ko": "값이 {found}개로 두 배입니다. 편향은 빼고 커널(`layer.kernel`)의 기울기만 잽니다.",
        "en": "There are {found} values, twice too many: leave out the biases, measure the kernels (`layer.kernel`) only.",
    },
    "vanishing.norms.reversed": {
        "ko": "노름이 출력에서 입력 쪽 순서로 나옵니다. hidden_1이 맨 앞이어야 합니다.",
        "en": "The norms are in output-to-input order; hidden_1 must come first.",
    },
    "vanishing.norms.squared": {
        "ko": "값이 노름의 제곱처럼 보입니다. 제곱합에 제곱근을 씌우세요(`tf.norm`).",
        "en": "The values look squared: take the square root of the sum of squares (`tf.norm`).",
    },
    "vanishing.norms.summed": {
        "ko": "값이 {n}배 큽니다. 손실을 배치에 대해 더했습니다. 평균을 내세요(`tf.reduce_mean`).",
        "en": "The values are {n} times too large: the loss is summed rather than averaged over the batch (`tf.reduce_mean`).",
    },
    "vanishing.norms.halved": {
        "ko": "값이 절반입니다. 손실에 1/2을 곱하지 말고 평균 제곱 오차 그대로 쓰세요.",
        "en": "The values are halved: use the plain mean squared error, without a factor 1/2.",
    },
    "vanishing.norms.biases": {
        "ko": "편향의 기울기 노름처럼 보입니다. 커널, 곧 가중치 행렬(`layer.kernel`)의 기울기를 재세요.",
        "en": "These look like the biases' gradient norms; measure the kernel, the weight matrix (`layer.kernel`).",
    },
    "vanishing.norms.broadcast": {
        "ko": "손실이 (n, n) 행렬로 브로드캐스팅된 것 같습니다. `model(X)`와 `Y`의 모양을 둘 다 (n, 1)로 맞추세요.",
        "en": "The loss seems to broadcast to an (n, n) matrix: make `model(X)` and `Y` both shape (n, 1).",
    },
    "vanishing.norms.values": {
        "ko": "값이 기울기 노름과 다릅니다 (depth={depth}, residual={residual}). hidden_1: 기대값 {expected:.4g}, 받은 값 {found:.4g}.",
        "en": "The values differ from the gradient norms (depth={depth}, residual={residual}). hidden_1: expected {expected:.4g}, got {found:.4g}.",
    },
    # plot_gradient_norms
    "vanishing.plot.not_axes": {
        "ko": "matplotlib Axes를 돌려줘야 하는데 {found}을(를) 돌려줍니다. `return ax`로 끝내세요.",
        "en": "It should return a matplotlib Axes but returns {found}. End with `return ax`.",
    },
    "vanishing.plot.no_lines": {
        "ko": "선이 없습니다. 네트워크마다 `ax.plot(x, norms, label=name)`으로 선을 하나씩 그리세요.",
        "en": "There are no lines. Draw one line per network with `ax.plot(x, norms, label=name)`.",
    },
    "vanishing.plot.line_count": {
        "ko": "선이 {found}개입니다. 딕셔너리의 네트워크마다 하나씩, {expected}개여야 합니다.",
        "en": "There are {found} lines; there must be one per network in the dictionary, {expected}.",
    },
    "vanishing.plot.missing_line": {
        "ko": "{name!r}의 노름을 그린 선이 없습니다. 세로값은 노름 그 자체여야 합니다.",
        "en": "No line shows the norms of {name!r}; the y values must be the norms themselves.",
    },
    "vanishing.plot.log_values": {
        "ko": "세로값이 노름의 log10처럼 보입니다. 노름 그대로 그리고 `ax.set_yscale(\"log\")`에 로그를 맡기세요.",
        "en": "The y values look like log10 of the norms. Plot the norms themselves and let `ax.set_yscale(\"log\")` take the log.",
    },
    "vanishing.plot.x_from_zero": {
        "ko": "가로축이 0부터 시작합니다. 층 번호는 1부터입니다: `np.arange(1, len(norms) + 1)`.",
        "en": "x starts at 0; layers are numbered from 1: `np.arange(1, len(norms) + 1)`.",
    },
    "vanishing.plot.x_values": {
        "ko": "{name!r} 선의 가로값이 1, 2, …, {n}이 아닙니다.",
        "en": "The x values of the {name!r} line are not 1, 2, …, {n}.",
    },
    "vanishing.plot.not_log": {
        "ko": "세로축이 로그 스케일이 아닙니다({found}). `ax.set_yscale(\"log\")`를 쓰세요.",
        "en": "The y axis is not log scale ({found}). Use `ax.set_yscale(\"log\")`.",
    },
    "vanishing.plot.no_xlabel": {
        "ko": "가로축 이름이 없습니다. `ax.set_xlabel(...)`을 쓰세요.",
        "en": "The x axis has no label. Use `ax.set_xlabel(...)`.",
    },
    "vanishing.plot.no_ylabel": {
        "ko": "세로축 이름이 없습니다. `ax.set_ylabel(...)`을 쓰세요.",
        "en": "The y axis has no label. Use `ax.set_ylabel(...)`.",
    },
    "vanishing.plot.no_legend": {
        "ko": "범례가 없습니다. 선마다 `label=name`을 주고 `ax.legend()`를 부르세요.",
        "en": "The legend is missing. Give each line `label=name` and call `ax.legend()`.",
    },
    "vanishing.plot.legend_texts": {
        "ko": "범례 글자는 딕셔너리의 키여야 합니다. 기대: {expected}, 지금: {found}",
        "en": "The legend entries must be the dictionary's keys. Expected: {expected}, found: {found}",
    },
    "vanishing.plot.ignores_ax": {
        "ko": "`ax`를 넘겨도 그 위에 그리지 않거나 다른 Axes를 돌려줍니다. 주어진 `ax`에 그리고 그것을 돌려주세요.",
        "en": "When `ax` is given, the function does not draw on it or returns another Axes. Draw on the given `ax` and return it.",
    },
})

ACTIVATIONS = ("sigmoid", "tanh", "relu")


# ---------------------------------------------------------------- fixed networks and data

def fixed_network(depth, width, activation, residual, input_dim=2, seed=0):
    """A test bench for layer_gradient_norms: plain Keras, fixed weights, the exercise's layer names.

    The hidden Dense layers are `hidden_1` … `hidden_{depth}` and the last layer is `output`,
    so layer_gradient_norms finds what it looks for. It is not the network build_deep_network
    asks for, on purpose, so it answers nothing: the activations sit in layers of their own,
    and a residual bench adds its skip connections around blocks of two hidden layers,
    h ← h + act(W₂ act(W₁ h)) like a ResNet basic block (`join_i` after every second layer
    from hidden_3 on, and after hidden_{depth} when a single layer is left), not around
    each layer. That is wiring: renaming layers or slicing the model cannot turn it into the
    exercise's network. Weights come from numpy's seeded generator (Glorot-scaled normal
    kernels, small biases), so every kernel, on every machine, gets the same numbers.
    """
    import keras

    def hidden(i, signal):
        signal = keras.layers.Dense(width, name=f"hidden_{i}")(signal)
        return keras.layers.Activation(activation, name=f"act_{i}")(signal)

    rng = np.random.default_rng(seed)
    inputs = keras.Input(shape=(input_dim,))
    signal = hidden(1, inputs)
    i = 2
    while i <= depth:
        block = [i, i + 1] if residual and i < depth else [i]
        branch = signal
        for j in block:
            branch = hidden(j, branch)
        signal = keras.layers.Add(name=f"join_{block[-1]}")([signal, branch]) if residual else branch
        i += len(block)
    model = keras.Model(inputs, keras.layers.Dense(1, name="output")(signal))
    for name in [f"hidden_{i}" for i in range(1, depth + 1)] + ["output"]:
        layer = model.get_layer(name)
        fan_in, fan_out = layer.kernel.shape
        kernel = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))
        layer.set_weights([kernel.astype("float32"), rng.normal(0.0, 0.1, fan_out).astype("float32")])
    return model


def fixed_example(depth, width, activation, residual, input_dim=2, n=16, seed=0):
    """(model, X, Y): a fixed network, an input batch of shape (n, input_dim), targets (n, 1)."""
    model = fixed_network(depth, width, activation, residual, input_dim=input_dim, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    X = rng.normal(size=(n, input_dim)).astype("float32")
    Y = rng.normal(size=(n, 1)).astype("float32")
    return model, X, Y


def runs(function, *args, **kwargs):
    """For `require(...)` in graded test cells: the function is answered and returns something."""
    if function(*args, **kwargs) is None:
        return [("vanishing.returns_none", {})]
    return []


# ---------------------------------------------------------------- build_deep_network

_BUILD_CASES = (  # depth, width, activation, residual, input_dim
    (4, 8, "relu", False, 2),
    (4, 8, "tanh", True, 2),
    (3, 5, "sigmoid", True, 3),
)


def _inbound(layer_config):
    """Names of the layers feeding a layer, read from the functional model's config."""
    names = []

    def walk(item):
        if isinstance(item, dict):
            history = item.get("config", {}).get("keras_history") if "config" in item else None
            if history:
                names.append(history[0])
                return
            for value in item.values():
                walk(value)
        elif isinstance(item, (list, tuple)):
            for value in item:
                walk(value)

    walk(layer_config.get("inbound_nodes", []))
    return names


# Layers that only apply an activation: `Dense(...)` followed by `Activation(act)` is the same
# network as `Dense(..., activation=act)`, so the wiring check looks through them (the value
# check then says whether the activation sits in the right place).
_TRANSPARENT = ("Activation", "ReLU")


def _graph(model):
    """{layer name: (class name, inbound names, config)} of a functional model, activations seen through."""
    import keras

    entries = model.get_config().get("layers", [])
    layers = {}
    previous = None
    for entry in entries:
        name = entry.get("name") or entry.get("config", {}).get("name", "?")
        # A Sequential model stores no wiring: each layer takes the one before it.
        inbound = ([previous] if previous else []) if isinstance(model, keras.Sequential) else _inbound(entry)
        layers[name] = (entry.get("class_name", "?"), inbound, entry.get("config", {}))
        previous = name

    def resolve(name):
        seen = set()
        while name in layers and layers[name][0] in _TRANSPARENT and len(layers[name][1]) == 1 and name not in seen:
            seen.add(name)
            name = layers[name][1][0]
        return name

    return {name: (kind, [resolve(source) for source in inbound], config)
            for name, (kind, inbound, config) in layers.items() if kind not in _TRANSPARENT}


def _activation_name(config):
    activation = config.get("activation", "linear")
    if isinstance(activation, dict):
        activation = activation.get("config", {}).get("name", activation.get("class_name", "?"))
    return str(activation)


def _structure_problems(model, depth, width, residual, input_dim):
    import keras

    if not isinstance(model, keras.Model):
        return [("vanishing.build.not_model", {"found": type(model).__name__})]
    problems = []
    found_dim = model.inputs[0].shape[-1] if model.inputs else None
    if found_dim != input_dim:
        problems.append(("vanishing.build.input_dim", {"found": found_dim, "expected": input_dim}))
    graph = _graph(model)
    dense = [name for name, (kind, _, _) in graph.items() if kind == "Dense" and name != "output"]
    expected = [f"hidden_{i}" for i in range(1, depth + 1)]
    if len(dense) != depth:
        return problems + [("vanishing.build.hidden_count", {"found": len(dense), "depth": depth})]
    if sorted(dense) != sorted(expected):
        return problems + [("vanishing.build.hidden_names", {"depth": depth, "found": ", ".join(dense)})]
    for name in expected:
        units = graph[name][2].get("units")
        if units != width:
            problems.append(("vanishing.build.width", {"name": name, "found": units, "width": width}))
            break
    if "output" not in graph or graph["output"][0] != "Dense":
        return problems + [("vanishing.build.output", {})]
    if graph["output"][2].get("units") != 1:
        problems.append(("vanishing.build.output_units", {"found": graph["output"][2].get("units")}))
    if _activation_name(graph["output"][2]) != "linear":
        problems.append(("vanishing.build.output_activation", {"found": _activation_name(graph["output"][2])}))
    adds = [name for name, (kind, _, _) in graph.items() if kind == "Add"]
    if not residual and adds:
        return problems + [("vanishing.build.unexpected_skip", {"found": ", ".join(adds)})]
    unnamed = [name for name in adds if name not in {f"skip_{i}" for i in range(2, depth + 1)}]
    if residual and "skip_1" in unnamed:
        return problems + [("vanishing.build.first_skip", {})]
    # One walk for both wirings: hidden_i reads what came before it (hidden_{i-1} in a plain
    # network, skip_{i-1} in a residual one); a residual network then adds skip_i.
    previous = "hidden_1"
    for i in range(2, depth + 1):
        hidden = f"hidden_{i}"
        if graph[hidden][1] != [previous]:
            return problems + [("vanishing.build.hidden_input", {
                "i": i, "found": ", ".join(graph[hidden][1]), "expected": previous})]
        if not residual:
            previous = hidden
            continue
        skip = f"skip_{i}"
        if skip not in graph or graph[skip][0] != "Add":
            if unnamed:
                return problems + [("vanishing.build.skip_unnamed", {"found": ", ".join(unnamed), "depth": depth})]
            return problems + [("vanishing.build.skip_missing", {"i": i})]
        if sorted(graph[skip][1]) != sorted([previous, hidden]):
            return problems + [("vanishing.build.skip_inputs", {
                "i": i, "found": " + ".join(graph[skip][1]), "expected": previous})]
        previous = skip
    last = f"skip_{depth}" if residual and depth > 1 else f"hidden_{depth}"
    if graph["output"][1] != [last]:
        problems.append(("vanishing.build.output_input", {"found": ", ".join(graph["output"][1]), "expected": last}))
    return problems


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
    for name in [f"hidden_{i}" for i in range(1, depth + 1)] + ["output"]:
        layer = model.get_layer(name)
        if len(layer.get_weights()) != 2:
            return [("vanishing.build.no_bias", {"name": name})]
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
    return [("vanishing.build.values", {"depth": depth, "residual": residual, "diff": diff})]


def check_build_deep_network(build_deep_network):
    """Structure (names, units, wiring), then values with fixed weights, on three public cases."""
    for depth, width, activation, residual, input_dim in _BUILD_CASES:
        model = build_deep_network(depth, width, activation, residual, input_dim=input_dim)
        if model is None:
            return [("vanishing.returns_none", {})]
        problems = _structure_problems(model, depth, width, residual, input_dim)
        if not problems:
            problems = _value_problems(model, depth, width, activation, residual, input_dim)
        if problems:
            return problems
    return []


# ---------------------------------------------------------------- layer_gradient_norms

_NORM_CASES = (  # depth, width, activation, residual, input_dim, n, seed
    (5, 4, "sigmoid", False, 2, 16, 3),
    (4, 6, "tanh", True, 3, 8, 4),
)


# What a correct layer_gradient_norms returns on the public cases, and what two common mistakes
# return: the biases' norms, and the kernels' norms when Y is flattened so the loss broadcasts
# to an (n, n) matrix (reversed, squared, summed and halved follow from "right").
# Written down, not computed: this module ships to students, so nothing in it may compute a
# graded answer. tests/test_checks_vanishing_constants.py recomputes them with GradientTape
# on the same `fixed_example` networks and fails when they drift.
_NORM_EXPECTED = {
    (5, 4, "sigmoid", False, 2, 16, 3): {
        "right": [0.00039989685, 0.0013899059, 0.0097674318, 0.035975691, 0.13640888],
        "biases": [0.00017947241, 0.0011047493, 0.0082853427, 0.036554739, 0.15222558],
        "broadcast": [7.7272583e-05, 0.0011495483, 0.009243709, 0.035681598, 0.13648051],
    },
    (4, 6, "tanh", True, 3, 8, 4): {
        "right": [1.3541396, 0.86120296, 0.79925948, 2.0875311],
        "biases": [0.30484709, 0.26149604, 0.3938089, 0.61655259],
        "broadcast": [0.49507055, 0.33164129, 0.36041814, 1.0981241],
    },
}


def check_layer_gradient_norms(layer_gradient_norms):
    """Shape first, then values against the written-down norms of fixed networks; names the usual mistakes."""
    for case in _NORM_CASES:
        depth, width, activation, residual, input_dim, n, seed = case
        model, X, Y = fixed_example(depth, width, activation, residual, input_dim=input_dim, n=n, seed=seed)
        result = layer_gradient_norms(model, X, Y)
        if result is None:
            return [("vanishing.returns_none", {})]
        problems = []
        if not isinstance(result, np.ndarray):
            problems.append(("vanishing.norms.not_array", {"found": type(result).__name__}))
        try:
            values = np.array(result, dtype=np.float64)
        except Exception as error:  # a list of tensors of odd shapes, strings...
            return problems + [("vanishing.norms.not_numbers", {"error": f"{type(error).__name__}: {error}"})]
        if values.shape != (depth,):
            size = values.size
            if values.ndim == 1 and size == depth + 1:
                return problems + [("vanishing.norms.with_output", {"found": size, "depth": depth})]
            if values.ndim == 1 and size in (2 * depth, 2 * depth + 2):
                return problems + [("vanishing.norms.with_bias", {"found": size})]
            return problems + [("vanishing.norms.shape", {"found": values.shape, "depth": depth})]
        variants = {name: np.array(numbers, dtype=np.float64) for name, numbers in _NORM_EXPECTED[case].items()}
        right = variants["right"]
        close = lambda other: np.allclose(values, other, rtol=2e-3, atol=1e-7)  # noqa: E731
        if close(right):
            if problems:
                return problems
            continue
        for key, other in (("vanishing.norms.reversed", right[::-1]), ("vanishing.norms.squared", right ** 2),
                           ("vanishing.norms.summed", right * n), ("vanishing.norms.halved", right / 2),
                           ("vanishing.norms.biases", variants["biases"]),
                           ("vanishing.norms.broadcast", variants["broadcast"])):
            if close(other):
                return problems + [(key, {"n": n})]
        return problems + [("vanishing.norms.values", {"depth": depth, "residual": residual,
                                                       "expected": float(right[0]), "found": float(values[0])})]
    return []


# ---------------------------------------------------------------- plot_gradient_norms

_PLOT_NORMS = {
    "plain": np.array([0.5, 4e-2, 3e-3, 2e-4, 1e-5]),
    "residual": np.array([0.9, 0.6, 0.8, 0.7, 0.75]),
}


def _match(line, norms):
    y = np.asarray(line["y"], dtype=float)
    return y.shape == norms.shape and np.allclose(y, norms, rtol=1e-6)


def _plot_problems(ax, norms_by_name):
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .plotdata import plot_data

    if not isinstance(ax, Axes):
        return [("vanishing.plot.not_axes", {"found": "Figure" if isinstance(ax, Figure) else type(ax).__name__})]
    data = plot_data(ax)
    lines = data["lines"]
    problems = []
    if not lines:
        return [("vanishing.plot.no_lines", {})]
    if len(lines) != len(norms_by_name):
        problems.append(("vanishing.plot.line_count", {"found": len(lines), "expected": len(norms_by_name)}))
    for name, norms in norms_by_name.items():
        matches = [line for line in lines if _match(line, norms)]
        if not matches:
            if any(_match(line, np.log10(norms)) for line in lines):
                problems.append(("vanishing.plot.log_values", {}))
            else:
                problems.append(("vanishing.plot.missing_line", {"name": name}))
            continue
        x = np.asarray(matches[0]["x"], dtype=float)
        n = len(norms)
        if x.shape == (n,) and np.allclose(x, np.arange(n)):
            problems.append(("vanishing.plot.x_from_zero", {}))
        elif not (x.shape == (n,) and np.allclose(x, np.arange(1, n + 1))):
            problems.append(("vanishing.plot.x_values", {"name": name, "n": n}))
    if data["yscale"] != "log" and ("vanishing.plot.log_values", {}) not in problems:
        problems.append(("vanishing.plot.not_log", {"found": data["yscale"]}))
    if not data["xlabel"].strip():
        problems.append(("vanishing.plot.no_xlabel", {}))
    if not data["ylabel"].strip():
        problems.append(("vanishing.plot.no_ylabel", {}))
    if data["legend"] is None:
        problems.append(("vanishing.plot.no_legend", {}))
    elif sorted(data["legend"]) != sorted(norms_by_name):
        problems.append(("vanishing.plot.legend_texts", {"expected": ", ".join(norms_by_name),
                                                         "found": ", ".join(data["legend"])}))
    unique = []
    for problem in problems:  # two lines with the same mistake: say it once
        if problem not in unique:
            unique.append(problem)
    return unique


def check_plot_gradient_norms(plot_gradient_norms):
    """Lines, x from 1, log y, axis labels, legend; then that a given `ax` is used and returned."""
    import matplotlib.pyplot as plt

    before = set(plt.get_fignums())
    try:
        ax = plot_gradient_norms({name: norms.copy() for name, norms in _PLOT_NORMS.items()})
        if ax is None:
            return [("vanishing.returns_none", {})]
        problems = _plot_problems(ax, _PLOT_NORMS)
        if problems:
            return problems
        _, given = plt.subplots()
        returned = plot_gradient_norms({"only": np.array([1.0, 0.1, 0.01])}, ax=given)
        if returned is not given or not given.get_lines():
            return [("vanishing.plot.ignores_ax", {})]
        return []
    finally:  # the check's figures are not the student's: keep them out of the notebook
        for number in set(plt.get_fignums()) - before:
            plt.close(number)
