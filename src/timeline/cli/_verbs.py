"""The commands that were Python-only: correct, retract, codes, plot, and the graph exports.

``correct`` and ``retract`` write the :class:`~timeline.Correction` or
:class:`~timeline.Retraction` a user would otherwise write as JSON with the target's id;
``codes`` looks up CAMEO codes and Goldstein scores (:mod:`timeline.io.cameo`); ``plot``
draws the pictures of :mod:`timeline.plot`; ``export graphml|dot|node-link`` writes the
causal graph (:mod:`timeline.causal.export`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

from timeline.causal import causal_graph, to_dot, to_node_link, write_dot, write_graphml
from timeline.causal import write_json as write_node_link
from timeline.causal.export import flat_networkx
from timeline.cli._base import (
    OK,
    USAGE,
    Args,
    CommandError,
    command_log,
    plural,
    print_json,
    summary,
    warn,
)
from timeline.cli._formats import write_csv, write_json, write_jsonl
from timeline.cli._render import print_table
from timeline.errors import TimelineError
from timeline.events import Correction, Event, Retraction
from timeline.io import cameo
from timeline.log import EventLog, Recorded
from timeline.time import SystemClock

__all__ = [
    "CAMEO_ENV",
    "GRAPH_FORMATS",
    "cmd_codes",
    "cmd_correct",
    "cmd_plot",
    "cmd_retract",
    "export_graph",
    "parse_changes",
]

#: The causal graph's export formats.
GRAPH_FORMATS: Final = ("graphml", "dot", "node-link")
#: Where ``codes`` and ``plot intensity --goldstein`` find the CAMEO tables by default.
CAMEO_ENV: Final = "TIMELINE_CAMEO"
PLOTS: Final = ("timeline", "intensity", "nights", "causal")
_PICTURES: Final = (".png", ".svg", ".pdf")


# -- correct, retract ------------------------------------------------------------------------


def parse_changes(pairs: Sequence[str]) -> dict[str, Any]:
    """``field=value`` pairs as a correction's changes; a value is JSON if it reads as JSON.

    >>> parse_changes(["destroyed=211", "weapon=Shahed-136", "claimed_by=null"])
    {'destroyed': 211, 'weapon': 'Shahed-136', 'claimed_by': None}
    """
    changes: dict[str, Any] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CommandError(
                f"argument CHANGES: {pair!r} is not field=value (e.g. destroyed=211)", status=USAGE
            )
        try:
            changes[name] = orjson.loads(text)
        except orjson.JSONDecodeError:
            changes[name] = text
    return changes


def _append_one(log: EventLog, event: Event, stream: str) -> Recorded:
    try:
        [record] = log.append([event], stream=stream)
    except TimelineError as e:
        raise CommandError(f"{e}; nothing was appended") from e
    return record


def cmd_correct(args: Args) -> int:
    """Correct fields of an event: ``correct EVENT destroyed=211 --reason "revised report"``."""
    changes = parse_changes(args.changes)
    with command_log(args) as log:
        target = args.event.resolve(log)
        before = log.codec.to_dict(target.event)
        unknown = sorted(set(changes) - set(before) - {"type", "version", "event_id"})
        if unknown:
            fields = ", ".join(n for n in before if n not in {"type", "version", "event_id"})
            raise CommandError(
                f"{target.event.TYPE} has no field {unknown[0]!r} (its fields: {fields})",
                status=USAGE,
            )
        correction = Correction(
            occurred_at=SystemClock().now(),
            corrects=target.event.event_id,
            changes=changes,
            reason=args.reason,
        )
        record = _append_one(log, correction, args.stream or target.stream)
    what = ", ".join(f"{k} {before.get(k)!r} → {v!r}" for k, v in changes.items())
    summary(
        f"corrected {target.event.event_id} (position {target.position}): {what}; "
        f"the correction is at position {record.position}"
    )
    return OK


def cmd_retract(args: Args) -> int:
    """Withdraw an event from later views: ``retract EVENT --reason "duplicate report"``."""
    with command_log(args) as log:
        target = args.event.resolve(log)
        retraction = Retraction(
            occurred_at=SystemClock().now(), retracts=target.event.event_id, reason=args.reason
        )
        record = _append_one(log, retraction, args.stream or target.stream)
    summary(
        f"retracted {target.event.event_id} (position {target.position}: "
        f"{target.event.headline()}); the retraction is at position {record.position}"
    )
    return OK


# -- codes -----------------------------------------------------------------------------------


def _tables(given: str | None) -> cameo.Cameo:
    folder = given or os.environ.get(CAMEO_ENV)
    if not folder:
        raise CommandError(
            "the CAMEO tables are not shipped with timeline: name the folder that holds "
            f"{cameo.CODES_FILE} and {cameo.SCORES_FILE} with --tables DIR or ${CAMEO_ENV}",
            status=USAGE,
        )
    return cameo.load(folder)


def _matching(tables: cameo.Cameo, query: str) -> set[str]:
    """The codes a query names: a code or its first digits, a description's words, an event type."""
    text = query.strip().casefold()
    key = text.replace("_", "").replace("-", "")
    types = {
        code
        for tag, code in cameo.EVENT_CODES.items()
        if text == tag or key == tag.rsplit(".", 1)[-1].replace("_", "")
    }
    return {
        code
        for code, description in tables.descriptions.items()
        if code.startswith(text) or text in description.casefold() or code in types
    }


