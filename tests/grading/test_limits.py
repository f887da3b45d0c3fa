"""The kernel limits' cgroup v2 path, on a cgroupfs laid out in a scratch folder.

This machine's memory, pids and cpu controllers are bound to cgroup v1 (the unified hierarchy
offers only hugetlb), so the v2 path cannot meet a real kernel here: what is checked is its
protocol (which group it makes where, what it writes, what it reads back). The v1 path is
what the sandbox tests exercise for real (test_sandbox.py, test_grade_hostile.py).
"""

from pathlib import Path

from resnet_course.autograder.grading import limits


def _tree(tmp_path, processes="101\n102\n", controllers="cpuset cpu io memory pids"):
    """The grader's own v2 group, as a delegated subtree shows it."""
    base = tmp_path / "unified" / "user.slice" / "grading.scope"
    base.mkdir(parents=True)
    (base / "cgroup.controllers").write_text(controllers + "\n")
    (base / "cgroup.subtree_control").write_text("\n")
    (base / "cgroup.procs").write_text(processes)
    return tmp_path / "unified", "/user.slice/grading.scope", base


def test_the_unified_hierarchy_and_our_group_are_read_from_proc(tmp_path):
    mountinfo = tmp_path / "mountinfo"
    mountinfo.write_text(
        "25 1 0:23 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory\n"
        "35 24 0:30 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate\n")
    cgroup = tmp_path / "cgroup"
    cgroup.write_text("4:memory:/process_api\n0::/user.slice/grading.scope\n")
    assert limits.unified_hierarchy(mountinfo, cgroup) == (Path("/sys/fs/cgroup/unified"),
                                                            "/user.slice/grading.scope")
    cgroup.write_text("4:memory:/\n")  # no unified hierarchy for this process
    assert limits.unified_hierarchy(mountinfo, cgroup) == (None, None)


def test_a_kernel_group_with_memory_pids_and_an_equal_cpu_weight(tmp_path):
    mount, own, base = _tree(tmp_path)
    group = limits._V2Group("resnet-kernel-1", 512 * 2**20, 256, mount=mount, own=own)
    folder = base / "resnet-kernel-1"
    assert group.folders == {"v2": folder}
    assert (folder / "memory.max").read_text() == str(512 * 2**20)
    assert (folder / "memory.swap.max").read_text() == "0"
    assert (folder / "pids.max").read_text() == "256" and (folder / "cpu.weight").read_text() == "100"
    # The grader's processes left its group for a leaf, so the group could give controllers away.
    assert (base / "resnet-grader").is_dir()
    assert (base / "cgroup.subtree_control").read_text() == "+memory +pids +cpu"


def test_a_second_kernel_is_made_beside_the_first_from_inside_the_leaf(tmp_path):
    mount, own, base = _tree(tmp_path)
    limits._V2Group("resnet-kernel-1", 2**30, 64, mount=mount, own=own)
    (base / "cgroup.subtree_control").write_text("memory pids cpu\n")  # what the kernel shows then
    second = limits._V2Group("resnet-kernel-2", 2**30, 64, mount=mount, own=own + "/resnet-grader")
    assert second.folders == {"v2": base / "resnet-kernel-2"}


def test_limits_are_read_back_from_the_group(tmp_path):
    mount, own, base = _tree(tmp_path)
    group = limits._V2Group("k", 2**30, 64, mount=mount, own=own)
    folder = base / "k"
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 3\noom 0\noom_kill 0\n")
    assert not group.memory_exhausted()
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 9\noom 1\noom_kill 1\n")
    assert group.memory_exhausted()
    (folder / "memory.peak").write_text("123456789\n")
    assert group.peak_memory() == 123456789
    group.kill()
    assert (folder / "cgroup.kill").read_text() == "1"


def test_no_memory_controller_or_no_delegation_means_no_group(tmp_path):
    mount, own, base = _tree(tmp_path, controllers="cpu pids")
    assert limits._V2Group("k", 2**30, 64, mount=mount, own=own).folders == {}
    other = tmp_path / "other"
    other.mkdir()
    mount, own, base = _tree(other)
    (base / "cgroup.subtree_control").unlink()
    (base / "cgroup.subtree_control").mkdir()  # a write fails, as in a subtree not delegated to us
    assert limits._V2Group("k", 2**30, 64, mount=mount, own=own).folders == {}
    assert not (base / "k").exists()


def test_this_machine_uses_v1_for_real():
    """Where v1 is writable (here), the kernel's limits are v1 groups; the v2 path stays unused."""
    found = limits.CgroupLimits("resnet-kernel-probe", 2**30, 64)
    made = dict(found.folders)
    try:
        assert found.version == 1 and found.limits_memory, made
        assert set(made) == {"memory", "pids", "cpu"} and all(folder.is_dir() for folder in made.values())
    finally:
        found.remove()
    assert not any(folder.exists() for folder in made.values())


def test_groups_of_a_worker_that_is_gone_are_swept():
    """A worker killed with SIGKILL cannot remove its kernel's groups; the next kernel does.

    On this machine's real v1 pids hierarchy: an empty group of a pid that does not exist goes,
    the group of a live worker stays.
    """
    import os

    parent = limits._own_cgroup_v1("pids")
    gone = parent / "resnet-kernel-4000000-1"  # above any pid_max: no such process
    live = parent / f"resnet-kernel-{os.getpid()}-2"
    for folder in (gone, live):
        folder.mkdir()
    try:
        removed = limits.sweep_orphans(parent)
        assert gone in removed and not gone.exists()
        assert live.is_dir() and live not in removed
    finally:
        for folder in (gone, live):
            if folder.exists():
                folder.rmdir()
