"""The judge's worker: one trusted process that compares a notebook's artifacts.

`judge.Judge` starts it as `python -m resnet_course.autograder.compare_run --serve` (one
request per line, kept alive across notebooks; `... compare_run REQUEST RESULT` answers one),
with limits on time and memory, so a damaged or enormous artifact can stop this process but
not nbgrader. It never runs student code; it only reads files the student's kernel wrote
(refusing symlinks and oversized files) and the instructor's references.

Every grade id has a comparator, registered in COMPARATORS as "module:function". A
comparator takes (student, reference, context) — two `ArtifactFolder`s for that grade id and
a `Context` — and returns a `Verdict`. A grade id without one scores 0 with a message that
says so. RESNET_COURSE_JUDGE_EXTRA names modules with more COMPARATORS (the tests' toy
notebook uses it).
"""

import importlib
import json
import os
import stat
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from resnet_course.utils.messages import register, set_language, text

EXTRA_ENV = "RESNET_COURSE_JUDGE_EXTRA"
MAX_FILE_BYTES = 8 * 1024 * 1024  # a ResNet50 architecture is ~150 kB; arrays and plots are small

COMPARATORS = {
    # Notebook 1: 01_vanishing_gradients
    "build_deep_network_structure": "compare_models:deep_network_structure",
    "build_deep_network_values": "compare_models:deep_network_values",
    "layer_gradient_norms_shape": "compare_arrays:gradient_norms_shape",
    "layer_gradient_norms_values": "compare_arrays:gradient_norms_values",
    "plot_gradient_norms_lines": "compare_plots:plot_lines",
    "plot_gradient_norms_labels": "compare_plots:plot_labels",
    # Notebook 2: 02_residual_networks
    "identity_block_structure": "compare_models:block_structure",
    "identity_block_values": "compare_models:block_values",
    "identity_block_training": "compare_models:block_training",
    "convolutional_block_structure": "compare_models:block_structure",
    "convolutional_block_values": "compare_models:block_values",
    "convolutional_block_training": "compare_models:block_training",
    "ResNet50_layout": "compare_models:resnet_layout",
    "ResNet50_layers": "compare_models:resnet_layers",
    "ResNet50_params": "compare_models:resnet_params",
    "ResNet50_values": "compare_models:resnet_values",
}

register({
    "judge.no_comparator": {
        "ko": "이 검사({grade_id})에는 채점 방법이 등록되어 있지 않아 점수를 줄 수 없습니다. 강사에게 알려 주세요.",
        "en": "No comparison is registered for this check ({grade_id}), so it cannot score. Please tell your instructor.",
    },
    "judge.missing": {
        "ko": "채점기에 결과가 도착하지 않았습니다: 함수가 오류를 냈거나, 실행되지 않았거나, 테스트 셀이 "
              "끝까지 실행되지 않았습니다. 답안 셀과 그 위의 셀들이 오류 없이 실행되는지 확인하세요.",
        "en": "No result reached the grader: the function raised, was not run, or the test cell did not "
              "finish. Check that your answer cell and the cells above it run without errors.",
    },
    "judge.unreadable": {
        "ko": "테스트 셀이 내보낸 결과({name})를 읽을 수 없습니다: {reason}",
        "en": "The result the test cell exported ({name}) cannot be read: {reason}",
    },
    "judge.no_reference": {
        "ko": "이 검사({grade_id})의 참조 결과가 없습니다. 강사에게 알려 주세요.",
        "en": "There is no reference result for this check ({grade_id}). Please tell your instructor.",
    },
    "judge.crashed": {
        "ko": "채점기가 여러분의 결과를 비교하다 멈췄습니다({error}). 결과의 모양이 예상과 크게 다를 때 "
              "생깁니다. 공개 검사 셀의 안내를 먼저 따르세요.",
        "en": "The judge stopped while comparing your result ({error}). This happens when it is far from "
              "the expected shape. Follow the public check cell's advice first.",
    },
})


class ArtifactError(Exception):
    """An artifact that is missing or cannot be read; carries a catalog key and values."""

    def __init__(self, key, **values):
        self.key = key
        self.values = values
        super().__init__(key)


