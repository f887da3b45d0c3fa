"""The grading process's side of a Dask cluster: `resnet-course grade --scheduler ADDRESS`.

Nothing is shared with the workers but the Dask connection. The course goes out once per
course version as a worker plugin (`cluster_worker.CoursePlugin`: the scheduler keeps it
and gives it to every worker, present and future); the run then says which workers refused
it and why. Each student is one task carrying that student's files; what a task returns
(the result and every file worth keeping) is written here as the student finishes.

Faults are Dask's to absorb: a worker that dies mid-student puts the student back in the
scheduler's hands, and another worker grades it again; after the scheduler's
`allowed-failures` (3 by default) the task fails with `KilledWorker` and the student is
recorded with 0 and the reason (`retries.py`). Tasks go out a window at a time (a few per
worker), so the scheduler never holds a whole class's notebooks, and a lost scheduler or
Ctrl-C loses only the students in flight: every finished one is already stored.
"""

import hashlib
import json
import time
from collections import deque

from resnet_course.utils.messages import CourseError, Phrase, Rendered, register, text

from .retries import stopped_too_often
from .student import failed_result

# Students in flight per worker: one grading, one waiting (its files already there).
IN_FLIGHT_PER_WORKER = 2
WAIT_FOR_WORKERS_SECONDS = 300
NEW_WORKER_CHECK_SECONDS = 10

register({
    "cluster.no_dask": {
        "ko": "Dask가 설치되어 있지 않습니다. `pip install 'resnet-course[cluster]'` 명령으로 설치하세요 ({detail}).",
        "en": "Dask is not installed: `pip install 'resnet-course[cluster]'` ({detail}).",
    },
    "cluster.unreachable": {
        "ko": "Dask 스케줄러 {address}에 연결하지 못했습니다: {detail}\n주소, 방화벽, 그리고 TLS를 쓰는 "
              "클러스터라면 인증서(--tls-ca-file, --tls-cert, --tls-key)를 확인하세요.",
        "en": "Could not connect to the Dask scheduler at {address}: {detail}\nCheck the address, the "
              "firewall and, for a TLS cluster, the certificates (--tls-ca-file, --tls-cert, --tls-key).",
    },
    "cluster.connected": {
        "ko": "Dask 스케줄러 {address}에 연결했습니다. 작업자 {workers}개, 과정 묶음 {megabytes:.1f} MB를 보냅니다.",
        "en": "Connected to the Dask scheduler at {address}: {workers} workers; sending the course bundle "
              "({megabytes:.1f} MB).",
    },
    # Each reason a worker gives says that it refused and why (cluster.refused.*): said once.
    "cluster.worker_refused": {
        "ko": "작업자 {worker}, 주소 {address}: {reason}",
        "en": "Worker {worker} ({address}): {reason}",
    },
    "cluster.no_worker": {
        "ko": "채점할 수 있는 작업자가 하나도 없습니다(스케줄러 {address}). 위에 적힌 이유를 해결한 뒤 다시 "
              "실행하세요.",
        "en": "No worker can grade (scheduler {address}). Fix the reasons given above and run again.",
    },
    "cluster.no_worker_joined": {
        "ko": "{seconds}초를 기다렸지만 스케줄러 {address}에 작업자가 하나도 연결되지 않았습니다.",
        "en": "No worker joined the scheduler at {address} within {seconds} s.",
    },
    "cluster.lost": {
        "ko": "Dask 스케줄러와의 연결이 끊겼습니다({detail}). 이미 끝난 학생 {done}명의 성적은 저장되어 "
              "있습니다. 다시 실행하면 남은 학생만 채점합니다.",
        "en": "The connection to the Dask scheduler was lost ({detail}). The {done} students already "
              "finished are stored; running again grades only the rest.",
    },
    "cluster.task_failed": {
        "ko": "클러스터에서 이 학생의 채점이 실패했습니다: {detail}",
        "en": "Grading this student failed on the cluster: {detail}",
    },
})


def _distributed():
    try:
        import distributed
    except ImportError as error:
        raise CourseError("cluster.no_dask", detail=str(error)) from None
    return distributed


def connect(address, security):
    """A Dask client of the scheduler at `address`, or a bilingual reason why not."""
    distributed = _distributed()
    import dask

    # Dask's connect timeout (30 s unless configured): a refused handshake is retried until then.
    timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        return distributed.Client(address, security=security, timeout=timeout, set_as_default=False)
    except Exception as error:  # refused, unreachable, a TLS handshake that failed
        raise CourseError("cluster.unreachable", address=address,
                          detail=f"{type(error).__name__}: {error}"[:500]) from None


def plugin_name(bundle):
    """One name per course version and grading environment: a worker takes each in once."""
    key = hashlib.sha256((bundle.digest + json.dumps(bundle.environment, sort_keys=True)).encode()).hexdigest()
    return f"resnet-course-{key[:16]}"


