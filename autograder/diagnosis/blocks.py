"""Naming the mistake inside one residual block by reading its graph.

Comparing output values says only "different"; the graph says "the final ReLU is missing" or
"stride 2 is on the middle 3x3 convolution". The block's parts come from `block_parts`.

    diagnose_identity_block(model, f, filters, stage=None, block=None)
    diagnose_convolutional_block(model, f, filters, s=2, stage=None, block=None)

Each problem is a `(message_key, values)` pair whose key is registered below.
"""

import json

from resnet_course.utils.messages import Phrase, register

from .block_parts import ROLE_LETTERS, expected_names, roles_of, single_block, units_of
from .graph import graph_of


def diagnose_block(graph, blk, kind, f, filters, s, stage=None, block=None):
    """The problems of one block read from the graph (kind: 'identity' or 'convolutional')."""
    if blk.problem:
        return [blk.problem]
    problems = []
    add = lambda key, **values: problems.append((key, values))  # noqa: E731
    F1, F2, F3 = (int(x) for x in filters)
    stride = (s, s) if kind == "convolutional" else (1, 1)
    main_nodes = [graph[n] for n in blk.main]

    if not any(n.kind == "conv" for n in main_nodes):
        add("block.main_path_missing")
        return problems

    units = units_of(graph, blk.main)
    if units and units[0][0] is None:
        add("block.unexpected_layer", layer=", ".join(n.describe() for n in units[0][1]), where="X")
        units = units[1:]
    convs = [u for u in units if u[0] is not None]
    if len(convs) != 3:
        add("block.conv_count", found=len(convs), expected=3)

    if len(convs) == 3:
        found_filters = [c.filters for c, _ in convs]
        if found_filters != [F1, F2, F3]:
            if sorted(found_filters) == sorted([F1, F2, F3]):
                add("block.filters_order", found=found_filters, expected=[F1, F2, F3])
            else:
                for letter, got, want in zip(ROLE_LETTERS, found_filters, (F1, F2, F3)):
                    if got != want:
                        add("block.filters_count", conv=letter, found=got, expected=want)
        # kernel sizes
        for letter, (conv, _) in zip(ROLE_LETTERS, convs):
            want = (f, f) if letter == "2b" else (1, 1)
            if conv.kernel != want:
                if letter != "2b" and conv.kernel == (f, f):
                    add("block.kernel_f_on_1x1", conv=letter, f=f)
                else:
                    add("block.kernel_size", conv=letter, found=f"{conv.kernel[0]}x{conv.kernel[1]}",
                        expected=f"{want[0]}x{want[1]}")
        middle = convs[1][0]
        if middle.padding != "same" and max(middle.kernel) > 1:
            add("block.middle_valid_padding")
        for letter, (conv, _) in zip(ROLE_LETTERS, convs):
            if conv.kernel == (1, 1) and conv.padding not in ("valid", "same"):
                add("block.padding_unknown", conv=letter, found=conv.padding)
        # strides
        got = [conv.strides for conv, _ in convs]
        # Keras 2's Convolution2D(filters, rows, cols): the third number is the stride in Keras 3.
        # A block's stride s put on the middle convolution instead is `stride_on_middle`.
        misplaced = kind == "convolutional" and s != 1 and got[1] == stride and got[0] != stride
        positional = [] if misplaced else [(letter, conv) for letter, (conv, _) in zip(ROLE_LETTERS, convs)
                                           if max(conv.kernel) > 1 and conv.strides == conv.kernel]
        for letter, conv in positional:
            add("block.positional_kernel", conv=letter, found=conv.strides[0])
        if misplaced:
            add("block.stride_on_middle", s=s, f=f)
        elif not positional:
            for letter, st, want in zip(ROLE_LETTERS, got, (stride, (1, 1), (1, 1))):
                if st != want:
                    if kind == "convolutional" and letter == "2a":
                        add("block.first_stride", found=st[0], expected=s)
                    else:
                        add("block.unexpected_stride", conv=letter, found=st[0])
        for letter, (conv, _) in zip(ROLE_LETTERS, convs):
            if conv.config.get("use_bias") is False:
                add("block.conv_no_bias", conv=letter)

    after_nodes = [graph[n] for n in blk.after]
    after_kinds = [n.kind for n in after_nodes]
    last_index = len(units) - 1
    for index, (conv, followers) in enumerate(units):
        letter = ROLE_LETTERS[index] if index < 3 else str(index + 1)
        kinds = [n.kind for n in followers]
        is_last = index == last_index
        for node in followers:
            if node.kind not in ("bn", "relu"):
                if node.kind == "activation":
                    add("block.wrong_activation", found=node.describe(), conv=letter)
                elif node.kind != "passthrough":
                    add("block.unexpected_layer", layer=node.describe(), where=letter)
        kinds = [k for k in kinds if k in ("bn", "relu")]
        if is_last:
            if kinds == ["bn", "relu"] or kinds == ["relu"] or kinds[-1:] == ["relu"]:
                add("block.relu_before_add")
            if "bn" not in kinds:
                if "bn" in after_kinds:
                    add("block.add_before_last_bn")
                else:
                    add("block.bn_missing", conv=letter)
            continue
        if kinds[:2] == ["relu", "bn"]:
            add("block.relu_before_bn", conv=letter)
            continue
        if "bn" not in kinds:
            add("block.bn_missing", conv=letter)
        if "relu" not in kinds:
            add("block.relu_missing", conv=letter)
        if kinds.count("bn") > 1 or kinds.count("relu") > 1:
            add("block.unexpected_layer", layer=" → ".join(n.describe() for n in followers), where=letter)

    # the shortcut
    short = [graph[n] for n in blk.shortcut]
    short_kinds = [n.kind for n in short if n.kind != "passthrough"]
    if kind == "identity":
        if short_kinds:
            add("block.identity_shortcut_changed", layers=", ".join(n.describe() for n in short))
    else:
        convs_s = [n for n in short if n.kind == "conv"]
        if not convs_s:
            add("block.shortcut_no_conv", F3=F3, s=s)
        else:
            conv = convs_s[0]
            if conv.kernel != (1, 1):
                if conv.kernel == (f, f):
                    add("block.kernel_f_on_1x1", conv="1", f=f)
                else:
                    add("block.kernel_size", conv="1", found=f"{conv.kernel[0]}x{conv.kernel[1]}", expected="1x1")
            if conv.filters != F3:
                add("block.shortcut_filters", found=conv.filters, expected=F3)
            if conv.strides != stride:
                if conv.strides == (1, 1):
                    add("block.shortcut_no_stride", s=s)
                else:
                    add("block.shortcut_stride", found=conv.strides[0], expected=s)
            if conv.config.get("use_bias") is False:
                add("block.conv_no_bias", conv="1")
            if "bn" not in short_kinds:
                add("block.shortcut_no_bn")
            if "relu" in short_kinds:
                add("block.shortcut_relu")
            if len(convs_s) > 1:
                add("block.unexpected_layer", layer=", ".join(n.describe() for n in short), where="1")

    # after the add
    if blk.partial:
        pass  # nothing was added: what comes after the add is unknown
    elif not after_kinds or after_kinds[-1] != "relu":
        if not any(key == "block.relu_before_add" for key, _ in problems):
            add("block.final_relu_missing")
    extra = [n for n in after_nodes if n.kind not in ("relu", "bn", "passthrough")]
    if extra:
        add("block.after_add_unexpected", layers=", ".join(n.describe() for n in extra))

    # batch norm details: axis and a hard-wired mode
    for node in [graph[n] for n in blk.main + blk.shortcut + blk.after]:
        if node.kind != "bn":
            continue
        axis = node.config.get("axis", -1)
        axis = axis[0] if isinstance(axis, (list, tuple)) and len(axis) == 1 else axis
        if axis not in (3, -1):
            add("block.bn_axis", found=axis)
        if node.training is not None:
            add("block.training_hardwired", layer=node.name, value=node.training)

    return dedupe(problems)


