"""`resnet-course cluster --workers N`: a real Dask cluster on this machine, for trying it out.

    resnet-course cluster [--workers 2] [--host 127.0.0.1] [--port 8786]
                          [--tls-ca-file CA --tls-cert PEM --tls-key KEY]

It starts what a cluster's administrator starts by hand, `dask scheduler` and `dask worker`
(a nanny and one single-threaded worker process each), every worker in an empty folder of its
own with its own course cache, so nothing is shared with the grading process but the Dask
connection, as on a real cluster. It prints the address to give `resnet-course grade
--scheduler` and runs until Ctrl-C, which stops every process it started.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from resnet_course.utils.messages import CourseError, label, register, text

from .cluster_options import add_tls_options, security_from, tls_files

register({
    "cluster.help": {
        "ko": "이 컴퓨터에 Dask 스케줄러와 작업자 N개를 띄웁니다 (채점 클러스터를 시험해 볼 때).",
        "en": "Start a Dask scheduler and N workers on this machine (to try grading on a cluster).",
    },
    "cluster.arg.workers": {"ko": "띄울 작업자 수", "en": "how many workers to start"},
    "cluster.arg.host": {"ko": "스케줄러가 들을 주소", "en": "the address the scheduler listens on"},
    "cluster.arg.port": {"ko": "스케줄러의 포트", "en": "the scheduler's port"},
    "cluster.started": {
        "ko": "Dask 클러스터가 준비되었습니다: 스케줄러 {address}, 작업자 {workers}개 (폴더 {folder}).\n"
              "채점하려면: resnet-course grade SUBMITTED --scheduler {address}{tls}\n"
              "멈추려면 Ctrl-C를 누르세요.",
        "en": "The Dask cluster is ready: scheduler {address}, {workers} workers (folder {folder}).\n"
              "To grade: resnet-course grade SUBMITTED --scheduler {address}{tls}\n"
              "Press Ctrl-C to stop it.",
    },
    "cluster.start_failed": {
        "ko": "{what} 프로세스는 준비되기 전에 끝났습니다. 로그의 끝:\n{log}",
        "en": "{what} exited before it was ready. The end of its log:\n{log}",
    },
    "cluster.stopped": {"ko": "Dask 클러스터를 멈췄습니다.", "en": "The Dask cluster is stopped."},
})

STARTUP_SECONDS = 180


def _dask_command():
    here = Path(sys.executable).parent / "dask"
    return [str(here)] if here.exists() else [sys.executable, "-m", "dask"]


def _tls_args(files):
    if not files:
        return []
    ca, cert, key = files
    return ["--tls-ca-file", ca, "--tls-cert", cert, "--tls-key", key]


class LocalCluster:
    """`dask scheduler` and N `dask worker` processes, each in its own folder and process group."""

    def __init__(self, folder, workers, host, port, tls):
        self.folder, self.tls, self.processes = Path(folder), tls, []
        scheduler_file = self.folder / "scheduler" / "scheduler.json"
        protocol = "tls" if tls else "tcp"
        self.scheduler = self._start("scheduler", ["scheduler", "--host", host, "--port", str(port), "--protocol",
                                                   protocol, "--no-dashboard", "--scheduler-file",
                                                   str(scheduler_file), *_tls_args(tls)])
        self.address = self._wait_for_address(scheduler_file)
        for index in range(workers):
            name = f"worker-{index + 1}"
            self._start(name, ["worker", self.address, "--name", name, "--nthreads", "1", "--nworkers", "1",
                               "--no-dashboard", "--local-directory", str(self.folder / name / "dask"),
                               *_tls_args(tls)], course_cache=self.folder / name / "course-cache")

    def _start(self, name, arguments, course_cache=None):
        folder = self.folder / name
        folder.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
        if course_cache:
            env["RESNET_COURSE_WORKER_CACHE"] = str(course_cache)
        log = open(folder / "dask.log", "wb")
        process = subprocess.Popen([*_dask_command(), *arguments], cwd=folder, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        process.name, process.log_path = name, folder / "dask.log"
        self.processes.append(process)
        return process

    def _check_alive(self):
        for process in self.processes:
            if process.poll() is not None:
                raise CourseError("cluster.start_failed", what=process.name,
                                  log=process.log_path.read_text(errors="replace")[-2000:])

    def _wait_for_address(self, scheduler_file):
        import json

        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                return json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                time.sleep(0.2)
        raise CourseError("cluster.start_failed", what="scheduler", log="(no address after "
                          f"{STARTUP_SECONDS} s)")

    def wait_for_workers(self, count, security):
        from distributed import Client

        with Client(self.address, security=security, timeout=60, set_as_default=False) as client:
            deadline = time.monotonic() + STARTUP_SECONDS
            while len(client.scheduler_info(n_workers=-1)["workers"]) < count:
                self._check_alive()
                if time.monotonic() > deadline:
                    raise CourseError("cluster.start_failed", what="dask worker", log="(not all workers joined)")
                time.sleep(0.5)

    def stop(self):
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except OSError:
                    pass
        for process in reversed(self.processes):
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def _run(args):
    security = security_from(args)
    files = tls_files(args)
    folder = Path(tempfile.mkdtemp(prefix="resnet-cluster-"))
    cluster = LocalCluster(folder, args.workers, args.host, args.port, files)
    try:
        cluster.wait_for_workers(args.workers, security)
        tls = " --tls-ca-file CA --tls-cert PEM --tls-key KEY" if files else ""
        print(text("cluster.started", address=cluster.address, workers=args.workers, folder=folder, tls=tls),
              flush=True)
        while True:
            cluster._check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
        print(text("cluster.stopped"), flush=True)


def register_command(subparsers):
    parser = subparsers.add_parser("cluster", help=label("cluster.help"), description=text("cluster.help"))
    parser.add_argument("--workers", type=int, default=2, help=label("cluster.arg.workers"))
    parser.add_argument("--host", default="127.0.0.1", help=label("cluster.arg.host"))
    parser.add_argument("--port", type=int, default=8786, help=label("cluster.arg.port"))
    add_tls_options(parser)
    parser.set_defaults(func=_run)
