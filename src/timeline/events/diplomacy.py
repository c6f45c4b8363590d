"""Diplomacy: proposals of talks, rounds, delegations, proposals, memoranda, ceasefires.

Each type is named ``diplomacy.<what>``. Parties are named as plain strings ("Ukraine",
"Russia"); people by name, with their titles where the report gives them.
"""

from __future__ import annotations

import uuid

import attrs
from pendulum import DateTime

from timeline.events import fields as f
from timeline.events.base import Event
from timeline.events.registry import event_type
from timeline.time import TimePrecision, local_day

__all__ = [
    "CeasefireDemanded",
    "CeasefireRejected",
    "DelegationAnnounced",
    "DocumentReceived",
    "MemorandumAwaited",
    "MemorandumDelivered",
    "MemorandumPromised",
    "ProposalTabled",
    "ResponsePromised",
    "Statement",
    "TalkRoundHeld",
    "TalksProposed",
]


@event_type("diplomacy.talks_proposed")
@attrs.frozen(kw_only=True)
class TalksProposed(Event):
    """A party proposes talks ("Putin proposed direct talks in Istanbul")."""

    proposed_by: str = attrs.field(validator=f.non_empty)
    parties: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    venue: str | None = f.text_or_none()
    city: str | None = f.text_or_none()
    conditions: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )

    def headline(self) -> str:
        """E.g. "Russia proposes talks (Istanbul)"."""
        where = f" ({self.city})" if self.city else ""
        return self.summary or f"{self.proposed_by} proposes talks{where}"


@event_type("diplomacy.talk_round_held")
@attrs.frozen(kw_only=True)
class TalkRoundHeld(Event):
    """A round of talks took place: where, who hosted, who opened it and with what words."""

    parties: tuple[str, ...] = attrs.field(converter=f.to_names, validator=f.non_empty_names)
    venue: str | None = f.text_or_none()
    city: str | None = f.text_or_none()
    host: str | None = f.text_or_none()
    mediator: str | None = f.text_or_none()
    opening_remarks: str | None = f.text_or_none()
    round_number: int | None = f.count_or_none()
    outcome: str | None = f.text_or_none()

    def headline(self) -> str:
        """E.g. "Talks: Ukraine–Russia at Ciragan Palace, Istanbul"."""
        where = ", ".join(x for x in (self.venue, self.city) if x)
        return self.summary or f"Talks: {'–'.join(self.parties)}" + (
            f" at {where}" if where else ""
        )


@event_type("diplomacy.delegation_announced")
@attrs.frozen(kw_only=True)
class DelegationAnnounced(Event):
    """A party names its delegation: its head, members, and whether the list is complete.

    ``composition_known`` is ``None`` where the report does not say, ``False`` where it says
    the composition is unclear ("details regarding the full composition remain unclear").
    """

    party: str = attrs.field(validator=f.non_empty)
    head: str = attrs.field(validator=f.non_empty)
    head_title: str | None = f.text_or_none()
    members: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    composition_known: bool | None = attrs.field(default=None, validator=f.optional_boolean)
    talks: uuid.UUID | None = f.ref_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The talk round it was named for, if given."""
        return f.given_refs(self.talks)

    def headline(self) -> str:
        """E.g. "Ukraine's delegation headed by Rustem Umerov"."""
        known = " (composition unclear)" if self.composition_known is False else ""
        return self.summary or f"{self.party}'s delegation headed by {self.head}{known}"


@event_type("diplomacy.proposal_tabled")
@attrs.frozen(kw_only=True)
class ProposalTabled(Event):
    """A party puts a proposal on the table, with its terms ("Ukraine's roadmap")."""

    party: str = attrs.field(validator=f.non_empty)
    title: str = attrs.field(validator=f.non_empty)
    terms: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    to_party: str | None = f.text_or_none()

    def headline(self) -> str:
        """E.g. "Ukraine tables: peace roadmap (4 terms)"."""
        n = f" ({len(self.terms)} terms)" if self.terms else ""
        return self.summary or f"{self.party} tables: {self.title}{n}"


@event_type("diplomacy.memorandum_promised")
@attrs.frozen(kw_only=True)
class MemorandumPromised(Event):
    """A party promises a memorandum (Putin: a framework for a possible peace agreement)."""

    party: str = attrs.field(validator=f.non_empty)
    subject: str = attrs.field(validator=f.non_empty)
    to_party: str | None = f.text_or_none()

    def headline(self) -> str:
        """E.g. "Russia promises a memorandum: ..."."""
        return self.summary or f"{self.party} promises a memorandum: {self.subject}"


@event_type("diplomacy.memorandum_delivered")
@attrs.frozen(kw_only=True)
class MemorandumDelivered(Event):
    """A promised memorandum is handed over."""

    party: str = attrs.field(validator=f.non_empty)
    to_party: str | None = f.text_or_none()
    promise: uuid.UUID | None = f.ref_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The promise it fulfils, if given."""
        return f.given_refs(self.promise)

    def headline(self) -> str:
        """E.g. "Russia delivers its memorandum to Ukraine"."""
        to = f" to {self.to_party}" if self.to_party else ""
        return self.summary or f"{self.party} delivers its memorandum{to}"


