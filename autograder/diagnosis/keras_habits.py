"""Naming what code written for Keras 2 (or the TF2 edition) does wrong in Keras 3.

Students bring solutions of the original assignment: Keras 2 spellings (`init=`,
`border_mode=`, `subsample=`, `merge`, `Model(input=, output=)`, `AveragePooling2D()` with
the old default window) and the TF2 edition's block signature. Keras 3 refuses them with an
error that does not say what to write instead. This module reads the error text (from a live
exception in the student's kernel, or from the text the kernel reported, in the judge) and
returns the problems that say it, as `(message_key, values)` pairs.

A NameError for a name the original assignment's import cell gave is named too, with the
Keras 3 import that gives it. The error text comes from the student's kernel: it can choose a
message, never a score.

    habit_problems(error_text)     -> [(key, values)], empty when nothing is recognised
    habit_problems_of(exception)   -> the same for an exception object
"""

import re

from resnet_course.utils.messages import register

# What the original assignment's import cell gave (Keras 2 and TF2 editions), and how the
# same name is imported in Keras 3. Notebook 2's import cell gives every one of them.
TEMPLATE_NAMES = {
    "layers": "from keras import layers",
    **{name: f"from keras.layers import {name}" for name in (
        "Input", "Add", "Dense", "Activation", "ZeroPadding2D", "BatchNormalization", "Flatten",
        "Conv2D", "AveragePooling2D", "MaxPooling2D", "GlobalMaxPooling2D")},
    "Model": "from keras.models import Model",
    "load_model": "from keras.models import load_model",
    **{name: f"from keras.initializers import {name}" for name in (
        "glorot_uniform", "random_uniform", "constant", "identity")},
    "K": "import keras.backend as K",
    "image": "from keras.preprocessing import image",
    "imshow": "from matplotlib.pyplot import imshow",
    "plot_model": "from keras.utils import plot_model",
}
# Layers students use that the template did not import: the same hint applies.
OTHER_LAYERS = ("ReLU", "GlobalAveragePooling2D", "Dropout", "Softmax", "Convolution2D", "Concatenate")

# Keras 2 keyword arguments and what Keras 3 calls them (None: Keras 3 has no such setting).
OLD_KEYWORDS = {
    "init": "kernel_initializer=",
    "border_mode": "padding=",
    "subsample": "strides=",
    "nb_filter": "filters",
    "nb_row": "kernel_size=(rows, columns)",
    "nb_col": "kernel_size=(rows, columns)",
    "W_regularizer": "kernel_regularizer=",
    "b_regularizer": "bias_regularizer=",
    "output_dim": "units",
    "input": "inputs=",
    "output": "outputs=",
    "dim_ordering": None,
    "mode": None,
}

