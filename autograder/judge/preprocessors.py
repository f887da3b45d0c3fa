"""The judge: grades decided outside the student's kernel.

Two nbgrader preprocessors, enabled in `course/nbgrader_config.py`:

`PrepareArtifacts` runs first in `Autograde.autograde_preprocessors`, before `Execute`. It
makes a fresh, empty artifacts folder for this student and notebook, outside the student's
autograded folder (nbgrader deletes that folder when a kernel dies), and sets
RESNET_COURSE_ARTIFACTS so the kernel Execute starts inherits it. The hidden test cells
export what the student's functions produced into it.

`Judge` runs after `Execute` and `IgnorePattern`, before `SaveAutoGrades`. It never runs
student code: a separate trusted worker process (`worker`) rebuilds models from JSON in
Keras's safe mode, reads arrays without pickle and plot data as JSON, and compares them with
references computed from the instructor's source notebook (`references`). The judge then
rewrites every graded test cell's outputs to the verdict: none when it passes, a single
`error` output carrying the bilingual message when it fails. nbgrader scores a cell by its
outputs (`nbgrader.utils.determine_grade`: an error or stderr is 0, an `execute_result`
number is partial credit, anything else full marks), so after the rewrite nothing the
student's kernel printed, returned or suppressed can move a score.

Folders (student ids and names are slugged):
  artifacts   $RESNET_COURSE_ARTIFACTS_ROOT/<student>/<assignment>/<notebook>/, else
              <course root>/.artifacts/<student>/<assignment>/<notebook>/
  judge       <artifacts>.judge/verdicts.json    {grade_id: {passed, message, image}}
              <artifacts>.judge/<grade_id>.png   (plots: the student's beside the reference)
              Kept apart from the artifacts: the kernel can write there (a planted symlink
              must not redirect what the judge writes), so the judge only reads it.
  references  $RESNET_COURSE_REFERENCE_CACHE, else <course root>/.cache/references/<hash>/
"""

import base64
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from nbformat.notebooknode import NotebookNode
from traitlets import Integer

from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from resnet_course.utils.messages import get_language, label, register, text

from ..checks.artifacts import ENV_VAR as ARTIFACTS_ENV
from ..diagnosis import crash_hints
from .worker_client import ComparisonWorker

ARTIFACTS_ROOT_ENV = "RESNET_COURSE_ARTIFACTS_ROOT"
VERDICTS_FILE = "verdicts.json"
_SLUG = re.compile(r"[^A-Za-z0-9_.-]+")

register({
    "judge.failed_header": {
        "ko": "채점기(judge)의 판정: {grade_id} 검사를 통과하지 못했습니다.",
        "en": "The judge's verdict: check {grade_id} did not pass.",
    },
    "judge.worker_failed": {
        "ko": "채점기가 이 검사의 결과물을 끝까지 비교하지 못했습니다({reason}). 결과물이 너무 크거나 "
              "손상되었을 수 있습니다. 강사에게 알려 주세요.",
        "en": "The judge could not finish comparing this check's results ({reason}). They may be too "
              "large or damaged. Please tell your instructor.",
    },
    "judge.answer_error": {
        "ko": "답안 셀에서 난 오류",
        "en": "The error in your answer cell",
    },
    "judge.kernel_error": {
        "ko": "테스트 셀에서 난 오류",
        "en": "The error in the test cell",
    },
    "judge.feedback_image": {
        "ko": "왼쪽은 여러분의 그래프, 오른쪽은 기대한 그래프입니다: {path}",
        "en": "Your plot is on the left, the expected one on the right: {path}",
    },
})


def slug(value):
    """A name safe for one path component (student ids come from outside)."""
    cleaned = _SLUG.sub("_", str(value)).strip("._")
    return cleaned or "_"


def is_graded_test_cell(cell):
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("grade") is True and not meta.get("solution")


def _course_dir(preprocessor):
    return CourseDirectory(parent=preprocessor)


def judge_folder(artifacts):
    """The judge's own output folder beside (never inside) the kernel-writable artifacts."""
    artifacts = Path(artifacts)
    return artifacts.with_name(artifacts.name + ".judge")


