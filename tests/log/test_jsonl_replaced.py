"""JsonlLog when its path stops naming the file it opened (issue 14, finding 3).

A ``git checkout`` or an editor's save replaces a file by a rename; an open ``JsonlLog`` then
holds a file no reader of the path will open again. It must refuse (``LogReplaced``) rather
than acknowledge appends that are lost, or number a second history beside the first.
"""

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pendulum
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from timeline import CorruptLog, LogReplaced, Statement
from timeline.log.jsonl import JsonlLog
from timeline.testing import FixedClock

T0 = pendulum.datetime(2025, 6, 2, 8)


def statements(n, *, start=0):
    return [
        Statement(occurred_at=T0.add(minutes=start + i), speaker="Hakan Fidan", text=f"{start + i}")
        for i in range(n)
    ]


def positions(records):
    return [r.position for r in records]


def history(path):
    """The (position, hash) pairs a fresh reader of the path sees."""
    with JsonlLog(path) as reader:
        return [(r.position, r.hash) for r in reader.read()]


def make_log(path, n, *, start=0):
    """A file at ``path`` holding ``n`` records (one append), closed again."""
    with JsonlLog(path, clock=FixedClock(T0, tick=dt.timedelta(seconds=1))) as log:
        if n:
            log.append(statements(n, start=start), stream="s")


@pytest.fixture
def path(tmp_path):
    return tmp_path / "war.jsonl"


@pytest.fixture
def log(path):
    with JsonlLog(path) as log:
        log.append(statements(5), stream="s")
        yield log


def test_an_append_after_the_file_was_replaced_by_another_history_is_refused(log, path):
    other = path.with_name("other.jsonl")
    make_log(other, 3, start=100)
    other.replace(path)  # what `git checkout` does
    there = path.read_bytes()
    with pytest.raises(LogReplaced) as caught:
        log.append(statements(1, start=5), stream="s")
    error = caught.value
    assert isinstance(error, CorruptLog)
    assert (error.path, error.reason, error.position) == (str(path), "replaced", 1)
    assert str(path) in str(error)
    assert "close it and open the path again" in str(error)
    assert path.read_bytes() == there  # nothing written to the new file either
    with JsonlLog(path) as again:  # the new history carries on, alone
        assert positions(again.append(statements(1, start=6), stream="s")) == [4]
        assert again.verify().ok
        assert positions(again.read()) == [1, 2, 3, 4]


def test_an_append_after_the_file_was_replaced_by_a_copy_of_itself_is_refused(log, path):
    copy = path.with_name("copy.jsonl")
    shutil.copyfile(path, copy)
    copy.replace(path)  # an editor's save that changed nothing
    before = path.read_bytes()
    with pytest.raises(LogReplaced, match="replaced by a rename"):
        log.append(statements(1, start=5), stream="s")
    assert path.read_bytes() == before
    with JsonlLog(path) as again:
        assert positions(again.append(statements(1, start=5), stream="s")) == [6]
        assert again.verify().ok


def test_an_append_after_the_file_was_deleted_is_refused_and_creates_nothing(log, path):
    path.unlink()
    with pytest.raises(LogReplaced) as caught:
        log.append(statements(1, start=5), stream="s")
    assert caught.value.reason == "deleted"
    assert "was deleted" in str(caught.value)
    assert not path.exists()


def test_reads_through_an_object_whose_file_was_replaced_are_refused(log, path):
    event_id = next(iter(log.read())).event.event_id
    make_log(path.with_name("other.jsonl"), 2, start=50)
    path.with_name("other.jsonl").replace(path)
    for read in (
        lambda: list(log.read()),
        lambda: list(log.read(stream="s")),
        lambda: len(log),
        log.streams,
        lambda: log.get(event_id),
        log.verify,
    ):
        with pytest.raises(LogReplaced):
            read()


def test_the_issues_two_writers_make_one_history_not_two(path):
    make_log(path, 6)
    first = JsonlLog(path)  # opened before the checkout
    old = path.with_name("old.jsonl")
    make_log(old, 1, start=100)
    old.replace(path)  # `git checkout` of an older version
    second = JsonlLog(path)  # opened after it
    assert positions(second.append(statements(1, start=200), stream="s")) == [2]
    with pytest.raises(LogReplaced):
        first.append(statements(1, start=300), stream="s")  # was position 7 of a lost file
    assert positions(second.append(statements(1, start=201), stream="s")) == [3]
    first.close()
    second.close()
    assert [p for p, _ in history(path)] == [1, 2, 3]
    with JsonlLog(path) as reader:
        assert reader.verify().ok


