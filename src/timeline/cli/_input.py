"""Events from JSON text: one object, an array, JSON lines, or any run of JSON values.

Events are in the codec's dict form (:meth:`timeline.Codec.to_dict`): a ``"type"``, the
fields, and optionally ``"version"`` (the type's current version if left out) and
``"event_id"`` (if left out or ``null``: :func:`timeline.stable_event_id` of the event in
the stream it goes to, or a new UUIDv7 when duplicates are allowed). Every problem is reported as one line naming the
input, the line, the field and the value.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path
from typing import Any, Final, NoReturn

import attrs

from timeline.cli._base import USAGE, CommandError
from timeline.cli._progress import is_terminal
from timeline.codec import MAX_JSON_DEPTH, Codec
from timeline.errors import DecodeError, InvalidEvent, UnknownEventType
from timeline.events import Event
from timeline.events.fields import depth_exceeds
from timeline.identity import with_stable_id

__all__ = ["Item", "event_from_item", "json_items", "read_events", "read_input"]

_SPACE: Final = re.compile(r"\s*")
_MISSING: Final = re.compile(r"KeyError: '([^']+)'")


@attrs.frozen
class Item:
    """One JSON value from the input, and the line it starts on."""

    line: int
    value: object


class _Reader:
    """Walks a text's JSON values, keeping line numbers (counted once, left to right)."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.decoder = json.JSONDecoder()
        self._offset = 0
        self._line = 1

    def line_at(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 1
        self._line += self.text.count("\n", self._offset, offset)
        self._offset = offset
        return self._line

    def skip(self, pos: int) -> int:
        match = _SPACE.match(self.text, pos)
        return match.end() if match else pos

    def value(self, pos: int) -> tuple[Item, int]:
        try:
            value, end = self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as e:
            raise CommandError(
                f"{self.source}, line {e.lineno}, column {e.colno}: not valid JSON: {e.msg}"
            ) from None
        except RecursionError:  # the parser's own recursion, far beyond the limit below
            end = -1
        if end < 0 or depth_exceeds(value, MAX_JSON_DEPTH):
            raise CommandError(
                f"{self.source}, line {self.line_at(pos)}: JSON nested more than "
                f"{MAX_JSON_DEPTH} levels deep (MAX_JSON_DEPTH): not an event"
            )
        return Item(self.line_at(pos), value), self.skip(end)

    def expected(self, pos: int, what: str) -> NoReturn:
        text = self.text
        column = pos - (text.rfind("\n", 0, pos) + 1) + 1
        found = repr(text[pos]) if pos < len(text) else "the end of the input"
        raise CommandError(
            f"{self.source}, line {self.line_at(pos)}, column {column}: not valid JSON: "
            f"expected {what}, found {found}"
        )

    def array(self, pos: int, items: list[Item]) -> int:
        """Read the elements of the array opening at ``pos``; returns where it ends."""
        text = self.text
        pos = self.skip(pos + 1)
        if pos < len(text) and text[pos] == "]":
            return self.skip(pos + 1)
        while True:
            item, pos = self.value(pos)
            items.append(item)
            if pos < len(text) and text[pos] == "]":
                return self.skip(pos + 1)
            if pos >= len(text) or text[pos] != ",":
                self.expected(pos, "',' or ']' after an array element")
            pos = self.skip(pos + 1)

    def items(self) -> list[Item]:
        items: list[Item] = []
        pos = self.skip(0)
        while pos < len(self.text):
            if self.text[pos] == "[":
                pos = self.array(pos, items)
            else:
                item, pos = self.value(pos)
                items.append(item)
        return items


def json_items(text: str, source: str) -> list[Item]:
    r"""The JSON values in a text, each with the line it starts on.

    Any run of JSON values separated by white space is read, and a top-level array gives its
    elements: so a JSON object, a JSON array, JSON lines and concatenated documents all work.

    Raises:
        CommandError: for text that is not JSON, naming the line and column.

    >>> [(i.line, i.value) for i in json_items('{"a": 1}\n{"a": 2}\n', "x.jsonl")]
    [(1, {'a': 1}), (2, {'a': 2})]
    >>> [(i.line, i.value) for i in json_items('[\n  {"a": 1},\n  {"a": 2}\n]', "x.json")]
    [(2, {'a': 1}), (3, {'a': 2})]
    """
    return _Reader(text, source).items()


def _culprit(codec: Codec, data: dict[str, Any]) -> tuple[str, object] | None:
    """The field to blame for an unreadable event: the one without which it reads."""
    for name, value in data.items():
        if name in {"type", "version"}:
            continue
        try:
            codec.from_dict({k: v for k, v in data.items() if k != name})
        except DecodeError as e:
            if e.reason == f"KeyError: {name!r}":  # required: without it, only it is missing
                return name, value
        except (InvalidEvent, UnknownEventType):
            continue
        else:
            return name, value
    return None


def _type_of(codec: Codec, data: dict[str, Any], where: str) -> str:
    """The event type's tag: the ``"type"`` given, a tag or a class name in any case.

    ``"DroneBarrage"`` is read as ``"military.drone_barrage"``, as ``list --type`` reads it.
    """
    type_name = data.get("type")
    if type_name is None:
        raise CommandError(
            f"{where}: field 'type' is missing: name the event type, "
            'e.g. "type": "military.drone_barrage"'
        )
    if isinstance(type_name, str) and type_name in codec.registry:
        return type_name
    by_class = {cls.__name__.casefold(): cls.TYPE for cls in codec.registry}
    if isinstance(type_name, str) and type_name.casefold() in by_class:
        return by_class[type_name.casefold()]
    tags = sorted(cls.TYPE for cls in codec.registry)
    close = difflib.get_close_matches(
        str(type_name), [*tags, *(cls.__name__ for cls in codec.registry)], n=1
    )
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise CommandError(
        f"{where}: field 'type': unknown event type {type_name!r}{hint} (the types: "
        f"{', '.join(tags)}; or a class name such as DroneBarrage)"
    )


def _unreadable(codec: Codec, data: dict[str, Any], type_name: str, error: DecodeError) -> str:
    """One line saying which field of an event cannot be read, and why."""
    missing = _MISSING.fullmatch(error.reason)
    if missing is not None:
        return f"{type_name}: required field {missing.group(1)!r} is missing"
    if "ForbiddenExtraKeysError" in error.reason:
        extra = error.reason.rsplit(":", 1)[-1].strip()
        return f"{type_name} has no field {extra}"
    blame = _culprit(codec, data)
    if blame is not None:
        name, value = blame
        return f"{type_name}: field {name!r} cannot be {value!r} ({error.reason})"
    return str(error)


def _normalised(codec: Codec, data: dict[str, Any], where: str) -> tuple[dict[str, Any], str]:
    """The event's mapping with its type's tag, its version, and no ``"event_id": null``."""
    type_name = _type_of(codec, data, where)
    if data["type"] != type_name:  # a class name: the tag it stands for
        data = {**data, "type": type_name}
    if "version" not in data:
        data = {**data, "version": codec.registry.lookup(type_name).VERSION}
    if "event_id" in data and data["event_id"] is None:  # null, like absent: a new id
        data = {k: v for k, v in data.items() if k != "event_id"}
    return data, type_name


def event_from_item(codec: Codec, item: Item, source: str, stable_in: str | None = None) -> Event:
    """Build the event one JSON value describes.

    An event without an ``event_id`` gets :func:`~timeline.stable_event_id` in the stream
    ``stable_in``; with ``stable_in=None``, a new UUIDv7.

    Raises:
        CommandError: naming the input, the line, the field and the value.
    """
    where = f"{source}, line {item.line}"
    data = item.value
    if not isinstance(data, dict):
        kind = "null" if data is None else type(data).__name__
        raise CommandError(f'{where}: an event is a JSON object with a "type", got {kind}')
    data, type_name = _normalised(codec, data, where)
    try:
        event = codec.from_dict(data)
    except InvalidEvent as e:
        message = str(e)
        if e.field not in message:
            message += f" (field {e.field!r}, value {e.value!r})"
        raise CommandError(f"{where}: {message}") from e
    except DecodeError as e:
        raise CommandError(f"{where}: {_unreadable(codec, data, type_name, e)}") from e
    except UnknownEventType as e:
        raise CommandError(f"{where}: field 'version': {e}") from e
    if stable_in is None or "event_id" in data:
        return event
    try:
        return with_stable_id(event, stable_in, codec=codec)
    except InvalidEvent:  # it cannot be stored either: the append refuses it, by its line
        return event


def read_events(
    codec: Codec, text: str, source: str, stable_in: str | None = None
) -> tuple[list[Event], list[int]]:
    """Every event in a text, and the line each one starts on.

    ``stable_in``: the stream whose stable ids events without one get (see
    :func:`event_from_item`).

    Raises:
        CommandError: at the first value that is not JSON or not a valid event.
    """
    events = []
    lines = []
    for item in json_items(text, source):
        events.append(event_from_item(codec, item, source, stable_in))
        lines.append(item.line)
    return events, lines


def read_input(name: str) -> tuple[str, str]:
    """The text of a file, or of stdin for ``-``, and the name to report it by.

    Raises:
        CommandError: for stdin left at a terminal, or a file that is not UTF-8.
        OSError: for a file that cannot be read.
    """
    if name == "-":
        if is_terminal(sys.stdin):
            raise CommandError(
                "no events given: name a FILE, or pipe JSON in (... | timeline append --stream S)",
                status=USAGE,
            )
        return sys.stdin.read(), "<stdin>"
    try:
        return Path(name).read_text(encoding="utf-8"), name
    except UnicodeDecodeError as e:
        raise CommandError(f"{name}: not UTF-8 text ({e.reason} at byte {e.start})") from e
