"""Kernels started for validate and autograde use private Unix sockets, never shared TCP ports.

The CI run of 5bf8316 lost a validate to "Address already in use": four validations started
kernels at once and two were handed the same free TCP port.
"""

import asyncio
import json
import tempfile
from pathlib import Path

from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config.loader import PyFileConfigLoader

from _build_helpers import COURSE
from resnet_course.autograder.judge.private_kernel import PrivateSocketKernelManager
from resnet_course.autograder.grading.guarded_execute import GuardedExecute

CONFIG = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()


def _notebook(code):
    nb = new_notebook(cells=[new_code_cell(code)])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def test_unsandboxed_grading_uses_the_private_socket_manager():
    # `--no-sandbox` grading runs --jobs workers side by side, each starting kernels.
    assert GuardedExecute(config=CONFIG, sandbox=False).kernel_manager_class is PrivateSocketKernelManager


def test_kernel_talks_over_sockets_in_its_own_folder_and_cleans_up(tmp_path):
    seen = {}

    class Watching(PrivateSocketKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            info = json.loads(Path(self.connection_file).read_text())
            folder = Path(self._socket_folder)
            seen.update(transport=info["transport"], ip=info["ip"], folder=folder,
                        mode=folder.stat().st_mode & 0o777)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    nb = _notebook("import os\nprint(os.getpid())")
    client = NotebookClient(nb, kernel_manager_class=Watching, timeout=60, startup_timeout=60)
    client.execute()
    assert nb.cells[0].outputs[0]["text"].strip().isdigit(), nb.cells[0].outputs
    assert seen["transport"] == "ipc"
    assert seen["ip"].startswith(str(seen["folder"]))
    assert seen["mode"] == 0o700, oct(seen["mode"])
    assert not seen["folder"].exists(), "the socket folder outlived its kernel"


def test_many_kernels_started_at_once_all_come_up():
    """Six kernels started in one burst: with TCP ports these could collide; sockets cannot."""

    async def run_one(index):
        nb = _notebook(f"print({index} * 7)")
        client = NotebookClient(nb, kernel_manager_class=PrivateSocketKernelManager,
                                timeout=60, startup_timeout=120)
        await client.async_execute()
        return nb.cells[0].outputs[0]["text"].strip()

    async def run_all():
        return await asyncio.gather(*(run_one(i) for i in range(6)))

    assert asyncio.run(run_all()) == [str(i * 7) for i in range(6)]


def test_a_long_tmpdir_does_not_push_the_sockets_past_the_path_limit(tmp_path, monkeypatch):
    long_tmp = tmp_path / ("t" * 90)
    long_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long_tmp))
    nb = _notebook("print('up')")
    NotebookClient(nb, kernel_manager_class=PrivateSocketKernelManager, timeout=60, startup_timeout=60).execute()
    assert nb.cells[0].outputs[0]["text"].strip() == "up"
