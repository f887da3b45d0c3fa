"""The judge's comparators for notebook 1's deep plain / residual network: structure, values, names.

The network is read by topology (`diagnosis.deep_network`), so `Sequential`, a loop or layers
written one by one, `Add`, `add` or `+`, activations inside `Dense` or as layers all read the
same. Where each mistake is charged (once, see `carried_forward`):
  structure  the layers and their settings: how many hidden layers, their units and
             activation, the output layer, how many additions;
  values     how they are wired (what each addition adds, an activation after the add) and
             any other difference of the outputs;
  names      hidden_1 … hidden_depth and output (an addition needs no name: `h + z` has none).
"""

from resnet_course.utils.messages import register

from ..diagnosis.deep_network import deep_parts, effective_activation, name_problems
from . import compare_blocks  # noqa: F401  (registers block.names_nothing)
from .carried_forward import substantive
from .comparator import ArtifactError, Verdict
from .meaning import meaning_problems
from .model_runs import cases, input_shape_problem, values_verdict
from .safe_models import load_model, safe_config

register({
    "deep.layer_count": {
        "ko": "은닉 Dense 층이 {found}개입니다. 깊이 depth={expected}에 맞게 {expected}개여야 합니다(`hidden_1` … "
              "`hidden_{expected}`).",
        "en": "There are {found} hidden Dense layers, expected depth={expected} (`hidden_1` … `hidden_{expected}`).",
    },
    "deep.units": {
        "ko": "은닉층 {layer}의 유닛이 {found}개입니다. width={expected}, 즉 {expected}개여야 합니다.",
        "en": "Hidden layer {layer} has {found} units, expected width={expected}.",
    },
    "deep.activation": {
        "ko": "은닉층 {layer}의 활성화 함수가 {found}입니다. 인자로 받은 활성화 함수({expected})를 쓰세요.",
        "en": "Hidden layer {layer} uses activation {found}; use the activation argument ({expected}).",
    },
    "deep.output": {
        "ko": "출력층이 기대와 다릅니다: {found}. 활성화 함수 없는 `Dense(1, name=\"output\")` 층이어야 합니다.",
        "en": "The output layer is not as expected: {found}. It should be `Dense(1, name=\"output\")` with no activation.",
    },
    "deep.skip_count": {
        "ko": "스킵 연결(Add)이 {found}개입니다. 잔차 여부 residual={residual}, 깊이 depth={depth}이면 {expected}개여야 합니다(첫 은닉층 "
              "뒤의 은닉층마다 하나, `skip_2`부터).",
        "en": "There are {found} skip connections (Add); with residual={residual} and depth={depth} there should "
              "be {expected} (one per hidden layer after the first, `skip_2` …).",
    },
    "deep.skip_wiring": {
        "ko": "스킵 연결 {layer} 층이 은닉층의 입력과 출력을 더하지 않습니다. `h = Add()([h, hidden_i(h)])`처럼 층에 들어가는 h와 그 층의 출력을 "
              "더하세요.",
        "en": "Skip connection {layer} does not add a hidden layer's input to its output. Add the h that goes into "
              "the layer and the layer's output: `h = Add()([h, hidden_i(h)])`.",
    },
    "deep.names": {
        "ko": "층 이름이 이름 규칙과 다릅니다(기대 ≠ 실제): {examples}. 은닉층은 입력 쪽부터 `hidden_1`, `hidden_2`, …, "
              "출력층은 `output` 이름을 씁니다.",
        "en": "Layer names differ from the naming convention (expected ≠ found): {examples}. The hidden layers are "
              "`hidden_1`, `hidden_2`, … from the input on, and the output layer is `output`.",
    },
})


def _deep_diagnosis(s_config, r_config):
    problems = []
    add = lambda key, **values: problems.append((key, values))  # noqa: E731
    s_parts, r_parts = deep_parts(s_config), deep_parts(r_config)
    s_graph, s_hidden, s_out, s_adds = s_parts.graph, s_parts.hidden, s_parts.output, s_parts.adds
    r_graph, r_hidden, r_adds = r_parts.graph, r_parts.hidden, r_parts.adds
    depth = len(r_hidden)
    if len(s_hidden) != depth:
        add("deep.layer_count", found=len(s_hidden), expected=depth)
    for s, r in zip(s_hidden, r_hidden):
        if s.config.get("units") != r.config.get("units"):
            add("deep.units", layer=s.name, found=s.config.get("units"), expected=r.config.get("units"))
            break
    for s, r in zip(s_hidden, r_hidden):
        found, expected = effective_activation(s_graph, s), effective_activation(r_graph, r)
        if found != expected:
            add("deep.activation", layer=s.name, found=found, expected=expected)
            break
    out_act = effective_activation(s_graph, s_out) if s_out is not None else None
    if s_out is None or s_out.config.get("units") != 1 or out_act:
        add("deep.output", found=s_out.describe() + f"({s_out.config.get('units')}, {out_act})" if s_out else "-")
    if len(s_adds) != len(r_adds):
        add("deep.skip_count", found=len(s_adds), expected=len(r_adds), residual=bool(r_adds), depth=depth)
    return problems


def deep_network_structure(student, reference, context):
    for case in cases(student, reference):
        s_model, s_config = load_model(student, case, context)
        r_model, r_config = load_model(reference, case, context)
        problem = input_shape_problem(s_model, r_model)
        if problem:
            return Verdict(False, [problem])
        problems = _deep_diagnosis(s_config, r_config) or meaning_problems(s_config, r_config, edges=False)
        if problems:
            return Verdict(False, problems[:4])
    return Verdict.ok()


def deep_network_values(student, reference, context):
    def hints(case):
        try:
            return meaning_problems(student.model_config(case), reference.model_config(case))
        except ArtifactError:
            return []

    def charged(case):  # a difference the structure check names is the structure check's
        s_config, r_config = student.model_config(case), reference.model_config(case)
        if not substantive(s_config, r_config):
            return False
        return bool(_deep_diagnosis(s_config, r_config) or meaning_problems(s_config, r_config, edges=False))

    return values_verdict(student, reference, context, "deep", False, hints, charged_elsewhere=charged)


def deep_network_names(student, reference, context):
    wrong = []
    for case in cases(student, reference):
        s_config = safe_config(student, case, context)
        if not substantive(s_config, reference.model_config(case)):
            return Verdict.fail("block.names_nothing")
        wrong += [pair for pair in name_problems(deep_parts(s_config)) if pair not in wrong]
    if wrong:
        return Verdict.fail("deep.names", examples=", ".join(f"{want} ≠ {got}" for want, got in wrong))
    return Verdict.ok()
