"""Finding a residual block's parts in a graph: main path, shortcut, what follows the add, roles.

A block is found around its add node: the longer path back to where both operands meet is
the main path, the other the shortcut, and what follows the add up to the next fan-out
belongs to the block too. A graph cut short at the add (the function failed there) still
shows its main path and shortcut (`partial_block`). Roles name what each convolution and
batch normalization does (conv2a … bn2c, conv1, bn1), whatever the layers are called.
"""

from dataclasses import dataclass, field

from .graph import graph_of


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


def chain_back(graph, name):
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
    first, second = (chain_back(graph, operand) for operand in operands)
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


def units_of(graph, names):
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


ROLE_LETTERS = ("2a", "2b", "2c")


def expected_names(stage, block):
    if stage is None or block is None:
        return None
    base = f"{stage}{block}_branch"
    names = {}
    for letter in ROLE_LETTERS + ("1",):
        names[f"conv{letter}"] = f"res{base}{letter}"
        names[f"bn{letter}"] = f"bn{base}{letter}"
    return names


def roles_of(graph, blk):
    """{role: layer name} for the block's convolutions and batch norms that could be placed."""
    roles = {}
    convs = [(conv, followers) for conv, followers in units_of(graph, blk.main) if conv is not None]
    if len(convs) == 3:
        for letter, (conv, followers) in zip(ROLE_LETTERS, convs):
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


def partial_block(graph):
    """A block whose add is missing or never happened (construction stopped at the add).

    The longest chain from the input is the main path; another output whose chain holds a
    convolution of its own is the shortcut. Returns None when the graph has no such chain.
    """
    if not graph.inputs:
        return None
    start = graph.inputs[0]
    chains = [list(reversed(chain_back(graph, name))) for name in graph.outputs]
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


def single_block(graph):
    """(Block, problems) for a graph that should hold exactly one residual block."""
    adds = graph.of_kind("add")
    if len(adds) > 1:
        return None, [("block.several_adds", {"found": len(adds)})]
    if adds:
        return find_block(graph, adds[0].name), []
    blk = partial_block(graph)
    # One output and no add: the student never added the shortcut. Several outputs: the
    # graph was salvaged from a function that failed at the add (shapes did not match).
    problems = [("block.no_add", {})] if len(graph.outputs) <= 1 else []
    return blk, problems


def block_roles(model):
    """{role: layer name} of a single-block model; roles conv2a bn2a conv2b bn2b conv2c bn2c conv1 bn1."""
    graph = graph_of(model)
    blk, problems = single_block(graph)
    if blk is None or blk.problem or blk.partial:
        return {}
    return roles_of(graph, blk)
