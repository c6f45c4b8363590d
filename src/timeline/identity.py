"""Stable event ids: the same report, appended twice to the same stream, is one event.

An event written without an ``event_id`` (a hand-written JSON line, a script's output) gets
a fresh UUIDv7 each time it is made, so appending the same file twice would store it twice.
:func:`stable_event_id` names it by what it says instead: a name-based UUID (``uuid5``) over
its canonical content, leaving out the id itself, plus the stream it goes to. Appending with
these ids skips what the log already holds (``timeline append`` does so by default).

What counts: the event's type and every field that holds something, in the codec's canonical
form (sorted keys, instants in UTC). Left out: ``event_id``, the type's ``version``, and fields
left unset (``None``, an empty list), so that a field added to a type later, or an upcast
from an older version, does not change the id of an event that never used it. Two reports that
say exactly the same thing in the same stream therefore get one id; when they truly are two
events, give them ids of their own (``timeline append --allow-duplicates``).

>>> import pendulum, timeline as tl
>>> said = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2, 7), speaker="Hakan Fidan",
...                     text="Welcome.")
>>> again = tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2, 7), speaker="Hakan Fidan",
...                      text="Welcome.")
>>> said.event_id == again.event_id
False
>>> tl.stable_event_id(said, "talks") == tl.stable_event_id(again, "talks")
True
>>> tl.stable_event_id(said, "talks") == tl.stable_event_id(said, "elsewhere")
False
"""

from __future__ import annotations

import uuid
from typing import Any, Final, TypeVar

import attrs
import orjson

from timeline.codec import Codec
from timeline.events import Event

__all__ = ["IDENTITY_NAMESPACE", "canonical_content", "stable_event_id", "with_stable_id"]

#: The namespace of every id :func:`stable_event_id` makes.
IDENTITY_NAMESPACE: Final = uuid.UUID("0d5f1a8e-3c47-5b9e-8f21-6a7d4e2c9b13")
_LEFT_OUT: Final = frozenset({"event_id", "version"})
_E = TypeVar("_E", bound=Event)
_CODEC: list[Codec] = []  # the default codec, made on first use (every declared type)


def _codec(codec: Codec | None) -> Codec:
    if codec is not None:
        return codec
    if not _CODEC:
        _CODEC.append(Codec())
    return _CODEC[0]


def _holds_something(value: Any) -> bool:
    return value is not None and value not in ([], (), {})


def canonical_content(event: Event, *, codec: Codec | None = None) -> bytes:
    """What :func:`stable_event_id` names: the canonical JSON of the event's content.

    Sorted keys; ``event_id``, ``version`` and unset fields (``None``, empty) left out.

    Raises:
        UnknownEventType: if the event's type is not in the codec's registry.
        InvalidEvent: for an event the codec cannot encode (text with an unpaired
            surrogate, an integer beyond 64 bits), as :meth:`~timeline.Codec.encode` says.
    """
    chosen = _codec(codec)
    data = chosen.to_dict(event)
    content = {k: v for k, v in data.items() if k not in _LEFT_OUT and _holds_something(v)}
    try:
        return orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        chosen.encode(event)  # raises InvalidEvent naming the field and the value
        raise


def stable_event_id(event: Event, stream: str, *, codec: Codec | None = None) -> uuid.UUID:
    """The id an event without one gets in ``stream``: ``uuid5`` of the stream and its content.

    Args:
        event: the event (its own ``event_id`` is ignored).
        stream: the stream it is appended to: the same content in another stream is
            another event.
        codec: the codec whose canonical form counts (by default, every declared type).
    """
    # A stream that is not text UTF-8 can store is refused by append; here it only has to name.
    named = stream.encode("utf-8", "backslashreplace").decode("utf-8")
    content = canonical_content(event, codec=codec).decode("utf-8")
    return uuid.uuid5(IDENTITY_NAMESPACE, f"{named}\x1f{content}")


def with_stable_id(event: _E, stream: str, *, codec: Codec | None = None) -> _E:
    """The event with :func:`stable_event_id` as its ``event_id``."""
    return attrs.evolve(event, event_id=stable_event_id(event, stream, codec=codec))
