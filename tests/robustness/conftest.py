"""Fixtures for the robustness tests: one log URL per backend.

``url_for(kind)`` gives the URL of a fresh, empty log of that backend: a SQLite file,
a JSON-lines file, or (``postgres``, marked so) a schema of its own on the server named by
``TIMELINE_PG_URL`` (through the ``pg_url`` fixture of ``tests/conftest.py``).
"""

import pytest


@pytest.fixture
def url_for(request, tmp_path):
    """A function: the URL of a fresh, empty log of a backend (``sqlite``, ``jsonl``, ...)."""

    def make(kind, name="log"):
        if kind == "memory":
            return "memory:"
        if kind == "sqlite":
            return str(tmp_path / f"{name}.db")
        if kind == "jsonl":
            return str(tmp_path / f"{name}.jsonl")
        if kind == "postgres":
            return request.getfixturevalue("pg_url")
        raise AssertionError(kind)

    return make
