"""Explaining a crash inside a student's function by the shapes it had built so far.

Keras stops a wrong ResNet50 where a shape finally becomes impossible, often far from the
mistake: with stage 2's convolutional block at `s=2` it is the final average pooling that
fails, on a 1×1 map. The tensors the student's code had made are still in its frames, so
the graph up to the failure can be read: which stage produced which shape, the first one
that differs from what ResNet50 should give there, and what usually causes that.

`explain_crash(error)` runs in the student's kernel (checks/common.py's crash path): from the
live Keras tensors of the failed call it gives problems in words, plus Keras's own sentence
cleaned of colour codes and argument dumps. What the error's text alone tells (an Add
clash, a layer given too small an input) comes from `crash_hints`, which the judge uses too:
the judge sees only the text a kernel reported, and that text already holds this module's
explanation when the kernel wrote it.

Problems are `(message_key, values)` pairs whose keys are registered below. Nothing here
decides a grade.
"""

import functools
import os
import sysconfig
from dataclasses import dataclass, field

from resnet_course.utils.messages import register

from . import crash_hints
from .block_parts import find_block
from .graph import graph_of

register({
    "trace.stem_shape": {
        "ko": "1단계를 지난 뒤 모양이 {found}입니다. 기대한 모양은 {expected}입니다. 1단계의 제로 패딩 "
              "`ZeroPadding2D((3, 3))`, `conv1` 층의 스트라이드 (2, 2), 최대 풀링 `MaxPooling2D((3, 3), strides=(2, 2))` "
              "부분을 확인하세요.",
        "en": "After stage 1 the shape is {found}, expected {expected}: check stage 1's zero padding "
              "`ZeroPadding2D((3, 3))`, the stride (2, 2) of `conv1` and the max pooling "
              "`MaxPooling2D((3, 3), strides=(2, 2))`.",
    },
    "trace.stage_stride_one": {
        "ko": "{stage}단계를 지난 뒤 모양이 {found}입니다. 기대한 모양은 {expected}입니다. {stage}단계의 합성곱 블록이 "
              "`s=1`인지 확인하세요. 바로 앞의 최대 풀링이 이미 크기를 절반으로 줄였으므로 2단계만 `s=1`입니다.",
        "en": "After stage {stage} the shape is {found}, expected {expected}: is stage {stage}'s convolutional block "
              "`s=1`? Only stage 2 uses `s=1`, because the max pooling just before it has already halved the size.",
    },
    "trace.stage_stride_two": {
        "ko": "{stage}단계를 지난 뒤 모양이 {found}입니다. 기대한 모양은 {expected}입니다. {stage}단계의 합성곱 블록이 "
              "`s=2`인지 확인하세요. 3, 4, 5단계는 첫 블록에서 높이와 너비를 절반으로 줄입니다.",
        "en": "After stage {stage} the shape is {found}, expected {expected}: is stage {stage}'s convolutional block "
              "`s=2`? Stages 3, 4 and 5 halve the height and width in their first block.",
    },
    "trace.stage_filters": {
        "ko": "{stage}단계를 지난 뒤 모양이 {found}입니다. 기대한 모양은 {expected}입니다. 채널 수가 다르니 "
              "{stage}단계 블록들의 필터 수 `{filters}` 부분을 확인하세요.",
        "en": "After stage {stage} the shape is {found}, expected {expected}: the number of channels differs, so check "
              "the filters `{filters}` of stage {stage}'s blocks.",
    },
    "trace.stage_shape": {
        "ko": "{stage}단계를 지난 뒤 모양이 {found}입니다. 기대한 모양은 {expected}입니다. {stage}단계 합성곱 블록의 "
              "스트라이드 `s={stride}` 값과 가운데 합성곱의 `padding=\"same\"` 설정을 확인하세요.",
        "en": "After stage {stage} the shape is {found}, expected {expected}: check the stride `s={stride}` of stage "
              "{stage}'s convolutional block and the `padding=\"same\"` of its middle convolutions.",
    },
    "trace.failed_in_block": {
        "ko": "앞 단계들의 모양은 맞습니다. 오류는 {stage}단계의 {block} 블록을 만들다가 났고, 그 블록의 입력 모양은 "
              "{shape}입니다.",
        "en": "The stages before it have the right shapes. The error came while building block {block} of stage "
              "{stage}, whose input has shape {shape}.",
    },
    "trace.failed_at_layer": {
        "ko": "오류는 {layer} 층이 모양 {shape}의 입력을 받았을 때 났습니다.",
        "en": "The error came when the {layer} layer received an input of shape {shape}.",
    },
})

