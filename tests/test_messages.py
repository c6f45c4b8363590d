"""The messages a person meets on the first mistakes: each says what was wrong and what to do."""

from __future__ import annotations

import pendulum
import pytest

import timeline as tl
from timeline.errors import InvalidArgument, MissingFile, TimelineError, UnknownEventType


def barrage() -> tl.DroneBarrage:
    return tl.DroneBarrage(
        occurred_at=pendulum.datetime(2025, 6, 1, tz="Europe/Kyiv"),
        launched=472,
        attacker="Russia",
        target="Ukraine",
    )


def test_an_unknown_url_scheme_names_itself_and_the_known_ones(tmp_path):
    with pytest.raises(InvalidArgument) as caught:
        tl.open_log("sqllite:///x.db")
    message = str(caught.value)
    assert "unknown URL scheme 'sqllite'" in message
    assert "sqlite://" in message
    assert "postgresql://" in message
    assert "did you mean 'sqlite://'?" in message
    assert "folder" not in message
    assert not (tmp_path / "x.db").exists()


def test_a_scheme_with_nothing_close_gets_no_guess():
    with pytest.raises(InvalidArgument, match="unknown URL scheme 'https'") as caught:
        tl.open_log("https://example.org/war.db")
    assert "did you mean" not in str(caught.value)


def test_an_unknown_scheme_hides_the_password():
    with pytest.raises(InvalidArgument) as caught:
        tl.open_log("postgresq://analyst:hunter2@db/newsroom")
    assert "hunter2" not in str(caught.value)
    assert "did you mean 'postgresql://'?" in str(caught.value)


def test_a_projection_class_where_an_instance_is_expected():
    log = tl.open_log("memory:")
    log.append([barrage()], stream="air")
    with pytest.raises(InvalidArgument, match=r"pass Escalation\(\), not Escalation") as caught:
        tl.replay(log, tl.Escalation)  # type: ignore[arg-type]  # the mistake under test
    assert caught.value.argument == "projection"


@pytest.mark.parametrize("url", ["memory:", "log.db", "log.jsonl"])
def test_a_single_event_passed_to_append_says_to_pass_a_list(url, tmp_path):
    log = tl.open_log(url if url == "memory:" else str(tmp_path / url))
    with pytest.raises(InvalidArgument) as caught:
        log.append(barrage(), stream="air")  # type: ignore[arg-type]  # the mistake under test
    message = str(caught.value)
    assert "got a single DroneBarrage" in message
    assert "pass [event], not event" in message
    assert len(log) == 0


def test_an_unknown_type_lists_the_accepted_names_and_suggests_the_closest():
    codec = tl.Codec(tl.default_registry())
    with pytest.raises(UnknownEventType) as caught:
        codec.from_dict({"type": "DroneBarrage", "version": 1})
    message = str(caught.value)
    assert "did you mean 'military.drone_barrage'?" in message
    assert "military.missile_strike" in message  # the list of accepted names
    with pytest.raises(UnknownEventType, match=r"did you mean 'military\.drone_barrage'"):
        codec.from_dict({"type": "military.drone_barage", "version": 1})
    with pytest.raises(UnknownEventType, match=r"did you mean 'diplomacy\.statement'"):
        codec.from_dict({"type": "statement", "version": 1})
    with pytest.raises(UnknownEventType) as far:
        codec.from_dict({"type": "weather.report", "version": 1})
    assert "did you mean" not in str(far.value)


def test_import_file_on_a_missing_path_names_it(tmp_path):
    log = tl.open_log("memory:")
    missing = tmp_path / "missile_attacks_daily.csv"
    with pytest.raises(MissingFile) as caught:
        tl.io.import_file(log, "missile-attacks", missing)
    error = caught.value
    assert isinstance(error, TimelineError)
    assert isinstance(error, FileNotFoundError)
    assert "missile_attacks_daily.csv" in str(error)
    assert error.filename == error.path
    assert "missile_attacks_daily.csv" in error.path
