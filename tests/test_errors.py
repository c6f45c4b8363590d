import pickle
import uuid

import pytest

import timeline
import timeline.errors
from timeline.errors import (
    CausalityError,
    ConcurrencyError,
    CorruptLog,
    DecodeError,
    DuplicateEvent,
    InvalidArgument,
    InvalidData,
    InvalidEvent,
    LockTimeout,
    LogReplaced,
    MissingExtra,
    MissingFile,
    TimelineError,
    UnknownEvent,
    UnknownEventType,
)

A, B = uuid.uuid4(), uuid.uuid4()

#: One instance of each error, with its fields, and the builtin it also is.
EXAMPLES = [
    (
        InvalidEvent(
            "DroneBarrage.launched must be ≥ 0, got -1", field="launched", value=-1, event_id=A
        ),
        ValueError,
    ),
    (UnknownEventType("unknown event type 'x.y'", type="x.y", version=2), KeyError),
    (UnknownEvent(f"event {A} is not in the log", event_id=A), KeyError),
    (DuplicateEvent(f"event id {A} is already in the log", event_id=A), ValueError),
    (
        ConcurrencyError("stream 's' is at version 3, not 2", stream="s", expected=2, actual=3),
        RuntimeError,
    ),
    (CorruptLog("hash mismatch at 7", position=7, reason="hash mismatch"), ValueError),
    (DecodeError("not an encoded event", reason="not JSON"), ValueError),
    (
        CausalityError("the cause comes after its effect", cause=A, effect=B, reason="time"),
        ValueError,
    ),
    (
        InvalidData(
            "row 3, column 'launched': 'many': not a number",
            row=3,
            column="launched",
            value="many",
            reason="not a number",
            path="x.csv",
        ),
        ValueError,
    ),
    (InvalidArgument("ax must be a matplotlib Axes", argument="ax", value=3), TypeError),
    (MissingExtra("needs cryptography", extra="integrity", package="cryptography"), ImportError),
    (LockTimeout("no write lock in 10 s", log="postgresql://u@h/db", timeout=10.0), RuntimeError),
    (LogReplaced("war.jsonl was replaced", path="war.jsonl", reason="replaced"), ValueError),
    (MissingFile("no such file: x.csv", path="x.csv"), FileNotFoundError),
]


@pytest.mark.parametrize(("error", "builtin"), EXAMPLES, ids=lambda x: type(x).__name__)
def test_each_error_is_a_timeline_error_and_its_builtin(error, builtin):
    assert isinstance(error, TimelineError)
    assert isinstance(error, builtin)
    with pytest.raises(builtin):
        raise error
    with pytest.raises(TimelineError):
        raise error


def test_invalid_argument_is_a_value_and_a_type_error_but_not_invalid_event():
    error = InvalidArgument("url 'x' is not a log", argument="url", value="x")
    assert isinstance(error, ValueError)
    assert isinstance(error, TypeError)
    assert not isinstance(error, InvalidEvent)
    assert (error.argument, error.value) == ("url", "x")


def test_errors_carry_their_fields():
    (
        invalid,
        unknown_type,
        unknown,
        duplicate,
        concurrency,
        corrupt,
        decode,
        causality,
        data,
        arg,
        extra,
        lock,
        replaced,
        missing,
    ) = (e for e, _ in EXAMPLES)
    assert (missing.path, missing.filename) == ("x.csv", "x.csv")
    assert (lock.log, lock.timeout) == ("postgresql://u@h/db", 10.0)
    assert isinstance(lock, ConcurrencyError)
    assert (lock.stream, lock.expected, lock.actual) == (None, None, None)
    assert (replaced.path, replaced.reason, replaced.position) == ("war.jsonl", "replaced", 1)
    assert isinstance(replaced, CorruptLog)
    assert (arg.argument, arg.value) == ("ax", 3)
    assert (extra.extra, extra.package) == ("integrity", "cryptography")
    assert (invalid.field, invalid.value, invalid.event_id) == ("launched", -1, A)
    assert InvalidEvent("x", field="f", value=None).event_id is None
    assert (unknown_type.type, unknown_type.version) == ("x.y", 2)
    assert UnknownEventType("x", type="x.y").version is None
    assert unknown.event_id == A
    assert duplicate.event_id == A
    assert (concurrency.stream, concurrency.expected, concurrency.actual) == ("s", 2, 3)
    assert (corrupt.position, corrupt.reason) == (7, "hash mismatch")
    assert decode.reason == "not JSON"
    assert (causality.cause, causality.effect, causality.reason) == (A, B, "time")
    assert (data.row, data.column, data.value, data.reason, data.path) == (
        3,
        "launched",
        "many",
        "not a number",
        "x.csv",
    )


