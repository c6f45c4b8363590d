"""Coded events: an action in a machine-coded event data set (GDELT's CAMEO codes).

Machine-coded data sets (GDELT, ICEWS, Phoenix) say who did what to whom as a code from a
taxonomy (CAMEO: ``"046"`` "Engage in negotiation", ``"194"`` "Fight with artillery and
tanks"), with a score on the Goldstein conflict–cooperation scale. Where a code means one of
the catalog's types, an importer makes that type (:mod:`timeline.io.gdelt` has the table);
every other coded action is a :class:`CodedEvent`, which keeps the code, its score and the
two actors as coded, so that Goldstein-weighted series (:meth:`timeline.io.cameo.Cameo.intensity`)
count it with its own score.
"""

from __future__ import annotations

import math
from typing import Any

import attrs

from timeline.events import fields as f
from timeline.events.base import Event
from timeline.events.registry import event_type

__all__ = ["CodedActor", "CodedEvent"]

_GOLDSTEIN_MIN, _GOLDSTEIN_MAX = -10, 10
_QUADS = (1, 2, 3, 4)


@f.guarded("v is None or (type(v) is float or type(v) is int) and -10 <= v <= 10")
def _goldstein(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (
        type(value) not in (int, float) or not _GOLDSTEIN_MIN <= value <= _GOLDSTEIN_MAX  # type: ignore[operator]  # a number, just checked
    ):
        raise f.field_error(instance, attribute, value, "must be a number from -10 to 10 or None")


@f.guarded("v is None or type(v) is int and 1 <= v <= 4")
def _quad_class(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (type(value) is not int or value not in _QUADS):
        raise f.field_error(instance, attribute, value, "must be 1, 2, 3 or 4 (CAMEO quad class)")


@f.guarded("v is None or (type(v) is float or type(v) is int) and v - v == 0")  # not inf, NaN
def _finite(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (
        type(value) not in (int, float) or not math.isfinite(value)  # type: ignore[arg-type]  # a number, just checked
    ):
        raise f.field_error(instance, attribute, value, "must be a finite number or None")


# The ranges the validators allow, for the strategies of ``timeline.testing``.
setattr(_goldstein, "bounds", (_GOLDSTEIN_MIN, _GOLDSTEIN_MAX))  # noqa: B010  # a function's attribute
setattr(_quad_class, "bounds", (_QUADS[0], _QUADS[-1]))  # noqa: B010  # a function's attribute


@attrs.frozen(kw_only=True)
class CodedActor:
    """One actor as an event data set codes it.

    Attributes:
        name: its name as coded ("UKRAINE", "VLADIMIR PUTIN").
        code: its full actor code ("UKRGOV": country, then roles).
        country: its country code (CAMEO's three letters: "UKR", "RUS").
        types: its type codes, in order ("GOV", "MIL", "REB").
        group: its known group code ("NATO", "UNO").
    """

    name: str | None = f.text_or_none()
    code: str | None = f.text_or_none()
    country: str | None = f.text_or_none()
    types: tuple[str, ...] = attrs.field(
        default=(), converter=f.to_names, validator=f.non_empty_names
    )
    group: str | None = f.text_or_none()

    @property
    def label(self) -> str | None:
        """Its name, else its code, else its country code."""
        return self.name or self.code or self.country


@f.guarded("v is None or isinstance(v, CodedActor)", type_only=True, CodedActor=CodedActor)
def _actor(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, CodedActor):
        raise f.field_error(instance, attribute, value, "must be a CodedActor or None")


@event_type("coded.event")
@attrs.frozen(kw_only=True)
class CodedEvent(Event):
    """An action coded in a taxonomy (CAMEO), of no type of the catalog.

    Args:
        scheme: the taxonomy ("CAMEO").
        code: the action's code, as text with its leading zeros ("0841").
        root: its root code ("08"): the first two digits for CAMEO.
        goldstein: its score on the Goldstein scale, −10 (most conflictual) to +10.
        quad_class: CAMEO's quad class: 1 verbal cooperation, 2 material cooperation,
            3 verbal conflict, 4 material conflict.
        source_actor: who acted (GDELT's Actor1).
        target_actor: to whom (Actor2).
        mentions: how many mentions of it the data set counted (GDELT's NumMentions).
        source_count: in how many sources (NumSources).
        articles: in how many articles (NumArticles).
        tone: the average tone of those articles, −100 to +100 (AvgTone).
        root_event: whether it was coded from an article's lead paragraph (IsRootEvent).

    The base event's ``actors`` name the two actors (source first), so every projection
    that reads ``actors`` sees them.
    """

    scheme: str = attrs.field(default="CAMEO", validator=f.non_empty)
    code: str = attrs.field(validator=f.non_empty)
    root: str = attrs.field(validator=f.non_empty)
    goldstein: float | None = attrs.field(default=None, validator=_goldstein)
    quad_class: int | None = attrs.field(default=None, validator=_quad_class)
    source_actor: CodedActor | None = attrs.field(default=None, validator=_actor)
    target_actor: CodedActor | None = attrs.field(default=None, validator=_actor)
    mentions: int | None = f.count_or_none()
    source_count: int | None = f.count_or_none()
    articles: int | None = f.count_or_none()
    tone: float | None = attrs.field(default=None, validator=_finite)
    root_event: bool | None = attrs.field(default=None, validator=f.optional_boolean)

    def headline(self) -> str:
        """E.g. "RUSSIA → UKRAINE: CAMEO 190"."""
        if self.summary:
            return self.summary
        who = " → ".join(
            a.label for a in (self.source_actor, self.target_actor) if a is not None and a.label
        )
        return f"{who}: {self.scheme} {self.code}" if who else f"{self.scheme} {self.code}"
