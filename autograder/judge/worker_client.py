"""The grading side's handle on the judge's comparison worker (`worker.py`), a process kept alive.

Importing TensorFlow costs seconds, so one worker answers many requests: each names a request
file and a result file and ends with a token line on stdout. A worker that dies, hangs or
misbehaves is killed and replaced on the next request; its limits (time per request, address
space) are set by the caller.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ..checks.artifacts import ENV_VAR as ARTIFACTS_ENV


class ComparisonWorker:
    """The comparison process, kept alive across the notebooks one nbgrader process grades."""

    _current = None

    def __init__(self, limits):
        env = dict(os.environ)
        env.pop(ARTIFACTS_ENV, None)
        env.pop("NBGRADER_EXECUTION", None)
        env["MPLBACKEND"] = "Agg"
        self.folder = tempfile.mkdtemp(prefix="resnet-judge-worker-")
        self.log_path = Path(self.folder) / "worker.log"
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "resnet_course.autograder.judge.worker", "--serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=self.folder,
            preexec_fn=limits,
        )

    @classmethod
    def get(cls, limits):
        if cls._current is None or cls._current.process.poll() is not None:
            cls.discard()
            cls._current = cls(limits)
        return cls._current

    @classmethod
    def discard(cls):
        worker, cls._current = cls._current, None
        if worker is not None:
            worker.close()

    def ask(self, request, result, timeout):
        """'done', or why not ('exit N', 'timeout T s')."""
        import select
        import time
        import uuid

        token = uuid.uuid4().hex
        try:
            self.process.stdin.write((json.dumps({"request": str(request), "result": str(result),
                                                  "token": token}) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            return f"exit {self.process.poll()}"
        deadline = time.monotonic() + timeout
        pending = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return f"timeout {timeout} s"
            ready, _, _ = select.select([self.process.stdout], [], [], min(left, 5.0))
            if not ready:
                if self.process.poll() is not None:
                    return f"exit {self.process.returncode}"
                continue
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                return f"exit {self.process.wait()}"
            pending += chunk
            if token.encode() in pending:
                return "done"
            pending = pending[-256:]

    def log_tail(self):
        try:
            return self.log_path.read_bytes()[-4000:].decode("utf-8", "replace")
        except OSError:
            return ""

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
