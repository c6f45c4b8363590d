"""Hypothesis strategies for events and whole logs.

:func:`strategy_for` derives a strategy for any event type, the catalog's or your own, from
its attrs fields and type hints, so a new type is covered by the property tests as soon as it
exists; a field type it cannot derive is an error (pass a strategy for that field), never a
silent skip. :func:`events` draws any type of a registry, and :func:`log_scripts` draws whole
logs whose references always point backwards, so that a log accepts every append.

>>> from hypothesis import given
>>> from timeline.events import DroneBarrage
>>> @given(strategy_for(DroneBarrage))
... def test_destroyed_never_exceeds_launched(barrage):
...     assert barrage.launched is None or (barrage.destroyed or 0) <= barrage.launched
>>> test_destroyed_never_exceeds_launched()
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import types
import typing
import uuid
import zoneinfo
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
from hypothesis import reject
from hypothesis import strategies as st
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.events import (
    Attack,
    CasualtyReport,
    CausalLink,
    CausalLinkRetracted,
    Correction,
    Event,
    ItemCount,
    Location,
    PartyCount,
    PrisonerExchangeCarriedOut,
    Retraction,
    Source,
)
from timeline.events import fields as f
from timeline.events.registry import declared_types
from timeline.time import TimePrecision, is_zone, to_utc

__all__ = [
    "STREAMS",
    "LogScript",
    "changes",
    "counts",
    "events",
    "instants",
    "item_counts",
    "json_values",
    "locations",
    "log_scripts",
    "names",
    "party_counts",
    "precisions",
    "sources",
    "strategy_for",
    "zones",
]

T = TypeVar("T")
_E = TypeVar("_E", bound=Event)

#: A whole log to build: ``(stream, events)`` for each append, in order.
LogScript = list[tuple[str, list[Event]]]

#: The streams :func:`log_scripts` appends to: few, so that stream versions accumulate.
STREAMS: tuple[str, ...] = ("talks/istanbul", "strikes/overnight", "exchanges", "analysis")

_MAX_COUNT = 10**9
#: All of Unicode that can be written as UTF-8: everything but lone surrogates.
_CHARACTERS = st.characters(codec="utf-8")
_META: tuple[type[Event], ...] = (Correction, Retraction, CausalLink, CausalLinkRetracted)

#: Fields whose known (not ``None``) values must not decrease in the order given, per class
#: (and its subclasses). Drawn values are sorted into that order, so drawing rarely rejects.
_ORDERED: dict[type[Any], tuple[tuple[str, ...], ...]] = {
    Attack: (("destroyed", "launched"), ("lost", "launched")),
    PrisonerExchangeCarriedOut: (("stage", "stages_total"),),
    CasualtyReport: (("killed_low", "killed", "killed_high"),),
}


# -- building blocks ------------------------------------------------------------------------


def names(*, max_size: int = 24) -> st.SearchStrategy[str]:
    """Non-blank text from all of Unicode (but no lone surrogates): names, titles, quotes."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).filter(str.strip)


def counts(*, max_value: int = _MAX_COUNT) -> st.SearchStrategy[int]:
    """Whole numbers ≥ 0 (never booleans), as in every count field."""
    return st.integers(min_value=0, max_value=max_value)


def instants(*, min_year: int = 1990, max_year: int = 2100) -> st.SearchStrategy[DateTime]:
    """Aware UTC pendulum ``DateTime`` values to the microsecond.

    >>> from hypothesis import find
    >>> find(instants(), lambda t: t.microsecond).utcoffset()
    datetime.timedelta(0)
    """
    return st.datetimes(
        min_value=dt.datetime(min_year, 1, 1),  # noqa: DTZ001  # naive bounds, made UTC below
        max_value=dt.datetime(max_year, 12, 31, 23, 59, 59, 999_999),  # noqa: DTZ001  # same
    ).map(lambda naive: to_utc(naive.replace(tzinfo=dt.UTC)))


