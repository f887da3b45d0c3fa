"""A quick way through the judge for one catalog entry, without nbgrader or a kernel.

Runs the source notebook's import cells, the entry's answer and the function's graded test
cells (hidden tests included) in this process with RESNET_COURSE_ARTIFACTS set, then asks
the judge's comparators for verdicts. The real pipeline (tests/test_judge_catalog.py) is
the test that counts; this one lets every entry be checked one by one in seconds, and
names the entry when a verdict is wrong.
"""

import os
import traceback
from pathlib import Path

import nbformat

from resnet_course.autograder.judge import worker

from .catalog import GRADE_IDS


def _cells(source_notebook):
    nb = nbformat.read(source_notebook, as_version=4)
    imports = [c.source for c in nb.cells if c.cell_type == "code" and "imports" in c.metadata.get("tags", [])]
    tests = {c.metadata["nbgrader"]["grade_id"]: c.source for c in nb.cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")}
    return imports, tests


def run_entry(entry, source_notebook, reference_folder, workdir, cache=None):
    """{grade_id: {"passed": bool, "message": str}} for one entry, judged in this process."""
    imports, tests = _cells(source_notebook)
    artifacts = Path(workdir) / entry.name
    artifacts.mkdir(parents=True, exist_ok=True)
    saved = os.environ.get("RESNET_COURSE_ARTIFACTS")
    os.environ["RESNET_COURSE_ARTIFACTS"] = str(artifacts)
    namespace = {"__name__": "__main__"}
    errors = {}
    try:
        for source in imports:
            exec(compile(source, "<imports>", "exec"), namespace)
        try:
            exec(compile(entry.source, f"<{entry.name}>", "exec"), namespace)
        except Exception as error:  # an answer cell that raises (an import Keras 3 lacks): the tests run on
            errors["answer"] = f"{type(error).__name__}: {error}"
        for grade_id in GRADE_IDS[entry.function]:
            try:
                exec(compile(tests[grade_id], f"<{grade_id}>", "exec"), namespace)
            except Exception as error:  # the kernel would show it; the judge sees what was exported
                errors[grade_id] = f"{type(error).__name__}: {error}"
    finally:
        if saved is None:
            os.environ.pop("RESNET_COURSE_ARTIFACTS", None)
        else:
            os.environ["RESNET_COURSE_ARTIFACTS"] = saved
        try:
            import matplotlib.pyplot as plt

            plt.close("all")
        except Exception:
            traceback.print_exc()
    verdicts = {}
    comparators = worker._load_comparators()
    cache = {} if cache is None else cache
    for grade_id in GRADE_IDS[entry.function]:
        verdict = worker.judge_one(grade_id, Path(source_notebook).stem, artifacts,
                                        Path(reference_folder) / "artifacts", artifacts.parent / "feedback",
                                        comparators, cache)
        verdicts[grade_id] = {"passed": verdict.passed, "message": verdict.message(),
                              "kernel_error": errors.get(grade_id)}
    return verdicts
