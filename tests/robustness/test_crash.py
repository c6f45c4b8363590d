"""Crash consistency: a writer killed with SIGKILL at random moments, 100 times per backend.

One writer process at a time appends numbered batches of 1 to 40 events (each event's id and
text say which batch and item it is) and acknowledges each batch once ``append`` returns.
After a random while it is killed with SIGKILL, wherever it is: opening the log, encoding,
inside the transaction, in the middle of a ``write`` or an ``fsync``. The log is then
reopened and must hold a prefix of whole batches, in order (every batch wholly present or
wholly absent), including every acknowledged batch and at most the one in flight, and verify.
The next round's writer reopens the same log and carries on from the batches it holds.
Writers are forked by a small process of their own (a "zygote", which imported timeline
once), so each starts in milliseconds and pytest's own process is never forked.

A JSON-lines append is one ``write`` of all its lines; a kill can in principle cut that
``write`` short (the kernel stops a write between pages for a fatal signal). That shows as a
torn tail, which ``verify`` reports at the first position of the unfinished append and
``append`` refuses to write after; the test then cuts the tail off, as docs/robustness.md
tells a user to (or ``timeline salvage``), and counts it.
"""

import os
import random
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
import robustness_workers as workers
from robustness_params import PERSISTENT

from timeline import CorruptLog, open_log

ROUNDS = 100
HERE = Path(__file__).resolve().parent


class Zygote:
    """A process that forks the writers (``robustness_workers.zygote``), and its output."""

    def __init__(self):
        paths = [str(HERE), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
        command = [sys.executable, "-c", "import robustness_workers; robustness_workers.zygote()"]
        self.process = subprocess.Popen(  # noqa: S603  # this interpreter, our own module
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
        )
        self.fd = self.process.stdout.fileno()
        self.buffer = b""
        self.seen = []  # the writer's lines: "ready", then the batches it acknowledged
        self.answers = []  # the zygote's own answers

    def send(self, *command):
        self.process.stdin.write(orjson.dumps(command) + b"\n")
        self.process.stdin.flush()

    def next(self, *, timeout):
        """Read one more line (``False`` after ``timeout`` seconds without one)."""
        while b"\n" not in self.buffer:
            if not select.select([self.fd], [], [], timeout)[0]:
                return False
            chunk = os.read(self.fd, 4096)
            assert chunk, "the zygote ended"
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        if line.startswith(b"["):
            self.answers.append(orjson.loads(line))
        else:
            self.seen.append(line.decode())
        return True

    def answer(self, kind):
        """The zygote's next answer of this kind, reading the writer's lines on the way."""
        while not self.answers:
            assert self.next(timeout=60), f"no {kind!r} from the zygote"
        answer = self.answers.pop(0)
        assert answer[0] == kind, answer
        return answer

    def close(self):
        self.process.stdin.close()
        assert self.process.wait(timeout=60) == 0
        self.process.stdout.close()


@pytest.fixture
def zygote():
    forker = Zygote()
    yield forker
    forker.close()


def kill_writer_at_random(zygote, url, first, rng):
    """Start a writer from batch ``first``, kill it after a random while; the batches it acked."""
    zygote.seen.clear()
    zygote.send("start", url, first)
    [_, pid] = zygote.answer("pid")
    try:
        # The kill lands anywhere: while the writer opens the log (one round in ten), or
        # after a random while of appending.
        if rng.random() >= 0.1:  # nine rounds in ten
            while "ready" not in zygote.seen:
                assert zygote.next(timeout=60), "the writer never got ready"
            end = time.monotonic() + rng.choice((rng.uniform(0, 0.01), rng.uniform(0, 0.1)))
            while (left := end - time.monotonic()) > 0 and zygote.next(timeout=left):
                pass
    finally:
        os.kill(pid, signal.SIGKILL)
        zygote.send("reap", pid)
    [_, _, status] = zygote.answer("dead")  # after every line the writer wrote
    assert os.WIFSIGNALED(status)
    assert os.WTERMSIG(status) == signal.SIGKILL
    return [int(line) for line in zygote.seen if line != "ready"]


def whole_batches(records, first):
    """How many whole batches the records are: batches ``first``, ``first + 1``, ... in order."""
    b, batch = first, []
    for r in records:
        if not batch:
            batch = [(e.event_id, e.text) for e in workers.batch_events(b)][::-1]
        assert ((r.event.event_id, r.event.text), r.stream) == (
            batch.pop(),
            workers.batch_stream(b),
        ), f"position {r.position}: not the next event of batch {b}"
        if not batch:
            b += 1
    assert not batch, f"batch {b} is only partly there ({len(batch)} events missing)"
    return b - first


def cut_torn_tail(path, keep):
    """Cut a JSON-lines file after its first ``keep`` lines (the intact prefix)."""
    data = Path(path).read_bytes()
    lines = data.split(b"\n")
    Path(path).write_bytes(b"".join(line + b"\n" for line in lines[:keep]))


@pytest.mark.parametrize("kind", PERSISTENT)
def test_killed_writers_leave_a_prefix_of_whole_batches(kind, url_for, zygote):
    url = url_for(kind)
    rng = random.Random(20250602)  # noqa: S311  # a reproducible schedule of kills
    held = position = 0  # whole batches in the log, and the last position they fill
    tip = None  # the hash at that position
    torn = 0
    for _ in range(ROUNDS):
        acked = kill_writer_at_random(zygote, url, held, rng)
        with open_log(url) as log:
            report = log.verify()
            records, stopped = [], None
            try:  # what this writer added (and the last record before it, to compare)
                records.extend(log.read(after=max(position - 1, 0)))
            except CorruptLog as e:
                stopped = e.position
        if stopped is not None:  # only a JSON-lines file cut short, at its first bad line
            assert kind == "jsonl"
            assert stopped == max(position - 1, 0) + len(records) + 1
        if tip is not None:
            assert records.pop(0).hash == tip, "a record before this writer started changed"
        new = whole_batches(records, held)
        assert all(a < held + new for a in acked), f"an acknowledged batch is missing: {acked}"
        assert held + new <= max(acked, default=held - 1) + 2, "more than one batch in flight"
        if not report.ok:
            # Only a JSON-lines append cut short: the unfinished append, reported at its start.
            assert kind == "jsonl"
            assert report.position == position + len(records) + 1 == report.checked + 1
            assert "interrupted" in report.reason or "cut short" in report.reason
            cut_torn_tail(url, position + len(records))
            torn += 1
            with open_log(url) as log:
                assert log.verify().ok
        held += new
        if records:
            position, tip = records[-1].position, records[-1].hash
    assert held >= ROUNDS // 2  # the kills were not all before the first append
    assert torn <= ROUNDS // 10
