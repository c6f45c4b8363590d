"""What the conformance suite's test groups share: the clock's start, events, and checks."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Protocol

import attrs
from hypothesis import settings

from timeline.events import DroneBarrage, Event, Statement
from timeline.log import EventLog, Recorded
from timeline.time import Clock, instant

__all__ = [
    "PROPERTY",
    "T0",
    "LogFactory",
    "OffsetClock",
    "Unregistered",
    "assert_unchanged",
    "barrage",
    "snapshot",
    "statement",
]


#: The instant the contract's clocks start at.
T0 = instant("2025-06-02T08:00:00+00:00")


class LogFactory(Protocol):
    """What ``make_log`` returns: a callable making a fresh, empty log on each call."""

    def __call__(self, clock: Clock | None = None) -> EventLog:
        """A new empty log whose ``recorded_at`` comes from ``clock`` (if given)."""
        ...


@attrs.frozen(kw_only=True)
class Unregistered(Event):
    """An event type no codec knows: it was never named with ``event_type``."""

    TYPE: ClassVar[str] = "timeline.testing.unregistered"

    what: str = "nothing"


class OffsetClock:
    """A clock that answers in Kyiv summer time (UTC+3), not UTC."""

    def now(self) -> dt.datetime:
        return dt.datetime(2025, 6, 2, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))


def statement(minute: int = 0, **fields: Any) -> Statement:
    return Statement(
        occurred_at=T0 + dt.timedelta(minutes=minute),
        speaker="Hakan Fidan",
        text=f"Statement {minute}",
        **fields,
    )


def barrage(minute: int = 0, **fields: Any) -> DroneBarrage:
    return DroneBarrage(
        occurred_at=T0 + dt.timedelta(minutes=minute),
        attacker="Russia",
        launched=472,
        destroyed=210,
        **fields,
    )


def snapshot(log: EventLog) -> tuple[int, list[Recorded], dict[str, int]]:
    return len(log), list(log.read()), log.streams()


def assert_unchanged(log: EventLog, before: tuple[int, list[Recorded], dict[str, int]]) -> None:
    assert snapshot(log) == before, "a refused append changed the log"
    assert log.verify().ok


#: Settings for the property tests (examples as the profile says). Each test runs its
#: property in a function of its own, calling ``make_log`` for a fresh log per example, so no
#: fixture is shared between examples and each backend's class runs its own copy.
PROPERTY = settings(deadline=None)
