"""What the text of an error alone says about a crash inside a student's function.

Keras's errors carry terminal colour codes, a dump of the arguments the layer received and,
sometimes, the shapes that could not go together. This module cleans that text and reads
what can be read from it:

- two tensors of different shapes met at an Add (a middle f×f convolution with padding
  "valid", a stride missing from one path of the convolutional block): which exercise
  failed tells which cause fits;
- a layer got an input too small for it ("output size would be zero or negative");
- a Keras 2 habit that Keras 3 refuses (`keras_habits`).

The kernel's crash path (`shape_trace.explain_crash`, which also reads the live tensors)
and the judge (`hint_for`, which sees only the text a kernel reported, where no model
reached it) both use it. The text comes from the student's kernel: it can choose a hint,
never a score.
"""

import re

from resnet_course.utils.messages import register, text

from .keras_habits import habit_problems

register({
    "hint.add_channels": {
        "ko": "덧셈(Add)에 들어가는 두 텐서의 채널 수가 다릅니다: {shapes}. 주 경로의 마지막 합성곱과 숏컷의 합성곱은 "
              "둘 다 필터 F3개를 써야 합니다.",
        "en": "The two tensors reaching the Add have different numbers of channels: {shapes}. The main path's last "
              "convolution and the shortcut's convolution both need F3 filters.",
    },
    "hint.identity_padding": {
        "ko": "덧셈(Add)에 들어가는 두 텐서의 모양이 다릅니다: {shapes}. 항등 블록에서는 높이와 너비가 그대로여야 하니 "
              "가운데 f×f 합성곱의 패딩을 확인하세요. padding=\"same\"이어야 하고, \"valid\"이면 높이와 너비가 "
              "f-1만큼 줄어듭니다. 스트라이드는 모두 (1, 1)입니다.",
        "en": "The two tensors reaching the Add have different shapes: {shapes}. In the identity block the height "
              "and width must stay as they are, so check the padding of the middle f×f convolution: it must be "
              "padding=\"same\"; with \"valid\" the height and width shrink by f-1. Every stride is (1, 1).",
    },
    "hint.convolutional_strides": {
        "ko": "덧셈(Add)에 들어가는 두 텐서의 높이와 너비가 다릅니다: {shapes}. 합성곱 블록에서는 주 경로의 첫 1×1 합성곱과 숏컷의 1×1 합성곱이 모두 스트라이드 "
              "(s, s)를 쓰고, 가운데 f×f 합성곱의 패딩은 padding=\"same\"입니다. 이 셋을 확인하세요.",
        "en": "The two tensors reaching the Add have different heights and widths: {shapes}. In the convolutional "
              "block the main path's first 1×1 convolution and the shortcut's 1×1 convolution both take the stride "
              "(s, s), and the middle f×f convolution uses padding=\"same\". Check those three.",
    },
    "hint.add_shapes": {
        "ko": "덧셈(Add)에 들어가는 두 텐서의 모양이 다릅니다: {shapes}. 주 경로와 숏컷의 출력 모양이 같아야 더할 수 있습니다.",
        "en": "The two tensors reaching the Add have different shapes: {shapes}. The main path and the shortcut "
              "must end in the same shape to be added.",
    },
    "hint.too_small": {
        "ko": "{layer} 층이 받은 입력의 모양 {shape}에서는 출력 크기가 0 이하가 됩니다. 앞쪽의 스트라이드나 패딩이 "
              "그림을 너무 많이 줄였습니다. ResNet50에서는 2단계의 합성곱 블록만 `s=1`입니다.",
        "en": "The {layer} layer received an input of shape {shape}, too small for it: its output size would be zero "
              "or negative. An earlier stride or padding shrank the picture too much; in ResNet50 only stage 2's "
              "convolutional block uses `s=1`.",
    },
})

