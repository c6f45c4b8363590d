"""What a read asks of a backend: the :class:`Query` a backend's ``scan`` answers.

:meth:`~timeline.log.EventLog.read` checks its arguments once and hands the backend one
:class:`Query`: the records after a position, of one stream or all, of some types or all,
between two bounds of ``occurred_at``, by position or by occurrence. A backend with indexes
turns it into its own query (the bounds as canonical text: :attr:`Query.low`,
:attr:`Query.high`); a backend without them filters its records with :meth:`Query.select`,
the plain reference every backend's ``scan`` agrees with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Literal, TypeVar

import attrs
from pendulum import DateTime

from timeline.errors import CorruptLog, InvalidArgument
from timeline.events import Event
from timeline.events.fields import encodable, shown
from timeline.log.records import Recorded
from timeline.time import isoformat

__all__ = ["Order", "Query", "by_occurrence", "keyset_pages"]

Order = Literal["recorded", "occurred"]

_Key = TypeVar("_Key")
_Row = TypeVar("_Row")


def by_occurrence(record: Recorded) -> tuple[DateTime, int]:
    """The key of ``order="occurred"``: ``occurred_at``, ties broken by position."""
    return record.event.occurred_at, record.position


@attrs.frozen
class Query:
    """The records a read wants, as a backend's ``scan`` receives them (arguments checked).

    Attributes:
        after: only records with a position greater than this.
        stream: only this stream, or ``None`` for all.
        types: only these type tags (each once, in the order given), or ``None`` for all.
        order: ``"recorded"`` (by position) or ``"occurred"`` (by ``occurred_at``, ties by
            position).
        occurred_after: only events whose stored ``occurred_at`` is strictly later (UTC).
        occurred_by: only events whose stored ``occurred_at`` is at or before this (UTC).

    >>> Query(3, types=("diplomacy.statement",), order="occurred")
    Query(after=3, stream=None, types=('diplomacy.statement',), order='occurred', occurred_after=None, occurred_by=None)
    """

    after: int = 0
    stream: str | None = None
    types: tuple[str, ...] | None = None
    order: Order = "recorded"
    occurred_after: DateTime | None = None
    occurred_by: DateTime | None = None

    @property
    def empty(self) -> bool:
        """Whether no record can match (no types, or bounds that leave no instant)."""
        low, high = self.occurred_after, self.occurred_by
        return self.types == () or (low is not None and high is not None and high <= low)

    @property
    def low(self) -> str | None:
        """``occurred_after`` as canonical text (which sorts chronologically), or ``None``."""
        return None if self.occurred_after is None else isoformat(self.occurred_after)

    @property
    def high(self) -> str | None:
        """``occurred_by`` as canonical text, or ``None``."""
        return None if self.occurred_by is None else isoformat(self.occurred_by)

    def select(self, records: Iterable[Recorded]) -> Iterator[Recorded]:
        """The query answered by filtering records in position order (from ``after`` on or not).

        The reference every backend's ``scan`` agrees with, and all a backend without
        indexes needs: give it the records (decoded lazily) and return what it yields.
        Sorting by occurrence holds the selected records in memory.
        """
        after, stream, types = self.after, self.stream, self.types
        low, high = self.occurred_after, self.occurred_by
        selected = (
            r
            for r in records
            if r.position > after
            and (stream is None or r.stream == stream)
            and (types is None or r.event.TYPE in types)
            and (low is None or r.event.occurred_at > low)
            and (high is None or r.event.occurred_at <= high)
        )
        if self.order == "occurred":
            return iter(sorted(selected, key=by_occurrence))
        return selected

    def served(self, records: Iterable[Recorded]) -> Iterator[Recorded]:
        """``records``, each checked to be one this query asks for, in its order.

        A backend finds records through its indexes (columns kept beside the payload); a
        record whose event does not say what its index columns say was changed behind the
        log's back, and is not served.

        Raises:
            CorruptLog: at the first record the query did not ask for, or out of order.
        """
        after, stream, types = self.after, self.stream, self.types
        low, high = self.occurred_after, self.occurred_by
        by_occurrence = self.order == "occurred"
        last_at: DateTime | None = None  # the last record served: when, and its position
        last = 0
        for record in records:
            event, position = record.event, record.position
            at = event.occurred_at
            if (
                position <= after
                or (stream is not None and record.stream != stream)
                or (types is not None and event.TYPE not in types)
                or (low is not None and at <= low)
                or (high is not None and at > high)
                or (
                    position <= last
                    if not by_occurrence or at == last_at
                    else last_at is not None and at < last_at
                )
            ):
                raise CorruptLog(
                    f"record at position {position} is not one the read asked for "
                    f"({self}): the storage's index does not match the record",
                    position=position,
                    reason="index does not match the record",
                )
            last_at, last = at, position
            yield record


def keyset_pages(
    fetch: Callable[[_Key], list[_Row]],
    key: _Key,
    next_key: Callable[[_Row], _Key],
    size: int,
) -> Iterator[list[_Row]]:
    """Page through a table by keyset: each page one short query, memory flat.

    ``fetch(key)`` returns up to ``size`` rows after ``key`` (``WHERE position > ? ...
    LIMIT size``); the next page starts after ``next_key`` of the last row. Other appends
    may land between pages; no transaction stays open.

    >>> rows = list(range(1, 8))
    >>> pages = keyset_pages(lambda k: [r for r in rows if r > k][:3], 0, lambda r: r, 3)
    >>> list(pages)
    [[1, 2, 3], [4, 5, 6], [7]]
    """
    while True:
        rows = fetch(key)
        yield rows
        if len(rows) < size:
            return
        key = next_key(rows[-1])


def _type_names(
    types: Iterable[str | type[Event]] | str | type[Event] | None,
) -> tuple[str, ...] | None:
    """Type tags from tags or event classes, each once."""
    if types is None:
        return None
    if isinstance(types, (str, type)):
        types = (types,)
    try:
        given = tuple(types)
    except TypeError:  # a number, an object
        raise InvalidArgument(
            f"types must be type tags or event classes, got {shown(types)}",
            argument="types",
            value=types,
        ) from None
    names = []
    for t in given:
        name = t if isinstance(t, str) else getattr(t, "TYPE", None)
        if not name or not isinstance(name, str):
            raise InvalidArgument(
                f"types must be type tags or event classes, got {shown(t)}",
                argument="types",
                value=t,
            )
        if encodable(name):  # no backend can hold a type name UTF-8 cannot: it matches nothing
            names.append(name)
    return tuple(dict.fromkeys(names))


def _check_text(text: str, argument: str) -> None:
    """Refuse a name no backend can store: text with an unpaired surrogate."""
    if not encodable(text):
        raise InvalidArgument(
            f"{argument} must be text without unpaired surrogates (UTF-8 cannot store "
            f"them), got {text!r}",
            argument=argument,
            value=text,
        )
