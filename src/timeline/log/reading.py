"""How a log reads its stored records back: each one checked, then decoded.

:class:`CheckedReads` is the part of :class:`~timeline.log.EventLog` that every backend's
reads go through (its ``scan`` and ``find`` call :meth:`CheckedReads.decode_record` with the
stored columns). A record is handed out only if

1. the record before it exists (a deleted row is reported as *missing* at its position),
2. its stored columns and payload, chained to the hash stored with the record before it,
   give its stored hash (:func:`~timeline.log.records.chain_hash`), and
3. its payload decodes to an event its type's validators accept (the trusted decoder's
   guards, :class:`~timeline.codec.TrustedDecoder`).

The hash of the record before costs nothing in a read in position order (it is the record
just read); otherwise it is looked up: :meth:`CheckedReads.stored_hash` (one primary-key
lookup in the built-in backends), or read by the backend with the record itself and given to
:meth:`CheckedReads.decode_record` (the SQL backends join it in their filtered reads). The
checks cost one SHA-256 per record, about a microsecond, on top of decoding it.
"""

from __future__ import annotations

import abc
import enum
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Final

import attrs
import orjson
from pendulum import DateTime

from timeline.codec import TrustedDecoder
from timeline.errors import CorruptLog, DecodeError, InvalidEvent
from timeline.log.records import (
    GENESIS,
    Recorded,
    StoredRecord,
    chain_hash,
    changed_record,
    missing_record,
)
from timeline.time import parse_utc

if TYPE_CHECKING:
    from timeline.codec import Codec
    from timeline.events import Event

__all__ = ["CheckedReads", "Link"]


class Link(enum.Enum):
    """What :meth:`CheckedReads.decode_record` chains a record to when it is not given a hash."""

    #: The hash of the record read just before it, if that is the one before it; else the
    #: hash stored with the record before it (:meth:`CheckedReads.stored_hash`).
    LOOK_UP = "look up"
    #: Nothing: the record is decoded without the check (``read(verify=False)``).
    UNCHECKED = "unchecked"


# The members by module name: reading one through its class goes through the enum's
# metaclass, which is slow on the hot path.
_LOOK_UP: Final = Link.LOOK_UP
_UNCHECKED: Final = Link.UNCHECKED


def _canonical(payload: dict[str, Any]) -> bytes:
    """The canonical bytes of a payload a backend parsed (sorted keys, as the codec writes)."""
    return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)


