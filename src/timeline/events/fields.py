"""Validators and converters shared by every event type.

They are plain callables for ``attrs.field(validator=..., converter=...)``. Each failure is an
:class:`~timeline.errors.InvalidEvent` that names the field and the value, so a bad report is
refused at construction and no invalid event ever exists. A validator raises through
:func:`refuse`, so that one error names every bad field of the event, not just the first.
"""

from __future__ import annotations

import datetime as dt
import math
import reprlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeVar

import attrs
import pendulum
from pendulum import DateTime

from timeline.errors import InvalidEvent
from timeline.time import TimePrecision, to_utc

__all__ = [
    "GUARD",
    "MAX_DEPTH",
    "OMIT_NONE",
    "Guard",
    "as_tuple",
    "at_most",
    "aware_utc",
    "boolean",
    "count",
    "count_or_none",
    "depth_exceeds",
    "distinct_counts",
    "encodable",
    "field_error",
    "given_refs",
    "guarded",
    "is_precision",
    "non_empty",
    "non_empty_names",
    "not_above",
    "optional_aware_utc",
    "optional_boolean",
    "optional_non_empty",
    "optional_uuid_value",
    "probability",
    "ref_or_none",
    "refuse",
    "shown",
    "text_or_none",
    "to_counts",
    "to_names",
    "to_optional_text",
    "to_optional_utc_instant",
    "to_optional_uuid",
    "to_precision",
    "to_utc_instant",
    "to_uuid",
    "unencodable",
    "uuid_value",
]

_ZERO = dt.timedelta(0)
_PENDULUM_UTC = pendulum.UTC

_V = TypeVar("_V", bound=Callable[..., Any])

#: The attribute of a validator holding its :class:`Guard` (see :func:`guarded`).
GUARD: Final = "timeline_guard"

#: The key of an attrs field's metadata saying the field is left out of its event's
#: encoding when it is ``None`` (``Event.zone``): events written before the field existed
#: keep their bytes and hashes, and read back as ``None``.
OMIT_NONE: Final = "timeline_omit_none"


@attrs.frozen
class Guard:
    """A validator's check as one Python expression, for the log's fast decoder.

    Attributes:
        expression: false for every value, as JSON gives it, of a kind or range the
            validator refuses: over ``v`` (the field's value) and ``o`` (the instance, the
            fields before this one set); it may also raise ``TypeError`` or ``ValueError``
            to refuse. It is kept cheap (it runs for every record read): the catalog's
            guards check types, numbers' ranges and emptiness, and leave out only what
            costs a scan of the text (text of spaces alone, which ``verify()`` and the
            hash chain still catch).
            A guard on a class's ``__attrs_post_init__`` (see :func:`not_above`) is over
            ``o`` alone, every field set; in either, the builder reads ``o.<field>`` as
            the field's value it has at hand.
        names: the names it uses besides ``v``, ``o`` and the builtins.
        type_only: whether it checks no more than that ``v`` is of the field's annotated
            type (``X | None`` included), so that the builder may leave it out where its
            own conversion makes that type (ids, instants, enums, nested parts).
    """

    expression: str
    names: dict[str, object] = attrs.field(factory=dict)
    type_only: bool = False


def guarded(expression: str, *, type_only: bool = False, **names: object) -> Callable[[_V], _V]:
    """Give a validator its :class:`Guard`: the same check as one expression.

    A log reads its own records back without running validators again
    (:class:`~timeline.codec.TrustedDecoder`), but a record changed behind its back must
    never come out as an event its type would refuse. So the generated builder evaluates,
    for each field, its validator's guard inline (a few tens of nanoseconds), and calls a
    validator that has none. When a guard fails, the record is decoded the validated way,
    which gives the validator's own error. ``tests/test_codec_trusted.py`` holds each guard
    to its validator.

    >>> @guarded("v is None or type(v) is int and v % 2 == 0")
    ... def even(instance, attribute, value):
    ...     if value is not None and (type(value) is not int or value % 2):
    ...         raise ValueError(value)
    >>> getattr(even, GUARD).expression
    'v is None or type(v) is int and v % 2 == 0'
    """

    def mark(validator: _V) -> _V:
        setattr(validator, GUARD, Guard(expression, dict(names), type_only=type_only))
        return validator

    return mark


