"""Every bad input is a typed error naming the field and the value, and stores nothing.

Unpaired surrogates in a stream name or a text field, JSON nested thousands of levels deep,
``None`` or a non-list where a list belongs, arguments of the wrong type to ``read`` and
``append``: each is a :class:`~timeline.TimelineError` subclass, never a ``TypeError``,
``UnicodeEncodeError`` or ``RecursionError`` from deep inside, and the log is unchanged.
A fuzz test builds every catalog type from arbitrary values per field: it is made, or it
is refused with a ``TimelineError``, and what is made can be encoded or is refused so too.
"""

from __future__ import annotations

import contextlib
import json
import typing
import uuid
from typing import Any

import attrs
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from robustness_params import ALL

import timeline as tl
from timeline import Correction, InvalidArgument, InvalidEvent, Statement, TimelineError, open_log
from timeline.codec import MAX_DEPTH, MAX_JSON_DEPTH, Codec
from timeline.events import CATALOG
from timeline.testing.strategies import strategy_for

T0 = pendulum.datetime(2025, 6, 2, 8)
CODEC = Codec()
SURROGATES = ["\ud800", "a\udcff", "\udfff tail", "ok\ud83d"]  # a lone half of a pair


def statement(**fields: Any) -> Statement:
    return Statement(**{"occurred_at": T0, "speaker": "analyst", "text": "x", **fields})


def deep(depth: int, inner: object = 1) -> object:
    value = inner
    for _ in range(depth):
        value = [value]
    return value


def deep_text(depth: int, inner: str = "1") -> str:
    return "[" * depth + inner + "]" * depth


def contents(log):
    return [(r.position, r.stream, r.version, r.hash, r.event) for r in log.read()]


# -- unpaired surrogates ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL)
@pytest.mark.parametrize("text", SURROGATES)
def test_a_surrogate_in_a_stream_name_is_refused_by_append_and_matches_nothing(kind, url_for, text):
    with open_log(url_for(kind)) as log:
        log.append([statement()], stream="s")
        before = contents(log)
        with pytest.raises(InvalidArgument) as caught:
            log.append([statement()], stream=text)
        assert (caught.value.argument, caught.value.value) == ("stream", text)
        assert list(log.read(stream=text)) == []  # no backend can hold it: matches nothing
        assert list(log.read(types=[text])) == []
        assert len(list(log.read(types=[text, "diplomacy.statement"]))) == 1
        assert contents(log) == before
        assert log.verify().ok


@pytest.mark.parametrize("kind", ALL)
@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"text": "x\ud800"}, "text"),
        ({"speaker": "\udcff"}, "speaker"),
        ({"summary": "a\udfffb"}, "summary"),
        ({"actors": ["Ukraine", "\ud800"]}, "actors[1]"),
        ({"sources": [tl.Source(name="ISW"), tl.Source(name="x", url="\ud800")]}, "sources[1].url"),
        ({"location": tl.Location(name="Kyiv", country="\udc00")}, "location.country"),
    ],
)
def test_a_surrogate_in_a_text_field_is_an_invalid_event_naming_it(kind, url_for, fields, path):
    with open_log(url_for(kind)) as log:
        event = statement(**fields)
        with pytest.raises(InvalidEvent) as caught:
            log.append([statement(), event], stream="s")
        assert caught.value.field == path
        assert "must be text without unpaired surrogates" in str(caught.value)
        assert caught.value.event_id == event.event_id
        assert isinstance(caught.value.value, str)
        assert len(log) == 0


def test_a_surrogate_in_a_corrections_changes_names_its_key():
    fix = Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes={"text": ["a", "\ud800"]})
    with pytest.raises(InvalidEvent) as caught:
        CODEC.encode(fix)
    assert caught.value.field == "changes.text[1]"
    with pytest.raises(InvalidEvent) as caught:  # a key that is no identifier: refused when made
        Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes={"te\ud800xt": "a"})
    assert caught.value.field == "changes.te\ud800xt"


# -- nesting ----------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1100, 5000, 50_000])
def test_deep_values_in_typed_fields_are_invalid_events_not_recursion_errors(depth):
    value = deep(depth)
    with pytest.raises(InvalidEvent) as caught:
        statement(actors=["Ukraine", value])
    assert caught.value.field == "actors[1]"
    data = CODEC.to_dict(statement())
    for field in ("actors", "summary", "location", "sources", "occurred_at"):
        with pytest.raises(InvalidEvent) as caught:
            CODEC.from_dict({**data, field: [value] if field == "actors" else value})
        assert caught.value.field.startswith(field)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1100, 5000])
