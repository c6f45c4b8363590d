"""Generated builders: events made from the codec's own JSON without their validators.

This is the engine behind :class:`~timeline.codec.TrustedDecoder`; its reference is the
validated :meth:`~timeline.codec.Codec.decode`, and ``tests/test_codec_trusted.py`` checks
that both build equal events for every registered type. The one interface is
:meth:`Builders.event_builder`: for an event class, a function from the decoded payload
mapping (with its ``type`` and ``version``) to the event, or ``None`` where no builder can
be made (the caller then decodes the validated way).

A builder is one generated function per class: it checks the number of keys, makes the
instance with ``object.__new__`` and sets each slot from its JSON value, converted as the
codec's converter converts it (ids, instants, enums, tuples, nested attrs parts). It skips
the converters, which for a value the codec wrote give it back unchanged. It never hands out
an object its validators would refuse (a payload changed behind the log's back and
re-hashed): for each field it evaluates, inline, the :class:`~timeline.events.fields.Guard`
its validator declares (``type(v) is int and v >= 0``: tens of nanoseconds, where calling
the validator costs ten times that), calls a validator that declares none, and calls the
class's ``__attrs_post_init__`` (or, where it declares a guard too, evaluates that). A failed guard raises ``ValueError``, and the caller
decodes the validated way, which gives the validator's own error. Its source is registered
with :mod:`linecache` under ``<timeline-decoder ClassName>``, so tracebacks and debuggers
show it.
"""

from __future__ import annotations

import ast
import enum
import functools
import linecache
import types
import typing
import uuid
from collections.abc import Callable
from typing import Any, Final

import attrs
from pendulum import DateTime

from timeline.codec._converter import PLAIN, omitted_when_none, optional_of, tuple_of
from timeline.codec._uuid import uuid_from_text
from timeline.events.fields import GUARD, Guard
from timeline.events.registry import ENVELOPE
from timeline.time import parse_utc

__all__ = ["Builder", "Builders"]

#: Makes one object from its JSON value.
Builder = Callable[[Any], Any]

#: How many distinct instants one :class:`Builders` keeps parsed (then it starts afresh).
_INSTANT_CACHE: Final = 4096

#: Marks a field whose JSON value is the value itself.
_AS_IS: Any = object()


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None] | None:
    for klass in cls.__mro__:
        found = vars(klass).get(name)
        if isinstance(found, types.MemberDescriptorType):
            return found.__set__
    return None


def _guards(validator: object) -> list[Guard] | None:
    """The guards that stand for ``validator`` (several for ``[a, b]``), or ``None``."""
    guard = getattr(validator, GUARD, None)
    if isinstance(guard, Guard):
        return [guard]
    parts = getattr(validator, "_validators", None)  # attrs' and_(), what a list becomes
    if type(parts) is tuple:
        found = [_guards(part) for part in parts]
        if all(g is not None for g in found):
            return [g for each in found if each is not None for g in each]
    return None


def _read(
    i: int, name: str, tp: Any, expression: str, checks: list[str], *, omittable: bool = False
) -> list[str]:
    """The lines that read field ``i`` from its JSON value into ``v{i}``.

    ``expression`` converts the JSON value ``{r}`` (see :meth:`Builders._expression`). An
    ``omittable`` field (left out of the payload when ``None``) is read with ``d.get``.
    """
    value = f"d.get({name!r})" if omittable else f"d[{name!r}]"
    kind = _json_kind(tp)  # tuple() and dict() would take other kinds too
    if kind is None and expression.count("{r}") == 1:
        return [f"    v{i} = {expression.format(r=value)}"]
    if kind is not None:
        checks.append(kind.format(r=f"r{i}"))
    return [f"    r{i} = {value}", f"    v{i} = {expression.format(r=f'r{i}')}"]


def _json_kind(tp: Any) -> str | None:
    """A check that a field's JSON value ``{r}`` is of the kind its conversion expects.

    For the conversions that would take another kind as well (``tuple()`` reads the keys of
    an object, or the letters of a string): an array for a tuple, an object for a mapping.
    """
    inner = optional_of(tp)
    kind = _json_kind(inner) if inner is not None else None
    if kind is not None:
        return f"({{r}} is None or {kind})"
    if tuple_of(tp) is not None:
        return "type({r}) is list"
    if typing.get_origin(tp) is dict:
        return "type({r}) is dict"
    return None


