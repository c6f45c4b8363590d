"""Reading input files defensively: encodings, CSV rows, JSON arrays cut short.

Private to :mod:`timeline.io`. Every failure is an :class:`~timeline.io.report.Issue` for a
row or an :class:`~timeline.errors.InvalidData` for the whole file, never a bare
``UnicodeDecodeError`` or ``csv.Error``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Final

import attrs

from timeline.codec import MAX_JSON_DEPTH
from timeline.errors import InvalidData
from timeline.events.fields import depth_exceeds
from timeline.io.report import Issue

__all__ = [
    "ENCODING_NAMES",
    "CsvFile",
    "FileScan",
    "Opener",
    "display_path",
    "file_error",
    "json_element_lines",
    "read_text",
    "scan",
    "sniff_delimiter",
    "zip_member",
]

_BLOCK: Final = 1 << 20
_SNIFF: Final = 4096
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
#: The encodings :func:`scan` can detect, by the names reports give them.
ENCODING_NAMES: Final = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte-order mark",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
#: Opens a file's bytes from the start (a plain file, or a member of a zip archive).
Opener = Callable[[], IO[bytes]]
# A character encoded as UTF-8 (2 to 4 bytes): a file that has none is not UTF-8 text.
_UTF8_SEQUENCE: Final = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_NOT_UTF8: Final = (
    "is not UTF-8 (the file may be in another encoding, such as cp1251 or Latin-1: "
    "save it as UTF-8)"
)


def file_error(path: str, value: object, reason: str) -> InvalidData:
    """An :class:`InvalidData` for the whole file."""
    return InvalidData(
        f"{path}: {reason}", row=None, column=None, value=value, reason=reason, path=path
    )


def _check_start(path: str, head: bytes) -> None:
    """Refuse UTF-16/32 and binary files, which would otherwise decode into garbage rows."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            raise file_error(
                path, name, f"the file is {name}, not UTF-8: save it as UTF-8 and import it again"
            )
    if b"\x00" in head:
        raise file_error(
            path,
            "NUL bytes",
            "the file holds NUL bytes: it is UTF-16 or binary, not UTF-8 text; "
            "save it as UTF-8 and import it again",
        )


@attrs.frozen
class FileScan:
    """What one quick pass over a file's bytes found.

    Attributes:
        lines: how many line breaks it holds (plus one for a last line without one).
        utf8: whether all of it decodes as UTF-8.
        ends_with_newline: whether its last byte is a line break (a file cut short mid-row
            usually is not).
        encoding: the encoding to read it in (a key of :data:`ENCODING_NAMES`): UTF-8
            (``"utf-8-sig"`` where it starts with a byte-order mark), or, where
            :func:`scan` was asked to detect it and no byte of the file is part of a
            UTF-8 character, Windows-1252 (Latin-1 if a byte is undefined in it).
        head: the file's first bytes (to sniff its delimiter).
    """

    lines: int
    utf8: bool
    ends_with_newline: bool
    encoding: str = "utf-8"
    head: bytes = attrs.field(default=b"", repr=False)

    @property
    def encoding_name(self) -> str:
        """The encoding, as reports name it ("Windows-1252")."""
        return ENCODING_NAMES.get(self.encoding, self.encoding)


def _legacy_encoding(opener: Opener) -> str | None:
    """``"cp1252"`` or ``"latin-1"`` for a file that holds no UTF-8 character at all.

    A file that has some (and some bytes that are not UTF-8) is UTF-8 with damaged rows:
    ``None``, and those rows are reported one by one.
    """
    decoder = codecs.getincrementaldecoder("cp1252")("strict")
    cp1252 = True
    tail = b""
    with opener() as file:
        while block := file.read(_BLOCK):
            if _UTF8_SEQUENCE.search(tail + block):
                return None
            tail = block[-3:]
            if cp1252:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    cp1252 = False
    return "cp1252" if cp1252 else "latin-1"


def _file_opener(path: str) -> Opener:
    return lambda: Path(path).open("rb")


