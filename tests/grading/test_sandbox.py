"""The grading sandbox: what a student's kernel can see and do, and what happens without bwrap."""

import json
import os
import stat
from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

import grading_helpers as gh
from resnet_course.autograder.grading import command as grade
from resnet_course.autograder.grading import guarded_execute, sandbox
from resnet_course.autograder.grading import limits as kernel_limits
from resnet_course.autograder.judge.private_kernel import SOCKET_PATH_MAX
from resnet_course.autograder.cli import main as cli_main
from resnet_course.utils.messages import CourseError

REPO = Path(__file__).resolve().parents[2]
UID = 3_999_000 + os.getpid() % 900


def run_cells(tmp_path, cells, uid=UID, **manager):
    """Execute code cells in the sandbox through GuardedExecute; return (outputs text, executor)."""
    nb = new_notebook(cells=[new_code_cell(code) for code in cells])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    folder = tmp_path / "student"
    folder.mkdir(exist_ok=True)
    (folder / "data.csv").write_text("1,2\n")
    (folder / "other.ipynb").write_text("{}")
    config = Config()
    config.SandboxedKernelManager.work_root = str(tmp_path / "work")
    config.SandboxedKernelManager.sandbox_uid = uid
    for key, value in manager.items():
        setattr(config.SandboxedKernelManager, key, value)
    config.GuardedExecute.timeout = 60
    executor = guarded_execute.GuardedExecute(config=config)
    done, _ = executor.preprocess(nb, {"metadata": {"path": str(folder)}})
    texts = []
    for cell in done.cells:
        texts.append("".join(o.get("text", "") or f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs))
    return texts, executor


def test_bwrap_and_user_namespaces_work_here():
    assert sandbox.sandbox_problem(UID) is None


# What the kernel tries: a listener the test opened on the host, at every address the host has.
_NETWORK_PROBE = """
import json, socket
reached = {{}}
for host in {hosts!r}:
    try:
        socket.create_connection((host, {port}), timeout=3).close()
        reached[host] = "connected"
    except OSError:
        reached[host] = "refused"
print(json.dumps({{"interfaces": [name for _, name in socket.if_nameindex()], "reached": reached}}))
"""


class HostListener:
    """A TCP listener on every address of the host, counting who connects."""

    def __init__(self):
        import socket
        import subprocess
        import threading

        self.server = socket.create_server(("0.0.0.0", 0))
        self.port = self.server.getsockname()[1]
        found = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True).stdout.split()
        self.hosts = sorted({word.split("/")[0] for word in found if word.count(".") == 3 and "/" in word})
        self.accepted = 0
        threading.Thread(target=self._serve, daemon=True).start()
        for host in self.hosts:  # reachable from the host itself: the probe inside can fail for real
            socket.create_connection((host, self.port), timeout=3).close()
        import time

        deadline = time.monotonic() + 10
        while self.accepted < len(self.hosts) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert self.accepted == len(self.hosts), "the host could not reach its own listener"
        self.accepted = 0

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self):
        self.server.close()


@pytest.fixture
def listener():
    found = HostListener()
    yield found
    found.close()