def encodable(text: str) -> bool:
    r"""Whether UTF-8 can store ``text``: it holds no unpaired surrogate (``"\ud800"``).

    Python strings may hold one (from ``json.loads('"\ud800"')``, or a file name that is
    not UTF-8), and nothing that writes UTF-8 (the codec, SQLite, PostgreSQL) can.

    >>> encodable("Kyiv"), encodable("Київ"), encodable("x\ud800")
    (True, True, False)
    """
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unencodable(value: object) -> tuple[str, str] | None:
    r"""The path and the text of the first string in ``value`` UTF-8 cannot store, if any.

    Walks lists, tuples and dicts (keys too) iteratively; the path reads as field paths do:
    ``"actors[1]"``, ``"sources[0].url"``. For the error of a value that failed to encode.

    >>> unencodable({"text": "ok", "actors": ["Kyiv", "x\ud800"]})
    ('actors[1]', 'x\ud800')
    """
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if not encodable(item):
                return path, item
        elif isinstance(item, dict):
            for key, inner in reversed(item.items()):
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and not encodable(key):
                    return name, key
                pending.append((name, inner))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{path}[{i}]", inner) for i, inner in reversed(list(enumerate(item))))
    return None


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel = 4
    short.maxstring = short.maxother = 200
    short.maxlong = 60
    short.maxlist = short.maxtuple = short.maxdict = short.maxset = short.maxfrozenset = 12
    return short


_SHORT: Final = _short_repr()


def shown(value: object) -> str:
    """``repr(value)`` for an error message, cut short: deep or long values stay readable.

    A value nested thousands of levels deep (hostile input) has no full ``repr`` within
    Python's recursion limit; an error about it must still be raised.

    >>> shown([[[[[[1]]]]]]), shown("x" * 3)
    ('[[[[[...]]]]]', "'xxx'")
    """
    return _SHORT.repr(value)


def refuse(instance: object, attribute: attrs.Attribute[Any], error: InvalidEvent) -> InvalidEvent:
    """The error a validator of ``attribute`` raises: ``error``, with the later bad fields.

    attrs sets every field of an instance, then runs the validators in field order and stops
    at the first that raises. So the first one to fail runs the validators of the fields
    after its own, and the error it raises names them all (see
    :meth:`~timeline.errors.InvalidEvent.combine`). A valid event never comes here: its
    construction costs nothing more. A later check that fails only because an earlier field
    is bad (an end compared with a start that is not a time) is left out.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> try:
    ...     DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1), launched=-1, lost=-2)
    ... except InvalidEvent as e:
    ...     print([(one.field, one.value) for one in e.errors])
    [('launched', -1), ('lost', -2)]
    """
    cls = type(instance)
    if not attrs.has(cls):
        return error
    later: list[InvalidEvent] = []
    after = False
    for other in attrs.fields(cls):
        if not after:
            after = other is attribute or other.name == attribute.name
            continue
        if other.validator is None:
            continue
        try:
            other.validator(instance, other, getattr(instance, other.name))
        except InvalidEvent as e:
            later.extend(e.errors)
            if len(e.errors) > 1:
                break  # raised through refuse: it has checked the fields after it
        except (TypeError, ValueError, AttributeError, LookupError):
            continue  # a consequence of an earlier bad field, not an error of its own
    return InvalidEvent.combine([error, *later]) if later else error


def field_error(
    instance: object,
    attribute: attrs.Attribute[Any],
    value: object,
    message: str,
    *,
    field: str | None = None,
) -> InvalidEvent:
    """The error a validator of ``attribute`` raises for ``value`` (through :func:`refuse`).

    The message reads ``"<Class>.<field> <message>, got <value>"``; ``field`` names a part
    within the attribute (``"actors[1]"``) where it is not the attribute itself.
    """
    name = attribute.name if field is None else field
    event_id = getattr(instance, "event_id", None)
    error = InvalidEvent(
        f"{type(instance).__name__}.{name} {message}, got {shown(value)}",
        field=name,
        value=value,
        event_id=event_id if isinstance(event_id, uuid.UUID) else None,
    )
    return refuse(instance, attribute, error)


