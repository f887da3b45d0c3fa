"""What a comparator takes and returns: the student's artifacts, read defensively, and a verdict.

A comparator is a function `(student, reference, context) -> Verdict`: two `ArtifactFolder`s
for one grade id (the student's, written by a kernel that cannot be trusted, and the
reference's, written by the instructor's solutions) and a `Context`. An artifact that is
missing, a symlink, not a plain file, too large or malformed raises `ArtifactError`, which
the worker turns into a failed check with its message.
"""

import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from resnet_course.utils.messages import register, text

MAX_FILE_BYTES = 8 * 1024 * 1024  # a ResNet50 architecture is ~150 kB; arrays and plots are small

register({
    "judge.no_comparator": {
        "ko": "이 검사({grade_id})에는 채점 방법이 등록되어 있지 않아 점수를 줄 수 없습니다. 강사에게 알려 주세요.",
        "en": "No comparison is registered for this check ({grade_id}), so it cannot score. Please tell your instructor.",
    },
    "judge.missing": {
        "ko": "채점기에 결과가 전달되지 않았습니다: 함수가 오류를 냈거나, 실행되지 않았거나, 테스트 셀이 끝까지 실행되지 않았습니다. 답안 셀과 그 위의 셀들이 오류 없이 실행되는지 "
              "확인하세요.",
        "en": "No result reached the grader: the function raised, was not run, or the test cell did not "
              "finish. Check that your answer cell and the cells above it run without errors.",
    },
    "judge.unreadable": {
        "ko": "테스트 셀이 내보낸 결과({name})를 읽을 수 없습니다: {reason}",
        "en": "The result the test cell exported ({name}) cannot be read: {reason}",
    },
    "judge.no_reference": {
        "ko": "이 검사({grade_id})의 참조 결과가 없습니다. 강사에게 알려 주세요.",
        "en": "There is no reference result for this check ({grade_id}). Please tell your instructor.",
    },
    "judge.crashed": {
        "ko": "채점기가 여러분의 결과를 비교하다 멈췄습니다({error}). 결과의 모양이 예상과 크게 다를 때 "
              "생깁니다. 공개 검사 셀의 안내를 먼저 따르세요.",
        "en": "The judge stopped while comparing your result ({error}). This happens when it is far from "
              "the expected shape. Follow the public check cell's advice first.",
    },
})


class ArtifactError(Exception):
    """An artifact that is missing or cannot be read; carries a catalog key and values."""

    def __init__(self, key, **values):
        self.key = key
        self.values = values
        super().__init__(key)


@dataclass
class Verdict:
    passed: bool
    problems: list = field(default_factory=list)  # [(catalog key, values)]
    image: str = None

    @classmethod
    def ok(cls):
        return cls(True)

    @classmethod
    def fail(cls, key, **values):
        return cls(False, [(key, values)])

    def message(self):
        return "\n".join(text(key, **values) for key, values in self.problems)


class ArtifactFolder:
    """One grade id's artifacts (student's or reference's), read defensively."""

    def __init__(self, folder, trusted):
        self.folder = Path(folder)
        self.trusted = trusted
        self.grade_id = self.folder.name

    def _path(self, name):
        path = self.folder / name
        if not self.trusted:
            for part in (self.folder, path):
                try:
                    info = os.lstat(part)
                except FileNotFoundError:
                    raise ArtifactError("judge.missing") from None
                if stat.S_ISLNK(info.st_mode):
                    raise ArtifactError("judge.unreadable", name=name, reason="symlink")
            if not stat.S_ISREG(info.st_mode) or info.st_nlink != 1:
                raise ArtifactError("judge.unreadable", name=name, reason="not a plain file")
            if info.st_size > MAX_FILE_BYTES:
                raise ArtifactError("judge.unreadable", name=name, reason=f"{info.st_size} bytes")
        elif not path.is_file():
            raise ArtifactError("judge.no_reference", grade_id=self.grade_id)
        return path

    def cases(self, suffix):
        """Case names with this suffix (model.json, npy, json), sorted."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name[: -len(suffix) - 1] for p in self.folder.iterdir()
                      if p.name.endswith("." + suffix) and not p.name.endswith(".tmp"))

    def read_bytes(self, name):
        return self._path(name).read_bytes()

    def file_stat(self, name):
        """os.stat of one file, after the same checks as reading it."""
        return self._path(name).stat()

    def _json_file(self, name):
        try:
            return json.loads(self.read_bytes(name).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ArtifactError("judge.unreadable", name=name, reason=type(error).__name__) from None

    def json(self, case):
        return self._json_file(f"{case}.json")

    def model_config(self, case):
        return self._json_file(f"{case}.model.json")

    def array(self, case):
        import numpy as np

        name = f"{case}.npy"
        path = self._path(name)
        try:
            values = np.load(path, allow_pickle=False)
        except Exception as error:  # pickled objects, truncated files, wrong magic
            raise ArtifactError("judge.unreadable", name=name, reason=type(error).__name__) from None
        if not isinstance(values, np.ndarray) or values.dtype.kind not in "fiub":
            raise ArtifactError("judge.unreadable", name=name, reason=f"dtype {getattr(values, 'dtype', '?')}")
        return values.astype(np.float64)


def ordered_cases(student, reference, suffix, missing_key, keep=None):
    """The reference's cases, the student's present ones first; then a missing one fails.

    A test cell stops at its first failing assert, so later cases may never be exported:
    what the present cases show names the mistake better than "case X is missing".
    """
    cases = [c for c in reference.cases(suffix) if keep is None or keep(c)]
    if not cases:
        raise ArtifactError("judge.no_reference", grade_id=reference.grade_id)
    have = set(student.cases(suffix))
    if not have & set(cases):
        raise ArtifactError("judge.missing")
    yield from (c for c in cases if c in have)
    missing = [c for c in cases if c not in have]
    if missing:
        raise ArtifactError(missing_key, case=missing[0])


@dataclass
class Context:
    grade_id: str
    notebook: str
    feedback: Path  # the judge's own folder: images for the feedback go here
    cache: dict = field(default_factory=dict)  # shared between grade ids of one run