@functools.cache
def _iana_zones() -> list[str]:
    return sorted(zone for zone in zoneinfo.available_timezones() if is_zone(zone))


def zones() -> st.SearchStrategy[str]:
    """Zones an event may carry: any IANA name the tz database knows, ``"UTC"``, offsets.

    >>> from hypothesis import find
    >>> find(zones(), lambda z: z.startswith("+"))
    '+00:00'
    """
    offsets = st.builds(
        lambda sign, hours, minutes: f"{sign}{hours:02d}:{minutes:02d}",
        st.sampled_from("+-"),
        st.integers(0, 23),
        st.sampled_from([0, 30, 45]),
    )
    return (
        st.sampled_from(["UTC", "Europe/Kyiv", "Europe/Istanbul"])
        | offsets
        | st.sampled_from(_iana_zones())
    )


def precisions() -> st.SearchStrategy[TimePrecision]:
    """Any :class:`~timeline.time.TimePrecision`."""
    return st.sampled_from(list(TimePrecision))


def _optional(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.none() | strategy


def sources() -> st.SearchStrategy[Source]:
    """A :class:`~timeline.events.Source`, graded or not."""
    return st.builds(
        Source,
        name=names(),
        url=_optional(names()),
        published_at=_optional(instants()),
        reliability=_optional(st.sampled_from("ABCDEF")),
        credibility=_optional(st.integers(min_value=1, max_value=6)),
    )


def locations() -> st.SearchStrategy[Location]:
    """A :class:`~timeline.events.Location`, from a bare name to coordinates."""
    return st.builds(
        Location,
        name=_optional(names()),
        country=_optional(names()),
        admin1=_optional(names()),
        latitude=_optional(st.floats(min_value=-90, max_value=90)),
        longitude=_optional(st.floats(min_value=-180, max_value=180)),
    )


def party_counts(
    *, min_size: int = 1, max_size: int = 4
) -> st.SearchStrategy[tuple[PartyCount, ...]]:
    """:class:`~timeline.events.PartyCount` tuples, each party named once."""
    one = st.builds(PartyCount, party=names(), count=counts())
    return st.lists(one, min_size=min_size, max_size=max_size, unique_by=lambda c: c.party).map(
        tuple
    )


def item_counts(*, max_size: int = 4) -> st.SearchStrategy[tuple[ItemCount, ...]]:
    """:class:`~timeline.events.ItemCount` tuples, each item named once."""
    one = st.builds(ItemCount, item=names(), count=counts())
    return st.lists(one, max_size=max_size, unique_by=lambda c: c.item).map(tuple)


def json_values() -> st.SearchStrategy[Any]:
    """JSON scalars (``None``, booleans, integers, finite floats, text) and short lists of them."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(min_value=-(2**53), max_value=2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(_CHARACTERS, max_size=20)
    )
    return scalars | st.lists(scalars, max_size=3)


_IDENTIFIERS = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)


def changes() -> st.SearchStrategy[dict[str, Any]]:
    """What a :class:`~timeline.events.Correction` changes: JSON values keyed by field names.

    The names are any identifiers (not those of a particular type), so these suit the codec;
    :func:`log_scripts` draws corrections that a correction guard would accept.
    """
    keys = _IDENTIFIERS.filter(lambda k: k != "event_id")
    return st.dictionaries(keys, json_values(), min_size=1, max_size=4)


# -- deriving a strategy from an attrs class -------------------------------------------------


def _validators(validator: object) -> Iterable[object]:
    """The validator and those it wraps (``optional(...)``, ``and_(...)``, lists)."""
    if validator is None:
        return
    yield validator
    yield from _validators(getattr(validator, "validator", None))
    for inner in getattr(validator, "_validators", ()):
        yield from _validators(inner)


@functools.cache
def _known_types() -> dict[Any, st.SearchStrategy[Any]]:
    return {
        str: names(),
        bool: st.booleans(),
        int: counts(),
        uuid.UUID: st.uuids(),
        Source: sources(),
        Location: locations(),
        tuple[PartyCount, ...]: party_counts(),
        tuple[ItemCount, ...]: item_counts(),
        dict[str, Any]: changes(),
        typing.Any: json_values(),
    }


class _Underivable(TypeError):
    """A type no strategy can be derived for (reported by :func:`strategy_for`)."""


def _bounded(tp: Any, attribute: attrs.Attribute[Any] | None) -> st.SearchStrategy[Any] | None:
    """Numbers in the range a field's validator allows, where it says (its ``bounds``)."""
    for validator in _validators(attribute and attribute.validator):
        bounds = getattr(validator, "bounds", None)
        if bounds is not None:
            low, high = bounds
            return st.integers(low, high) if tp is int else st.floats(low, high)
    return None


def _for_type(tp: Any, attribute: attrs.Attribute[Any] | None) -> st.SearchStrategy[Any]:
    if tp in (int, float):
        bounded = _bounded(tp, attribute)
        if bounded is not None:
            return bounded
    known = _known_types()
    if tp in known:
        return known[tp]
    if typing.get_origin(tp) is not None:
        return _for_generic(tp, attribute)
    if tp is float:
        if any(v is f.probability for v in _validators(attribute and attribute.validator)):
            return st.floats(min_value=0, max_value=1)
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(tp, type):
        return _for_class(tp)
    raise _Underivable(tp)


def _for_generic(tp: Any, attribute: attrs.Attribute[Any] | None) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        drawn = st.one_of([_for_type(a, attribute) for a in options])
        return _optional(drawn) if len(options) < len(args) else drawn
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:  # noqa: PLR2004  # tuple[X, ...]
        return st.lists(_for_type(args[0], attribute), max_size=4).map(tuple)
    if origin is tuple:
        return st.tuples(*(_for_type(a, attribute) for a in args))
    if origin in (dict, Mapping) and args and args[0] is str:  # dict[str, X]
        return st.dictionaries(_IDENTIFIERS, _for_type(args[1], attribute), max_size=4)
    raise _Underivable(tp)


def _for_class(tp: type[Any]) -> st.SearchStrategy[Any]:
    if issubclass(tp, dt.datetime):
        return instants()
    if issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if attrs.has(tp):
        return strategy_for(tp)
    raise _Underivable(tp)


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):
        # Hints naming something local to a function: use what attrs holds, where it is a type.
        return {a.name: a.type for a in attrs.fields(cls) if not isinstance(a.type, str)}