def at_most(event: object, name: str, bound: str) -> None:
    """Refuse ``event`` if its field ``name`` is more than its field ``bound``.

    A check across two fields, for ``__attrs_post_init__``, once each field has passed its
    own validator: drones destroyed never more than launched, an exchange's stage never past
    its last. Where either is unknown (``None``) there is nothing to compare.

    >>> import pendulum
    >>> from timeline.events import DroneBarrage
    >>> DroneBarrage(occurred_at=pendulum.datetime(2025, 6, 1), launched=5, lost=7)
    Traceback (most recent call last):
    ...
    timeline.errors.InvalidEvent: DroneBarrage.lost must not exceed launched (5), got 7

    Raises:
        InvalidEvent: naming ``name`` and its value.
    """
    value, limit = getattr(event, name), getattr(event, bound)
    if value is not None and limit is not None and value > limit:
        raise InvalidEvent(
            f"{type(event).__name__}.{name} must not exceed {bound} ({limit}), got {value}",
            field=name,
            value=value,
            event_id=getattr(event, "event_id", None),
        )


def not_above(name: str, bound: str) -> str:
    """The guard expression of :func:`at_most`: field ``name`` is not more than ``bound``.

    For ``guarded(...)`` on an ``__attrs_post_init__`` that calls :func:`at_most`, so that
    the log's fast decoder checks it inline instead of calling it (see :class:`Guard`).

    >>> not_above("lost", "launched")
    '(o.lost is None or o.launched is None or not o.lost > o.launched)'
    """
    return f"(o.{name} is None or o.{bound} is None or not o.{name} > o.{bound})"


