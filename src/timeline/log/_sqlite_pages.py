"""Read a log's records out of a damaged SQLite file page by page, without SQLite.

For :func:`timeline.log.salvage` only. A SQLite file cut at a random byte (a copy stopped
half-way, a full disk) is refused by SQLite itself ("database disk image is malformed"): the
b-tree that leads to the rows runs through pages that are gone. The rows that survive still
sit, whole, in the table leaf pages that remain. This module reads them the way SQLite's own
``.recover`` does: it walks every page of the file (and of its write-ahead log, where the
latest committed copy of a page wins), takes each leaf page of a table, decodes its cells
with the record format of https://www.sqlite.org/fileformat2.html, and keeps the rows shaped
like a row of the ``events`` table. It never writes, and never opens the file with SQLite.

What it finds is only a candidate: the salvage checks every row against the hash chain
before it copies it. A position found more than once (a stale copy on a freed page) is
given once: the copy whose hash chains from the position before it, else the first.

The plain reference is SQLite itself: on an intact file these are exactly the rows
``SELECT ... FROM events ORDER BY position`` gives (``tests/robustness/test_salvage_pages.py``).
"""

from __future__ import annotations

import mmap
import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Final

import attrs

from timeline.log.records import GENESIS, StoredRecord, chain_hash

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["PageScan", "scan_pages"]

_MAGIC: Final = b"SQLite format 3\x00"
_WAL_MAGIC: Final = (0x377F0682, 0x377F0683)
_WAL_HEADER: Final = 32
_LEAF_TABLE: Final = 0x0D
_COLUMNS: Final = 9  # position (the rowid), event_id, stream, version, type, occurred_at,
# recorded_at, payload, hash: the events table of sqlite.py's SCHEMA, in its order
_HASH: Final = re.compile(rb"[0-9a-f]{64}")
_Locator = tuple[int, int]  # page number, offset of the cell in the page


class _Bad(Exception):
    """A cell or record that cannot be decoded (cut short, or not what it claims)."""


@attrs.frozen
class PageScan:
    """What a scan of a SQLite file's pages found.

    Attributes:
        pages: how many pages the file (and its write-ahead log) hold, a last one cut
            short included.
        readable: how many of them are a page of a known kind (the rest are zeros, cut
            short past their header, or garbage).
        rows: how many distinct records shaped like the log's rows were found.
        stale: how many other copies of those positions were left aside.
        expected: how many pages the file's header says it holds (``None`` when the header
            is gone or does not say): more than ``pages`` when the file was cut short.
    """

    pages: int
    readable: int
    rows: int
    stale: int
    expected: int | None = None

    @property
    def cut_short(self) -> bool:
        """Whether pages the file's header counts are missing."""
        return self.expected is not None and self.expected > self.pages


