"""When a grader dies mid-student: the student is graded again, up to a limit, then recorded.

A worker killed while it grades (the machine's OOM killer, a lost node, kill -9) costs
nothing: another worker grades the student again. A submission that stops every grader it
meets would stop the class; after `STOPS_ALLOWED` such deaths it ends with 0 and the reason.
The limit is Dask's own (`distributed.scheduler.allowed-failures`, 3 by default), so the
embedded pool and a Dask cluster give up on the same submission at the same count.
"""

from resnet_course.utils.messages import register, text

from .student import failed_result

STOPS_ALLOWED = 3

register({
    "grade.grader_stopped": {
        "ko": "이 제출물을 채점하던 작업자가 모두 {count}번 멈췄습니다(마지막: {detail}). "
              "0점으로 기록했고, 다음 실행에서 다시 채점합니다.",
        "en": "This submission stopped its grader {count} times (the last: {detail}). It is recorded with 0 "
              "and graded again by the next run.",
    },
})


def stopped_too_often(structure, digest, submission, count, detail):
    """The outcome of a submission whose graders died `count` times: every check 0, the reason."""
    reason = text("grade.grader_stopped", count=count, detail=detail)
    return {"result": failed_result(structure, digest, submission, reason), "files": {}}