@guarded("v is None or type(v) is int and v >= 0")
def count(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A count: ``None`` (unknown) or an integer ≥ 0. Booleans are not counts."""
    if value is None:
        return
    if type(value) is not int or value < 0:
        raise field_error(instance, attribute, value, "must be a whole number ≥ 0 or None")


@guarded("type(v) is str and v")  # "" is false; text of spaces alone: left to verify()
def non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required name: a string with something other than spaces in it."""
    if type(value) is not str or not value.strip():
        raise field_error(instance, attribute, value, "must be a non-empty string")


@guarded("v is None or type(v) is str and v")
def optional_non_empty(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or a non-empty string."""
    if value is not None:
        non_empty(instance, attribute, value)


@guarded("not v or all(map(str.strip, v))")  # str.strip raises for what is not text; "" is false
def non_empty_names(
    instance: object, attribute: attrs.Attribute[Any], value: tuple[object, ...]
) -> None:
    """A tuple of non-empty strings (actors, tags, terms, members)."""
    if type(value) is not tuple:  # what to_names could not make a tuple of: None, 5
        raise field_error(instance, attribute, value, "must be a list of names")
    for i, item in enumerate(value):
        if type(item) is not str or not item.strip():
            raise field_error(
                instance,
                attribute,
                item,
                "must be a non-empty string",
                field=f"{attribute.name}[{i}]",
            )


@guarded("type(v) is bool")
def boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``True`` or ``False``."""
    if type(value) is not bool:
        raise field_error(instance, attribute, value, "must be True or False")


@guarded("v is None or type(v) is bool")
def optional_boolean(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None`` (unknown), ``True`` or ``False``."""
    if value is not None:
        boolean(instance, attribute, value)


@guarded("(type(v) is float or type(v) is int) and 0 <= v <= 1")
def probability(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A number between 0 and 1 inclusive (a confidence)."""
    if (
        type(value) not in (int, float)
        or not 0 <= value <= 1  # type: ignore[operator]  # checked to be a number
        or not math.isfinite(value)  # type: ignore[arg-type]  # a number in [0, 1] (or NaN)
    ):
        raise field_error(instance, attribute, value, "must be a number between 0 and 1")


@guarded("isinstance(v, UUID)", type_only=True, UUID=uuid.UUID)
def uuid_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A UUID (ids of events and the events they refer to)."""
    if not isinstance(value, uuid.UUID):
        raise field_error(instance, attribute, value, "must be a UUID")


def to_utc_instant(value: object) -> object:
    """Convert an aware datetime to UTC; leave anything else for :func:`aware_utc` to refuse."""
    if type(value) is DateTime and value.tzinfo is _PENDULUM_UTC:
        return value  # already an instant in UTC (asking pendulum's zone for its offset is slow)
    if isinstance(value, dt.datetime) and value.utcoffset() is not None:
        try:
            return to_utc(value)
        except InvalidEvent:
            return value  # no UTC form (year 1 at +01:00): aware_utc refuses it by field name
    return value


def to_optional_utc_instant(value: object) -> object:
    """Like :func:`to_utc_instant`, letting ``None`` through."""
    return None if value is None else to_utc_instant(value)


@guarded(
    "type(v) is DateTime and v.tzinfo is UTC", type_only=True, DateTime=DateTime, UTC=_PENDULUM_UTC
)
def aware_utc(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An aware instant (already converted to UTC by :func:`to_utc_instant`)."""
    if type(value) is DateTime and (value.tzinfo is _PENDULUM_UTC or value.utcoffset() == _ZERO):
        return
    if isinstance(value, dt.datetime) and value.utcoffset() is None:  # pendulum's naive too
        raise field_error(
            instance,
            attribute,
            value,
            "must be timezone-aware (attach the source's zone, e.g. Europe/Kyiv, or UTC)",
        )
    if isinstance(value, dt.datetime):
        raise field_error(instance, attribute, value, "is out of range once converted to UTC")
    raise field_error(instance, attribute, value, "must be an aware datetime")


@guarded(
    "v is None or type(v) is DateTime and v.tzinfo is UTC",
    type_only=True,
    DateTime=DateTime,
    UTC=_PENDULUM_UTC,
)
def optional_aware_utc(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or an aware instant."""
    if value is not None:
        aware_utc(instance, attribute, value)


def to_precision(value: object) -> object:
    """``"day"`` to :attr:`TimePrecision.DAY`; leave anything else for :func:`is_precision`."""
    if type(value) is TimePrecision or not isinstance(value, str):
        return value
    try:
        return TimePrecision(value)
    except ValueError:
        return value


@guarded("type(v) is TimePrecision", type_only=True, TimePrecision=TimePrecision)
def is_precision(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """One of the :class:`TimePrecision` values."""
    if type(value) is not TimePrecision:
        choices = ", ".join(p.value for p in TimePrecision)
        raise field_error(instance, attribute, value, f"must be one of {choices}")


def to_uuid(value: object) -> object:
    """A UUID's text to the UUID; leave anything else for :func:`uuid_value` to refuse."""
    if type(value) is uuid.UUID:
        return value
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            return value
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int)
    return value


def to_optional_uuid(value: object) -> object:
    """Like :func:`to_uuid`, letting ``None`` through."""
    return None if value is None else to_uuid(value)


@guarded("v is None or isinstance(v, UUID)", type_only=True, UUID=uuid.UUID)
def optional_uuid_value(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or a UUID."""
    if value is not None:
        uuid_value(instance, attribute, value)


def to_names(value: Iterable[str] | str) -> tuple[str, ...]:
    """Turn a list (or a single name) into a tuple of names.

    Anything that is not a list of some kind (``None``, a number) is left as it is, for
    :func:`non_empty_names` to refuse by field name.
    """
    if type(value) is tuple:
        return value
    if isinstance(value, str):
        return (value,)
    return as_tuple(value)  # type: ignore[no-any-return]  # refused by the validator if not


def as_tuple(value: Any) -> Any:
    """``tuple(value)`` for an iterable (a list, a generator), else ``value`` as it is.

    For converters: a value that is no collection at all (``None``, a number) is left for
    the field's validator to refuse by name, rather than failing as a bare ``TypeError``.
    """
    if value is None or isinstance(value, (int, float, bytes, bytearray)):
        return value
    try:
        return tuple(value)
    except TypeError:  # not iterable: the validator names the field
        return value


def to_optional_text(value: str | None) -> str | None:
    """Treat an empty or blank string as unknown (``None``)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _a(word: str) -> str:
    return f"an {word}" if word[:1].lower() in "aeiou" else f"a {word}"


def to_counts(part: type[Any], key: str, value: Any) -> tuple[Any, ...]:
    """``value`` as a tuple of ``part`` counts (:class:`~timeline.events.PartyCount`, ...).

    A mapping ``{name: count}`` gives one ``part(<key>=name, count=count)`` per entry; any
    other iterable is kept, as a tuple, for :func:`distinct_counts` to check.
    """
    if isinstance(value, dict):
        return tuple(part(**{key: k, "count": v}) for k, v in value.items())
    return as_tuple(value)  # type: ignore[no-any-return]  # refused by the validator if not


def distinct_counts(
    part: type[Any], key: str, *, at_least_one: bool = False
) -> Callable[[Any, attrs.Attribute[Any], tuple[Any, ...]], None]:
    """A validator: a tuple of ``part`` counts, each for a ``key`` not listed before."""

    @guarded(
        ("v and " if at_least_one else "not v or ")
        + "all(type(x) is PART for x in v) and len({getattr(x, KEY) for x in v}) == len(v)",
        PART=part,
        KEY=key,
    )
    def validate(instance: object, attribute: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
        if type(value) is not tuple:
            raise field_error(instance, attribute, value, f"must be a list of {part.__name__}s")
        if at_least_one and not value:
            error = InvalidEvent(
                f"{type(instance).__name__}.{attribute.name} must name at least one {key}",
                field=attribute.name,
                value=value,
            )
            raise refuse(instance, attribute, error)
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not isinstance(item, part) or getattr(item, key) in seen:
                raise field_error(
                    instance,
                    attribute,
                    item,
                    f"must be {_a(part.__name__)} for {_a(key)} not listed before",
                    field=f"{attribute.name}[{i}]",
                )
            seen.add(getattr(item, key))

    return validate


# -- shared field definitions: one declaration for a field shape the catalog repeats --------
# Only for fields whose converter takes what the annotation says: mypy's attrs plugin types a
# field made here by its annotation alone.


def text_or_none() -> Any:
    """An optional text field: ``None`` by default, blank text read as ``None``."""
    return attrs.field(default=None, converter=to_optional_text, validator=optional_non_empty)


def count_or_none() -> Any:
    """A count that may be unknown: ``None`` by default, else a whole number ≥ 0."""
    return attrs.field(default=None, validator=count)


def ref_or_none() -> Any:
    """An optional reference to another event: ``None`` by default, else its id.

    Text is read as a UUID here too, but the constructor is typed by the annotation
    (``uuid.UUID | None``): pass an event's ``event_id``.
    """
    return attrs.field(default=None, converter=to_optional_uuid, validator=optional_uuid_value)


def given_refs(*refs: uuid.UUID | None) -> tuple[uuid.UUID, ...]:
    """The ids among ``refs`` that are given: ``references()`` over :func:`ref_or_none` fields.

    >>> import uuid
    >>> given_refs(None), given_refs(uuid.UUID(int=1), None)
    ((), (UUID('00000000-0000-0000-0000-000000000001'),))
    """
    return tuple(ref for ref in refs if ref is not None)


#: The deepest nesting of arrays and objects in a free-form value (a field typed ``Any`` or
#: ``dict``, such as a correction's ``changes``): the value itself is level 1. Every other
#: field's nesting is fixed by its event type. Encoding deeper raises
#: :class:`~timeline.errors.InvalidEvent`, decoding :class:`~timeline.errors.DecodeError`,
#: before any recursive code (upcasters, validators, JSON writers) sees it; a
#: :class:`~timeline.events.Correction` refuses deeper ``changes`` when it is made.
MAX_DEPTH: Final = 32

_SCALARS: Final[frozenset[type]] = frozenset({str, int, float, bool, type(None)})


def depth_exceeds(value: object, limit: int) -> bool:
    """Whether ``value`` nests lists, tuples and dicts more than ``limit`` levels deep.

    A container is a level, a scalar inside it is not: ``{"a": [1]}`` is 2 levels deep. The
    one measure of nesting for :data:`MAX_DEPTH`, used by the codec and by
    :class:`~timeline.events.Correction` alike. Iterative, so that a hostile value cannot
    exhaust the stack while it is measured.

    >>> depth_exceeds({"a": [1]}, 2), depth_exceeds({"a": [[1]]}, 2)
    (False, True)
    """
    if type(value) is dict:  # the usual case, a mapping of plain values: no walk
        for item in value.values():
            if type(item) not in _SCALARS:
                break
        else:
            return limit < 1
    level: list[object] = [value]
    depth = 0
    while level:  # one level of nesting at a time
        children: list[object] = []
        found = False
        for item in level:
            if isinstance(item, dict):
                children.extend(item.values())
                found = True
            elif isinstance(item, (list, tuple)):
                children.extend(item)
                found = True
        if not found:
            return False
        depth += 1
        if depth > limit:
            return True
        level = children
    return False
