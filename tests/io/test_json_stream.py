"""JSON files are read a piece at a time: the losses and CloudEvents importers stream.

Before, the whole file was parsed at once (200 MB of JSON took 1.34 GB), and an empty file
was a row problem rather than the documented ``InvalidData``.
"""

import datetime as dt
import json
import tracemalloc

import orjson
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import timeline as tl
from timeline.io._json_stream import json_elements
from timeline.io.report import Issue

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.lists(json_values, max_size=8),
    pad=st.integers(0, 70_000),
    space=st.sampled_from(["", " ", "\n  "]),
)
def test_the_elements_are_those_of_the_whole_array(tmp_path_factory, values, pad, space):
    """Whatever falls on the boundary of a slice read (a padding string moves it)."""
    path = tmp_path_factory.mktemp("json") / "a.json"
    array = ["x" * pad, *values]
    path.write_text("[" + space + ("," + space).join(json.dumps(v) for v in array) + space + "]")
    assert [v for _, v in json_elements(str(path))] == orjson.loads(path.read_bytes())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[{"a": 1}, {"a": 2', "element 2 is cut short"),
        ('[{"a": 1}, {"a": NaN}]', "element 2 is not JSON"),
        ('[{"a": 1}, "\\ud800"]', "element 2 is not JSON"),
        ('[{"a": 1} {"a": 2}]', "expected ',' or ']'"),
        ("[" * 100_000, "element 1 is"),
        ("7", "not a JSON array"),
    ],
)
def test_a_damaged_element_is_an_issue_and_ends_the_reading(tmp_path, text, reason):
    path = tmp_path / "a.json"
    path.write_text(text)
    found = list(json_elements(str(path)))
    assert isinstance(found[-1][1], Issue)
    assert reason in found[-1][1].reason
    assert all(not isinstance(v, Issue) for _, v in found[:-1])


@pytest.mark.parametrize("text", ["", "  \n\t", "\ufeff"])
@pytest.mark.parametrize("format_", ["ru-losses", "cloudevents"])
def test_an_empty_file_is_invalid_data(memlog, tmp_path, text, format_):
    path = tmp_path / "russia_losses_equipment.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(tl.InvalidData, match="the file is empty") as caught:
        tl.io.import_file(memlog, format_, path)
    assert caught.value.row is None
    assert len(memlog) == 0


def test_an_empty_array_is_no_rows(memlog, tmp_path):
    path = tmp_path / "russia_losses_equipment.json"
    path.write_text("[]")
    report = tl.io.import_file(memlog, "ru-losses", path)
    assert (report.rows, report.added, report.problems) == (0, 0, ())


def _equipment_file(path, days):
    start = pendulum.date(1900, 1, 1)
    with path.open("w") as f:
        f.write("[\n")
        for i in range(days):
            record = {
                "date": (start + dt.timedelta(days=i)).isoformat(),
                "day": i + 2,
                "aircraft": i,
                "helicopter": i,
                "tank": i * 3,
                "APC": i * 5,
                "field artillery": i * 2,
                "drone": i * 7,
                "greatest losses direction": "Pokrovsk",
            }
            f.write(("," if i else "") + json.dumps(record) + "\n")
        f.write("]\n")
    return path.stat().st_size


def _peak_reading(path):
    """Peak memory of reading a losses file through the importer's row source."""
    from timeline.io.ru_losses import _CurrentFiles  # noqa: PLC0415  # the part measured

    tracemalloc.start()
    try:
        source = _CurrentFiles(str(path), None, "Europe/Kyiv")
        rows = sum(1 for _ in source.rows())
        return rows, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_losses_importer_reads_in_memory_flat_in_file_size(tmp_path):
    small = _equipment_file(tmp_path / "small.json", 5_000)
    large = _equipment_file(tmp_path / "large.json", 50_000)
    assert large > 9 * small  # about 1 MB and 10 MB
    rows_small, peak_small = _peak_reading(tmp_path / "small.json")
    rows_large, peak_large = _peak_reading(tmp_path / "large.json")
    assert (rows_small, rows_large) == (5_000, 50_000)
    # A whole parse held the file many times over (15 MB and 158 MB here); the stream holds
    # a slice, a day, and a bounded cache of times read (1.8 MB for either).
    assert peak_large < 1.5 * peak_small
    assert peak_large < large / 4
