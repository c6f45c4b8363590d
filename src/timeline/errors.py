"""Errors raised by timeline.

Every error is a :class:`TimelineError`, and each also subclasses the builtin it resembles,
so ``except ValueError`` keeps working for code that does not know about timeline::

    TimelineError
    ├── InvalidEvent(ValueError)          field, value, event_id, errors
    ├── InvalidArgument(ValueError, TypeError)   argument, value
    ├── UnknownEventType(KeyError)        type, version
    ├── UnknownEvent(KeyError)            event_id
    ├── DuplicateEvent(ValueError)        event_id
    ├── ConcurrencyError(RuntimeError)    stream, expected, actual
    │   └── LockTimeout                   log, timeout
    ├── CorruptLog(ValueError)            position, reason
    │   └── LogReplaced                   path
    ├── DecodeError(ValueError)           reason
    ├── CausalityError(ValueError)        cause, effect, reason
    ├── InvalidData(ValueError)           row, column, value, reason, path
    ├── MissingExtra(ImportError)         extra, package
    └── MissingFile(FileNotFoundError)    path

After any of these is raised by a log, what the log held before is intact.

``InvalidEvent`` is for bad event *data* (a naive time, a negative count); when several
fields of one event are bad, one ``InvalidEvent`` names them all, its ``errors`` holding one
per field. ``InvalidArgument`` is for a bad argument that is not event data (a URL, an axis,
an argument of the wrong type).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

__all__ = [
    "CausalityError",
    "ConcurrencyError",
    "CorruptLog",
    "DecodeError",
    "DuplicateEvent",
    "InvalidArgument",
    "InvalidData",
    "InvalidEvent",
    "LockTimeout",
    "LogReplaced",
    "MissingExtra",
    "MissingFile",
    "TimelineError",
    "UnknownEvent",
    "UnknownEventType",
]


class TimelineError(Exception):
    """The root of every error timeline raises.

    Each subclass takes its message and its fields by keyword, and keeps the fields as
    attributes of the same names.
    """

    def __init__(self, message: str, **fields: object) -> None:
        super().__init__(message)
        self.__dict__.update(fields)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle (multiprocessing, pytest-xdist) would call __init__ with the message alone,
        # but the fields are keyword-only: rebuild without __init__, then restore them.
        return (_rebuild, (type(self), self.args), self.__dict__)


def _rebuild(cls: type[TimelineError], args: tuple[Any, ...]) -> TimelineError:
    error = cls.__new__(cls, *args)
    error.args = args
    return error


class _KeyErrorMessage(KeyError):
    # KeyError quotes its argument in str(); our messages are sentences, not keys.
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class InvalidEvent(TimelineError, ValueError):
    """An event, or a change to one, that its type refuses.

    When several fields are bad, one error names them all: :attr:`errors` holds one error
    per field, in the order of the fields, and ``field``, ``value`` and ``event_id`` are the
    first one's.

    Attributes:
        field: the name of the offending field (dotted for nested values).
        value: the value that was refused.
        event_id: the event's id, where it is known.
        errors: one error per bad field (just this error, where one field is bad).

    >>> launched = InvalidEvent("launched must be ≥ 0, got -1", field="launched", value=-1)
    >>> lost = InvalidEvent("lost must be ≥ 0, got -2", field="lost", value=-2)
    >>> both = InvalidEvent.combine([launched, lost])
    >>> str(both)
    '2 fields are invalid: launched must be ≥ 0, got -1; lost must be ≥ 0, got -2'
    >>> both.field, [e.field for e in both.errors], launched.errors == (launched,)
    ('launched', ['launched', 'lost'], True)
    """

    field: str
    value: object
    event_id: UUID | None

    def __init__(
        self,
        message: str,
        *,
        field: str,
        value: object,
        event_id: UUID | None = None,
        errors: Sequence[InvalidEvent] = (),
    ) -> None:
        super().__init__(message, field=field, value=value, event_id=event_id)
        self._errors = tuple(errors)

    @property
    def errors(self) -> tuple[InvalidEvent, ...]:
        """One error per bad field, in field order (``(self,)`` for a single field)."""
        return self._errors or (self,)

    @classmethod
    def combine(cls, errors: Sequence[InvalidEvent]) -> InvalidEvent:
        """One error naming every field of ``errors`` (each one's own errors, flattened).

        Raises:
            InvalidArgument: for no errors at all.
        """
        every = tuple(one for error in errors for one in error.errors)
        if not every:
            raise InvalidArgument(
                "InvalidEvent.combine needs at least one error", argument="errors", value=errors
            )
        if len(every) == 1:
            return every[0]
        first = every[0]
        event_id = next((e.event_id for e in every if e.event_id is not None), None)
        return cls(
            f"{len(every)} fields are invalid: " + "; ".join(str(e) for e in every),
            field=first.field,
            value=first.value,
            event_id=event_id,
            errors=every,
        )


class InvalidArgument(TimelineError, ValueError, TypeError):
    """An argument to a timeline call that is not what the call takes.

    Distinct from :class:`InvalidEvent`, which is for bad event *data*: code that catches
    ``InvalidEvent`` to reject a bad report does not also swallow a typo in a URL, a plot's
    axis or an argument of the wrong type.

    Attributes:
        argument: the name of the argument at fault (``"url"``, ``"ax"``, ``"types"``).
        value: the value that was refused (a URL is shown without its password).

    >>> raise InvalidArgument("ax must be a matplotlib Axes, not 'x'", argument="ax", value="x")
    Traceback (most recent call last):
    ...
    timeline.errors.InvalidArgument: ax must be a matplotlib Axes, not 'x'
    """

    argument: str
    value: object

    def __init__(self, message: str, *, argument: str, value: object) -> None:
        super().__init__(message, argument=argument, value=value)


def check_whole(value: object, argument: str, *, least: int = 0) -> None:
    """Refuse ``value`` unless it is a whole number (an ``int``, not a ``bool``) ≥ ``least``.

    The one check of the library's whole-number arguments (``after``, ``size``, ``batch``,
    ``depth``), so that each says the same thing; not part of the public API.

    >>> check_whole(True, "size", least=1)
    Traceback (most recent call last):
    ...
    timeline.errors.InvalidArgument: size must be a whole number ≥ 1, got True

    Raises:
        InvalidArgument: naming ``argument`` and the value.
    """
    if type(value) is not int or value < least:
        raise InvalidArgument(
            f"{argument} must be a whole number ≥ {least}, got {value!r}",
            argument=argument,
            value=value,
        )


class UnknownEventType(TimelineError, _KeyErrorMessage):
    """An event type that the codec's registry does not know (on encode or decode).

    Attributes:
        type: the type tag, e.g. ``"diplomacy.talk_round_held"``.
        version: the version asked for, where one was.
    """

    type: str
    version: int | None

    def __init__(self, message: str, *, type: str, version: int | None = None) -> None:  # noqa: A002
        super().__init__(message, type=type, version=version)


class UnknownEvent(TimelineError, _KeyErrorMessage):
    """An event id that the log does not hold."""

    event_id: UUID

    def __init__(self, message: str, *, event_id: UUID) -> None:
        super().__init__(message, event_id=event_id)


class DuplicateEvent(TimelineError, ValueError):
    """An event id that is already in the log, or twice in one batch."""

    event_id: UUID

    def __init__(self, message: str, *, event_id: UUID) -> None:
        super().__init__(message, event_id=event_id)


class ConcurrencyError(TimelineError, RuntimeError):
    """A stale ``expected_version``: someone else appended to the stream first."""

    stream: str
    expected: int
    actual: int

    def __init__(self, message: str, *, stream: str, expected: int, actual: int) -> None:
        super().__init__(message, stream=stream, expected=expected, actual=actual)


class LockTimeout(ConcurrencyError):
    """The log's write lock was not granted within the log's lock timeout.

    Another writer held it for longer (a long append, or a transaction left open). Nothing
    was written: try the append again later. No stream version was compared, so ``stream``,
    ``expected`` and ``actual`` are ``None``.

    Attributes:
        log: the log, as its messages name it (never with a password).
        timeout: the seconds waited.

    >>> str(LockTimeout("no lock in 10 s", log="postgresql://analyst@db/newsroom", timeout=10.0))
    'no lock in 10 s'
    """

    log: str
    timeout: float

    def __init__(self, message: str, *, log: str, timeout: float) -> None:
        TimelineError.__init__(
            self, message, log=log, timeout=timeout, stream=None, expected=None, actual=None
        )


class CorruptLog(TimelineError, ValueError):
    """Stored data that fails its checks: a broken hash chain, a torn or changed record.

    Attributes:
        position: the first position that is not intact.
        reason: what was found there.
    """

    position: int
    reason: str

    def __init__(self, message: str, *, position: int, reason: str) -> None:
        super().__init__(message, position=position, reason=reason)


class LogReplaced(CorruptLog):
    """A log file's path no longer names the file the log object opened.

    The file was replaced by a rename (a ``git checkout``, an editor saving a copy) or
    deleted while the log was open. What the object holds describes the old file, and
    anything written to it would be seen by no reader of the path, so the object refuses to
    go on: close it and open the path again.

    Attributes:
        path: the log's path.
        position: ``1``: the object can vouch for none of what the path now holds.
        reason: what was found (``"replaced"`` or ``"deleted"``).
    """

    path: str

    def __init__(self, message: str, *, path: str, reason: str) -> None:
        TimelineError.__init__(self, message, path=path, position=1, reason=reason)


class DecodeError(TimelineError, ValueError):
    """Bytes that are not an encoded event (garbage, truncated, or the wrong shape)."""

    reason: str

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, reason=reason)


class CausalityError(TimelineError, ValueError):
    """A causal link that would put a cause after its effect or close a cycle."""

    cause: UUID
    effect: UUID
    reason: str

    def __init__(self, message: str, *, cause: UUID, effect: UUID, reason: str) -> None:
        super().__init__(message, cause=cause, effect=effect, reason=reason)


class InvalidData(TimelineError, ValueError):
    """Input that an importer cannot read (see :mod:`timeline.io`).

    Raised for a file it cannot read at all (the wrong encoding, a missing column, not the
    data set it claims to be), and, in ``strict`` mode, for the first row it cannot read as an
    event; otherwise bad rows are listed in the import report and skipped.

    Attributes:
        row: the 1-based data row (the header not counted), or ``None`` for the whole file.
        column: the column (or field) at fault, where there is one.
        value: the value that was refused.
        reason: what is wrong with it.
        path: the file, where there is one.
    """

    row: int | None
    column: str | None
    value: object
    reason: str
    path: str | None

    def __init__(
        self,
        message: str,
        *,
        row: int | None,
        column: str | None,
        value: object,
        reason: str,
        path: str | None = None,
    ) -> None:
        super().__init__(message, row=row, column=column, value=value, reason=reason, path=path)


class MissingExtra(TimelineError, ImportError):
    """A feature whose optional dependency is not installed.

    Attributes:
        extra: the extra that brings it (``pip install "conflict-timeline[<extra>]"``).
        package: the package that is missing.
    """

    extra: str
    package: str

    def __init__(self, message: str, *, extra: str, package: str) -> None:
        super().__init__(message, extra=extra, package=package)


class MissingFile(FileNotFoundError, InvalidData):
    """A file or folder that was named to be read is not there.

    An :class:`InvalidData` (input that cannot be read, as before it had a class of its own)
    and a :class:`FileNotFoundError` (so ``except OSError`` still catches it), with
    ``filename`` set as ``open`` would.

    Attributes:
        path: the path as given.
    """

    path: str

    def __init__(self, message: str, *, path: str) -> None:
        # OSError comes first in the order of bases (its instances have their own layout),
        # so the fields go through InvalidData's __init__ by name.
        InvalidData.__init__(
            self, message, row=None, column=None, value=path, reason="no such file", path=path
        )
        self.filename = path

    __reduce__ = InvalidData.__reduce__  # not OSError's, which would drop the fields

    def __str__(self) -> str:
        # OSError's own str() would read "[Errno None] None: 'x.csv'" once filename is set.
        return str(self.args[0])