@dataclass
class Verdict:
    passed: bool
    problems: list = field(default_factory=list)  # [(catalog key, values)]
    image: str = None

    @classmethod
    def ok(cls):
        return cls(True)

    @classmethod
    def fail(cls, key, **values):
        return cls(False, [(key, values)])

    def message(self):
        return "\n".join(text(key, **values) for key, values in self.problems)


class ArtifactFolder:
    """One grade id's artifacts (student's or reference's), read defensively."""

    def __init__(self, folder, trusted):
        self.folder = Path(folder)
        self.trusted = trusted
        self.grade_id = self.folder.name

    def _path(self, name):
        path = self.folder / name
        if not self.trusted:
            for part in (self.folder, path):
                try:
                    info = os.lstat(part)
                except FileNotFoundError:
                    raise ArtifactError("judge.missing") from None
                if stat.S_ISLNK(info.st_mode):
                    raise ArtifactError("judge.unreadable", name=name, reason="symlink")
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                raise ArtifactError("judge.unreadable", name=name, reason="not a plain file")
            if info.st_size > MAX_FILE_BYTES:
                raise ArtifactError("judge.unreadable", name=name, reason=f"{info.st_size} bytes")
        elif not path.is_file():
            raise ArtifactError("judge.no_reference", grade_id=self.grade_id)
        return path

    def cases(self, suffix):
        """Case names with this suffix (model.json, npy, json), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name[: -len(suffix) - 1] for p in self.folder.iterdir()
                      if p.name.endswith("." + suffix) and not p.name.endswith(".tmp"))

    def read_bytes(self, name):
        return self._path(name).read_bytes()

    def file_stat(self, name):
        """os.stat of one file, after the same checks as reading it."""
        return self._path(name).stat()

    def json(self, case):
        name = f"{case}.json"
        try:
            return json.loads(self.read_bytes(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ArtifactError("judge.unreadable", name=name, reason=type(error).__name__) from None

    def model_config(self, case):
        name = f"{case}.model.json"
        try:
            return json.loads(self.read_bytes(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ArtifactError("judge.unreadable", name=name, reason=type(error).__name__) from None

    def array(self, case):
        import numpy as np

        name = f"{case}.npy"
        path = self._path(name)
        try:
            values = np.load(path, allow_pickle=False)
        except Exception as error:  # pickled objects, truncated files, wrong magic
            raise ArtifactError("judge.unreadable", name=name, reason=type(error).__name__) from None
        if not isinstance(values, np.ndarray) or values.dtype.kind not in "fiub":
            raise ArtifactError("judge.unreadable", name=name, reason=f"dtype {getattr(values, 'dtype', '?')}")
        return values.astype(np.float64)


def ordered_cases(student, reference, suffix, missing_key, keep=None):
    """The reference's cases, the student's present ones first; then a missing one fails.

    A test cell stops at its first failing assert, so later cases may never be exported:
    what the present cases show names the mistake better than "case X is missing".
    """
    cases = [c for c in reference.cases(suffix) if keep is None or keep(c)]
    if not cases:
        raise ArtifactError("judge.no_reference", grade_id=reference.grade_id)
    have = set(student.cases(suffix))
    if not have & set(cases):
        raise ArtifactError("judge.missing")
    yield from (c for c in cases if c in have)
    missing = [c for c in cases if c not in have]
    if missing:
        raise ArtifactError(missing_key, case=missing[0])


@dataclass
class Context:
    grade_id: str
    notebook: str
    feedback: Path  # the judge's own folder: images for the feedback go here
    cache: dict = field(default_factory=dict)  # shared between grade ids of one run


def _load_comparators():
    table = dict(COMPARATORS)
    for module_name in filter(None, os.environ.get(EXTRA_ENV, "").split(",")):
        table.update(importlib.import_module(module_name.strip()).COMPARATORS)
    return table


def _resolve(spec):
    module_name, function = spec.split(":")
    if "." not in module_name:
        module_name = f"resnet_course.autograder.{module_name}"
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
    from resnet_course.autograder import compare_run

    sys.exit(compare_run.main())