def offer_course(client, bundle, sandbox, log):
    """Give every worker the course; report refusals; return the resource name to ask for."""
    from .cluster_worker import CoursePlugin

    name = plugin_name(bundle)
    try:
        # A scheduler that already holds this course version sends it to nobody again
        # (CoursePlugin.idempotent); workers that join later get it from the scheduler.
        client.register_plugin(CoursePlugin(name, bundle, sandbox), name=name)
    except Exception:  # a worker that cannot even load the plugin: worker_status names it below
        pass
    accepted = check_workers(client, name, set(), log)
    if not accepted:
        raise CourseError("cluster.no_worker", address=client.scheduler.address)
    return name


def check_workers(client, name, known, log, workers=None):
    """Ask workers what they decided about the course; log each refusal; return who accepted."""
    from .cluster_worker import worker_status

    answers = client.run(worker_status, name, workers=workers, on_error="return")
    accepted = set()
    for address, answer in sorted(answers.items()):
        known.add(address)
        if isinstance(answer, BaseException):
            answer = {"accepted": False, "name": address, "address": address,
                      "reason": Phrase("cluster.refused.broken", detail=f"{type(answer).__name__}: {answer}"[:300])}
        if answer["accepted"]:
            accepted.add(address)
        else:
            reason = answer["reason"]  # {"ko", "en"} rendered on the worker (older workers: one string)
            reason = Rendered(reason) if isinstance(reason, dict) else reason
            log(text("cluster.worker_refused", worker=answer["name"], address=address, reason=reason))
    return accepted


def grade_on_cluster(address, security, bundle, settings, todo, load, on_outcome, log=print):
    """Grade every submission of `todo` on the cluster; `on_outcome` as each student finishes."""
    distributed = _distributed()
    from .cluster_worker import grade_on_worker

    client = connect(address, security)
    _LOST = _lost_connection_errors()
    done = 0
    try:
        workers = _wait_for_workers(client, address)
        log(text("cluster.connected", address=address, workers=workers, megabytes=bundle.size() / 2**20))
        resource = offer_course(client, bundle, settings["sandbox"], log)
        known = set(client.scheduler_info(n_workers=-1)["workers"])
        pending, running = deque(todo), {}
        last_check = time.monotonic()

        def refill():
            window = IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info(n_workers=-1)["workers"]))
            sent = []
            while pending and len(running) < window:
                sub = pending.popleft()
                future = client.submit(grade_on_worker, bundle.digest, load(sub), settings, pure=False,
                                       resources={resource: 1}, key=f"grade-{sub.student}-{time.time_ns()}")
                running[future.key] = (future, sub)
                sent.append(future)
            return sent

        finished = distributed.as_completed(refill(), loop=client.loop)
        for future in finished:
            _, sub = running.pop(future.key)
            on_outcome(_outcome_of(future, bundle, load, sub))
            done += 1
            future.release()
            if time.monotonic() - last_check > NEW_WORKER_CHECK_SECONDS:
                last_check = time.monotonic()
                joined = set(client.scheduler_info(n_workers=-1)["workers"]) - known
                if joined:
                    check_workers(client, resource, known, log, workers=list(joined))
            for sent in refill():
                finished.add(sent)
    except _LOST as error:  # the scheduler went away (or the connection to it did)
        raise CourseError("cluster.lost", detail=f"{type(error).__name__}: {error}"[:300], done=done) from None
    else:
        return workers
    finally:
        try:
            client.close(timeout=10)
        except Exception:
            pass


def _lost_connection_errors():
    from concurrent.futures import CancelledError

    from distributed.comm.core import CommClosedError

    return (OSError, TimeoutError, CommClosedError, CancelledError, ConnectionError)


def _wait_for_workers(client, address):
    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS_SECONDS)
    except TimeoutError:
        raise CourseError("cluster.no_worker_joined", address=address, seconds=WAIT_FOR_WORKERS_SECONDS) from None
    return len(client.scheduler_info(n_workers=-1)["workers"])


def _outcome_of(future, bundle, load, sub):
    """What a finished task gives: its outcome, or the record of why it has none."""
    from distributed.scheduler import KilledWorker

    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        raise ConnectionError(f"the task of {sub.student} was cancelled (scheduler gone)")
    error = future.exception()
    if isinstance(error, KilledWorker):
        last = getattr(error.last_worker, "address", "?")
        return stopped_too_often(bundle.structure, bundle.digest, load(sub), error.allowed_failures + 1,
                                 f"worker {last}")
    reason = text("cluster.task_failed", detail=f"{type(error).__name__}: {error}"[:300])
    return {"result": failed_result(bundle.structure, bundle.digest, load(sub), reason), "files": {}}