register({
    "habit.pool_size": {
        "ko": "Keras 3에서는 `{layer}` 층에 창 크기를 꼭 주어야 합니다. Keras 2에서는 `pool_size` 인자의 기본값이 "
              "(2, 2)였지만 Keras 3에는 기본값이 없습니다. `{layer}(pool_size=(2, 2))` 형태로 쓰세요.",
        "en": "Keras 3 needs `pool_size=(2, 2)`: Keras 2 gave `{layer}` a default window of (2, 2), Keras 3 gives "
              "none. Write `{layer}(pool_size=(2, 2))`.",
    },
    "habit.old_keyword": {
        "ko": "`{old}` 인자는 Keras 2의 이름입니다. Keras 3의 `{layer}` 층은 이 인자를 받지 않으니 `{new}` 인자로 쓰세요.",
        "en": "`{old}` is a Keras 2 argument that Keras 3's `{layer}` does not take. Write `{new}` instead.",
    },
    "habit.dropped_keyword": {
        "ko": "`{old}` 인자는 Keras 2에만 있던 설정입니다. Keras 3의 `{layer}` 층에는 이 설정이 없으니 지우세요.",
        "en": "`{old}` was a Keras 2 setting; Keras 3's `{layer}` has no such setting. Delete it.",
    },
    "habit.conv_arguments": {
        "ko": "Keras 3의 `Conv2D` 층은 필터 수와 커널 크기를 앞의 두 인자로 받습니다: "
              "`Conv2D(filters, kernel_size, strides=..., padding=...)`. Keras 2의 `nb_filter`, `nb_row`, `nb_col` 인자는 없습니다.",
        "en": "Keras 3's `Conv2D` takes the number of filters and the kernel size as its first two arguments: "
              "`Conv2D(filters, kernel_size, strides=..., padding=...)`. Keras 2's `nb_filter`, `nb_row` and `nb_col` are gone.",
    },
    "habit.dense_units": {
        "ko": "Keras 3의 `Dense` 층은 유닛 수를 첫 인자로 받습니다: `Dense(units, ...)`. Keras 1의 `output_dim` 인자는 없습니다.",
        "en": "Keras 3's `Dense` takes the number of units as its first argument: `Dense(units, ...)`. "
              "Keras 1's `output_dim` is gone.",
    },
    "habit.merge": {
        "ko": "Keras 3에는 `keras.layers.merge` 모듈도, `merge` 함수도 없습니다. 두 텐서를 더하려면 "
              "`Add()([X, X_shortcut])` 또는 `layers.add([X, X_shortcut])` 형태로 쓰세요.",
        "en": "Keras 3 has no `keras.layers.merge` module and no `merge` function. To add two tensors write "
              "`Add()([X, X_shortcut])` or `layers.add([X, X_shortcut])`.",
    },
    "habit.learning_phase": {
        "ko": "Keras 3에는 `K.set_learning_phase` 함수가 없습니다. 훈련 여부는 `model.fit` 메서드나 `model.predict` "
              "메서드가 모델을 호출할 때 정해지니 이 줄을 지우세요.",
        "en": "Keras 3 has no `K.set_learning_phase`: the mode is decided when `model.fit` or `model.predict` calls "
              "the model. Delete that line.",
    },
    "habit.old_module": {
        "ko": "Keras 3에는 `{module}` 모듈이 없습니다. 층은 모두 `keras.layers` 모듈에서, 모델은 `keras.models` "
              "모듈에서 가져오세요. 예: `from keras.layers import Conv2D, BatchNormalization`",
        "en": "Keras 3 has no `{module}` module. Import every layer from `keras.layers` and models from "
              "`keras.models`, e.g. `from keras.layers import Conv2D, BatchNormalization`.",
    },
    "habit.tensor_shape": {
        "ko": "Keras 3에는 `{attribute}` 속성이나 함수가 없습니다. 텐서의 모양은 `X.shape` 속성으로 읽으세요.",
        "en": "Keras 3 has no `{attribute}`: read a tensor's shape with `X.shape`.",
    },
    "habit.tf_function": {
        "ko": "Keras 3에서는 모델을 만드는 동안 Keras 텐서를 TensorFlow 함수(`tf.nn.relu`, `tf.add` 등)에 넣을 수 "
              "없습니다. Keras 층(`Activation('relu')`, `Add()`)이나 `keras.ops` 모듈의 함수를 쓰세요.",
        "en": "In Keras 3 a Keras tensor cannot go through a TensorFlow function (`tf.nn.relu`, `tf.add`, ...) while "
              "the model is built. Use Keras layers (`Activation('relu')`, `Add()`) or the functions of `keras.ops`.",
    },
    "habit.block_signature": {
        "ko": "이 과제의 `{function}` 함수는 `{signature}` 형태로 호출합니다. TF2 판 과제의 `training=`, "
              "`initializer=` 인자 대신 층 이름에 쓰는 `stage`, `block` 인자를 받으세요.",
        "en": "This assignment calls `{function}` as `{signature}`. Instead of the TF2 edition's `training=` and "
              "`initializer=`, it takes `stage` and `block`, which name the layers.",
    },
    "habit.padding_case": {
        "ko": "Keras 3의 풀링 층은 패딩을 소문자로만 받습니다. `padding='{found}'` 대신 `padding='{lower}'` 형태로 쓰세요.",
        "en": "Keras 3's pooling layers take the padding in lower case only: write `padding='{lower}'`, not "
              "`padding='{found}'`.",
    },
    "habit.add_list": {
        "ko": "`Add` 층은 텐서의 목록을 받습니다. `Add()([X, X_shortcut])` 형태로 두 텐서를 목록에 담아 넘기세요.",
        "en": "An `Add` layer takes a list of tensors: pass both in one list, `Add()([X, X_shortcut])`.",
    },
    "namespace.missing_layer": {
        "ko": "`{name}` 이름이 정의되지 않았습니다. 이 층은 원래 과제의 import 셀에 없었으니 답안 셀 위에 "
              "`{statement}` 문장을 쓰세요.",
        "en": "The name `{name}` is not defined. The original assignment's import cell did not import this layer: "
              "write `{statement}` above your answer.",
    },
    "namespace.missing_name": {
        "ko": "`{name}` 이름이 정의되지 않았습니다. 원래 과제의 import 셀이 주던 이름이며, 이 노트북의 맨 위 import "
              "셀이 `{statement}` 문장으로 가져옵니다. 그 셀을 먼저 실행하세요(지웠다면 이 문장을 답안 셀 위에 "
              "다시 쓰세요).",
        "en": "The name `{name}` is not defined. The original assignment's import cell gave it, and this notebook's "
              "import cell at the top imports it with `{statement}`. Run that cell first (if you deleted it, write "
              "that line again above your answer).",
    },
})