def _field_plan(
    attribute: attrs.Attribute[Any], hints: dict[str, Any]
) -> st.SearchStrategy[Any] | _Underivable:
    if attribute.name not in hints:
        return _Underivable(attribute.type)
    try:
        return _for_type(hints[attribute.name], attribute)
    except _Underivable as e:
        return e


@functools.cache
def _plan(cls: type[Any]) -> dict[str, st.SearchStrategy[Any] | _Underivable]:
    """A strategy for each field of ``cls`` (or why there is none), derived once per class."""
    hints = _type_hints(cls)
    plan = {a.name: _field_plan(a, hints) for a in attrs.fields(cls) if a.init}
    if issubclass(cls, Event):
        plan["zone"] = _optional(zones())
    return plan


#: How long after ``occurred_at`` an interval ends, if it has an end.
_DURATIONS = _optional(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=3)))


def _sort_known(values: dict[str, Any], group: tuple[str, ...]) -> None:
    present = [name for name in group if values.get(name) is not None]
    values.update(zip(present, sorted(values[name] for name in present), strict=True))


def strategy_for(
    cls: type[T], /, **field_strategies: st.SearchStrategy[Any]
) -> st.SearchStrategy[T]:
    """A strategy for instances of an attrs class: any event type, or a part such as Source.

    Each field's strategy comes from its type hint: ``str`` (non-blank names), ``int`` (counts
    ≥ 0), ``bool``, ``float`` (0 to 1 where the field is validated as a probability), instants,
    UUIDs, enums such as :class:`~timeline.time.TimePrecision`, sources, locations, party and
    item counts, ``dict[str, Any]`` (a correction's changes), other attrs classes, tuples of
    any of these, and ``X | None``. ``occurred_until`` is drawn at or after ``occurred_at``,
    and the catalog's ordered counts (destroyed and lost ≤ launched, stage ≤ stages_total,
    killed_low ≤ killed ≤ killed_high) are drawn in order. Whatever the type's validators
    still refuse is rejected, so every drawn value is a valid instance.

    Args:
        cls: the attrs class.
        **field_strategies: strategies to use instead of the derived ones, by field name.

    Raises:
        TypeError: ``cls`` is not an attrs class, a strategy names a field it lacks, or a
            field's type cannot be derived and no strategy was given for it.

    >>> from hypothesis import given, strategies as st
    >>> from timeline.events import Statement
    >>> @given(strategy_for(Statement, speaker=st.just("Hakan Fidan")))
    ... def test_fidan_speaks(statement):
    ...     assert statement.speaker == "Hakan Fidan"
    >>> test_fidan_speaks()
    """
    make: Callable[..., T] = cls
    if not (isinstance(cls, type) and attrs.has(cls)):
        raise TypeError(f"strategy_for needs an attrs class, got {cls!r}")
    plan = dict(_plan(cls))
    unknown = sorted(set(field_strategies) - set(plan))
    if unknown:
        raise TypeError(
            f"strategy_for({cls.__qualname__}) got strategies for fields it does not have: "
            f"{', '.join(unknown)}"
        )
    plan.update(field_strategies)
    for name, planned in plan.items():
        if isinstance(planned, _Underivable):
            hint = planned.args[0] if planned.args else "?"
            raise TypeError(
                f"cannot derive a strategy for {cls.__qualname__}.{name} of type {hint!r}; "
                f"pass one: strategy_for({cls.__qualname__}, {name}=...)"
            )
    strategies: dict[str, st.SearchStrategy[Any]] = typing.cast("dict[str, Any]", plan)
    derive_until = issubclass(cls, Event) and "occurred_until" not in field_strategies
    if derive_until:
        del strategies["occurred_until"]
    groups = [
        group
        for base in cls.__mro__
        for group in _ORDERED.get(base, ())
        if not set(group) & set(field_strategies)
    ]
    recipe = _Recipe(
        make=make,
        strategies=strategies,
        derive_until=derive_until,
        groups=tuple(groups),
        aliases={a.name: a.alias for a in attrs.fields(cls)},
    )
    return _build(recipe)


