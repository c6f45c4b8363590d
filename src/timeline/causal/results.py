"""What the causal graph's queries return: plain attrs objects holding the events themselves.

Paths are tuples of :class:`~timeline.events.CausalLink` claims, in causal order (from the
earlier event to the later one), one claim per step: where several analysts linked the same
two events, the step shows the most confident claim. A path's ``confidence`` is the weakest
on it.
"""

from __future__ import annotations

import datetime as dt

import attrs

from timeline.events import CausalLink, Event

__all__ = ["Cause", "Chain", "Consequence", "Edge", "Nearby", "Spiral"]


def _weakest(path: tuple[CausalLink, ...]) -> float:
    return min((link.confidence for link in path), default=1.0)


@attrs.frozen
class _Reached:
    """An event reached from the one asked about, with the path between them.

    Attributes:
        event: the event reached.
        path: the links between the two events, in causal order.
        confidence: the weakest confidence on the path.
    """

    event: Event
    path: tuple[CausalLink, ...]
    confidence: float

    @property
    def hops(self) -> int:
        """How many links lie between the event asked about and this one."""
        return len(self.path)


@attrs.frozen
class Cause(_Reached):
    """An event that led, directly or through others, to the event asked about.

    Its ``path`` runs from the cause to the event asked about.
    """


@attrs.frozen
class Consequence(_Reached):
    """An event that followed, directly or through others, from the event asked about.

    Its ``path`` runs from the event asked about to the consequence.
    """


@attrs.frozen
class Chain:
    """One path from one event to another: the events on it and the links between them.

    Attributes:
        events: the events, from the first to the last.
        links: the links between consecutive events (one fewer than the events).
        confidence: the weakest confidence on the path.
    """

    events: tuple[Event, ...]
    links: tuple[CausalLink, ...]
    confidence: float

    @classmethod
    def of(cls, events: tuple[Event, ...], links: tuple[CausalLink, ...]) -> Chain:
        """A chain, its confidence computed from its links."""
        return cls(events, links, _weakest(links))


@attrs.frozen
class Edge:
    """The claims that one event led to another (one or more analysts, or rules).

    Attributes:
        cause: the earlier event.
        effect: the later event.
        claims: the links asserting it, in the order they were recorded.
    """

    cause: Event
    effect: Event
    claims: tuple[CausalLink, ...]

    @property
    def confidence(self) -> float:
        """The most confident claim's confidence: what a path through this edge counts."""
        return max(claim.confidence for claim in self.claims)

    @property
    def relations(self) -> tuple[str, ...]:
        """The relations the claims name, each once, in the order first claimed."""
        return tuple(dict.fromkeys(claim.relation for claim in self.claims))


@attrs.frozen
class Spiral:
    """Strikes between two parties, each answering the one before, linked by retaliation.

    Attributes:
        parties: the two parties, the first striker first.
        strikes: the strikes, in causal order; their attackers alternate.
        links: the retaliation links between consecutive strikes.
    """

    parties: tuple[str, str]
    strikes: tuple[Event, ...]
    links: tuple[CausalLink, ...]

    @property
    def start(self) -> Event:
        """The first strike."""
        return self.strikes[0]

    @property
    def end(self) -> Event:
        """The last strike."""
        return self.strikes[-1]


@attrs.frozen
class Nearby:
    """An event close in time to the one asked about, linked to it by analysts or not.

    Attributes:
        event: the event found.
        gap: from the earlier event's stated start to the later one's (negative when the later
            one's window began first but, by the stated precision, may still come after).
        path: the links from the earlier event to the later one, if the graph connects them
            (the most confident path, shortest first); empty if no analyst linked them.
    """

    event: Event
    gap: dt.timedelta
    path: tuple[CausalLink, ...] = ()

    @property
    def linked(self) -> bool:
        """Whether the graph connects the two events."""
        return bool(self.path)
