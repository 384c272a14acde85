"""Tests for crawler.jsonl_writer: atomic commits, rotation, UTF-8 output and safe file names."""

import json
import os
from pathlib import Path

import pytest

from crawler.jsonl_writer import (
    PART_SUFFIX,
    RotatingJsonlWriter,
    discard_unfinished,
    encode_record,
    safe_path_component,
)

ARABIC_RECORD = {"title": "انفجار في مرفأ بيروت", "text": "قالت مصادر أمنية إن الانفجار وقع صباحاً.", "n": 1}


def records(count: int) -> list[dict]:
    return [{"id": number, "title": f"خبر رقم {number}"} for number in range(count)]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_nothing_is_visible_as_jsonl_before_commit(tmp_path):
    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=10)
    writer.write(ARABIC_RECORD)

    assert list(tmp_path.glob("*.jsonl")) == []
    assert [p.name for p in tmp_path.iterdir()] == ["run1-0001.jsonl" + PART_SUFFIX]
    assert writer.pending_count == 1
    writer.commit()  # also closes the open handle


def test_commit_renames_the_part_file_and_holds_valid_json_lines(tmp_path):
    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=10)
    for record in records(3):
        writer.write(record)

    final = writer.commit()

    assert final == tmp_path / "run1-0001.jsonl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1-0001.jsonl"]
    assert read_jsonl(final) == records(3)
    assert writer.pending_count == 0
    assert writer.committed_files == [final]


def test_arabic_is_written_as_real_utf8_not_escapes(tmp_path):
    writer = RotatingJsonlWriter(tmp_path, "run1")
    writer.write(ARABIC_RECORD)

    raw = writer.commit().read_bytes()

    assert "انفجار في مرفأ بيروت".encode("utf-8") in raw
    assert b"\\u" not in raw
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1


def test_encode_record_is_one_compact_line():
    line = encode_record({"text": "سطر أول\nسطر ثان", "n": 2})

    assert line == '{"text":"سطر أول\\nسطر ثان","n":2}\n'


def test_a_record_that_cannot_be_encoded_opens_no_file_and_spoils_nothing(tmp_path):
    writer = RotatingJsonlWriter(tmp_path, "run")
    with pytest.raises(TypeError):
        writer.write({"url": "u", "when": object()})
    assert list(tmp_path.iterdir()) == [] and writer.pending_count == 0
    writer.write({"url": "u"})
    path = writer.commit()
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == [{"url": "u"}]


def test_commit_with_nothing_pending_returns_none_and_creates_nothing(tmp_path):
    directory = tmp_path / "data"
    writer = RotatingJsonlWriter(directory, "run1")

    assert writer.commit() is None
    assert not directory.exists()
    assert writer.committed_files == []


def test_rotation_after_max_items(tmp_path):
    committed = []
    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=2, on_commit=lambda path, recs: committed.append(path))
    for record in records(5):
        writer.write(record)

    assert [p.name for p in committed] == ["run1-0001.jsonl", "run1-0002.jsonl"]
    assert read_jsonl(committed[0]) == records(5)[:2]
    assert read_jsonl(committed[1]) == records(5)[2:4]
    assert writer.pending_count == 1
    assert (tmp_path / ("run1-0003.jsonl" + PART_SUFFIX)).exists()

    last = writer.commit()

    assert last.name == "run1-0003.jsonl"
    assert read_jsonl(last) == records(5)[4:]


def test_on_commit_gets_the_final_path_and_records_after_the_rename(tmp_path):
    seen = []

    def on_commit(path: Path, committed_records: list[dict]) -> None:
        # What matters is the state of the disk at the moment of the callback.
        seen.append((path, list(committed_records), path.exists(), Path(str(path) + PART_SUFFIX).exists()))

    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=100, on_commit=on_commit)
    for record in records(3):
        writer.write(record)
    final = writer.commit()

    assert seen == [(final, records(3), True, False)]


def test_never_overwrites_an_existing_file_of_the_same_stem(tmp_path):
    earlier = tmp_path / "run1-0001.jsonl"
    earlier.write_text('{"old": true}\n', encoding="utf-8")
    (tmp_path / "run1-0002.jsonl").write_text('{"old": 2}\n', encoding="utf-8")

    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=1)
    writer.write({"new": True})

    assert earlier.read_text(encoding="utf-8") == '{"old": true}\n'
    assert writer.committed_files == [tmp_path / "run1-0003.jsonl"]
    assert read_jsonl(tmp_path / "run1-0003.jsonl") == [{"new": True}]


def test_second_writer_with_the_same_stem_continues_the_numbering(tmp_path):
    first = RotatingJsonlWriter(tmp_path, "run1", max_items=1)
    first.write({"writer": 1})
    second = RotatingJsonlWriter(tmp_path, "run1", max_items=1)
    second.write({"writer": 2})

    assert read_jsonl(tmp_path / "run1-0001.jsonl") == [{"writer": 1}]
    assert read_jsonl(tmp_path / "run1-0002.jsonl") == [{"writer": 2}]


def test_hostile_stem_stays_inside_the_directory(tmp_path):
    directory = tmp_path / "data"
    writer = RotatingJsonlWriter(directory, "../../escape", max_items=1)
    writer.write({"a": 1})

    (final,) = writer.committed_files
    assert final.parent == directory
    assert final.name == "escape-0001.jsonl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_discard_unfinished_removes_part_files_only(tmp_path):
    nested = tmp_path / "aljazeera"
    nested.mkdir()
    keep = [tmp_path / "run1-0001.jsonl", nested / "run1-0001.jsonl", nested / "notes.txt"]
    drop = [tmp_path / ("run1-0002.jsonl" + PART_SUFFIX), nested / ("run1-0002.jsonl" + PART_SUFFIX)]
    for path in keep + drop:
        path.write_text("{}\n", encoding="utf-8")

    removed = discard_unfinished(tmp_path)

    assert removed == 2
    assert all(path.exists() for path in keep)
    assert not any(path.exists() for path in drop)


def test_discard_unfinished_after_a_crash_leaves_committed_files(tmp_path):
    writer = RotatingJsonlWriter(tmp_path, "run1", max_items=2)
    for record in records(3):  # one committed file, one record left in a .part
        writer.write(record)
    writer._handle.close()  # a crashed process's open file dies with it; the .part stays

    assert discard_unfinished(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1-0001.jsonl"]
    assert discard_unfinished(tmp_path) == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc", "etc"),
        ("a/b", "a-b"),
        ("a\\b", "a-b"),
        ("", "unnamed"),
        ("..", "unnamed"),
        ("../", "unnamed"),
        (".hidden", "hidden"),
        ("الجزيرة", "unnamed"),
        ("news.example.com", "news.example.com"),
        ("al-masry_alyoum", "al-masry_alyoum"),
    ],
)
def test_safe_path_component_values(name, expected):
    assert safe_path_component(name) == expected


@pytest.mark.parametrize(
    "name",
    ["../../etc", "a/b", "", "..", ".", "/", "الجزيرة نت", "a/../../b", "..\\..\\windows", "\x00", "x" * 300],
)
def test_safe_path_component_is_a_single_safe_component(name, tmp_path):
    component = safe_path_component(name)

    assert component not in ("", ".", "..")
    assert "/" not in component and "\\" not in component and os.sep not in component
    assert len(component) <= 80
    assert (tmp_path / component).resolve().parent == tmp_path.resolve()
