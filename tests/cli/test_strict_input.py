"""``timeline append`` reads its JSON strictly and refuses any bad input by line, field and value.

Nothing is ever coerced (``"false"`` is no boolean, ``307.9`` no count), and whatever the
input holds (a lone surrogate, nesting thousands of levels deep, a stream name that is not
text), the command answers with one line naming the line, the field and the value, exits 1,
and stores nothing: never a traceback, never "a bug?".
"""

from __future__ import annotations

import json

import pytest

import timeline as tl
from timeline.codec import MAX_JSON_DEPTH

DEMAND = {
    "type": "diplomacy.ceasefire_demanded",
    "occurred_at": "2025-05-10T12:00:00Z",
    "party": "Ukraine",
}
LOSSES = {
    "type": "military.loss_report",
    "occurred_at": "2025-06-03T00:00:00Z",
    "party": "Russia",
    "cumulative": True,
    "equipment": [{"item": "tanks", "count": 10917}],
}


def stored(cli):
    path = cli.folder / "timeline.db"
    if not path.exists():
        return []
    with tl.open_log(path) as log:
        return list(log.read())


def refused(run, text, *args, stream="s"):
    """The one line of a refused append, after checking that nothing was stored."""
    done = run("append", "--stream", stream, *args, input=text)
    assert (done.returncode, done.stdout) == (1, ""), done.stderr
    assert done.stderr.startswith("timeline: error: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "a bug?" not in done.stderr
    return done.stderr.removeprefix("timeline: error: ").strip()


def lines(*events):
    return "".join(json.dumps(e) + "\n" for e in events)


def test_a_boolean_given_as_text_a_number_or_null_is_refused_not_coerced(cli):
    for value in ["false", 0, None]:
        bad = {**DEMAND, "immediate": value}
        assert refused(cli.quick, lines(DEMAND, bad)) == (
            "<stdin>, line 2: CeasefireDemanded.immediate must be true or false "
            f"(a JSON boolean), got {value!r}"
        )
    bad = {**LOSSES, "cumulative": "false"}
    assert "LossReport.cumulative must be true or false" in refused(cli.quick, lines(bad))
    assert stored(cli) == []


def test_a_count_with_a_fraction_or_as_text_is_refused_and_a_whole_float_is_read(cli):
    for value in [307.9, "12"]:
        bad = {**LOSSES, "equipment": [{"item": "tanks", "count": value}]}
        assert refused(cli.quick, lines(bad)) == (
            "<stdin>, line 1: LossReport.equipment[0].count must be a whole number (a JSON "
            f"integer, or a float without a fraction up to 2**53), got {value!r}"
        )
    assert stored(cli) == []
    whole = {**LOSSES, "equipment": [{"item": "tanks", "count": 12.0}]}
    done = cli("append", "--stream", "s", input=lines(whole))  # once in a real process
    assert done.returncode == 0, done.stderr
    (record,) = stored(cli)
    assert record.event.figure("tanks") == 12
    assert type(record.event.figure("tanks")) is int


GOOD = {"type": "diplomacy.statement", "occurred_at": "2025-06-02T08:00:00Z", "speaker": "a",
        "text": "b"}  # fmt: skip


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000, 100_000])
def test_json_nested_too_deep_is_refused_by_line(cli, depth):
    bad = json.dumps(GOOD)[:-1] + ', "actors": ' + "[" * depth + "]" * depth + "}"
    message = refused(cli.quick, f"{json.dumps(GOOD)}\n{bad}\n")
    assert message.startswith("<stdin>, line 2")
    assert f"more than {MAX_JSON_DEPTH} levels" in message
    assert stored(cli) == []


def test_a_surrogate_in_the_input_or_the_stream_name_is_refused_by_line_and_field(cli):
    text = json.dumps({**GOOD, "text": "x\ud800"})  # JSON's escape: a lone surrogate
    assert refused(cli.quick, lines(GOOD) + text) == (
        "<stdin>, line 2: Statement.text must be text without unpaired surrogates (UTF-8 "
        "cannot store them), got 'x\\ud800'; nothing was appended"
    )
    assert stored(cli) == []
    # A file name or an argument that is not UTF-8 reaches Python as surrogates.
    assert "stream must be text without unpaired surrogates" in refused(
        cli.quick, lines(GOOD), stream="a\udcff"
    )
    assert cli.quick("append", "--stream", "s", input=lines(GOOD)).returncode == 0
    done = cli("list", "--stream", "a\udcff")  # once in a real process: no such stream
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "timeline: no records match\n")
    assert len(stored(cli)) == 1
