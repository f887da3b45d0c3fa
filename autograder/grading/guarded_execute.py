"""nbgrader's `Execute`, made to survive a dead kernel and endless output.

nbgrader drops the whole notebook (and deletes the student's autograded folder) when its
kernel dies. `GuardedExecute` gives every cell that did not run an error output naming the
reason, so the rest of the pipeline (the judge, SaveAutoGrades) records 0 for those cells and
keeps what already ran; it caps what a notebook may print, and stops the kernel at once after
the last cell.
"""

import json
from pathlib import Path

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode
from traitlets import Bool, Enum, Integer, Unicode

from nbgrader.preprocessors import Execute

from resnet_course.utils.messages import register, text

from ..judge.private_kernel import PrivateSocketKernelManager
from .sandbox import SandboxedKernelManager

register({
    "sandbox.death.grader": {
        "ko": "이 노트북을 실행하다가 채점기에서 오류가 났습니다: {detail}",
        "en": "The grader failed while running this notebook: {detail}",
    },
    "sandbox.death.startup": {
        "ko": "커널을 시작하지 못했습니다: {detail}",
        "en": "The kernel could not start: {detail}",
    },
    "sandbox.cell_not_run": {
        "ko": "커널이 멈춘 뒤라 이 셀은 실행되지 않았습니다. 이유: {reason}",
        "en": "This cell did not run because the kernel had stopped. Reason: {reason}",
    },
    "sandbox.output_truncated": {
        "ko": "[출력이 너무 길어 {limit_kb} KB에서 잘랐습니다]",
        "en": "[output too long: cut at {limit_kb} KB]",
    },
})


def _error_output(ename, message):
    return NotebookNode(output_type="error", ename=ename, evalue=message,
                        traceback=[f"{ename}: {message}"])


class GuardedExecute(Execute):
    """nbgrader's Execute; a dead kernel ends the notebook with errors instead of an exception.

    nbgrader drops the whole notebook (and deletes the student's autograded folder) when
    its kernel dies. Here every cell that did not run gets an error output naming the
    reason, so the rest of the pipeline (the judge, SaveAutoGrades) records 0 for those
    cells and keeps what already ran.
    """

    sandbox = Bool(True, help="Run the kernel under bubblewrap (SandboxedKernelManager).").tag(config=True)
    max_output_kb = Integer(2048, help="Output kept per notebook, in KB; the rest is dropped.").tag(config=True)
    report_folder = Unicode("", help="Folder for <notebook>.json: why the kernel died, its peak memory.").tag(config=True)
    iopub_timeout = Integer(
        20, help="Seconds to wait for a cell's last output after its reply (nbclient's 4 s is too "
                 "short for an interrupted kernel on a loaded machine).").tag(config=True)
    # After the last cell nothing in the kernel is worth waiting for: the graded cells'
    # exports were written while their cells ran. A graceful stop lets TensorFlow's exit
    # handlers run, 1.6 s per notebook here; killing the sandbox (its cgroup too) is instant.
    shutdown_kernel = Enum(["graceful", "immediate"], default_value="immediate",
                           help="How the kernel is stopped after the notebook's last cell.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kernel_manager_class = SandboxedKernelManager if self.sandbox else PrivateSocketKernelManager
        self.death_reason = None
        self.peak_memory = None
        self._output_bytes = 0
        self._truncated = False
        self._manager = None

    def preprocess(self, nb, resources, km=None):
        self.death_reason = None
        self._output_bytes = 0
        self._truncated = False
        self._cells_started = False
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as error:  # the kernel never came up, or nbclient itself failed
            detail = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
            key = "sandbox.death.grader" if self._cells_started else "sandbox.death.startup"
            self.death_reason = self.death_reason or text(key, detail=detail)
            self._mark_not_run(nb, 0)
        manager = self._manager
        if isinstance(manager, SandboxedKernelManager):
            self.peak_memory = manager.peak_memory
        resources.setdefault("resnet_course", {})["death_reason"] = self.death_reason
        if self.report_folder:
            name = resources.get("nbgrader", {}).get("notebook", "notebook")
            Path(self.report_folder, f"{name}.json").write_text(json.dumps(
                {"death_reason": self.death_reason, "peak_memory": self.peak_memory,
                 "output_truncated": self._truncated}, ensure_ascii=False))
        return nb, resources

    def create_kernel_manager(self):
        self._manager = super().create_kernel_manager()
        return self._manager

    def _mark_not_run(self, nb, start):
        for cell in nb.cells[start:]:
            if cell.cell_type == "code" and cell.source.strip() and not cell.get("outputs"):
                cell.outputs = [_error_output("KernelDied", text("sandbox.cell_not_run",
                                                                   reason=self.death_reason))]

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self.death_reason:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [_error_output("KernelDied", text("sandbox.cell_not_run",
                                                                   reason=self.death_reason))]
            return cell
        self._cells_started = True
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except CellTimeoutError:
            # No reply even after the interrupt: stop the kernel, the rest cannot run.
            manager = self.km
            limit = manager.limit_reason() if isinstance(manager, SandboxedKernelManager) else None
            self.death_reason = limit or text("sandbox.death.unresponsive")
            try:
                await self.km._async_kill_kernel()
            except Exception:
                pass
            cell.outputs = list(cell.get("outputs", [])) + [_error_output("KernelDied", self.death_reason)]
            return cell
        except DeadKernelError:
            manager = self.km
            self.death_reason = manager.explain_death() if isinstance(manager, SandboxedKernelManager) \
                else text("sandbox.death.exit", code="?")
            if isinstance(manager, SandboxedKernelManager):
                self.peak_memory = manager.peak_memory
            cell.outputs = list(cell.get("outputs", [])) + [_error_output("KernelDied", self.death_reason)]
            return cell

    # nbclient binds the synchronous wrapper to its own coroutine; bind it to ours.
    execute_cell = run_sync(async_execute_cell)

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        size = len(json.dumps(content, default=str))
        self._output_bytes += size
        if self._output_bytes <= self.max_output_kb * 1024:
            return super().output(outs, msg, display_id, cell_index)
        if not self._truncated:
            self._truncated = True
            outs.append(NotebookNode(output_type="stream", name="stdout",
                                     text=text("sandbox.output_truncated", limit_kb=self.max_output_kb) + "\n"))
        # nbgrader scores a cell by its errors and its stderr: dropping those would turn a
        # failing cell into a passing one, so a short copy of each is always kept.
        if msg["msg_type"] == "error":
            content["traceback"] = [line[:2000] for line in content.get("traceback", [])[-20:]]
            content["evalue"] = str(content.get("evalue", ""))[:4000]
            return super().output(outs, msg, display_id, cell_index)
        if msg["msg_type"] == "stream" and content.get("name") == "stderr":
            if not any(o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outs):
                content["text"] = str(content.get("text", ""))[:1000]
                return super().output(outs, msg, display_id, cell_index)
        return None