@event_type("diplomacy.memorandum_awaited")
@attrs.frozen(kw_only=True)
class MemorandumAwaited(Event):
    """A party says it is still waiting for a promised memorandum."""

    party: str = attrs.field(validator=f.non_empty)
    from_party: str = attrs.field(validator=f.non_empty)
    promise: uuid.UUID | None = f.ref_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The promise it waits on, if given."""
        return f.given_refs(self.promise)

    def headline(self) -> str:
        """E.g. "Ukraine still awaits Russia's memorandum"."""
        return self.summary or f"{self.party} still awaits {self.from_party}'s memorandum"


@event_type("diplomacy.document_received")
@attrs.frozen(kw_only=True)
class DocumentReceived(Event):
    """A party confirms it has received the other side's document."""

    party: str = attrs.field(validator=f.non_empty)
    from_party: str = attrs.field(validator=f.non_empty)
    title: str | None = f.text_or_none()
    document: uuid.UUID | None = f.ref_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The tabled proposal received, if given."""
        return f.given_refs(self.document)

    def headline(self) -> str:
        """E.g. "Russia confirms receipt of Ukraine's proposal"."""
        what = self.title or "document"
        return self.summary or f"{self.party} confirms receipt of {self.from_party}'s {what}"


@event_type("diplomacy.response_promised")
@attrs.frozen(kw_only=True)
class ResponsePromised(Event):
    """A party promises to answer, by a date if one is given ("a response on Monday")."""

    party: str = attrs.field(validator=f.non_empty)
    to_party: str | None = f.text_or_none()
    regarding: uuid.UUID | None = f.ref_or_none()
    due_at: DateTime | None = attrs.field(
        default=None, converter=f.to_optional_utc_instant, validator=f.optional_aware_utc
    )

    def references(self) -> tuple[uuid.UUID, ...]:
        """What the answer will be about, if given."""
        return f.given_refs(self.regarding)

    def headline(self) -> str:
        """E.g. "Russia promises a response by 2025-06-02"."""
        due = ""
        if self.due_at is not None:  # the local date, in the promise's zone
            due = f" by {local_day(self.due_at, TimePrecision.DAY, self.zone).isoformat()}"
        return self.summary or f"{self.party} promises a response{due}"


@event_type("diplomacy.ceasefire_demanded")
@attrs.frozen(kw_only=True)
class CeasefireDemanded(Event):
    """A party demands a ceasefire, with whoever backs the demand."""

    party: str = attrs.field(validator=f.non_empty)
    addressed_to: str | None = f.text_or_none()
    backed_by: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    immediate: bool = attrs.field(default=False, validator=f.boolean)
    duration_days: int | None = f.count_or_none()

    def headline(self) -> str:
        """E.g. "Ukraine demands an immediate ceasefire (backed by European allies)"."""
        kind = "an immediate ceasefire" if self.immediate else "a ceasefire"
        backing = f" (backed by {', '.join(self.backed_by)})" if self.backed_by else ""
        return self.summary or f"{self.party} demands {kind}{backing}"


@event_type("diplomacy.ceasefire_rejected")
@attrs.frozen(kw_only=True)
class CeasefireRejected(Event):
    """A party rejects a ceasefire demand."""

    party: str = attrs.field(validator=f.non_empty)
    demand: uuid.UUID | None = f.ref_or_none()
    reason: str | None = f.text_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The demand it rejects, if given."""
        return f.given_refs(self.demand)

    def headline(self) -> str:
        """E.g. "Russia rejects the ceasefire demand"."""
        return self.summary or f"{self.party} rejects the ceasefire demand"


@event_type("diplomacy.statement")
@attrs.frozen(kw_only=True)
class Statement(Event):
    """Something someone said, in their words or as reported."""

    speaker: str = attrs.field(validator=f.non_empty)
    text: str = attrs.field(validator=f.non_empty)
    party: str | None = f.text_or_none()

    def headline(self) -> str:
        """E.g. "Hakan Fidan: ..."."""
        return self.summary or f"{self.speaker}: {self.text}"
