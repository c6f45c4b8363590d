"""The records the Negotiations projection keeps: one per event, as reported.

Split from :mod:`timeline.projections.negotiations`, which re-exports every public name
here and lists them in its ``__all__`` (it is where to import them from; this module keeps no
list of its own). Each record keeps its event's id, its instant, its local date as a person
reads it and its zone (see ``docs/time.md``).
"""

from __future__ import annotations

import enum
from uuid import UUID

import attrs
from pendulum import DateTime


class MemorandumStatus(enum.StrEnum):
    """Where a promised memorandum stands: promised, then awaited, then delivered."""

    PROMISED = "promised"
    AWAITED = "awaited"
    DELIVERED = "delivered"


class CeasefireStatus(enum.StrEnum):
    """The latest ceasefire demand's standing."""

    NONE = "none"
    DEMANDED = "demanded"
    REJECTED = "rejected"


@attrs.frozen
class _Report:
    """What every record keeps of the event it was made from.

    Its id, when it happened, its date as a person reads it (the local date, or time, in its
    zone: ``dates.date_label``) and that zone (``None`` for an event of an old log; see
    ``docs/time.md``).
    """

    event_id: UUID
    occurred_at: DateTime
    date: str
    zone: str | None


@attrs.frozen
class TalksProposal(_Report):
    """Talks proposed ("Putin proposed direct talks in Istanbul")."""

    proposed_by: str
    parties: tuple[str, ...]
    venue: str | None
    city: str | None
    conditions: tuple[str, ...]


@attrs.frozen
class Round(_Report):
    """A round of talks held: when, where, who hosted and opened it, and what came of it."""

    number: int | None
    parties: tuple[str, ...]
    venue: str | None
    city: str | None
    host: str | None
    mediator: str | None
    opening_remarks: str | None
    outcome: str | None
    location: str | None


@attrs.frozen
class Delegation(_Report):
    """A delegation as announced: its head (with title), members, whether that is all.

    ``composition_known`` is ``None`` where the report does not say, ``False`` where it says
    the composition is unclear. ``round`` is the talk round it was named for, if given.
    """

    party: str
    head: str
    head_title: str | None
    members: tuple[str, ...]
    composition_known: bool | None
    round: UUID | None

    @property
    def head_with_title(self) -> str:
        """E.g. ``"Defense Minister Rustem Umerov"``."""
        return f"{self.head_title} {self.head}" if self.head_title else self.head


@attrs.frozen
class Proposal(_Report):
    """What a party tabled: a title and its terms."""

    party: str
    title: str
    terms: tuple[str, ...]
    to_party: str | None


@attrs.frozen
class MemorandumReport(_Report):
    """One report about a memorandum: promised, awaited or delivered.

    ``party`` is always the side that owes the memorandum, ``to_party`` the side it is for
    (for an "awaited" report: the side that says it is waiting).
    """

    kind: MemorandumStatus
    party: str
    to_party: str | None
    subject: str | None
    promise: UUID | None


@attrs.frozen
class Memorandum:
    """A memorandum, with every report about it linked up, as of some instant.

    ``promise`` is the id of the promise, or ``None`` for a memorandum reported awaited or
    delivered without any promise on record.
    """

    promise: UUID | None
    party: str
    to_party: str | None
    subject: str | None
    promised_at: DateTime | None
    awaited_at: DateTime | None
    delivered_at: DateTime | None
    status: MemorandumStatus
    reports: tuple[UUID, ...]
    #: The local dates of the promise, the first "awaited" report, the delivery (as
    #: ``dates.date_label`` writes them): "promised 2025-05-19" in Moscow.
    promised_on: str | None = None
    awaited_on: str | None = None
    delivered_on: str | None = None

    @property
    def delivered(self) -> bool:
        """Whether it has been handed over."""
        return self.status is MemorandumStatus.DELIVERED

    @property
    def awaited(self) -> bool:
        """Whether the other side has said it is still waiting for it."""
        return self.awaited_at is not None


@attrs.frozen
class Receipt(_Report):
    """A party confirms it received the other side's document."""

    party: str
    from_party: str
    title: str | None
    document: UUID | None


@attrs.frozen
class ResponsePromise(_Report):
    """A party promises an answer, by ``due_at`` if a date was given."""

    party: str
    to_party: str | None
    regarding: UUID | None
    due_at: DateTime | None


@attrs.frozen
class Response:
    """A promised answer, and what answered it (as of some instant), if anything has."""

    promise: ResponsePromise
    answered_by: UUID | None
    answered_at: DateTime | None

    @property
    def answered(self) -> bool:
        """Whether an answer has come."""
        return self.answered_by is not None


@attrs.frozen
class CeasefireDemand(_Report):
    """A party demands a ceasefire, backed by others."""

    party: str
    addressed_to: str | None
    backed_by: tuple[str, ...]
    immediate: bool
    duration_days: int | None


@attrs.frozen
class CeasefireRejection(_Report):
    """A party rejects a ceasefire demand (``demand``: which one, where known)."""

    party: str
    demand: UUID | None
    reason: str | None


@attrs.frozen
class Ceasefire:
    """The ceasefire question: who demanded it, who backed and who rejected the demand.

    ``status`` is that of the latest demand: rejected if any rejection answers it. Each
    rejection's ``demand`` is resolved: the one it names, or else the latest demand made by
    then that was addressed to the rejecting party (or to no one in particular).
    """

    status: CeasefireStatus
    demanded_by: tuple[str, ...]
    backed_by: tuple[str, ...]
    rejected_by: tuple[str, ...]
    demands: tuple[CeasefireDemand, ...]
    rejections: tuple[CeasefireRejection, ...]
