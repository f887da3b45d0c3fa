"""The judge's comparators for ResNet50 (notebook 2): layout, layers, parameter count, values, names.

The student's ResNet50 arrives built with stand-ins for the graded block functions; each
comparator first puts the reference block in every stand-in's place (`block_surgery`), so a
mistake inside `identity_block` or `convolutional_block` is never charged here (error carried
forward). Where each mistake of ResNet50's own is charged (once):
  layout  stage 1, the stages (kind and number of blocks, filters, strides), the head's layers;
  layers  the settings of ResNet50's own layers (zero padding, conv1, pools, judged on the
          shapes they see) and the insides of any block ResNet50 builds without the graded
          functions;
  params  a parameter count that differs for a reason the two checks above do not name;
  values  output probabilities that differ for such a reason (the wiring of the blocks);
  names   the model's name, conv1, bn_conv1, avg_pool, fc<classes>, the stage and letter of
          every block.
"""

from resnet_course.utils.messages import register

from ..diagnosis.blocks import block_name_problems, names_message
from ..diagnosis.graph import as_pair, graph_of
from ..diagnosis.resnet50 import (diagnose_resnet50_blocks, diagnose_resnet50_layout, expected_block_letters,
                                  own_layer_names, resnet50_layout)
from .block_surgery import block_templates, with_reference_blocks
from .carried_forward import refusals, substantive
from .comparator import ArtifactError, Verdict
from .meaning import meaning_problems
from . import compare_blocks  # noqa: F401  (registers block.names_nothing)
from .model_runs import cases, values_verdict
from .safe_models import KERAS_LAYERS, load_config, safe_config

register({
    "model.params_differ": {
        "ko": "파라미터 수가 {found:,}개입니다. {expected:,}개여야 합니다(차이 {delta:+,}).",
        "en": "The model has {found:,} parameters, expected {expected:,} (difference {delta:+,}).",
    },
})

# The settings of ResNet50's own layers: the layers check's. Every other problem the layout
# diagnosis names (a missing or extra layer, the stages, the head's kinds) is the layout's.
LAYERS_KEYS = frozenset({"resnet.zeropad_size", "resnet.stem_conv", "resnet.stem_relu_before_bn",
                         "resnet.maxpool_size", "resnet.avgpool_size"})


def _resnet_args(r_config):
    graph = graph_of(r_config)
    shape = tuple(graph[graph.inputs[0]].config.get("batch_shape", [None, 64, 64, 3])[1:])
    dense = graph.of_kind("dense")
    classes = dense[-1].config.get("units") if dense else 6
    return shape, classes


def _calls(folder, case):
    name = f"{case}__stand_ins"
    if name not in folder.cases("json"):
        return []
    data = folder.json(name)
    calls = data.get("calls") if isinstance(data, dict) else None
    return [c for c in calls if isinstance(c, dict) and isinstance(c.get("layer"), str)] if isinstance(calls, list) else []


def _templates(reference, context):
    key = ("resnet-templates", str(reference.folder))
    if key not in context.cache:
        context.cache[key] = block_templates(reference.model_config("default__full"))
    return context.cache[key]


def surgical(student, reference, case, context):
    """(config with the reference blocks in place of the stand-ins, names of the inserted layers, calls)."""
    key = ("resnet-surgery", str(student.folder), case)
    if key not in context.cache:
        config = safe_config(student, case, context)  # refuses unsafe models first
        calls = _calls(student, case)
        replaced, inserted = with_reference_blocks(config, calls, _templates(reference, context))
        context.cache[key] = (replaced, inserted, calls)
    return context.cache[key]


def _inserted_adds(config, inserted):
    return {node.name for node in graph_of(config).of_kind("add") if node.name in inserted}


def _own_problems(student, reference, case, context):
    """(layout problems, layers problems) of the student's ResNet50, the reference blocks standing in."""
    config, inserted, _ = surgical(student, reference, case, context)
    shape, classes = _resnet_args(reference.model_config(case))
    found = diagnose_resnet50_layout(config, shape, classes)
    layout = [p for p in found if p[0] not in LAYERS_KEYS]
    layers = [p for p in found if p[0] in LAYERS_KEYS]
    layers += diagnose_resnet50_blocks(config, skip=_inserted_adds(config, inserted))
    if not layout:
        s_layout = resnet50_layout(config)
        r_layout = resnet50_layout(reference.model_config(f"{case}__full") if f"{case}__full" in reference.cases(
            "model.json") else with_reference_blocks(reference.model_config(case), _calls(reference, case),
                                                     _templates(reference, context))[0])
        summary = lambda layout: [(s["blocks"], s["all_filters"], s["stride"]) for s in layout["stages"]]  # noqa: E731
        if summary(s_layout) != summary(r_layout):
            layout = [("resnet.stage_count", {"found": len(s_layout["stages"]), "expected": len(r_layout["stages"])})]
    if not layout and not layers:
        r_config = _reference_surgical(reference, case, context)
        layers = meaning_problems(config, r_config)
    return layout, layers


