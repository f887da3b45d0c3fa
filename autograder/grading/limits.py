"""Limits on one sandboxed kernel: memory, processes and a fair share of the CPU.

cgroups where they are writable (v1 here), else a watchdog on the kernel's resident memory
(`processes_of_uid`, `resident_memory`: the sandbox uid is unique per worker slot).
"""

import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def cgroup_v1_of(pid, controller):
    """The v1 cgroup folder that process `pid` ("self" for this one) is in for `controller`."""
    try:
        for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controller in controllers.split(","):
                return CGROUP_ROOT / controller / path.lstrip("/")
    except OSError:
        pass
    return None


def _own_cgroup_v1(controller):
    return cgroup_v1_of("self", controller)


class CgroupLimits:
    """One kernel's memory, pids and cpu cgroups (v1), or nothing when they are not writable.

    The cpu cgroup caps nothing: every kernel's group has the same weight, so with `--jobs 2`
    a kernel that floods the CPU with busy processes counts as one claimant and the other
    student's kernel keeps its half of the machine. (The kernel's autogroup does the same
    where `kernel.sched_autogroup_enabled` is on; many servers turn it off.) A lone kernel
    still uses every core.
    """

    def __init__(self, name, memory_bytes, max_processes):
        self.folders = {}
        self.memory_bytes = memory_bytes
        for controller, setting, value in (("memory", "memory.limit_in_bytes", memory_bytes),
                                           ("pids", "pids.max", max_processes),
                                           ("cpu", "cpu.shares", 1024)):
            parent = _own_cgroup_v1(controller)
            if parent is None or not (parent / "cgroup.procs").exists():
                continue
            folder = parent / name
            try:
                folder.mkdir(exist_ok=True)
                (folder / setting).write_text(str(value))
                if controller == "memory":
                    try:
                        (folder / "memory.swappiness").write_text("0")
                    except OSError:
                        pass
            except OSError:
                self._remove(folder)
                continue
            self.folders[controller] = folder

    @property
    def limits_memory(self):
        return "memory" in self.folders

    def procs_files(self):
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def memory_exhausted(self):
        folder = self.folders.get("memory")
        if folder is None:
            return False
        try:
            control = (folder / "memory.oom_control").read_text()
            for line in control.splitlines():
                if line.startswith("oom_kill ") and int(line.split()[1]) > 0:
                    return True
            return int((folder / "memory.failcnt").read_text()) > 0 and \
                int((folder / "memory.max_usage_in_bytes").read_text()) >= self.memory_bytes * 0.95
        except (OSError, ValueError):
            return False

    def peak_memory(self):
        folder = self.folders.get("memory")
        try:
            return int((folder / "memory.max_usage_in_bytes").read_text()) if folder else None
        except (OSError, ValueError):
            return None

    def kill_all(self):
        for folder in self.folders.values():
            try:
                for pid in (folder / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
            except OSError:
                pass

    @staticmethod
    def _remove(folder):
        for _ in range(50):
            try:
                folder.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.05)

    def remove(self):
        self.kill_all()
        for folder in self.folders.values():
            self._remove(folder)
        self.folders = {}


def processes_of_uid(uid):
    """Pids of every process whose real uid is `uid` (the sandbox uid is unique per worker)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("Uid:"):
                    if int(line.split()[1]) == uid:
                        pids.append(int(entry.name))
                    break
        except (OSError, ValueError):
            continue
    return pids


def resident_memory(pids):
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, ValueError):
            continue
    return total
