"""Naming the mistake in a whole ResNet50: its stem, its stages of blocks and its head.

The layout (what ResNet50 itself adds: stem, how many blocks of which kind per stage, their
filters and strides, the head) is diagnosed apart from the inside of each block, so a
grader can charge a mistake inside a block to that block, once.

    diagnose_resnet50_layout(model, input_shape=(64, 64, 3), classes=6)
    diagnose_resnet50_blocks(model)
    resnet50_layout(model)   -> plain dict: stem, stages (blocks, filters, strides), head
    resnet50_roles(model)    -> {"conv1": ..., "bn_conv1": ..., "3b.conv2a": ..., "fc": ...}
"""

from resnet_course.utils.messages import register

from .block_parts import find_block, roles_of
from .blocks import dedupe, diagnose_block, located
from .graph import as_pair, graph_of

RESNET50_STAGES = (
    # (stage, filters, stride of its convolutional block, identity blocks after it)
    (2, (64, 64, 256), 1, 2),
    (3, (128, 128, 512), 2, 3),
    (4, (256, 256, 1024), 2, 5),
    (5, (512, 512, 2048), 2, 2),
)


def _forward_chain(graph, start, stop):
    """Nodes strictly after `start` up to and including `stop`, following single consumers."""
    chain, current = [], start
    while current != stop:
        nxt = graph.consumers(current)
        if len(nxt) != 1:
            return chain, False
        current = nxt[0]
        chain.append(current)
    return chain, True


def _block_summary(graph, blk):
    convs = [graph[n] for n in blk.main if graph[n].kind == "conv"]
    short_convs = [graph[n] for n in blk.shortcut if graph[n].kind == "conv"]
    stride_node = short_convs[0] if short_convs else (convs[0] if convs else None)
    return {
        "kind": "convolutional" if short_convs else "identity",
        "filters": [c.filters for c in convs],
        "f": convs[1].kernel[0] if len(convs) > 1 else None,
        "stride": stride_node.strides[0] if stride_node is not None else 1,
        "layers": [n for n in blk.main + blk.shortcut + blk.after if ":" not in n] + [blk.add],
    }


def _analyse_resnet(graph):
    """Blocks in order from input to output, plus stem and head node lists."""
    blocks = [find_block(graph, node.name) for node in graph.of_kind("add")]
    blocks = [b for b in blocks if not b.problem]
    stem, head = [], []
    if graph.inputs:
        first_stop = blocks[0].input if blocks else (graph.outputs[0] if graph.outputs else None)
        if first_stop is not None:
            stem, _ = _forward_chain(graph, graph.inputs[0], first_stop)
    if blocks and graph.outputs:
        head, _ = _forward_chain(graph, blocks[-1].output, graph.outputs[0])
    return blocks, stem, head


def _stages(graph, blocks):
    """Group blocks into stages: a convolutional block opens a new stage."""
    stages = []
    for blk in blocks:
        summary = _block_summary(graph, blk)
        if summary["kind"] == "convolutional" or not stages:
            stages.append([])
        stages[-1].append((blk, summary))
    return stages


def resnet50_layout(model):
    """A plain description of a ResNet-like model: stem and head layers, stages of blocks.

    {"name": model name, "stem": [layer descriptions], "head": [...],
     "stages": [{"blocks": ["convolutional", "identity", ...], "filters": [..], "stride": s,
                 "f": kernel of the middle convolutions}]}
    """
    graph = graph_of(model)
    blocks, stem, head = _analyse_resnet(graph)
    stages = []
    for members in _stages(graph, blocks):
        first = members[0][1]
        stages.append({
            "blocks": [summary["kind"] for _, summary in members],
            "filters": first["filters"],
            "all_filters": [summary["filters"] for _, summary in members],
            "stride": first["stride"],
            "f": [summary["f"] for _, summary in members],
        })
    return {
        "name": graph.name,
        "stem": [graph[n].describe() for n in stem],
        "head": [graph[n].describe() for n in head],
        "stages": stages,
    }