def artifacts_folder(course_root, student, assignment, notebook):
    """Where this student's notebook's artifacts go (the override serves parallel workers)."""
    base = os.environ.get(ARTIFACTS_ROOT_ENV, "").strip()
    base = Path(base) if base else Path(course_root) / ".artifacts"
    return base.resolve() / slug(student) / slug(assignment) / slug(notebook)


class PrepareArtifacts(NbGraderPreprocessor):
    """Before Execute: a fresh artifacts folder, named to the kernel by RESNET_COURSE_ARTIFACTS."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        folder = artifacts_folder(_course_dir(self).root, info["student"], info["assignment"],
                                  info["notebook"])
        for path in (folder, judge_folder(folder)):
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.exists():
                shutil.rmtree(path)
        folder.mkdir(parents=True)
        os.environ[ARTIFACTS_ENV] = str(folder)
        resources["resnet_course"] = {"artifacts": str(folder)}
        self.log.info("Artifacts for %s/%s/%s: %s", info["student"], info["assignment"],
                      info["notebook"], folder)
        return nb, resources


class Judge(NbGraderPreprocessor):
    """After Execute: every graded test cell's outputs become the judge's verdict."""

    timeout = Integer(
        900, help="Seconds the comparison worker may take for one notebook before it is stopped.",
    ).tag(config=True)
    memory_limit_mb = Integer(
        8192, help="Address-space limit (MB) of the comparison worker (TensorFlow needs about 3 GB).",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        from . import references

        info = resources["nbgrader"]
        coursedir = _course_dir(self)
        folder = resources.get("resnet_course", {}).get("artifacts")
        if not folder:
            # Without PrepareArtifacts the folder may hold an earlier run's files: trust none.
            self.log.error("PrepareArtifacts did not run before Execute; every check scores 0. "
                           "See course/nbgrader_config.py.")
            folder = tempfile.mkdtemp(prefix="resnet-judge-empty-")
        folder = Path(folder)
        graded = [cell for cell in nb.cells if is_graded_test_cell(cell)]
        if not graded:
            return nb, resources

        source = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]))
        reference = references.reference_folder(source / f"{info['notebook']}.ipynb",
                                                 references.cache_root(coursedir.root), log=self.log)
        grade_ids = [cell.metadata.nbgrader["grade_id"] for cell in graded]
        feedback = judge_folder(folder)
        if feedback.is_symlink() or feedback.is_file():
            feedback.unlink()
        elif feedback.exists():
            shutil.rmtree(feedback)
        feedback.mkdir(parents=True)
        verdicts = self._compare(info["notebook"], grade_ids, folder, reference, feedback)

        answer_errors = _answer_errors(nb)
        for cell in graded:
            grade_id = cell.metadata.nbgrader["grade_id"]
            verdict = verdicts[grade_id]
            error = _kernel_error(cell)
            if not verdict.get("passed") and _nothing_arrived(verdict):
                # An answer cell that raised (an import Keras 3 lacks) left its function undefined.
                owner = _owner(grade_id, answer_errors)
                if owner is not None:
                    verdict["message"] += "\n" + error_note(grade_id, answer_errors[owner], "judge.answer_error")
                if error:
                    verdict["message"] += "\n" + error_note(grade_id, error)
            cell.outputs = _outputs_for(grade_id, verdict)
        _write_verdicts(feedback, verdicts)
        resources.setdefault("resnet_course", {})["verdicts"] = verdicts
        return nb, resources

    def _compare(self, notebook, grade_ids, student, reference, feedback):
        """Run the worker once for all checks; if it dies, once per check, so one bad artifact costs one check."""
        verdicts = self._run_worker(notebook, grade_ids, student, reference, feedback)
        if verdicts is not None:
            return verdicts
        verdicts = {}
        for grade_id in grade_ids:
            single = self._run_worker(notebook, [grade_id], student, reference, feedback)
            if single is None:
                single = {grade_id: {"passed": False, "message": text("judge.worker_failed",
                                                                      reason=self._last_reason)}}
            verdicts.update(single)
        return verdicts

    _last_reason = ""

    def _run_worker(self, notebook, grade_ids, student, reference, feedback):
        with tempfile.TemporaryDirectory(prefix="resnet-judge-") as tmp:
            request = Path(tmp) / "request.json"
            result = Path(tmp) / "result.json"
            request.write_text(json.dumps({
                "notebook": notebook, "grade_ids": grade_ids, "student": str(student),
                "reference": str(reference), "feedback": str(feedback), "lang": get_language(),
            }))
            worker = ComparisonWorker.get(self._limits)
            status = worker.ask(request, result, self.timeout)
            if status != "done" or not result.exists():
                self._last_reason = status
                self.log.error("Judge worker failed on %s %s (%s):\n%s", notebook, grade_ids, status,
                               worker.log_tail())
                ComparisonWorker.discard()
                return None
            verdicts = json.loads(result.read_text())
        missing = [g for g in grade_ids if g not in verdicts]
        if missing:
            self._last_reason = "incomplete"
            self.log.error("Judge worker gave no verdict for %s", missing)
            return None
        return verdicts

    @classmethod
    def prestart(cls, config=None):
        """Start the comparison worker now, before any notebook needs it.

        It imports TensorFlow for a few seconds; started while the first student's kernel
        runs, that time overlaps the kernel's instead of adding to it.
        """
        ComparisonWorker.get(cls(config=config)._limits)

    @staticmethod
    def stop_worker():
        """Stop the comparison worker now (at the end of grading: no need to wait for its exit)."""
        ComparisonWorker.discard()

    def _limits(self):
        import resource

        limit = self.memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


_NOTHING_ARRIVED = ("judge.missing", "model.case_missing", "arrays.case_missing", "plots.case_missing")
# Long enough for the course's own crash explanation in both languages (checks.common).
KERNEL_ERROR_LIMIT = 1500


def _nothing_arrived(verdict):
    return any(key in _NOTHING_ARRIVED for key, _ in verdict.get("problems", []))


def _answer_errors(nb):
    """{answer cell's grade id: the error it raised} for the answer cells that raised one."""
    found = {}
    for cell in nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution") and not meta.get("grade"):
            error = _kernel_error(cell)
            if error:
                found[meta.get("grade_id")] = error
    return found


def _owner(grade_id, answer_errors):
    """The answer cell a test cell's grade id belongs to (`identity_block` for `identity_block_values`)."""
    owners = [name for name in answer_errors if name and str(grade_id).startswith(f"{name}_")]
    return max(owners, key=len) if owners else None


def _kernel_error(cell):
    """The first error the kernel reported in this cell, without colour codes or Keras's argument dump."""
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return crash_hints.clean_error_text(f"{output.get('ename', '')}: {output.get('evalue', '')}",
                                                limit=KERNEL_ERROR_LIMIT)
    return None


def error_note(grade_id, error, key="judge.kernel_error"):
    """Where to look when nothing reached the judge: what the kernel said (in a test cell, or in
    the answer cell, `key`), and what its text alone hints.

    Student-controlled text, shown, never scored. A crash the kernel already explained in
    words (the course's crash message) gets no second hint: the explanation appears once.
    """
    note = f"{label(key)}: {error}"  # the kernel's text once, whatever the language
    hint = crash_hints.hint_for(grade_id, error)
    return note + "\n" + hint if hint else note


def _outputs_for(grade_id, verdict):
    """The cell outputs that make nbgrader give full marks (passed) or none (failed)."""
    if verdict.get("passed"):
        return []
    message = "\n".join([text("judge.failed_header", grade_id=grade_id), verdict["message"]])
    outputs = []
    image = verdict.get("image")
    if image and Path(image).is_file():
        message += "\n" + text("judge.feedback_image", path=Path(image).name)
        outputs.append(NotebookNode(
            output_type="display_data", metadata={},
            data={"image/png": base64.b64encode(Path(image).read_bytes()).decode("ascii"),
                  "text/plain": "<feedback plot>"},
        ))
    outputs.append(NotebookNode(output_type="error", ename="AssertionError", evalue=message,
                                traceback=message.split("\n")))
    return outputs


def _write_verdicts(folder, verdicts):
    path = folder / VERDICTS_FILE
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(verdicts, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
