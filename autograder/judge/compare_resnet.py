"""The judge's comparators for ResNet50 (notebook 2): layout, layers, parameter count, values."""

from resnet_course.utils.messages import register

from ..diagnosis.graph import as_pair, graph_of
from ..diagnosis.resnet50 import diagnose_resnet50_blocks, diagnose_resnet50_layout, resnet50_layout
from .comparator import ArtifactError, Verdict
from .meaning import meaning_problems
from .model_runs import cases, values_verdict
from .safe_models import KERAS_LAYERS, load_model, safe_config

register({
    "model.params_differ": {
        "ko": "파라미터 수가 {found:,}개입니다. {expected:,}개여야 합니다(차이 {delta:+,}).",
        "en": "The model has {found:,} parameters, expected {expected:,} (difference {delta:+,}).",
    },
})


def _resnet_args(r_config):
    graph = graph_of(r_config)
    shape = tuple(graph[graph.inputs[0]].config.get("batch_shape", [None, 64, 64, 3])[1:])
    dense = graph.of_kind("dense")
    classes = dense[-1].config.get("units") if dense else 6
    return shape, classes


def resnet_layout(student, reference, context):
    def diagnose(case):
        shape, classes = _resnet_args(reference.model_config(case))
        return diagnose_resnet50_layout(student.model_config(case), shape, classes)

    for case in cases(student, reference):
        safe_config(student, case, context)
        problems = diagnose(case)
        if not problems:
            s_layout = resnet50_layout(student.model_config(case))
            r_layout = resnet50_layout(reference.model_config(case))
            if [(s["blocks"], s["all_filters"], s["stride"]) for s in s_layout["stages"]] != \
                    [(s["blocks"], s["all_filters"], s["stride"]) for s in r_layout["stages"]]:
                problems = [("resnet.stage_count", {"found": len(s_layout["stages"]),
                                                    "expected": len(r_layout["stages"])})]
        if problems:
            return Verdict(False, problems[:4])
    return Verdict.ok()


def resnet_layers(student, reference, context):
    """Every block's inside and every layer's meaning (spelling aside), apart from the layout."""
    for case in cases(student, reference):
        s_config = safe_config(student, case, context)
        r_config = reference.model_config(case)
        problems = diagnose_resnet50_blocks(s_config)
        if problems:
            return Verdict(False, problems[:4])
        layout_problems = diagnose_resnet50_layout(s_config, *_resnet_args(r_config))
        if not layout_problems:  # a layout mistake is the layout check's to charge
            problems = meaning_problems(s_config, r_config)
            if problems:
                return Verdict(False, problems)
    return Verdict.ok()


def _inbound_shape(layer):
    """The shape of a layer's (first) input, read from its call in the JSON."""
    calls = layer.get("inbound_nodes") or []
    found = []

    def walk(value):
        if isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                found.append(value["config"]["shape"])
                return
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(calls[0].get("args", []) if calls else [])
    return found[0] if found else None


def count_params(config):
    """A model's parameter count from its JSON alone (Conv2D, BatchNormalization, Dense), or None.

    Same number as `model.count_params()` for the layers a ResNet is made of, without
    building two 23-million-parameter models; None when a layer with weights is of another kind.
    """
    total = 0
    for layer in config.get("config", config).get("layers", []):
        cls, cfg = layer.get("class_name"), layer.get("config", {}) or {}
        shape = _inbound_shape(layer)
        if cls in ("Conv2D", "Convolution2D"):
            k = as_pair(cfg.get("kernel_size", 1))
            total += k[0] * k[1] * int(shape[-1]) * int(cfg["filters"]) + (int(cfg["filters"]) if cfg.get("use_bias", True) else 0)
        elif cls == "BatchNormalization":
            axis = cfg.get("axis", -1)
            axis = axis[0] if isinstance(axis, list) else axis
            channels = int(shape[axis])
            total += channels * (2 + int(cfg.get("center", True)) + int(cfg.get("scale", True)))
        elif cls == "Dense":
            total += int(shape[-1]) * int(cfg["units"]) + (int(cfg["units"]) if cfg.get("use_bias", True) else 0)
        elif cls in ("Functional", "Model", "Sequential") or (cls not in KERAS_LAYERS and "ops" not in str(layer.get("module"))):
            return None
    return total


def resnet_params(student, reference, context):
    for case in cases(student, reference):
        found = count_params(safe_config(student, case, context))
        expected = count_params(reference.model_config(case))
        if found is None or expected is None:  # a layer this count does not know: build and ask Keras
            found = int(load_model(student, case, context)[0].count_params())
            expected = int(load_model(reference, case, context)[0].count_params())
        if found != expected:
            return Verdict.fail("model.params_differ", found=found, expected=expected, delta=found - expected)
    return Verdict.ok()


def resnet_values(student, reference, context):
    def hints(case):
        try:
            s_config = student.model_config(case)
            return (diagnose_resnet50_layout(s_config, *_resnet_args(reference.model_config(case)))
                    + diagnose_resnet50_blocks(s_config))
        except ArtifactError:
            return []
    return values_verdict(student, reference, context, "resnet", False, hints, head_scale=True)