def scan(path: str, *, opener: Opener | None = None, detect: bool = False) -> FileScan:
    """Count the lines of a text file and check that it is UTF-8, in one pass over its bytes.

    Args:
        path: the file (for messages; and read, unless ``opener`` is given).
        opener: opens the bytes to scan (a member of a zip archive).
        detect: tell a Windows-1252 or Latin-1 file (one without any UTF-8 character)
            from a UTF-8 one with damaged rows; this takes a second pass over such a file.

    Raises:
        InvalidData: for a UTF-16 or UTF-32 file, or one with NUL bytes.
        OSError: if the file cannot be read.
    """
    if opener is None:
        opener = _file_opener(path)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 0
    utf8 = True
    last = b""
    head = b""
    with opener() as file:
        first = True
        while block := file.read(_BLOCK):
            if first:
                head = block[:_SNIFF]
                _check_start(path, head)
                first = False
            lines += block.count(b"\n")
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
            last = block[-1:]
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    ends = last == b"\n"
    if last and not ends:
        lines += 1
    encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
    if not utf8 and detect:
        encoding = _legacy_encoding(opener) or encoding
    return FileScan(lines=lines, utf8=utf8, ends_with_newline=ends, encoding=encoding, head=head)


_DELIMITERS: Final = (",", ";", "\t")


