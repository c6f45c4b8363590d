"""--help on every command, with an example; the ways to start the command."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = [
    "init",
    "append",
    "import",
    "export",
    "list",
    "show",
    "history",
    "replay",
    "why",
    "consequences",
    "verify",
    "copy",
    "salvage",
    "correct",
    "retract",
    "codes",
    "plot",
    "checkpoint",
    "prove",
    "key",
    "page",
    "serve",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(cli, command):
    done = cli.quick(command, "--help")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"usage: timeline {command} ")
    assert f"example:\n  timeline {command} " in done.stdout
    assert "--log URL" in done.stdout


def test_the_command_starts_as_a_module_a_script_and_a_package(cli):
    top = cli("--help")
    assert top.returncode == 0
    assert "example:\n  timeline import missile-attacks" in top.stdout
    assert all(f"\n  {c} " in top.stdout for c in COMMANDS)
    assert cli("--help", module="timeline.cli").stdout == top.stdout
    script = Path(sys.executable).with_name("timeline")
    version = subprocess.run(  # noqa: S603  # the console script installed with the package
        [script, "--version"], capture_output=True, text=True, check=False, cwd=cli.folder
    )
    assert (version.returncode, version.stderr) == (0, "")
    assert version.stdout == f"timeline {importlib.metadata.version('conflict-timeline')}\n"


def test_shell_completion_is_clicks_under_timeline_complete(cli):
    script = cli(env={"_TIMELINE_COMPLETE": "bash_source"})
    assert script.returncode == 0
    assert "_timeline_completion()" in script.stdout

    def complete(words, index):
        env = {"_TIMELINE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(index)}
        done = cli(env=env)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("timeline li", 1) == ["plain,list"]
    assert complete("timeline replay esc", 2) == ["plain,Escalation"]
    assert "plain,csv" in complete("timeline list --format ", 3)
