"""Whole-number arguments: one check (``timeline.errors.check_whole``), one message everywhere."""

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import timeline as tl
from timeline.errors import InvalidArgument, check_whole

T = pendulum.datetime(2025, 6, 2)


@given(
    value=st.integers(-5, 5) | st.booleans() | st.floats(-5, 5) | st.none() | st.text(max_size=2),
    least=st.integers(-2, 2),
)
def test_check_whole_takes_exactly_the_ints_from_least(value, least):
    whole = type(value) is int and value >= least
    if whole:
        check_whole(value, "n", least=least)
        return
    with pytest.raises(InvalidArgument) as caught:
        check_whole(value, "n", least=least)
    assert (caught.value.argument, caught.value.value) == ("n", value)
    assert str(caught.value) == f"n must be a whole number ≥ {least}, got {value!r}"


@pytest.fixture
def log():
    log = tl.open_log("memory:", clock=tl.FixedClock(T))
    log.append([tl.Statement(occurred_at=T, speaker="Hakan Fidan", text="Welcome.")], stream="s")
    return log


@pytest.mark.parametrize("after", [-1, True, 1.0, "1"])
def test_read_refuses_an_after_that_is_not_a_whole_number(log, after):
    with pytest.raises(InvalidArgument, match=r"^after must be a whole number ≥ 0, got ") as caught:
        list(log.read(after=after))
    assert caught.value.argument == "after"


@pytest.mark.parametrize("size", [0, -3, True, 2.0])
def test_subscribe_batches_refuses_a_size_below_one(log, size):
    with pytest.raises(InvalidArgument, match=r"^size must be a whole number ≥ 1, got "):
        log.subscribe_batches(lambda *_: None, size=size)


def test_a_read_model_refuses_a_batch_below_one(log, tmp_path):
    with pytest.raises(InvalidArgument, match=r"^batch must be a whole number ≥ 1, got 0$"):
        tl.ReadModel(log, tmp_path / "m.db", handler=lambda *_: None, name="m", batch=0)


def test_signing_refuses_a_negative_size():
    pytest.importorskip("cryptography")
    from timeline.integrity import SigningKey  # noqa: PLC0415  # the extra

    key = SigningKey.generate()
    with pytest.raises(InvalidArgument, match=r"^size must be a whole number ≥ 0, got -1$"):
        key.sign(size=-1, root=bytes(32), time=T)
