"""What the log benchmarks share, word for word (``benchmarks`` is not a package).

Imported by ``log.py``, ``postgres.py`` and ``io.py`` as ``import _common``: a script run as
``python benchmarks/NAME.py`` has ``benchmarks/`` on its path.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from pendulum import DateTime

from timeline import Recorded
from timeline.log.base import chain_hash

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

HERE = Path(__file__).resolve().parent


def load_log_benchmark() -> Any:
    """``benchmarks/log.py`` as a module: its events, the floor's codec and the ES types."""
    if "bench_log" in sys.modules:
        return sys.modules["bench_log"]
    spec = importlib.util.spec_from_file_location("bench_log", HERE / "log.py")
    if spec is None or spec.loader is None:
        raise SystemExit("cannot load benchmarks/log.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_log"] = module
    spec.loader.exec_module(module)
    return module


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, printed before and after the runs."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def count_all(records: Iterator[Any]) -> int:
    """Consume a reader the same way for every side: every object is materialised."""
    n = 0
    for _ in records:
        n += 1
    return n


def check(got: int, expected: int, side: str) -> None:
    if got != expected:
        raise SystemExit(f"{side} read {got} events back, expected {expected}")


def verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"≥{target:.2f} {'PASS' if ratio >= target else 'MISS'}"


def floor_chain(  # noqa: PLR0917  # the tail the floor read, passed as it is
    prepared: Sequence[tuple[Any, Any, str, bytes]],
    stream: str,
    version: int,
    position: int,
    previous: str,
    stamp: str,
    now: DateTime,
) -> tuple[list[tuple[Any, ...]], list[Recorded]]:
    """The floors' rows and results: number the events after the tail and chain their hashes.

    ``prepared`` holds ``(event, event_id, occurred_at, payload)`` for each event; the rows
    are the log's columns, ``(position, event_id, stream, version, type, occurred_at,
    recorded_at, payload, hash)``.
    """
    rows = []
    records = []
    for e, event_id, occurred_at, payload in prepared:
        position += 1
        version += 1
        previous = chain_hash(previous, position, stream, version, stamp, payload)
        rows.append(
            (position, event_id, stream, version, e.TYPE, occurred_at, stamp, payload, previous)
        )
        records.append(Recorded(position, stream, version, now, e, previous))
    return rows, records


def floor_records(
    fetch_page: Callable[[int], list[tuple[Any, ...]]],
    builders: Mapping[tuple[str, int], Callable[[dict[str, Any]], Any]],
    page: int,
) -> Iterator[Recorded]:
    """The floors' read: the records page by page, each payload built by its type's builder.

    ``fetch_page(after)`` gives the rows ``(position, stream, version, recorded_at, payload,
    hash)`` past a position, at most ``page`` of them, in order.
    """
    loads = orjson.loads
    from_iso = DateTime.fromisoformat
    after = 0
    while True:
        rows = fetch_page(after)
        for position, stream, version, recorded_at, payload, hash_ in rows:
            d = loads(payload)
            event = builders[d["type"], d["version"]](d)
            yield Recorded(position, stream, version, from_iso(recorded_at), event, hash_)
        if len(rows) < page:
            return
        after = rows[-1][0]