# Where each named mistake is charged. A mistake in *which* layers a block has and how they
# are set (filters, kernels, strides, padding, a missing or extra layer, the axis, a mode
# fixed in the graph) is the structure check's; a mistake in *how* the right layers are wired
# (their order, what the shortcut carries) is the values check's: same layers, other function.
# The names are a check of their own (`block_name_problems`).
WIRING_KEYS = frozenset({"block.relu_before_bn", "block.relu_before_add", "block.add_before_last_bn",
                         "block.shortcut_not_input"})


def structure_part(problems):
    return [p for p in problems if p[0] not in WIRING_KEYS]


def wiring_part(problems):
    return [p for p in problems if p[0] in WIRING_KEYS]


def block_name_problems(graph, blk, stage, block):
    """[(expected, found)] for every convolution and batch normalization of the block, by role."""
    expected = expected_names(stage, block)
    if not expected or blk is None or blk.problem:
        return []
    roles = roles_of(graph, blk)
    return [(expected[role], name) for role, name in sorted(roles.items(), key=lambda item: _ROLE_ORDER.index(item[0]))
            if role in expected and name != expected[role]]


_ROLE_ORDER = ("conv2a", "bn2a", "conv2b", "bn2b", "conv2c", "bn2c", "conv1", "bn1")


