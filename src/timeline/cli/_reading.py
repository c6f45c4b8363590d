"""The listing commands: list, show, history, replay, why, consequences.

Each prints a table (``--format table``, the default; ``text`` is the same), a JSON document
(``json``; for ``list``, one array), CSV rows (``csv``) or one JSON value a line (``jsonl``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final

from pendulum import DateTime

from timeline.causal import Cause, Consequence, causal_graph
from timeline.cli._args import PROJECTIONS
from timeline.cli._base import (
    OK,
    USAGE,
    Args,
    CommandError,
    command_log,
    dumps,
    print_json,
    record_dict,
    stamp,
    warn,
)
from timeline.cli._formats import (
    RECORD_COLUMNS,
    record_row,
    write_csv,
    write_json,
    write_jsonl,
)
from timeline.cli._render import print_table, say
from timeline.cli._summaries import (
    headlines,
    history_dict,
    history_lines,
    json_converter,
    replay_document,
    replay_lines,
    show_lines,
    shown_zone,
    stamp_in,
    when,
)
from timeline.codec import Codec
from timeline.events import CausalLink, Event
from timeline.log import EventLog, Recorded
from timeline.projections import History, history, replay
from timeline.time import end_of_local_day, local_date

__all__ = [
    "ACTOR_FIELDS",
    "cmd_consequences",
    "cmd_history",
    "cmd_list",
    "cmd_replay",
    "cmd_show",
    "cmd_why",
    "involves",
    "matches_text",
]

#: The fields ``list --actor`` looks in: whoever acts, speaks, attacks, or is a party.
ACTOR_FIELDS: Final = (
    "actors",
    "party",
    "parties",
    "attacker",
    "target_party",
    "speaker",
    "proposed_by",
    "from_party",
    "to_party",
    "addressed_to",
    "backed_by",
    "host",
    "mediator",
    "released",
)
#: What ``replay --format csv`` gives a row to, per projection.
_REPLAY_ROWS: Final = {
    "Escalation": "days",
    "Negotiations": "rounds",
    "PrisonerExchanges": "sides",
    "Claims": "conflicts",
    "Chronology": "entries",
}


# -- list ------------------------------------------------------------------------------------


def _type_names(codec: Codec, wanted: Sequence[str] | None) -> list[str] | None:
    """Type tags from ``--type`` values: tags, or class names in any case."""
    if not wanted:
        return None
    by_class = {cls.__name__.casefold(): cls.TYPE for cls in codec.registry}
    known = sorted(cls.TYPE for cls in codec.registry) + [cls.__name__ for cls in codec.registry]
    names = []
    for value in (v.strip() for w in wanted for v in w.split(",")):
        if value in codec.registry:
            names.append(value)
        elif value.casefold() in by_class:
            names.append(by_class[value.casefold()])
        elif value:
            close = difflib.get_close_matches(value, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise CommandError(f"--type: unknown event type {value!r}{hint}", status=USAGE)
    return names


def _names_in(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            party = item if isinstance(item, str) else getattr(item, "party", None)
            if isinstance(party, str):
                yield party


def involves(event: Event, actor: str) -> bool:
    """Whether an event names ``actor`` (in any case) in one of :data:`ACTOR_FIELDS`."""
    wanted = actor.casefold()
    return any(
        name.casefold() == wanted
        for field in ACTOR_FIELDS
        for name in _names_in(getattr(event, field, None))
    )


def matches_text(codec: Codec, event: Event, text: str) -> bool:
    """Whether ``text`` (any case) is in the event's headline or any of its values."""
    wanted = text.casefold()
    if wanted in event.headline().casefold():
        return True
    return wanted in dumps(codec.to_dict(event)).casefold()


def occurred_text(event: Event, args: Args) -> str:
    """When an event occurred, as people read it (``2025-05-31 19:30 Kyiv``).

    In ``--zone``, in UTC (``--utc``), or else in the event's own zone; a day-precision event
    as its date.
    """
    return when(event, zone=shown_zone(args))


def _after_start(event: Event, start: dt.date | DateTime | None) -> bool:
    if start is None:
        return True
    if isinstance(start, DateTime):
        return event.occurred_at >= start
    return local_date(event) >= start


def _before_end(event: Event, end: dt.date | DateTime | None) -> bool:
    if end is None:
        return True
    if isinstance(end, DateTime):
        return event.occurred_at <= end
    return local_date(event) <= end


def _keep(codec: Codec, args: Args) -> Callable[[Recorded], bool]:
    """Whether a record passes the filters that look at its event.

    A date given to ``--from`` or ``--to`` is compared with the event's local date (in its own
    zone); a time, with the instant it occurred.
    """
    start, end, as_of = args.start, args.end, args.as_of

    def keep(record: Recorded) -> bool:
        event = record.event
        if as_of is not None and event.occurred_at > as_of:
            return False
        if not (_after_start(event, start) and _before_end(event, end)):
            return False
        if args.actor and not any(involves(event, a) for a in args.actor):
            return False
        return not args.search or all(matches_text(codec, event, t) for t in args.search)

    return keep