def _code_rows(tables: cameo.Cameo, queries: Sequence[str]) -> Iterator[dict[str, Any]]:
    types_of: dict[str, list[str]] = {}
    for tag, code in cameo.EVENT_CODES.items():
        types_of.setdefault(code, []).append(tag)
    wanted = set().union(*(_matching(tables, q) for q in queries)) if queries else None
    for code in sorted(tables.descriptions):
        if wanted is None or code in wanted:
            yield {
                "code": code,
                "goldstein": tables.scores.get(code),
                "description": tables.descriptions[code],
                "event_types": ", ".join(types_of.get(code, ())),
            }


def cmd_codes(args: Args) -> int:
    """Look up CAMEO codes: by code (or its first digits), description text or event type."""
    tables = _tables(args.tables)
    rows = list(_code_rows(tables, args.query))
    if args.format == "json":
        write_json(rows)
    elif args.format == "jsonl":
        write_jsonl(rows)
    elif args.format == "csv":
        write_csv(rows, ("code", "goldstein", "description", "event_types"))
    else:
        table = (
            (
                r["code"],
                "-" if r["goldstein"] is None else f"{r['goldstein']:+.1f}",
                r["description"],
                r["event_types"],
            )
            for r in rows
        )
        headers = ("code", "goldstein", "description", "event types")
        if not print_table(headers, table, right=" r", flexible=(2, 3)):
            warn("no codes match")
    return OK


# -- plot ------------------------------------------------------------------------------------


def cmd_plot(args: Args) -> int:
    """Draw a picture of the log into OUT (.png, .svg or .pdf)."""
    target = Path(args.out)
    if target.suffix.lower() not in _PICTURES:
        raise CommandError(
            f"argument OUT: {args.out!r} must end in {', '.join(_PICTURES)} (the suffix picks "
            "the format)",
            status=USAGE,
        )
    from timeline import plot  # noqa: PLC0415  # the plot extra: imported only to draw

    cuts = {"as_of": args.as_of, "known_at": args.known_at}
    with command_log(args) as log:
        if args.kind == "timeline":
            plot.timeline_chart(log, path=target, title=args.title, **cuts)
        elif args.kind == "intensity":
            tables = _tables(args.tables) if args.goldstein else None
            plot.intensity_chart(log, path=target, title=args.title, goldstein=tables, **cuts)
        elif args.kind == "nights":
            plot.nights_chart(log, path=target, title=args.title, **cuts)
        else:
            around = args.around.resolve(log).event.event_id if args.around else None
            graph = causal_graph(log, **cuts)
            plot.draw_causal(graph, around=around, path=target, title=args.title)
        n = len(log)
    summary(f"drew the {args.kind} chart of {plural(n, 'record')} into {args.out}")
    return OK


# -- export of the causal graph --------------------------------------------------------------


def export_graph(log: EventLog, format: str, file: str, cuts: dict[str, Any]) -> str:  # noqa: A002  # as export_file names it
    """Write the causal graph as GraphML, DOT or node-link JSON (``-``: stdout).

    Returns:
        The summary line: how many events and links, and where.
    """
    graph = causal_graph(log, **cuts)
    events, links = len(graph), sum(1 for _ in graph.links())
    if file == "-":
        if format == "dot":
            sys.stdout.write(to_dot(graph, codec=log.codec))
        elif format == "node-link":
            print_json(to_node_link(graph, codec=log.codec))
        else:
            import networkx as nx  # type: ignore[import-untyped]  # noqa: PLC0415  # GraphML to stdout only

            sys.stdout.flush()
            nx.write_graphml(flat_networkx(graph, codec=log.codec), sys.stdout.buffer)
            sys.stdout.buffer.flush()
    elif format == "dot":
        write_dot(graph, file, codec=log.codec)
    elif format == "node-link":
        write_node_link(graph, file, codec=log.codec)
    else:
        write_graphml(graph, file, codec=log.codec)
    where = "stdout" if file == "-" else file
    return (
        f"exported the causal graph ({plural(events, 'event')}, {plural(links, 'link')}) "
        f"to {where} ({format})"
    )