@pytest.mark.slow
def test_the_kernel_sees_only_its_allow_list(tmp_path, monkeypatch, listener):
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "hunter2")
    artifacts = tmp_path / "artifacts" / "alice" / "01"
    monkeypatch.setenv("RESNET_COURSE_ARTIFACTS", str(artifacts))
    out, executor = run_cells(tmp_path, [
        "import os, json\nopen(os.environ['RESNET_COURSE_ARTIFACTS'] + '/made.json', 'w').write('{}')\n"
        "print(json.dumps([os.getuid(), os.getpid()]))",
        "print(json.dumps(sorted(os.listdir('/'))))",
        "print(json.dumps(sorted(os.listdir('.'))))",
        "print(json.dumps(sorted(p for p in os.listdir('/proc') if p.isdigit())))",
        "print(json.dumps(sorted(os.environ)))",
        _NETWORK_PROBE.format(port=listener.port, hosts=listener.hosts),
        f"print(json.dumps(sorted(os.listdir({str(REPO)!r}))))",
        "print(json.dumps([os.path.exists(p) for p in ['/root/.ssh', '/etc/shadow', '/var', '/home/student']]))",
        "open('mine.txt', 'w').write('ok'); print(open('mine.txt').read())",
        "import numpy, resnet_course.utils, resnet_course.autograder.checks.artifacts; print('imports-ok')",
    ])
    uid, pid = json.loads(out[0])
    assert uid == 65534 and pid == 2
    # Outside, the kernel was an unprivileged uid of its own: it owns what it wrote.
    assert (artifacts / "made.json").stat().st_uid == UID
    assert sorted(os.listdir(artifacts.parent)) == ["01"]  # only its own artifacts folder was bound
    tops = {Path(p).parts[1] for p in (*sandbox.python_folders(), *sandbox.package_folders(),
                                       *([sandbox.data_folder()] if sandbox.data_folder() else []))}
    assert set(json.loads(out[1])) == {"bin", "dev", "etc", "home", "lib", "lib64", "proc", "sbin", "tmp",
                                       "usr"} | tops
    assert json.loads(out[2]) == ["data.csv"]  # its files, not the notebooks being graded
    assert json.loads(out[3]) == ["1", "2"]
    environment = json.loads(out[4])
    assert "GRADER_SECRET_TOKEN" not in environment and "JPY_PARENT_PID" not in environment
    network = json.loads(out[5])
    assert network["interfaces"] == ["lo"], network  # a network namespace of its own
    assert set(network["reached"].values()) == {"refused"}, network
    assert listener.accepted == 0, "the host's listener was reached from inside the sandbox"
    assert json.loads(out[6]) == sorted([".venv", "autograder", "utils"])  # not the repository
    assert json.loads(out[7]) == [False, False, False, True]
    assert out[8].strip() == "ok" and out[9].strip() == "imports-ok"
    assert executor.death_reason is None
    assert not (tmp_path / "student" / "mine.txt").exists()  # a scratch copy, not the original
    assert _gone(UID)


def _gone(uid, seconds=10):
    return gh.processes_left([uid], seconds) == []


def test_the_command_is_an_allow_list(tmp_path):
    from types import SimpleNamespace

    limits = SimpleNamespace(procs_files=lambda: [])  # no cgroups: the command alone is looked at
    command = sandbox.sandbox_command(
        ["python", "-m", "ipykernel_launcher"], cwd=tmp_path / "cwd", scratch=tmp_path / "scratch",
        writable=[tmp_path / "artifacts"], runtime=tmp_path / "runtime", staging=tmp_path / "stage",
        etc_folder=sandbox.write_etc(tmp_path / "etc"), uid=UID, limits=limits, max_processes=64,
        file_size_bytes=2**20, tmp_bytes=2**20)
    bwrap = command[command.index(sandbox.BWRAP):]
    binds = [(bwrap[i], bwrap[i + 1], bwrap[i + 2]) for i, arg in enumerate(bwrap)
             if arg in ("--bind", "--ro-bind")]
    writable = sorted(dest for kind, _, dest in binds if kind == "--bind")
    assert writable == sorted(str(p) for p in (tmp_path / "artifacts", tmp_path / "runtime", tmp_path / "cwd"))
    readable = {dest for kind, _, dest in binds if kind == "--ro-bind"}
    allowed = {"/usr", "/etc/passwd", "/etc/group", "/etc/ld.so.cache", "/etc/fonts",
               *map(str, sandbox.python_folders()), *map(str, sandbox.package_folders())}
    data = sandbox.data_folder()
    if data:
        allowed.add(str(data))
    assert readable <= allowed
    assert str(REPO) not in readable and str(REPO / "course") not in readable
    assert {str(REPO / "utils"), str(REPO / "autograder")} <= readable
    for flag in ("--unshare-all", "--die-with-parent", "--new-session", "--remount-ro"):
        assert flag in bwrap
    assert ["--unsetenv", "JPY_PARENT_PID"] == bwrap[bwrap.index("--unsetenv"):bwrap.index("--unsetenv") + 2]
    assert "--nproc=64" in command and f"--reuid={UID}" in command