#: The check that a value read as it is has its field's plain type (``bool`` is no ``int``).
_PLAIN_CHECKS: dict[Any, str] = {
    str: "type({v}) is str",
    int: "type({v}) is int",
    bool: "type({v}) is bool",
    float: "type({v}) in (int, float)",
}


def _plain_check(tp: Any) -> str | None:
    """For a field with no validator: a check that its value ``{v}`` is of its plain type.

    Fields with a validator are checked by its guards; a field of a plain type (or an
    optional one, or a tuple of them) without one would otherwise take any JSON value.
    """
    inner = optional_of(tp)
    if inner is not None:
        check = _plain_check(inner)
        return None if check is None else f"({{v}} is None or {check})"
    inner = tuple_of(tp)
    if inner in _PLAIN_CHECKS:
        return f"all([{_PLAIN_CHECKS[inner].format(v='x')} for x in {{v}}])"
    return _PLAIN_CHECKS.get(tp)


def _slot(node: ast.AST, bound: tuple[str, ...]) -> tuple[int, int, str] | None:
    """Where ``node`` stands in the expression, and what :func:`_inline` puts in its place.

    ``v`` (the value checked) is the slot ``v``, a name the guard binds ``n:<name>``, and
    ``o.<attr>`` (a field of the instance) ``o:<attr>``; ``None`` for any other node.
    """
    if isinstance(node, ast.Attribute):
        owner = node.value
        if not (isinstance(owner, ast.Name) and owner.id == "o"):
            return None
        slot = f"o:{node.attr}"
    elif isinstance(node, ast.Name) and (node.id == "v" or node.id in bound):
        slot = "v" if node.id == "v" else f"n:{node.id}"
    else:
        return None
    return node.col_offset, node.end_col_offset or node.col_offset, slot


