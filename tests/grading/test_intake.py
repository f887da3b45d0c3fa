"""Taking in a class's submissions: every limit and refusal of the zip intake, reached.

An LMS zip is untrusted input. Each guard of `grading/submissions.py` is driven here by an
archive built to reach it: a header that lies about a member's size (zipfile reads at most the
size the header gives, then the CRC fails), too many members, a member too large, special
files, Windows-style names, a file that is not a zip at all, and a timestamp.txt that is not a
date. Each ends with a bilingual message, and what is sound
in the same archive is still taken in.
"""

import stat
import struct
import zipfile

import nbformat
import pytest

import grading_helpers as gh
from resnet_course.autograder.grading import submissions
from resnet_course.utils.messages import CourseError

NOTEBOOKS = {"01_basics": ["add_values", "square_values"], "02_numbers": ["mean_values"]}
SOUND = "good_01_basics.ipynb"


def _notebook_text():
    return nbformat.writes(gh.source_notebooks()["01_basics"])


def _collect(archive, tmp_path):
    notes = []
    found = submissions.collect(archive, "tiny", tmp_path / "staging", NOTEBOOKS, log=notes.append)
    return {s.student: s for s in found}, notes


def _lie_about_size(archive, member, claimed):
    """Rewrite the central directory so that `member` claims `claimed` uncompressed bytes."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as bundle:
        offset = bundle.start_dir
    name = member.encode()
    while True:
        offset = data.index(b"PK\x01\x02", offset)
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if bytes(data[offset + 46: offset + 46 + name_length]) == name:
            struct.pack_into("<I", data, offset + 24, claimed)  # uncompressed size
            break
        offset += 4
    archive.write_bytes(bytes(data))


def test_a_member_whose_header_lies_about_its_size_is_refused_and_the_rest_taken(tmp_path):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("mallory_01_basics.ipynb", b"{" + b" " * (3 * 2**20) + b"}")
        bundle.writestr(SOUND, _notebook_text())
    _lie_about_size(archive, "mallory_01_basics.ipynb", 100)
    with zipfile.ZipFile(archive) as bundle:
        assert bundle.getinfo("mallory_01_basics.ipynb").file_size == 100  # what the header says
    found, notes = _collect(archive, tmp_path)
    assert "good" in found and "mallory" not in found
    refused = [n for n in notes if "mallory_01_basics.ipynb" in n]
    assert refused and "its header gives" in refused[0] and "헤더에 적힌 크기" in refused[0], notes
    assert not list((tmp_path / "staging").rglob("mallory*")), "a partial file of the liar was left"


def test_a_member_larger_than_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_MEMBER_BYTES", 2**20)
    archive = tmp_path / "big.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("mallory_01_basics.ipynb", b" " * (2**20 + 1))
        bundle.writestr(SOUND, _notebook_text())
    found, notes = _collect(archive, tmp_path)
    assert "mallory" not in found and "good" in found
    assert any("mallory_01_basics.ipynb" in n and "larger than 1 MB" in n and "1 MB보다 큼" in n for n in notes), notes


def test_too_many_members_stop_the_intake(tmp_path, monkeypatch):
    monkeypatch.setattr(submissions, "MAX_MEMBERS", 5)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for index in range(6):
            bundle.writestr(f"s{index}_01_basics.ipynb", "{}")
    with pytest.raises(CourseError) as error:
        _collect(archive, tmp_path)
    assert "6 members" in str(error.value) and "너무 큽니다" in str(error.value)
    assert not (tmp_path / "staging" / "_unzipped" / "s0").exists()


@pytest.mark.parametrize("kind,mode", [("fifo", stat.S_IFIFO | 0o644), ("device", stat.S_IFCHR | 0o644),
                                       ("socket", stat.S_IFSOCK | 0o644)])
def test_special_files_are_skipped(tmp_path, kind, mode):
    archive = tmp_path / f"{kind}.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        special = zipfile.ZipInfo("mallory_01_basics.ipynb")
        special.external_attr = mode << 16
        bundle.writestr(special, "{}")
        bundle.writestr(SOUND, _notebook_text())
    found, notes = _collect(archive, tmp_path)
    assert "mallory" not in found and "good" in found
    assert any("special file" in n and "특수 파일" in n for n in notes), notes


@pytest.mark.parametrize("name", ["C:/Users/mallory_01_basics.ipynb", "c:mallory_01_basics.ipynb",
                                  "..\\..\\mallory_01_basics.ipynb", "sub\\mallory_01_basics.ipynb",
                                  "\\mallory_01_basics.ipynb"])
def test_windows_names_stay_inside_the_archive(tmp_path, name):
    archive = tmp_path / "windows.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(zipfile.ZipInfo(name), _notebook_text())
        bundle.writestr(SOUND, _notebook_text())
    found, notes = _collect(archive, tmp_path)
    assert "mallory" not in found and "good" in found
    assert any("path outside the archive" in n and "압축 파일 밖을 가리키는 경로" in n for n in notes), notes
    unpacked = {p.name for p in (tmp_path / "staging").rglob("*")}
    assert not any("mallory" in name for name in unpacked)


def test_a_file_that_is_not_a_zip_is_refused_with_its_name(tmp_path):
    archive = tmp_path / "grades.zip"
    archive.write_text("this is a CSV export, not a zip\n")
    with pytest.raises(CourseError) as error:
        _collect(archive, tmp_path)
    assert "grades.zip" in str(error.value)
    assert "zip 파일을 열 수 없습니다" in str(error.value) and "Cannot open the zip file" in str(error.value)


def test_a_timestamp_that_is_not_a_date_is_dropped_and_said(tmp_path):
    gh.write_submission(tmp_path / "submitted", "alice", {"01_basics": gh.source_notebooks()["01_basics"]})
    (tmp_path / "submitted" / "alice" / "tiny" / "timestamp.txt").write_text("yesterday, around noon")
    found, _ = _collect(tmp_path / "submitted", tmp_path)
    alice = found["alice"]
    assert not (alice.folder / "timestamp.txt").exists()
    assert any("timestamp.txt" in note and "무시했습니다" in note for note in alice.notes), alice.notes
