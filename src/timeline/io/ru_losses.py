"""Importer for Russian losses as claimed by Ukraine's General Staff (PetroIvaniuk's data set).

The data set (``2022-Ukraine-Russia-War-Dataset``, MIT) holds one record per day with the
cumulative totals since 24 February 2022: equipment in ``russia_losses_equipment.json``,
personnel in ``russia_losses_personnel.json``. Each day becomes one
:class:`~timeline.events.LossReport` (``party="Russia"``, ``cumulative=True``, claimed by the
General Staff), at midnight Kyiv time with ``time_precision="day"``, its equipment as
:class:`~timeline.events.ItemCount` entries (sorted by item) and its personnel merged in from
the personnel file.

Three kinds of input, told apart by the path:

- a directory, or ``russia_losses_equipment.json``: the current files (the personnel file
  beside it is merged in unless ``personnel=False``; another one can be named);
- ``russia_losses_personnel.json`` alone: personnel only (equipment is left as it is);
- ``revisions.jsonl.gz`` / ``revisions-delta.jsonl``: the history of the equipment file, one
  commit per line. Each commit is appended at its commit time (``recorded_at``): days it adds
  become loss reports, days it changes become :class:`~timeline.events.Correction` s, days it
  removes :class:`~timeline.events.Retraction` s, so that ``known_at`` shows the figures as
  they were published.

Not imported: ``day`` (it follows from the date), ``greatest losses direction`` (free text
on 203 days of 2022), ``POW`` (a prisoner count, not equipment, up to 2022-04-27), and the
corrections file (``russia_losses_equipment_correction.json``): its adjustments are already
applied to the daily series upstream.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import attrs
import orjson
from pendulum import DateTime

from timeline.errors import InvalidData, InvalidEvent
from timeline.events import Event, ItemCount, LossReport, Retraction, Source
from timeline.io._files import file_error
from timeline.io._json_stream import check_file, json_elements
from timeline.io._pipeline import Progress, Reconciler, Row, run_rows, stable_id
from timeline.io._times import LocalTimes
from timeline.io.report import Issue, ReportBuilder
from timeline.log import EventLog
from timeline.time import TimePrecision, parse_utc

__all__ = [
    "CLAIMANT",
    "FORMAT",
    "PARTY",
    "SOURCES",
    "ZONE",
    "import_ru_losses",
    "loss_report",
]

FORMAT: Final = "ru-losses"
TAG: Final = f"import:{FORMAT}"
ZONE: Final = "Europe/Kyiv"
PARTY: Final = "Russia"
CLAIMANT: Final = "General Staff of the Armed Forces of Ukraine"
#: Every loss report's sources: the General Staff, and the data set that structures its posts.
SOURCES: Final = (
    Source(name=CLAIMANT),
    Source(
        name="2022 Ukraine Russia War Dataset (Petro Ivaniuk)",
        url="https://github.com/PetroIvaniuk/2022-Ukraine-Russia-War-Dataset",
    ),
)
EQUIPMENT_FILE: Final = "russia_losses_equipment.json"
PERSONNEL_FILE: Final = "russia_losses_personnel.json"

_NOT_EQUIPMENT: Final = frozenset(
    {"date", "day", "greatest losses direction", "personnel", "personnel*", "POW"}
)
_QUALIFIERS: Final = {"about": "personnel approximate", "more": "personnel at least"}
_DATE_LEN: Final = 10


@attrs.frozen
class _Day:
    """One day's record, checked: the event, or the problem with it."""

    date: str | None
    event: LossReport | None = None
    problem: Issue | None = None


def _date(value: object, row: int, times: LocalTimes) -> tuple[str, DateTime] | Issue:
    if not isinstance(value, str) or len(value.strip()) != _DATE_LEN:
        return Issue(row, "date", value, "not a date (YYYY-MM-DD)")
    try:
        when = times.parse(value)
    except ValueError as e:
        return Issue(row, "date", value, f"not a date: {e}")
    return when.key, when.utc


def _count(value: object) -> bool:
    return type(value) is int and value >= 0


