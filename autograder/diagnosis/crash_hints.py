"""Naming the cause when a block's function raises before any model reaches the judge.

Two common mistakes make Keras refuse to build a residual block at all: a middle f×f
convolution with padding "valid" (the main path shrinks by f-1), and strides missing from
one path of the convolutional block. The student's function raises at the Add, so no graph
reaches the judge to diagnose; Keras's error names the two shapes that met there, and which
exercise failed tells which cause fits. The error text comes from the student's kernel: it
can choose a hint, never a score.
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
        "ko": "덧셈(Add)에 들어가는 두 텐서의 높이와 너비가 다릅니다: {shapes}. 합성곱 블록에서는 주 경로의 첫 1×1 "
              "합성곱과 숏컷의 1×1 합성곱이 모두 스트라이드 (s, s)를 쓰고, 가운데 f×f 합성곱은 padding=\"same\"을 "
              "씁니다. 이 셋을 확인하세요.",
        "en": "The two tensors reaching the Add have different heights and widths: {shapes}. In the convolutional "
              "block the main path's first 1×1 convolution and the shortcut's 1×1 convolution both take the stride "
              "(s, s), and the middle f×f convolution uses padding=\"same\". Check those three.",
    },
    "hint.add_shapes": {
        "ko": "덧셈(Add)에 들어가는 두 텐서의 모양이 다릅니다: {shapes}. 주 경로와 숏컷의 출력 모양이 같아야 더할 수 있습니다.",
        "en": "The two tensors reaching the Add have different shapes: {shapes}. The main path and the shortcut "
              "must end in the same shape to be added.",
    },
})

# Keras 3: "Inputs have incompatible shapes. Received shapes (6, 6, 4) and (8, 8, 4)"
_ADD_SHAPES = re.compile(r"incompatible shapes\.? Received shapes \(([\d, ]+)\) and \(([\d, ]+)\)")


def hint_for(grade_id, error):
    """Bilingual sentences naming the likely cause (a Keras 2 habit, a clash at an Add), or None."""
    found = [text(key, **values) for key, values in hint_problems(grade_id, error)]
    return "\n".join(found) if found else None


def hint_problems(grade_id, error):
    """The same causes as (message_key, values) pairs, for a verdict's list of problems."""
    clash = _add_clash(grade_id, error)
    return habit_problems(error) + ([clash] if clash else [])


def _add_clash(grade_id, error):
    match = _ADD_SHAPES.search(error or "")
    if not match:
        return None
    first, second = (tuple(int(v) for v in group.split(",") if v.strip()) for group in match.groups())
    shapes = f"{first} ≠ {second}"
    if len(first) == len(second) >= 2 and first[:-1] == second[:-1]:
        return ("hint.add_channels", {"shapes": shapes})
    if str(grade_id).startswith("identity_block"):
        return ("hint.identity_padding", {"shapes": shapes})
    if str(grade_id).startswith("convolutional_block"):
        return ("hint.convolutional_strides", {"shapes": shapes})
    return ("hint.add_shapes", {"shapes": shapes})
