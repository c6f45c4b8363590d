"""Event types by their tag: :class:`Registry`, and the one registry ``@event_type`` fills.

A :class:`Registry` maps each ``TYPE`` tag to its class, with the upcasters that read older
versions of the payload. The codec dispatches through one (:class:`timeline.codec.Codec`
takes it), and ``open_log(registry=...)`` lets code that wants isolation build its own.

:data:`DECLARED` is the one process-wide registry: :func:`event_type` registers every type it
names into it, the catalog's and users' alike, so that "register with one decorator" works
in notebooks. :func:`timeline.codec.default_registry` (and so :func:`timeline.open_log`)
starts each codec from a *copy* of it, taken when it is called: a codec never changes under a
log that is already open, and types or upcasters added to a codec's registry never leak
into the process-wide one. The registry lives here, beside :class:`Event` and below the
codec, because the decorator that fills it is part of declaring an event.

>>> from timeline.events import Statement
>>> registry = Registry([Statement])
>>> registry.lookup("diplomacy.statement") is Statement
True
>>> DECLARED.lookup("diplomacy.statement") is Statement
True
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Final, TypeVar

import attrs

from timeline.errors import DecodeError, InvalidArgument, UnknownEventType
from timeline.events.base import Event

__all__ = ["DECLARED", "Registry", "Upcaster", "declared_types", "event_type"]

#: Rewrites one version's payload mapping into the next version's.
Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

#: The keys of an encoded event that are not fields: its type tag and version.
ENVELOPE: Final = frozenset({"type", "version"})

E = TypeVar("E", bound=Event)


def _check_tag(name: object, argument: str) -> None:
    if not isinstance(name, str) or not name.strip() or any(c.isspace() for c in name):
        raise InvalidArgument(
            f"event type name must be non-empty text without spaces, got {name!r}",
            argument=argument,
            value=name,
        )


def _check_version(version: object, argument: str) -> None:
    if type(version) is not int or version < 1:
        raise InvalidArgument(
            f"event type version must be a whole number ≥ 1, got {version!r}",
            argument=argument,
            value=version,
        )


class Registry:
    """The event types one codec knows, by their ``TYPE`` tag, and their upcasters.

    Registering a class under a tag already taken replaces the earlier class (re-running a
    notebook cell that declares it again).

    >>> from timeline.events import Statement
    >>> registry = Registry([Statement])
    >>> "diplomacy.statement" in registry, len(registry)
    (True, 1)
    """

    def __init__(self, types: Iterable[type[Event]] = ()) -> None:
        self._types: dict[str, type[Event]] = {}
        self._upcasters: dict[tuple[str, int], Upcaster] = {}
        for cls in types:
            self.register(cls)

    def register(self, cls: type[E]) -> type[E]:
        """Add an event type (made with :func:`event_type`). Returns it.

        Raises:
            InvalidArgument: for a class that is not a named attrs event type, or one with
                a field named like the codec's envelope (``type``, ``version``).
        """
        event_cls = cls  # the class as given: attrs.has() below narrows ``cls``
        name = getattr(cls, "TYPE", "")
        if not (isinstance(cls, type) and issubclass(cls, Event) and attrs.has(cls) and name):
            raise InvalidArgument(
                f"{cls!r} is not a named event type; decorate it with @timeline.event_type",
                argument="cls",
                value=cls,
            )
        clash = ENVELOPE & {a.name for a in attrs.fields(cls)}
        if clash:
            raise InvalidArgument(
                f"event type {name!r} may not have a field named {min(clash)!r}: "
                "the codec's envelope uses it",
                argument="cls",
                value=cls,
            )
        self._types[name] = event_cls
        return event_cls

    def add_upcaster(self, type_name: str, from_version: int, upcaster: Upcaster) -> None:
        """Teach the registry to read ``type_name`` payloads of ``from_version``.

        ``upcaster`` takes the payload mapping of that version (without ``type`` and
        ``version``) and returns the mapping of ``from_version + 1``.

        Raises:
            InvalidArgument: for a tag that is not text, a version that is not a whole
                number ≥ 1, or an upcaster that cannot be called.
        """
        _check_tag(type_name, "type_name")
        _check_version(from_version, "from_version")
        if not callable(upcaster):
            raise InvalidArgument(
                f"upcaster must be a function of the payload mapping, got {upcaster!r}",
                argument="upcaster",
                value=upcaster,
            )
        self._upcasters[(type_name, from_version)] = upcaster

    def get(self, type_name: object) -> type[Event] | None:
        """The class registered for a tag, or ``None``."""
        return self._types.get(type_name) if isinstance(type_name, str) else None

    def lookup(self, type_name: object) -> type[Event]:
        """The class registered for a type tag.

        Raises:
            UnknownEventType: for a tag this registry does not know.
        """
        found = self.get(type_name)
        if found is None:
            known = ", ".join(sorted(self._types)) or "none"
            close = self.closest(str(type_name))
            hint = f" (did you mean {close!r}?)" if close else ""
            raise UnknownEventType(
                f"unknown event type {type_name!r}{hint}; this codec knows: {known}. "
                "Register your own types with open_log(..., types=[...]) or Registry.register",
                type=str(type_name),
            )
        return found

    def closest(self, name: str) -> str | None:
        """The registered tag a mistyped or class-style name most likely means, if any.

        A class name gives its tag (``"DroneBarrage"`` → ``"military.drone_barrage"``);
        otherwise the closest tag or tag's last part by :mod:`difflib`.
        """
        for tag, cls in self._types.items():
            if name in (cls.__name__, cls.__qualname__):
                return tag
        tails = {tag.rpartition(".")[2]: tag for tag in sorted(self._types)}
        folded = name.lower().replace(" ", "_")
        for pool in (list(self._types), list(tails)):
            found = difflib.get_close_matches(folded, pool, n=1, cutoff=0.7)
            if found:
                return tails.get(found[0], found[0])
        return None

    def upcast(self, type_name: str, version: int, payload: dict[str, Any]) -> dict[str, Any]:
        """Bring a payload of ``version`` up to the registered class's version.

        Raises:
            UnknownEventType: for a version newer than the class's, or one with no upcaster
                on the way (naming the type and the versions).
            DecodeError: if an upcaster fails, or returns no mapping.
        """
        target = self.lookup(type_name).VERSION
        if version > target:
            raise UnknownEventType(
                f"event type {type_name!r} version {version} is newer than this code's "
                f"version {target}; upgrade timeline or register the newer class",
                type=type_name,
                version=version,
            )
        while version < target:
            step = self._upcasters.get((type_name, version))
            if step is None:
                raise UnknownEventType(
                    f"no upcaster for event type {type_name!r} from version {version} "
                    f"to {version + 1} (this code reads version {target})",
                    type=type_name,
                    version=version,
                )
            try:
                payload = step(payload)
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
                raise DecodeError(
                    f"the upcaster for {type_name!r} from version {version} failed: "
                    f"{type(e).__name__}: {e}",
                    reason=f"upcaster from version {version}: {type(e).__name__}: {e}",
                ) from e
            if not isinstance(payload, dict):
                raise DecodeError(
                    f"the upcaster for {type_name!r} from version {version} returned "
                    f"{type(payload).__name__}, not a mapping of fields",
                    reason=f"upcaster from version {version} returned no mapping",
                )
            version += 1
        return payload

    def __contains__(self, type_name: object) -> bool:
        return self.get(type_name) is not None

    def __iter__(self) -> Iterator[type[Event]]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)

    def copy(self) -> Registry:
        """An independent copy, to extend without touching this one."""
        new = Registry(self._types.values())
        new._upcasters.update(self._upcasters)
        return new


#: The one process-wide registry: every type :func:`event_type` has named, the newest
#: version of each tag. Read it through :func:`timeline.codec.default_registry`, which
#: copies it.
DECLARED: Final = Registry()


def event_type(name: str, *, version: int = 1) -> Callable[[type[E]], type[E]]:
    """Name an event type, so the codec can store it and find it again.

    Put it above ``@attrs.frozen(kw_only=True)``. The name is the stable tag written in the
    log (never the class name, which you may rename); ``version`` grows when the fields
    change, with an upcaster from the older version (see :mod:`timeline.codec`).

    The type is registered in :data:`DECLARED`, which
    :func:`timeline.codec.default_registry` (and so :func:`timeline.open_log`) copies when it
    is called. Declaring the same name and version again (re-running a notebook cell)
    replaces the earlier class; an older version declared after a newer one is named but
    not registered.

    Raises:
        InvalidArgument: for a name that is empty or has spaces, a version that is not a
            whole number ≥ 1, or a class that is not an attrs subclass of :class:`Event`
            (or has a field named ``type`` or ``version``).

    >>> import attrs
    >>> @event_type("example.sighting", version=1)
    ... @attrs.frozen(kw_only=True)
    ... class Sighting(Event):
    ...     what: str
    >>> Sighting.TYPE, Sighting.VERSION
    ('example.sighting', 1)
    """
    _check_tag(name, "name")
    _check_version(version, "version")

    def declare(cls: type[E]) -> type[E]:
        # Its own attrs class: a plain subclass inherits attrs' marker but not its fields.
        own_attrs = isinstance(cls, type) and "__attrs_attrs__" in vars(cls)
        if not (own_attrs and issubclass(cls, Event)):
            raise InvalidArgument(
                f"@event_type({name!r}) needs an attrs subclass of Event, got {cls!r}",
                argument="cls",
                value=cls,
            )
        cls.TYPE = name
        cls.VERSION = version
        current = DECLARED.get(name)
        if current is None or version >= current.VERSION:
            DECLARED.register(cls)
        return cls

    return declare


def declared_types() -> list[type[Event]]:
    """Every declared event type, the newest version of each name."""
    return list(DECLARED)