def test_grading_refuses_without_bwrap_and_says_so_in_both_languages(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sandbox, "BWRAP", str(tmp_path / "no-bwrap"))
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    monkeypatch.setattr(sandbox, "_probe_cache", {})
    problem = str(sandbox.sandbox_problem(UID))
    assert "bubblewrap" in problem and "설치되어 있지 않습니다" in problem
    course = gh.make_course(tmp_path / "course")
    gh.write_submission(tmp_path / "submitted", "alice", gh.solved(course))
    with pytest.raises(CourseError) as error:
        grade.grade_class(tmp_path / "submitted", course=course, assignment="tiny", progress=False)
    assert "--no-sandbox" in str(error.value) and "샌드박스" in str(error.value)
    code = cli_main(["grade", str(tmp_path / "submitted"), "--course", str(course), "--assignment", "tiny"])
    assert code == 1 and "--no-sandbox" in capsys.readouterr().err
    assert not (course / ".grading" / "tiny" / "alice").exists()


def test_restricted_user_namespaces_are_detected(tmp_path, monkeypatch):
    # What bwrap prints on Ubuntu 24.04, where AppArmor restricts unprivileged user namespaces.
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: setting up uid map: Permission denied' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(sandbox, "BWRAP", str(fake))
    monkeypatch.setattr(sandbox, "_probe_cache", {})
    problem = str(sandbox.sandbox_problem(None))
    assert "user namespace" in problem and "사용자 네임스페이스" in problem and "uid map" in problem


@pytest.mark.slow
def test_no_sandbox_grades_trusted_work_and_shows_why_the_sandbox_matters(tmp_path):
    course = gh.make_course(tmp_path / "course")
    probe = ("import os\nprint('SEES-SOURCE', os.path.exists('../../../source/tiny/01_basics.ipynb'), "
             "os.path.exists('../../../gradebook.db'))")
    for student in ("trusted", "curious"):
        gh.write_submission(tmp_path / "submitted", student, gh.solved(course, extra_cells=[(2, probe)]))
    results, _ = grade.grade_class(tmp_path / "submitted", course=course, assignment="tiny", jobs=2,
                                   sandbox=False, progress=False, log=lambda *_: None)
    assert sorted((r["student"], r["score"]) for r in results) == [("curious", 10), ("trusted", 10)]
    text = Path(course / ".grading" / "tiny" / "trusted" / "autograded" / "01_basics.ipynb").read_text()
    assert "SEES-SOURCE True True" in text  # unsandboxed, a kernel reads the solutions and gradebook


@pytest.mark.slow
def test_without_cgroups_a_watchdog_stops_a_memory_bomb(tmp_path, monkeypatch):
    monkeypatch.setattr(kernel_limits, "_own_cgroup_v1", lambda controller: None)
    out, executor = run_cells(tmp_path, ["print('before')", "blob = b'x' * (3 * 2**30)", "print('after')"],
                              memory_limit_mb=512)
    assert out[0].strip() == "before"
    assert "memory limit (512 MB)" in executor.death_reason
    assert "did not run" in out[2] and "memory limit" in out[2]
    assert _gone(UID)


@pytest.mark.slow
def test_the_wall_clock_stops_a_notebook(tmp_path):
    out, executor = run_cells(tmp_path, ["import time\ntime.sleep(600)", "print('after')"], wall_clock=20)
    assert "20 s" in executor.death_reason and "20초" in executor.death_reason
    assert "did not run" in out[1]
    assert _gone(UID)