# Keras 3: "Inputs have incompatible shapes. Received shapes (6, 6, 4) and (8, 8, 4)"
_ADD_SHAPES = re.compile(r"incompatible shapes\.? Received shapes \(([\d, ]+)\) and \(([\d, ]+)\)")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CALLING = re.compile(r"Exception encountered when calling (?:layer )?['\"]?([\w.]+?)['\"]?(?:\.call\(\))?\.?(?=\s|$)")
_ARGUMENTS = re.compile(r"\n\s*Arguments received by .*", re.S)
_ZERO_SIZE = re.compile(r"output size would be zero or negative", re.I)
_RECEIVED_SHAPE = re.compile(r"inputs\.shape=\[([^\]]+)\]")
_ARGUMENT_SHAPE = re.compile(r"KerasTensor shape=\(([^)]*)\)")


def clean_error_text(value, limit=None):
    """An error's text without terminal colour codes, Keras's argument dump and blank runs."""
    value = _ANSI.sub("", str(value or ""))
    value = _ARGUMENTS.sub("", value)
    value = re.sub(r"\n\s*\n+", "\n", value).strip()
    if limit and len(value) > limit:
        value = value[:limit].rstrip() + " …"
    return value


def failing_layer(error_text):
    """The Keras class named by 'Exception encountered when calling X.call()', else None."""
    match = _CALLING.search(_ANSI.sub("", str(error_text or "")))
    return match.group(1).split(".")[-1] if match else None


def error_summary(error):
    """'ValueError: <Keras's sentence>' on one line: no colour codes, argument dump or call header."""
    message = clean_error_text(str(error))
    header = _CALLING.search(message)
    if header:
        message = (message[:header.start()] + message[header.end():]).strip()
    message = " ".join(message.split())
    name = type(error).__name__
    return f"{name}: {message}" if message else name


def layer_input_shape(error_text):
    """'1×1×2048' for the first Keras tensor of Keras's argument dump (batch left out), else None."""
    match = _ARGUMENT_SHAPE.search(_ANSI.sub("", str(error_text or "")))
    if not match:
        return None
    dims = [d.strip() for d in match.group(1).split(",") if d.strip()]
    return "×".join(dims[1:] if dims and dims[0] == "None" else dims)


def _shape_tuple(group):
    return tuple(int(v) for v in group.split(",") if v.strip())


def add_clash_problem(grade_id, error_text):
    """(key, values) naming the likely cause when two shapes clashed at an Add, else None."""
    match = _ADD_SHAPES.search(error_text or "")
    if not match:
        return None
    first, second = (_shape_tuple(group) for group in match.groups())
    shapes = f"{first} ≠ {second}"
    if len(first) == len(second) >= 2 and first[:-1] == second[:-1]:
        return ("hint.add_channels", {"shapes": shapes})
    if str(grade_id).startswith("identity_block"):
        return ("hint.identity_padding", {"shapes": shapes})
    if str(grade_id).startswith("convolutional_block"):
        return ("hint.convolutional_strides", {"shapes": shapes})
    return ("hint.add_shapes", {"shapes": shapes})


def too_small_problem(error_text):
    """(key, values) when a layer's output size would be zero or negative, else None."""
    cleaned = _ANSI.sub("", str(error_text or ""))
    if not _ZERO_SIZE.search(cleaned):
        return None
    received = _RECEIVED_SHAPE.search(cleaned)
    shape = ("×".join(p for p in received.group(1).split() if p != "None") if received
             else layer_input_shape(cleaned) or "?")
    return ("hint.too_small", {"layer": failing_layer(cleaned) or "?", "shape": shape})


def text_problems(grade_id, error_text):
    """Every problem the error's text alone names, as (key, values) pairs."""
    found = [add_clash_problem(grade_id, error_text), too_small_problem(error_text)]
    return [problem for problem in found if problem]


def hint_for(grade_id, error):
    """The judge's hint for a kernel's error text: bilingual sentences, or None.

    A hint the text already holds is left out: the kernel's own crash explanation
    (checks.common) names the same causes, and each appears once.
    """
    error = str(error or "")
    hints = [text(key, **values) for key, values in hint_problems(grade_id, error)]
    hints = [hint for hint in hints if not all(line in error for line in hint.split("\n"))]
    return "\n".join(hints) or None


def hint_problems(grade_id, error):
    """The same causes as (message_key, values) pairs, for a verdict's list of problems: a Keras 2
    habit, two shapes clashing at an Add, an input too small for a layer."""
    return habit_problems(error) + text_problems(grade_id, str(error or ""))
