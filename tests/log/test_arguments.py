"""Bad arguments to the log package are InvalidArgument, never InvalidEvent (which is for event data)."""

import pendulum
import pytest

import timeline as tl
from timeline.log import MemoryLog, salvage


def said(text):
    return tl.Statement(occurred_at=pendulum.datetime(2025, 6, 2), speaker="A", text=text)


@pytest.mark.parametrize("url", ["istanbul.txt", "mysql://db/x", ""])
def test_open_log_refuses_a_url_naming_no_backend(url):
    with pytest.raises(tl.InvalidArgument) as caught:
        tl.open_log(url)
    assert caught.value.argument == "url"
    assert caught.value.value == url
    assert not isinstance(caught.value, tl.InvalidEvent)
    assert isinstance(caught.value, ValueError)


def test_salvage_refuses_a_target_that_is_not_an_empty_other_log():
    source, target = MemoryLog(), MemoryLog()
    source.append([said("x")], stream="s")
    target.append([said("y")], stream="s")
    for bad in (source, target):
        with pytest.raises(tl.InvalidArgument) as caught:
            salvage(source, bad)
        assert caught.value.argument == "target"


@pytest.mark.parametrize(
    ("options", "argument"),
    [
        ({"order": "alphabetical"}, "order"),
        ({"after": -1}, "after"),
        ({"after": 1.5}, "after"),
        ({"types": [3]}, "types"),
    ],
)
def test_read_refuses_bad_arguments(options, argument):
    with pytest.raises(tl.InvalidArgument) as caught:
        MemoryLog().read(**options)
    assert caught.value.argument == argument
