"""Helpers for the command's tests: run ``timeline`` as users do, and a small record.

Run the ``timeline`` command as users do: in a subprocess, in a temporary folder.

``cli(*args, input=..., env=...)`` runs ``python -m timeline ARGS`` with stdout and stderr
piped (so never on a terminal: no progress bar, no terminal width) and returns the finished
process. ``$TIMELINE_LOG`` is cleared, so the default log is ``timeline.db`` in the folder.

Starting Python and importing timeline costs about 0.3 s, so the many variations of one
command (every filter of ``list``, every kind of bad input) run through
``cli.quick(...)``: the same entry point, ``timeline.cli.main``, called in this process with
the same folder, environment, stdin, stdout and stderr, returning the same kind of result.
Every command, and every kind of error, also runs at least once in a real subprocess.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import timeline as tl
from timeline.cli import main

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"  # beside the repository
MISSILE_ATTACKS = SHARED / "missile-attacks" / "missile_attacks_daily_2025-05_2025-06.csv"

# Fixed ids, so tests can name events.
BARRAGE_472 = "01970000-0000-7000-8000-000000000472"
BARRAGE_479 = "01970000-0000-7000-8000-000000000479"
AGREEMENT = "01970000-0000-7000-8000-00000000a001"
REJECTION = "01970000-0000-7000-8000-00000000c002"

AIR_FORCE = "Ukrainian Air Force"

#: A small record of late May and early June 2025, one event per line (the codec's form;
#: "version" and most "event_id"s left out on purpose).
EVENTS = [
    {
        "type": "diplomacy.ceasefire_demanded",
        "occurred_at": "2025-05-10T12:00:00Z",
        "party": "Ukraine",
        "addressed_to": "Russia",
        "backed_by": ["European allies"],
    },
    {
        "type": "diplomacy.ceasefire_rejected",
        "event_id": REJECTION,
        "occurred_at": "2025-05-11T09:00:00Z",
        "party": "Russia",
    },
    {
        "type": "humanitarian.prisoner_exchange_agreed",
        "event_id": AGREEMENT,
        "occurred_at": "2025-05-16T12:00:00Z",
        "released": [{"party": "Ukraine", "count": 1000}, {"party": "Russia", "count": 1000}],
    },
    {
        "type": "humanitarian.prisoner_exchange_carried_out",
        "occurred_at": "2025-05-23T12:00:00Z",
        "agreement": AGREEMENT,
        "stage": 1,
        "stages_total": 3,
        "released": [{"party": "Ukraine", "count": 390}, {"party": "Russia", "count": 390}],
    },
    {
        "type": "diplomacy.memorandum_promised",
        "occurred_at": "2025-05-19T15:00:00Z",
        "party": "Russia",
        "subject": "a peace framework",
    },
    {
        "type": "military.drone_barrage",
        "event_id": BARRAGE_472,
        "occurred_at": "2025-05-31T16:30:00Z",
        "occurred_until": "2025-06-01T10:30:00Z",
        "time_precision": "minute",
        "attacker": "Russia",
        "target": "Ukraine",
        "weapon": "Shahed-136/131",
        "launched": 472,
        "destroyed": 210,
        "lost": 172,
        "claimed_by": AIR_FORCE,
        "sources": [{"name": AIR_FORCE, "reliability": "B", "credibility": 2}],
    },
    {
        "type": "military.drone_barrage",
        "occurred_at": "2025-05-31T17:00:00Z",
        "occurred_until": "2025-06-01T04:00:00Z",
        "attacker": "Ukraine",
        "target": "Russia",
        "weapon": "UAV",
        "destroyed": 162,
        "claimed_by": "Russian ministry of defence",
    },
    {
        "type": "military.drone_barrage",
        "occurred_at": "2025-05-31T17:00:00Z",
        "occurred_until": "2025-06-01T04:00:00Z",
        "attacker": "Ukraine",
        "target": "Russia",
        "weapon": "UAV",
        "destroyed": 150,
        "sources": [{"name": "Reuters", "reliability": "B", "credibility": 2}],
    },
    {
        "type": "diplomacy.talk_round_held",
        "occurred_at": "2025-06-01T21:00:00Z",
        "time_precision": "day",
        "parties": ["Ukraine", "Russia"],
        "venue": "Ciragan Palace",
        "city": "Istanbul",
        "host": "Türkiye",
        "mediator": "Hakan Fidan",
    },
    {
        "type": "diplomacy.delegation_announced",
        "occurred_at": "2025-06-01T21:00:00Z",
        "time_precision": "day",
        "party": "Ukraine",
        "head": "Rustem Umerov",
        "head_title": "Defense Minister",
    },
    {
        "type": "diplomacy.delegation_announced",
        "occurred_at": "2025-06-01T21:00:00Z",
        "time_precision": "day",
        "party": "Russia",
        "head": "Vladimir Medinsky",
        "composition_known": False,
    },
    {
        "type": "diplomacy.proposal_tabled",
        "occurred_at": "2025-06-02T10:00:00Z",
        "party": "Ukraine",
        "title": "roadmap",
        "terms": ["no recognition of occupied territories"],
    },
    {
        "type": "military.drone_barrage",
        "event_id": BARRAGE_479,
        "occurred_at": "2025-06-08T17:00:00Z",
        "occurred_until": "2025-06-09T07:30:00Z",
        "attacker": "Russia",
        "target": "Ukraine",
        "weapon": "Shahed-136/131",
        "launched": 479,
        "destroyed": 277,
        "claimed_by": AIR_FORCE,
    },
]

#: An analyst's causal link: the rejection of the ceasefire prompted the barrage of 472.
LINK = {
    "type": "meta.causal_link",
    "occurred_at": "2025-06-03T09:00:00Z",
    "cause": REJECTION,
    "effect": BARRAGE_472,
    "relation": "prompted",
    "confidence": 0.6,
    "asserted_by": "analyst",
}
#: A correction of the barrage of 472: 211 destroyed, not 210.
CORRECTION = {
    "type": "meta.correction",
    "occurred_at": "2025-06-02T09:00:00Z",
    "corrects": BARRAGE_472,
    "changes": {"destroyed": 211},
    "reason": "revised report",
}


def jsonl(events) -> str:
    return "".join(json.dumps(e) + "\n" for e in events)


def records_of(path) -> list[tl.Recorded]:
    """Every record of the log at ``path``, read with the library."""
    with tl.open_log(path) as log:
        return list(log.read())


def on_a_terminal(
    run: Callable[[int], subprocess.CompletedProcess[str]],
) -> tuple[subprocess.CompletedProcess[str], str]:
    """``run(fd)`` with a pseudo-terminal's end as ``fd``; its result and what it wrote there.

    The terminal is read to the end once ``run`` returns (its writer closed).
    """
    leader, follower = os.openpty()
    try:
        done = run(follower)
        os.close(follower)
        follower = -1
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    return done, drawn.decode()


class Cli:
    """Runs ``python -m timeline`` in one folder (or ``main`` in-process, with ``quick``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if k != "TIMELINE_LOG"}

    def quick(self, *args, input=None, env=None):  # noqa: A002  # as subprocess calls it
        """``main(args)`` in this process, as the command would run; a CompletedProcess."""
        stdout, stderr = io.StringIO(), io.StringIO()
        with (
            pytest.MonkeyPatch.context() as patch,
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            patch.chdir(self.folder)
            patch.delenv("TIMELINE_LOG", raising=False)
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(input or ""))
            try:
                status = main([str(a) for a in args])
            except SystemExit as e:  # argparse: --help, usage errors
                status = e.code if isinstance(e.code, int) else 1
        return subprocess.CompletedProcess(args, status, stdout.getvalue(), stderr.getvalue())

    def __call__(self, *args, input=None, env=None, module="timeline", stderr=None):  # noqa: A002  # as subprocess calls it
        return subprocess.run(  # noqa: S603  # our own interpreter and module
            [sys.executable, "-m", module, *map(str, args)],
            input=input,
            capture_output=stderr is None,
            stdout=subprocess.PIPE if stderr is not None else None,
            stderr=stderr,
            text=True,
            cwd=self.folder,
            env={**self.env, **(env or {})},
            timeout=120,
            check=False,
        )
