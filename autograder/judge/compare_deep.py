"""The judge's comparators for notebook 1's deep plain / residual network: structure and values."""

from resnet_course.utils.messages import register

from ..diagnosis.graph import activation_name, graph_of
from .comparator import ArtifactError, Verdict
from .meaning import meaning_problems
from .model_runs import cases, input_shape_problem, values_verdict
from .safe_models import load_model

register({
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


def _deep_facts(config):
    graph = graph_of(config)
    dense = [n for n in graph.nodes.values() if n.kind == "dense"]
    adds = graph.of_kind("add")
    return graph, dense, adds


def _effective_activation(graph, node):
    """A Dense layer's activation: its own argument, or an activation layer that alone follows it.

    `Dense(w)` then `Activation("tanh")` computes the same as `Dense(w, activation="tanh")`:
    meaning, not spelling, decides the verdict.
    """
    own = activation_name(node.config.get("activation"))
    if own:
        return own
    following = graph.consumers(node.name)
    if len(following) == 1:
        nxt = graph[following[0]]
        if nxt.kind == "relu":
            return "relu"
        if nxt.kind in ("activation", "softmax"):
            return activation_name(nxt.config.get("activation")) or nxt.class_name.lower()
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
    if s_out is None or s_out.config.get("units") != 1 or activation_name(s_out.config.get("activation")):
        add("deep.output", found=s_out.describe() + f"({s_out.config.get('units')}, "
            f"{activation_name(s_out.config.get('activation'))})" if s_out else "-")
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
    for case in cases(student, reference):
        s_model, s_config = load_model(student, case, context)
        r_model, r_config = load_model(reference, case, context)
        problem = input_shape_problem(s_model, r_model)
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
    return values_verdict(student, reference, context, "deep", False, hints)
