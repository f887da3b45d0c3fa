"""The embedded worker pool: N processes, each grading one student at a time.

A worker that crashes costs only the student it was grading (recorded with the reason) and
is replaced; Ctrl-C belongs to the grading process, which stops the workers.
"""

import multiprocessing
import os
import signal
import sys
from collections import deque
from multiprocessing.connection import wait

from resnet_course.utils.messages import register, text

from .course_state import load_course_config, uses_judge
from .student import failed_result, grade_submission, request_stop

register({
    "grade.worker_crashed": {
        "ko": "이 학생을 채점하던 작업자 프로세스가 비정상 종료되었습니다(종료 코드 {code}).",
        "en": "The worker process grading this student stopped unexpectedly (exit code {code}).",
    },
})


def _stop_with_the_grading_process(parent):
    """A worker whose grading process dies (SIGKILL, a crash) is told so at once, by SIGTERM.

    Without it, workers would grade on, orphaned, with nobody to store their results, and
    their sandboxed kernels (bwrap dies with its parent, the worker) would outlive the run.
    """
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the pipe's EOF ends the worker after its student
        return
    if os.getppid() != parent:  # the grading process died before the request took effect
        request_stop()


def _worker_main(slot, ctx, connection, parent=None):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading process's to handle
    signal.signal(signal.SIGTERM, request_stop)  # leaves through nbclient's clean-up
    if parent is not None:
        _stop_with_the_grading_process(parent)

    import warnings

    from sqlalchemy.exc import SAWarning

    import resnet_course.utils  # noqa: F401  (quiet TensorFlow, should the judge import it)

    # nbgrader's own update_or_create_submission trips SQLAlchemy's autoflush warnings.
    warnings.filterwarnings("ignore", category=SAWarning)

    config = load_course_config(ctx["course"])
    judged = uses_judge(config)
    if judged:
        from ..judge.preprocessors import Judge

        Judge.prestart(config)
    try:
        _serve_tasks(ctx, slot, connection)
    finally:
        if judged:
            Judge.stop_worker()
    # Every result has gone through the pipe. Tearing down the interpreter's modules
    # (nbgrader, SQLAlchemy, Jupyter) took 0.8 s here and keeps nothing: leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _serve_tasks(ctx, slot, connection):
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            result = grade_submission(ctx, slot, task)
        except Exception as error:  # a bug or a broken file must cost one student, not the batch
            import traceback

            traceback.print_exc()
            result = failed_result(ctx, task, text("grade.nbgrader_failed",
                                                   detail=f"{type(error).__name__}: {error}"[:300]))
        connection.send(result)


class WorkerPool:
    """N processes, each grading one student at a time; a crashed worker is replaced."""

    def __init__(self, jobs, ctx):
        self.ctx = ctx
        self.mp = multiprocessing.get_context("spawn")
        self.workers = {}
        for slot in range(jobs):
            self._start(slot)

    def _start(self, slot):
        parent, child = self.mp.Pipe()
        process = self.mp.Process(target=_worker_main, args=(slot, self.ctx, child, os.getpid()), daemon=True,
                                  name=f"resnet-grade-{slot}")
        process.start()
        child.close()
        self.workers[slot] = [process, parent, None]

    def run(self, tasks, on_result):
        pending = deque(tasks)
        while pending or any(worker[2] for worker in self.workers.values()):
            for slot, worker in self.workers.items():
                if worker[2] is None and pending:
                    worker[2] = pending.popleft()
                    worker[1].send(worker[2])
            busy = {slot: worker for slot, worker in self.workers.items() if worker[2]}
            ready = wait([w[1] for w in busy.values()] + [w[0].sentinel for w in busy.values()])
            for slot, (process, connection, task) in list(busy.items()):
                if connection in ready:
                    try:
                        result = connection.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        self.workers[slot][2] = None
                        on_result(result)
                        continue
                if connection in ready or process.sentinel in ready:
                    process.join(5)
                    reason = text("grade.worker_crashed", code=process.exitcode)
                    on_result(failed_result(self.ctx, task, reason))
                    self._start(slot)

    def close(self, kill=False):
        for process, connection, _ in self.workers.values():
            try:
                if kill:
                    process.terminate()
                else:
                    connection.send(None)
            except (OSError, ValueError):
                pass
        for process, _, _ in self.workers.values():
            process.join(10)
            if process.is_alive():
                process.kill()
                process.join(5)
