"""The conformance suite's tests of damage: records changed behind the log's back.

Reads never serve, and appends never build on, a record that ``append`` did not make.

The damage is done through the storage protocol itself, as another program writing to the
store would do it: inside ``writing()``, ``insert()`` is given records that ``append`` would
never make (a record whose bytes do not give its hash; a forged payload, re-hashed so that
the chain holds). Every backend that stores records and decodes them when it reads them
must refuse to serve them. A backend that keeps the objects ``append`` gave it and reads
those back sets :attr:`DamageContract.stores_records` to ``False`` (``MemoryLog`` and its
subclasses are skipped as such).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import orjson
import pytest

from timeline.errors import CorruptLog
from timeline.events import DroneBarrage, Event, Statement
from timeline.log import EventLog, MemoryLog, StoredRecord, chain_hash
from timeline.testing._contract_support import T0, barrage, statement
from timeline.time import isoformat

__all__ = ["DamageContract"]


def _insert_behind(log: EventLog, event: Event, *, payload: bytes | None = None,
                   hash_: str | None = None) -> StoredRecord:  # fmt: skip
    """Store one record after the tail through ``insert``, as ``append`` never would."""
    with log.writing():
        position, previous, _ = log.tail()
        stream, version = "forged", log.stream_version("forged") + 1
        stamp = isoformat(T0)
        data = log.codec.encode(event) if payload is None else payload
        if hash_ is None:
            hash_ = chain_hash(previous, position + 1, stream, version, stamp, data)
        record = StoredRecord(
            position + 1, stream, version, stamp, data, hash_,
            str(event.event_id), event.TYPE, isoformat(event.occurred_at),
        )  # fmt: skip
        log.insert([record])
    return record


def _forged(event: Event, log: EventLog, **changes: Any) -> bytes:
    """The event's canonical bytes with some values changed (sorted keys, as the codec writes)."""
    data = orjson.loads(log.codec.encode(event))
    data.update(changes)
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


class DamageContract:
    """Reads check what they serve; appends refuse a damaged tail."""

    #: Whether the backend stores records and decodes them on reading (``False`` for a
    #: store of the objects ``append`` made, which cannot be changed behind its back).
    stores_records: ClassVar[bool] = True
    changed: Event  # the record the damaged log's last record holds

    @pytest.fixture
    def damaged(self, log: EventLog) -> tuple[EventLog, list[Any]]:
        """A log of five intact records, then one whose bytes do not give its hash."""
        if not self.stores_records or isinstance(log, MemoryLog):
            pytest.skip(f"{type(log).__name__} serves the objects append made")
        intact = log.append([statement(i) for i in range(3)], stream="a")
        intact += log.append([barrage(3), statement(4)], stream="b")
        self.changed = statement(5)
        _insert_behind(log, self.changed, hash_="f" * 64)
        return log, intact

    def test_a_changed_record_is_never_read(self, damaged: tuple[EventLog, list[Any]]) -> None:
        log, intact = damaged
        served: list[Any] = []
        with pytest.raises(CorruptLog) as caught:
            served.extend(log.read())
        assert caught.value.position == 6
        assert served == intact  # everything before it, as appended
        with pytest.raises(CorruptLog) as caught:
            list(log.read(after=5))
        assert caught.value.position == 6

    def test_filtered_reads_and_lookups_check_what_they_serve(
        self, damaged: tuple[EventLog, list[Any]]
    ) -> None:
        log, _ = damaged
        changed = self.changed.event_id
        reads: dict[str, Callable[[], object]] = {
            "stream": lambda: list(log.read(stream="forged")),
            "types": lambda: list(log.read(types=Statement)),
            "occurred": lambda: list(log.read(order="occurred")),
            "head": log.head,
            "get": lambda: log.get(changed),
        }
        for name, read in reads.items():
            with pytest.raises(CorruptLog) as caught:
                read()
            assert caught.value.position == 6, name
        # A read that need not pass the damage serves what it asks for (a backend without
        # indexes decodes every record, and may raise at the damage after serving them).
        served: list[Any] = []
        try:
            served.extend(log.read(types=DroneBarrage))
        except CorruptLog as e:
            assert e.position == 6  # noqa: PT017  # the damage, after the records before it
        assert [r.position for r in served] == [4]

    def test_read_without_verify_serves_what_is_stored(
        self, damaged: tuple[EventLog, list[Any]]
    ) -> None:
        log, intact = damaged
        stored = list(log.read(verify=False))
        assert stored[:5] == intact
        assert [r.position for r in stored] == [1, 2, 3, 4, 5, 6]
        assert stored[5].hash == "f" * 64
        assert [r.position for r in log.read(stream="forged", verify=False)] == [6]

    def test_no_append_on_top_of_a_changed_record(
        self, damaged: tuple[EventLog, list[Any]]
    ) -> None:
        log, _ = damaged
        with pytest.raises(CorruptLog) as caught:
            log.append([statement(9)], stream="a")
        assert caught.value.position == 6
        assert len(log) == 6

    def test_a_rehashed_forgery_is_never_built(self, log: EventLog) -> None:
        """A payload changed and the chain re-hashed: verify() holds, the decoder refuses."""
        if not self.stores_records or isinstance(log, MemoryLog):
            pytest.skip(f"{type(log).__name__} serves the objects append made")
        [honest] = log.append([barrage(0)], stream="air")
        forgery = barrage(1)
        _insert_behind(log, forgery, payload=_forged(forgery, log, launched="many"))
        assert log.verify().ok  # the chain holds: only an earlier checkpoint would tell
        served: list[Any] = []
        with pytest.raises(CorruptLog, match="launched") as caught:
            served.extend(log.read())
        assert (caught.value.position, served) == (2, [honest])
        with pytest.raises(CorruptLog, match="launched"):
            log.get(forgery.event_id)
        too_many = barrage(2)  # of the right types, but more destroyed than launched
        _insert_behind(log, too_many, payload=_forged(too_many, log, destroyed=10_000))
        with pytest.raises(CorruptLog, match="destroyed") as caught:
            list(log.read(after=2))
        assert caught.value.position == 3
