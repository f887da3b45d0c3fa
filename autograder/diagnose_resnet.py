"""Name the mistake in a residual block or a ResNet50 by reading its Keras graph.

The public checks (in the student's kernel) and the judge (outside it, on a model rebuilt
from JSON) both ask the same question: *what* is wrong with this block? Comparing output
values says only "different"; the graph says "the final ReLU is missing" or "stride 2 is
on the middle 3x3 convolution". This module answers from the functional graph alone:

- it never runs the model and never needs weights or a reference implementation;
- it accepts a live `keras.Model`, the JSON of `model.to_json()` (string or parsed dict) or
  the dict of `model.get_config()`, and sees the same graph in each;
- it describes layers by *meaning*, not spelling: `ReLU()`, `Activation('relu')`,
  `Activation(tf.nn.relu)` and `keras.ops.relu` are all "relu"; `Add()`, `layers.add` and
  `x + y` are all "add", with operands in either order; a convolution's built-in
  `activation='relu'` counts as a ReLU right after it.

Public API (each problem is a `(message_key, values)` pair; the keys are registered in
the bilingual message catalog below, so `messages.text(key, **values)` renders them):

    diagnose_identity_block(model, f, filters, stage=None, block=None)
    diagnose_convolutional_block(model, f, filters, s=2, stage=None, block=None)
    diagnose_resnet50_layout(model, input_shape=(64, 64, 3), classes=6)
    diagnose_resnet50_blocks(model)
    block_roles(model)            -> {"conv2a": layer name, "bn2a": ..., "conv1": ..., ...}
    resnet50_layout(model)        -> plain dict: stem, stages (blocks, filters, strides), head
    resnet50_roles(model)         -> {"conv1": ..., "bn_conv1": ..., "3b.conv2a": ..., "fc": ...}
    graph_of(model)               -> Graph (nodes with kinds, inputs, consumers)

Role maps let a caller set weights by what a layer *does* (the judge fills the student's
and the reference model with the same numbers role by role), so neither the student's
initializer nor the order in which layers were created changes a verdict.
"""

import json
from dataclasses import dataclass, field

from resnet_course.utils.messages import register

# ---------------------------------------------------------------------------------------
# The graph
# ---------------------------------------------------------------------------------------

_ADD_CLASSES = {"Add"}
_PASSTHROUGH = {"Dropout", "Identity", "SpatialDropout2D", "GaussianNoise", "ActivityRegularization"}


def _activation_name(value):
    """'relu' for 'relu', {'config': 'relu'}, tf.nn.relu's serialised form, ...; None for linear."""
    if isinstance(value, dict):
        value = value.get("config", value.get("class_name"))
    if value is None:
        return None
    name = str(value).lower()
    if name.endswith("_v2"):
        name = name[:-3]
    return None if name in ("linear", "none", "") else name


def _pair(value):
    if isinstance(value, (list, tuple)):
        return tuple(_pair(v) if isinstance(v, (list, tuple)) else v for v in value)
    return (value, value)


@dataclass
class Node:
    """One operation of the graph, described by meaning.

    kind is one of: input, conv, bn, relu, activation (any other activation), softmax,
    add, zeropad, maxpool, avgpool, globalpool, flatten, dense, passthrough, other.
    """

    name: str
    kind: str
    class_name: str
    config: dict
    inputs: list = field(default_factory=list)
    training: object = None  # a hard-wired `training=` keyword, if any

    @property
    def kernel(self):
        return _pair(self.config.get("kernel_size", 1))

    @property
    def strides(self):
        return _pair(self.config.get("strides", 1))

    @property
    def filters(self):
        return self.config.get("filters")

    @property
    def padding(self):
        return str(self.config.get("padding", "valid")).lower()

    @property
    def activation(self):
        return _activation_name(self.config.get("activation"))

    def describe(self):
        if self.kind == "conv":
            k = self.kernel
            s = self.strides
            return f"Conv2D({self.filters}, {k[0]}x{k[1]}, stride {s[0]}, {self.padding})"
        return self.class_name


def _kind(class_name, module, config):
    if class_name == "InputLayer":
        return "input"
    if class_name in ("Conv2D", "Convolution2D"):
        return "conv"
    if class_name == "BatchNormalization":
        return "bn"
    if class_name == "ReLU":
        plain = (not config.get("max_value")) and not config.get("negative_slope") and not config.get("threshold")
        return "relu" if plain else "activation"
    if class_name == "Activation":
        name = _activation_name(config.get("activation"))
        if name == "relu":
            return "relu"
        if name == "softmax":
            return "softmax"
        return "passthrough" if name is None else "activation"
    if class_name == "Softmax":
        return "softmax"
    if class_name in _ADD_CLASSES:
        return "add"
    if module and "ops" in module:
        lowered = class_name.lower()
        if lowered == "relu":
            return "relu"
        if lowered == "softmax":
            return "softmax"
        if lowered in ("elu", "selu", "gelu", "sigmoid", "tanh", "leakyrelu", "leaky_relu", "silu", "relu6"):
            return "activation"
    if class_name == "ZeroPadding2D":
        return "zeropad"
    if class_name == "MaxPooling2D" or class_name == "MaxPool2D":
        return "maxpool"
    if class_name in ("AveragePooling2D", "AvgPool2D"):
        return "avgpool"
    if class_name in ("GlobalAveragePooling2D", "GlobalMaxPooling2D"):
        return "globalpool"
    if class_name == "Flatten":
        return "flatten"
    if class_name == "Dense":
        return "dense"
    if class_name in _PASSTHROUGH:
        return "passthrough"
    return "other"