# ResNet50's stages: (stage, filters, stride of its convolutional block, number of blocks).
_STAGES = ((2, (64, 64, 256), 1, 3), (3, (128, 128, 512), 2, 4), (4, (256, 256, 1024), 2, 6),
           (5, (512, 512, 2048), 2, 3))
_BLOCK_LETTERS = "abcdef"



@functools.lru_cache(maxsize=1)
def library_dirs():
    """Folders whose frames are not the student's: the course's packages and every installed library."""
    from resnet_course import autograder, utils

    dirs = [os.path.abspath(p) for package in (autograder, utils) for p in package.__path__]
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.append(os.path.abspath(path))
    return tuple(sorted(set(dirs)))


def is_library_file(filename, dirs=None):
    path = os.path.abspath(filename or "")
    return any(path == d or path.startswith(d + os.sep) for d in (dirs or library_dirs())) or "site-packages" in path


def shape_text(shape):
    """(None, 8, 8, 256) → '8×8×256' (the batch dimension left out)."""
    dims = [d for d in tuple(shape)[1:]] if shape and tuple(shape)[0] is None else list(shape or ())
    return "×".join("?" if d is None else str(int(d)) for d in dims) or "()"


# ---------------------------------------------------------------------------------------
# The graph the student's code had built when it failed
# ---------------------------------------------------------------------------------------


def student_tensors(error):
    """Keras tensors held by the student's own frames of the traceback, outermost first."""
    import keras

    dirs = library_dirs()
    found, seen = [], set()
    tb = error.__traceback__
    while tb is not None:
        if not is_library_file(tb.tb_frame.f_code.co_filename, dirs):
            for value in list(tb.tb_frame.f_locals.values()):
                for item in (value if isinstance(value, (list, tuple)) else [value]):
                    if isinstance(item, keras.KerasTensor) and id(item) not in seen:
                        seen.add(id(item))
                        found.append(item)
        tb = tb.tb_next
    return found


def _producer(tensor):
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return None
    nodes = getattr(history.operation, "_inbound_nodes", [])
    return nodes[history.node_index] if history.node_index < len(nodes) else None


def _ancestry(tensors):
    """({id: tensor} of every tensor the given ones were computed from, inputs among them)."""
    reached, inputs, stack = {}, [], list(tensors)
    while stack:
        tensor = stack.pop()
        if id(tensor) in reached:
            continue
        reached[id(tensor)] = tensor
        node = _producer(tensor)
        parents = list(getattr(node, "input_tensors", []) or []) if node is not None else []
        if not parents:
            inputs.append(tensor)
        stack.extend(parents)
    return reached, inputs


@dataclass
class Trace:
    """The graph built before a failure: `graph` (diagnosis.graph.Graph) and output shapes by node name."""

    graph: object
    shapes: dict = field(default_factory=dict)
    input_shape: tuple = None


def trace_of(tensors):
    """A Trace of everything the tensors were computed from, or None when there is nothing to read."""
    import keras

    if not tensors:
        return None
    reached, inputs = _ancestry(tensors)
    inputs = [t for t in inputs if getattr(getattr(t, "_keras_history", None), "operation", None) is not None]
    if len(inputs) != 1:
        return None  # several inputs or none: not a graph these messages can speak about
    # Leaves: tensors no other given tensor was computed from (the furthest the code got).
    ancestors_of = {id(t): set(_ancestry([t])[0]) - {id(t)} for t in tensors}
    leaves = [t for t in tensors if t is not inputs[0]
              and not any(id(t) in ancestors_of[id(other)] for other in tensors if other is not t)]
    if not leaves:
        return None
    try:
        model = keras.Model(inputs[0], leaves)
    except Exception:  # a graph Keras itself cannot close: say nothing rather than guess
        return None
    shapes = {}
    for tensor in reached.values():
        history = getattr(tensor, "_keras_history", None)
        if history is not None:
            shapes.setdefault(history.operation.name, tuple(tensor.shape))
    return Trace(graph_of(model), shapes, tuple(inputs[0].shape))


# ---------------------------------------------------------------------------------------
# ResNet50: stage by stage
# ---------------------------------------------------------------------------------------


def _conv_size(size, kernel, stride, pad=0):
    return (size + 2 * pad - kernel) // stride + 1


