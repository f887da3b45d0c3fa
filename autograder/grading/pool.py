"""The embedded worker pool: N processes, each grading one student at a time.

Each worker calls the same `student.grade_student` a Dask worker calls, on the course
unpacked from its bundle, and sends back what it returns. A worker that dies mid-student
costs nothing: it is replaced and the student is graded again, as Dask's scheduler does with
a task whose worker died, up to the same number of times (`STOPS_ALLOWED`); a submission that
stops its grader more often than that ends with 0 and the reason. Ctrl-C belongs to the
grading process, which stops the workers.
"""

import multiprocessing
import os
import signal
import sys
from collections import deque
from multiprocessing.connection import wait

from resnet_course.utils.messages import text

from .course_state import load_course_config, uses_judge
from .retries import STOPS_ALLOWED, stopped_too_often
from .student import grade_student, request_stop


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

    course = ctx["course"]
    judged = uses_judge(load_course_config(course.course))
    if judged:
        from ..judge.preprocessors import Judge

        Judge.prestart(load_course_config(course.course))
    settings = dict(ctx["settings"], uid=ctx["uid_base"] + slot if ctx["uid_base"] else None,
                    grader=f"local worker {slot}")
    try:
        _serve_tasks(course, settings, connection)
    finally:
        if judged:
            Judge.stop_worker()
    # Every result has gone through the pipe. Tearing down the interpreter's modules
    # (nbgrader, SQLAlchemy, Jupyter) took 0.8 s here and keeps nothing: leave at once.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _serve_tasks(course, settings, connection):
    from .student import failed_result

    while True:
        try:
            submission = connection.recv()
        except EOFError:
            return
        if submission is None:
            return
        try:
            outcome = grade_student(course, submission, settings)
        except Exception as error:  # a bug or a broken file must cost one student, not the batch
            import traceback

            traceback.print_exc()
            reason = text("grade.nbgrader_failed", detail=f"{type(error).__name__}: {error}"[:300])
            outcome = {"result": failed_result(course.structure, course.digest, submission, reason), "files": {}}
        connection.send(outcome)


class WorkerPool:
    """N processes, each grading one student at a time; a dead worker is replaced, its student retried."""

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

    def run(self, todo, load, on_outcome):
        """Grade every submission of `todo` (`load(sub)` makes what a worker receives);
        call `on_outcome(outcome)` as each student finishes."""
        pending = deque(todo)
        stops = {}
        while pending or any(worker[2] for worker in self.workers.values()):
            for slot, worker in self.workers.items():
                if worker[2] is None and pending:
                    worker[2] = pending.popleft()
                    worker[1].send(load(worker[2]))
            busy = {slot: worker for slot, worker in self.workers.items() if worker[2]}
            ready = wait([w[1] for w in busy.values()] + [w[0].sentinel for w in busy.values()])
            for slot, (process, connection, sub) in list(busy.items()):
                if connection in ready:
                    try:
                        outcome = connection.recv()
                    except (EOFError, OSError):
                        outcome = None
                    if outcome is not None:
                        self.workers[slot][2] = None
                        on_outcome(outcome)
                        continue
                if connection in ready or process.sentinel in ready:
                    process.join(5)
                    stops[sub.student] = stops.get(sub.student, 0) + 1
                    if stops[sub.student] > STOPS_ALLOWED:
                        course = self.ctx["course"]
                        on_outcome(stopped_too_often(course.structure, course.digest, load(sub),
                                                     stops[sub.student], f"exit code {process.exitcode}"))
                    else:
                        pending.appendleft(sub)  # graded again, by the next free worker
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