def diagnose_resnet50_layout(model, input_shape=(64, 64, 3), classes=6):
    """Problems of ResNet50's stem, stage layout and head (block internals are not looked at).

    A bug inside a block is `diagnose_resnet50_blocks`'s business, so a grader can charge
    it to the blocks and not to the layout.
    """
    graph = graph_of(model)
    problems = []
    add = lambda key, **values: problems.append((key, values))  # noqa: E731
    blocks, stem, head = _analyse_resnet(graph)
    if not blocks:
        add("resnet.no_blocks")
        return problems

    # stem: ZeroPadding2D(3) → Conv2D(64, 7x7, stride 2) → BN → ReLU → MaxPool(3x3, stride 2)
    stem_nodes = [graph[n] for n in stem if graph[n].kind != "passthrough"]
    kinds = [n.kind for n in stem_nodes]
    pads = [n for n in stem_nodes if n.kind == "zeropad"]
    if not pads:
        add("resnet.no_zeropad")
    elif as_pair(pads[0].config.get("padding")) not in (((3, 3), (3, 3)), (3, 3)):
        add("resnet.zeropad_size", found=str(pads[0].config.get("padding")))
    convs = [n for n in stem_nodes if n.kind == "conv"]
    if len(convs) != 1:
        add("resnet.stem_conv_count", found=len(convs))
    else:
        conv = convs[0]
        if (conv.filters, conv.kernel, conv.strides) != (64, (7, 7), (2, 2)):
            add("resnet.stem_conv", found=conv.describe())
        after = kinds[kinds.index("conv") + 1:]
        if "bn" not in after:
            add("resnet.stem_bn_missing")
        if "relu" not in after:
            add("resnet.stem_relu_missing")
        elif "bn" in after and after.index("relu") < after.index("bn"):
            add("resnet.stem_relu_before_bn")
    pools = [n for n in stem_nodes if n.kind == "maxpool"]
    if not pools:
        if any(n.kind == "avgpool" for n in stem_nodes):
            add("resnet.stem_avgpool")
        else:
            add("resnet.no_maxpool")
    else:
        pool = pools[0]
        size, strides = as_pair(pool.config.get("pool_size")), as_pair(pool.config.get("strides") or pool.config.get("pool_size"))
        if size != (3, 3) or strides != (2, 2):
            add("resnet.maxpool_size", found=f"{size[0]}x{size[1]}, stride {strides[0]}")
    for node in stem_nodes:
        if node.kind not in ("zeropad", "conv", "bn", "relu", "maxpool", "avgpool"):
            add("resnet.stem_unexpected", layer=node.describe())

    # stages
    stages = _stages(graph, blocks)
    if len(stages) != len(RESNET50_STAGES):
        add("resnet.stage_count", found=len(stages), expected=len(RESNET50_STAGES))
    for (stage, filters, stride, identities), members in zip(RESNET50_STAGES, stages):
        kinds_found = [summary["kind"] for _, summary in members]
        if kinds_found[0] != "convolutional":
            add("resnet.stage_starts_with_identity", stage=stage)
        found_ids = kinds_found.count("identity")
        if found_ids != identities:
            add("resnet.stage_identity_count", stage=stage, found=found_ids, expected=identities)
        wrong = sorted({tuple(s["filters"]) for _, s in members if tuple(s["filters"]) != filters})
        if wrong:
            add("resnet.stage_filters", stage=stage, found=[list(w) for w in wrong], expected=list(filters))
        first = members[0][1]
        if first["kind"] == "convolutional" and first["stride"] != stride:
            add("resnet.stage_stride", stage=stage, found=first["stride"], expected=stride)
        sizes = sorted({s["f"] for _, s in members if s["f"] is not None and s["f"] != 3})
        if sizes:
            add("resnet.stage_kernel", stage=stage, found=sizes)

    # head: AveragePooling2D(2x2, 'avg_pool') → Flatten → Dense(classes, softmax)
    head_nodes = [graph[n] for n in head if graph[n].kind != "passthrough"]
    kinds = [n.kind for n in head_nodes]
    avg = [n for n in head_nodes if n.kind == "avgpool"]
    if not avg:
        if "globalpool" in kinds:
            add("resnet.avgpool_global")
        elif "maxpool" in kinds:
            add("resnet.avgpool_is_max")
        else:
            add("resnet.no_avgpool")
    elif as_pair(avg[0].config.get("pool_size")) != (2, 2):
        size = as_pair(avg[0].config.get("pool_size"))
        add("resnet.avgpool_size", found=f"{size[0]}x{size[1]}")
    if "flatten" not in kinds and "globalpool" not in kinds:
        add("resnet.no_flatten")
    dense = [n for n in head_nodes if n.kind == "dense"]
    if len(dense) != 1:
        add("resnet.dense_count", found=len(dense))
    else:
        if dense[0].config.get("units") != classes:
            add("resnet.dense_units", found=dense[0].config.get("units"), expected=classes)
        if not kinds or kinds[-1] != "softmax":
            add("resnet.no_softmax")
    for node in head_nodes:
        if node.kind not in ("avgpool", "globalpool", "maxpool", "flatten", "dense", "softmax"):
            add("resnet.head_unexpected", layer=node.describe())

    return dedupe(problems)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