class CheckedReads(abc.ABC):
    """Checks and decodes stored records: the reading half of :class:`~timeline.log.EventLog`.

    The attributes are set by ``EventLog.__init__``.
    """

    codec: Codec
    # The trusted decoder, and the last recorded_at read (records appended together share
    # it); the position and stored hash of the last record read, which in a read in
    # position order is the record before the one being read (so no lookup is needed).
    _trusted: TrustedDecoder | None
    _recorded: tuple[str, DateTime]
    _last: tuple[int, str]

    @abc.abstractmethod
    def raw(self) -> Iterator[StoredRecord]:
        """Every stored record in position order, undecoded (see ``EventLog.raw``)."""

    def decode_record(  # noqa: PLR0917  # one argument per stored column, on the hot path
        self,
        position: int,
        stream: str,
        version: int,
        recorded_at: str,
        payload: bytes | dict[str, Any],
        hash_: str,
        previous: str | Link | None = Link.LOOK_UP,
    ) -> Recorded:
        """Check a stored record and build its :class:`Recorded`: the one call a backend makes.

        First the check: the record's columns and payload, chained to the hash stored with
        the record before it (``previous``), must give ``hash_``. A backend that reads that
        hash with each record (SQL: a primary-key lookup in the same query, so that a
        filtered read costs no query per record) gives it, or ``None`` where the storage
        holds no record at ``position - 1`` (for position 1 it is ignored: the first record
        follows :data:`~timeline.log.GENESIS`). Left out, it is the hash of the record just
        decoded in a read in position order, and otherwise looked up (:meth:`stored_hash`).
        Then the event: ``payload`` is either the canonical bytes ``append`` stored, built by
        the codec's :class:`~timeline.codec.TrustedDecoder` (without calling the validators
        again, but never into an event they would refuse), or the mapping a backend parsed
        from a document people may edit (a line of a JSON-lines file), hashed as its
        canonical bytes and decoded as any outside data is. See ``docs/decisions.md``.

        Raises:
            CorruptLog: naming the position: the record before it is missing, the record
                was changed (its hash does not match), or it cannot be decoded.
        """
        last, before = self._last
        if previous is _LOOK_UP and last == position - 1:  # a read in position order
            previous = before
        elif previous is not _UNCHECKED:
            previous = self._hash_before(position, previous)
        if previous is not _UNCHECKED:
            try:
                data = payload if type(payload) is bytes else _canonical(payload)  # type: ignore[arg-type]  # a mapping
                intact = chain_hash(previous, position, stream, version, recorded_at, data) == hash_
            except (TypeError, AttributeError):  # a column of another kind: a damaged row
                intact = False
            if not intact:
                raise changed_record(position)
        try:
            if type(payload) is dict:
                event = self.codec.from_dict(payload)
            else:
                trusted = self._trusted
                if trusted is None or trusted.codec is not self.codec:
                    trusted = self._trusted = TrustedDecoder(self.codec)
                event = trusted.decode(payload)  # type: ignore[arg-type]  # bytes, as stored
            text, at = self._recorded  # one tuple, so threads never see half of it
            if recorded_at != text:
                at = parse_utc(recorded_at, field="recorded_at")
                self._recorded = (recorded_at, at)
        except (DecodeError, InvalidEvent, ValueError) as e:
            raise CorruptLog(
                f"record at position {position} cannot be read: {e}",
                position=position,
                reason=str(e),
            ) from e
        self._last = (position, hash_)
        return _new_recorded(position, stream, version, at, event, hash_)

    def decode_rows(
        self, rows: Iterable[tuple[Any, ...]], *, linked: bool = False
    ) -> Iterator[Recorded]:
        """:meth:`decode_record` of each row of a page of stored records, in one loop.

        Each row is ``(position, stream, version, recorded_at, payload, hash)``, and with
        ``linked`` the hash stored with the record before it as a seventh column (see
        :meth:`decode_record`'s ``previous``). The records and the errors are those of
        :meth:`decode_record`; the common row (canonical bytes, chained to the row read just
        before it or to the hash given, built by the trusted decoder) is checked and built
        here without a call per row, and any other row goes through :meth:`decode_record`,
        which reads it or says what is wrong with it.
        """
        trusted = self._trusted
        if trusted is None or trusted.codec is not self.codec:
            trusted = self._trusted = TrustedDecoder(self.codec)
        builders: dict[tuple[object, object], Callable[[Any], Event] | None] = {}
        last, before = self._last  # the record just read, and its stored hash
        text, at = self._recorded
        try:
            for row in rows:
                event = None
                try:
                    if linked:
                        position, stream, version, recorded_at, payload, hash_, previous = row
                        usual = previous is not None and position > 1
                    else:
                        position, stream, version, recorded_at, payload, hash_ = row
                        previous, usual = before, last == position - 1
                    if (
                        usual
                        and chain_hash(previous, position, stream, version, recorded_at, payload)
                        == hash_
                    ):
                        parsed = _loads(payload)
                        key = (parsed["type"], parsed["version"])
                        build = builders.get(key)
                        if build is None:
                            build = builders[key] = trusted.builder(*key)
                        if build is not None:
                            event = build(parsed)
                        if recorded_at != text:
                            at = parse_utc(recorded_at, field="recorded_at")
                            text = recorded_at
                except Exception:  # noqa: BLE001  # the careful way reads it or says why not
                    event = None
                if event is None:  # any other row: the careful way
                    self._last, self._recorded = (last, before), (text, at)
                    record = self.decode_record(*row)
                    last, before = self._last
                    text, at = self._recorded
                else:
                    record = _new_recorded(position, stream, version, at, event, hash_)
                    last, before = position, hash_
                yield record
        finally:  # also when the reader stops early
            self._last, self._recorded = (last, before), (text, at)

    #: For a backend that gives the hash of the record before (:meth:`decode_record`'s
    #: ``previous``); and the name :meth:`decode_record` had for bytes the log wrote itself.
    decode_linked = decode_own_record = decode_record

    def _decode_stored(self, *stored: *tuple[int, str, int, str, bytes, str]) -> Recorded:
        """:meth:`decode_record` of a record's stored columns without the check (``verify=False``)."""
        return self.decode_record(*stored, _UNCHECKED)

    def stored_hash(self, position: int) -> str | None:
        """The hash stored with the record at a position, or ``None`` if there is none.

        Part of the storage protocol, optional: :meth:`decode_record` asks it for the hash
        a record chains from when that record was not the last one read (a filtered read,
        ``get``, the first record after a position). This default walks :meth:`raw` up to
        the position; a backend with an index answers in one lookup.
        """
        for record in self.raw():
            if record.position >= position:
                return record.hash if record.position == position else None
        return None

    def _hash_before(self, position: int, previous: str | Link | None = Link.LOOK_UP) -> str:
        """The hash the record at ``position`` chains from.

        ``previous`` is the hash stored with the record before it, ``None`` where there is
        none, or (left out) looked up.

        Raises:
            CorruptLog: if there is no record before it.
        """
        if position <= 1:
            return GENESIS
        if previous is _LOOK_UP:
            previous = self.stored_hash(position - 1)
        if previous is None or previous is _UNCHECKED:
            raise missing_record(self._gap_start(position - 1))
        return previous

    def _gap_start(self, missing: int) -> int:
        """Where the run of missing positions that ends at ``missing`` starts.

        Found in about 2·log2(length) lookups: back in doubling steps to a position that is
        there, then by bisection to the first missing one after it.
        """
        low, step = missing, 1  # low: known to be missing
        while True:
            probe = missing - step
            if probe < 1:
                present = 0
                break
            if self.stored_hash(probe) is not None:
                present = probe
                break
            low, step = probe, step * 2
        while low - present > 1:  # present is there, low is missing
            middle = (present + low) // 2
            if self.stored_hash(middle) is None:
                low = middle
            else:
                present = middle
        return low


# A Recorded made without its frozen ``__init__``: the instance, then its six slots in
# field order. A Recorded has no converters or validators, so this is the object the
# constructor makes, for less on the hot path (tests/log/test_reads_checked.py holds the
# two equal).
_loads: Final = orjson.loads
_new: Final = object.__new__
(_set_position, _set_stream, _set_version, _set_recorded_at, _set_event, _set_hash) = (
    vars(Recorded)[field.name].__set__ for field in attrs.fields(Recorded)
)


def _new_recorded(  # noqa: PLR0917  # the six fields, in order
    position: int, stream: str, version: int, at: DateTime, event: Event, hash_: str
) -> Recorded:
    """``Recorded(position, stream, version, at, event, hash_)``, its slots set directly."""
    record: Recorded = _new(Recorded)
    _set_position(record, position)
    _set_stream(record, stream)
    _set_version(record, version)
    _set_recorded_at(record, at)
    _set_event(record, event)
    _set_hash(record, hash_)
    return record
