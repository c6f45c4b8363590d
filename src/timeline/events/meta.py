"""Events about other events: corrections, retractions and causal links.

A correction never erases what it corrects: the original stays in the log, and projections
see it as corrected by everything recorded up to the time they ask about (``known_at``).
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Mapping
from typing import Any

import attrs

from timeline.errors import InvalidEvent
from timeline.events import fields as f
from timeline.events.base import Event
from timeline.events.registry import event_type
from timeline.time import isoformat, to_utc

__all__ = ["CausalLink", "CausalLinkRetracted", "Correction", "Relation", "Retraction"]

_FIXED = frozenset({"event_id"})


def _jsonable(value: Any, field: str, depth: int = 1) -> Any:  # noqa: PLR0911  # one return per kind of value
    """The JSON form of a corrected value, as the codec stores it.

    Correcting means replacing a field's value; the value is kept in the form the codec
    writes, so a correction reads back equal to what was appended. ``depth`` is the level
    the value would be at if it is a container (``changes`` itself is level 1); values nested
    deeper than :data:`~timeline.events.fields.MAX_DEPTH` are refused, counted as the codec
    counts them (:func:`~timeline.events.fields.depth_exceeds`: a container is a level, a
    scalar is not), so the two draw the line at the same place.
    """
    if value is None or type(value) in (str, int, float, bool):
        return value
    if depth > f.MAX_DEPTH and not isinstance(value, (enum.Enum, dt.datetime, uuid.UUID)):
        raise InvalidEvent(
            f"Correction.changes[{field!r}] is nested more than {f.MAX_DEPTH} levels deep",
            field=f"changes.{field}",
            value=depth,
        )
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return isoformat(to_utc(value, field=field))
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, f"{field}[{i}]", depth + 1) for i, v in enumerate(value)]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v, f"{field}.{k}", depth + 1) for k, v in value.items()}
    if attrs.has(type(value)):
        return {
            a.name: _jsonable(getattr(value, a.name), f"{field}.{a.name}", depth + 1)
            for a in attrs.fields(type(value))
        }
    raise InvalidEvent(
        f"Correction.changes[{field!r}] cannot be stored, got {f.shown(value)}",
        field=f"changes.{field}",
        value=value,
    )


def _to_changes(value: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidEvent(
            "Correction.changes must be a mapping of field names to new values, "
            f"got {f.shown(value)}",
            field="changes",
            value=value,
        )
    # ``changes`` is level 1 of the codec's depth, so each value starts at level 2.
    return {k: _jsonable(v, k, 2) if isinstance(k, str) else v for k, v in value.items()}


def _changes(instance: object, attribute: attrs.Attribute[Any], value: dict[str, Any]) -> None:
    if not value:
        raise f.field_error(instance, attribute, value, "must name at least one field")
    for name in value:
        if not isinstance(name, str) or not name.isidentifier() or name in _FIXED:
            error = InvalidEvent(
                f"Correction.changes cannot change field {name!r}",
                field=f"changes.{name}",
                value=name,
            )
            raise f.refuse(instance, attribute, error)


@event_type("meta.correction")
@attrs.frozen(kw_only=True)
class Correction(Event):
    """A change to named fields of an earlier event; the original stays in the log.

    ``changes`` maps field names to new values. Values are kept in their stored (JSON) form:
    instants as UTC ISO-8601 text, ids as text, nested records as mappings.

    >>> import pendulum, uuid
    >>> fix = Correction(occurred_at=pendulum.datetime(2025, 6, 10), corrects=uuid.uuid4(),
    ...                  changes={"launched": 479}, reason="revised figure")
    >>> fix.changes
    {'launched': 479}
    """

    corrects: uuid.UUID = attrs.field(converter=f.to_uuid, validator=f.uuid_value)
    changes: dict[str, Any] = attrs.field(converter=_to_changes, validator=_changes, hash=False)
    reason: str | None = f.text_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The corrected event."""
        return (self.corrects,)

    def headline(self) -> str:
        """E.g. "Correction of 0197...: launched → 479"."""
        what = ", ".join(f"{k} → {v!r}" for k, v in self.changes.items())
        return self.summary or f"Correction of {self.corrects}: {what}"


@event_type("meta.retraction")
@attrs.frozen(kw_only=True)
class Retraction(Event):
    """Withdraws an earlier event from later views; the original stays in the log."""

    retracts: uuid.UUID = attrs.field(converter=f.to_uuid, validator=f.uuid_value)
    reason: str | None = f.text_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The retracted event."""
        return (self.retracts,)

    def headline(self) -> str:
        """E.g. "Retraction of 0197...: duplicate report"."""
        why = f": {self.reason}" if self.reason else ""
        return self.summary or f"Retraction of {self.retracts}{why}"


class Relation(enum.StrEnum):
    """The usual kinds of causal link; any other non-empty name is accepted too."""

    RETALIATION = "retaliation"
    RESPONSE = "response"
    PROMPTED = "prompted"
    PRECONDITION = "precondition"
    OUTCOME = "outcome"
    ESCALATION = "escalation"
    DE_ESCALATION = "de-escalation"


def _distinct(instance: CausalLink, attribute: attrs.Attribute[Any], value: uuid.UUID) -> None:
    if value == instance.cause:
        error = InvalidEvent(
            f"CausalLink.effect must differ from its cause, got {value}",
            field="effect",
            value=value,
            event_id=instance.event_id,
        )
        raise f.refuse(instance, attribute, error)


def _to_relation(value: object) -> object:
    return value.value if isinstance(value, Relation) else value


@event_type("meta.causal_link")
@attrs.frozen(kw_only=True)
class CausalLink(Event):
    """A claim that one event led to another, by whom, how sure, and on what evidence.

    Args:
        cause: the earlier event's id.
        effect: the later event's id.
        relation: one of :class:`Relation` or a name of your own.
        confidence: 0 to 1.
        asserted_by: the analyst (or source) making the claim.
        evidence: what supports it (a quote, a report).
        rule: the inference rule that proposed it, if it came from one.
        score: that rule's score.
    """

    cause: uuid.UUID = attrs.field(converter=f.to_uuid, validator=f.uuid_value)
    effect: uuid.UUID = attrs.field(converter=f.to_uuid, validator=[f.uuid_value, _distinct])
    relation: str = attrs.field(converter=_to_relation, validator=f.non_empty)
    confidence: float = attrs.field(default=1.0, validator=f.probability)
    asserted_by: str | None = f.text_or_none()
    evidence: str | None = f.text_or_none()
    rule: str | None = f.text_or_none()
    score: float | None = attrs.field(
        default=None, validator=attrs.validators.optional(f.probability)
    )

    def references(self) -> tuple[uuid.UUID, ...]:
        """The cause and the effect."""
        return (self.cause, self.effect)

    def headline(self) -> str:
        """E.g. "Link: 0197... → 0198... (retaliation, 0.8)"."""
        return self.summary or (
            f"Link: {self.cause} → {self.effect} ({self.relation}, {self.confidence:g})"
        )


@event_type("meta.causal_link_retracted")
@attrs.frozen(kw_only=True)
class CausalLinkRetracted(Event):
    """Withdraws a causal link from later views."""

    link: uuid.UUID = attrs.field(converter=f.to_uuid, validator=f.uuid_value)
    reason: str | None = f.text_or_none()

    def references(self) -> tuple[uuid.UUID, ...]:
        """The retracted link."""
        return (self.link,)

    def headline(self) -> str:
        """E.g. "Link 0197... retracted"."""
        return self.summary or f"Link {self.link} retracted"
