"""A kernel manager whose sockets are files in a private folder, not TCP ports on localhost.

jupyter_client picks a kernel's five TCP ports by binding port 0, reading the number and
closing the socket; the kernel binds them a moment later. Two processes that start kernels
at the same time (two grading workers with `--no-sandbox`, parallel `nbgrader validate`
runs) can be handed the same free port in between, and one kernel dies with "Address
already in use" before it replies to kernel_info. The CI run of 5bf8316 lost a validate
that way.

Unix-domain sockets in a folder of the kernel's own cannot collide, and other users cannot
connect to them (the folder is 0700). The sandboxed kernel manager does the same inside its
runtime folder. Windows has no ipc transport in ZeroMQ; there this manager keeps TCP.
"""

import os
import shutil
import tempfile

from jupyter_client.manager import AsyncKernelManager

IPC_AVAILABLE = os.name == "posix"


class PrivateSocketKernelManager(AsyncKernelManager):
    """AsyncKernelManager with ipc sockets and the connection file in a fresh 0700 folder."""

    _socket_folder = None

    async def _async_pre_start_kernel(self, **kw):
        if IPC_AVAILABLE and self._socket_folder is None:  # a restart keeps its folder
            # mkdtemp makes the folder 0700. A Unix socket's path may be at most 107 bytes:
            # a short prefix, and /tmp instead of a TMPDIR too long to leave room for it.
            parent = tempfile.gettempdir()
            if len(parent) > 64 and os.access("/tmp", os.W_OK):
                parent = "/tmp"
            self._socket_folder = tempfile.mkdtemp(prefix="rc-kernel-", dir=parent)
            self.transport = "ipc"
            self.cache_ports = False
            self.ip = os.path.join(self._socket_folder, "kernel")
            self.connection_file = os.path.join(self._socket_folder, "kernel.json")
        return await super()._async_pre_start_kernel(**kw)

    async def _async_cleanup_resources(self, restart=False):
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if self._socket_folder and not restart:
                shutil.rmtree(self._socket_folder, ignore_errors=True)
                self._socket_folder = None

    # AsyncKernelManager binds this public name to the base class's coroutine.
    cleanup_resources = _async_cleanup_resources
