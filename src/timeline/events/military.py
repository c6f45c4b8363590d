"""Military events: drone barrages, missile strikes, other strikes, and loss tallies.

Counts are ``None`` when the report does not give them: unknown is not zero.
"""

from __future__ import annotations

from typing import Any

import attrs

from timeline.events import fields as f
from timeline.events.base import Event
from timeline.events.registry import event_type

__all__ = ["Attack", "DroneBarrage", "ItemCount", "LossReport", "MissileStrike", "Strike"]


@attrs.frozen(kw_only=True)
class ItemCount:
    """How many of one kind of thing: ``ItemCount(item="aircraft", count=413)``."""

    item: str = attrs.field(validator=f.non_empty)
    count: int = attrs.field(validator=f.count)


def _to_item_counts(value: Any) -> tuple[ItemCount, ...]:
    return f.to_counts(ItemCount, "item", value)


_item_counts = f.distinct_counts(ItemCount, "item")


@attrs.frozen(kw_only=True)
class Attack(Event):
    """What drone barrages and missile strikes share: launched, destroyed, lost.

    Not an event type of its own: use :class:`DroneBarrage` or :class:`MissileStrike`.

    Args:
        attacker: who launched them.
        target: the country or region targeted.
        weapon: the weapon model ("Shahed-136/131", "Iskander-M/KN-23").
        launched: how many were launched.
        destroyed: how many were shot down or suppressed (never more than launched).
        lost: how many were lost to electronic warfare, "locationally lost" (never more
            than launched).
        still_attacking: how many were still in the air at the time of the report.
        hit_locations: in how many places they hit.
        debris_locations: in how many places debris fell.
        launch_sites: where they were launched from.
        carrier: the launch platform (Tu-95MS, ...).
    """

    attacker: str | None = f.text_or_none()
    target: str | None = f.text_or_none()
    weapon: str | None = f.text_or_none()
    launched: int | None = f.count_or_none()
    destroyed: int | None = f.count_or_none()
    lost: int | None = f.count_or_none()
    still_attacking: int | None = f.count_or_none()
    hit_locations: int | None = f.count_or_none()
    debris_locations: int | None = f.count_or_none()
    launch_sites: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    carrier: str | None = f.text_or_none()

    @f.guarded(f"{f.not_above('destroyed', 'launched')} and {f.not_above('lost', 'launched')}")
    def __attrs_post_init__(self) -> None:
        f.at_most(self, "destroyed", "launched")
        f.at_most(self, "lost", "launched")

    def headline(self) -> str:
        """E.g. "Russia: 472 Shahed-136/131 launched, 210 destroyed"."""
        if self.summary:
            return self.summary
        what = self.weapon or type(self).__name__
        figures = [
            f"{n} {label}"
            for n, label in ((self.launched, "launched"), (self.destroyed, "destroyed"))
            if n is not None
        ]
        who = f"{self.attacker}: " if self.attacker else ""
        return f"{who}{what} " + ", ".join(figures) if figures else f"{who}{what}"


@event_type("military.drone_barrage")
@attrs.frozen(kw_only=True)
class DroneBarrage(Attack):
    """A wave of drones, usually overnight: give the window as ``occurred_at``/``until``."""


@event_type("military.missile_strike")
@attrs.frozen(kw_only=True)
class MissileStrike(Attack):
    """Missiles launched in one reporting window."""


@event_type("military.strike")
@attrs.frozen(kw_only=True)
class Strike(Event):
    """A strike on named targets, with what it hit (the 1 June strike on the bombers)."""

    attacker: str = attrs.field(validator=f.non_empty)
    target_party: str | None = f.text_or_none()
    targets: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    assets_hit: tuple[ItemCount, ...] = attrs.field(
        default=(), converter=_to_item_counts, validator=_item_counts
    )
    weapon: str | None = f.text_or_none()
    operation: str | None = f.text_or_none()

    def headline(self) -> str:
        """E.g. "Ukraine strikes: nuclear-capable bombers in Siberia"."""
        what = "; ".join(self.targets) or self.target_party or "targets"
        return self.summary or f"{self.attacker} strikes: {what}"


@event_type("military.loss_report")
@attrs.frozen(kw_only=True)
class LossReport(Event):
    """A tally of one party's losses as someone claims them (cumulative or for a period).

    >>> import pendulum
    >>> r = LossReport(occurred_at=pendulum.datetime(2025, 6, 3), party="Russia",
    ...                equipment={"aircraft": 413}, cumulative=True)
    >>> r.equipment[0]
    ItemCount(item='aircraft', count=413)
    """

    party: str = attrs.field(validator=f.non_empty)
    cumulative: bool = attrs.field(default=False, validator=f.boolean)
    personnel: int | None = f.count_or_none()
    equipment: tuple[ItemCount, ...] = attrs.field(
        default=(), converter=_to_item_counts, validator=_item_counts
    )

    def figure(self, item: str) -> int | None:
        """The count for one item ("aircraft"), or ``None`` if the report does not give it."""
        for entry in self.equipment:
            if entry.item == item:
                return entry.count
        return None

    def headline(self) -> str:
        """E.g. "Russia losses (cumulative): personnel 990800, 14 equipment figures"."""
        kind = " (cumulative)" if self.cumulative else ""
        people = f"personnel {self.personnel}, " if self.personnel is not None else ""
        return self.summary or (
            f"{self.party} losses{kind}: {people}{len(self.equipment)} equipment figures"
        )
