"""How a log reads its stored records back: each one checked, then decoded.

:class:`CheckedReads` is the part of :class:`~timeline.log.EventLog` that every backend's
reads go through (its ``scan`` and ``find`` call :meth:`CheckedReads.decode_record` with the
stored columns). A record is handed out only if

1. the record before it exists (a deleted row is reported as *missing* at its position),
2. its stored columns and payload, chained to the hash stored with the record before it,
   give its stored hash (:func:`~timeline.log.records.check_link`), and
3. its payload decodes to an event its type's validators accept (the trusted decoder's
   guards, :class:`~timeline.codec.TrustedDecoder`).

The hash of the record before costs nothing in a read in position order (it is the record
just read); otherwise it is looked up: :meth:`CheckedReads.stored_hash` (one primary-key
lookup in the built-in backends), or read by the backend with the record itself and given to
:meth:`CheckedReads.decode_linked` (the SQL backends join it in their filtered reads). The
checks cost one SHA-256 per record, about a microsecond, on top of decoding it.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import attrs
from pendulum import DateTime

from timeline.codec import TrustedDecoder
from timeline.errors import CorruptLog, DecodeError, InvalidEvent
from timeline.log.records import (
    GENESIS,
    Recorded,
    StoredRecord,
    chain_hash,
    check_link,
    missing_record,
)
from timeline.time import parse_utc

if TYPE_CHECKING:
    from timeline.codec import Codec
    from timeline.events import Event

__all__ = ["CheckedReads"]


class CheckedReads(abc.ABC):
    """Checks and decodes stored records: the reading half of :class:`~timeline.log.EventLog`.

    The attributes are set by ``EventLog.__init__``.
    """

    codec: Codec
    # The trusted decoder, and the last recorded_at read (records appended together share
    # it); the position and stored hash of the last record checked, which in a read in
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
    ) -> Recorded:
        """Check a stored record and build its :class:`Recorded`: the one call a backend makes.

        First the check: the record's columns and payload, chained to the hash stored with
        the record before it, must give ``hash_``. In a read in position order that is the
        hash of the record just decoded; otherwise it is looked up (:meth:`stored_hash`).
        Then the event: ``payload`` is either the canonical bytes ``append`` stored, built by
        the codec's :class:`~timeline.codec.TrustedDecoder` (without calling the validators
        again, but never into an event they would refuse), or the mapping a backend parsed
        from a document people may edit (a line of a JSON-lines file), hashed as its
        canonical bytes and decoded as any outside data is. See ``docs/decisions.md``.

        Raises:
            CorruptLog: naming the position: the record before it is missing, the record
                was changed (its hash does not match), or it cannot be decoded.
        """
        last, previous = self._last
        if last != position - 1:
            previous = self._hash_before(position)
        try:
            intact = (
                type(payload) is bytes
                and chain_hash(previous, position, stream, version, recorded_at, payload) == hash_
            )
        except TypeError:  # a column of another kind: a damaged row
            intact = False
        if not intact:  # a mapping (hashed as its canonical bytes), or a changed record
            check_link(previous, position, stream, version, recorded_at, payload, hash_)
        record = self._decode_stored(position, stream, version, recorded_at, payload, hash_)
        self._last = (position, hash_)
        return record

    def decode_linked(  # noqa: PLR0917  # one argument per stored column, and the link
        self,
        position: int,
        stream: str,
        version: int,
        recorded_at: str,
        payload: bytes | dict[str, Any],
        hash_: str,
        previous: str | None,
    ) -> Recorded:
        """:meth:`decode_record`, given the hash stored with the record before this one.

        For a backend that reads the hash of the record at ``position - 1`` with each
        record (SQL: a primary-key lookup in the same query), so that a filtered read costs
        no query per record. ``previous`` is ``None`` where the storage holds no record at
        ``position - 1`` (for position 1 it is ignored: the first record follows
        :data:`~timeline.log.GENESIS`).

        Raises:
            CorruptLog: as :meth:`decode_record` does.
        """
        if position == 1:
            previous = GENESIS
        elif previous is None:
            raise missing_record(self._gap_start(position - 1))
        check_link(previous, position, stream, version, recorded_at, payload, hash_)
        record = self._decode_stored(position, stream, version, recorded_at, payload, hash_)
        self._last = (position, hash_)
        return record

    #: The name :meth:`decode_record` had for bytes the log wrote itself; it decides now.
    decode_own_record = decode_record

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

    def _hash_before(self, position: int) -> str:
        """The hash the record at ``position`` chains from.

        Raises:
            CorruptLog: if there is no record before it.
        """
        if position <= 1:
            return GENESIS
        previous = self.stored_hash(position - 1)
        if previous is None:
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

    def _decode_stored(  # noqa: PLR0917  # one argument per stored column, on the hot path
        self,
        position: int,
        stream: str,
        version: int,
        recorded_at: str,
        payload: bytes | dict[str, Any],
        hash_: str,
    ) -> Recorded:
        """The :class:`Recorded` of stored columns, without the check of :meth:`decode_record`.

        Raises:
            CorruptLog: if the payload or ``recorded_at`` cannot be decoded.
        """
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
        return _new_recorded(position, stream, version, at, event, hash_)


def _recorded_maker() -> Callable[[int, str, int, DateTime, Event, str], Recorded]:
    """``Recorded(...)`` without its frozen ``__init__``: the six slots set directly.

    A :class:`Recorded` has no converters or validators, so this makes the same object;
    the frozen ``__init__`` costs about 0.3 µs more per record read.
    ``tests/log/test_reads_checked.py`` holds the two equal.
    """
    setters = [vars(Recorded)[field.name].__set__ for field in attrs.fields(Recorded)]
    new = object.__new__
    p, s, v, r, e, h = setters

    def make(  # noqa: PLR0917  # the six fields, in order
        position: int, stream: str, version: int, at: DateTime, event: Event, hash_: str
    ) -> Recorded:
        record: Recorded = new(Recorded)
        p(record, position)
        s(record, stream)
        v(record, version)
        r(record, at)
        e(record, event)
        h(record, hash_)
        return record

    return make


_new_recorded = _recorded_maker()