@pytest.mark.parametrize("error", [e for e, _ in EXAMPLES], ids=lambda x: type(x).__name__)
def test_the_message_is_the_plain_sentence(error):
    assert str(error) == error.args[0]
    assert not str(error).startswith("'")


def test_key_errors_are_not_quoted():
    assert str(KeyError("no such type")) == "'no such type'"  # what we avoid
    assert (
        str(UnknownEventType("unknown event type 'x.y'", type="x.y")) == "unknown event type 'x.y'"
    )
    assert (
        str(UnknownEvent(f"event {A} is not in the log", event_id=A))
        == f"event {A} is not in the log"
    )


def test_fields_are_keyword_only():
    with pytest.raises(TypeError):
        InvalidEvent("message", "field", 1)  # type: ignore[misc]
    with pytest.raises(TypeError):
        ConcurrencyError("message", "s", 1, 2)  # type: ignore[misc]


def test_the_module_lists_every_error_and_its_docstring_draws_the_tree():
    names = timeline.errors.__all__
    assert names == sorted(names)
    classes = [getattr(timeline.errors, name) for name in names]
    assert all(issubclass(cls, TimelineError) for cls in classes)
    assert {type(e) for e, _ in EXAMPLES} | {TimelineError} == set(classes)
    tree = timeline.errors.__doc__
    for name in names:
        assert name in tree


def test_every_error_is_importable_from_timeline_itself():
    for name in timeline.errors.__all__:
        assert getattr(timeline, name) is getattr(timeline.errors, name)


def test_the_root_is_an_exception_not_a_base_exception_only():
    assert issubclass(TimelineError, Exception)
    assert TimelineError.__bases__ == (Exception,)


@pytest.mark.parametrize("error", [e for e, _ in EXAMPLES], ids=lambda x: type(x).__name__)
def test_errors_survive_pickling(error):
    # Errors cross process boundaries (multiprocessing, pytest-xdist) by pickling.
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301  # our own bytes
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)


def test_several_bad_fields_are_one_invalid_event():
    launched = InvalidEvent("DroneBarrage.launched must be ≥ 0, got -1", field="launched", value=-1)
    lost = InvalidEvent("DroneBarrage.lost must be ≥ 0, got -2", field="lost", value=-2, event_id=A)
    both = InvalidEvent.combine([launched, lost])
    assert both.errors == (launched, lost)
    assert (both.field, both.value, both.event_id) == ("launched", -1, A)
    assert str(both) == (
        "2 fields are invalid: DroneBarrage.launched must be ≥ 0, got -1; "
        "DroneBarrage.lost must be ≥ 0, got -2"
    )
    assert InvalidEvent.combine([launched]) is launched
    assert InvalidEvent.combine([both]).errors == (launched, lost)  # flattened
    copy = pickle.loads(pickle.dumps(both))  # noqa: S301  # our own bytes
    assert [(e.field, e.value, str(e)) for e in copy.errors] == [
        (e.field, e.value, str(e)) for e in both.errors
    ]
    with pytest.raises(InvalidArgument):
        InvalidEvent.combine([])