def sniff_delimiter(scanned: FileScan) -> str:
    r"""The delimiter of a CSV file: whichever of comma, semicolon and tab its header holds most.

    >>> sniff_delimiter(FileScan(2, True, True, head=b"a;b;c,d\n1;2;3\n"))
    ';'
    """
    line = scanned.head.split(b"\n", 1)[0].decode(scanned.encoding, "replace")
    counts = [(line.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    found = max(counts)
    return found[2] if found[0] else ","


def zip_member(path: str) -> tuple[str, Opener]:
    """The one CSV (or text) file a zip archive holds, and how to open it.

    Raises:
        InvalidData: for an archive that is damaged, or holds no such file or several.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = [
                i.filename
                for i in archive.infolist()
                if not i.is_dir()
                and not i.filename.startswith("__MACOSX/")
                and Path(i.filename).suffix.lower() in {".csv", ".txt", ".tsv"}
            ]
    except zipfile.BadZipFile as e:
        raise file_error(path, str(e), f"not a readable zip archive: {e}") from None
    if len(names) != 1:
        found = ", ".join(names) if names else "none"
        raise file_error(
            path, names, f"a zip archive must hold exactly one CSV file (it holds {found})"
        )
    member = names[0]

    def open_member() -> IO[bytes]:
        archive = zipfile.ZipFile(path)
        try:
            return _Member(archive, archive.open(member))
        except BaseException:
            archive.close()
            raise

    return member, open_member


class _Member(io.BufferedReader):
    """A zip member's bytes that close their archive when closed.

    A damaged member (a bad CRC, a stream cut short) raises :class:`InvalidData` for the
    whole file, not ``zipfile.BadZipFile`` or ``zlib.error``.
    """

    def __init__(self, archive: zipfile.ZipFile, raw: IO[bytes]) -> None:
        super().__init__(raw)  # type: ignore[arg-type]  # a ZipExtFile is a raw stream
        self._archive = archive

    def _damaged(self, error: Exception) -> InvalidData:
        path = str(self._archive.filename)
        return file_error(path, type(error).__name__, f"the zip archive is damaged: {error}")

    def read(self, size: int | None = -1) -> bytes:
        try:
            return super().read(size)
        except (zipfile.BadZipFile, EOFError, zlib.error) as e:
            raise self._damaged(e) from None

    def read1(self, size: int = -1) -> bytes:
        try:
            return super().read1(size)
        except (zipfile.BadZipFile, EOFError, zlib.error) as e:
            raise self._damaged(e) from None

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._archive.close()


def _has_surrogates(row: list[str]) -> int:
    """The index of the first field holding undecodable bytes, or -1."""
    for i, field in enumerate(row):
        if not field.isascii():
            try:
                field.encode("utf-8")
            except UnicodeEncodeError:
                return i
    return -1


def _raw(field: str) -> str:
    """A field holding undecodable bytes, with those bytes written out in hexadecimal."""
    return field.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class CsvFile:
    """A CSV file's header and data rows, with bad rows reported instead of raised.

    Args:
        path: the file.
        scanned: what :func:`scan` found (decides whether rows must be checked for bytes
            that are not UTF-8).

    Iterating gives ``(row, fields)`` for each data row (1-based, the header not counted),
    where ``fields`` is the list of values, or an :class:`Issue` for a row that cannot be
    read (bytes that are not UTF-8, broken quoting, a row cut short).
    """

    def __init__(
        self,
        path: str,
        scanned: FileScan,
        *,
        delimiter: str = ",",
        opener: Opener | None = None,
    ) -> None:
        self.path = path
        self.scanned = scanned
        legacy = scanned.encoding not in {"utf-8", "utf-8-sig"}
        errors = "strict" if scanned.utf8 or legacy else "surrogateescape"
        encoding = scanned.encoding if legacy else "utf-8-sig"
        if opener is None:
            self._file: IO[str] = Path(path).open(  # noqa: SIM115  # closed by close() / the iterator's end
                encoding=encoding, errors=errors, newline=""
            )
        else:
            self._file = io.TextIOWrapper(opener(), encoding=encoding, errors=errors, newline="")
        self._check = not scanned.utf8 and not legacy
        self._reader = csv.reader(self._file, strict=True, delimiter=delimiter)
        try:
            header = next(self._reader)
        except StopIteration:
            self.close()
            raise file_error(path, "", "the file is empty: no header row") from None
        except csv.Error as e:
            self.close()
            raise file_error(path, "", f"the header row cannot be read: {e}") from None
        bad = _has_surrogates(header) if self._check else -1
        if bad >= 0:
            self.close()
            raise file_error(path, _raw(header[bad]), f"the header row {_NOT_UTF8}")
        self.header = [h.strip() for h in header]
        #: Data rows (estimated from the line count, for progress): exact unless fields
        #: hold line breaks.
        self.total = max(scanned.lines - 1, 0)

    def close(self) -> None:
        """Close the file."""
        self._file.close()

    def __iter__(self) -> Iterator[tuple[int, list[str] | Issue]]:
        reader = self._reader
        width = len(self.header)
        check = self._check
        row = 0
        try:
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:
                    row += 1
                    yield row, Issue(row=row, column=None, value=None, reason=f"not CSV: {e}")
                    continue
                row += 1
                if not fields:  # a blank line
                    row -= 1
                    continue
                if check:
                    bad = _has_surrogates(fields)
                    if bad >= 0:
                        column = self.header[bad] if bad < width else None
                        yield (
                            row,
                            Issue(
                                row=row, column=column, value=_raw(fields[bad]), reason=_NOT_UTF8
                            ),
                        )
                        continue
                if len(fields) != width:
                    yield row, width_issue(row, fields, width, "fields")
                    continue
                yield row, fields
        finally:
            self.close()


def width_issue(row: int, cells: list[str], width: int, unit: str) -> Issue:
    """The issue of a row with more or fewer cells than the header (``unit``: "fields", "cells").

    The value is the row joined by commas, cut to 200 characters; a row with fewer cells may
    be a file cut short, and the reason says so.
    """
    cut = "cut short? " if len(cells) < width else ""
    return Issue(
        row=row,
        column=None,
        value=",".join(cells)[:200],
        reason=f"{cut}the row has {len(cells)} {unit}, the header {width}",
    )


def read_text(path: str) -> str:
    """A whole file as text, checked to be UTF-8 (a UTF-8 byte-order mark is dropped).

    Raises:
        InvalidData: for a file that is not UTF-8, naming the line of the first bad byte.
        OSError: if the file cannot be read.
    """
    data = Path(path).read_bytes()
    _check_start(path, data[:_SNIFF])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise file_error(
            path, data[e.start : e.start + 8], f"byte {e.start} (line {line}) {_NOT_UTF8}"
        ) from None


_DECODER: Final = json.JSONDecoder()
_SPACE: Final = " \t\r\n"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _element(text: str, i: int) -> tuple[Any, int] | str:
    """The JSON value starting at ``i`` and where it ends, or why it cannot be read.

    A value nested more than :data:`~timeline.codec.MAX_JSON_DEPTH` levels deep is refused
    (the standard library's parser would run out of stack on a deeper one).
    """
    try:
        value, end = _DECODER.raw_decode(text, i)
    except RecursionError:  # the parser's own recursion, far beyond the limit
        value, end = None, -1
    if end < 0 or depth_exceeds(value, MAX_JSON_DEPTH):
        return f"nested more than {MAX_JSON_DEPTH} levels deep (MAX_JSON_DEPTH)"
    return value, end


def json_element_lines(text: str) -> list[int]:
    """The line each element of a JSON array starts on (``[1]`` for a single object).

    For reports only, once a problem is found: it reads the text again, element by element,
    and stops where that cannot go on.
    """
    i = _skip(text, 0)
    if text[i : i + 1] != "[":
        return [_line(text, i)]
    lines: list[int] = []
    i = _skip(text, i + 1)
    while i < len(text) and text[i] != "]":
        lines.append(_line(text, i))
        try:
            found = _element(text, i)
        except json.JSONDecodeError:
            break
        if isinstance(found, str):
            break
        i = _skip(text, found[1])
        if text[i : i + 1] != ",":
            break
        i = _skip(text, i + 1)
    return lines


def display_path(path: str | os.PathLike[str]) -> str:
    """The path as text, for reports."""
    return os.fspath(path)
