"""Shared test settings and fixtures.

The Hypothesis profiles: ``dev`` (the default) is quick; ``ci`` tries more examples and
prints the blob to reproduce a failure. Choose with ``HYPOTHESIS_PROFILE=ci``.

The Istanbul example (``examples/istanbul_2025.py``) is loaded once, as ``example``, and its
facts in valid-time order as ``seed_events``.

PostgreSQL: ``pg_url`` is the URL of a fresh, empty log in a schema of its own (dropped after
the test), openable with ``timeline.open_log`` in this or any other process. Without
``TIMELINE_PG_URL`` the test skips, saying so; with ``TIMELINE_PG_REQUIRED=1`` (set by
``.ci/run``) it fails instead, so CI cannot pass by skipping.
"""

import functools
import importlib.util
import os
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import settings

from timeline.log.postgres import schema_url
from timeline.projections import META_TYPES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "istanbul_2025.py"

pytest_plugins = ["pytester"]

settings.register_profile("dev", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True)
settings.load_profile(os.getenv("HYPOTHESIS_PROFILE", "dev"))


@functools.cache
def load_example():
    """The example, imported from its file (it is a script, not a package module)."""
    spec = importlib.util.spec_from_file_location("istanbul_2025", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["istanbul_2025"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def example():
    return load_example()


@pytest.fixture(scope="session")
def seed_events(example):
    """The example's facts as a projection sees them: no causal links or other meta events,
    in valid-time order (ties keep their order)."""
    events = [event for facts in example.STREAMS.values() for event in facts()]
    facts = [e for e in events if e.TYPE not in META_TYPES and e.TYPE != "meta.causal_link"]
    return sorted(facts, key=lambda e: e.occurred_at)


def _postgres_base_url():
    url = os.getenv("TIMELINE_PG_URL")
    if not url:
        reason = "needs a PostgreSQL server: set TIMELINE_PG_URL (see .ci/postgres.sh)"
        if os.getenv("TIMELINE_PG_REQUIRED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return url


@pytest.fixture
def pg_url():
    """The URL of a fresh, empty PostgreSQL log of the test's own."""
    base = _postgres_base_url()
    psycopg = pytest.importorskip("psycopg")
    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    yield schema_url(base, schema)
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