def test_two_writers_opened_before_a_replacement_both_refuse(path):
    make_log(path, 2)
    a, b = JsonlLog(path), JsonlLog(path)
    a.append(statements(1, start=10), stream="s")
    b.append(statements(1, start=11), stream="s")
    copy = path.with_name("copy.jsonl")
    shutil.copyfile(path, copy)
    copy.replace(path)
    for writer in (a, b):
        with pytest.raises(LogReplaced):
            writer.append(statements(1, start=20), stream="s")
        writer.close()
    assert [p for p, _ in history(path)] == [1, 2, 3, 4]


def test_a_rename_during_the_write_cuts_the_write_off_and_refuses(log, path, monkeypatch):
    """A rename between the check under the lock and the write: caught after the write."""
    aside = path.with_name("war.jsonl~")  # an editor keeps the old file as a backup
    newer = path.with_name("newer.jsonl")
    shutil.copyfile(path, newer)
    real_write = os.write

    def replaced_meanwhile(fd, data):
        if path.exists() and not aside.exists():
            path.rename(aside)
            newer.rename(path)
        return real_write(fd, data)

    old = path.read_bytes()
    monkeypatch.setattr(os, "write", replaced_meanwhile)
    with pytest.raises(LogReplaced):
        log.append(statements(1, start=5), stream="s")
    monkeypatch.undo()
    assert aside.read_bytes() == old  # the write that landed in the old file is cut off
    assert path.read_bytes() == old  # the new file never saw it
    assert [p for p, _ in history(path)] == [1, 2, 3, 4, 5]


def test_a_log_opened_through_a_symlink_keeps_working(tmp_path):
    target = tmp_path / "data" / "war.jsonl"
    target.parent.mkdir()
    link = tmp_path / "war.jsonl"
    link.symlink_to(target)
    with JsonlLog(link) as log:
        assert positions(log.append(statements(2), stream="s")) == [1, 2]
        assert positions(log.read()) == [1, 2]


class ReplacedFiles(RuleBasedStateMachine):
    """Writers on one path while the file is replaced, copied over and deleted at random.

    Whatever happens, an acknowledged append is what a fresh reader of the path sees right
    after it, and the file at the path is always one intact history.
    """

    def __init__(self):
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.path = self.folder / "war.jsonl"
        self.writers = []
        self.spares = 0
        self.serial = 0

    @rule()
    def open_writer(self):
        self.writers.append(JsonlLog(self.path, fsync=False))

    @precondition(lambda self: self.writers)
    @rule(data=st.data(), n=st.integers(1, 3))
    def append(self, data, n):
        writer = data.draw(st.sampled_from(self.writers))
        self.serial += n
        try:
            records = writer.append(statements(n, start=self.serial * 10), stream="s")
        except LogReplaced:
            return
        seen = dict(history(self.path))
        for r in records:
            assert seen.get(r.position) == r.hash

    @precondition(lambda self: self.path.exists())
    @rule()
    def replace_by_a_copy(self):
        copy = self.folder / "copy.jsonl"
        shutil.copyfile(self.path, copy)
        copy.replace(self.path)

    @rule(n=st.integers(0, 4))
    def replace_by_another_history(self, n):
        self.spares += 1
        other = self.folder / f"other-{self.spares}.jsonl"
        make_log(other, n, start=1000 * self.spares)
        other.replace(self.path)

    @precondition(lambda self: self.path.exists())
    @rule()
    def delete(self):
        self.path.unlink()

    @invariant()
    def one_intact_history(self):
        if self.path.exists():
            with JsonlLog(self.path) as reader:
                assert reader.verify().ok

    def teardown(self):
        for writer in self.writers:
            writer.close()
        shutil.rmtree(self.folder)


TestReplacedFiles = ReplacedFiles.TestCase
TestReplacedFiles.settings = settings(max_examples=30, stateful_step_count=15, deadline=None)