# What the layout diagnosis reports per stage: not charged again to a block inside it.
_LAYOUT_KEYS = ("block.filters_count", "block.filters_order", "block.shortcut_filters")


def diagnose_resnet50_blocks(model, skip=()):
    """Problems inside ResNet50's blocks, each saying which block (`block` names e.g. '4c') and
    naming its convolutions in full (`conv` e.g. 'res4c_branch2b').

    Each block is judged against the filters, kernel and stride of the stage it sits in
    (ResNet50's table), so a wrong layout reported by `diagnose_resnet50_layout` is not
    charged twice. Returns problems of the first blocks that have any, without repeating
    the same message for every block. Blocks whose add is named in `skip` are left out:
    the judge puts the reference block where the student's ResNet50 called the graded block
    functions, whose mistakes are those exercises' to charge.
    """
    graph = graph_of(model)
    blocks, _, _ = _analyse_resnet(graph)
    problems, seen = [], set()
    for (stage, filters, stride, _), members in zip(RESNET50_STAGES, _stages(graph, blocks)):
        for index, (blk, summary) in enumerate(members):
            if blk.add in skip:
                continue
            kind = summary["kind"]
            found = diagnose_block(graph, blk, kind, 3, filters, stride if kind == "convolutional" else 1)
            for key, values in found:
                if key in _LAYOUT_KEYS or key in seen:
                    continue  # the layout diagnosis reports filters per stage
                if kind == "convolutional" and key in ("block.first_stride", "block.shortcut_no_stride",
                                                       "block.shortcut_stride") and summary["stride"] != stride:
                    continue  # the stage's stride: resnet.stage_stride names it
                seen.add(key)
                problems += located([(key, values)], stage, _LETTERS[index])
    return problems


def expected_block_letters(model):
    """[(stage, letter, block)] for every block of a ResNet50-like model, in order."""
    graph = graph_of(model)
    blocks, _, _ = _analyse_resnet(graph)
    found = []
    for stage, members in enumerate(_stages(graph, blocks), start=2):
        for index, (blk, _) in enumerate(members):
            found.append((stage, _LETTERS[index % 26], blk))
    return found


def own_layer_names(model, classes):
    """[(expected, found)] for the layers ResNet50 adds itself: conv1, bn_conv1, avg_pool, fc<classes>."""
    graph = graph_of(model)
    _, stem, head = _analyse_resnet(graph)
    wrong = []
    stem_nodes = [graph[n] for n in stem]
    head_nodes = [graph[n] for n in head]
    wanted = (("conv1", [n for n in stem_nodes if n.kind == "conv"]),
              ("bn_conv1", [n for n in stem_nodes if n.kind == "bn"]),
              ("avg_pool", [n for n in head_nodes if n.kind == "avgpool"]),
              (f"fc{classes}", [n for n in head_nodes if n.kind == "dense"]))
    for want, nodes in wanted:
        if nodes:
            got = nodes[0].name.split(":")[0]
            if got != want:
                wrong.append((want, got))
    return wrong


def resnet50_roles(model):
    """{role: layer name} for a whole ResNet: 'conv1', 'bn_conv1', '<stage><letter>.<block role>', 'fc'."""
    graph = graph_of(model)
    blocks, stem, head = _analyse_resnet(graph)
    roles = {}
    for name in stem:
        node = graph[name]
        if node.kind == "conv" and "conv1" not in roles:
            roles["conv1"] = name
        if node.kind == "bn" and "bn_conv1" not in roles:
            roles["bn_conv1"] = name
    for number, members in enumerate(_stages(graph, blocks), start=2):
        for index, (blk, _) in enumerate(members):
            for role, name in roles_of(graph, blk).items():
                roles[f"{number}{_LETTERS[index % 26]}.{role}"] = name
    for name in head:
        if graph[name].kind == "dense":
            roles["fc"] = name.split(":")[0]
    return roles


