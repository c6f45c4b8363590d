r"""Texts a spreadsheet would run as formulas, neutralised: one cell, or a whole column.

Private to :mod:`timeline.io`; :mod:`timeline.io.pandas` gives :func:`neutralise` and
:data:`FORMULA_PREFIXES` to the public.

:func:`neutralise` is the rule, one cell at a time. A file export would apply it to every
cell of every text column, and nearly every column holds no formula at all: so
:func:`neutralise_column` first asks whether a column may hold one, in a single pass in C
(the column written as JSON by orjson, searched for a string that opens with a formula
prefix), and applies the rule cell by cell only to a column where one may be. The answer
errs one way only: a string that opens with a prefix always opens ``"`` plus that prefix in
JSON (a tab as ``\t``, a carriage return as ``\r``), so no formula is missed; a key or an
escaped quote may raise a false alarm, which only costs the walk. A column orjson cannot
write is walked.
"""

from __future__ import annotations

import re
from typing import Any, Final

import orjson

__all__ = ["FORMULA_PREFIXES", "neutralise", "neutralise_column"]

#: What a text cell starts with for a spreadsheet to run it as a formula (OWASP's list).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")
#: A JSON string that opens with one of :data:`FORMULA_PREFIXES` (``\t`` and ``\r`` escaped).
_FORMULA_IN_JSON: Final = re.compile(rb'"(?:[=+\-@]|\\[tr])')


def neutralise(value: Any) -> Any:
    """A cell's value with every text that a spreadsheet would run as a formula prefixed ``'``.

    Texts inside lists and mappings (not their keys) are treated alike; anything else is
    returned as it is.

    >>> neutralise("=cmd|' /C calc'!A0"), neutralise("-3"), neutralise(-3), neutralise("Kyiv")
    ("'=cmd|' /C calc'!A0", "'-3", -3, 'Kyiv')
    >>> neutralise(["@x", "y"]), neutralise({"name": "+1"})
    (["'@x", 'y'], {'name': "'+1"})
    """
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if isinstance(value, list):
        return [neutralise(v) for v in value]
    if isinstance(value, dict):
        return {k: neutralise(v) for k, v in value.items()}
    return value


def _may_hold_formula(values: list[Any]) -> bool:
    """Whether any text in ``values`` (at any depth) may start with a formula prefix."""
    try:
        written = orjson.dumps(values)
    except orjson.JSONEncodeError:  # a value JSON cannot hold: let the rule look at each
        return True
    return _FORMULA_IN_JSON.search(written) is not None


def neutralise_column(values: list[Any]) -> list[Any]:
    """``[neutralise(v) for v in values]``, and ``values`` itself where no text needs it.

    >>> neutralise_column(["Kyiv", "=1+1", None, -3])
    ['Kyiv', "'=1+1", None, -3]
    >>> plain = ["Kyiv", None, -3]
    >>> neutralise_column(plain) is plain
    True
    """
    if not _may_hold_formula(values):
        return values
    return [neutralise(v) for v in values]
