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
    return f.to_counts(PartyCount, "party", value)


_party_counts = f.distinct_counts(PartyCount, "party", at_least_one=True)


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
    talks: uuid.UUID | None = f.ref_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The talk round that produced it, if given."""
        return f.given_refs(self.talks)

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
    agreement: uuid.UUID | None = f.ref_or_none()
    stage: int | None = f.count_or_none()
    stages_total: int | None = f.count_or_none()

    def __attrs_post_init__(self) -> None:
        f.at_most(self, "stage", "stages_total")

    def references(self) -> tuple[uuid.UUID, ...]:
        """The agreement it carries out, if given."""
        return f.given_refs(self.agreement)

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

    party: str | None = f.text_or_none()
    killed: int | None = f.count_or_none()
    killed_low: int | None = f.count_or_none()
    killed_high: int | None = f.count_or_none()
    injured: int | None = f.count_or_none()
    missing: int | None = f.count_or_none()
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