def _history_names(value, found):
    """Collect keras_history layer names from a node's (nested) call arguments, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            found.append(value["config"]["keras_history"][0])
            return found
        for item in value.values():
            _history_names(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _history_names(item, found)
    return found


def _output_names(spec):
    if not spec:
        return []
    if isinstance(spec[0], str):
        return [spec[0]]
    return [item[0] for item in spec]


class Graph:
    """A functional model's graph: `nodes` in topological order, `inputs`, `outputs`, `name`."""

    def __init__(self, config):
        self.name = config.get("name")
        self.nodes = {}
        renamed = {}  # layer name -> the node that stands for its output (split activations)
        for layer in config.get("layers", []):
            cls = layer.get("class_name", "?")
            cfg = layer.get("config", {}) or {}
            name = layer.get("name") or cfg.get("name")
            kind = _kind(cls, layer.get("module"), cfg)
            inputs, training = [], None
            calls = layer.get("inbound_nodes") or []
            if calls:
                call = calls[0]
                inputs = [renamed.get(n, n) for n in _history_names(call.get("args", []), [])]
                kwargs = call.get("kwargs", {}) or {}
                training = kwargs.get("training")
            self.nodes[name] = Node(name, kind, cls, cfg, inputs, training)
            renamed[name] = name
            act = _activation_name(cfg.get("activation")) if kind in ("conv", "dense") else None
            if act:
                split = f"{name}:{act}"
                self.nodes[split] = Node(split, {"relu": "relu", "softmax": "softmax"}.get(act, "activation"),
                                         f"activation={act!r}", {"activation": act}, [name])
                renamed[name] = split
        self.inputs = [renamed.get(n, n) for n in _output_names(config.get("input_layers"))]
        self.outputs = [renamed.get(n, n) for n in _output_names(config.get("output_layers"))]
        self._consumers = {name: [] for name in self.nodes}
        for node in self.nodes.values():
            for parent in node.inputs:
                if parent in self._consumers and node.name not in self._consumers[parent]:
                    self._consumers[parent].append(node.name)

    def __getitem__(self, name):
        return self.nodes[name]

    def consumers(self, name):
        return list(self._consumers.get(name, []))

    def of_kind(self, kind):
        return [node for node in self.nodes.values() if node.kind == kind]


def graph_of(model):
    """A Graph from a keras Model, its `to_json()` string, or a parsed JSON / get_config() dict."""
    if isinstance(model, Graph):
        return model
    if isinstance(model, (str, bytes)):
        model = json.loads(model)
    if isinstance(model, dict):
        config = model["config"] if "layers" not in model and "config" in model else model
    else:
        config = model.get_config()
    return Graph(config)


# ---------------------------------------------------------------------------------------
# Blocks: main path, shortcut, what comes after the add
# ---------------------------------------------------------------------------------------


@dataclass
class Block:
    """One residual block found around an add node (all lists hold node names, input → output)."""

    add: str
    input: str = None
    main: list = field(default_factory=list)
    shortcut: list = field(default_factory=list)
    after: list = field(default_factory=list)
    output: str = None
    problem: tuple = None  # set when the add could not be read as a block
    partial: bool = False  # no add in the graph: a block cut short (see _partial_block)


def _chain_back(graph, name):
    """[name, parent, grandparent, ...] following single-input nodes; ends at a merge or an input."""
    chain = [name]
    while True:
        node = graph[chain[-1]]
        if len(node.inputs) != 1 or node.inputs[0] not in graph.nodes:
            return chain
        chain.append(node.inputs[0])


_AFTER_ADD_KINDS = ("relu", "bn", "activation", "passthrough")


