"""The ``timeline`` command on click: every command, its options, an example in its ``--help``."""

from __future__ import annotations

import importlib.metadata
from typing import Final

import click

from timeline.cli import _commands as c
from timeline.cli import _importing as m
from timeline.cli import _integrity as i
from timeline.cli import _page as pg
from timeline.cli import _reading as r
from timeline.cli import _verbs as v
from timeline.cli._args import (
    PROJECTIONS,
    ZONE_ENV,
    event_ref,
    moment,
    projection_name,
    whole_number,
    zone_name,
)
from timeline.cli._base import DEFAULT_LOG, LOG_ENV
from timeline.cli._click import Choice, Group, Reader, add_command, example, shared_options
from timeline.io import EXPORT_FORMATS

__all__ = ["LISTING_FORMATS", "build_command"]

#: ``--format`` of the listing commands (``text`` stands for ``table``).
LISTING_FORMATS: Final = ("table", "json", "csv", "jsonl")
_FORMAT_ALIASES: Final = {"text": "table"}

_WHEN: Final = Reader("WHEN", moment)
_ZONE: Final = Reader("NAME", zone_name)
_N: Final = Reader("N", whole_number)
_EVENT: Final = Reader("EVENT", event_ref)


def _repeatable(name: str, metavar: str, text: str) -> click.Option:
    """An option that may be given again: its values, in order, as a tuple."""
    return click.Option([name], multiple=True, metavar=metavar, help=text)


def _flag(name: str, text: str) -> click.Option:
    """An on/off option: off unless given."""
    return click.Option([name], is_flag=True, help=text)


def _instant(*names: str, text: str, metavar: str = "WHEN") -> click.Option:
    """An option read as a date or an ISO time (:func:`~timeline.cli._args.moment`)."""
    return click.Option(list(names), type=_WHEN, metavar=metavar, help=text)


def _source_and_target() -> list[click.Parameter]:
    """``SRC DST``: the log read and the log written (``copy``, ``salvage``)."""
    return [click.Argument(["source"], metavar="SRC"), click.Argument(["target"], metavar="DST")]


def _event() -> click.Argument:
    return click.Argument(["event"], type=_EVENT, metavar="EVENT")


def _zones() -> list[click.Parameter]:
    return [
        click.Option(
            ["--zone"],
            type=_ZONE,
            metavar="NAME",
            help="show times in this zone (Europe/Kyiv, UTC, +03:00), and read a date given to "
            f"--as-of or --known-at in it (default: each event's own zone; ${ZONE_ENV}, else "
            "UTC, for the dates)",
        ),
        _flag("--utc", "show times in UTC, and read those dates in UTC"),
    ]


def _times() -> list[click.Parameter]:
    return [
        _instant(
            "--as-of",
            text="valid time: only what had happened by then (a date means the END of that "
            f"day in --zone, else ${ZONE_ENV}, else UTC)",
        ),
        _instant(
            "--known-at",
            text="transaction time: only what the log had recorded by then (a date: the end "
            f"of that day in --zone, else ${ZONE_ENV}, else UTC)",
        ),
        *_zones(),
    ]


def _listing_format() -> click.Option:
    return click.Option(
        ["--format"],
        type=Choice(LISTING_FORMATS, _FORMAT_ALIASES),
        default="table",
        metavar="FORMAT",
        help="table (default; text is the same), json (one document), csv (columns as the "
        "pandas export's), jsonl (one JSON value a line)",
    )


def _text_or_json() -> click.Option:
    return click.Option(
        ["--format"], type=Choice(("text", "json")), default="text", help="default: text"
    )


def _log_commands(group: click.Group) -> None:
    add_command(
        group,
        "init",
        c.cmd_init,
        "create an empty log (a log that holds records is left alone)",
        "timeline init --log istanbul.db",
    )
    add_command(
        group,
        "append",
        c.cmd_append,
        "append events from JSON or JSONL (a file, or stdin), all or none; events already in "
        "the log are skipped",
        "timeline append events.jsonl --stream talks/istanbul --expected-version 0",
        """echo '{"type": "diplomacy.statement", "occurred_at": "2025-06-02T10:00:00Z",""",
        """      "speaker": "Hakan Fidan", "text": "Welcome."}' | timeline append --stream talks""",
        params=[
            click.Argument(["file"], required=False, default="-", metavar="FILE"),
            click.Option(
                ["--stream"], required=True, help="the stream to append to (talks/istanbul)"
            ),
            click.Option(
                ["--expected-version"],
                type=_N,
                metavar="N",
                help="append only if the stream is at version N (0: a new stream), as it "
                "stands before this append",
            ),
            _flag(
                "--allow-duplicates",
                "give an event without an event_id a new id, even when the log holds the "
                "same report (by default it gets a stable id and is skipped if already there)",
            ),
        ],
    )


