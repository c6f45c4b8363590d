"""Fixtures for the command's tests (the helpers are in ``clitools``)."""

from __future__ import annotations

import pytest

from cli.clitools import EVENTS, Cli, jsonl


@pytest.fixture
def cli(tmp_path) -> Cli:
    return Cli(tmp_path)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """A folder whose ``timeline.db`` holds :data:`EVENTS` in stream ``record``."""
    folder = tmp_path_factory.mktemp("recorded")
    run = Cli(folder)
    done = run.quick("append", "--stream", "record", input=jsonl(EVENTS))
    assert done.returncode == 0, done.stderr
    return run
