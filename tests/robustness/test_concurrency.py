"""Many writers at once: processes appending to shared and private streams of one log.

Each writer names ``expected_version`` on every append and retries on ``ConcurrencyError``.
Afterwards the log must hold every event exactly once, at gap-free positions, with every
stream's versions contiguous in position order, and its hash chain must verify.

The full run (8 processes x 5,000 events) takes under a minute on two cores (5 to 40 s on
SQLite and 15 to 35 s on PostgreSQL, depending on the load), so it always runs.
"""

import collections
import concurrent.futures

import pytest
import robustness_workers as workers
from robustness_params import CONTEXT, SHARED

from timeline import open_log


def run_writers(url, processes, count, batch):
    """Run the writers to completion; the retries each made."""
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=CONTEXT) as pool:
        futures = [
            pool.submit(workers.concurrent_writer, url, w, count, batch) for w in range(processes)
        ]
        return [f.result(timeout=600) for f in futures]


def check_log(url, processes, count):
    total = processes * count
    with open_log(url) as log:
        assert len(log) == total
        records = list(log.read())
        assert [r.position for r in records] == list(range(1, total + 1))  # no gap
        texts = collections.Counter(r.event.text for r in records)
        expected = {f"w{w}-{i}" for w in range(processes) for i in range(count)}
        assert set(texts) == expected
        assert max(texts.values()) == 1  # no duplicate
        versions = collections.defaultdict(list)
        for r in records:
            versions[r.stream].append(r.version)
        for stream, seen in versions.items():
            assert seen == list(range(1, len(seen) + 1)), stream  # contiguous, in order
        assert log.streams() == {s: len(v) for s, v in versions.items()}
        for w in range(processes):  # each writer's events in the order it wrote them
            mine = [
                int(r.event.text.split("-")[1])
                for r in records
                if r.event.text.startswith(f"w{w}-")
            ]
            assert mine == sorted(mine)
        report = log.verify()
        assert (report.ok, report.checked) == (True, total)
    return versions


def setup_log(url):
    with open_log(url) as log:  # create the schema before the writers race to
        assert len(log) == 0


@pytest.mark.parametrize("kind", SHARED)
def test_eight_writers_append_forty_thousand_events(kind, url_for):
    url = url_for(kind)
    setup_log(url)
    run_writers(url, 8, 5000, 10)
    versions = check_log(url, 8, 5000)
    assert set(versions) == {"shared/0", "shared/1", *(f"private/{w}" for w in range(8))}
