"""Passwords out of every message: the one place that hides the secrets of a connection string.

A log is named by a URL or a libpq key-value string, and either may carry a password:
``postgresql://analyst:S3cret@db/newsroom``, ``postgres://...?password=S3cret``,
``host=db password=S3cret dbname=newsroom``. Whatever names a log is shown in messages (an
error, the command line's output, a ``repr``), and a driver's own messages may echo parts of
it (libpq quotes the token it could not parse). So everything that shows a log's name, or a
message about it, passes through here:

- :func:`redact_url` shows a URL or key-value string with each password replaced by
  ``***``;
- :func:`redact` hides, in any text, every form of the passwords of the given connection
  strings (as written, percent-decoded, unquoted), and any ``user:password@`` or
  ``password=`` it finds even without knowing the string;
- :func:`redact_driver_message` also hides the quoted fragments of a connection string that
  a parser's message repeats, since a malformed string has no password field to find.

A password is hidden wherever it appears in the text, even inside other words: for a
short or common password that over-hides, which is the side to err on.

>>> redact_url("postgresql://analyst:S3cret@db.example/newsroom")
'postgresql://analyst:***@db.example/newsroom'
>>> redact_url("host=db password=S3cret dbname=newsroom")
'host=db password=*** dbname=newsroom'
>>> redact("cannot parse 'postgresql://u:%zzS3cret@h/db'", "postgresql://u:%zzS3cret@h/db")
"cannot parse 'postgresql://u:***@h/db'"
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Final

__all__ = ["MASK", "connection_secrets", "redact", "redact_driver_message", "redact_url"]

#: What a hidden password is shown as.
MASK: Final = "***"

#: ``scheme://user:password@``: the password runs to the last ``@`` before a blank (libpq
#: and :mod:`urllib.parse` disagree on where it ends when it holds ``@`` or ``/``; the
#: widest reading hides both).
_USERINFO: Final = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@]*):(?P<secret>\S*)@"
)
#: ``password=`` (``sslpassword=``, ...) in a query string or a key-value string: a quoted
#: value (with backslash escapes) or one running to a blank, a quote, or the ``&`` of the
#: next ``key=`` parameter.
_KEYED: Final = re.compile(
    r"(?P<head>\b\w*password\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'?|(?:[^\s&'\"]|&(?!\w+=))*)",
    re.IGNORECASE,
)
#: In a URL, a password's widest reading: to the next ``&key=`` or blank, quotes and all.
_URL_VALUE: Final = re.compile(r"(?:[^\s&]|&(?!\w+=))*")
#: A libpq key-value string: it begins with a keyword and "=".
_KEY_VALUE: Final = re.compile(r"\s*[A-Za-z_]+\s*=")
#: In a key-value string, a ``key=value`` pair (its key in group ``key``), or a stray word.
_PAIR_OR_STRAY: Final = re.compile(r"(?P<key>\w+)\s*=\s*(?:'(?:[^'\\]|\\.)*'?|[^\s']*)|\S+")
#: The shortest piece of a password split by an unescaped "@" or "/" that is hidden alone
#: (shorter ones would hide letters all over a message).
_PIECE: Final = 4
#: A double-quoted fragment of a message (how libpq quotes the token it refuses).
_QUOTED: Final = re.compile(r'"([^"]*)"')
#: Words libpq names in its messages that are no secret (a keyword it did not expect, ...).
_KEYWORDS: Final = frozenset(
    [
        "host",
        "hostaddr",
        "port",
        "dbname",
        "user",
        "password",
        "passfile",
        "channel_binding",
        "connect_timeout",
        "client_encoding",
        "options",
        "application_name",
        "fallback_application_name",
        "keepalives",
        "keepalives_idle",
        "keepalives_interval",
        "keepalives_count",
        "tcp_user_timeout",
        "replication",
        "gssencmode",
        "sslmode",
        "requiressl",
        "sslcompression",
        "sslcert",
        "sslkey",
        "sslpassword",
        "sslrootcert",
        "sslcrl",
        "sslcrldir",
        "sslsni",
        "requirepeer",
        "ssl_min_protocol_version",
        "ssl_max_protocol_version",
        "krbsrvname",
        "gsslib",
        "service",
        "target_session_attrs",
        "load_balance_hosts",
        "postgresql",
        "postgres",
        "=",
        "?",
        "&",
        "@",
        ":",
        "/",
    ]
)


def connection_secrets(url: str) -> frozenset[str]:
    """Every form of every password in a connection string, longest first when sorted.

    The text of each password as written, percent-decoded, and (in a key-value string)
    with its quotes and escapes removed; for a ``user:password@`` part, under each reading
    of where it ends. Empty passwords are left out.

    >>> sorted(connection_secrets("postgresql://u:S%33cret@h/db?sslpassword=k3y"))
    ['S%33cret', 'S3cret', 'k3y']
    """
    found: set[str] = set()
    for match in _USERINFO.finditer(url):
        secret = match["secret"]
        # The widest reading (to the last "@"), and its pieces between "@" and "/", which
        # libpq reads as the password, host or port of a URL that did not escape them.
        found.add(secret)
        found.update(p for p in re.split(r"[@/]", secret) if len(p) >= _PIECE)
    keyed = bool(_KEY_VALUE.match(url))  # a URL begins with its scheme, never with "key="
    if keyed:  # words that are no key=value pair of libpq's: it refuses them, quoting them
        found.update(
            m[0]
            for m in _PAIR_OR_STRAY.finditer(url)
            if m["key"] not in _KEYWORDS and m[0] not in _KEYWORDS
        )
    for match in _KEYED.finditer(url):
        secret = match["secret"]
        found.add(secret)
        closed = len(secret) > 1 and secret[0] == secret[-1] == "'"
        if secret.startswith("'"):
            inner = secret[1:-1] if closed else secret[1:]
            found.update((inner, re.sub(r"\\(.)", r"\1", inner)))
        if closed:
            continue
        # Unquoted, or a quote never closed (or a URL, where quotes mean nothing): the value
        # as written may be the whole password.
        if keyed:
            found.update(url[match.start("secret") :].split(maxsplit=1)[:1])
        elif widest := _URL_VALUE.match(url, match.start("secret")):
            found.add(widest[0])
    decoded = {urllib.parse.unquote(s) for s in found} | {
        urllib.parse.unquote_plus(s) for s in found
    }
    return frozenset(s for s in found | decoded if s)


def _mask_patterns(text: str) -> str:
    """``user:password@`` and ``password=`` values hidden, wherever they are in ``text``."""
    text = _USERINFO.sub(lambda m: f"{m['head']}:{MASK}@" if m["secret"] else m[0], text)
    return _KEYED.sub(lambda m: f"{m['head']}{MASK}" if m["secret"] else m[0], text)


def redact(text: str, *urls: str) -> str:
    """``text`` with the passwords of ``urls`` hidden, and any other it can recognise.

    Args:
        text: a message, a URL, a line of output.
        urls: the connection strings the text may repeat parts of.

    >>> redact("no log at mysql://u:S3cret@h/db (S3cret)", "mysql://u:S3cret@h/db")
    'no log at mysql://u:***@h/db (***)'
    """
    for secret in sorted({s for url in urls for s in connection_secrets(url)}, key=len)[::-1]:
        text = text.replace(secret, MASK)
    return _mask_patterns(text)


def redact_url(url: str) -> str:
    """A connection string as it may be shown: each password replaced by ``***``.

    In a key-value string, a word that is no ``key=value`` pair is hidden too (libpq would
    refuse it; it may be a password whose key went missing). Anything that is not a
    connection string (a file name, ``memory:``) comes back as it is.

    >>> redact_url("postgres://u@h/db?password=S3cret&sslmode=require")
    'postgres://u@h/db?password=***&sslmode=require'
    >>> redact_url("war.db")
    'war.db'
    """
    return redact(url, url)


def redact_driver_message(message: str, url: str) -> str:
    """A parser's message about ``url``, with the passwords and the quoted tokens hidden.

    A malformed string has no password field to find (``host=h S3cret``), and libpq's
    message quotes the token it refused: every double-quoted fragment that comes from
    ``url`` is hidden, unless it is one of libpq's own keywords.

    >>> redact_driver_message('missing "=" after "S3cret" in connection info string', "host=h S3cret")
    'missing "=" after "***" in connection info string'
    """

    def hide(match: re.Match[str]) -> str:
        token = match[1]
        if token in _KEYWORDS or len(token) < 2 or token not in url:  # noqa: PLR2004  # a single character is no secret
            return match[0]
        return f'"{MASK}"'

    return _QUOTED.sub(hide, redact(message, url))
