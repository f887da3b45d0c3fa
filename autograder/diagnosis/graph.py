"""Reading a Keras model as a graph of what it computes, for the checks and the judge alike.

The public checks (in the student's kernel, on a live model) and the judge (outside it, on a
model's JSON) ask the same questions of a student's network, so both read it here:

- a live `keras.Model`, the JSON of `model.to_json()` (string or parsed dict) and the dict of
  `model.get_config()` all give the same `Graph`;
- layers are described by *meaning*, not spelling: `ReLU()`, `Activation('relu')`,
  `Activation(tf.nn.relu)` and `keras.ops.relu` are all "relu"; `Add()`, `layers.add` and
  `x + y` are all "add"; a layer's built-in `activation='relu'` becomes a ReLU node of its
  own right after it.

Nothing here runs a model or needs weights.
"""

import json
from dataclasses import dataclass, field

_ADD_CLASSES = {"Add"}
_PASSTHROUGH = {"Dropout", "Identity", "SpatialDropout2D", "GaussianNoise", "ActivityRegularization"}


def activation_name(value):
    """'relu' for 'relu', {'config': 'relu'}, tf.nn.relu's serialised form, ...; None for linear."""
    if isinstance(value, dict):
        value = value.get("config", value.get("class_name"))
    if value is None:
        return None
    name = str(value).lower()
    if name.endswith("_v2"):
        name = name[:-3]
    return None if name in ("linear", "none", "") else name


def as_pair(value):
    if isinstance(value, (list, tuple)):
        return tuple(as_pair(v) if isinstance(v, (list, tuple)) else v for v in value)
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
    input_shapes: list = field(default_factory=list)  # shapes of the received tensors, batch first

    @property
    def kernel(self):
        return as_pair(self.config.get("kernel_size", 1))

    @property
    def strides(self):
        return as_pair(self.config.get("strides", 1))

    @property
    def filters(self):
        return self.config.get("filters")

    @property
    def padding(self):
        return str(self.config.get("padding", "valid")).lower()

    @property
    def activation(self):
        return activation_name(self.config.get("activation"))

    @property
    def effective_padding(self):
        """'valid' when 'same' pads nothing on the shape this node receives, else its padding."""
        return effective_padding(self)

    def describe(self):
        if self.kind == "conv":
            k = self.kernel
            s = self.strides
            return f"Conv2D({self.filters}, {k[0]}x{k[1]}, stride {s[0]}, {self.padding})"
        return self.class_name


def _window(node):
    if node.kind in ("maxpool", "avgpool"):
        size = as_pair(node.config.get("pool_size") or 1)
        return size, as_pair(node.config.get("strides") or size)
    return node.kernel, node.strides


def effective_padding(node):
    """A node's padding judged by what it does on the shape it receives.

    'same' adds `max((ceil(n/s) - 1)·s + k - n, 0)` rows (and columns) to a dimension of size
    n; when that is 0 in both spatial dimensions it pads nothing and computes what 'valid'
    computes. Unknown shapes keep the written padding.
    """
    padding = node.padding
    if padding != "same" or not node.input_shapes:
        return padding
    shape = node.input_shapes[0]
    if shape is None or len(shape) != 4 or None in shape[1:3]:
        return "valid" if node.kind == "conv" and node.kernel == (1, 1) and node.strides == (1, 1) else padding
    (kh, kw), (sh, sw) = _window(node)
    for n, k, s in ((int(shape[1]), kh, sh), (int(shape[2]), kw, sw)):
        if (-(-n // s) - 1) * s + k - n > 0:
            return padding
    return "valid"


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
        name = activation_name(config.get("activation"))
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


def _history_names(value, found, shapes=None):
    """Collect keras_history layer names (and tensor shapes) from a node's call arguments, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            found.append(value["config"]["keras_history"][0])
            if shapes is not None:
                shape = value["config"].get("shape")
                shapes.append(tuple(shape) if isinstance(shape, list) else None)
            return found
        for item in value.values():
            _history_names(item, found, shapes)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _history_names(item, found, shapes)
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
        layers = list(config.get("layers", []))
        # A Sequential model stores no wiring: each layer takes the output of the one before.
        sequential = bool(layers) and not config.get("input_layers") and not any(
            "inbound_nodes" in layer for layer in layers)
        if sequential and layers[0].get("class_name") != "InputLayer":
            shape = config.get("build_input_shape")
            layers.insert(0, {"class_name": "InputLayer", "config": {"name": "input", "batch_shape": shape}})
        renamed = {}  # layer name -> the node that stands for its output (split activations)
        previous = None
        for layer in layers:
            cls = layer.get("class_name", "?")
            cfg = layer.get("config", {}) or {}
            name = layer.get("name") or cfg.get("name")
            kind = _kind(cls, layer.get("module"), cfg)
            inputs, training, shapes = [], None, []
            calls = layer.get("inbound_nodes") or []
            if sequential and previous is not None:
                inputs = [renamed.get(previous, previous)]
            elif calls:
                call = calls[0]
                inputs = [renamed.get(n, n) for n in _history_names(call.get("args", []), [], shapes)]
                kwargs = call.get("kwargs", {}) or {}
                training = kwargs.get("training")
            self.nodes[name] = Node(name, kind, cls, cfg, inputs, training, shapes)
            renamed[name] = name
            previous = name
            act = activation_name(cfg.get("activation")) if kind in ("conv", "dense") else None
            if act:
                split = f"{name}:{act}"
                self.nodes[split] = Node(split, {"relu": "relu", "softmax": "softmax"}.get(act, "activation"),
                                         f"activation={act!r}", {"activation": act}, [name])
                renamed[name] = split
        if sequential:
            self.inputs = [layers[0].get("name") or layers[0]["config"].get("name")]
            self.outputs = [renamed.get(previous, previous)] if previous else []
        else:
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
