"""The elements of a JSON array in a file, read a piece at a time: memory flat in file size.

The importers of JSON files (ru-losses, CloudEvents) read data sets that grow every day; a
whole file parsed at once takes several times its size in memory (200 MB of JSON took 1.34 GB).
:func:`json_elements` reads the file in slices and hands out one element at a time, with
:meth:`json.JSONDecoder.raw_decode` over a text buffer that keeps only the element being read.

The file is checked once first, in slices too, so that a file that cannot be read at all
raises :class:`~timeline.errors.InvalidData` before any element is handed out: UTF-16/32 or
binary, bytes that are not UTF-8 (naming the byte and the line), an empty file. A damaged
element (cut short, not JSON, nested deeper than Python can read) is given as an
:class:`~timeline.io.report.Issue` in its place, and reading stops there: everything before it
is still read.
"""

from __future__ import annotations

import codecs
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from timeline.codec import MAX_JSON_DEPTH
from timeline.events.fields import depth_exceeds
from timeline.io._files import _check_start, file_error
from timeline.io.report import Issue

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["json_elements"]

_SLICE: Final = 1 << 16  # characters read at a time (more while one element is longer)
_SPACE: Final = " \t\r\n"
_NOT_UTF8: Final = "is not UTF-8: save the file as UTF-8 and import it again"


_DECODER: Final = json.JSONDecoder()  # finds where a value ends; orjson reads it


def check_file(path: str) -> None:
    """Refuse a file that cannot be read as UTF-8 JSON at all, reading it in slices.

    Raises:
        InvalidData: for a UTF-16/32 or binary file, a byte that is not UTF-8 (naming its
            offset and line), or a file with nothing but white space in it.
        OSError: if the file cannot be read.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    seen = lines = 0
    blank = True
    with Path(path).open("rb") as file:
        first = True
        while True:
            data = file.read(_SLICE)
            if first:
                _check_start(path, data[:4096])
                first = False
            try:
                text = decoder.decode(data, final=not data)
            except UnicodeDecodeError as e:
                at = seen + max(e.start, 0)
                line = lines + data.count(b"\n", 0, max(e.start, 0)) + 1
                raise file_error(
                    path, data[e.start : e.start + 8], f"byte {at} (line {line}) {_NOT_UTF8}"
                ) from None
            blank = blank and not text.strip(_SPACE)
            if not data:
                break
            seen += len(data)
            lines += data.count(b"\n")
    if blank:
        raise file_error(path, "", "the file is empty: no JSON in it")


class _Buffer:
    """The file's text from the element being read on, refilled a slice at a time."""

    def __init__(self, file: Any) -> None:
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.at = 0
        self.done = False

    def more(self, least: int = _SLICE) -> bool:
        """Read at least ``least`` more characters (fewer at the end); whether any came."""
        if self.done:
            return False
        self.text = self.text[self.at :]  # drop what was read
        self.at = 0
        size = len(self.text)
        while len(self.text) - size < least and not self.done:
            data = self.file.read(max(least, _SLICE))
            self.text += self.decoder.decode(data, final=not data)
            self.done = not data
        return len(self.text) > size

    def skip(self) -> str:
        """Skip white space; the next character, or ``""`` at the end of the file."""
        while True:
            while self.at < len(self.text) and self.text[self.at] in _SPACE:
                self.at += 1
            if self.at < len(self.text) or not self.more():
                return self.text[self.at : self.at + 1]

    def element(self) -> Any:
        """Decode the JSON value that starts here, reading on while it is cut by the buffer.

        Raises:
            ValueError, RecursionError: for a value that is not JSON.
        """
        while True:
            try:
                _, end = _DECODER.raw_decode(self.text, self.at)
            except json.JSONDecodeError:
                # perhaps only cut by the buffer: read as much again, and try once more
                if not self.more(max(len(self.text) - self.at, _SLICE)):
                    raise
                continue
            if end == len(self.text) and not self.done and self._number_may_go_on():
                self.more()
                continue
            # the value itself as orjson reads it (as a whole file was read before): it
            # refuses what JSON refuses and Python's json takes (lone surrogates, NaN)
            value = orjson.loads(self.text[self.at : end])
            self.at = end
            if depth_exceeds(value, MAX_JSON_DEPTH):
                raise RecursionError(f"nested more than {MAX_JSON_DEPTH} levels deep")
            return value

    def _number_may_go_on(self) -> bool:
        return self.text[self.at : self.at + 1] in set("-0123456789")


def json_elements(path: str, what: str = "element") -> Iterator[tuple[int, Any]]:
    """The elements of the JSON array in a file, as ``(row, value)``, row 1-based.

    A single JSON object (not in an array) is read as an array of one. Each call reads the
    file afresh.

    Raises:
        InvalidData: for a file that cannot be read at all (see :func:`check_file`).
        OSError: if the file cannot be read.
    """
    check_file(path)
    with Path(path).open("rb") as file:
        buffer = _Buffer(file)
        first = buffer.skip()
        if first == "{":
            yield from _one(buffer, what)
            return
        if first != "[":
            reason = "not a JSON array, or cut short before its first element"
            yield 1, Issue(row=None, column=None, value=_shown(buffer), reason=reason)
            return
        buffer.at += 1
        if buffer.skip() == "]":
            return
        row = 0
        while True:
            row += 1
            try:
                value = buffer.element()
            except (ValueError, RecursionError) as e:
                yield row, _damaged(buffer, row, what, e)
                return
            yield row, value
            sep = buffer.skip()
            if sep == "]":
                return
            if sep != ",":
                reason = (
                    "the array is cut short" if not sep else f"expected ',' or ']', got {sep!r}"
                )
                yield row + 1, Issue(row=row + 1, column=None, value=_shown(buffer), reason=reason)
                return
            buffer.at += 1
            buffer.skip()


def _one(buffer: _Buffer, what: str) -> Iterator[tuple[int, Any]]:
    try:
        yield 1, buffer.element()
    except (ValueError, RecursionError) as e:
        yield 1, _damaged(buffer, 1, what, e)


def _damaged(buffer: _Buffer, row: int, what: str, error: Exception) -> Issue:
    if isinstance(error, RecursionError):
        reason = (
            f"{what} {row} is nested too deeply to be read (MAX_JSON_DEPTH is {MAX_JSON_DEPTH})"
        )
    else:
        cut = (
            "cut short"
            if buffer.done and not buffer.text.rstrip().endswith(("]", "}"))
            else "not JSON"
        )
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        reason = f"{what} {row} is {cut}: {message}"
    return Issue(row=row, column=None, value=_shown(buffer), reason=reason)


def _shown(buffer: _Buffer) -> str:
    return buffer.text[buffer.at : buffer.at + 80]
