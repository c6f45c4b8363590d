"""Statements run on the test server outside any log, to inspect (or damage) what one stored.

Shared by the PostgreSQL tests, imported by name (``from pg_admin import sql``): ``tests/``
is on the path as the folder of the root ``conftest.py``.
"""


def sql(url, query, *params):
    """Run one statement in autocommit mode; its rows, or ``None`` for one that returns none."""
    import psycopg  # noqa: PLC0415  # the postgres extra: the tests that call this skip without it

    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return cursor.fetchall() if cursor.description else None