def find_block(graph, add_name):
    """Split the block that ends at `add_name` into main path, shortcut and after-add nodes."""
    block = Block(add=add_name)
    operands = graph[add_name].inputs
    if len(operands) != 2:
        block.problem = ("block.add_operands", {"found": len(operands)})
        return block
    first, second = (_chain_back(graph, operand) for operand in operands)
    meeting = next((n for n in first if n in second), None)
    if meeting is None:
        block.problem = ("block.shortcut_not_input", {})
        return block
    path_a = list(reversed(first[: first.index(meeting)]))
    path_b = list(reversed(second[: second.index(meeting)]))
    main, shortcut = (path_a, path_b) if len(path_a) >= len(path_b) else (path_b, path_a)
    block.input, block.main, block.shortcut = meeting, main, shortcut
    # After the add: single-consumer steps that still belong to the block (a ReLU, or the
    # BatchNormalization and ReLU of a block that adds too early). The block ends where
    # the tensor fans out to the next block, or at the model's output.
    current = add_name
    while True:
        nxt = graph.consumers(current)
        if len(nxt) != 1:
            break
        node = graph[nxt[0]]
        if node.kind not in _AFTER_ADD_KINDS or len(node.inputs) != 1:
            break
        block.after.append(node.name)
        current = node.name
    block.output = current
    return block


def _units(graph, names):
    """Cut a path into units: (conv node or None, [kinds of the nodes that follow it])."""
    units = []
    for name in names:
        node = graph[name]
        if node.kind == "conv":
            units.append([node, []])
        elif units:
            units[-1][1].append(node)
        else:
            units.append([None, [node]])
    return units


_ROLE_LETTERS = ("2a", "2b", "2c")


def _expected_names(stage, block):
    if stage is None or block is None:
        return None
    base = f"{stage}{block}_branch"
    names = {}
    for letter in _ROLE_LETTERS + ("1",):
        names[f"conv{letter}"] = f"res{base}{letter}"
        names[f"bn{letter}"] = f"bn{base}{letter}"
    return names


def _roles_of(graph, blk):
    """{role: layer name} for the block's convolutions and batch norms that could be placed."""
    roles = {}
    convs = [(conv, followers) for conv, followers in _units(graph, blk.main) if conv is not None]
    if len(convs) == 3:
        for letter, (conv, followers) in zip(_ROLE_LETTERS, convs):
            roles[f"conv{letter}"] = conv.name
            bns = [n for n in followers if n.kind == "bn"]
            if bns:
                roles[f"bn{letter}"] = bns[0].name
        if "bn2c" not in roles:
            late = [graph[n] for n in blk.after if graph[n].kind == "bn"]
            if late:
                roles["bn2c"] = late[0].name
    short = [graph[n] for n in blk.shortcut]
    for node in short:
        if node.kind == "conv" and "conv1" not in roles:
            roles["conv1"] = node.name
        if node.kind == "bn" and "bn1" not in roles:
            roles["bn1"] = node.name
    return {role: name for role, name in roles.items() if ":" not in name}


def _diagnose_block(graph, blk, kind, f, filters, s, stage=None, block=None):
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

    units = _units(graph, blk.main)
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
                for letter, got, want in zip(_ROLE_LETTERS, found_filters, (F1, F2, F3)):
                    if got != want:
                        add("block.filters_count", conv=letter, found=got, expected=want)
        # kernel sizes
        for letter, (conv, _) in zip(_ROLE_LETTERS, convs):
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
        for letter, (conv, _) in zip(_ROLE_LETTERS, convs):
            if conv.kernel == (1, 1) and conv.padding not in ("valid", "same"):
                add("block.padding_unknown", conv=letter, found=conv.padding)
        # strides
        got = [conv.strides for conv, _ in convs]
        if kind == "convolutional" and s != 1 and got[1] == stride and got[0] != stride:
            add("block.stride_on_middle", s=s, f=f)
        else:
            for letter, st, want in zip(_ROLE_LETTERS, got, (stride, (1, 1), (1, 1))):
                if st != want:
                    if kind == "convolutional" and letter == "2a":
                        add("block.first_stride", found=st[0], expected=s)
                    else:
                        add("block.unexpected_stride", conv=letter, found=st[0])
        for letter, (conv, _) in zip(_ROLE_LETTERS, convs):
            if conv.config.get("use_bias") is False:
                add("block.conv_no_bias", conv=letter)

    after_nodes = [graph[n] for n in blk.after]
    after_kinds = [n.kind for n in after_nodes]
    last_index = len(units) - 1
    for index, (conv, followers) in enumerate(units):
        letter = _ROLE_LETTERS[index] if index < 3 else str(index + 1)
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

    # names (only when the layout is right, so the roles are unambiguous)
    expected = _expected_names(stage, block)
    if expected and not problems:
        roles = _roles_of(graph, blk)
        wrong = [(expected[role], name) for role, name in roles.items() if name != expected[role]]
        if wrong:
            shown = ", ".join(f"{want} ≠ {got}" for want, got in wrong[:3])
            add("block.layer_names", examples=shown, count=len(wrong))
    return _dedupe(problems)


def _dedupe(problems):
    seen, result = set(), []
    for key, values in problems:
        marker = (key, json.dumps(values, sort_keys=True, default=str))
        if marker not in seen:
            seen.add(marker)
            result.append((key, values))
    return result