def _last_instant(args: Args) -> DateTime | None:
    """No event past this instant can pass ``--to`` and ``--as-of``."""
    bounds = [args.as_of] if args.as_of is not None else []
    if isinstance(args.end, DateTime):
        bounds.append(args.end)
    elif args.end is not None:  # a local date: no zone ends it later than UTC plus a day
        bounds.append(end_of_local_day(args.end + dt.timedelta(days=1), "UTC"))
    return min(bounds, default=None)


def _ordered(start: object, end: object) -> bool:
    if start is None or end is None:
        return True
    if isinstance(start, DateTime) != isinstance(end, DateTime):
        first = start.date() if isinstance(start, DateTime) else start
        last = end.date() if isinstance(end, DateTime) else end
        return bool(first <= last)  # type: ignore[operator]  # two dates
    return bool(start <= end)  # type: ignore[operator]  # two dates or two instants


def _read_from(
    every: Sequence[Recorded], args: Args, types: Sequence[str] | None
) -> Iterator[Recorded]:
    """What ``log.read(after, stream=, types=, order=)`` gives, from records already read.

    ``every`` is the whole log in position order (read once for the table's headlines).
    """
    wanted = None if types is None else set(types)
    chosen = [
        r
        for r in every
        if r.position > (args.after or 0)
        and (args.stream is None or r.stream == args.stream)
        and (wanted is None or r.event.TYPE in wanted)
    ]
    if args.order == "occurred":
        chosen.sort(key=lambda r: (r.event.occurred_at, r.position))
    return iter(chosen)


def _selected(
    log: EventLog, args: Args, every: Sequence[Recorded] | None = None
) -> Iterator[Recorded]:
    """The records ``list`` shows: from the log, or from ``every`` record read already."""
    types = _type_names(log.codec, args.type)
    if not _ordered(args.start, args.end):
        raise CommandError("--to is before --from: nothing can match", status=USAGE)
    last = log.position_at(args.known_at) if args.known_at is not None else None
    keep = _keep(log.codec, args)
    by_position = args.order == "recorded"
    latest = _last_instant(args)
    count = 0
    if every is None:
        read = log.read(after=args.after, stream=args.stream, types=types, order=args.order)
    else:
        read = _read_from(every, args, types)
    for record in read:
        if args.limit is not None and count >= args.limit:
            return
        if last is not None and record.position > last:
            if by_position:
                return
            continue
        if not by_position and latest is not None and record.event.occurred_at > latest:
            return
        if keep(record):
            count += 1
            yield record


def cmd_list(args: Args) -> int:
    """The records, filtered: a table, a JSON array, CSV rows or JSON lines."""
    with command_log(args) as log:
        codec = log.codec
        if args.format == "table":
            # The log read once: the headlines are told with every event (a correction's
            # target, a tally's change), and the rows shown are chosen from the same records.
            every = list(log.read())
            told = headlines(codec, (r.event for r in every))
            records = _selected(log, args, every)
        else:
            records = _selected(log, args)
        if args.format == "jsonl":
            write_jsonl(record_dict(codec, r) for r in records)
        elif args.format == "json":  # streamed, so a big log needs no memory
            write_json(record_dict(codec, r) for r in records)
        elif args.format == "csv":
            write_csv((record_row(codec, r) for r in records), RECORD_COLUMNS)
        else:
            rows = (
                (
                    r.position,
                    stamp(r.recorded_at),
                    occurred_text(r.event, args),
                    r.event.TYPE,
                    told.text(r.event),
                )
                for r in records
            )
            headers = ("position", "recorded_at", "occurred", "type", "headline")
            if not print_table(headers, rows, right="r", flexible=(4,), tail=(3,)):
                warn("no records match")
    return OK


# -- show, history ---------------------------------------------------------------------------


def _revision_rows(hist: History) -> Iterator[dict[str, Any]]:
    document = history_dict(Codec(), hist)
    for revision in document["revisions"]:
        yield {"event_id": document["event_id"], **revision}


def cmd_show(args: Args) -> int:
    """One record as a readable card (its fields, sources, history), or in a format."""
    with command_log(args) as log:
        record = args.event.resolve(log)
        hist = history(log, record.event.event_id)
        data = record_dict(log.codec, record)
        document = {**data, "history": history_dict(log.codec, hist)}
        if args.format in {"json", "jsonl"}:
            print_json(document, indent=args.format == "json")
            return OK
        if args.format == "csv":
            write_csv([record_row(log.codec, record)], RECORD_COLUMNS)
            return OK
        for line in show_lines(log.codec, record, hist, zone=shown_zone(args)):
            say(line)
    return OK


