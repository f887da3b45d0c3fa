"""Kernels whose sockets are files in a private folder, not TCP ports on localhost.

jupyter_client picks a kernel's five TCP ports by binding port 0, reading the number and
closing the socket; the kernel binds them a moment later. Two processes that start kernels
at the same time (two grading workers with `--no-sandbox`, parallel `nbgrader validate`
runs) can be handed the same free port in between, and one kernel dies with "Address
already in use" before it replies to kernel_info. The CI run of 5bf8316 lost a validate
that way.

Unix-domain sockets in a folder of the kernel's own cannot collide, and other users cannot
connect to them (the folder is 0700). `PrivateSocketKernelManager` starts kernels so; the
sandbox's kernel manager uses the same two helpers for its runtime folder. Windows has no
ipc transport in ZeroMQ; there `PrivateSocketKernelManager` keeps TCP.
"""

import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

IPC_AVAILABLE = os.name == "posix"

# ZeroMQ names a kernel's ipc sockets <folder>/kernel-<n>, and a Unix socket's path may be at
# most 107 bytes. A folder under a long course path, a long student id or a long TMPDIR
# passes that, and then the kernel cannot start ("File name too long").
SOCKET_PATH_MAX = 107


def _fits(folder):
    return len(str(folder)) + len("/kernel-99999") <= SOCKET_PATH_MAX


def socket_folder(preferred=None):
    """A 0700 folder for a kernel's connection file and sockets, short enough for them.

    `preferred` (created) when its socket paths fit; else a fresh folder in the temp dir, or
    in /tmp when the temp dir's own path is too long.
    """
    if preferred is not None and _fits(preferred):
        preferred = Path(preferred)
        preferred.mkdir(parents=True, exist_ok=True)
        os.chmod(preferred, 0o700)
        return preferred
    parent = tempfile.gettempdir()
    if not _fits(Path(parent) / "rck-12345678") and os.access("/tmp", os.W_OK):
        parent = "/tmp"
    return Path(tempfile.mkdtemp(prefix="rck-", dir=parent))


def use_private_sockets(manager, folder):
    """Point a kernel manager's connection file and ipc sockets into `folder`."""
    manager.transport = "ipc"
    manager.cache_ports = False
    manager.ip = str(Path(folder) / "kernel")
    manager.connection_file = str(Path(folder) / "kernel.json")


class PrivateSocketKernelManager(AsyncKernelManager):
    """AsyncKernelManager with ipc sockets and the connection file in a fresh 0700 folder."""

    _socket_folder = None

    async def _async_pre_start_kernel(self, **kw):
        if IPC_AVAILABLE and self._socket_folder is None:  # a restart keeps its folder
            self._socket_folder = str(socket_folder())
            use_private_sockets(self, self._socket_folder)
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
