"""The Dask worker's side: take a course in once, refuse what it cannot grade, grade students.

`CoursePlugin` is a Dask worker plugin holding one course bundle. The scheduler hands it to
every worker, the ones there now and any that join later (a worker its nanny restarted
after a kill, a new SLURM job), so the course reaches each worker once per course version,
over Dask. On each worker its `setup`:

  1. compares the worker's grading environment (every file of resnet-course, the libraries
     that compute a score) with the grading process's, and refuses on any difference;
  2. checks that the sandbox works there (bubblewrap, user namespaces), unless the run is
     `--no-sandbox`, and refuses without it;
  3. unpacks the course under the worker's cache, keyed by its digest (skipped when a worker
     on this machine already did), and starts the judge's comparison process;
  4. only then gives the worker the resource named after the plugin. Every student's task
     asks for one unit of it, so a worker that refused never receives a student, and a worker
     grades one student at a time (the grading function works through its process's
     environment).

`grade_on_worker` is the task: the same `student.grade_student` the embedded pool calls.
"""

import asyncio
import os

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from resnet_course.utils.messages import Rendered, register, text

from .course_bundle import unpack, unpacked, worker_cache_root
from .environment import describe, differences, grading_environment

register({
    "cluster.refused.version": {
        "ko": "이 작업자는 채점하는 쪽과 다른 resnet-course 또는 라이브러리를 쓰고 있어 채점을 거부했습니다. "
              "같은 코드로 채점해야 같은 성적이 나옵니다. 다른 점: {differences}",
        "en": "This worker runs another resnet-course or other libraries than the grading process and "
              "refused to grade: the same code must grade for the same grade. Differences: {differences}",
    },
    "cluster.refused.sandbox": {
        "ko": "이 작업자에서는 샌드박스를 쓸 수 없어 채점을 거부했습니다: {reason}",
        "en": "The sandbox does not work on this worker, so it refused to grade: {reason}",
    },
    "cluster.refused.broken": {
        "ko": "이 작업자가 과정을 받아들이지 못했습니다: {detail}",
        "en": "This worker could not take in the course: {detail}",
    },
})

# plugin name -> {"accepted": bool, "reason": str | None}, for `worker_status`
_status = {}
# course digest -> UnpackedCourse
_courses = {}


def _uid_for_this_worker():
    """A block of uids of its own for this worker process's sandboxes (as the pool's slots)."""
    from .command import default_uid_base

    return default_uid_base() if os.geteuid() == 0 else None


class CoursePlugin(WorkerPlugin):
    """One course version on every worker of the cluster; see the module's docstring."""

    idempotent = True  # registered again by a re-run: the workers already hold it

    def __init__(self, name, bundle, sandbox):
        self.name = name
        self.bundle = bundle
        self.sandbox = sandbox

    async def setup(self, worker):
        status = await asyncio.to_thread(self._take_in)
        _status[self.name] = status
        if status["accepted"]:
            await worker.set_resources(**{self.name: 1})

    def _take_in(self):
        try:
            found = differences(self.bundle.environment, grading_environment())
            if found:
                return {"accepted": False,
                        "reason": Rendered.texts_of("cluster.refused.version", differences=describe(found))}
            if self.sandbox:
                from .sandbox import sandbox_problem

                problem = sandbox_problem(_uid_for_this_worker())
                if problem:
                    return {"accepted": False,
                            "reason": Rendered.texts_of("cluster.refused.sandbox", reason=problem)}
            _courses[self.bundle.digest] = unpack(self.bundle, worker_cache_root())
            if self.bundle.uses_judge:
                _prestart_judge(_courses[self.bundle.digest])
            return {"accepted": True, "reason": None}
        except Exception as error:  # a full disk, an unreadable cache: say so, refuse
            return {"accepted": False, "reason": Rendered.texts_of("cluster.refused.broken",
                                                                   detail=f"{type(error).__name__}: {error}"[:300])}


def _prestart_judge(course):
    """The comparison process imports TensorFlow once, before the first student needs it."""
    import resnet_course.utils  # noqa: F401  (quiet TensorFlow)

    from ..judge.preprocessors import Judge
    from .course_state import load_course_config

    Judge.prestart(load_course_config(course.course))


def worker_status(name, dask_worker=None):
    """What this worker decided about the plugin `name` (`client.run` passes `dask_worker`)."""
    worker = dask_worker
    found = _status.get(name)
    if found is None:
        found = {"accepted": False,
                 "reason": Rendered.texts_of("cluster.refused.broken", detail="the course plugin never ran here")}
    return dict(found, name=str(worker.name), address=worker.address)


def grade_on_worker(digest, submission, settings):
    """The task of one student: grade it here and return everything as data."""
    import warnings

    from sqlalchemy.exc import SAWarning

    import resnet_course.utils  # noqa: F401  (quiet TensorFlow, should the judge import it)

    from .student import failed_result, grade_student

    # nbgrader's own update_or_create_submission trips SQLAlchemy's autoflush warnings.
    warnings.filterwarnings("ignore", category=SAWarning)
    from .command import _venv_on_path

    _venv_on_path()  # nbgrader runs `alembic`, beside this Python, on a gradebook
    course = _courses.get(digest) or unpacked(worker_cache_root(), digest)
    if course is None:
        raise RuntimeError(f"course {digest[:12]} is not on this worker")
    worker = get_worker()
    settings = dict(settings, uid=_uid_for_this_worker(), grader=f"dask worker {worker.name} ({worker.address})",
                    scratch=str(worker_cache_root()))
    try:
        return grade_student(course, submission, settings)
    except Exception as error:  # a bug or a broken file must cost one student, not the batch
        import traceback

        traceback.print_exc()
        reason = text("grade.nbgrader_failed", detail=f"{type(error).__name__}: {error}"[:300])
        return {"result": failed_result(course.structure, digest, submission, reason), "files": {}}