def _partial_block(graph):
    """A block whose add is missing or never happened (construction stopped at the add).

    The longest chain from the input is the main path; another output whose chain holds a
    convolution of its own is the shortcut. Returns None when the graph has no such chain.
    """
    if not graph.inputs:
        return None
    start = graph.inputs[0]
    chains = [list(reversed(_chain_back(graph, name))) for name in graph.outputs]
    chains = [chain for chain in chains if chain[0] == start and len(chain) > 1]
    if not chains:
        return None
    main = max(chains, key=len)
    shortcut = []
    for chain in chains:
        if chain is main:
            continue
        own = [n for n in chain[1:] if n not in main]
        if any(graph[n].kind == "conv" for n in own) and len(own) > len(shortcut):
            shortcut = own
    return Block(add=None, input=start, main=main[1:], shortcut=shortcut, after=[], output=main[-1], partial=True)


def _single_block(graph):
    """(Block, problems) for a graph that should hold exactly one residual block."""
    adds = graph.of_kind("add")
    if len(adds) > 1:
        return None, [("block.several_adds", {"found": len(adds)})]
    if adds:
        return find_block(graph, adds[0].name), []
    blk = _partial_block(graph)
    # One output and no add: the student never added the shortcut. Several outputs: the
    # graph was salvaged from a function that failed at the add (shapes did not match).
    problems = [("block.no_add", {})] if len(graph.outputs) <= 1 else []
    return blk, problems


def _diagnose_single(model, kind, f, filters, s, stage, block):
    graph = graph_of(model)
    blk, problems = _single_block(graph)
    if blk is None:
        return problems
    found = _diagnose_block(graph, blk, kind, f, filters, s, stage, block)
    if problems:  # no add at all: a ReLU at the end of the main path is not "before the add"
        found = [p for p in found if p[0] not in ("block.relu_before_add", "block.layer_names")]
    return problems + found


def diagnose_identity_block(model, f, filters, stage=None, block=None):
    """Problems of a model `Model(X, identity_block(X, f, filters, stage, block))`.

    Returns a list of (message_key, values); empty when the graph is right. Layer names are
    checked only when `stage` and `block` are given and everything else is right.
    """
    return _diagnose_single(model, "identity", f, filters, 1, stage, block)


def diagnose_convolutional_block(model, f, filters, s=2, stage=None, block=None):
    """Problems of a model `Model(X, convolutional_block(X, f, filters, stage, block, s))`."""
    return _diagnose_single(model, "convolutional", f, filters, s, stage, block)


def block_roles(model):
    """{role: layer name} of a single-block model; roles conv2a bn2a conv2b bn2b conv2c bn2c conv1 bn1."""
    graph = graph_of(model)
    blk, problems = _single_block(graph)
    if blk is None or blk.problem or blk.partial:
        return {}
    return _roles_of(graph, blk)


# ---------------------------------------------------------------------------------------
# ResNet50: stem, stages of blocks, head
# ---------------------------------------------------------------------------------------

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
    if graph.name != "ResNet50":
        add("resnet.model_name", found=graph.name)
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
    elif _pair(pads[0].config.get("padding")) not in (((3, 3), (3, 3)), (3, 3)):
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
        size, strides = _pair(pool.config.get("pool_size")), _pair(pool.config.get("strides") or pool.config.get("pool_size"))
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
    elif _pair(avg[0].config.get("pool_size")) != (2, 2):
        size = _pair(avg[0].config.get("pool_size"))
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

    # names of the layers outside the blocks (block names belong to the blocks)
    if not problems:
        wanted = {"conv1": convs[0].name if convs else None, "bn_conv1": None, "avg_pool": avg[0].name if avg else None,
                  f"fc{classes}": dense[0].name.split(":")[0] if dense else None}
        stem_bn = [n for n in stem_nodes if n.kind == "bn"]
        wanted["bn_conv1"] = stem_bn[0].name if stem_bn else None
        wrong = [f"{want} ≠ {got}" for want, got in wanted.items() if got is not None and got != want]
        if wrong:
            add("resnet.layer_names", examples=", ".join(wrong[:3]), count=len(wrong))
    return _dedupe(problems)


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def diagnose_resnet50_blocks(model):
    """Problems inside ResNet50's blocks, each with `block` set to e.g. '4c' in its values.

    Each block is judged against the filters, kernel and stride of the stage it sits in
    (ResNet50's table), so a wrong layout reported by `diagnose_resnet50_layout` is not
    charged twice. Returns problems of the first blocks that have any, without repeating
    the same message for every block.
    """
    graph = graph_of(model)
    blocks, _, _ = _analyse_resnet(graph)
    problems, seen = [], set()
    for (stage, filters, stride, _), members in zip(RESNET50_STAGES, _stages(graph, blocks)):
        for index, (blk, summary) in enumerate(members):
            kind = summary["kind"]
            found = _diagnose_block(graph, blk, kind, 3, filters, stride if kind == "convolutional" else 1,
                                    stage, _LETTERS[index] if index < len(_LETTERS) else None)
            for key, values in found:
                if key in ("block.filters_count", "block.filters_order", "block.shortcut_filters") or key in seen:
                    continue  # the layout diagnosis reports filters per stage
                seen.add(key)
                problems.append((key, dict(values, block=f"{stage}{_LETTERS[index]}")))
    return problems


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
            for role, name in _roles_of(graph, blk).items():
                roles[f"{number}{_LETTERS[index % 26]}.{role}"] = name
    for name in head:
        if graph[name].kind == "dense":
            roles["fc"] = name.split(":")[0]
    return roles