def cmd_history(args: Args) -> int:
    """The event as first recorded, then each correction and retraction."""
    with command_log(args) as log:
        record = args.event.resolve(log)
        hist = history(log, record.event.event_id)
        if args.format == "json":
            print_json(history_dict(log.codec, hist), indent=True)
        elif args.format == "jsonl":
            write_jsonl(_revision_rows(hist))
        elif args.format == "csv":
            write_csv(_revision_rows(hist))
        else:
            say(f"{record.event.event_id}  {record.event.TYPE}  stream {record.stream!r}")
            for line in history_lines(log.codec, hist, zone=shown_zone(args)):
                say(line)
    return OK


# -- replay, why, consequences ---------------------------------------------------------------


def _cuts(args: Args) -> str:
    zone = shown_zone(args)
    as_of = "all that happened" if args.as_of is None else f"as of {stamp_in(args.as_of, zone)}"
    known = (
        "as known now" if args.known_at is None else f"as known at {stamp_in(args.known_at, zone)}"
    )
    return f"{as_of}, {known}"


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON value's leaves, dotted: ``{"drones": {"launched": 472}}`` to ``drones.launched``."""
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flat(item, f"{prefix}{key}."))
        return flat
    return {prefix.rstrip("."): value}


def _replay_rows(name: str, state: Any) -> list[dict[str, Any]]:
    """``replay --format csv``: a row per day, round, side, claim in conflict or entry."""
    converter = json_converter()
    if name == "Claims":
        return [
            {"fact": fact.key.label, **_flat(converter.unstructure(claim))}
            for fact in state.conflicts()
            for claim in fact.claims
        ]
    items: Iterable[Any] = getattr(state, _REPLAY_ROWS[name])
    return [_flat(converter.unstructure(item)) for item in items]


def cmd_replay(args: Args) -> int:
    """Fold a built-in projection over the log, and summarise its state."""
    name = args.projection
    with command_log(args) as log:
        state = replay(log, PROJECTIONS[name](), as_of=args.as_of, known_at=args.known_at)
    if args.format in {"json", "jsonl"}:
        document = replay_document(name, state, as_of=args.as_of, known_at=args.known_at)
        print_json(document, indent=args.format == "json")
        return OK
    if args.format == "csv":
        write_csv(_replay_rows(name, state))
        return OK
    say(f"{name}, {_cuts(args)}")
    say()
    for line in replay_lines(name, state, args.as_of, zone=shown_zone(args)):
        say(line)
    return OK


def _via(path: Sequence[CausalLink]) -> str:
    """The links of a path: ``retaliation (analyst) → response (rule: ...)``."""
    steps = []
    for link in path:
        who = link.asserted_by or (f"rule: {link.rule}" if link.rule else None)
        steps.append(link.relation + (f" ({who})" if who else ""))
    return " → ".join(steps)


def _found_rows(found: Sequence[Cause | Consequence], args: Args) -> Iterator[dict[str, Any]]:
    for item in found:
        event = item.event
        yield {
            "confidence": item.confidence,
            "occurred": occurred_text(event, args),
            "event_id": str(event.event_id),
            "type": event.TYPE,
            "headline": event.headline(),
            "via": _via(item.path),
        }


def _causal(args: Args, direction: str) -> int:
    with command_log(args) as log:
        record = args.event.resolve(log)
        graph = causal_graph(log, as_of=args.as_of, known_at=args.known_at)
        ask = graph.why if direction == "why" else graph.consequences
        found: list[Cause] | list[Consequence] = ask(record.event.event_id)
        codec = log.codec
    # The headlines are told with the graph's own events (the view asked for, corrections
    # applied): a tally's change since the tally before it, without reading the log again.
    told = headlines(codec, graph.events() if args.format == "table" else ())
    event = record.event
    if args.format == "json":
        document = {
            "event": codec.to_dict(event),
            direction: [
                {
                    "event": codec.to_dict(item.event),
                    "confidence": item.confidence,
                    "path": [codec.to_dict(link) for link in item.path],
                }
                for item in found
            ],
        }
        print_json(document, indent=True)
        return OK
    if args.format == "jsonl":
        write_jsonl(_found_rows(found, args))
        return OK
    if args.format == "csv":
        write_csv(
            _found_rows(found, args), ("confidence", "occurred", "event_id", "type", "headline")
        )
        return OK
    asked = "what led to" if direction == "why" else "what followed from"
    say(f"{asked} {event.event_id}, {occurred_text(event, args)}: {told.text(event)}")
    say(f"({_cuts(args)})")
    if not found:
        say("  nothing on record")
        return OK
    rows = [
        (
            f"{item.confidence:.2f}",
            occurred_text(item.event, args),
            told.text(item.event),
            _via(item.path),
            str(item.event.event_id),
        )
        for item in found
    ]
    headers = ("confidence", "occurred", "event", "via", "event_id")
    print_table(headers, rows, right="r", flexible=(2, 3), indent="  ")
    return OK


def cmd_why(args: Args) -> int:
    """What led to an event, through the causal links, transitively."""
    return _causal(args, "why")


def cmd_consequences(args: Args) -> int:
    """What followed from an event, through the causal links, transitively."""
    return _causal(args, "consequences")
