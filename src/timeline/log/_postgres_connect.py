"""How a PostgreSQL log reaches its driver and names its server, never showing a password."""

from __future__ import annotations

import hashlib
import urllib.parse
from types import ModuleType
from typing import Final

from timeline.errors import InvalidArgument, MissingExtra
from timeline.redaction import redact, redact_driver_message

__all__ = ["channel_name", "described", "driver", "schema_url"]

_CHANNEL_BYTES: Final = 63  # PostgreSQL truncates longer identifiers


def driver() -> ModuleType:
    """psycopg, imported on first use (it is the optional ``postgres`` extra)."""
    try:
        import psycopg  # noqa: PLC0415  # optional dependency, imported when a log is opened
    except ImportError as e:
        raise MissingExtra(
            "PostgresLog needs psycopg 3: pip install 'conflict-timeline[postgres]'",
            extra="postgres",
            package="psycopg",
        ) from e
    return psycopg


def described(pg: ModuleType, url: str) -> tuple[str, bool]:
    """The server and database of a URL for messages (never its password), and its own name.

    The second value says whether the URL names the application (``application_name``).

    Raises:
        InvalidArgument: for a string libpq cannot read; neither the string nor libpq's
            message is shown as it is (the token refused may be the password).
    """
    try:
        params = pg.conninfo.conninfo_to_dict(url)
    except (pg.ProgrammingError, ValueError) as e:  # ValueError: not UTF-8 once decoded
        # Not chained: a string libpq cannot read has no password field to hide.
        raise InvalidArgument(
            "not a PostgreSQL connection URL or key-value string (not shown: it may hold "
            f"a password): {redact_driver_message(str(e), url)}",
            argument="url",
            value="<not shown>",
        ) from None
    user = f"{params['user']}@" if params.get("user") else ""
    port = f":{params['port']}" if params.get("port") else ""
    shown = f"postgresql://{user}{params.get('host', '')}{port}/{params.get('dbname', '')}"
    # libpq reads a URL with an unescaped "/" or "@" in its password otherwise than the
    # user meant: part of the password may land in the host, port or database.
    return redact(shown, url), bool(params.get("application_name"))


def schema_url(url: str, schema: str) -> str:
    """``url`` with libpq's ``options`` set so that the log lives in ``schema``.

    One database can hold many logs, one per schema (the schema must exist):

    >>> schema_url("postgresql://analyst@db.example/newsroom", "war")
    'postgresql://analyst@db.example/newsroom?options=-csearch_path%3Dwar'
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query)
    query.append(("options", f"-csearch_path={schema}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def channel_name(schema: str) -> str:
    """The ``LISTEN``/``NOTIFY`` channel of the log in ``schema``.

    ``timeline:`` and the schema's name, or (for a name too long for a channel) a digest of
    it, so that every schema's log has a channel of its own.

    >>> channel_name("newsroom")
    'timeline:newsroom'
    """
    name = f"timeline:{schema}"
    if len(name.encode()) <= _CHANNEL_BYTES:
        return name
    return "timeline:" + hashlib.sha256(schema.encode()).hexdigest()[:48]