def resnet50_expected(input_shape):
    """{'stem': (h, w, 64), 2: (h, w, 256), ..., 5: (...)} for a (None, h, w, c) input."""
    _, h, w, _ = input_shape
    h, w = (_conv_size(_conv_size(d, 7, 2, 3), 3, 2) for d in (h, w))
    expected = {"stem": (None, h, w, 64)}
    for stage, filters, stride, _ in _STAGES:
        h, w = (_conv_size(d, 1, stride) for d in (h, w))
        expected[stage] = (None, h, w, filters[2])
    return expected


def _shape_of(trace, name):
    """The output shape of a graph node (an activation split off a layer shares its layer's shape)."""
    return trace.shapes.get(name.split(":", 1)[0])


def _blocks_in_order(trace):
    graph = trace.graph
    blocks = [find_block(graph, node.name) for node in graph.of_kind("add")]
    return [b for b in blocks if not b.problem]


def _stage_problem(stage, stride, filters, before, found, expected):
    values = {"stage": stage, "found": shape_text(found), "expected": shape_text(expected)}
    if found[-1] != expected[-1]:
        return ("trace.stage_filters", {**values, "filters": list(filters)})
    if before is not None and tuple(found[1:3]) != tuple(expected[1:3]):
        if stride == 1 and tuple(found[1:3]) < tuple(before[1:3]):
            return ("trace.stage_stride_one", values)
        if stride == 2 and tuple(found[1:3]) == tuple(before[1:3]):
            return ("trace.stage_stride_two", values)
    return ("trace.stage_shape", {**values, "stride": stride})


def explain_resnet50(trace):
    """Problems naming the first stage whose output shape is not ResNet50's, and where it failed."""
    if trace is None or trace.input_shape is None or len(trace.input_shape) != 4:
        return []
    expected = resnet50_expected(trace.input_shape)
    blocks = _blocks_in_order(trace)
    if not blocks:
        return []
    stem = _shape_of(trace, blocks[0].input)
    if stem is not None and tuple(stem) != expected["stem"]:
        return [("trace.stem_shape", {"found": shape_text(stem), "expected": shape_text(expected["stem"])})]
    # Group the finished blocks into stages: a convolutional block (a convolution on the
    # shortcut) opens a stage.
    stages = []
    for blk in blocks:
        if any(trace.graph[n].kind == "conv" for n in blk.shortcut) or not stages:
            stages.append([])
        stages[-1].append(blk)
    before = stem
    for (stage, filters, stride, _), members in zip(_STAGES, stages):
        found = _shape_of(trace, members[-1].output)
        if found is not None and tuple(found) != expected[stage]:
            return [_stage_problem(stage, stride, filters, before, tuple(found), expected[stage])]
        before = found
    # Every finished stage is right: say which block was being built when it failed.
    done = len(blocks)
    position = 0
    for stage, _, _, count in _STAGES:
        if done < position + count:
            letter = _BLOCK_LETTERS[done - position]
            return [("trace.failed_in_block", {"stage": stage, "block": f"{stage}{letter}",
                                               "shape": shape_text(_shape_of(trace, blocks[-1].output))})]
        position += count
    return []


# ---------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------


def explain_crash(error, exercise=None):
    """(problems in words, Keras's sentence) for an exception raised inside a student's function.

    The problems name the stage of a ResNet50 whose shape went wrong first, the block being
    built when it failed, and what Keras's message alone tells (two shapes clashing at an
    Add, a layer given an input too small for it). The sentence is one line, without colour
    codes, argument dump or paths, meant to be shown once under the problems.
    """
    raw = str(error)
    try:
        trace = trace_of(student_tensors(error))
    except Exception:  # reading a half-built graph must never hide the student's own error
        trace = None
    problems = explain_resnet50(trace)
    named_stage = any(key != "trace.failed_in_block" for key, _ in problems)
    building = next((values for key, values in problems if key == "trace.failed_in_block"), None)
    # An Add clash inside ResNet50 belongs to the kind of block being built there.
    kind = exercise
    if building is not None:
        kind = "convolutional_block" if building["block"].endswith("a") else "identity_block"
    clash = crash_hints.add_clash_problem(kind, raw)
    tiny = None if named_stage else crash_hints.too_small_problem(raw)
    problems += [problem for problem in (clash, tiny) if problem]
    layer, shape = crash_hints.failing_layer(raw), crash_hints.layer_input_shape(raw)
    if named_stage and layer and shape:
        problems.append(("trace.failed_at_layer", {"layer": layer, "shape": shape}))
    return problems, crash_hints.error_summary(error)
