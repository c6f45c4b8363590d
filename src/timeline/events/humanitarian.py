"""Humanitarian events: prisoner exchanges agreed and carried out, casualties."""

from __future__ import annotations

import uuid
from typing import Any

import attrs

from timeline.errors import InvalidEvent
from timeline.events import fields as f
from timeline.events.base import Event
from timeline.events.registry import event_type

__all__ = ["CasualtyReport", "PartyCount", "PrisonerExchangeAgreed", "PrisonerExchangeCarriedOut"]


@attrs.frozen(kw_only=True)
class PartyCount:
    """How many one party releases (or loses): ``PartyCount(party="Ukraine", count=390)``."""

    party: str = attrs.field(validator=f.non_empty)
    count: int = attrs.field(validator=f.count)


def _to_party_counts(value: Any) -> tuple[PartyCount, ...]:
    if isinstance(value, dict):
        return tuple(PartyCount(party=k, count=v) for k, v in value.items())
    return tuple(value)


def _party_counts(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]
) -> None:
    if not value:
        error = InvalidEvent(
            f"{type(instance).__name__}.{attribute.name} must name at least one party",
            field=attribute.name,
            value=value,
        )
        raise f.refuse(instance, attribute, error)
    seen: set[str] = set()
    for i, item in enumerate(value):
        if not isinstance(item, PartyCount) or item.party in seen:
            raise f.field_error(
                instance,
                attribute,
                item,
                "must be a PartyCount for a party not listed before",
                field=f"{attribute.name}[{i}]",
            )
        seen.add(item.party)


@event_type("humanitarian.prisoner_exchange_agreed")
@attrs.frozen(kw_only=True)
class PrisonerExchangeAgreed(Event):
    """An agreed exchange: how many each party will release ("1,000 for 1,000").

    ``released`` takes a mapping ``{"Ukraine": 1000, "Russia": 1000}`` or
    :class:`PartyCount` objects.
    """

    released: tuple[PartyCount, ...] = attrs.field(
        converter=_to_party_counts, validator=_party_counts
    )
    talks: uuid.UUID | None = attrs.field(
        default=None, converter=f.to_optional_uuid, validator=f.optional_uuid_value
    )

    def references(self) -> tuple[uuid.UUID, ...]:
        """The talk round that produced it, if given."""
        return (self.talks,) if self.talks is not None else ()

    def headline(self) -> str:
        """E.g. "Prisoner exchange agreed: Ukraine 1000, Russia 1000"."""
        counts = ", ".join(f"{c.party} {c.count}" for c in self.released)
        return self.summary or f"Prisoner exchange agreed: {counts}"


@event_type("humanitarian.prisoner_exchange_carried_out")
@attrs.frozen(kw_only=True)
class PrisonerExchangeCarriedOut(Event):
    """One stage of an exchange carried out: how many each party released."""

    released: tuple[PartyCount, ...] = attrs.field(
        converter=_to_party_counts, validator=_party_counts
    )
    agreement: uuid.UUID | None = attrs.field(
        default=None, converter=f.to_optional_uuid, validator=f.optional_uuid_value
    )
    stage: int | None = attrs.field(default=None, validator=f.count)
    stages_total: int | None = attrs.field(default=None, validator=f.count)

    def __attrs_post_init__(self) -> None:
        if (
            self.stage is not None
            and self.stages_total is not None
            and self.stage > self.stages_total
        ):
            raise InvalidEvent(
                f"PrisonerExchangeCarriedOut.stage must not exceed stages_total "
                f"({self.stages_total}), got {self.stage}",
                field="stage",
                value=self.stage,
                event_id=self.event_id,
            )

    def references(self) -> tuple[uuid.UUID, ...]:
        """The agreement it carries out, if given."""
        return (self.agreement,) if self.agreement is not None else ()

    def headline(self) -> str:
        """E.g. "Prisoner exchange, stage 1 of 3: Ukraine 390, Russia 390"."""
        stage = ""
        if self.stage is not None:
            of = f" of {self.stages_total}" if self.stages_total is not None else ""
            stage = f", stage {self.stage}{of}"
        counts = ", ".join(f"{c.party} {c.count}" for c in self.released)
        return self.summary or f"Prisoner exchange{stage}: {counts}"


@event_type("humanitarian.casualty_report")
@attrs.frozen(kw_only=True)
class CasualtyReport(Event):
    """People killed, injured or missing in one incident or period, as someone reports it."""

    party: str | None = attrs.field(
        default=None, converter=f.to_optional_text, validator=f.optional_non_empty
    )
    killed: int | None = attrs.field(default=None, validator=f.count)
    killed_low: int | None = attrs.field(default=None, validator=f.count)
    killed_high: int | None = attrs.field(default=None, validator=f.count)
    injured: int | None = attrs.field(default=None, validator=f.count)
    missing: int | None = attrs.field(default=None, validator=f.count)
    civilians: bool | None = attrs.field(default=None, validator=f.optional_boolean)

    def __attrs_post_init__(self) -> None:
        low, best, high = self.killed_low, self.killed, self.killed_high
        known = [v for v in (low, best, high) if v is not None]
        if known != sorted(known):
            raise InvalidEvent(
                f"CasualtyReport needs killed_low ≤ killed ≤ killed_high, got "
                f"{low!r} ≤ {best!r} ≤ {high!r}",
                field="killed",
                value=(low, best, high),
                event_id=self.event_id,
            )

    def headline(self) -> str:
        """E.g. "Casualties: 3 killed, 12 injured"."""
        parts = [
            f"{n} {label}"
            for n, label in (
                (self.killed, "killed"),
                (self.injured, "injured"),
                (self.missing, "missing"),
            )
            if n is not None
        ]
        return self.summary or "Casualties: " + (", ".join(parts) or "figures unknown")
