"""Every listing command at a fixed width, in a real process: no line wider, no colour piped.

``COLUMNS=80`` and ``COLUMNS=120`` stand for the terminal; stdout is a pipe, so no colour
either way; on a pseudo-terminal colour shows, and ``NO_COLOR`` turns it off.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from cli.clitools import (
    BARRAGE_472,
    CORRECTION,
    EVENTS,
    LINK,
    REJECTION,
    SHARED,
    Cli,
    jsonl,
    on_a_terminal,
)

ESCAPE = re.compile(r"\x1b\[")
LONG = {  # a statement far wider than any terminal, and a speaker's long name
    "type": "diplomacy.statement",
    "event_id": "01970000-0000-7000-8000-00000000d001",
    "occurred_at": "2025-06-02T15:00:00Z",
    "speaker": "The Ministry of Foreign Affairs of a Party With a Very Long Official Name",
    "text": " ".join(["The delegation will return to Istanbul for another round of talks"] * 6),
}
LOSSES = [
    {
        "type": "military.loss_report",
        "occurred_at": f"2025-06-0{day}T07:00:00Z",
        "party": "Russia",
        "cumulative": True,
        "personnel": 990000 + day * 1000,
        "equipment": [
            {"item": "tanks", "count": 10900 + day},
            {"item": "aircraft", "count": 370 + day},
            {"item": "artillery systems", "count": 29000 + day},
        ],
    }
    for day in (2, 3)
]


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    run = Cli(tmp_path_factory.mktemp("wide"))
    events = [*EVENTS, LONG, *LOSSES]
    assert run.quick("append", "--stream", "record", input=jsonl(events)).returncode == 0
    assert run.quick("append", "--stream", "notes", input=jsonl([LINK, CORRECTION])).returncode == 0
    return run


COMMANDS = {
    "list": ("list",),
    "show": ("show", LONG["event_id"]),
    "history": ("history", BARRAGE_472),
    "replay": ("replay", "Escalation"),
    "replay-claims": ("replay", "Claims"),
    "why": ("why", BARRAGE_472),
    "consequences": ("consequences", REJECTION),
    "codes": ("codes", "19"),
}


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("name", COMMANDS)
def test_no_line_is_wider_than_the_terminal(wide, name, columns):
    env = {"COLUMNS": str(columns), "TIMELINE_CAMEO": str(SHARED / "cameo")}
    done = wide(*COMMANDS[name], env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) > 1
    too_wide = [line for line in lines if len(line) > columns]
    assert not too_wide, "\n".join(too_wide)
    assert not ESCAPE.search(done.stdout)  # piped: no colour
    assert all(line == line.rstrip() for line in lines)


def test_a_long_cell_is_wrapped_not_lost(wide):
    done = wide.quick("list", env={"COLUMNS": "80"})
    text = " ".join(done.stdout.split())
    assert "The delegation will return to Istanbul" in text
    assert sum("Istanbul" in line for line in done.stdout.splitlines()) > 1  # over many lines


def drawn(cli, *args, **env):
    """What the command writes to stdout when it is a (pseudo-)terminal 100 columns wide."""
    environment = {k: v for k, v in cli.env.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    environment.update({"TERM": "xterm-256color", "COLUMNS": "100", **env})
    done, text = on_a_terminal(
        lambda terminal: subprocess.run(  # noqa: S603  # our own interpreter and module
            [sys.executable, "-m", "timeline", *args],
            stdout=terminal,
            stderr=subprocess.PIPE,
            cwd=cli.folder,
            env=environment,
            timeout=120,
            check=False,
        )
    )
    assert done.returncode == 0, done.stderr
    return text


@pytest.mark.parametrize("args", [("list",), ("why", BARRAGE_472)])
def test_colour_on_a_terminal_and_none_with_no_color(wide, args):
    assert ESCAPE.search(drawn(wide, *args))
    plain = drawn(wide, *args, NO_COLOR="1")
    assert not ESCAPE.search(plain)
    assert max(len(line) for line in plain.splitlines()) <= 100


@pytest.mark.parametrize("columns", ["60", "80"])
def test_a_type_too_long_for_its_column_keeps_its_end(wide, columns):
    done = wide.quick("list", "--limit", "2", env={"COLUMNS": columns})
    header, *lines = done.stdout.splitlines()
    start, end = header.index("type"), header.index("headline")
    types = [line[start:end].strip() for line in lines if line[:8].strip()]
    assert len(types) == 2
    assert types[0].startswith("…")  # cut at its start: diplomacy. goes first
    assert types[0].endswith("emanded")
    assert types[1].endswith("ejected")  # told apart however narrow
