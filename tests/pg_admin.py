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


def login_role(url):
    """A new role with LOGIN only (no grants yet); give it back to :func:`drop_role`."""
    import uuid  # noqa: PLC0415  # kept beside its one use

    name = f"reader_{uuid.uuid4().hex[:12]}"
    sql(url, f"CREATE ROLE {name} LOGIN")
    return name


def drop_role(url, name):
    """Drop a role made by :func:`login_role`, with everything granted to it."""
    sql(url, f"DROP OWNED BY {name}")
    sql(url, f"DROP ROLE {name}")


def as_role(url, role):
    """The connection string ``url`` for ``role`` instead of its own user."""
    import psycopg  # noqa: PLC0415  # the postgres extra: the tests that call this skip without it

    return psycopg.conninfo.make_conninfo(url, user=role)