def _reading_commands(group: click.Group) -> None:
    add_command(
        group,
        "list",
        r.cmd_list,
        "list the records, filtered, as a table, JSON or CSV",
        "timeline list --type DroneBarrage --from 2025-05-31 --to 2025-06-01",
        "timeline list --actor Russia --stream talks/istanbul --format jsonl",
        params=[
            click.Option(["--stream"], help="only this stream"),
            _repeatable(
                "--type",
                "TYPE",
                "only this event type: a tag or a class name (repeat, or separate with commas)",
            ),
            _repeatable(
                "--actor", "NAME", "only events naming this actor or party, any case (repeatable)"
            ),
            _instant(
                "--from",
                "start",
                text="only events that occurred at or after (a date: whose local date, in the "
                "event's own zone, is that day or later)",
            ),
            _instant(
                "--to",
                "end",
                text="only events that occurred at or before (a date: whose local date is that "
                "day or earlier)",
            ),
            click.Option(
                ["--after"], type=_N, default=0, metavar="POSITION", help="only later records"
            ),
            click.Option(["--limit"], type=_N, metavar="N", help="at most N records"),
            *_times(),
            _repeatable(
                "--search",
                "TEXT",
                "only events whose headline or any value holds TEXT, any case "
                "(repeat: all of them)",
            ),
            click.Option(
                ["--order"],
                type=Choice(("recorded", "occurred")),
                default="recorded",
                help="by position (default), or by when the events occurred",
            ),
            _listing_format(),
        ],
    )
    add_command(
        group,
        "show",
        r.cmd_show,
        "show one record in full, and its history",
        "timeline show 42",
        "timeline show 0197a0e4-6c1e-7d55-9a57-0f0c6e1d2b00 --format json",
        params=[_event(), _listing_format(), *_zones()],
    )
    add_command(
        group,
        "history",
        r.cmd_history,
        "show an event as first recorded, then each correction and retraction",
        "timeline history 42",
        params=[_event(), _listing_format(), *_zones()],
    )


def _analysis_commands(group: click.Group) -> None:
    add_command(
        group,
        "replay",
        r.cmd_replay,
        "replay a built-in projection, and summarise its state",
        "timeline replay Escalation --as-of 2025-06-01",
        "timeline replay negotiations --as-of 2025-06-01 --known-at 2025-06-02T08:00+03:00",
        params=[
            click.Argument(
                ["projection"],
                type=Reader("PROJECTION", projection_name, tuple(PROJECTIONS)),
                metavar="PROJECTION",
            ),
            *_times(),
            _listing_format(),
        ],
    )
    for name, handler, summary in (
        ("why", r.cmd_why, "what led to an event, through the causal links"),
        ("consequences", r.cmd_consequences, "what followed from an event, through the links"),
    ):
        add_command(
            group,
            name,
            handler,
            summary,
            f"timeline {name} 42 --known-at 2025-06-03",
            params=[_event(), *_times(), _listing_format()],
        )


def _io_commands(group: click.Group) -> None:
    add_command(
        group,
        "import",
        m.cmd_import,
        "import a data set: " + ", ".join(m.import_formats()) + " (FORMAT guessed from the "
        "file when left out); exit status 0, 3 (some rows refused), 4 (none imported)",
        "timeline import missile-attacks missile_attacks_daily_2025-05_2025-06.csv",
        "timeline import 20250601.export.CSV.zip --country UKR --country RUS --cameo-root 19",
        params=[
            click.Argument(["things"], nargs=-1, metavar="[FORMAT] FILE"),
            _flag("--strict", "refuse the whole file at the first row that cannot be imported"),
            click.Option(
                ["--stream"], help="the stream to import into (default: the format's name)"
            ),
            click.Option(
                ["--output"],
                type=Choice(("text", "json")),
                default="text",
                help="the report: counts and the first problems (text), or all of it (json)",
            ),
            click.Option(
                ["--zone"],
                metavar="NAME",
                help="the zone of the file's times that carry none (Europe/Kyiv, UTC, +03:00); "
                "default: the format's own ($TIMELINE_ZONE does not apply)",
            ),
            _repeatable(
                "--country",
                "CODE",
                "gdelt: keep rows where an actor's country is CODE (UKR; repeatable)",
            ),
            _flag("--dyad", "gdelt: both actors' countries among --country"),
            _repeatable(
                "--cameo-root", "ROOT", "gdelt: keep rows of this CAMEO root code (19; repeatable)"
            ),
            _instant("--from", "since", text="gdelt: the first day kept", metavar="DAY"),
            _instant("--to", "until", text="gdelt: the last day kept", metavar="DAY"),
        ],
    )
    add_command(
        group,
        "export",
        c.cmd_export,
        "export the log: "
        + ", ".join(EXPORT_FORMATS)
        + "; or its causal graph: "
        + ", ".join(v.GRAPH_FORMATS),
        "timeline export cloudevents events.json",
        "timeline export dot graph.dot --known-at 2025-06-03",
        "timeline export jsonl - | gzip > events.jsonl.gz",
        params=[
            click.Argument(
                ["format"], type=Choice((*EXPORT_FORMATS, *v.GRAPH_FORMATS)), metavar="FORMAT"
            ),
            click.Argument(["file"], required=False, default="-", metavar="FILE"),
            *_times(),
            _flag(
                "--keep-formulas",
                "csv and parquet: write texts starting with = + - @ as they are (by "
                "default they get a leading ' so that a spreadsheet shows them rather than "
                "runs them)",
            ),
        ],
    )