# ---------------------------------------------------------------------------------------
# Messages: each names one mistake and where to look
# ---------------------------------------------------------------------------------------

register({
    "block.no_add": {
        "ko": "숏컷(shortcut)을 더하는 층(Add)이 없습니다. 주 경로의 끝에서 `Add()([X, X_shortcut])`로 입력을 다시 더하세요.",
        "en": "There is no add: the shortcut is never added back. End the main path with `Add()([X, X_shortcut])`.",
    },
    "block.several_adds": {
        "ko": "블록 안에 더하기가 {found}번 있습니다. 잔차 블록은 숏컷을 한 번만 더합니다.",
        "en": "The block adds {found} times. A residual block adds the shortcut exactly once.",
    },
    "block.add_operands": {
        "ko": "Add가 텐서 {found}개를 더합니다. 주 경로와 숏컷, 두 개를 더해야 합니다.",
        "en": "The add takes {found} tensors. It should add exactly two: the main path and the shortcut.",
    },
    "block.shortcut_not_input": {
        "ko": "숏컷이 블록의 입력 X에서 시작하지 않습니다. 첫 합성곱 전에 `X_shortcut = X`로 입력을 저장해 두세요.",
        "en": "The shortcut does not start from the block's input X. Save it with `X_shortcut = X` before the first convolution.",
    },
    "block.main_path_missing": {
        "ko": "주 경로(main path)에 합성곱이 없습니다. 입력에 입력 자신을 더하고 있는지 확인하세요.",
        "en": "The main path has no convolution: the block seems to add its input to itself.",
    },
    "block.conv_count": {
        "ko": "주 경로의 합성곱이 {found}개입니다. 1x1, fxf, 1x1의 {expected}개여야 합니다.",
        "en": "The main path has {found} convolutions; expected {expected}: 1x1, fxf, 1x1.",
    },
    "block.filters_order": {
        "ko": "필터 수의 순서가 틀렸습니다. 주 경로의 합성곱이 {found}개의 필터를 쓰는데, 차례대로 F1, F2, F3 = {expected}여야 합니다.",
        "en": "Filters in the wrong order: the main path's convolutions use {found}, expected F1, F2, F3 = {expected}.",
    },
    "block.filters_count": {
        "ko": "합성곱 {conv}의 필터가 {found}개입니다. {expected}개여야 합니다(`F1, F2, F3 = filters`).",
        "en": "Convolution {conv} has {found} filters, expected {expected} (`F1, F2, F3 = filters`).",
    },
    "block.kernel_f_on_1x1": {
        "ko": "1x1 합성곱 {conv}에 커널 크기 f={f}를 썼습니다. f는 가운데 합성곱(2b)에만 쓰고, {conv}는 `(1, 1)`입니다.",
        "en": "Kernel size f={f} on a 1x1 convolution ({conv}). Only the middle convolution (2b) uses f; {conv} is `(1, 1)`.",
    },
    "block.kernel_size": {
        "ko": "합성곱 {conv}의 커널이 {found}입니다. {expected}여야 합니다.",
        "en": "Convolution {conv} has a {found} kernel, expected {expected}.",
    },
    "block.middle_valid_padding": {
        "ko": "가운데 합성곱(2b)이 `valid` 패딩(padding)을 씁니다. 높이와 너비를 지키려면 `padding='same'`이어야 합니다.",
        "en": "The middle convolution (2b) uses valid padding. It needs `padding='same'` to keep height and width.",
    },
    "block.padding_unknown": {
        "ko": "합성곱 {conv}의 패딩이 {found}입니다. `valid`를 쓰세요.",
        "en": "Convolution {conv} uses padding {found}; use `valid`.",
    },
    "block.stride_on_middle": {
        "ko": "스트라이드(stride) {s}가 가운데 {f}x{f} 합성곱에 있습니다. 스트라이드는 첫 1x1 합성곱(2a)과 숏컷의 합성곱(1)에 둡니다.",
        "en": "Stride {s} is on the middle {f}x{f} convolution; it belongs on the first 1x1 (2a) and on the shortcut (1).",
    },
    "block.first_stride": {
        "ko": "첫 1x1 합성곱(2a)의 스트라이드가 {found}입니다. `strides=(s, s)`, 여기서는 {expected}여야 합니다.",
        "en": "The first 1x1 convolution (2a) has stride {found}; it needs `strides=(s, s)`, here {expected}.",
    },
    "block.unexpected_stride": {
        "ko": "합성곱 {conv}의 스트라이드가 {found}입니다. 이 합성곱은 스트라이드 1이어야 합니다.",
        "en": "Convolution {conv} has stride {found}; this convolution must have stride 1.",
    },
    "block.conv_no_bias": {
        "ko": "합성곱 {conv}에 편향(bias)이 없습니다(`use_bias=False`). 이 과정의 ResNet50은 Keras 기본값대로 편향을 둡니다(파라미터 23,600,006개).",
        "en": "Convolution {conv} has no bias (`use_bias=False`). The course's ResNet50 keeps Keras's default bias (23,600,006 parameters).",
    },
    "block.relu_before_bn": {
        "ko": "합성곱 {conv} 뒤에서 ReLU가 배치 정규화(batch normalization)보다 먼저 옵니다. 순서는 합성곱 → BatchNormalization → ReLU입니다.",
        "en": "After convolution {conv}, ReLU comes before BatchNormalization. The order is convolution → BatchNormalization → ReLU.",
    },
    "block.bn_missing": {
        "ko": "합성곱 {conv} 뒤에 BatchNormalization이 없습니다.",
        "en": "BatchNormalization is missing after convolution {conv}.",
    },
    "block.relu_missing": {
        "ko": "합성곱 {conv}의 BatchNormalization 뒤에 ReLU가 없습니다.",
        "en": "The ReLU after convolution {conv}'s BatchNormalization is missing.",
    },
    "block.relu_before_add": {
        "ko": "ReLU가 더하기 전에 적용됩니다. 마지막 BatchNormalization(2c) 뒤에는 ReLU 없이 바로 숏컷을 더하고, ReLU는 더한 뒤에 한 번 적용합니다.",
        "en": "ReLU is applied before the add. Add the shortcut right after the last BatchNormalization (2c), then apply ReLU once, after the add.",
    },
    "block.add_before_last_bn": {
        "ko": "숏컷을 마지막 BatchNormalization보다 먼저 더합니다. 합성곱 2c → BatchNormalization → 더하기 → ReLU 순서여야 합니다.",
        "en": "The shortcut is added before the last BatchNormalization. The order is convolution 2c → BatchNormalization → add → ReLU.",
    },
    "block.final_relu_missing": {
        "ko": "마지막 ReLU가 없습니다. 숏컷을 더한 뒤 `Activation('relu')`를 적용하세요.",
        "en": "The final ReLU is missing: apply `Activation('relu')` after adding the shortcut.",
    },
    "block.after_add_unexpected": {
        "ko": "더하기 뒤에 예상하지 못한 층이 있습니다: {layers}. 더한 뒤에는 ReLU 하나만 옵니다.",
        "en": "Unexpected layers after the add: {layers}. Only a ReLU follows the add.",
    },
    "block.unexpected_layer": {
        "ko": "주 경로({where} 근처)에 예상하지 못한 층이 있습니다: {layer}",
        "en": "Unexpected layer on the main path (near {where}): {layer}",
    },
    "block.wrong_activation": {
        "ko": "합성곱 {conv} 뒤의 활성화 함수(activation function)가 {found}입니다. ReLU를 쓰세요.",
        "en": "The activation after convolution {conv} is {found}; use ReLU.",
    },
    "block.identity_shortcut_changed": {
        "ko": "항등 블록(identity block)의 숏컷에 층이 있습니다: {layers}. 항등 블록의 숏컷은 입력을 그대로 전달합니다.",
        "en": "The identity block's shortcut goes through layers: {layers}. An identity block's shortcut carries the input unchanged.",
    },
    "block.shortcut_no_conv": {
        "ko": "숏컷에 합성곱이 없습니다. 합성곱 블록의 숏컷은 F3={F3}개 필터, 스트라이드 {s}의 1x1 합성곱과 BatchNormalization을 거칩니다.",
        "en": "The shortcut has no convolution. A convolutional block's shortcut is a 1x1 convolution with F3={F3} filters and stride {s}, then BatchNormalization.",
    },
    "block.shortcut_no_bn": {
        "ko": "숏컷에 BatchNormalization이 없습니다. 숏컷의 1x1 합성곱 뒤에도 BatchNormalization을 두세요.",
        "en": "No BatchNormalization on the shortcut: put one after the shortcut's 1x1 convolution.",
    },
    "block.shortcut_relu": {
        "ko": "숏컷에 ReLU가 있습니다. 숏컷은 합성곱과 BatchNormalization만 거치고, ReLU는 더한 뒤에 적용합니다.",
        "en": "The shortcut has a ReLU. The shortcut is only convolution and BatchNormalization; ReLU comes after the add.",
    },
    "block.shortcut_filters": {
        "ko": "숏컷의 합성곱이 필터 {found}개를 씁니다. 주 경로의 출력과 더하려면 F3={expected}개여야 합니다.",
        "en": "The shortcut's convolution has {found} filters; to match the main path it needs F3={expected}.",
    },
    "block.shortcut_no_stride": {
        "ko": "숏컷의 합성곱에 스트라이드가 없습니다. 주 경로처럼 `strides=(s, s)`, 여기서는 {s}여야 두 텐서의 크기가 맞습니다.",
        "en": "The shortcut has no stride. Like the main path it needs `strides=(s, s)`, here {s}, so both tensors have the same size.",
    },
    "block.shortcut_stride": {
        "ko": "숏컷의 스트라이드가 {found}입니다. {expected}여야 합니다.",
        "en": "The shortcut's stride is {found}, expected {expected}.",
    },
    "block.bn_axis": {
        "ko": "BatchNormalization이 잘못된 축(axis={found})을 정규화합니다. 채널 축, `axis=3`이어야 합니다.",
        "en": "BatchNormalization normalises the wrong axis (axis={found}); use the channels axis, `axis=3`.",
    },
    "block.training_hardwired": {
        "ko": "`{layer}`를 `training={value}`로 호출했습니다. 블록 안에서는 `training=`을 넘기지 마세요. 훈련 여부는 `model.fit`과 `model.predict`가 정합니다.",
        "en": "`{layer}` is called with `training={value}`. Do not pass `training=` inside a block: `model.fit` and `model.predict` decide the mode.",
    },
    "block.layer_names": {
        "ko": "층 이름 {count}개가 약속과 다릅니다(예상 ≠ 실제): {examples}. `conv_name_base`와 `bn_name_base`로 이름을 지으세요.",
        "en": "{count} layer names differ from the convention (expected ≠ found): {examples}. Name layers with `conv_name_base` and `bn_name_base`.",
    },
    "resnet.model_name": {
        "ko": "모델 이름이 {found!r}입니다. `Model(..., name='ResNet50')`으로 지으세요.",
        "en": "The model is named {found!r}; name it with `Model(..., name='ResNet50')`.",
    },
    "resnet.no_blocks": {
        "ko": "모델에서 잔차 블록을 찾지 못했습니다. `convolutional_block`과 `identity_block`을 호출했는지 확인하세요.",
        "en": "No residual block found in the model. Check that it calls `convolutional_block` and `identity_block`.",
    },
    "resnet.no_zeropad": {
        "ko": "제로 패딩(zero padding)이 없습니다. 입력 바로 뒤에 `ZeroPadding2D((3, 3))`를 두세요.",
        "en": "Zero padding missing: put `ZeroPadding2D((3, 3))` right after the input.",
    },
    "resnet.zeropad_size": {
        "ko": "제로 패딩이 {found}입니다. `(3, 3)`이어야 합니다.",
        "en": "The zero padding is {found}; it should be `(3, 3)`.",
    },
    "resnet.stem_conv_count": {
        "ko": "첫 블록 앞에 합성곱이 {found}개 있습니다. 7x7 합성곱 conv1 하나여야 합니다.",
        "en": "There are {found} convolutions before the first block; expected one, the 7x7 conv1.",
    },
    "resnet.stem_conv": {
        "ko": "첫 합성곱이 {found}입니다. 필터 64개, 7x7 커널, 스트라이드 2여야 합니다.",
        "en": "The first convolution is {found}; expected 64 filters, a 7x7 kernel and stride 2.",
    },
    "resnet.stem_bn_missing": {
        "ko": "conv1 뒤에 BatchNormalization(bn_conv1)이 없습니다.",
        "en": "BatchNormalization (bn_conv1) is missing after conv1.",
    },
    "resnet.stem_relu_missing": {
        "ko": "bn_conv1 뒤에 ReLU가 없습니다.",
        "en": "The ReLU after bn_conv1 is missing.",
    },
    "resnet.stem_relu_before_bn": {
        "ko": "1단계에서 ReLU가 BatchNormalization보다 먼저 옵니다. conv1 → bn_conv1 → ReLU 순서입니다.",
        "en": "In stage 1, ReLU comes before BatchNormalization. The order is conv1 → bn_conv1 → ReLU.",
    },
    "resnet.no_maxpool": {
        "ko": "최대 풀링(max pooling)이 없습니다. 1단계 끝에 `MaxPooling2D((3, 3), strides=(2, 2))`를 두세요.",
        "en": "Max pooling missing: end stage 1 with `MaxPooling2D((3, 3), strides=(2, 2))`.",
    },
    "resnet.stem_avgpool": {
        "ko": "1단계 끝에 평균 풀링(average pooling)을 썼습니다. 여기는 최대 풀링 `MaxPooling2D((3, 3), strides=(2, 2))`입니다.",
        "en": "Stage 1 ends with average pooling; it should be max pooling, `MaxPooling2D((3, 3), strides=(2, 2))`.",
    },
    "resnet.maxpool_size": {
        "ko": "최대 풀링이 {found}입니다. 3x3, 스트라이드 2여야 합니다.",
        "en": "The max pooling is {found}; expected 3x3 with stride 2.",
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
        "ko": "{stage}단계의 필터가 {found}입니다. {expected}여야 합니다.",
        "en": "Stage {stage} uses filters {found}; expected {expected}.",
    },
    "resnet.stage_stride": {
        "ko": "{stage}단계 합성곱 블록의 스트라이드가 {found}입니다. {expected}여야 합니다(2단계는 s=1, 나머지는 s=2).",
        "en": "Stage {stage}'s convolutional block has stride {found}, expected {expected} (s=1 in stage 2, s=2 after).",
    },
    "resnet.stage_kernel": {
        "ko": "{stage}단계 블록의 가운데 커널 크기가 {found}입니다. 모든 블록에서 f=3입니다.",
        "en": "Stage {stage}'s blocks use middle kernel sizes {found}; every block uses f=3.",
    },
    "resnet.no_avgpool": {
        "ko": "평균 풀링이 없습니다. 5단계 뒤에 `AveragePooling2D((2, 2), name='avg_pool')`를 두세요.",
        "en": "Average pooling missing: put `AveragePooling2D((2, 2), name='avg_pool')` after stage 5.",
    },
    "resnet.avgpool_is_max": {
        "ko": "5단계 뒤에 최대 풀링을 썼습니다. 여기는 평균 풀링 `AveragePooling2D((2, 2), name='avg_pool')`입니다.",
        "en": "Stage 5 is followed by max pooling; it should be average pooling, `AveragePooling2D((2, 2), name='avg_pool')`.",
    },
    "resnet.avgpool_global": {
        "ko": "전역 평균 풀링(GlobalAveragePooling2D)을 썼습니다. 이 과제는 `AveragePooling2D((2, 2), name='avg_pool')`와 `Flatten()`을 씁니다.",
        "en": "GlobalAveragePooling2D is used; this assignment uses `AveragePooling2D((2, 2), name='avg_pool')` and `Flatten()`.",
    },
    "resnet.avgpool_size": {
        "ko": "평균 풀링의 크기가 {found}입니다. 2x2여야 합니다.",
        "en": "The average pooling is {found}; expected 2x2.",
    },
    "resnet.no_flatten": {
        "ko": "평균 풀링 뒤에 `Flatten()`이 없습니다.",
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
        "ko": "출력에 소프트맥스(softmax)가 없습니다. `Dense(classes, activation='softmax', ...)`를 쓰세요.",
        "en": "No softmax on the output: use `Dense(classes, activation='softmax', ...)`.",
    },
    "resnet.head_unexpected": {
        "ko": "5단계 뒤에 예상하지 못한 층이 있습니다: {layer}",
        "en": "Unexpected layer after stage 5: {layer}",
    },
    "resnet.layer_names": {
        "ko": "층 이름 {count}개가 약속과 다릅니다(예상 ≠ 실제): {examples}",
        "en": "{count} layer names differ from the convention (expected ≠ found): {examples}",
    },
})