@attrs.frozen
class _Recipe(Generic[T]):
    """How :func:`strategy_for` builds one instance (its repr names the class only)."""

    make: Callable[..., T]
    strategies: Mapping[str, st.SearchStrategy[Any]] = attrs.field(repr=False)
    derive_until: bool = attrs.field(repr=False)
    groups: tuple[tuple[str, ...], ...] = attrs.field(repr=False)
    aliases: Mapping[str, str] = attrs.field(repr=False)


# Decorated once, here: @st.composite reads the function's source each time it is applied.
@st.composite
def _build(draw: st.DrawFn, recipe: _Recipe[T]) -> T:
    values = {name: draw(strategy) for name, strategy in recipe.strategies.items()}
    if recipe.derive_until:
        duration = draw(_DURATIONS)
        values["occurred_until"] = None if duration is None else values["occurred_at"] + duration
    for group in recipe.groups:
        _sort_known(values, group)
    try:
        return recipe.make(**{recipe.aliases[name]: value for name, value in values.items()})
    except InvalidEvent:
        reject()


def _types(registry: Iterable[type[Event]] | None) -> list[type[Event]]:
    """The types of ``registry``, or every type declared so far (read at call time)."""
    return declared_types() if registry is None else list(registry)


def events(registry: Iterable[type[Event]] | None = None) -> st.SearchStrategy[Event]:
    """Events of any type in ``registry`` (default: every declared type), for codec tests.

    References point at random ids; use :func:`log_scripts` for events a log will accept.

    Raises:
        TypeError: a type has a field whose strategy cannot be derived.
    """
    return st.one_of([strategy_for(cls) for cls in _types(registry)])