def _edit_commands(group: click.Group) -> None:
    stream = click.Option(
        ["--stream"], help="the stream to append to (default: the corrected event's own)"
    )
    add_command(
        group,
        "correct",
        v.cmd_correct,
        "correct fields of an event (appends a correction; the event stays as recorded)",
        'timeline correct 42 destroyed=211 --reason "revised report"',
        'timeline correct 0197a0e4 launched=479 claimed_by="Ukrainian Air Force" --reason ...',
        params=[
            _event(),
            click.Argument(["changes"], nargs=-1, required=True, metavar="FIELD=VALUE..."),
            click.Option(["--reason"], required=True, help="why: it is kept with the correction"),
            stream,
        ],
    )
    add_command(
        group,
        "retract",
        v.cmd_retract,
        "withdraw an event from later views (appends a retraction)",
        'timeline retract 42 --reason "duplicate of 41"',
        params=[
            _event(),
            click.Option(["--reason"], required=True, help="why: it is kept with the retraction"),
            stream,
        ],
    )


def _tables_option() -> click.Option:
    return click.Option(
        ["--tables"],
        metavar="DIR",
        help=f"the folder of the CAMEO tables (default: ${v.CAMEO_ENV})",
    )


def _extra_commands(group: click.Group) -> None:
    add_command(
        group,
        "codes",
        v.cmd_codes,
        "look up CAMEO codes and their Goldstein scores: by code, text or event type",
        "timeline codes 19 --tables data/cameo",
        "timeline codes ceasefire DroneBarrage --format csv",
        params=[
            click.Argument(["query"], nargs=-1, metavar="[QUERY]..."),
            _tables_option(),
            _listing_format(),
        ],
    )
    add_command(
        group,
        "plot",
        v.cmd_plot,
        "draw the log: timeline, intensity, nights or causal, into a .png, .svg or .pdf",
        "timeline plot nights nights.png --as-of 2025-06-10",
        "timeline plot causal links.svg --around 42",
        params=[
            click.Argument(["kind"], type=Choice(v.PLOTS), metavar="KIND"),
            click.Argument(["out"], metavar="OUT"),
            *_times(),
            click.Option(["--title"], help="the picture's title"),
            click.Option(
                ["--around"],
                type=_EVENT,
                metavar="EVENT",
                help="causal: only this event's causes and consequences",
            ),
            _flag(
                "--goldstein",
                "intensity: Goldstein scores (needs the CAMEO tables) instead of counts",
            ),
            _tables_option(),
        ],
    )


def _page_commands(group: click.Group) -> None:
    shown = [
        click.Option(["--title"], help="the page's title (default: the log's name)"),
        click.Option(
            ["--zone"],
            type=_ZONE,
            metavar="NAME",
            help="the zone the page opens in (Europe/Kyiv, UTC, +03:00; the reader can switch)",
        ),
    ]
    add_command(
        group,
        "page",
        pg.cmd_page,
        "write the log's interactive timeline page: one HTML file that opens from disk",
        "timeline page istanbul.html --title 'Istanbul, May-June 2025'",
        params=[click.Argument(["out"], metavar="OUT.html"), *shown],
    )
    add_command(
        group,
        "serve",
        pg.cmd_serve,
        "serve the log's page over HTTP, redrawn as the log grows (Ctrl-C stops)",
        "timeline serve newsroom.db --port 8080",
        params=[
            click.Argument(["target"], required=False, metavar="LOG"),
            click.Option(
                ["--host"],
                default="127.0.0.1",
                show_default=True,
                help="the address to listen on (beyond this machine only if told)",
            ),
            click.Option(
                ["--port"], type=_N, default=8000, show_default=True, help="0: any free port"
            ),
            _repeatable(
                "--allow-host", "NAME", "another name the Host header may give (repeatable)"
            ),
            *shown,
        ],
    )