def _reference_surgical(reference, case, context):
    key = ("resnet-reference-surgery", str(reference.folder), case)
    if key not in context.cache:
        context.cache[key] = with_reference_blocks(reference.model_config(case), _calls(reference, case),
                                                   _templates(reference, context))[0]
    return context.cache[key]


def resnet_layout(student, reference, context):
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    for case in cases(student, reference):
        layout, _ = _own_problems(student, reference, case, context)
        if layout:
            return Verdict(False, layout[:4])
    return Verdict.ok()


def resnet_layers(student, reference, context):
    """The settings of ResNet50's own layers and the insides of blocks it builds itself."""
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    for case in cases(student, reference):
        layout, layers = _own_problems(student, reference, case, context)
        if layers:
            return Verdict(False, layers[:4])
    return Verdict.ok()


def _charged_to_layout_or_layers(student, reference, context):
    def charged(case):
        config, _, _ = surgical(student, reference, case, context)
        if not substantive(config, _reference_surgical(reference, case, context)):
            return False
        layout, layers = _own_problems(student, reference, case, context)
        return bool(layout or layers)
    return charged


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
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    charged = _charged_to_layout_or_layers(student, reference, context)
    for case in cases(student, reference):
        config, _, _ = surgical(student, reference, case, context)
        r_config = _reference_surgical(reference, case, context)
        found, expected = count_params(config), count_params(r_config)
        if found is None or expected is None:  # a layer this count does not know: build and ask Keras
            found = int(load_config(config, context)[0].count_params())
            expected = int(load_config(r_config, context, trusted=True)[0].count_params())
        if found != expected and not charged(case):
            return Verdict.fail("model.params_differ", found=found, expected=expected, delta=found - expected)
    return Verdict.ok()


def resnet_values(student, reference, context):
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    def hints(case):
        try:
            layout, layers = _own_problems(student, reference, case, context)
            return layout + layers
        except ArtifactError:
            return []

    def student_model(case):
        return load_config(surgical(student, reference, case, context)[0], context)

    return values_verdict(student, reference, context, "resnet", False, hints, head_scale=True,
                          charged_elsewhere=_charged_to_layout_or_layers(student, reference, context),
                          student_model=student_model)


def resnet_names(student, reference, context):
    """The model's name, ResNet50's own layer names and every block's stage and letter."""
    refused = refusals(student)
    if refused:
        return Verdict(False, refused)
    layer_names, letters = [], []
    for case in cases(student, reference):
        config, inserted, calls = surgical(student, reference, case, context)
        if not substantive(config, _reference_surgical(reference, case, context)):
            return Verdict.fail("block.names_nothing")
        _, classes = _resnet_args(reference.model_config(case))
        graph = graph_of(config)
        name = graph.name
        if name != "ResNet50" and not any(want == "ResNet50" for want, _ in layer_names):
            layer_names.append(("ResNet50", str(name)))
        # One slip per expected name: the second case's automatic names differ only by a number.
        named = {want for want, _ in layer_names}
        layer_names += [pair for pair in own_layer_names(config, classes) if pair[0] not in named]
        by_prefix = {call["layer"]: call for call in calls}
        for stage, letter, blk in expected_block_letters(config):
            call = by_prefix.get(blk.add.split("__")[0]) if blk.add in inserted else None
            if call is None:  # a block ResNet50 built itself: its layers carry the names
                layer_names += [p for p in block_name_problems(graph, blk, stage, letter) if p not in layer_names]
                continue
            want, got = f"res{stage}{letter}_branch…", f"res{call.get('stage')}{call.get('block')}_branch…"
            if (str(call.get("stage")), str(call.get("block"))) != (str(stage), letter) and (want, got) not in letters:
                letters.append((want, got))
    problems = []
    if layer_names:
        problems.append(("resnet.layer_names", names_message(layer_names)))
    if letters:
        problems.append(("resnet.block_letters", names_message(letters)))
    return Verdict(False, problems) if problems else Verdict.ok()
