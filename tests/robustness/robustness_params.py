"""The backends the robustness tests run on, as pytest parameters."""

import multiprocessing

import pytest

#: The persistent backends, each a pytest parameter (PostgreSQL marked ``postgres``).
PERSISTENT = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("jsonl", id="jsonl"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]

#: The same, and the in-memory reference.
ALL = [pytest.param("memory", id="memory"), *PERSISTENT]

#: The backends many processes can share: SQLite and PostgreSQL.
SHARED = [p for p in PERSISTENT if p.values[0] in {"sqlite", "postgres"}]

#: How the tests start other processes: forks of a server that has imported timeline once
#: (``"__main__"`` keeps each child from running pytest's script again).
CONTEXT = multiprocessing.get_context("forkserver")
CONTEXT.set_forkserver_preload(["__main__", "timeline"])
