"""The meaning of a graph, spelling aside: which layers with which settings, wired how.

A generic structural comparison that backs up the named diagnoses: two models whose layers
have the same meanings (a convolution's filters, kernel, stride and padding; a pooling's size)
and the same connections between meanings compute the same kind of function.
"""

from collections import Counter

from resnet_course.utils.messages import register

from ..diagnosis.graph import activation_name, as_pair, graph_of

register({
    "model.meaning_differs": {
        "ko": "모델 구조가 기대와 다릅니다. 빠진 층: {missing}. 더 있는 층: {extra}.",
        "en": "The model's structure differs from the expected one. Missing: {missing}. Unexpected: {extra}.",
    },
    "model.wiring_differs": {
        "ko": "층의 종류와 개수는 맞지만 연결 순서가 다릅니다. 기대한 연결 중 빠진 것: {missing}.",
        "en": "The layers are the right kinds and number, but they are wired in a different order. "
              "Expected connections that are missing: {missing}.",
    },
})


def _meaning(node):
    c = node.config
    if node.kind == "conv":
        k, s = node.kernel, node.strides
        # 'same' that pads nothing on the shape the layer sees computes what 'valid' does.
        padding = "-" if k == (1, 1) else node.effective_padding
        return f"Conv2D({node.filters}, {k[0]}x{k[1]}, stride {s[0]}x{s[1]}, {padding}, bias={c.get('use_bias', True)})"
    if node.kind == "bn":
        axis = c.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        axis = -1 if axis == 3 else axis
        return f"BatchNormalization(axis={axis})"
    if node.kind == "dense":
        return f"Dense({c.get('units')}, bias={c.get('use_bias', True)})"
    if node.kind in ("maxpool", "avgpool"):
        size = as_pair(c.get("pool_size"))
        strides = as_pair(c.get("strides") or c.get("pool_size"))
        return f"{node.kind}({size[0]}x{size[1]}, stride {strides[0]}, {node.effective_padding})"
    if node.kind == "zeropad":
        return f"ZeroPadding2D({c.get('padding')})"
    if node.kind == "activation":
        return f"activation({activation_name(c.get('activation')) or node.class_name})"
    if node.kind == "other":
        return node.class_name
    return node.kind


def _skip_passthrough(graph, name):
    while name in graph.nodes and graph[name].kind in ("passthrough",) and len(graph[name].inputs) == 1:
        name = graph[name].inputs[0]
    return name


def meaning_summary(config):
    """(Counter of node meanings, Counter of (parent meaning → child meaning) edges)."""
    graph = graph_of(config)
    nodes, edges = Counter(), Counter()
    for node in graph.nodes.values():
        if node.kind in ("passthrough", "input"):
            continue
        nodes[_meaning(node)] += 1
        for parent in node.inputs:
            parent = _skip_passthrough(graph, parent)
            if parent in graph.nodes:
                edges[(_meaning(graph[parent]), _meaning(node))] += 1
    return nodes, edges


def meaning_problems(student_config, reference_config, edges=True):
    """Layers whose meanings differ (counted), then, with `edges`, connections that differ."""
    s_nodes, s_edges = meaning_summary(student_config)
    r_nodes, r_edges = meaning_summary(reference_config)
    if s_nodes != r_nodes:
        missing = r_nodes - s_nodes
        extra = s_nodes - r_nodes
        show = lambda c: ", ".join(f"{n}×{k}" if k > 1 else n for n, k in sorted(c.items())[:4]) or "-"  # noqa: E731
        return [("model.meaning_differs", {"missing": show(missing), "extra": show(extra)})]
    if edges and s_edges != r_edges:
        missing = r_edges - s_edges
        shown = ", ".join(f"{a} → {b}" for (a, b) in sorted(missing)[:3])
        return [("model.wiring_differs", {"missing": shown})]
    return []