def test_deep_free_form_values_are_refused_when_made_and_when_read(depth):
    with pytest.raises(InvalidEvent, match="levels deep"):
        Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes={"text": deep(depth)})
    fix = Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes={"text": "x"})
    data = CODEC.to_dict(fix)
    data["changes"] = {"text": deep(depth)}
    with pytest.raises(tl.DecodeError, match="levels deep"):
        CODEC.from_dict(data)


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 1100, 5000, 100_000])
@pytest.mark.parametrize("damaged", [False, True], ids=["whole", "cut-short"])
def test_the_cloudevents_importer_refuses_deep_json(tmp_path, depth, damaged):
    event = {"specversion": "1.0", "id": str(uuid.UUID(int=1)), "source": "timeline:/s",
             "type": "diplomacy.statement", "data": CODEC.to_dict(statement(event_id=uuid.UUID(int=1)))}  # fmt: skip
    text = "[\n" + json.dumps(event) + ',\n{"data": ' + deep_text(depth) + "}\n]\n"
    path = tmp_path / "batch.json"
    path.write_text(text[:-3] if damaged else text)
    log = open_log("memory:")
    report = tl.io.import_file(log, "cloudevents", path)
    assert report.added == 1  # the event before it
    (problem,) = report.problems
    assert problem.row == 2
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(open_log("memory:"), "cloudevents", path, strict=True)


@pytest.mark.parametrize("depth", [1100, 5000, 100_000])
def test_the_losses_importer_refuses_deep_json(tmp_path, depth):
    path = tmp_path / "russia_losses_equipment.json"
    day = {"date": "2025-06-01", "day": 1194, "aircraft": 416}
    path.write_text("[\n" + json.dumps(day) + ",\n" + deep_text(depth) + "\n]\n")
    log = open_log("memory:")
    report = tl.io.import_file(log, "ru-losses", path, personnel=False)
    assert len(log) == report.added + report.corrected + report.retracted
    assert report.problems
    with pytest.raises(tl.InvalidData):
        tl.io.import_file(open_log("memory:"), "ru-losses", path, personnel=False, strict=True)


# -- lists, and arguments of the wrong type ---------------------------------------------------


def list_fields(cls: type) -> list[str]:
    hints = typing.get_type_hints(cls)
    return [a.name for a in attrs.fields(cls) if typing.get_origin(hints[a.name]) is tuple]


LIST_FIELDS = [(cls, name) for cls in CATALOG for name in list_fields(cls)]


@pytest.mark.parametrize(("cls", "name"), LIST_FIELDS, ids=lambda x: getattr(x, "TYPE", x))
@pytest.mark.parametrize("value", [None, 5, 2.5, True, object()], ids=repr)
def test_none_or_a_non_list_for_a_list_field_is_an_invalid_event(cls, name, value):
    valid = REFERENCE_EVENTS[cls]
    fields = {a.name: getattr(valid, a.name) for a in attrs.fields(cls)}
    with pytest.raises(InvalidEvent) as caught:
        cls(**{**fields, name: value})
    assert caught.value.field == name
    assert caught.value.value is value


REFERENCE_EVENTS: dict[type, tl.Event] = {}


@pytest.fixture(scope="module", autouse=True)
def _reference_events():
    @settings(max_examples=1, database=None, derandomize=True)
    @given(st.data())
    def draw(data):
        for cls in CATALOG:
            REFERENCE_EVENTS[cls] = data.draw(strategy_for(cls))

    draw()


@pytest.mark.parametrize("kind", ALL)
def test_arguments_of_the_wrong_type_are_invalid_arguments(kind, url_for):
    with open_log(url_for(kind)) as log:
        log.append([statement()], stream="s")
        before = contents(log)
        for events in (None, 5, statement(), "text", [None], [statement(), 5]):
            with pytest.raises(InvalidArgument) as caught:
                log.append(events, stream="s")
            assert caught.value.argument.startswith("events")
        for stream in (None, 5, b"s", ["s"], "", " "):
            with pytest.raises(InvalidArgument) as caught:
                log.append([statement()], stream=stream)
            assert caught.value.argument == "stream"
        for types in (5, 2.5, object(), [5], [None], [""]):
            with pytest.raises(InvalidArgument) as caught:
                list(log.read(types=types))
            assert caught.value.argument == "types"
        for stream in (5, b"s", ["s"]):
            with pytest.raises(InvalidArgument) as caught:
                list(log.read(stream=stream))
            assert caught.value.argument == "stream"
        assert contents(log) == before