def _key_file() -> click.Option:
    return click.Option(
        ["--key"],
        metavar="FILE",
        help="the signing key (PEM); default: default.pem in $TIMELINE_KEY_DIR, else "
        "~/.config/timeline/keys, made on first use",
    )


def _output(what: str) -> click.Option:
    return click.Option(
        ["-o", "--output"], metavar="FILE", help=f"write {what} there (default: stdout)"
    )


def _checkpoint_commands(group: click.Group) -> None:
    add_command(
        group,
        "checkpoint",
        i.cmd_checkpoint,
        "sign a checkpoint of the log (its size and Merkle root, now) and print it as JSON",
        "timeline checkpoint istanbul.db -o checkpoint-2025-06-02.json",
        "timeline checkpoint --key newsroom.pem",
        params=[
            click.Argument(["target"], required=False, metavar="LOG"),
            _output("the checkpoint"),
            _key_file(),
        ],
    )
    add_command(
        group,
        "prove",
        i.cmd_prove,
        "print the proof (JSON) that an event's record is in the log, for a checkpoint",
        "timeline prove 42 --size 1204",
        params=[
            _event(),
            click.Option(
                ["--size"],
                type=_N,
                metavar="N",
                help="the size of the checkpoint to prove it against (default: the whole log)",
            ),
            _output("the proof"),
        ],
    )
    add_command(
        group,
        "key",
        i.cmd_key,
        "export: print the signing key's public half (PEM), to publish with checkpoints",
        "timeline key export > newsroom-public.pem",
        params=[
            click.Argument(["action"], type=Choice(("export",)), metavar="export"),
            _key_file(),
        ],
    )


def _integrity_commands(group: click.Group) -> None:
    add_command(
        group,
        "verify",
        c.cmd_verify,
        "check the hash chain (and with --against, that the log extends a checkpoint); "
        "exit status 1 and the first bad position if not",
        "timeline verify --log istanbul.db",
        "timeline verify --against checkpoint-2025-06-02.json --public-key newsroom-public.pem",
        params=[
            click.Option(
                ["--against"],
                metavar="FILE",
                help="a checkpoint (JSON): its records must be the first of the log, unchanged",
            ),
            click.Option(
                ["--public-key"],
                metavar="FILE",
                help="the publisher's public key (PEM) to check the checkpoint's signature "
                "with (default: your own key, if it signed it)",
            ),
        ],
    )
    _checkpoint_commands(group)
    add_command(
        group,
        "copy",
        c.cmd_copy,
        "copy a log into an empty one of any backend, keeping positions and hashes",
        "timeline copy timeline.db archive.jsonl",
        params=[
            *_source_and_target(),
        ],
    )
    add_command(
        group,
        "salvage",
        c.cmd_salvage,
        "copy the intact prefix of a damaged log into a new one, and report what was left",
        "timeline salvage damaged.jsonl rescued.db --quarantine after-damage.jsonl",
        params=[
            *_source_and_target(),
            click.Option(
                ["--quarantine"],
                metavar="FILE",
                help="write the intact records after the damage to this new JSON-lines file",
            ),
            _text_or_json(),
        ],
    )


def _version() -> str:
    try:
        return importlib.metadata.version("conflict-timeline")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def build_command() -> click.Group:
    """The ``timeline`` command (a click group)."""
    group = Group(
        "timeline",
        help="Conflict-timeline event sourcing: an append-only, tamper-evident event log, "
        "replayed into projections and linked into a causal graph.",
        epilog=example(
            "timeline import missile-attacks missile_attacks_daily_2025-05_2025-06.csv",
            "timeline replay Escalation --as-of 2025-06-01",
        )
        + f"\n\nThe log is --log, else ${LOG_ENV}, else ./{DEFAULT_LOG}. "
        "'timeline COMMAND --help' explains a command.\n"
        'Shell completion: eval "$(_TIMELINE_COMPLETE=bash_source timeline)" (zsh_source, '
        "fish_source for those shells).",
        params=shared_options(),
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    click.version_option(
        _version(), "--version", prog_name="timeline", message="%(prog)s %(version)s"
    )(group)
    _log_commands(group)
    _io_commands(group)
    _reading_commands(group)
    _edit_commands(group)
    _analysis_commands(group)
    _extra_commands(group)
    _page_commands(group)
    _integrity_commands(group)
    return group
