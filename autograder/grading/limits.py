"""Limits on one sandboxed kernel: memory, processes and a fair share of the CPU.

cgroups v1 where their hierarchies are writable (the project's test machines), cgroup v2 in a
delegated subtree (most current distributions; see course/README-grading.md), else a watchdog
on the kernel's resident memory (`processes_of_uid`, `resident_memory`: the sandbox uid is
unique per worker slot).
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


def _remove_folder(folder):
    """rmdir a cgroup, waiting a little for its killed processes to be gone."""
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)


def _kill_listed(procs_file):
    try:
        for pid in Path(procs_file).read_text().split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
    except OSError:
        pass


def sweep_orphans(parent, prefix="resnet-kernel-"):
    """Remove empty kernel groups left by a grading worker that is gone (killed before its clean-up).

    Groups are named `resnet-kernel-<worker pid>-<stamp>`: one whose worker no longer exists and
    that holds no process is nobody's.
    """
    try:
        candidates = [folder for folder in Path(parent).iterdir() if folder.name.startswith(prefix)]
    except OSError:
        return []
    removed = []
    for folder in candidates:
        owner = folder.name[len(prefix):].split("-", 1)[0]
        if not owner.isdigit() or Path(f"/proc/{owner}").exists():
            continue
        try:
            if not (folder / "cgroup.procs").read_text().split():
                folder.rmdir()
                removed.append(folder)
        except OSError:
            continue
    return removed


class _V1Groups:
    """One group per controller in the v1 hierarchies (memory, pids, cpu), where writable."""

    def __init__(self, name, memory_bytes, max_processes):
        self.folders = {}
        self.memory_bytes = memory_bytes
        for controller, setting, value in (("memory", "memory.limit_in_bytes", memory_bytes),
                                           ("pids", "pids.max", max_processes),
                                           ("cpu", "cpu.shares", 1024)):
            parent = _own_cgroup_v1(controller)
            if parent is None or not (parent / "cgroup.procs").exists():
                continue
            sweep_orphans(parent)
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
                _remove_folder(folder)
                continue
            self.folders[controller] = folder

    def memory_exhausted(self):
        folder = self.folders.get("memory")
        try:
            control = (folder / "memory.oom_control").read_text()
            if any(line.startswith("oom_kill ") and int(line.split()[1]) > 0 for line in control.splitlines()):
                return True
            return int((folder / "memory.failcnt").read_text()) > 0 and \
                int((folder / "memory.max_usage_in_bytes").read_text()) >= self.memory_bytes * 0.95
        except (OSError, ValueError):
            return False

    def peak_memory(self):
        try:
            return int((self.folders["memory"] / "memory.max_usage_in_bytes").read_text())
        except (OSError, ValueError):
            return None


def unified_hierarchy(mountinfo="/proc/self/mountinfo", cgroup_file="/proc/self/cgroup"):
    """(mount point of the cgroup v2 hierarchy, this process's group in it), or (None, None)."""
    try:
        mount = next((Path(line.split()[4]) for line in Path(mountinfo).read_text().splitlines()
                      if " - cgroup2 " in line), None)
        own = next((line.split(":", 2)[2] for line in Path(cgroup_file).read_text().splitlines()
                    if line.startswith("0::")), None)
    except OSError:
        return None, None
    return (mount, own.strip()) if mount is not None and own is not None else (None, None)


class _V2Group:
    """One group in the unified (v2) hierarchy with memory.max, pids.max and an equal cpu.weight.

    It needs a delegated subtree: the grader's own group (a `systemd-run --scope -p Delegate=yes`
    scope, a container's root, or root's group on a machine without systemd) where the
    controllers can be enabled for children. cgroup v2 lets no group with processes of its
    own give controllers to its children, so the grader first moves itself (and whatever shares
    its group) into a leaf, `resnet-grader`, beside which the kernels' groups are made.
    """

    WANTED = ("memory", "pids", "cpu")
    LEAF = "resnet-grader"

    def __init__(self, name, memory_bytes, max_processes, mount=None, own=None):
        self.folders = {}
        self.memory_bytes = memory_bytes
        if mount is None:
            mount, own = unified_hierarchy()
        if mount is None:
            return
        base = Path(mount) / own.lstrip("/")
        if base.name == self.LEAF:  # a second kernel of this grader: the leaf is made already
            base = base.parent
        try:
            available = set((base / "cgroup.controllers").read_text().split())
        except OSError:
            return
        wanted = [c for c in self.WANTED if c in available]
        if "memory" not in wanted or not self._delegate(base, wanted):
            return
        folder = base / name
        settings = {"memory.max": memory_bytes, "memory.swap.max": 0, "pids.max": max_processes,
                    "cpu.weight": 100}
        try:
            folder.mkdir(exist_ok=True)
            for setting, value in settings.items():
                if setting.split(".")[0] not in wanted:
                    continue
                try:
                    (folder / setting).write_text(str(value))
                except OSError:
                    if setting != "memory.swap.max":  # absent where swap is not accounted: fine
                        raise
        except OSError:
            _remove_folder(folder)
            return
        self.folders = {"v2": folder}

    def _delegate(self, base, wanted):
        """Enable `wanted` for the children of `base`, moving its own processes to a leaf first."""
        try:
            enabled = {c.lstrip("+") for c in (base / "cgroup.subtree_control").read_text().split()}
            if set(wanted) <= enabled:
                return True
            if Path(base / "cgroup.procs").read_text().split():
                leaf = base / self.LEAF
                leaf.mkdir(exist_ok=True)
                for pid in (base / "cgroup.procs").read_text().split():
                    try:
                        (leaf / "cgroup.procs").write_text(pid)
                    except OSError:  # gone meanwhile, or a kernel thread
                        pass
            (base / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
            return True
        except OSError:  # not delegated to us: the watchdog limits memory instead
            return False

    def memory_exhausted(self):
        try:
            events = dict(line.split() for line in (self.folders["v2"] / "memory.events").read_text().splitlines())
            return int(events.get("oom_kill", 0)) > 0 or int(events.get("oom", 0)) > 0
        except (OSError, ValueError, KeyError):
            return False

    def peak_memory(self):
        for name in ("memory.peak", "memory.current"):  # memory.peak since Linux 5.19
            try:
                return int((self.folders["v2"] / name).read_text())
            except (OSError, ValueError, KeyError):
                continue
        return None

    def kill(self):
        try:
            (self.folders["v2"] / "cgroup.kill").write_text("1")  # since Linux 5.14: the whole group at once
        except (OSError, KeyError):
            pass


class CgroupLimits:
    """One kernel's memory, pids and cpu limits by cgroups: v1 where its hierarchies are writable
    (as on this project's test machines), else v2 in a delegated subtree, else nothing (the
    sandbox then watches the kernel's resident memory and relies on RLIMIT_NPROC).

    The cpu limit caps nothing: every kernel's group has the same weight, so with `--jobs 2`
    a kernel that floods the CPU with busy processes counts as one claimant and the other
    student's kernel keeps its half of the machine. (The kernel's autogroup does the same
    where `kernel.sched_autogroup_enabled` is on; many servers turn it off.) A lone kernel
    still uses every core.
    """

    def __init__(self, name, memory_bytes, max_processes):
        self.memory_bytes = memory_bytes
        self.groups = _V1Groups(name, memory_bytes, max_processes)
        if "memory" not in self.groups.folders:
            v2 = _V2Group(name, memory_bytes, max_processes)
            if v2.folders:
                for folder in self.groups.folders.values():
                    _remove_folder(folder)
                self.groups = v2

    @property
    def folders(self):
        return self.groups.folders

    @property
    def version(self):
        return 2 if isinstance(self.groups, _V2Group) else (1 if self.folders else None)

    @property
    def limits_memory(self):
        return "memory" in self.folders or "v2" in self.folders

    def procs_files(self):
        return [str(folder / "cgroup.procs") for folder in self.folders.values()]

    def memory_exhausted(self):
        return self.limits_memory and self.groups.memory_exhausted()

    def peak_memory(self):
        return self.groups.peak_memory() if self.limits_memory else None

    def kill_all(self):
        if isinstance(self.groups, _V2Group):
            self.groups.kill()
        for procs in self.procs_files():
            _kill_listed(procs)

    def remove(self):
        self.kill_all()
        for folder in self.folders.values():
            _remove_folder(folder)
        self.groups.folders = {}


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