_SIGNATURES = {
    "identity_block": "identity_block(X, f, filters, stage, block)",
    "convolutional_block": "convolutional_block(X, f, filters, stage, block, s=2)",
}
_MISSING_WINDOW = re.compile(r"(\w+)\.__init__\(\) missing 1 required positional argument: 'pool_size'")
_UNRECOGNISED = re.compile(r"Unrecognized keyword arguments passed to (\w+): \{(.*)")
_KEYWORD = re.compile(r"'(\w+)':")
_NO_MODULE = re.compile(r"No module named '(keras\.[\w.]+)'")
_NO_ATTRIBUTE = re.compile(r"module '([\w.]+)' has no attribute '(\w+)'")
_TENSOR_ATTRIBUTE = re.compile(r"'KerasTensor' object has no attribute '(\w+)'")
_NAME_ERROR = re.compile(r"name '(\w+)' is not defined")
_PADDING_CASE = re.compile(r"Argument `padding` must be either 'valid' or 'same'\. Received: padding=(\w+)")
_BLOCK_CALL = re.compile(r"(identity_block|convolutional_block)\(\) (?:got an unexpected keyword argument '(\w+)'|"
                         r"missing \d required positional arguments?: (.*))")


def _keyword_problems(layer, rest):
    problems = []
    for old in _KEYWORD.findall(rest.split("}")[0]):
        if old not in OLD_KEYWORDS:
            continue
        new = OLD_KEYWORDS[old]
        if new is None:
            problems.append(("habit.dropped_keyword", {"old": old, "layer": layer}))
        else:
            problems.append(("habit.old_keyword", {"old": old, "layer": layer, "new": new}))
    return problems


def _module_problem(module):
    if module.startswith("keras.layers.merge"):
        return ("habit.merge", {})
    return ("habit.old_module", {"module": module})


def habit_problems(error_text):
    """The problems an error text shows, each naming what to write in Keras 3; [] when none fits."""
    error_text = str(error_text or "")
    problems = []
    for layer in _MISSING_WINDOW.findall(error_text):
        problems.append(("habit.pool_size", {"layer": layer}))
    for layer, rest in _UNRECOGNISED.findall(error_text):
        problems.extend(_keyword_problems(layer, rest))
    if "Conv2D.__init__() missing 2 required positional arguments: 'filters' and 'kernel_size'" in error_text:
        problems.append(("habit.conv_arguments", {}))
    if "Dense.__init__() missing 1 required positional argument: 'units'" in error_text:
        problems.append(("habit.dense_units", {}))
    for module in _NO_MODULE.findall(error_text):
        problems.append(_module_problem(module))
    for module, attribute in _NO_ATTRIBUTE.findall(error_text):
        if attribute == "merge":
            problems.append(("habit.merge", {}))
        elif attribute == "set_learning_phase":
            problems.append(("habit.learning_phase", {}))
        elif attribute == "int_shape":
            problems.append(("habit.tensor_shape", {"attribute": "K.int_shape"}))
    for attribute in _TENSOR_ATTRIBUTE.findall(error_text):
        if attribute in ("_keras_shape", "get_shape"):
            problems.append(("habit.tensor_shape", {"attribute": attribute}))
    if "A KerasTensor cannot be used as input to a TensorFlow function" in error_text:
        problems.append(("habit.tf_function", {}))
    for found in _PADDING_CASE.findall(error_text):
        if found.lower() in ("valid", "same"):
            problems.append(("habit.padding_case", {"found": found, "lower": found.lower()}))
    if "A merge layer should be called on a list of inputs" in error_text:
        problems.append(("habit.add_list", {}))
    for function, keyword, missing in _BLOCK_CALL.findall(error_text):
        if keyword in ("stage", "block", "s") or "stage" in missing or "block" in missing:
            problems.append(("habit.block_signature", {"function": function, "signature": _SIGNATURES[function]}))
    for name in _NAME_ERROR.findall(error_text):
        if name == "merge":
            problems.append(("habit.merge", {}))
        elif name in TEMPLATE_NAMES:
            problems.append(("namespace.missing_name", {"name": name, "statement": TEMPLATE_NAMES[name]}))
        elif name in OTHER_LAYERS:
            problems.append(("namespace.missing_layer", {"name": name,
                                                         "statement": f"from keras.layers import {name}"}))
    unique = []
    for problem in problems:
        if problem not in unique:
            unique.append(problem)
    return unique


def habit_problems_of(error):
    """`habit_problems` for an exception object (its type and message)."""
    return habit_problems(f"{type(error).__name__}: {error}")