def names_message(wrong):
    """The values of `block.layer_names` for a list of (expected, found) names: every one of them."""
    return {"examples": ", ".join(f"{want} ≠ {got}" for want, got in wrong), "count": len(wrong)}


def dedupe(problems):
    seen, result = set(), []
    for key, values in problems:
        marker = (key, json.dumps(values, sort_keys=True, default=str))
        if marker not in seen:
            seen.add(marker)
            result.append((key, values))
    return result


def _diagnose_single(model, kind, f, filters, s, stage, block):
    graph = graph_of(model)
    blk, problems = single_block(graph)
    if blk is None:
        return [(key, {**values, "block": ""}) for key, values in problems]
    found = diagnose_block(graph, blk, kind, f, filters, s, stage, block)
    if problems:  # no add at all: a ReLU at the end of the main path is not "before the add"
        found = [p for p in found if p[0] != "block.relu_before_add"]
    return [(key, {**values, "block": ""}) for key, values in problems + found]


def block_names(model, stage, block):
    """[(expected, found)] layer names of a single-block model, by role (empty when all follow the convention)."""
    graph = graph_of(model)
    blk, _ = single_block(graph)
    return block_name_problems(graph, blk, stage, block)


def diagnose_identity_block(model, f, filters, stage=None, block=None):
    """Problems of a model `Model(X, identity_block(X, f, filters, stage, block))`.

    Returns a list of (message_key, values); empty when the graph is right. Layer names are
    not looked at here: `block_names` compares them, apart.
    """
    return _diagnose_single(model, "identity", f, filters, 1, stage, block)


def diagnose_convolutional_block(model, f, filters, s=2, stage=None, block=None):
    """Problems of a model `Model(X, convolutional_block(X, f, filters, stage, block, s))`."""
    return _diagnose_single(model, "convolutional", f, filters, s, stage, block)


def located(problems, stage, letter):
    """The problems of ResNet50's block `stage` `letter` (e.g. 4, "c"), each saying where it is.

    Every message `diagnose_block` finds starts with its `{block}` field: empty for a lone
    block (the exercise's own check shows the call's arguments), "블록 4c: " / "Block 4c: " in a
    whole ResNet50, where a bare "2b" could be any of sixteen blocks. Its convolutions are
    named in full, as the naming convention names the layers (`res4c_branch2b`).
    """
    name = f"{stage}{letter}"
    found = []
    for key, values in problems:
        values = dict(values, block=Phrase("block.in_resnet", block=name))
        if "conv" in values:
            values["conv"] = f"res{name}_branch{values['conv']}"
        found.append((key, values))
    return found


# Messages: each names one mistake and where to look. The `{block}` that opens each is filled
# by `_diagnose_single` (nothing) or `located` (the block of a ResNet50).