# -- fuzzed constructions ---------------------------------------------------------------------

OBJECTS = [object(), T0, tl.TimePrecision.DAY, tl.Source(name="ISW"), tl.Location(name="Kyiv"),
           deep(2000), {"n": deep(2000)}]  # fmt: skip
ANYTHING = st.deferred(
    lambda: st.one_of(
        st.none(),
        st.booleans(),
        st.integers() | st.sampled_from([2**63, -(2**63) - 1, 10**400]),
        st.floats(),
        st.text(max_size=6),
        st.sampled_from([*SURROGATES, "", " ", "\x00"]),
        st.binary(max_size=4),
        st.uuids(),
        st.datetimes(timezones=st.none() | st.timezones()),
        st.sampled_from(OBJECTS),
        st.lists(ANYTHING, max_size=3),
        st.tuples(ANYTHING),
        st.frozensets(st.integers(), max_size=2),
        st.dictionaries(st.text(max_size=3) | st.integers(), ANYTHING, max_size=3),
    )
)


#: Values to give every field of every catalog type, one at a time.
NASTY: list[Any] = [
    None, True, 0, -1, 2**63, 10**400, -(10**400), 0.5, float("nan"), float("inf"), -0.0,
    "", " ", "x", "\x00", *SURROGATES, "2025-06-01", "exact", str(uuid.UUID(int=1)),
    b"bytes", [], [None], ["x", 5], (), {}, {"x": 1}, {1: 2}, {"a"}, object(), T0,
    pendulum.naive(2025, 6, 1), uuid.UUID(int=1), tl.TimePrecision.DAY, tl.Source(name="ISW"),
    tl.Location(name="Kyiv"), deep(5000), {"n": deep(5000)}, iter([1, 2]), len, Ellipsis,
]  # fmt: skip


@pytest.mark.parametrize("cls", CATALOG, ids=lambda cls: cls.TYPE)
def test_every_field_of_every_catalog_type_given_any_value_is_made_or_refused_typed(cls):
    valid = REFERENCE_EVENTS[cls]
    fields = {a.name: getattr(valid, a.name) for a in attrs.fields(cls)}
    made = refused = 0
    for name in fields:
        for value in NASTY:
            try:
                event = cls(**{**fields, name: value})
            except TimelineError:
                refused += 1
                continue
            made += 1
            with contextlib.suppress(TimelineError):
                CODEC.decode(CODEC.encode(event))
    assert refused > made  # most of these are bad values for most fields


@settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_any_construction_of_any_catalog_type_succeeds_or_is_a_timeline_error(data):
    cls = data.draw(st.sampled_from(CATALOG), label="type")
    valid = REFERENCE_EVENTS[cls]
    fields = {a.name: getattr(valid, a.name) for a in attrs.fields(cls)}
    optional = {a.name for a in attrs.fields(cls) if a.default is not attrs.NOTHING}
    for name in data.draw(st.sets(st.sampled_from(sorted(fields)), min_size=1), label="fields"):
        if name in optional and data.draw(st.booleans(), label=f"leave {name} out"):
            del fields[name]
        else:
            fields[name] = data.draw(ANYTHING, label=name)
    try:
        event = cls(**fields)
    except TimelineError:
        return
    try:
        CODEC.decode(CODEC.encode(event))
    except TimelineError:
        return


# -- Correction and the codec agree on the depth limit ----------------------------------------


@pytest.mark.parametrize("levels", [MAX_DEPTH - 1, MAX_DEPTH])
def test_a_correction_up_to_the_depth_limit_is_made_encoded_and_decoded(levels):
    """``changes`` is level 1: a value of ``levels - 1`` nested lists brings it to ``levels``."""
    changes = {"text": deep(levels - 1, "x")}
    fix = Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes=changes)
    assert CODEC.decode(CODEC.encode(fix)) == fix
    assert CODEC.from_dict({**CODEC.to_dict(fix), "changes": changes}) == fix


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, MAX_DEPTH + 2])
def test_a_correction_beyond_the_depth_limit_is_refused_when_made_and_when_read(levels):
    changes = {"text": deep(levels - 1, "x")}
    with pytest.raises(InvalidEvent, match="levels deep"):
        Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes=changes)
    data = CODEC.to_dict(Correction(occurred_at=T0, corrects=uuid.UUID(int=1), changes={"a": 1}))
    with pytest.raises(tl.DecodeError, match="levels deep"):
        CODEC.from_dict({**data, "changes": changes})
