"""The file exports' formula neutralisation, a column at a time, agrees with the rule per cell.

``neutralise_column`` skips a column after one search of its JSON text; these properties hold
it to ``neutralise`` applied to every cell, for texts made of the prefixes and of what JSON
escapes (quotes, backslashes, control characters), in lists and mappings, beside numbers,
dates and values JSON cannot hold.
"""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from timeline.io._formulas import FORMULA_PREFIXES, neutralise, neutralise_column

#: Texts of the prefixes, what JSON escapes, and a lone surrogate (which orjson refuses).
texts = st.text(
    alphabet=st.sampled_from([*FORMULA_PREFIXES, '"', "\\", "\n", "\x00", "a", "é", "\ud800"])
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits, JSON (orjson) cannot hold it
    | st.floats()
    | st.dates()
    | texts
)
cells = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(texts, inner, max_size=4)
        | st.dictionaries(st.integers(), inner, min_size=1, max_size=2)  # keys JSON refuses
    ),
    max_leaves=10,
)


@given(st.lists(cells, max_size=8))
def test_a_column_is_neutralised_as_each_of_its_cells(column):
    assert neutralise_column(column) == [neutralise(v) for v in column]


plain_texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="=+-@\t\r")
)


@given(st.lists(st.none() | st.integers(-(2**63), 2**63 - 1) | plain_texts, max_size=8))
def test_a_column_without_a_formula_is_kept_as_it_is(column):
    assert neutralise_column(column) is column


def test_a_formula_deep_in_a_column_is_found():
    column = ["Kyiv", None, 3, [{"name": "x", "url": "\t=evil"}], dt.date(2025, 6, 1)]
    assert neutralise_column(column)[3] == [{"name": "x", "url": "'\t=evil"}]