def loss_report(
    record: Mapping[str, Any],
    *,
    row: int,
    times: LocalTimes,
    personnel: Mapping[str, Any] | None = None,
    equipment: bool = True,
) -> _Day:
    """The loss report of one day's record (and its personnel record), or the problem.

    Args:
        record: the day's equipment record (or personnel record, with ``equipment=False``).
        row: its row, for problem reports.
        times: reads the date in the data set's zone.
        personnel: the day's personnel record to merge in, if any.
        equipment: whether ``record`` holds equipment figures.
    """
    if not isinstance(record, Mapping):
        return _Day(None, problem=Issue(row, None, record, "not a JSON object (one day's record)"))
    found = _date(record.get("date"), row, times)
    if isinstance(found, Issue):
        return _Day(None, problem=found)
    date, midnight = found
    items: list[ItemCount] = []
    if equipment:
        for key, value in record.items():
            if key in _NOT_EQUIPMENT:
                continue
            if not _count(value):
                return _Day(date, problem=Issue(row, key, value, "not a whole number ≥ 0"))
            items.append(ItemCount(item=key, count=value))
        items.sort(key=lambda c: c.item)
    people = personnel if personnel is not None else (record if not equipment else None)
    count: int | None = None
    tags: tuple[str, ...] = ()
    if people is not None:
        count = people.get("personnel")
        if count is not None and not _count(count):
            return _Day(date, problem=Issue(row, "personnel", count, "not a whole number ≥ 0"))
        qualifier = _QUALIFIERS.get(people.get("personnel*"))  # type: ignore[arg-type]  # any JSON value may be there
        tags = (qualifier,) if qualifier else ()
    try:
        event = LossReport(
            event_id=stable_id(FORMAT, date),
            zone=times.zone_name,  # the day is Kyiv's (or the zone= given)
            occurred_at=midnight,
            time_precision=TimePrecision.DAY,
            party=PARTY,
            cumulative=True,
            personnel=count,
            equipment=tuple(items),
            claimed_by=CLAIMANT,
            sources=SOURCES,
            tags=tags,
        )
    except InvalidEvent as e:
        return _Day(date, problem=Issue(row, e.field, e.value, str(e)))
    return _Day(date, event=event)


# -- the current files -----------------------------------------------------------------------


class _CurrentFiles:
    """The days of the current equipment file, with personnel merged in (a row source).

    The equipment file is read as it is imported, one day at a time, and again for each pass
    (strict mode reads it twice): its size does not weigh on memory. The personnel file,
    merged in by date, is held by date.
    """

    def __init__(self, equipment: str | None, personnel: str | None, zone: str) -> None:
        self.times = LocalTimes(zone)
        self.file_warnings: list[Issue] = []
        if equipment:
            check_file(equipment)  # a file that cannot be read at all: before any row
        self.equipment = equipment
        people: dict[str, Mapping[str, Any]] = {}
        self.personnel_problems: list[Issue] = []
        if personnel:
            for row, value in json_elements(personnel, "record"):
                if isinstance(value, Issue):
                    self.personnel_problems.append(
                        attrs.evolve(value, column="personnel file", row=row)
                    )
                elif isinstance(value, Mapping) and isinstance(value.get("date"), str):
                    people[value["date"].strip()] = value
                else:
                    self.personnel_problems.append(
                        Issue(row, "personnel file", value, "not a day's record with a date")
                    )
        self.personnel = people
        self.total: int | None = None if self.equipment is not None else len(people)

    def rows(self) -> Iterator[Row]:
        if self.equipment is None:  # the personnel file alone
            for row, (_, record) in enumerate(self.personnel.items(), 1):
                day = loss_report(record, row=row, times=self.times, equipment=False)
                yield Row(row, events=(day.event,) if day.event else (), problem=day.problem)
            return
        merged: set[str] = set()
        merge = bool(self.personnel)
        for row, record in json_elements(self.equipment, "record"):
            if isinstance(record, Issue):
                yield Row(row, problem=record)
                continue
            date = record.get("date") if isinstance(record, Mapping) else None
            people = self.personnel.get(date) if merge and isinstance(date, str) else None
            if people is not None:
                merged.add(date)  # type: ignore[arg-type]  # a str, checked above
            day = loss_report(record, row=row, times=self.times, personnel=people)
            yield Row(row, events=(day.event,) if day.event else (), problem=day.problem)
        if merge:
            for date in self.personnel.keys() - merged:
                note = Issue(
                    None,
                    "personnel file",
                    date,
                    "a day the equipment file does not hold: its personnel not imported",
                )
                if note not in self.file_warnings:
                    self.file_warnings.append(note)


