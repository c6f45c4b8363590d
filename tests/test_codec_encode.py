"""The codec's faster writers of instants, ids and enum values give the plain ones' text."""

import datetime as dt
import enum
import uuid
import zoneinfo

import pendulum
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.codec import Codec
from timeline.codec._converter import _instant_text, _uuid_text
from timeline.events.meta import Relation
from timeline.time import isoformat

ZONES = [
    pendulum.UTC,
    dt.UTC,
    zoneinfo.ZoneInfo("Europe/Kyiv"),
    dt.timezone(dt.timedelta(hours=-3)),
]


class MyUUID(uuid.UUID):
    """A subclass, which orjson does not write itself."""


@given(st.uuids())
def test_an_id_is_written_as_str_writes_it(value):
    assert _uuid_text(value) == str(value)
    assert type(_uuid_text(value)) is str
    assert _uuid_text(MyUUID(int=value.int)) == str(value)


def test_every_str_enum_member_is_written_as_its_plain_value():
    codec = Codec()
    for member in [*tl.TimePrecision, *Relation]:
        written = codec._converter.unstructure(member, type(member))
        assert written == member.value
        assert type(written) is str


@given(st.sampled_from(list(tl.TimePrecision)), st.uuids(version=4))
def test_to_dict_writes_plain_text(precision, event_id):
    event = tl.Statement(
        event_id=event_id,
        occurred_at=pendulum.datetime(2025, 6, 2),
        time_precision=precision,
        speaker="A",
        text="x",
    )
    data = Codec().to_dict(event)
    assert (data["event_id"], data["time_precision"]) == (str(event_id), precision.value)
    assert type(data["event_id"]) is str
    assert type(data["time_precision"]) is str
    assert not isinstance(data["time_precision"], enum.Enum)


@given(st.datetimes(timezones=st.sampled_from(ZONES)), st.booleans())
def test_an_instant_is_written_as_isoformat_writes_it(value, as_pendulum):
    if as_pendulum:
        value = pendulum.instance(value)
    assert _instant_text(value) == isoformat(value)


@given(st.datetimes(min_value=dt.datetime(1000, 1, 1)))  # noqa: DTZ001  # made aware below
def test_a_utc_instant_is_written_with_every_digit(value):
    for instant in (value.replace(tzinfo=dt.UTC), pendulum.instance(value, tz=pendulum.UTC)):
        text = _instant_text(instant)
        assert text == isoformat(instant)
        assert len(text) == len("2025-06-02T08:00:00.000000+00:00")
        assert dt.datetime.fromisoformat(text) == instant