# -- whole logs ----------------------------------------------------------------------------


def _reference_fields(cls: type[Event]) -> dict[str, tuple[bool, bool]]:
    """Fields holding event ids, other than ``event_id``: name → (optional, many)."""
    hints = _type_hints(cls)
    found: dict[str, tuple[bool, bool]] = {}
    for attribute in attrs.fields(cls):
        hint = hints.get(attribute.name)
        if attribute.name == "event_id" or not attribute.init:
            continue
        if hint is uuid.UUID:
            found[attribute.name] = (False, False)
        elif hint in (uuid.UUID | None, typing.Optional[uuid.UUID]):  # noqa: UP045  # both spellings
            found[attribute.name] = (True, False)
        elif hint == tuple[uuid.UUID, ...]:
            found[attribute.name] = (True, True)
    return found


def _safe_changes() -> st.SearchStrategy[dict[str, Any]]:
    """Changes every event type accepts: to the common descriptive fields."""
    return st.fixed_dictionaries(
        {"summary": names()},
        optional={"claimed_by": names(), "tags": st.lists(names(), max_size=3)},
    )


@attrs.define
class _Script:
    """Draws one log script, keeping what it has appended so far."""

    draw: st.DrawFn
    plain: Sequence[type[Event]]
    references: Mapping[type[Event], dict[str, tuple[bool, bool]]]
    appended: set[uuid.UUID] = attrs.field(factory=set)
    live: list[Event] = attrs.field(factory=list)  # plain events not retracted: targets
    links: list[CausalLink] = attrs.field(factory=list)  # links not retracted

    def fresh_id(self) -> st.SearchStrategy[uuid.UUID]:
        """A new id (the next free one where shrinking makes drawn ids collide)."""
        drawn = self.draw(st.uuids())
        while drawn in self.appended:
            drawn = uuid.UUID(int=(drawn.int + 1) % 2**128)
        return st.just(drawn)

    def event(self, kind: type[Event] | None) -> Event | None:
        """An event of that kind (``None``: plain), or a plain one where it has no target."""
        given = self.fresh_id()
        drawn = None
        if kind is Correction:
            drawn = self.correction(given)
        elif kind is Retraction:
            drawn = self.withdrawal(given, self.live, Retraction, "retracts")
        elif kind is CausalLink:
            drawn = self.link(given)
        elif kind is CausalLinkRetracted:
            drawn = self.withdrawal(given, self.links, CausalLinkRetracted, "link")
        if drawn is None:
            drawn = self.plain_event(given)
        if drawn is not None:
            self.appended.add(drawn.event_id)
        return drawn

    def plain_event(self, given: st.SearchStrategy[uuid.UUID]) -> Event | None:
        targets = [e.event_id for e in self.live]
        usable = [
            cls
            for cls in self.plain
            if targets or all(optional for optional, _ in self.references[cls].values())
        ]
        if not usable:
            return None
        cls = self.draw(st.sampled_from(usable))
        aims: dict[str, st.SearchStrategy[Any]] = {}
        for name, (optional, many) in self.references[cls].items():
            if not targets:
                aims[name] = st.just(()) if many else st.none()
            elif many:
                aims[name] = st.lists(st.sampled_from(targets), max_size=2).map(tuple)
            else:
                target = st.sampled_from(targets)
                aims[name] = _optional(target) if optional else target
        event = self.draw(strategy_for(cls, event_id=given, **aims))
        if not set(event.references()) <= self.appended:
            reject()  # a type whose references() reads ids from elsewhere: cannot aim them
        self.live.append(event)
        return event

    def correction(self, given: st.SearchStrategy[uuid.UUID]) -> Event | None:
        if not self.live:
            return None
        target = st.just(self.draw(st.sampled_from(self.live)).event_id)
        return self.draw(
            strategy_for(Correction, event_id=given, corrects=target, changes=_safe_changes())
        )

    def withdrawal(
        self,
        given: st.SearchStrategy[uuid.UUID],
        pool: list[_E],
        kind: type[Event],
        field: str,
    ) -> Event | None:
        """A ``kind`` event naming (in ``field``) one of ``pool``, which leaves the pool.

        Retractions withdraw live events, link retractions links: what is withdrawn is never
        a target again.
        """
        if not pool:
            return None
        target = self.draw(st.sampled_from(pool))
        pool.remove(target)
        return self.draw(strategy_for(kind, event_id=given, **{field: st.just(target.event_id)}))

    def link(self, given: st.SearchStrategy[uuid.UUID]) -> Event | None:
        if len(self.live) < 2:  # noqa: PLR2004  # a cause and an effect
            return None
        indices = st.sampled_from(range(len(self.live)))
        pair = self.draw(st.lists(indices, min_size=2, max_size=2, unique=True))
        # Earlier to later (ties by place), so links never go back in time or close a cycle.
        cause, effect = (
            self.live[i] for i in sorted(pair, key=lambda i: (self.live[i].occurred_at, i))
        )
        new = self.draw(
            strategy_for(
                CausalLink,
                event_id=given,
                cause=st.just(cause.event_id),
                effect=st.just(effect.event_id),
            )
        )
        self.links.append(new)
        return new