@functools.cache
def _template(expression: str, bound: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """A guard's expression cut before each name :func:`_inline` fills in, made once.

    Pieces ``(text, slot)``: text as written, then the slot that follows it (see
    :func:`_slot`; ``""`` after the last text). The names are found in the expression's
    syntax tree, so text in a string or an attribute's name is never taken for one. An
    expression over several lines, or with a comment, is written back on one line first.
    Guards are shared by many fields and classes: this is done once per expression.
    """
    tree = ast.parse(expression, mode="eval")
    if "\n" in expression or "#" in expression:
        expression = ast.unparse(tree)
        tree = ast.parse(expression, mode="eval")
    code = expression.encode()  # the tree's offsets count bytes of UTF-8
    slots = sorted(filter(None, (_slot(node, bound) for node in ast.walk(tree))))
    pieces, done = [], 0
    for start, end, slot in slots:
        if start >= done:  # (``o`` of ``o.<attr>`` is in a slot already)
            pieces.append((code[done:start].decode(), slot))
            done = end
    pieces.append((code[done:].decode(), ""))
    return tuple(pieces)


def _inline(
    guard: Guard, value: str, prefix: str, namespace: dict[str, Any], fields: dict[str, str]
) -> str:
    """The guard's expression over ``value``, its names bound in ``namespace`` as ``prefix…``.

    ``fields``: the builder's local of each field, read for ``o.<field>`` (the instance's
    field, just set from that local): a name costs less than a slot's descriptor.
    """
    for name, bound in guard.names.items():
        namespace[f"{prefix}{name}"] = bound

    def fill(slot: str) -> str:
        kind, _, name = slot.partition(":")
        if kind == "v":
            return value
        if kind == "n":
            return f"{prefix}{name}"
        return fields.get(name, f"o.{name}")

    pieces = _template(guard.expression, tuple(sorted(guard.names)))
    return "".join(text + fill(slot) if slot else text for text, slot in pieces)


def _checked(  # the builder's state, passed down
    cls: type,
    checks: list[str],
    called: list[str],
    namespace: dict[str, Any],
    fields: dict[str, str],
) -> list[str]:
    """The builder's lines once every field is set: the guards, then the calls.

    ``checks`` are the fields' guards, ``called`` the calls of validators without one. The
    class's ``__attrs_post_init__`` is checked with the guards where it declares one (see
    :func:`~timeline.events.fields.not_above`), and called last otherwise.
    """
    post_init = getattr(cls, "__attrs_post_init__", None)
    guard = getattr(post_init, GUARD, None)
    if isinstance(guard, Guard):
        checks = [*checks, f"({_inline(guard, 'o', 'p_', namespace, fields)})"]
    lines = []
    if checks:
        lines.append(f"    if not ({' and '.join(checks)}):")
        lines.append("        raise ValueError('a value its validator refuses')")
    lines.extend(called)
    if post_init is not None and not isinstance(guard, Guard):
        lines.append("    o.__attrs_post_init__()")
    return lines


def _compile(cls: type, lines: list[str], namespace: dict[str, Any]) -> Builder:
    """``build`` from ``lines``, its source registered with linecache under a unique name."""
    source = "\n".join(lines) + "\n"
    base, n = f"<timeline-decoder {cls.__qualname__}", 1
    filename = f"{base}>"
    entry = (len(source), None, source.splitlines(keepends=True), filename)
    while (held := linecache.cache.get(filename)) is not None and held != entry:
        n += 1  # another class of the same name (a notebook cell run again): a new name
        filename = f"{base}-{n}>"
        entry = (*entry[:3], filename)
    linecache.cache[filename] = entry
    exec(compile(source, filename, "exec"), namespace)  # noqa: S102  # made from attrs fields only
    build: Builder = namespace["build"]
    return build


class Builders:
    """Builders for event classes and their parts, made once per class, sharing instants.

    Equal instants are parsed once (events are immutable, so they may share them).
    """

    def __init__(self) -> None:
        self._instants: dict[str, DateTime] = {}
        # Field types read by one function (a correction's changes are JSON, kept as read).
        self._direct: dict[Any, Builder] = {
            uuid.UUID: uuid_from_text,
            DateTime: self._instant,
            dict[str, Any]: dict,
        }
        # By class, or (class, "envelope") for an event's own payload (with type and version).
        self._made: dict[object, Builder | None] = {}

    def event_builder(self, cls: type) -> Builder | None:
        """A builder of ``cls`` from its payload mapping, envelope included, or ``None``.

        The builder raises ``KeyError``, ``TypeError``, ``ValueError``, ``AttributeError``,
        ``IndexError`` or :class:`~timeline.errors.InvalidEvent` for a payload it cannot
        read (a missing or extra key, a value of the wrong shape).
        """
        return self._builder(cls, envelope=True)

    def _instant(self, text: str) -> DateTime:
        at = self._instants.get(text)
        if at is None:
            if len(self._instants) >= _INSTANT_CACHE:
                self._instants.clear()
            at = self._instants[text] = parse_utc(text)
        return at

    def _expression(self, tp: Any, i: int, namespace: dict[str, Any]) -> str | None:
        """An expression that reads field ``i``, of type ``tp``, from its JSON value ``{r}``.

        ``None`` where no builder can read the type. The common shapes are written out
        inline, where :meth:`_convert` would make a function for them (on this path a call
        costs as much as the work): an instant looked up among those already parsed,
        ``None`` or a value, a tuple. A function it calls is bound in ``namespace`` as
        ``c{i}``.
        """
        raw = "{r}"
        if tp in PLAIN:
            return raw
        if tp is DateTime:
            namespace["parsed"], namespace["instant"] = self._instants.get, self._instant
            return f"(parsed({raw}) or instant({raw}))"  # an instant is never false
        inner = optional_of(tp)
        if inner is not None:
            inside = self._expression(inner, i, namespace)
            plain = inside is None or inside == raw  # no builder, or the value as it is
            return inside if plain else f"(None if {raw} is None else {inside})"
        inner = tuple_of(tp)
        convert = self._convert(tp if inner is None else inner)
        if convert is None:
            return None
        if convert is _AS_IS:
            return raw if inner is None else f"tuple({raw})"
        namespace[f"c{i}"] = convert
        return f"c{i}({raw})" if inner is None else f"tuple(map(c{i}, {raw}))"

    def _convert(self, tp: Any) -> Any:
        """How to read a field of type ``tp``: a function, ``_AS_IS``, or ``None`` (cannot)."""
        if tp in PLAIN:
            return _AS_IS
        direct = self._direct.get(tp)
        if direct is not None:
            return direct
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {member.value: member for member in tp}.__getitem__
        if isinstance(tp, type) and attrs.has(tp):
            return self._builder(tp, envelope=False)
        return self._convert_generic(tp)

    @staticmethod
    def _makes_type(tp: Any) -> bool:
        """Whether :meth:`_convert` of ``tp`` can only give a value of ``tp`` (or raise)."""
        inner = optional_of(tp)
        if inner is None:
            inner = tuple_of(tp)
        if inner is not None:
            return Builders._makes_type(inner)
        return tp in (uuid.UUID, DateTime) or (
            isinstance(tp, type) and (issubclass(tp, enum.Enum) or attrs.has(tp))
        )

    def _convert_generic(self, tp: Any) -> Any:
        """:meth:`_convert` for ``X | None`` and ``tuple[X, ...]``."""
        inner = optional_of(tp)
        if inner is not None:
            convert = self._convert(inner)
            if convert is None or convert is _AS_IS:
                return convert
            return lambda value: None if value is None else convert(value)
        inner = tuple_of(tp)
        if inner is not None:
            convert = self._convert(inner)
            if convert is None:
                return None
            if convert is _AS_IS:
                return tuple
            return lambda values: tuple([convert(value) for value in values])
        return None

    def _builder(self, cls: type, *, envelope: bool) -> Builder | None:
        key: object = (cls, "envelope") if envelope else cls
        if key in self._made:
            return self._made[key]
        self._made[key] = None  # while it is made: a class inside itself is not built
        build = self._make(cls, envelope=envelope)
        self._made[key] = build
        return build

    @staticmethod
    def _validate(  # noqa: PLR0917  # the builder's state, passed down
        i: int,
        field: attrs.Attribute[Any],
        made: bool,
        namespace: dict[str, Any],
        checks: list[str],
        called: list[str],
        fields: dict[str, str],
    ) -> None:
        """Add what stands for field ``i``'s validator: its guards, or a call of it.

        ``made``: the field's conversion makes a value of its type, so guards of the type
        alone are left out.
        """
        if field.validator is None:
            return
        guards = _guards(field.validator)
        if guards is None:
            namespace[f"x{i}"], namespace[f"a{i}"] = field.validator, field
            called.append(f"    x{i}(o, a{i}, v{i})")
            return
        for j, guard in enumerate(guards):
            if not (guard.type_only and made):
                checks.append(f"({_inline(guard, f'v{i}', f'g{i}_{j}_', namespace, fields)})")

    def _make(self, cls: type, *, envelope: bool) -> Builder | None:
        """Generate the builder of one attrs class, or ``None`` where it cannot be made."""
        if hasattr(cls, "__attrs_pre_init__"):
            return None
        try:
            hints = typing.get_type_hints(cls)
        except (NameError, TypeError):  # annotations that do not resolve here
            return None
        fields = attrs.fields(cls)
        slots = {name for k in cls.__mro__ for name in vars(k).get("__slots__", ())}
        if slots - {field.name for field in fields} - {"__weakref__", "__dict__"}:
            return None  # a slot that is no field (attrs' cached hash): left to __init__
        namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "put": object.__setattr__}
        size = len(fields) + (len(ENVELOPE) if envelope else 0)
        omittable = set(omitted_when_none(cls))
        count = "len(d)" + "".join(f" + ({name!r} not in d)" for name in sorted(omittable))
        lines = [
            "def build(d):",
            f"    if {count} != {size}:",
            "        raise KeyError('fields')",
            "    o = new(cls)",
        ]
        local = {field.name: f"v{i}" for i, field in enumerate(fields)}  # each field's local
        checks: list[str] = []  # the guards, checked together once every field is set
        called: list[str] = []  # validators without a guard: called after them
        for i, field in enumerate(fields):
            tp = hints.get(field.name, field.type)
            expression = self._expression(tp, i, namespace)
            if not field.init or expression is None:
                return None
            lines.extend(
                _read(i, field.name, tp, expression, checks, omittable=field.name in omittable)
            )
            setter = _slot_setter(cls, field.name)
            if setter is None:  # not slotted: the instance's __dict__
                lines.append(f"    put(o, {field.name!r}, v{i})")
            else:
                namespace[f"s{i}"] = setter
                lines.append(f"    s{i}(o, v{i})")
            plain = _plain_check(tp) if field.validator is None else None
            if plain is not None:
                checks.append(f"({plain.format(v=f'v{i}')})")
            self._validate(i, field, self._makes_type(tp), namespace, checks, called, local)
        lines.extend(_checked(cls, checks, called, namespace, local))
        lines.append("    return o")
        return _compile(cls, lines, namespace)
