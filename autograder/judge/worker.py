"""The judge's worker: one trusted process that compares a notebook's artifacts.

`preprocessors.Judge` starts it as `python -m resnet_course.autograder.judge.worker --serve`
(one request per line, kept alive across notebooks; `... worker REQUEST RESULT` answers one),
with limits on time and memory, so a damaged or enormous artifact can stop this process but
not nbgrader. It never runs student code; it only reads files the student's kernel wrote
(refusing symlinks and oversized files) and the instructor's references.

Every grade id has a comparator, registered in COMPARATORS as "module:function" (a module
of this package, or a dotted path); what a comparator takes and returns is in `comparator`. A grade id without one scores 0 with a message that
says so. RESNET_COURSE_JUDGE_EXTRA names modules with more COMPARATORS (the tests' toy
notebook uses it).
"""

import importlib
import json
import os
import stat
import sys
import traceback
from pathlib import Path

from resnet_course.utils.messages import set_language

from .comparator import ArtifactError, ArtifactFolder, Context, Verdict

EXTRA_ENV = "RESNET_COURSE_JUDGE_EXTRA"

COMPARATORS = {
    # Notebook 1: 01_vanishing_gradients
    "build_deep_network_structure": "compare_deep:deep_network_structure",
    "build_deep_network_values": "compare_deep:deep_network_values",
    "build_deep_network_names": "compare_deep:deep_network_names",
    "layer_gradient_norms_shape": "compare_arrays:gradient_norms_shape",
    "layer_gradient_norms_values": "compare_arrays:gradient_norms_values",
    "plot_gradient_norms_lines": "compare_plots:plot_lines",
    "plot_gradient_norms_labels": "compare_plots:plot_labels",
    # Notebook 2: 02_residual_networks
    "identity_block_structure": "compare_blocks:block_structure",
    "identity_block_values": "compare_blocks:block_values",
    "identity_block_training": "compare_blocks:block_training",
    "identity_block_names": "compare_blocks:block_names",
    "convolutional_block_structure": "compare_blocks:block_structure",
    "convolutional_block_values": "compare_blocks:block_values",
    "convolutional_block_training": "compare_blocks:block_training",
    "convolutional_block_names": "compare_blocks:block_names",
    "ResNet50_layout": "compare_resnet:resnet_layout",
    "ResNet50_layers": "compare_resnet:resnet_layers",
    "ResNet50_params": "compare_resnet:resnet_params",
    "ResNet50_values": "compare_resnet:resnet_values",
    "ResNet50_names": "compare_resnet:resnet_names",
}


def _load_comparators():
    table = dict(COMPARATORS)
    for module_name in filter(None, os.environ.get(EXTRA_ENV, "").split(",")):
        table.update(importlib.import_module(module_name.strip()).COMPARATORS)
    return table


def _resolve(spec):
    module_name, function = spec.split(":")
    if "." not in module_name:
        module_name = f"resnet_course.autograder.judge.{module_name}"
    return getattr(importlib.import_module(module_name), function)


def judge_one(grade_id, notebook, student_root, reference_root, feedback, comparators, cache):
    spec = comparators.get(grade_id)
    if spec is None:
        return Verdict.fail("judge.no_comparator", grade_id=grade_id)
    reference = ArtifactFolder(Path(reference_root) / grade_id, trusted=True)
    if not reference.folder.is_dir():
        return Verdict.fail("judge.no_reference", grade_id=grade_id)
    student_folder = Path(student_root) / grade_id
    try:
        info = os.lstat(student_folder)
    except FileNotFoundError:
        return Verdict.fail("judge.missing")
    if not stat.S_ISDIR(info.st_mode):
        return Verdict.fail("judge.unreadable", name=grade_id, reason="not a folder")
    student = ArtifactFolder(student_folder, trusted=False)
    context = Context(grade_id=grade_id, notebook=notebook, feedback=Path(feedback), cache=cache)
    try:
        return _resolve(spec)(student, reference, context)
    except ArtifactError as error:
        return Verdict.fail(error.key, **error.values)
    except Exception as error:  # a comparator meeting something it cannot handle: 0, not a crash
        traceback.print_exc()
        return Verdict.fail("judge.crashed", error=f"{type(error).__name__}: {str(error)[:200]}")


def answer(request_path, result_path, comparators):
    """Judge one request file; write the verdicts to `result_path`."""
    request = json.loads(Path(request_path).read_text())
    set_language(request.get("lang", "both"))
    cache = {}
    results = {}
    for grade_id in request["grade_ids"]:
        verdict = judge_one(grade_id, request["notebook"], Path(request["student"]),
                            Path(request["reference"]) / "artifacts", request["feedback"], comparators, cache)
        results[grade_id] = {"passed": verdict.passed, "message": verdict.message(),
                             "problems": [[key, {k: str(v) for k, v in values.items()}]
                                          for key, values in verdict.problems],
                             "image": verdict.image}
    tmp = Path(str(result_path) + ".tmp")
    tmp.write_text(json.dumps(results, ensure_ascii=False))
    os.replace(tmp, result_path)
    cache.clear()
    _release_models()


def _release_models():
    """Forget the models of the last request (a long-lived worker must not grow)."""
    import gc

    if "keras" in sys.modules:
        sys.modules["keras"].backend.clear_session(free_memory=False)
    gc.collect()


def _settle_imports():
    """Import what comparisons need, then exempt those objects from garbage collection.

    A collection walks every tracked object: with TensorFlow and Keras loaded that took
    0.34 s per request here. Frozen, the imports' objects are skipped and a collection
    after a request only walks what the request made.
    """
    import gc

    import keras  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    gc.collect()
    gc.freeze()


def serve(comparators):
    """Answer requests from stdin, one JSON line each: {request, result, token}; echo the token."""
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        answer(job["request"], job["result"], comparators)
        sys.stdout.write(job["token"] + "\n")
        sys.stdout.flush()
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    import resnet_course.utils  # noqa: F401  (quiet TensorFlow)

    comparators = _load_comparators()
    if argv and argv[0] == "--serve":
        _settle_imports()
        return serve(comparators)
    answer(argv[0], argv[1], comparators)
    return 0


if __name__ == "__main__":
    # Run the package's copy of this module, so comparators and this loop share ArtifactError.
    from resnet_course.autograder.judge import worker

    sys.exit(worker.main())