# Messages: each names one mistake and where to look

register({
    "resnet.model_name": {
        "ko": "모델 이름이 {found!r}입니다. `Model(..., name='ResNet50')`처럼 이름을 지으세요.",
        "en": "The model is named {found!r}; name it with `Model(..., name='ResNet50')`.",
    },
    "resnet.no_blocks": {
        "ko": "모델에서 잔차 블록을 찾지 못했습니다. `convolutional_block` 함수와 `identity_block` 함수를 호출했는지 확인하세요.",
        "en": "No residual block found in the model. Check that it calls `convolutional_block` and `identity_block`.",
    },
    "resnet.no_zeropad": {
        "ko": "제로 패딩(zero padding)이 없습니다. 입력 바로 뒤에 `ZeroPadding2D((3, 3))` 층을 두세요.",
        "en": "Zero padding missing: put `ZeroPadding2D((3, 3))` right after the input.",
    },
    "resnet.zeropad_size": {
        "ko": "제로 패딩이 {found}입니다. `(3, 3)`이어야 합니다.",
        "en": "The zero padding is {found}; it should be `(3, 3)`.",
    },
    "resnet.stem_conv_count": {
        "ko": "첫 블록 앞에 합성곱이 {found}개 있습니다. 7×7 합성곱 conv1 하나여야 합니다.",
        "en": "There are {found} convolutions before the first block; expected one, the 7×7 conv1.",
    },
    "resnet.stem_conv": {
        "ko": "첫 합성곱이 {found}입니다. 필터 64개, 7×7 커널, 스트라이드 2여야 합니다.",
        "en": "The first convolution is {found}; expected 64 filters, a 7×7 kernel and stride 2.",
    },
    "resnet.stem_bn_missing": {
        "ko": "conv1 뒤에 배치 정규화 층(bn_conv1)이 없습니다.",
        "en": "BatchNormalization (bn_conv1) is missing after conv1.",
    },
    "resnet.stem_relu_missing": {
        "ko": "bn_conv1 뒤에 ReLU가 없습니다.",
        "en": "The ReLU after bn_conv1 is missing.",
    },
    "resnet.stem_relu_before_bn": {
        "ko": "1단계에서 ReLU가 배치 정규화보다 먼저 옵니다. conv1 → bn_conv1 → ReLU 순서입니다.",
        "en": "In stage 1, ReLU comes before BatchNormalization. The order is conv1 → bn_conv1 → ReLU.",
    },
    "resnet.no_maxpool": {
        "ko": "최대 풀링(max pooling)이 없습니다. 1단계 끝에 `MaxPooling2D((3, 3), strides=(2, 2))` 층을 두세요.",
        "en": "Max pooling missing: end stage 1 with `MaxPooling2D((3, 3), strides=(2, 2))`.",
    },
    "resnet.stem_avgpool": {
        "ko": "1단계 끝에 평균 풀링(average pooling)을 썼습니다. 여기는 최대 풀링 `MaxPooling2D((3, 3), strides=(2, 2))`입니다.",
        "en": "Stage 1 ends with average pooling; it should be max pooling, `MaxPooling2D((3, 3), strides=(2, 2))`.",
    },
    "resnet.maxpool_size": {
        "ko": "최대 풀링이 {found}입니다. 3×3, 스트라이드 2여야 합니다.",
        "en": "The max pooling is {found}; expected 3×3 with stride 2.",
    },
    "resnet.stem_unexpected": {
        "ko": "1단계에 예상하지 못한 층이 있습니다: {layer}",
        "en": "Unexpected layer in stage 1: {layer}",
    },
    "resnet.stage_count": {
        "ko": "합성곱 블록으로 시작하는 단계가 {found}개입니다. 2~5단계, {expected}개여야 합니다.",
        "en": "Found {found} stages (each opened by a convolutional block); expected {expected}, stages 2 to 5.",
    },
    "resnet.stage_starts_with_identity": {
        "ko": "{stage}단계가 항등 블록으로 시작합니다. 각 단계는 합성곱 블록으로 시작합니다.",
        "en": "Stage {stage} starts with an identity block; each stage opens with a convolutional block.",
    },
    "resnet.stage_identity_count": {
        "ko": "{stage}단계에 항등 블록이 {found}개 있습니다. {expected}개여야 합니다.",
        "en": "Stage {stage} has {found} identity blocks, expected {expected}.",
    },
    "resnet.stage_filters": {
        "ko": "{stage}단계의 필터 수가 {found}입니다. 기대하는 필터 수는 {expected}입니다.",
        "en": "Stage {stage} uses filters {found}; expected {expected}.",
    },
    "resnet.stage_stride": {
        "ko": "{stage}단계 합성곱 블록의 스트라이드가 {found}입니다. 기대하는 스트라이드는 {expected}입니다(2단계는 s=1, 나머지는 s=2).",
        "en": "Stage {stage}'s convolutional block has stride {found}, expected {expected} (s=1 in stage 2, s=2 after).",
    },
    "resnet.stage_kernel": {
        "ko": "{stage}단계 블록의 가운데 커널 크기가 {found}입니다. 모든 블록에서 f=3입니다.",
        "en": "Stage {stage}'s blocks use middle kernel sizes {found}; every block uses f=3.",
    },
    "resnet.no_avgpool": {
        "ko": "평균 풀링이 없습니다. 5단계 뒤에 `AveragePooling2D((2, 2), name='avg_pool')` 층을 두세요.",
        "en": "Average pooling missing: put `AveragePooling2D((2, 2), name='avg_pool')` after stage 5.",
    },
    "resnet.avgpool_is_max": {
        "ko": "5단계 뒤에 최대 풀링을 썼습니다. 여기는 평균 풀링 `AveragePooling2D((2, 2), name='avg_pool')`입니다.",
        "en": "Stage 5 is followed by max pooling; it should be average pooling, `AveragePooling2D((2, 2), name='avg_pool')`.",
    },
    "resnet.avgpool_global": {
        "ko": "전역 평균 풀링(GlobalAveragePooling2D)을 썼습니다. 이 과제는 `AveragePooling2D((2, 2), name='avg_pool')` 층과 "
              "`Flatten()` 층을 씁니다.",
        "en": "GlobalAveragePooling2D is used; this assignment uses `AveragePooling2D((2, 2), name='avg_pool')` and `Flatten()`.",
    },
    "resnet.avgpool_size": {
        "ko": "평균 풀링의 크기가 {found}입니다. 2×2여야 합니다.",
        "en": "The average pooling is {found}; expected 2×2.",
    },
    "resnet.no_flatten": {
        "ko": "평균 풀링 뒤에 `Flatten()` 층이 없습니다.",
        "en": "`Flatten()` is missing after the average pooling.",
    },
    "resnet.dense_count": {
        "ko": "5단계 뒤에 Dense 층이 {found}개 있습니다. 출력층 하나(이름은 `'fc' + str(classes)`)여야 합니다.",
        "en": "There are {found} Dense layers after stage 5; expected one output layer (named `'fc' + str(classes)`).",
    },
    "resnet.dense_units": {
        "ko": "출력층의 유닛이 {found}개입니다. 클래스 수 {expected}개여야 합니다(`classes` 인자를 쓰세요).",
        "en": "The output layer has {found} units, expected {expected}, the number of classes (use the `classes` argument).",
    },
    "resnet.no_softmax": {
        "ko": "출력에 소프트맥스(softmax)가 없습니다. `Dense(classes, activation='softmax', ...)` 층을 쓰세요.",
        "en": "No softmax on the output: use `Dense(classes, activation='softmax', ...)`.",
    },
    "resnet.head_unexpected": {
        "ko": "5단계 뒤에 예상하지 못한 층이 있습니다: {layer}",
        "en": "Unexpected layer after stage 5: {layer}",
    },
    "resnet.layer_names": {
        "ko": "층 이름 {count}개가 이름 규칙과 다릅니다(기대 ≠ 실제): {examples}",
        "en": "{count} layer names differ from the naming convention (expected ≠ found): {examples}",
    },
    "resnet.block_letters": {
        "ko": "블록에 넘긴 단계 번호나 블록 문자가 이름 규칙과 다릅니다(기대 ≠ 실제): {examples}. 각 단계의 블록은 "
              "`'a'`부터 차례로 씁니다(5단계는 `'a'`, `'b'`, `'c'`).",
        "en": "The stage numbers or block letters given to the blocks differ from the naming convention "
              "(expected ≠ found): {examples}. Each stage letters its blocks from `'a'` on (stage 5: `'a'`, `'b'`, `'c'`).",
    },
})
