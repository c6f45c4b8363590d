"""Code that the robustness tests run in other processes (started by forkserver or spawn).

It lives in a module of its own, not in a test file, so that a child process imports only
timeline and this, not pytest and the test module.
"""

import os
import sys
import uuid

import orjson
import pendulum

from timeline import ConcurrencyError, Statement, open_log

T0 = pendulum.datetime(2025, 6, 2, 8)


def concurrent_writer(url, worker, count, batch):
    """Append ``count`` events in batches, alternating two shared streams and a private one.

    Every append names ``expected_version``; on a :class:`ConcurrencyError` (a shared stream
    moved on) it reads the stream's version again and retries the same events. Each event's
    text is ``w{worker}-{i}``, so the test can find every one of them exactly once.

    Returns:
        How many appends were retried.
    """
    retries = 0
    private = f"private/{worker}"
    private_version = 0
    with open_log(url) as log:
        for n, start in enumerate(range(0, count, batch)):
            events = [
                Statement(occurred_at=T0, speaker=f"worker {worker}", text=f"w{worker}-{i}")
                for i in range(start, min(start + batch, count))
            ]
            if n % 3 == 2:  # one batch in three to the private stream
                log.append(events, stream=private, expected_version=private_version)
                private_version += len(events)
                continue
            stream = f"shared/{n % 3}"
            while True:
                try:
                    log.append(events, stream=stream, expected_version=log.stream_version(stream))
                    break
                except ConcurrencyError:
                    retries += 1
    return retries


def batch_size(b):
    """How many events batch ``b`` of the crash test holds (1 to 40, varied)."""
    return (b * 7919) % 40 + 1


def batch_events(b):
    """Batch ``b`` of the crash test: events whose ids and texts say which batch and item."""
    n = batch_size(b)
    return [
        Statement(
            occurred_at=T0.add(minutes=b),
            speaker=f"batch {b}",
            text=f"{i}/{n}",
            event_id=uuid.UUID(int=(1 << 120) | (b << 16) | i),
        )
        for i in range(n)
    ]


def batch_stream(b):
    """The stream batch ``b`` goes to."""
    return f"s{b % 3}"


def crash_writer(url, fd, first):
    """Append batches ``first``, ``first + 1``, ... until killed, acknowledging each.

    Writes ``ready`` to the pipe ``fd`` once the log is open, then the number of each batch
    once its append has returned: a batch acknowledged is one the log said it holds.
    """
    with open_log(url) as log:
        os.write(fd, b"ready\n")
        b = first
        while True:
            log.append(batch_events(b), stream=batch_stream(b))
            os.write(fd, b"%d\n" % b)
            b += 1


def zygote():
    """Serve the crash test: fork a writer on request, and reap it when asked.

    Reads commands from stdin, one JSON array a line: ``["start", url, first]`` forks a
    writer, which writes its lines (``ready``, then each acknowledged batch) to stdout, and
    answers ``["pid", pid]``; ``["reap", pid]`` waits for that writer to end and answers
    ``["dead", pid, status]``. It is a process of its own, with one thread, that imported
    timeline once: each writer is a fork of it and starts in milliseconds, and the test's own
    process (with pytest's state and threads) is never forked.
    """
    for line in sys.stdin.buffer:
        command = orjson.loads(line)
        if command[0] == "start":
            pid = os.fork()
            if pid == 0:  # the writer: never returns into this loop
                try:
                    crash_writer(command[1], sys.stdout.fileno(), command[2])
                finally:
                    os._exit(1)
            os.write(sys.stdout.fileno(), b'["pid",%d]\n' % pid)
        elif command[0] == "reap":
            _, status = os.waitpid(command[1], 0)
            os.write(sys.stdout.fileno(), b'["dead",%d,%d]\n' % (command[1], status))