def _current(
    log: EventLog,
    path: Path,
    *,
    personnel: str | os.PathLike[str] | bool | None,
    report: ReportBuilder,
    zone: str,
    progress: Progress | None,
) -> None:
    if path.is_dir():
        equipment: Path | None = path / EQUIPMENT_FILE
    elif path.name == PERSONNEL_FILE or _looks_like_personnel(path):
        equipment = None
    else:
        equipment = path
    if personnel is None or personnel is True:
        beside = (path if path.is_dir() else path.parent) / PERSONNEL_FILE
        people = str(beside) if beside.exists() and beside != equipment else None
        if equipment is None:
            people = str(path)
    elif personnel is False:
        people = str(path) if equipment is None else None
    else:
        people = os.fspath(personnel)
    source = _CurrentFiles(str(equipment) if equipment else None, people, zone)
    unmanaged: tuple[str, ...] = ()
    if equipment is None:
        unmanaged = ("equipment",)
    elif people is None:
        unmanaged = ("personnel", "tags")
    for issue in source.personnel_problems:
        report.problem(issue)
    run_rows(
        log,
        source,
        report=report,
        reconciler=Reconciler(log, tag=TAG, unmanaged=unmanaged),
        why=f"changed in {path.name}",
        progress=progress,
    )
    report.warnings.extend(source.file_warnings)


def _looks_like_personnel(path: Path) -> bool:
    if path.suffix.lower() != ".json" or not path.is_file():
        return False
    with path.open("rb") as file:
        head = file.read(2048)
    return b'"personnel"' in head and b'"aircraft"' not in head


# -- the revision history --------------------------------------------------------------------


@attrs.frozen
class _Revision:
    row: int
    commit: str
    committed_at: DateTime
    subject: str
    days: tuple[LossReport, ...]
    removed: tuple[str, ...]


def _lines(path: Path) -> Iterator[tuple[int, bytes | Issue]]:
    """The lines of a JSON-lines file, gzipped or not, with read failures as issues."""
    opener = gzip.open if path.suffix == ".gz" else Path.open
    row = 0
    try:
        with opener(path, "rb") as file:
            for line in file:
                row += 1
                yield row, line
    except (EOFError, zlib.error) as e:
        yield row + 1, Issue(row + 1, None, None, f"the file is cut short: {e}")
    except gzip.BadGzipFile as e:
        raise file_error(str(path), path.name, f"not a gzip file: {e}") from None