# A kernel that floods the machine with processes, then waits (for the test's "release" file in
# its working folder) so the test can look at where every one of its processes sits.
FLOOD = """
import os, time
children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        while not os.path.exists("release"):
            time.sleep(0.05)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
print("flood-done")
"""


@pytest.mark.slow
def test_a_kernel_that_floods_the_cpu_counts_as_one_claimant(tmp_path):
    """Two students graded side by side (--jobs 2): one forks busy processes.

    What the mechanism guarantees, read on the host while both kernels run: every process of
    the flooding kernel (its forks included) sits in that kernel's own cpu cgroup, the other
    kernel has a cgroup of its own, and both have the same weight. CFS then shares the CPU
    between the two groups, not between thirteen processes. (How much of a core the other
    kernel gets is a figure of the machine's load: benchmarks/cpu_fairness.py measures it.)
    """
    import time
    from concurrent.futures import ThreadPoolExecutor

    if kernel_limits._own_cgroup_v1("cpu") is None:
        pytest.fail("no cgroup v1 cpu controller here: this machine cannot show the guarantee")
    for name in ("flood", "quiet"):
        (tmp_path / name).mkdir()
    wait_for_release = 'import os, time\nwhile not os.path.exists("release"): time.sleep(0.05)\nprint("quiet-done")'
    with ThreadPoolExecutor(2) as pool:
        flood = pool.submit(run_cells, tmp_path / "flood", [FLOOD], uid=UID + 1)
        quiet = pool.submit(run_cells, tmp_path / "quiet", [wait_for_release], uid=UID + 2)
        try:
            deadline = time.monotonic() + 240
            groups, shares = {}, set()
            while time.monotonic() < deadline and not (flood.done() or quiet.done()):
                seen = {uid: kernel_limits.processes_of_uid(uid) for uid in (UID + 1, UID + 2)}
                # the flood kernel: the kernel and its six forks; the quiet one: its kernel
                if len(seen[UID + 1]) >= 7 and seen[UID + 2] and all(
                        (tmp_path / n / "work" / "scratch").is_dir() for n in ("flood", "quiet")):
                    groups = {uid: {kernel_limits.cgroup_v1_of(pid, "cpu") for pid in pids} for uid, pids in seen.items()}
                    shares = {(group / "cpu.shares").read_text().strip() for found in groups.values() for group in found}
                    break
                time.sleep(0.1)
        finally:
            for name in ("flood", "quiet"):
                for scratch in (tmp_path / name / "work" / "scratch").glob("*"):
                    (scratch / "release").write_text("")
        (flood_out,), _ = flood.result(timeout=300)
        (quiet_out,), _ = quiet.result(timeout=300)
    assert flood_out.strip() == "flood-done" and quiet_out.strip() == "quiet-done"
    assert groups, "the two kernels were never seen running side by side"
    (flood_group,), (quiet_group,) = groups[UID + 1], groups[UID + 2]  # one group each, every process in it
    assert flood_group != quiet_group
    for group in (flood_group, quiet_group):
        assert group.name.startswith("resnet-kernel-"), group
    assert shares == {"1024"}, shares
    assert _gone(UID + 1) and _gone(UID + 2)
    assert not flood_group.exists() and not quiet_group.exists(), "a kernel's cpu cgroup was left behind"


@pytest.mark.slow
def test_a_long_grading_path_still_starts_the_kernel(tmp_path):
    """A deep course folder or a long student id made the ipc socket path exceed 107 bytes."""
    deep = tmp_path / ("kim.minjun@university.example.ac.kr-" * 3)
    deep.mkdir()
    assert len(str(deep / "work" / "runtime" / "12345-123456789012345" / "kernel-1")) > SOCKET_PATH_MAX
    before = set(Path("/tmp").glob("rck-*"))
    out, executor = run_cells(deep, ["print('kernel-up')"])
    assert executor.death_reason is None, executor.death_reason
    assert out[0].strip() == "kernel-up"
    assert set(Path("/tmp").glob("rck-*")) == before, "the short runtime folder was left behind"
    assert _gone(UID)
