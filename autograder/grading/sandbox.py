"""The sandbox a student's kernel runs in during grading: bubblewrap, an allow-list, limits.

nbgrader runs student code with the grader's rights. Here every kernel nbgrader's
`Execute` starts is wrapped (root grader):

  unshare --mount      a private mount namespace where paths the sandbox user cannot reach
                       (a Python under /root) are bind-mounted onto a neutral staging folder
  sh                   puts its own pid into this kernel's cgroups (memory, pids, cpu)
  prlimit              RLIMIT_NPROC, RLIMIT_FSIZE, no core files
  setpriv              an unprivileged uid of its own per worker slot (limits bind per uid)
  bwrap                user, pid, net, ipc, uts and cgroup namespaces; an allow-list of binds

Inside, the kernel sees only: /usr, the Python installation and the course package's own two
folders (read-only), the data folder (read-only), and writable its scratch copy of the
student's folder (at the path nbgrader gave as cwd), its artifacts folder and a private
runtime folder with the connection file and ipc sockets; /tmp and HOME are private tmpfs.
The repository, the course sources, the gradebook, other students and the real /tmp are not
there at all. Memory and process counts are limited by cgroups where they are writable
(`limits.py`), else by a watchdog on resident memory; a wall clock bounds each notebook. A
cpu cgroup of equal weight per kernel keeps one student's busy processes from starving
another's.

`SandboxedKernelManager` is what nbclient starts; `guarded_execute.GuardedExecute` replaces
nbgrader's `Execute` so that a kernel that dies (os._exit, the memory limit, the wall clock)
ends the notebook with an error in every cell that did not run.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from resnet_course.utils.messages import CourseError, Phrase, register, text

from ..judge.private_kernel import socket_folder, use_private_sockets
from .limits import CgroupLimits, processes_of_uid, resident_memory

BWRAP = "/usr/bin/bwrap"
INSIDE_UID = 65534
INSIDE_HOME = "/home/student"

# Environment the kernel may inherit; everything else (database URLs, tokens) stays out.
ENV_ALLOWED = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "NBGRADER_EXECUTION", "KERAS_BACKEND",
               "TF_CPP_MIN_LOG_LEVEL", "ABSL_MIN_LOG_LEVEL", "GRPC_VERBOSITY", "OMP_NUM_THREADS",
               "PYTHONHASHSEED", "MPLBACKEND", "RESNET_COURSE_LANG", "RESNET_COURSE_QUICK",
               "RESNET_COURSE_ARTIFACTS", "RESNET_COURSE_DATA", "TF_ENABLE_ONEDNN_OPTS")

register({
    "sandbox.unavailable": {
        "ko": "학생 코드를 격리할 샌드박스를 쓸 수 없습니다: {reason}\n격리 없이 채점하면 학생 코드가 채점자 권한으로 실행되어 정답과 성적부를 읽을 수 있습니다. 믿을 수 있는 "
              "제출물만 채점한다면 `--no-sandbox` 옵션을 붙여 다시 실행하세요.",
        "en": "The sandbox that isolates student code is not available: {reason}\n"
              "Without it, student code runs with the grader's rights and can read the solutions and "
              "the gradebook. If you trust these submissions, run again with `--no-sandbox`.",
    },
    "sandbox.no_bwrap": {
        "ko": "bubblewrap(bwrap)가 설치되어 있지 않습니다 (Debian/Ubuntu: apt-get install bubblewrap).",
        "en": "bubblewrap (bwrap) is not installed (Debian/Ubuntu: apt-get install bubblewrap).",
    },
    "sandbox.no_userns": {
        "ko": "bwrap이 사용자 네임스페이스(user namespace)를 만들지 못했습니다. 배포판이 막아 두었을 수 있습니다 (Ubuntu 24.04: `sysctl "
              "kernel.apparmor_restrict_unprivileged_userns=0` 또는 bwrap용 AppArmor 프로필). bwrap 출력: {detail}",
        "en": "bwrap could not create a user namespace; the distribution may restrict them (Ubuntu 24.04: "
              "`sysctl kernel.apparmor_restrict_unprivileged_userns=0`, or an AppArmor profile for bwrap). "
              "bwrap said: {detail}",
    },
    "sandbox.death.memory": {
        "ko": "커널이 메모리 한도({limit_mb} MB)를 넘어 강제 종료되었습니다.",
        "en": "The kernel was stopped: it went over the memory limit ({limit_mb} MB).",
    },
    "sandbox.death.wall_clock": {
        "ko": "노트북 하나에 허용된 시간({seconds}초)을 넘어 커널을 강제 종료했습니다. 끝나지 않는 반복문이 있는지 "
              "확인하세요.",
        "en": "The kernel was stopped: the notebook ran longer than the {seconds} s allowed. Look for a "
              "loop that never ends.",
    },
    "sandbox.death.exit": {
        "ko": "커널이 스스로 종료되었습니다(종료 코드 {code}). `os._exit`, `sys.exit` 같은 호출이나 충돌 때문일 수 "
              "있습니다.",
        "en": "The kernel exited by itself (exit code {code}): an `os._exit`, `sys.exit` or a crash.",
    },
    "sandbox.death.signal": {
        "ko": "커널이 신호를 받고 종료되었습니다. 받은 신호: {signal}.",
        "en": "The kernel was killed by signal {signal}.",
    },
    "sandbox.death.unresponsive": {
        "ko": "커널이 시간 안에 응답하지 않아(중단 신호도 듣지 않음) 강제 종료했습니다.",
        "en": "The kernel stopped answering (it ignored the interrupt too) and was stopped.",
    },
})


# ---------------------------------------------------------------------------------------
# What the kernel may see
# ---------------------------------------------------------------------------------------

def package_folders():
    """The real folders of the course package (an editable install maps them outside site-packages)."""
    import resnet_course.autograder
    import resnet_course.utils

    return [Path(p).resolve() for mod in (resnet_course.utils, resnet_course.autograder)
            for p in mod.__path__]


def python_folders():
    """The Python installation the kernel runs on: the environment and its base interpreter."""
    folders = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(),
               Path(sys.executable).resolve().parent.parent}
    return sorted(folders)


def data_folder():
    """The data set folder (read-only inside), or None when it does not exist yet."""
    try:
        from resnet_course.utils.data import data_dir
        folder = Path(data_dir()).resolve()
    except Exception:
        value = os.environ.get("RESNET_COURSE_DATA")
        folder = Path(value).resolve() if value else None
    return folder if folder and folder.is_dir() else None


def reachable_by_others(path):
    """Whether a user other than the owner can traverse to and read `path`."""
    path = Path(path)
    for folder in (*reversed(path.parents), path):
        try:
            mode = folder.stat().st_mode
        except OSError:
            return False
        if not mode & 0o001:
            return False
    return bool(path.stat().st_mode & 0o004)


# ---------------------------------------------------------------------------------------
# Is the sandbox usable here?
# ---------------------------------------------------------------------------------------

_probe_cache = {}


def sandbox_problem(uid=None):
    """None when bwrap can build a sandbox here, else the reason (a Phrase: it goes into other messages)."""
    key = uid
    if key in _probe_cache:
        return _probe_cache[key]
    bwrap = BWRAP if os.path.exists(BWRAP) else shutil.which("bwrap")
    if not bwrap:
        problem = Phrase("sandbox.no_bwrap")
    else:
        command = [bwrap, "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                   "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
                   "--symlink", "usr/lib64", "/lib64", "--proc", "/proc", "--dev", "/dev",
                   "/usr/bin/true"]
        if os.geteuid() == 0 and uid is not None:
            command = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                       "--no-new-privs", *command]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
            problem = None if done.returncode == 0 else \
                Phrase("sandbox.no_userns", detail=(done.stderr or done.stdout).strip()[:300])
        except (OSError, subprocess.TimeoutExpired) as error:
            problem = Phrase("sandbox.no_userns", detail=str(error))
    _probe_cache[key] = problem
    return problem


def require_sandbox(uid=None):
    problem = sandbox_problem(uid)
    if problem:
        raise CourseError("sandbox.unavailable", reason=problem)


# ---------------------------------------------------------------------------------------
# The command line around the kernel
# ---------------------------------------------------------------------------------------

_SHELL = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do '
    'mount --bind "$1" "$2" && mount -o remount,ro,bind "$2" || exit 97; shift 2; n=$((n-1)); done; '
    'm=$1; shift; while [ "$m" -gt 0 ]; do echo $$ > "$1" || exit 98; shift; m=$((m-1)); done; '
    'exec "$@"'
)


def sandbox_command(kernel_cmd, *, cwd, scratch, writable, runtime, staging, etc_folder, uid,
                    limits, max_processes, file_size_bytes, tmp_bytes, address_space_bytes=None):
    """The full command that starts `kernel_cmd` inside the sandbox.

    `cwd` is the path the kernel works in (nbgrader's folder for this student); `scratch`
    is what is mounted there. `writable` folders are bound read-write at their own paths.
    """
    as_root = os.geteuid() == 0
    staged, ro_binds = [], []
    ro_sources = [*python_folders(), *package_folders()]
    data = data_folder()
    if data:
        ro_sources.append(data)
    for index, source in enumerate(dict.fromkeys(ro_sources)):
        if as_root and not reachable_by_others(source):
            stage = Path(staging) / f"s{index}"
            stage.mkdir(parents=True, exist_ok=True)
            staged += [str(source), str(stage)]
            ro_binds.append((str(stage), str(source)))
        else:
            ro_binds.append((str(source), str(source)))

    bwrap = [BWRAP if os.path.exists(BWRAP) else shutil.which("bwrap"),
             "--unshare-all", "--new-session", "--die-with-parent",
             "--uid", str(INSIDE_UID), "--gid", str(INSIDE_UID), "--hostname", "sandbox",
             "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
             "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
             "--symlink", "usr/sbin", "/sbin",
             "--proc", "/proc", "--dev", "/dev",
             "--size", str(tmp_bytes), "--tmpfs", "/tmp",
             "--size", str(tmp_bytes), "--tmpfs", INSIDE_HOME,
             "--ro-bind", str(Path(etc_folder) / "passwd"), "/etc/passwd",
             "--ro-bind", str(Path(etc_folder) / "group"), "/etc/group"]
    if os.path.exists("/etc/ld.so.cache"):
        bwrap += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    if os.path.isdir("/etc/fonts"):  # fontconfig's settings: without them a library prints an error on import
        bwrap += ["--ro-bind", "/etc/fonts", "/etc/fonts"]
    for source, dest in ro_binds:
        bwrap += ["--ro-bind", source, dest]
    for folder in writable:
        bwrap += ["--bind", str(folder), str(folder)]
    bwrap += ["--bind", str(runtime), str(runtime), "--bind", str(scratch), str(cwd),
              "--remount-ro", "/", "--chdir", str(cwd), "--unsetenv", "JPY_PARENT_PID", "--"]

    limit_args = ["prlimit", "--core=0", f"--fsize={file_size_bytes}"]
    if address_space_bytes:
        limit_args.append(f"--as={address_space_bytes}")
    user_args = []
    if as_root and uid is not None:
        limit_args.append(f"--nproc={max_processes}")
        user_args = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs"]
    shell = ["/bin/sh", "-c", _SHELL, "sandbox", str(len(staged) // 2), *staged,
             str(len(limits.procs_files())), *limits.procs_files()]
    prefix = ["unshare", "--mount", "--propagation", "private", "--"] if staged else []
    return [*prefix, *shell, *limit_args, "--", *user_args, *bwrap, *kernel_cmd]


def write_etc(folder):
    """A passwd and group file naming the sandbox user (libraries ask for the user's name)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(f"student:x:{INSIDE_UID}:{INSIDE_UID}:student:{INSIDE_HOME}:/bin/false\n")
    (folder / "group").write_text(f"student:x:{INSIDE_UID}:\n")
    for name in ("passwd", "group"):
        os.chmod(folder / name, 0o644)
    os.chmod(folder, 0o755)
    return folder


def open_path_to(folder, uid):
    """Let `uid` traverse every parent of `folder` (x only: it cannot list them)."""
    folder = Path(folder).resolve()
    for parent in reversed(folder.parents):
        try:
            mode = parent.stat().st_mode
            if not mode & 0o001:
                os.chmod(parent, (mode & 0o7777) | 0o001)
        except OSError:
            pass


def give_to(folder, uid):
    """Hand a folder (recursively) to the sandbox uid, so the kernel can write it."""
    if uid is None or os.geteuid() != 0:
        return
    for root, dirs, files in os.walk(folder):
        os.chown(root, uid, uid)
        for name in files:
            os.chown(os.path.join(root, name), uid, uid, follow_symlinks=False)


def _drain(stream, path, cap=256 * 1024):
    """Keep the first `cap` bytes a kernel writes to its own stdout/stderr; drop the rest."""
    kept = 0
    with open(path, "ab") as log:
        while True:
            try:
                chunk = stream.read(65536)
            except (ValueError, OSError):
                # The kernel was stopped at once and jupyter_client closed the pipe under us.
                return
            if not chunk:
                break
            if kept < cap:
                log.write(chunk[: cap - kept])
                kept += len(chunk)
    stream.close()


# ---------------------------------------------------------------------------------------
# The kernel manager nbclient starts
# ---------------------------------------------------------------------------------------

class SandboxedKernelManager(AsyncKernelManager):
    """Starts the ipykernel under bubblewrap with the limits above; reports why it died."""

    work_root = Unicode("", help="Folder for runtime dirs, scratch copies and logs of kernels.").tag(config=True)
    sandbox_uid = Integer(None, allow_none=True,
                          help="Unprivileged uid the kernel runs as (root grader only).").tag(config=True)
    memory_limit_mb = Integer(3072, help="Memory limit of one kernel, in MB.").tag(config=True)
    max_processes = Integer(
        max(256, 16 * (os.cpu_count() or 1)),
        help="Processes and threads the sandbox uid may have (TensorFlow starts a few per core).").tag(config=True)
    wall_clock = Integer(900, help="Seconds one notebook's kernel may live.").tag(config=True)
    file_size_mb = Integer(256, help="Largest file the kernel may write, in MB.").tag(config=True)
    tmp_size_mb = Integer(512, help="Size of the private /tmp and HOME, in MB each.").tag(config=True)
    log_name = Unicode("kernel", help="Name of this kernel's log file in the logs folder.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.death_reason = None
        self.peak_memory = None
        self._limits = None
        self._watchdog = None
        self._stop = threading.Event()
        self._started = None
        self._scratch = None

    # -- launch -------------------------------------------------------------------------
    def _folders(self):
        root = Path(self.work_root or os.environ.get("RESNET_COURSE_SANDBOX_ROOT") or "/tmp")
        stamp = f"{os.getpid()}-{time.monotonic_ns()}"
        scratch = root / "scratch" / stamp
        logs = root / "logs"
        for folder in (scratch, logs):
            folder.mkdir(parents=True, exist_ok=True)
        # The runtime folder moves to a short one when its socket paths would be too long;
        # inside the sandbox it shows the kernel only itself, wherever it is.
        return root, socket_folder(root / "runtime" / stamp), scratch, logs

    async def _async_pre_start_kernel(self, **kw):
        root, runtime, scratch, logs = self._folders()
        self._root, self._runtime, self._scratch, self._logs = root, runtime, scratch, logs
        use_private_sockets(self, runtime)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        # The notebook's kernelspec is the student's to edit: always the course's Python.
        return [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                *(extra_arguments or [])]

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        uid = self.sandbox_uid if os.geteuid() == 0 else None
        cwd = Path(kw.get("cwd") or os.getcwd()).resolve()
        # A scratch copy of the student's folder without notebooks, mounted at cwd: the kernel
        # can neither read the notebooks nbgrader is grading nor change what it writes.
        for item in cwd.iterdir() if cwd.is_dir() else ():
            if item.suffix == ".ipynb" or item.is_symlink() or item.resolve() == self._root.resolve():
                continue
            target = self._scratch / item.name
            if item.is_dir():
                shutil.copytree(item, target, symlinks=False, ignore_dangling_symlinks=True)
            elif item.is_file():
                shutil.copy2(item, target)
        env = {key: value for key, value in (kw.get("env") or os.environ).items() if key in ENV_ALLOWED}
        env.update(HOME=INSIDE_HOME, USER="student", LOGNAME="student", TMPDIR="/tmp",
                   PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin", MPLBACKEND="agg",
                   PYTHONDONTWRITEBYTECODE="1", PYTHONNOUSERSITE="1")
        data = data_folder()
        if data:
            env["RESNET_COURSE_DATA"] = str(data)
        writable = []
        if env.get("RESNET_COURSE_ARTIFACTS"):
            artifacts = Path(env["RESNET_COURSE_ARTIFACTS"])
            artifacts.mkdir(parents=True, exist_ok=True)
            writable.append(artifacts)
        for folder in (self._runtime, self._scratch, *writable):
            give_to(folder, uid)
            if uid is not None:
                open_path_to(folder, uid)
        # The connection file holds the session key: readable by the sandbox user only.
        if uid is not None:
            os.chown(self.connection_file, uid, uid)
        os.chmod(self.connection_file, 0o600)

        self._limits = CgroupLimits(f"resnet-kernel-{os.getpid()}-{time.monotonic_ns()}",
                                    self.memory_limit_mb * 2**20, self.max_processes)
        address_space = None if self._limits.limits_memory else (self.memory_limit_mb + 4096) * 2**20
        etc = write_etc(self._root / "etc")
        open_path_to(etc, uid)
        command = sandbox_command(
            kernel_cmd, cwd=cwd, scratch=self._scratch, writable=writable, runtime=self._runtime,
            staging=self._root / "staging", etc_folder=etc, uid=uid, limits=self._limits,
            max_processes=self.max_processes, file_size_bytes=self.file_size_mb * 2**20,
            tmp_bytes=self.tmp_size_mb * 2**20, address_space_bytes=address_space)
        open_path_to(self._root / "staging" / "x", uid)
        kw = dict(kw, env=env, cwd="/", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                  stderr=subprocess.STDOUT)
        self.log.debug("Sandboxed kernel: %s", command)
        self._started = time.monotonic()
        await super()._async_launch_kernel(command, **kw)
        process = self.provisioner.process
        log_path = self._logs / f"{self.log_name}.log"
        threading.Thread(target=_drain, args=(process.stdout, log_path), daemon=True).start()
        self._watchdog = threading.Thread(target=self._watch, args=(process, uid), daemon=True)
        self._watchdog.start()

    # -- limits while it runs ------------------------------------------------------------
    def _watch(self, process, uid):
        limit = self.memory_limit_mb * 2**20
        while not self._stop.wait(0.25):
            if process.poll() is not None:
                return
            if time.monotonic() - self._started > self.wall_clock:
                self.death_reason = text("sandbox.death.wall_clock", seconds=self.wall_clock)
                self._kill(process)
                return
            if not self._limits.limits_memory and uid is not None:
                used = resident_memory(processes_of_uid(uid))
                self.peak_memory = max(self.peak_memory or 0, used)
                if used > limit:
                    self.death_reason = text("sandbox.death.memory", limit_mb=self.memory_limit_mb)
                    self._kill(process)
                    return

    def _kill(self, process):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        if self._limits:
            self._limits.kill_all()

    def limit_reason(self):
        """The reason when a limit (wall clock, memory) has stopped or is choking the kernel."""
        if self.death_reason:
            return self.death_reason
        if self._limits and self._limits.memory_exhausted():
            return text("sandbox.death.memory", limit_mb=self.memory_limit_mb)
        return None

    def explain_death(self):
        """Why the kernel is gone, in both languages (call once it has died)."""
        if self.death_reason:
            return self.death_reason
        if self._limits and self._limits.memory_exhausted():
            self.death_reason = text("sandbox.death.memory", limit_mb=self.memory_limit_mb)
            return self.death_reason
        process = getattr(self.provisioner, "process", None) if self.provisioner else None
        code = process.poll() if process is not None else None
        if code is not None and code < 0:
            self.death_reason = text("sandbox.death.signal", signal=signal.Signals(-code).name)
        elif code is not None and code > 128 and code - 128 < 65:
            self.death_reason = text("sandbox.death.signal", signal=signal.Signals(code - 128).name)
        else:
            self.death_reason = text("sandbox.death.exit", code=code)
        return self.death_reason

    # -- interrupt and clean-up ----------------------------------------------------------
    async def _async_interrupt_kernel(self):
        # A signal to bwrap's process group would stop bwrap itself: ask the kernel instead.
        # A plain blocking socket: a message queued on the manager's asyncio socket was
        # never delivered here.
        if self.has_kernel:
            import zmq

            socket = zmq.Context.instance().socket(zmq.DEALER)
            socket.linger = 1000
            try:
                socket.connect(self._make_url("control"))
                self.session.send(socket, self.session.msg("interrupt_request", content={}))
            finally:
                socket.close()

    async def _async_cleanup_resources(self, restart=False):
        self._stop.set()
        try:
            await super()._async_cleanup_resources(restart=restart)
        finally:
            if self._limits:
                self.peak_memory = self._limits.peak_memory() or self.peak_memory
                self._limits.remove()
            for folder in (getattr(self, "_runtime", None), self._scratch):
                if folder:
                    shutil.rmtree(folder, ignore_errors=True)

    # AsyncKernelManager binds these public names to the base class's coroutines.
    interrupt_kernel = _async_interrupt_kernel
    cleanup_resources = _async_cleanup_resources
