"""Reading notebook 1's deep network (`build_deep_network`) by topology, for the check and the judge.

A network built with `Sequential`, with a loop or layer by layer, with `layers.Add`,
`layers.add` or `+`, with activations inside `Dense` or as layers of their own, gives the same
parts here: the hidden Dense layers in order from the input, the value each one hands on
(after its activation), the additions and the output layer. Names play no part; the names
are compared apart (`name_problems`), for hidden layers and the output only: an addition
written `h + z` cannot be named, and nothing later looks an addition up by name.
"""

from dataclasses import dataclass, field

from .graph import activation_name, graph_of

_THROUGH = ("relu", "activation", "passthrough")


@dataclass
class DeepParts:
    graph: object
    hidden: list = field(default_factory=list)   # Dense nodes, input side first
    values: list = field(default_factory=list)   # the node whose output each hidden layer hands on
    output: object = None                       # the last Dense node
    adds: list = field(default_factory=list)


def effective_activation(graph, node):
    """A Dense layer's activation: its own argument, or an activation layer that alone follows it.

    `Dense(w)` then `Activation("tanh")` computes the same as `Dense(w, activation="tanh")`.
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


def value_after(graph, name):
    """Follow single consumers through activation and pass-through nodes: the value a layer hands on."""
    current = name
    while True:
        following = graph.consumers(current)
        if len(following) != 1 or graph[following[0]].kind not in _THROUGH:
            return current
        current = following[0]


def source_of(graph, name):
    """The node a layer really reads, looking back through pass-through nodes."""
    while name in graph.nodes and graph[name].kind == "passthrough" and len(graph[name].inputs) == 1:
        name = graph[name].inputs[0]
    return name


def deep_parts(model):
    """The parts of a deep network, read from a live model, its JSON or its config."""
    graph = graph_of(model)
    dense = graph.of_kind("dense")
    parts = DeepParts(graph=graph, adds=graph.of_kind("add"))
    if not dense:
        return parts
    # A split activation (`Dense(..., activation=...)`) is its own node "<name>:<act>".
    parts.hidden = dense[:-1]
    parts.output = dense[-1]
    parts.values = [value_after(graph, node.name) for node in parts.hidden]
    return parts


def layer_name(name):
    """The Keras layer a graph node belongs to (a split activation names its Dense layer)."""
    return str(name).split(":")[0]


def name_problems(parts):
    """[(expected, found)] for hidden_1 … hidden_depth and output, in graph order."""
    wrong = []
    for index, node in enumerate(parts.hidden, start=1):
        if layer_name(node.name) != f"hidden_{index}":
            wrong.append((f"hidden_{index}", layer_name(node.name)))
    if parts.output is not None and layer_name(parts.output.name) != "output":
        wrong.append(("output", layer_name(parts.output.name)))
    return wrong