register({
    "block.in_resnet": {"ko": "블록 {block}: ", "en": "Block {block}: "},
    "block.no_add": {
        "ko": "{block}숏컷(shortcut)을 더하는 층(Add)이 없습니다. 주 경로의 끝에서 `Add()([X, X_shortcut])` 층으로 입력을 다시 더하세요.",
        "en": "{block}There is no add: the shortcut is never added back. End the main path with `Add()([X, "
              "X_shortcut])`.",
    },
    "block.several_adds": {
        "ko": "{block}블록 안에 더하기가 {found}번 있습니다. 잔차 블록은 숏컷을 한 번만 더합니다.",
        "en": "{block}The block adds {found} times. A residual block adds the shortcut exactly once.",
    },
    "block.add_operands": {
        "ko": "{block}Add가 텐서 {found}개를 더합니다. 주 경로와 숏컷, 두 개를 더해야 합니다.",
        "en": "{block}The add takes {found} tensors. It should add exactly two: the main path and the "
              "shortcut.",
    },
    "block.shortcut_not_input": {
        "ko": "{block}숏컷이 블록의 입력 X에서 시작하지 않습니다. 첫 합성곱 전에 `X_shortcut = X` 문장으로 입력을 저장해 두세요.",
        "en": "{block}The shortcut does not start from the block's input X. Save it with `X_shortcut = X` "
              "before the first convolution.",
    },
    "block.main_path_missing": {
        "ko": "{block}주 경로(main path)에 합성곱이 없습니다. 입력에 입력 자신을 더하고 있는지 확인하세요.",
        "en": "{block}The main path has no convolution: the block seems to add its input to itself.",
    },
    "block.conv_count": {
        "ko": "{block}주 경로의 합성곱이 {found}개입니다. 1×1, f×f, 1×1의 {expected}개여야 합니다.",
        "en": "{block}The main path has {found} convolutions; expected {expected}: 1×1, f×f, 1×1.",
    },
    "block.filters_order": {
        "ko": "{block}필터 수의 순서가 틀렸습니다. 주 경로의 합성곱들이 쓰는 필터 수는 {found}이고, 차례대로 F1, F2, F3 = {expected} 순서여야 합니다.",
        "en": "{block}Filters in the wrong order: the main path's convolutions use {found}, expected F1, F2, "
              "F3 = {expected}.",
    },
    "block.filters_count": {
        "ko": "{block}합성곱 {conv}의 필터가 {found}개입니다. {expected}개여야 합니다(`F1, F2, F3 = filters`).",
        "en": "{block}Convolution {conv} has {found} filters, expected {expected} (`F1, F2, F3 = filters`).",
    },
    "block.kernel_f_on_1x1": {
        "ko": "{block}1×1 합성곱 {conv}에 커널 크기 f={f} 값을 썼습니다. f는 가운데 합성곱(2b)에만 쓰고, 합성곱 {conv}의 커널은 `(1, 1)`입니다.",
        "en": "{block}Kernel size f={f} on a 1×1 convolution ({conv}). Only the middle convolution (2b) uses "
              "f; {conv} is `(1, 1)`.",
    },
    "block.kernel_size": {
        "ko": "{block}합성곱 {conv}의 커널이 {found}입니다. 기대하는 커널 크기는 {expected}입니다.",
        "en": "{block}Convolution {conv} has a {found} kernel, expected {expected}.",
    },
    "block.middle_valid_padding": {
        "ko": "{block}가운데 합성곱(2b)이 `valid` 패딩(padding)을 씁니다. 높이와 너비를 지키려면 `padding='same'`이어야 합니다.",
        "en": "{block}The middle convolution (2b) uses valid padding. It needs `padding='same'` to keep height "
              "and width.",
    },
    "block.padding_unknown": {
        "ko": "{block}합성곱 {conv}의 패딩이 {found}입니다. `valid` 패딩을 쓰세요.",
        "en": "{block}Convolution {conv} uses padding {found}; use `valid`.",
    },
    "block.stride_on_middle": {
        "ko": "{block}가운데 {f}×{f} 합성곱에 스트라이드(stride) {s} 값이 있습니다. 스트라이드는 첫 1×1 합성곱(2a)과 숏컷의 합성곱(1)에 둡니다.",
        "en": "{block}Stride {s} is on the middle {f}×{f} convolution; it belongs on the first 1×1 (2a) and on "
              "the shortcut (1).",
    },
    "block.first_stride": {
        "ko": "{block}첫 1×1 합성곱(2a)의 스트라이드가 {found}입니다. `strides=(s, s)`, 즉 여기서는 스트라이드 {expected} 값이어야 합니다.",
        "en": "{block}The first 1×1 convolution (2a) has stride {found}; it needs `strides=(s, s)`, here "
              "{expected}.",
    },
    "block.positional_kernel": {
        "ko": "{block}합성곱 {conv}의 스트라이드가 커널 크기와 같은 {found}입니다. Keras 2의 `Convolution2D(filters, rows, cols)` "
              "형태는 커널 크기를 숫자 두 개로 받았지만, Keras 3에서는 세 번째 위치 인자가 스트라이드입니다. `Conv2D(F2, (f, f), strides=(1, 1), "
              "padding='same')` 형태로 쓰세요.",
        "en": "{block}Convolution {conv} has stride {found}, as large as its kernel. Keras 2's "
              "`Convolution2D(filters, rows, cols)` took the kernel size as two numbers; in Keras 3 the third "
              "positional argument is the stride. Write `Conv2D(F2, (f, f), strides=(1, 1), padding='same')`.",
    },
    "block.unexpected_stride": {
        "ko": "{block}합성곱 {conv}의 스트라이드가 {found}입니다. 이 합성곱은 스트라이드 1이어야 합니다.",
        "en": "{block}Convolution {conv} has stride {found}; this convolution must have stride 1.",
    },
    "block.conv_no_bias": {
        "ko": "{block}합성곱 {conv}에 편향(bias)이 없습니다(`use_bias=False`). 배치 정규화 바로 앞의 편향은 배치 정규화의 beta가 같은 일을 하므로 "
              "흔히 빼지만, 이 과정의 ResNet50은 원래 모델의 파라미터 수 23,600,006개에 맞추려고 Keras 기본값대로 편향을 둡니다. `use_bias=False` "
              "인자를 지우세요.",
        "en": "{block}Convolution {conv} has no bias (`use_bias=False`). Leaving out the bias before "
              "BatchNormalization is common practice, since BatchNormalization's beta does the same job; the "
              "course's ResNet50 keeps Keras's default bias only to match the original parameter count "
              "(23,600,006 parameters). Remove `use_bias=False`.",
    },
    "block.relu_before_bn": {
        "ko": "{block}합성곱 {conv} 뒤에서 ReLU가 배치 정규화(batch normalization)보다 먼저 옵니다. 순서는 합성곱 → BatchNormalization "
              "→ ReLU입니다.",
        "en": "{block}After convolution {conv}, ReLU comes before BatchNormalization. The order is convolution "
              "→ BatchNormalization → ReLU.",
    },
    "block.bn_missing": {
        "ko": "{block}합성곱 {conv} 뒤에 배치 정규화(BatchNormalization) 층이 없습니다.",
        "en": "{block}BatchNormalization is missing after convolution {conv}.",
    },
    "block.relu_missing": {
        "ko": "{block}합성곱 {conv} 뒤의 배치 정규화 다음에 ReLU가 없습니다.",
        "en": "{block}The ReLU after convolution {conv}'s BatchNormalization is missing.",
    },
    "block.relu_before_add": {
        "ko": "{block}ReLU가 더하기 전에 적용됩니다. 마지막 배치 정규화(2c) 뒤에는 ReLU 없이 바로 숏컷을 더하고, ReLU는 더한 뒤에 한 번 적용합니다.",
        "en": "{block}ReLU is applied before the add. Add the shortcut right after the last BatchNormalization "
              "(2c), then apply ReLU once, after the add.",
    },
    "block.add_before_last_bn": {
        "ko": "{block}숏컷을 마지막 배치 정규화보다 먼저 더합니다. 합성곱 2c → BatchNormalization → 더하기 → ReLU 순서여야 합니다.",
        "en": "{block}The shortcut is added before the last BatchNormalization. The order is convolution 2c → "
              "BatchNormalization → add → ReLU.",
    },
    "block.final_relu_missing": {
        "ko": "{block}마지막 ReLU가 없습니다. 숏컷을 더한 뒤 `Activation('relu')` 층을 적용하세요.",
        "en": "{block}The final ReLU is missing: apply `Activation('relu')` after adding the shortcut.",
    },
    "block.after_add_unexpected": {
        "ko": "{block}더하기 뒤에 예상하지 못한 층이 있습니다: {layers}. 더한 뒤에는 ReLU 하나만 옵니다.",
        "en": "{block}Unexpected layers after the add: {layers}. Only a ReLU follows the add.",
    },
    "block.unexpected_layer": {
        "ko": "{block}주 경로({where} 근처)에 예상하지 못한 층이 있습니다: {layer}",
        "en": "{block}Unexpected layer on the main path (near {where}): {layer}",
    },
    "block.wrong_activation": {
        "ko": "{block}합성곱 {conv} 뒤의 활성화 함수(activation function)가 {found}입니다. ReLU를 쓰세요.",
        "en": "{block}The activation after convolution {conv} is {found}; use ReLU.",
    },
    "block.identity_shortcut_changed": {
        "ko": "{block}항등 블록(identity block)의 숏컷에 층이 있습니다: {layers}. 항등 블록의 숏컷은 입력을 그대로 전달합니다.",
        "en": "{block}The identity block's shortcut goes through layers: {layers}. An identity block's "
              "shortcut carries the input unchanged.",
    },
    "block.shortcut_no_conv": {
        "ko": "{block}숏컷에 합성곱이 없습니다. 합성곱 블록의 숏컷은 필터 F3={F3}개, 스트라이드 {s}의 1×1 합성곱과 배치 정규화를 거칩니다.",
        "en": "{block}The shortcut has no convolution. A convolutional block's shortcut is a 1×1 convolution "
              "with F3={F3} filters and stride {s}, then BatchNormalization.",
    },
    "block.shortcut_no_bn": {
        "ko": "{block}숏컷에 배치 정규화가 없습니다. 숏컷의 1×1 합성곱 뒤에도 BatchNormalization 층을 두세요.",
        "en": "{block}No BatchNormalization on the shortcut: put one after the shortcut's 1×1 convolution.",
    },
    "block.shortcut_relu": {
        "ko": "{block}숏컷에 ReLU가 있습니다. 숏컷은 합성곱과 배치 정규화만 거치고, ReLU는 더한 뒤에 적용합니다.",
        "en": "{block}The shortcut has a ReLU. The shortcut is only convolution and BatchNormalization; ReLU "
              "comes after the add.",
    },
    "block.shortcut_filters": {
        "ko": "{block}숏컷의 합성곱이 필터 {found}개를 씁니다. 주 경로의 출력과 더하려면 F3={expected}개여야 합니다.",
        "en": "{block}The shortcut's convolution has {found} filters; to match the main path it needs "
              "F3={expected}.",
    },
    "block.shortcut_no_stride": {
        "ko": "{block}숏컷의 합성곱에 스트라이드가 없습니다. 주 경로처럼 `strides=(s, s)`, 여기서는 스트라이드 {s} 값을 주어야 두 텐서의 크기가 맞습니다.",
        "en": "{block}The shortcut has no stride. Like the main path it needs `strides=(s, s)`, here {s}, so "
              "both tensors have the same size.",
    },
    "block.shortcut_stride": {
        "ko": "{block}숏컷의 스트라이드가 {found}입니다. 기대하는 스트라이드는 {expected}입니다.",
        "en": "{block}The shortcut's stride is {found}, expected {expected}.",
    },
    "block.bn_axis": {
        "ko": "{block}배치 정규화가 잘못된 축(axis={found})을 정규화합니다. 채널 축, 즉 `axis=3`이어야 합니다.",
        "en": "{block}BatchNormalization normalises the wrong axis (axis={found}); use the channels axis, "
              "`axis=3`.",
    },
    "block.training_hardwired": {
        "ko": "{block}`{layer}` 층을 `training={value}` 인자로 호출했습니다. 블록 안에서는 `training=` 인자를 넘기지 마세요. 훈련인지 추론인지는 "
              "`model.fit` 함수와 `model.predict` 함수가 정합니다.",
        "en": "{block}`{layer}` is called with `training={value}`. Do not pass `training=` inside a block: "
              "`model.fit` and `model.predict` decide the mode.",
    },
    "block.layer_names": {
        "ko": "층 이름 {count}개가 이름 규칙과 다릅니다(기대 ≠ 실제): {examples}. 층 이름은 `conv_name_base` 변수와 `bn_name_base` 변수로 "
              "짓습니다. 숏컷의 두 층에는 `'1'`, 주 경로의 층에는 `'2a'`, `'2b'`, `'2c'` 꼬리를 붙입니다.",
        "en": "{count} layer names differ from the naming convention (expected ≠ found): {examples}. Name the layers "
              "with `conv_name_base` and `bn_name_base`: `'1'` for the shortcut's two layers, `'2a'`, `'2b'`, `'2c'` "
              "on the main path.",
    },
})