# ---------------------------------------------------------------------------------------
# Weights set by role, so two models with the same meaning give the same numbers
# ---------------------------------------------------------------------------------------


def _role_rng(role, weight_name):
    import hashlib

    import numpy as np

    digest = hashlib.sha256(f"{role}/{weight_name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def role_weights(role, weight_name, shape):
    """Deterministic values for one weight of the layer playing `role`.

    Kernels are scaled by their fan-in so activations keep their size through many
    layers; the last BatchNormalization of a block (role ending in 'bn2c') gets a small
    scale, so each residual branch adds a modest correction and a 50-layer network stays
    numerically tame.
    """
    import numpy as np

    rng = _role_rng(role, weight_name)
    shape = tuple(int(d) for d in shape)
    short = weight_name.rsplit("/", 1)[-1].split(":")[0]
    if short == "kernel":
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        return rng.uniform(-1.0, 1.0, shape) * np.sqrt(3.0 / max(fan_in, 1))
    if short == "gamma":
        low, high = (0.1, 0.3) if role.endswith("bn2c") else (0.6, 1.4)
        return rng.uniform(low, high, shape)
    if short == "moving_variance":
        return rng.uniform(0.5, 1.5, shape)
    if short in ("beta", "moving_mean"):
        return rng.uniform(-0.3, 0.3, shape)
    return rng.uniform(-0.1, 0.1, shape)  # biases and anything else


def fill_weights(model, roles):
    """Set every weight of the layers named in `roles` ({role: layer name}) from `role_weights`.

    Weights are matched by their own names (kernel, bias, gamma, beta, moving_mean,
    moving_variance), so the fill does not depend on the order of creation or on the
    initializer. Layers not in `roles` keep their weights.
    """
    for role, name in roles.items():
        layer = model.get_layer(name)
        values = [role_weights(role, w.name.rsplit("/", 1)[-1].split(":")[0], w.shape) for w in layer.weights]
        if values:
            layer.set_weights(values)
    return model