def _revision_records(  # noqa: C901, PLR0911  # each way a revision line can be bad
    row: int, line: bytes, previous: dict[str, Any] | None
) -> tuple[str, DateTime, str, list[Any], list[str], dict[str, Any] | None] | Issue:
    """A revision's commit, time, subject, changed records, removed dates, and full content."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as e:
        return Issue(row, None, line[e.start : e.start + 8], f"byte {e.start} is not UTF-8")
    if not text.strip():
        return Issue(row, None, "", "an empty line")
    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as e:
        return Issue(row, None, text[:80], f"not JSON (cut short?): {e}")
    if not isinstance(obj, dict):
        return Issue(row, None, text[:80], "not a JSON object")
    commit = obj.get("commit")
    if not isinstance(commit, str) or not commit:
        return Issue(row, "commit", commit, "no commit id")
    try:
        committed_at = parse_utc(obj.get("committed_at"), field="committed_at")  # type: ignore[arg-type]  # refused below if not text
    except InvalidEvent as e:
        return Issue(row, "committed_at", obj.get("committed_at"), str(e))
    found_subject = obj.get("subject")
    subject = found_subject if isinstance(found_subject, str) else ""
    if "content" in obj:
        content = obj["content"]
        try:
            records = orjson.loads(content) if isinstance(content, str) else None
        except (
            orjson.JSONDecodeError
        ) as e:  # nested beyond orjson's limit too: never a RecursionError
            return Issue(row, "content", content[:80], f"not JSON: {e}")
        if not isinstance(records, list):
            return Issue(row, "content", str(content)[:80], "not a JSON array of days")
        current: dict[str, Any] = {str(r.get("date")): r for r in records if isinstance(r, dict)}
        bad = [r for r in records if not isinstance(r, dict)]
        base = previous or {}
        changed = [r for d, r in current.items() if base.get(d) != r] + bad
        removed = [d for d in base if d not in current] if previous is not None else []
        return commit, committed_at, subject, changed, removed, current
    added, changes, gone = obj.get("added", []), obj.get("changed", []), obj.get("removed", [])
    if not all(isinstance(x, list) for x in (added, changes, gone)):
        return Issue(
            row, None, text[:80], "neither 'content' nor 'added'/'changed'/'removed' lists"
        )
    afters = [c.get("after") if isinstance(c, dict) else c for c in changes]
    return commit, committed_at, subject, [*added, *afters], [str(d) for d in gone], None


def _read_revisions(path: Path, report: ReportBuilder, zone: str) -> list[_Revision]:
    """Every revision, checked, before anything is appended (strict mode raises here)."""
    times = LocalTimes(zone)
    revisions = []
    previous: dict[str, Any] | None = None
    for row, line in _lines(path):
        report.rows = row
        if isinstance(line, Issue):
            report.problem(line)
            break
        parsed = _revision_records(row, line, previous)
        if isinstance(parsed, Issue):
            report.problem(parsed)
            continue
        commit, committed_at, subject, records, removed, content = parsed
        if content is not None:
            previous = content
        days = []
        for record in records:
            day = loss_report(record, row=row, times=times)
            if day.problem is not None:
                where = f"{day.date}: " if day.date else ""
                report.problem(attrs.evolve(day.problem, reason=where + day.problem.reason))
            elif day.event is not None:
                days.append(day.event)
        revisions.append(_Revision(row, commit, committed_at, subject, tuple(days), tuple(removed)))
    return revisions


def _retracted_by_us(log: EventLog) -> set[Any]:
    return {
        rec.event.retracts
        for rec in log.read(types=Retraction.TYPE)
        if isinstance(rec.event, Retraction) and TAG in rec.event.tags
    }


def _revisions(
    log: EventLog, path: Path, *, report: ReportBuilder, zone: str, progress: Progress | None
) -> None:
    revisions = _read_revisions(path, report, zone)
    reconciler = Reconciler(log, tag=TAG, unmanaged=("personnel", "tags"), remember=True)
    retracted = set() if reconciler.fresh else _retracted_by_us(log)
    head = log.head()
    last = head.recorded_at if head is not None else None
    late: list[_Revision] = []
    for done, revision in enumerate(revisions, 1):
        batch: list[Event] = []
        why = f"revised in commit {revision.commit[:7]} ({revision.subject or 'no subject'})"
        for day in revision.days:
            found = reconciler.take(
                day,
                row=revision.row,
                report=report,
                why=why,
                until=revision.committed_at,
                occurred_at=revision.committed_at,
            )
            if found is not None:
                batch.append(found)
        for date in revision.removed:
            target = stable_id(FORMAT, date)
            if target in retracted or reconciler.original(target) is None:
                continue
            batch.append(
                Retraction(
                    occurred_at=revision.committed_at,
                    retracts=target,
                    reason=f"{date} removed from the file in commit {revision.commit[:7]}",
                    claimed_by=CLAIMANT,
                    sources=SOURCES,
                    tags=(TAG,),
                )
            )
            retracted.add(target)
            report.retracted += 1
        if batch:
            if last is not None and revision.committed_at < last:
                late.append(revision)
            (*_, final) = log.append(batch, stream=report.stream, recorded_at=revision.committed_at)
            last = final.recorded_at
        if progress is not None:
            progress(done, len(revisions))
    if late:
        report.warn(
            late[0].row,
            "committed_at",
            late[0].committed_at.isoformat(),
            f"the log already held records from after this commit: {len(late)} revisions "
            "are recorded at the log's last transaction time instead of their commit time",
        )


def import_ru_losses(
    log: EventLog,
    report: ReportBuilder,
    *,
    progress: Progress | None,
    personnel: str | os.PathLike[str] | bool | None = None,
    zone: str = ZONE,
) -> None:
    """Import the General Staff's loss tallies into a log, filling ``report``.

    The current files or their revision history. Use :func:`timeline.io.import_file`
    (``format="ru-losses"``); the arguments are described there and in this module's
    docstring. ``personnel`` names the personnel file to merge in (by default the one beside
    the equipment file; ``False`` for none).

    Raises:
        InvalidData: for a file that cannot be read at all (the corrections file, the wrong
            encoding); in strict mode, for the first bad record (nothing is appended then).
    """
    text = report.path
    where = Path(text)
    if "correction" in where.name:
        raise file_error(
            text,
            where.name,
            "the corrections file holds adjustments already applied to the daily series "
            "upstream; import russia_losses_equipment.json (or the revision history) instead",
        )
    if where.name.endswith((".jsonl", ".jsonl.gz", ".gz")):
        _revisions(log, where, report=report, zone=zone, progress=progress)
    elif where.is_dir() or where.suffix.lower() == ".json":
        _current(log, where, personnel=personnel, report=report, zone=zone, progress=progress)
    else:
        raise InvalidData(
            f"{text}: not a ru-losses file: give the data directory, a .json file, or a "
            "revision history (.jsonl or .jsonl.gz)",
            row=None,
            column=None,
            value=text,
            reason="unknown kind of file",
            path=text,
        )
