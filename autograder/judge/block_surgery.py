"""Graph surgery on a model's JSON: the reference block where ResNet50 called a graded block function.

The hidden tests build the student's ResNet50 with stand-ins for `identity_block` and
`convolutional_block` (`checks/stand_ins.py`): one 1×1 convolution per call, with the call's
arguments recorded beside the model. Here, outside the kernel and without running any student
code, each stand-in is replaced by the reference block of its kind (taken from the reference
ResNet50's JSON) set to the call's arguments: filters F1, F2, F3 on the three main-path
convolutions, f×f on the middle one, stride s on the first and on the shortcut. What remains
of the student's graph (stem, head, how the blocks are wired, any block ResNet50 built itself)
is untouched, so ResNet50's checks judge what ResNet50 adds.
"""

import copy

from ..diagnosis.block_parts import find_block, roles_of
from ..diagnosis.graph import graph_of


def _layers(config):
    return config.get("config", config).get("layers", [])


def _layer_name(layer):
    return layer.get("name") or layer.get("config", {}).get("name")


def block_templates(reference_config):
    """{kind: (layers, input name, output name, {layer name: role})} from a reference ResNet."""
    graph = graph_of(reference_config)
    by_name = {_layer_name(layer): layer for layer in _layers(reference_config)}
    templates = {}
    for add in graph.of_kind("add"):
        blk = find_block(graph, add.name)
        if blk.problem:
            continue
        kind = "convolutional" if any(graph[n].kind == "conv" for n in blk.shortcut) else "identity"
        if kind in templates:
            continue
        names = [n for n in blk.main + blk.shortcut + [blk.add] + blk.after if n in by_name]
        order = [name for name in by_name if name in names]  # the reference's own (topological) order
        roles = {name: role for role, name in roles_of(graph, blk).items()}
        templates[kind] = ([by_name[n] for n in order], blk.input, blk.output, roles)
    return templates


def _rewrite_history(value, rename):
    """Point every keras_history in a (nested) call at its renamed layer."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            history = value["config"]["keras_history"]
            if history[0] in rename:
                value["config"]["keras_history"] = list(rename[history[0]])
            return
        for item in value.values():
            _rewrite_history(item, rename)
    elif isinstance(value, list):
        for item in value:
            _rewrite_history(item, rename)


def _tensors(value, found):
    """The keras-tensor dicts of a (nested) call, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            found.append(value)
            return found
        for item in value.values():
            _tensors(item, found)
    elif isinstance(value, list):
        for item in value:
            _tensors(item, found)
    return found


def _inbound(layer):
    """(keras_history, shape) of a stand-in's input tensor, or (None, None)."""
    found = _tensors(layer.get("inbound_nodes", []), [])
    if not found:
        return None, None
    return list(found[0]["config"]["keras_history"]), found[0]["config"].get("shape")


def _pair(value):
    return [int(value), int(value)] if not isinstance(value, (list, tuple)) else [int(v) for v in value]


def _set_role(config, role, call):
    F1, F2, F3 = (int(v) for v in call["filters"])
    s = _pair(call.get("s") or 1) if call["kind"] == "convolutional" else [1, 1]
    settings = {
        "conv2a": {"filters": F1, "strides": s},
        "conv2b": {"filters": F2, "kernel_size": _pair(call["f"])},
        "conv2c": {"filters": F3},
        "conv1": {"filters": F3, "strides": s},
    }
    config.update(settings.get(role, {}))


def _instantiate(template, call, input_history, input_shape):
    layers, block_input, block_output, roles = template
    prefix = call["layer"]
    rename = {block_input: input_history}
    for index, layer in enumerate(layers):
        old = _layer_name(layer)
        rename[old] = [f"{prefix}__{roles.get(old, index)}", 0, 0]
    # The shapes written in the template's calls are the template's: give each received tensor
    # the channels it has here (a parameter count from the JSON reads them).
    channels = {block_input: int(input_shape[-1])}
    made = []
    for layer in layers:
        new = copy.deepcopy(layer)
        old = _layer_name(layer)
        name = rename[old][0]
        new["name"] = name
        new.setdefault("config", {})["name"] = name
        new.pop("build_config", None)  # the template's input shape: built here from what it receives
        if old in roles:
            _set_role(new["config"], roles[old], call)
        received = _tensors(new.get("inbound_nodes", []), [])
        for tensor in received:
            source = tensor["config"]["keras_history"][0]
            tensor["config"]["shape"] = list(input_shape[:-1]) + [channels.get(source, int(input_shape[-1]))]
        filters = new["config"].get("filters")
        first = received[0]["config"]["keras_history"][0] if received else block_input
        channels[old] = int(filters) if filters else channels.get(first, int(input_shape[-1]))
        _rewrite_history(new.get("inbound_nodes", []), rename)
        made.append(new)
    return made, rename[block_output.split(":")[0]][0]


def with_reference_blocks(student_config, calls, templates):
    """A copy of the student's model JSON with every stand-in replaced by the reference block.

    Returns (config, names of the layers that came from reference blocks). A stand-in of a
    kind the templates lack, or whose arguments cannot be read, stays as it is.
    """
    config = copy.deepcopy(student_config)
    inner = config.get("config", config)
    by_layer = {call["layer"]: call for call in calls or []}
    layers, replaced, inserted = [], {}, set()
    for layer in inner.get("layers", []):
        call = by_layer.get(_layer_name(layer))
        template = templates.get(call["kind"]) if call else None
        history, shape = _inbound(layer) if call else (None, None)
        if call is None or template is None or history is None or not shape:
            layers.append(layer)
            continue
        history = list(replaced.get(history[0], history))  # an earlier stand-in is replaced already
        try:
            made, output = _instantiate(template, call, history, shape)
        except (KeyError, TypeError, ValueError):
            layers.append(layer)
            continue
        layers.extend(made)
        inserted.update(_layer_name(m) for m in made)
        replaced[_layer_name(layer)] = [output, 0, 0]
    for layer in layers:
        if _layer_name(layer) not in inserted:
            _rewrite_history(layer.get("inbound_nodes", []), replaced)
    outputs = inner.get("output_layers")
    if isinstance(outputs, list) and outputs:
        if isinstance(outputs[0], str):  # one output, written [name, node, tensor]
            inner["output_layers"] = list(replaced.get(outputs[0], outputs))
        else:
            inner["output_layers"] = [list(replaced.get(item[0], item)) for item in outputs]
    inner["layers"] = layers
    return config, inserted