class _Pages:
    """The pages of a SQLite file and its write-ahead log, by number (from 1)."""

    def __init__(self, data: bytes | mmap.mmap, wal: bytes) -> None:
        self.data = data
        self.size = 4096
        self.reserved = 0
        self.expected: int | None = None
        if len(data) >= 100 and data[:16] == _MAGIC:  # noqa: PLR2004  # the file header
            raw_size = struct.unpack_from(">H", data, 16)[0]
            self.size = 65536 if raw_size == 1 else raw_size
            self.reserved = data[20]
            counter, pages, valid_for = (
                struct.unpack_from(">I", data, at)[0] for at in (24, 28, 92)
            )
            if pages and counter == valid_for:  # the in-header size is valid (file format)
                self.expected = pages
        self.wal: dict[int, bytes] = _wal_pages(wal, self.size)
        in_file = -(-len(data) // self.size)  # a last page cut short counts
        self.count = max([in_file, *self.wal])

    @property
    def usable(self) -> int:
        return self.size - self.reserved

    def __getitem__(self, number: int) -> bytes:
        """The page (shorter than a page when the file is cut inside it; empty if gone)."""
        page = self.wal.get(number)
        if page is not None:
            return page
        start = (number - 1) * self.size
        return bytes(self.data[start : start + self.size])


def _wal_pages(wal: bytes, page_size: int) -> dict[int, bytes]:
    """The latest committed copy of each page in a write-ahead log.

    Frames after the last commit, or with another salt than the header's, are a write that
    never finished (or an older generation of the file), and are left out.
    """
    if len(wal) < _WAL_HEADER or struct.unpack_from(">I", wal, 0)[0] not in _WAL_MAGIC:
        return {}
    if struct.unpack_from(">I", wal, 8)[0] != page_size:
        return {}
    salt = wal[16:24]
    pages: dict[int, bytes] = {}
    pending: dict[int, bytes] = {}
    offset = _WAL_HEADER
    while offset + 24 + page_size <= len(wal):
        number, commit = struct.unpack_from(">II", wal, offset)
        if wal[offset + 8 : offset + 16] != salt:
            break
        pending[number] = wal[offset + 24 : offset + 24 + page_size]
        if commit:
            pages.update(pending)
            pending.clear()
        offset += 24 + page_size
    return pages


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """A SQLite varint at ``at``: its value and where the next field starts."""
    value = 0
    for i in range(8):
        if at + i >= len(data):
            raise _Bad
        byte = data[at + i]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:  # the high bit is clear on a varint's last byte
            return value, at + i + 1
    if at + 8 >= len(data):
        raise _Bad
    return (value << 8) | data[at + 8], at + 9


_INT_SIZES: Final = {1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8}


def _values(record: bytes) -> list[object]:
    """The column values of a record (the record format of the SQLite file format)."""
    header, at = _varint(record, 0)
    types = []
    while at < header:
        serial, at = _varint(record, at)
        types.append(serial)
    body = header
    values: list[object] = []
    for serial in types:
        if serial in _INT_SIZES:
            n = _INT_SIZES[serial]
            values.append(int.from_bytes(record[body : body + n], "big", signed=True))
        elif serial == 7:  # noqa: PLR2004  # a float: no column of ours holds one
            n = 8
            values.append(struct.unpack_from(">d", record, body)[0])
        elif serial in {0, 8, 9}:
            n = 0
            values.append(None if serial == 0 else serial - 8)
        elif serial >= 12:  # noqa: PLR2004  # a blob (even) or text (odd)
            n = (serial - 12) // 2
            chunk = record[body : body + n]
            values.append(chunk if serial % 2 == 0 else chunk.decode())
        else:
            raise _Bad
        body += n
        if body > len(record):
            raise _Bad
    return values


def _cell(pages: _Pages, page: bytes, offset: int) -> tuple[int, bytes]:
    """The rowid and the whole payload of a table leaf cell, its overflow pages followed."""
    size, at = _varint(page, offset)
    rowid, at = _varint(page, at)
    usable = pages.usable
    most = usable - 35
    if size <= most:
        local = size
    else:
        least = (usable - 12) * 32 // 255 - 23
        local = least + (size - least) % (usable - 4)
        if local > most:
            local = least
    payload = bytearray(page[at : at + local])
    if len(payload) != local:
        raise _Bad
    if size > local:
        if at + local + 4 > len(page):
            raise _Bad
        following = struct.unpack_from(">I", page, at + local)[0]
        seen: set[int] = set()
        while len(payload) < size:
            if not 1 < following <= pages.count or following in seen:
                raise _Bad
            seen.add(following)
            overflow = pages[following]
            if len(overflow) < min(usable, 4 + size - len(payload)):
                raise _Bad
            following = struct.unpack_from(">I", overflow, 0)[0]
            payload += overflow[4 : 4 + min(usable - 4, size - len(payload))]
    return rowid, bytes(payload)


def _row(rowid: int, values: list[object]) -> StoredRecord | None:
    """The stored record a row of the events table holds, or ``None`` for another row."""
    if len(values) != _COLUMNS or values[0] is not None:
        return None
    _, event_id, stream, version, type_, occurred, recorded, payload, hash_ = values
    if not (
        type(event_id) is str
        and type(stream) is str
        and type(version) is int
        and type(recorded) is str
        and type(hash_) is str
        and _HASH.fullmatch(hash_.encode())
    ):
        return None
    if type(payload) is str:
        payload = payload.encode()
    if type(payload) is not bytes:
        return None
    return StoredRecord(
        rowid,
        stream,
        version,
        recorded,
        payload,
        hash_,
        event_id,
        type_ if type(type_) is str else None,
        occurred if type(occurred) is str else None,
    )


def _cells(page: bytes, number: int) -> list[int] | None:
    """Where the cells of a table leaf page start, or ``None`` for a page of another kind."""
    head = 100 if number == 1 else 0
    if len(page) < head + 8 or page[head] != _LEAF_TABLE:
        return None
    count = struct.unpack_from(">H", page, head + 3)[0]
    pointers = head + 8
    if pointers + 2 * count > len(page):
        count = (len(page) - pointers) // 2  # the page is cut short: its first cells only
    return [struct.unpack_from(">H", page, pointers + 2 * i)[0] for i in range(count)]


def _read(pages: _Pages, locator: _Locator) -> StoredRecord | None:
    number, offset = locator
    try:
        rowid, payload = _cell(pages, pages[number], offset)
        return _row(rowid, _values(payload))
    except (_Bad, UnicodeDecodeError, struct.error, IndexError):
        return None


def _index(pages: _Pages) -> tuple[dict[int, list[_Locator]], int]:
    """Where each position's distinct rows are, and how many pages are of a known kind."""
    found: dict[int, dict[int, _Locator]] = {}
    readable = 0
    for number in range(1, pages.count + 1):
        page = pages[number]
        cells = _cells(page, number)
        if cells is None:
            head = 100 if number == 1 else 0
            readable += len(page) > head and page[head] in {2, 5, 10, 13}
            continue
        readable += 1
        for offset in cells:
            record = _read(pages, (number, offset))
            if record is not None:  # identical copies kept once, by their hash
                found.setdefault(record.position, {}).setdefault(hash(record), (number, offset))
    return {p: list(copies.values()) for p, copies in found.items()}, readable


def scan_pages(path: str | Path) -> tuple[PageScan, Iterator[StoredRecord]]:
    """The log's records found in a SQLite file's pages, in position order.

    Returns:
        What the scan found, and the records (read from the file as they are yielded; the
        file must not change meanwhile). Positions no page holds are simply absent.

    Raises:
        OSError: if the file cannot be read.
    """
    path = Path(path)
    wal_path = path.with_name(path.name + "-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    with path.open("rb") as file:
        size = path.stat().st_size
        data: bytes | mmap.mmap = (
            mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
        )
    pages = _Pages(data, wal)
    found, readable = _index(pages)
    copies = sum(map(len, found.values()))
    scan = PageScan(
        pages=pages.count,
        readable=readable,
        rows=len(found),
        stale=copies - len(found),
        expected=pages.expected,
    )
    return scan, _records(pages, found)


def _records(pages: _Pages, found: dict[int, list[_Locator]]) -> Iterator[StoredRecord]:
    previous = (0, GENESIS)
    try:
        for position in sorted(found):
            copies = [r for at in found[position] if (r := _read(pages, at)) is not None]
            chosen = next(
                (
                    r
                    for r in copies
                    if previous[0] == position - 1
                    and chain_hash(
                        previous[1], r.position, r.stream, r.version, r.recorded_at, r.payload
                    )
                    == r.hash
                ),
                copies[0],
            )
            previous = (position, chosen.hash)
            yield chosen
    finally:
        if isinstance(pages.data, mmap.mmap):
            pages.data.close()
