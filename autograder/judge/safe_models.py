"""Rebuilding a student's Keras model from its JSON without running any student code.

Models arrive as `model.to_json()` (architecture, no weights). They are rebuilt only after an
allow-list walk of the JSON (built-in Keras layers and operations only: a `Lambda` or a custom
class would need the student's code to rebuild, and that code never runs in the judge), then
with Keras's own safe mode on, and with caps on size, so a hostile architecture costs one check.
"""

import copy
import hashlib
import json

from resnet_course.utils.messages import register

from .comparator import ArtifactError

register({
    "model.lambda_refused": {
        "ko": "모델에 `Lambda` 층({layer})이 있습니다. Lambda 층은 여러분의 파이썬 코드가 있어야 다시 만들 수 있는데, "
              "채점기는 안전을 위해 학생 코드를 실행하지 않습니다. Keras의 기본 층(Add, Activation, ReLU 등)만 쓰세요.",
        "en": "The model contains a `Lambda` layer ({layer}). Rebuilding it needs your Python code, and for safety "
              "the judge never runs student code. Use Keras's built-in layers (Add, Activation, ReLU, ...).",
    },
    "model.custom_refused": {
        "ko": "모델에 직접 만든 클래스나 Keras 밖의 객체({what})가 있습니다. 채점기는 학생 코드를 실행하지 않으므로 "
              "이런 모델을 다시 만들 수 없습니다. Keras의 기본 층과 초기화 함수만 쓰세요.",
        "en": "The model contains a custom class or an object from outside Keras ({what}). The judge never runs "
              "student code, so it cannot rebuild such a model. Use Keras's built-in layers and initializers only.",
    },
    "model.too_large": {
        "ko": "모델이 너무 큽니다({what}). 실습에서 요구하는 크기를 확인하세요.",
        "en": "The model is far too large ({what}). Check the sizes the exercise asks for.",
    },
    "model.unbuildable": {
        "ko": "모델 구조(JSON)로 모델을 다시 만들 수 없습니다: {error}",
        "en": "The model cannot be rebuilt from its architecture (JSON): {error}",
    },
})


KERAS_LAYERS = {
    "InputLayer", "Conv2D", "Convolution2D", "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "ELU",
    "Softmax", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate", "ZeroPadding2D",
    "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D", "GlobalAveragePooling2D",
    "GlobalMaxPooling2D", "Flatten", "Dense", "Dropout", "SpatialDropout2D", "GaussianNoise", "Identity",
    "Reshape", "Rescaling", "ActivityRegularization",
}
_MODELS = {"Functional", "Model", "Sequential"}
_SAFE_MODULE_PREFIXES = ("keras.layers", "keras.src.layers", "keras.initializers", "keras.src.initializers",
                         "keras.regularizers", "keras.src.regularizers", "keras.constraints",
                         "keras.src.constraints", "keras.activations", "keras.src.activations",
                         "keras.src.ops", "keras.ops", "keras.src.models", "keras.models", "keras")
_SIZE_KEYS = {"units": 8192, "filters": 8192}
MAX_LAYERS = 1500
MAX_PARAMS = 60_000_000
# Beyond these caps, the worker's address-space limit (preprocessors.Judge.memory_limit_mb) stops a
# model that would still allocate too much: that check alone fails, in its own process.


def check_safe(config):
    """Walk a model's JSON; raise ArtifactError for anything that needs student code to rebuild."""
    count = [0]

    def walk(value, depth=0):
        if depth > 200:
            raise ArtifactError("model.too_large", what="nesting")
        if isinstance(value, list):
            for item in value:
                walk(item, depth + 1)
            return
        if not isinstance(value, dict):
            return
        cls = value.get("class_name")
        if cls == "__lambda__":
            raise ArtifactError("model.lambda_refused", layer="lambda")
        if cls == "Lambda":
            raise ArtifactError("model.lambda_refused", layer=value.get("name") or "?")
        module = value.get("module")
        if isinstance(cls, str) and "module" in value:
            module = module or ""
            if module == "builtins" and cls == "function":
                pass  # a built-in activation referenced by name
            elif not module.startswith(_SAFE_MODULE_PREFIXES):
                raise ArtifactError("model.custom_refused", what=f"{module}.{cls}")
            elif module.startswith(("keras.layers", "keras.src.layers")) and cls not in KERAS_LAYERS:
                raise ArtifactError("model.custom_refused", what=cls)
            elif module.startswith(("keras.src.models", "keras.models")) and cls not in _MODELS:
                raise ArtifactError("model.custom_refused", what=cls)
            registered = value.get("registered_name")
            if registered not in (None, cls) and ">" in str(registered):
                raise ArtifactError("model.custom_refused", what=str(registered))
            if module.startswith(("keras.layers", "keras.src.layers", "keras.src.ops")):
                count[0] += 1
                if count[0] > MAX_LAYERS:
                    raise ArtifactError("model.too_large", what=f"> {MAX_LAYERS} layers")
        for key, limit in _SIZE_KEYS.items():
            size = value.get(key)
            if isinstance(size, (int, float)) and not isinstance(size, bool) and size > limit:
                raise ArtifactError("model.too_large", what=f"{key}={size}")
        for key, limit in (("kernel_size", 64), ("pool_size", 64), ("batch_shape", 1024), ("batch_input_shape", 1024)):
            dims = value.get(key)
            if isinstance(dims, list) and any(isinstance(d, int) and d > limit for d in dims):
                raise ArtifactError("model.too_large", what=f"{key}={dims}")
        for item in value.values():
            walk(item, depth + 1)

    walk(config)


def safe_config(folder, case, context):
    """A model's JSON after the safety walk, without building it (structure checks need no weights)."""
    config = folder.model_config(case)
    if not folder.trusted:
        key = "safe:" + hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
        if key not in context.cache:
            try:
                check_safe(config)
                context.cache[key] = None
            except ArtifactError as error:
                context.cache[key] = error
        if context.cache[key] is not None:
            raise context.cache[key]
    return config


def load_model(folder, case, context):
    """Rebuild one exported model (cached per file content) after the safety walk."""
    return load_config(folder.model_config(case), context, trusted=folder.trusted)


def load_config(config, context, trusted=False):
    """Rebuild a model from a JSON config (cached per content) after the safety walk; (model, config)."""
    key = "model:" + hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    if key in context.cache:
        cached = context.cache[key]
        if isinstance(cached, ArtifactError):
            raise cached
        return cached
    try:
        if not trusted:
            check_safe(config)
        import keras

        try:
            # Keras consumes the dict it is given; the structure checks need it intact.
            model = keras.saving.deserialize_keras_object(copy.deepcopy(config), safe_mode=True)
        except Exception as error:
            raise ArtifactError("model.unbuildable", error=f"{type(error).__name__}: {str(error)[:300]}") from None
        if not isinstance(model, keras.Model):
            raise ArtifactError("model.unbuildable", error=type(model).__name__)
        if model.count_params() > MAX_PARAMS:
            raise ArtifactError("model.too_large", what=f"{model.count_params():,} parameters")
    except ArtifactError as error:
        context.cache[key] = error
        raise
    context.cache[key] = (model, config)
    return model, config
