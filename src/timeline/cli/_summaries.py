"""Readable summaries: of an event's history, and of each built-in projection's state.

Each ``*_lines`` function returns the lines ``timeline`` prints; :func:`replay_document` is
what ``--format json`` prints instead: the state, unstructured, and the derived views the
summary shows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

import cattrs
from pendulum import DateTime

from timeline.cli._base import plural, stamp, table
from timeline.codec import Codec
from timeline.events import Event
from timeline.log import Recorded
from timeline.projections import (
    ChronologyState,
    ClaimsState,
    EscalationState,
    ExchangesState,
    History,
    NegotiationsState,
    dates,
)
from timeline.projections.escalation import DroneRecord, Figures, Tallies
from timeline.projections.exchanges import Exchange
from timeline.text import Headlines, card_lines, field_changes, headline
from timeline.time import (
    TimePrecision,
    end_of_local_day,
    isoformat,
    local_day,
    local_text,
    start_of_local_day,
)

__all__ = [
    "chronology_lines",
    "escalation_lines",
    "exchanges_lines",
    "headlines",
    "history_dict",
    "history_lines",
    "json_converter",
    "negotiations_lines",
    "replay_document",
    "replay_lines",
    "show_lines",
    "shown_zone",
    "stamp_in",
    "when",
]


def shown_zone(args: Any) -> str | None:
    """The zone a command shows times in: ``--zone``, UTC for ``--utc``, else ``None``.

    ``None`` is each event's own zone (UTC for an event without one).
    """
    zone = getattr(args, "zone", None)
    if zone:
        return str(zone)
    return "UTC" if getattr(args, "utc", False) else None


def stamp_in(at: dt.datetime, zone: str | None) -> str:
    """An instant the system gave (a cut, a recording time), to the second.

    A UTC stamp (``2025-06-01T20:59:59Z``), or on the clock of ``zone`` when the command names
    one (``2025-06-01 23:59:59 Kyiv``).
    """
    if zone is None:
        return stamp(at)
    return local_text(at.replace(microsecond=0), zone, TimePrecision.EXACT)


def when(event: Event, *, zone: str | None = None) -> str:
    """When an event occurred, at its precision, as the commands print it.

    On the clock of the event's own zone (``2025-05-31 19:30 Kyiv``; UTC for an event
    without one), or of ``zone`` when the command names one (``--zone``, ``--utc``). A date
    stays the event's own local date in any zone (``2025-06-02``): "2 June in Istanbul" is
    not 1 June anywhere.
    """
    precision = event.time_precision
    own = zone is None or precision in (TimePrecision.DAY, TimePrecision.MONTH)
    return local_text(event.occurred_at, event.zone if own else zone, precision)


def _shown(
    label: str,
    at: dt.datetime,
    precision: TimePrecision | None,
    zone: str | None,
    *,
    day: bool = False,
) -> str:
    """A date as filed (``label``, in its event's zone), or a time of it in ``zone``.

    ``precision`` ``None``: read from the label (a record keeps its label, not its precision).
    ``day``: only the local date of it ("promised 2025-05-19"), in ``zone`` for a time.
    """
    if precision is None:
        precision = _label_precision(label)
    text = label
    if zone is not None and precision not in (TimePrecision.DAY, TimePrecision.MONTH):
        text = local_text(at, zone, precision)
    return text[: len("2025-06-02")] if day else text


def _label_precision(label: str) -> TimePrecision:
    """The precision a label (:func:`timeline.projections.dates.label`) was written at.

    >>> [_label_precision(x).value for x in ("2025-06", "2025-06-02", "2025-05-31 19h Kyiv",
    ...  "2025-05-31 19:30 Kyiv", "2025-05-31T16:30:00Z", "2025-05-31T16Z")]
    ['month', 'day', 'hour', 'minute', 'exact', 'hour']
    """
    if len(label) <= len("2025-06"):
        return TimePrecision.MONTH
    if len(label) <= len("2025-06-02"):
        return TimePrecision.DAY
    clock = label[len("2025-06-02") + 1 :]
    colons = clock.split(" ")[0].count(":")
    return (TimePrecision.HOUR, TimePrecision.MINUTE, TimePrecision.EXACT)[min(colons, 2)]


def _span(
    start: dt.datetime,
    end: dt.datetime | None,
    precision: TimePrecision,
    own: str | None = None,
    zone: str | None = None,
) -> str:
    """A window from ``start`` to ``end``: in ``own`` zone (its reports'), or times in ``zone``."""
    text = _shown(dates.label(start, precision, zone=own), start, precision, zone)
    until = None
    if end is not None:
        until = _shown(dates.label(end, precision, end=True, zone=own), end, precision, zone)
    return text if until in {None, text} else f"{text} to {until}"


def _due(due: dt.datetime, own: str | None, zone: str | None) -> str:
    """A deadline: its local date if it is the start or end of a local day, else its time."""
    day = local_day(due, TimePrecision.DAY, own)
    whole = own is not None and due in {start_of_local_day(day, own), end_of_local_day(day, own)}
    if whole and zone is None:
        return day.isoformat()
    return local_text(due, zone or own or "UTC", TimePrecision.MINUTE)


# -- history ---------------------------------------------------------------------------------


def history_lines(codec: Codec, hist: History, *, zone: str | None = None) -> list[str]:
    """One line per revision of an event, then where it stands now.

    A correction reads as what it changed, field by field and item by item
    (``aircraft 384 → 413``), not as the whole tally before and after. The headlines give
    each event's local dates; when it was recorded is a UTC stamp, or in ``zone`` if named.
    """
    rows = []
    before = codec.to_dict(hist.original)
    for revision in hist:
        if revision.kind == "corrected":
            after = codec.to_dict(revision.event)
            what = ", ".join(field_changes(before, after)) or "no change"
            before = after
        elif revision.kind == "undone":
            what = f"withdraws the step {revision.undoes}"
        elif revision.kind == "retracted":
            what = "withdrawn from later views"
        else:
            what = headline(revision.event)
        if revision.reason:
            what += f"  ({revision.reason})"
        recorded = stamp_in(revision.recorded_at, zone)
        rows.append((revision.position, recorded, revision.kind, what))
    now = "withdrawn (retracted)" if hist.withdrawn else "in force"
    if len(hist) > 1 and not hist.withdrawn:
        now += f", as corrected: {headline(hist.current)}"
    return [*table(("position", "recorded_at", "step", "what"), rows, right="r"), f"now: {now}"]


def show_lines(
    codec: Codec, record: Recorded, hist: History | None = None, *, zone: str | None = None
) -> list[str]:
    """``show``: the event as a card (see :func:`timeline.text.card_lines`), and where it is.

    Its times in its own zone, or in ``zone`` when the command names one.
    """
    recorded = stamp_in(record.recorded_at, zone)
    where = (
        f"position {record.position}, stream {record.stream!r} (version {record.version}), "
        f"recorded {recorded}"
    )
    card = card_lines(codec, record.event, hist, zone=zone)
    return [card[0], where, *card[1:]]


def headlines(codec: Codec, events: Iterable[Event]) -> Headlines:
    """Headlines that know the other events (corrections, links, tallies' changes).

    Give it every event of the log, in log order, even where only some are shown: a
    correction is told against its target, a tally against the tally before it.
    """
    return Headlines(events, codec=codec)


def history_dict(codec: Codec, hist: History) -> dict[str, Any]:
    """An event's history as JSON."""
    return {
        "event_id": str(hist.event_id),
        "withdrawn": hist.withdrawn,
        "current": codec.to_dict(hist.current),
        "revisions": [
            {
                "kind": r.kind,
                "position": r.position,
                "stream": r.stream,
                "recorded_at": isoformat(r.recorded_at),
                "reason": r.reason,
                "changes": r.changes,
                "undoes": None if r.undoes is None else str(r.undoes),
                "withdrawn": r.withdrawn,
            }
            for r in hist
        ],
    }


# -- Escalation ------------------------------------------------------------------------------


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def _figures(f: Figures) -> str:
    if not f.reports:
        return "none reported"
    parts = []
    for label, value, unknown in (
        ("launched", f.launched, f.launched_unknown),
        ("destroyed", f.destroyed, f.destroyed_unknown),
        ("lost", f.lost, f.lost_unknown),
    ):
        text = f"{label} {_n(value)}"
        if unknown and value is not None:
            text += f" (and {plural(unknown, 'report')} without a figure)"
        parts.append(text)
    return ", ".join(parts)


def _precisions(
    state: EscalationState, records: Iterable[DroneRecord]
) -> list[tuple[TimePrecision, str | None]]:
    """Each record's time precision and zone: those of the first tally of its window."""
    t = state.tallies
    wanted = {(r.start, r.end, r.claimant) for r in records}
    found: dict[tuple[Any, ...], tuple[TimePrecision, str | None]] = {}
    for i, start in enumerate(t.start):
        key = (start, t.end[i], t.claimant[i])
        if key in wanted:
            found.setdefault(key, (t.precision[i], t.zone[i]))
    unknown = (TimePrecision.MINUTE, None)
    return [found.get((r.start, r.end, r.claimant), unknown) for r in records]


def escalation_lines(state: EscalationState, *, zone: str | None = None) -> list[str]:
    """Totals, the standing drone record and how it grew, and the figures per day.

    Days are local dates, each window's in its reports' zone; a window's times are in that
    zone too, or in ``zone`` when the command names one.
    """
    lines = [
        (
            f"{plural(state.tallies.folded, 'report')} in "
            f"{plural(len(state.windows), 'reporting window')} "
            f"on {plural(len(state.days), 'day')}"
        ),
        f"drones:   {_figures(state.drones)}",
        f"missiles: {_figures(state.missiles)}",
        f"strikes:  {state.strikes}",
        "",
    ]
    records = state.drone_records
    if not records:
        lines.append("largest drone window so far: none reported")
    else:
        precisions = _precisions(state, records)
        record = records[-1]
        before = "" if record.previous is None else f"; the record before it: {record.previous}"
        lines.append(
            f"largest drone window so far: {record.launched} drones on {record.day} "
            f"({_span(record.start, record.end, *precisions[-1], zone)}), "
            f"claimed by {record.claimant or 'no one named'}{before}"
        )
        lines += ["", "drone records (each beat every window before it):"]
        rows = [
            (r.day, r.launched, r.previous, _span(r.start, r.end, *p, zone), r.claimant)
            for r, p in zip(records, precisions, strict=True)
        ]
        lines += [
            f"  {x}"
            for x in table(
                ("day", "launched", "previous", "window", "claimed by"), rows, right=" rr"
            )
        ]
    if state.days:
        lines += ["", "per day (the local date each window starts on, in its reports' zone):"]
        day_rows = [
            (
                d.day,
                _n(d.drones.launched),
                _n(d.drones.destroyed),
                _n(d.drones.lost),
                _n(d.missiles.launched),
                _n(d.missiles.destroyed),
                d.strikes,
            )
            for d in state.days
        ]
        day_headers = ("day", "drones", "destroyed", "lost", "missiles", "destroyed", "strikes")
        lines += [f"  {x}" for x in table(day_headers, day_rows, right=" rrrrrr")]
    return lines


# -- Negotiations ----------------------------------------------------------------------------


def _rounds(state: NegotiationsState, zone: str | None) -> list[str]:
    lines = []
    for t in state.talks_proposed:
        where = ", ".join(x for x in (t.venue, t.city) if x)
        on = _shown(t.date, t.occurred_at, None, zone)
        lines.append(
            f"talks proposed on {on} by {t.proposed_by}" + (f", in {where}" if where else "")
        )
    lines.append(f"rounds: {len(state.rounds)}")
    for r in sorted(state.rounds, key=lambda r: r.occurred_at):
        where = ", ".join(x for x in (r.venue, r.city) if x) or "venue not given"
        extra = "; ".join(
            x
            for x in (
                f"host {r.host}" if r.host else "",
                f"mediator {r.mediator}" if r.mediator else "",
                f"outcome: {r.outcome}" if r.outcome else "",
            )
            if x
        )
        number = f"round {r.number}, " if r.number is not None else ""
        on = _shown(r.date, r.occurred_at, None, zone)
        lines.append(
            f"  {on}  {number}{where}: {'–'.join(r.parties)}" + (f" ({extra})" if extra else "")
        )
    delegations = state.delegations()
    lines.append(f"delegations: {len(delegations)}")
    for party, d in delegations.items():
        members = f"; members: {', '.join(d.members)}" if d.members else ""
        unclear = "; composition unclear" if d.composition_known is False else ""
        lines.append(f"  {party}: {d.head_with_title}{members}{unclear}")
    return lines


def _documents(state: NegotiationsState, at: dt.datetime | None, zone: str | None) -> list[str]:
    tabled = state.tabled()
    lines = [f"tabled: {len(tabled)}"]
    for p in tabled:
        terms = f": {'; '.join(p.terms)}" if p.terms else ""
        lines.append(f"  {_shown(p.date, p.occurred_at, None, zone)}  {p.party}: {p.title}{terms}")
    memoranda = state.memoranda(at=at)
    lines.append(f"memoranda: {len(memoranda)}")
    for m in memoranda:
        to = f" to {m.to_party}" if m.to_party else ""
        dates = ", ".join(
            f"{label} {_shown(on, t, None, zone, day=True)}"
            for label, on, t in (
                ("promised", m.promised_on, m.promised_at),
                ("awaited", m.awaited_on, m.awaited_at),
                ("delivered", m.delivered_on, m.delivered_at),
            )
            if t is not None and on is not None
        )
        lines.append(f"  {m.party}{to}: {m.subject or 'memorandum'}: {m.status.value} ({dates})")
    pending = [r.promise for r in state.responses(at) if not r.answered]
    lines.append(f"responses pending: {len(pending)}")
    for promise in pending:
        to = f" to {promise.to_party}" if promise.to_party else ""
        due = promise.due_at
        due_text = f", due {_due(due, promise.zone, zone)}" if due is not None else ""
        late = " (overdue)" if at is not None and due is not None and due < at else ""
        on = _shown(promise.date, promise.occurred_at, None, zone, day=True)
        lines.append(f"  {promise.party}{to}, promised {on}{due_text}{late}")
    return lines


def negotiations_lines(
    state: NegotiationsState, at: dt.datetime | None, *, zone: str | None = None
) -> list[str]:
    """Rounds, delegations, what was tabled, memoranda, answers owed, the ceasefire.

    Each date is the local date of its report, in its zone (the records' ``date``,
    ``promised_on``, ...); a time is shown in ``zone`` when the command names one.
    """
    c = state.ceasefire
    ceasefire = f"ceasefire: {c.status.value}"
    if c.demanded_by:
        ceasefire += f"; demanded by {', '.join(c.demanded_by)}"
    if c.backed_by:
        ceasefire += f", backed by {', '.join(c.backed_by)}"
    if c.rejected_by:
        ceasefire += f"; rejected by {', '.join(c.rejected_by)}"
    return [*_rounds(state, zone), *_documents(state, at, zone), ceasefire]


# -- PrisonerExchanges, Claims, Chronology ----------------------------------------------------


def _counts(counts: Iterable[Any]) -> str:
    return ", ".join(f"{c.party} {c.count}" for c in counts) or "-"


def _exchange_lines(x: Exchange, zone: str | None) -> list[str]:
    agreed = "no agreement on record"
    if x.agreed_at is not None and x.agreed_on is not None:
        agreed = f"agreed {_shown(x.agreed_on, x.agreed_at, None, zone, day=True)}"
    of = f" of {x.stages_total}" if x.stages_total is not None else ""
    status = "complete" if x.complete else f"outstanding {_counts(x.outstanding)}"
    lines = [
        (
            f"  {agreed}: {x.agreed_size} ({_counts(x.agreed)}); "
            f"carried out {x.carried_out_size} in {len(x.stages)}{of} stage(s); {status}"
        )
    ]
    for s in x.stages:
        number = f"stage {s.number}" if s.number is not None else "stage"
        lines.append(
            f"    {number} {_shown(s.date, s.occurred_at, None, zone, day=True)}: {_counts(s.released)}"
        )
    return lines


def exchanges_lines(state: ExchangesState, *, zone: str | None = None) -> list[str]:
    """Each side's totals, each exchange with its stages, and the largest so far.

    The agreement's and each stage's local date (``agreed_on``, ``Stage.date``); a time in
    ``zone`` when the command names one.
    """
    rows = [(s.party, s.agreed, s.carried_out, s.outstanding) for s in state.sides]
    lines = ["per side:"]
    lines += [
        f"  {x}"
        for x in table(("party", "agreed", "carried out", "outstanding"), rows, right=" rrr")
    ]
    lines.append(f"exchanges: {len(state.exchanges)}")
    for x in state.exchanges:
        lines += _exchange_lines(x, zone)
    for label, largest in (
        ("largest agreed", state.largest_agreed),
        ("largest carried out", state.largest_carried_out),
    ):
        if largest is not None:
            lines.append(f"{label}: {largest.size} ({_counts(largest.released)})")
    return lines


def claims_lines(state: ClaimsState) -> list[str]:
    """The facts whose figures disagree, each claimant's figure and grade."""
    conflicts = state.conflicts()
    lines = [f"facts: {len(state.facts)}, with conflicting figures: {len(conflicts)}"]
    for fact in conflicts:
        lines.append(f"  {fact.key.label}")
        for claim in fact.claims:
            grade = f" ({claim.grade})" if claim.grade else ""
            lines.append(f"    {claim.value:>8}  {claim.claimant or 'unattributed'}{grade}")
    return lines


def chronology_lines(state: ChronologyState, *, zone: str | None = None) -> list[str]:
    """One line per event, oldest first, as corrected.

    Each entry's local date or time in its event's zone (``Entry.when``); with ``zone``, its
    times in that zone (dates stay the event's own).
    """
    if zone is None:
        return state.lines() or ["no events"]
    whens = []
    for e in state.entries:
        text = _shown(e.date, e.occurred_at, e.time_precision, zone)
        if e.occurred_until is not None and e.until is not None:
            until = _shown(e.until, e.occurred_until, e.time_precision, zone)
            text = text if until == text else f"{text} to {until}"
        whens.append(text)
    width = max((len(w) for w in whens), default=0)
    lines = []
    for w, e in zip(whens, state.entries, strict=True):
        claimed = f"  [claimed by {e.claimed_by}]" if e.claimed_by else ""
        lines.append(f"{w:<{width}}  {e.headline}{claimed}")
    return lines or ["no events"]


# -- dispatch --------------------------------------------------------------------------------


def replay_lines(
    name: str, state: Any, at: dt.datetime | None, *, zone: str | None = None
) -> list[str]:
    """The readable summary of a built-in projection's state (``name`` as in PROJECTIONS).

    Dates are each event's local date; times are in each event's zone, or in ``zone`` when
    the command names one (``--zone``, ``--utc``).
    """
    if name == "Escalation":
        return escalation_lines(state, zone=zone)
    if name == "Negotiations":
        return negotiations_lines(state, at, zone=zone)
    if name == "PrisonerExchanges":
        return exchanges_lines(state, zone=zone)
    if name == "Claims":
        return claims_lines(state)
    return chronology_lines(state, zone=zone)


def _derived(name: str, state: Any, at: dt.datetime | None) -> dict[str, Any]:
    """What the summary shows that the state's fields do not hold as such."""
    if name == "Escalation":
        return {
            "drones": state.drones,
            "missiles": state.missiles,
            "strikes": state.strikes,
            "largest_drone_window": state.largest_drone_window,
            "drone_records": state.drone_records,
            "days": state.days,
            "weapons": state.weapons,
        }
    if name == "Negotiations":
        return {
            "latest_round": state.latest_round,
            "delegations": state.delegations(),
            "tabled": state.tabled(),
            "memoranda": state.memoranda(at=at),
            "responses": state.responses(at),
            "ceasefire": state.ceasefire,
        }
    if name == "Claims":
        return {"conflicts": [f.key.label for f in state.conflicts()]}
    return {}


def json_converter() -> cattrs.Converter:
    """Unstructures attrs objects for JSON output: instants and ids as text."""
    converter = cattrs.Converter()
    converter.register_unstructure_hook(DateTime, isoformat)
    converter.register_unstructure_hook(dt.datetime, isoformat)
    converter.register_unstructure_hook(uuid.UUID, str)
    # Escalation keeps its event ids packed: shown unpacked, as ids and tally numbers.
    packed = converter.get_unstructure_hook(Tallies)

    def tallies(t: Tallies) -> dict[str, Any]:
        data: dict[str, Any] = packed(t)
        del data["ids"], data["rows"]
        data["event_id"] = [str(i) for i in t.event_id]
        data["event_tally"] = list(t.event_tally)
        return data

    converter.register_unstructure_hook(Tallies, tallies)
    return converter


def replay_document(
    name: str, state: Any, *, as_of: dt.datetime | None, known_at: dt.datetime | None
) -> dict[str, Any]:
    """``replay --format json``: the cuts, the state (unstructured) and the derived views."""
    converter = json_converter()
    return {
        "projection": name,
        "as_of": None if as_of is None else isoformat(as_of),
        "known_at": None if known_at is None else isoformat(known_at),
        "state": converter.unstructure(state),
        "derived": converter.unstructure(_derived(name, state, as_of)),
    }