def log_scripts(
    registry: Iterable[type[Event]] | None = None,
    *,
    streams: Iterable[str] = STREAMS,
    max_batches: int = 6,
    max_batch_size: int = 4,
) -> st.SearchStrategy[LogScript]:
    """Whole logs to append: ``[(stream, [events]), ...]`` that a log accepts in order.

    Event ids are unique, and every reference (:meth:`Event.references`) points to an event
    appended earlier (in an earlier batch, or earlier in the same one). Besides plain events
    of every type in ``registry`` (default: every declared type), scripts hold corrections
    (of descriptive fields every type has), retractions, causal links (from the earlier to
    the later event, so they never go back in time or close a cycle) and retractions of those
    links, wherever those types are in the registry. Nothing is corrected, retracted or
    linked once it has been retracted.

    Args:
        registry: the event types to draw (a :class:`~timeline.codec.Registry` or a list).
        streams: the stream names to append to.
        max_batches: at most this many appends.
        max_batch_size: at most this many events in one append.

    Raises:
        TypeError: a type has a field whose strategy cannot be derived.
    """
    all_types = _types(registry)
    plain = [cls for cls in all_types if not issubclass(cls, _META)]
    for cls in plain:
        strategy_for(cls)  # fail now, not in the middle of a draw, for an underivable type
    references = {cls: _reference_fields(cls) for cls in plain}
    stream_names = list(streams)
    if not stream_names:
        raise TypeError("log_scripts needs at least one stream name")
    # Mostly plain events (None), now and then something about them.
    kinds: list[type[Event] | None] = [None, None, None, *(k for k in _META if k in all_types)]

    @st.composite
    def script(draw: st.DrawFn) -> LogScript:
        state = _Script(draw, plain, references)
        appends: LogScript = []
        for _ in range(draw(st.integers(min_value=1, max_value=max_batches))):
            stream = draw(st.sampled_from(stream_names))
            size = draw(st.integers(min_value=1, max_value=max_batch_size))
            batch = [state.event(draw(st.sampled_from(kinds))) for _ in range(size)]
            events = [event for event in batch if event is not None]
            if events:
                appends.append((stream, events))
        return appends

    return script()
