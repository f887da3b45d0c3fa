"""A real Dask cluster on 127.0.0.1 for the grading tests: `dask scheduler`, `dask worker`, certificates.

Every process is started with the venv's own `dask` command, in its own empty working folder
(a worker's HOME and course cache are in it too: it shares no disk with the course), in a
process group of its own, and is stopped by its pid. Waiting is for states (an address in the
scheduler file, a number of workers, a task running), never for a fixed time.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
DASK = str(BIN / "dask")
STARTUP_SECONDS = 180


def _env(folder, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "RESNET_COURSE_", "DASK_"))}
    env.update(HOME=str(folder), PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
               RESNET_COURSE_WORKER_CACHE=str(Path(folder) / "course-cache"), PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def tls_args(tls, side):
    """`dask` command-line options for one side's certificate ("scheduler", "worker", "client")."""
    if not tls:
        return []
    return ["--tls-ca-file", str(tls["ca"]), "--tls-cert", str(tls[side]["cert"]),
            "--tls-key", str(tls[side]["key"])]


class Processes:
    """The cluster's processes, each in its own folder and process group; stopped by pid."""

    def __init__(self, root):
        self.root = Path(root)
        self.started = []

    def _start(self, name, command, env):
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        log = open(folder / "process.log", "wb")
        process = subprocess.Popen(command, cwd=folder, env=_env(folder, **env), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.folder, process.log_path = folder, folder / "process.log"
        self.started.append(process)
        return process

    def scheduler(self, tls=None, allowed_failures=None):
        """Start `dask scheduler`; return (process, address) once it listens."""
        protocol = "tls" if tls else "tcp"
        env = {}
        if allowed_failures is not None:
            env["DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES"] = str(allowed_failures)
        name = f"scheduler{len(self.started)}"
        scheduler_file = self.root / name / "scheduler.json"
        process = self._start(name, [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--protocol",
                                     protocol, "--no-dashboard", "--scheduler-file", str(scheduler_file),
                                     *tls_args(tls, "scheduler")], env)
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"dask scheduler exited: {process.log_path.read_text()[-3000:]}")
            try:
                return process, json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        raise AssertionError("dask scheduler did not start")

    def worker(self, address, name, tls=None, inside=(), **env):
        """Start `dask worker` (a nanny and one single-threaded worker process), `inside` a command."""
        return self._start(name, [*inside, DASK, "worker", address, "--name", name, "--nthreads", "1", "--nworkers", "1",
                                  "--no-dashboard", "--local-directory", str(self.root / name / "dask"),
                                  *tls_args(tls, "worker")], env)

    def stop(self, process):
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)

    def stop_all(self):
        for process in reversed(self.started):
            self.stop(process)


def wait_for_workers(address, count, security=None, timeout=STARTUP_SECONDS):
    """Block until `count` workers are connected to the scheduler."""
    from distributed import Client

    with Client(address, security=security, timeout=60, set_as_default=False) as client:
        client.wait_for_workers(count, timeout=timeout)
        return sorted(client.scheduler_info(n_workers=-1)["workers"])


def worker_process_of(nanny):
    """The pid of the worker process a `dask worker` nanny started (its child running Python)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        children = Path(f"/proc/{nanny.pid}/task/{nanny.pid}/children")
        try:
            pids = [int(pid) for pid in children.read_text().split()]
        except OSError:
            pids = []
        # The nanny's children: a resource tracker and the worker; the worker is the one that
        # has children of its own once it grades, or the one without "resource_tracker".
        for pid in pids:
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "resource_tracker" not in command:
                return pid
        time.sleep(0.2)
    raise AssertionError("the worker process did not start")


def make_certificates(folder):
    """A CA and certificates for the scheduler, the workers and a client, made with openssl;
    and a second CA with a client certificate the cluster does not trust."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder, timeout=60)

    found = {}
    for ca in ("ca", "stranger-ca"):
        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={ca}",
            "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    (folder / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for side, ca in (("scheduler", "ca"), ("worker", "ca"), ("client", "ca"), ("stranger", "stranger-ca")):
        run("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={side}", "-keyout", f"{side}.key",
            "-out", f"{side}.csr")
        run("x509", "-req", "-in", f"{side}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-extfile", "san.cnf", "-out", f"{side}.pem")
        found[side] = {"cert": folder / f"{side}.pem", "key": folder / f"{side}.key"}
    found["ca"] = folder / "ca.pem"
    found["stranger-ca"] = folder / "stranger-ca.pem"
    return found
