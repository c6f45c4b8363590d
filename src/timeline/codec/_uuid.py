"""Reading ids back from their text: :func:`uuid_from_text`, re-exported by the codec."""

from __future__ import annotations

import uuid
from typing import Final

_new = object.__new__
_set = object.__setattr__
_SAFE_UNKNOWN: Final = uuid.SafeUUID.unknown


def _filled(value: int) -> uuid.UUID:
    """The UUID of a 128-bit number, made by filling the two slots ``UUID.__init__`` fills."""
    made = _new(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", _SAFE_UNKNOWN)
    return made


def _filling_agrees() -> bool:
    """Whether :func:`_filled` makes UUIDs equal to the standard ones on this Python."""
    sample = uuid.UUID("01972f6e-0000-7000-8000-00000000abcd")
    try:
        made = _filled(sample.int)
    except (AttributeError, TypeError):  # the slots changed
        return False
    return made == sample and hash(made) == hash(sample) and str(made) == str(sample)


_FILL: Final = _filling_agrees()


def uuid_from_text(text: str) -> uuid.UUID:
    """``uuid.UUID(text)``, faster for the canonical form the codec writes.

    Reading a log or a stored state reads one id per event, and ``UUID.__init__`` is slow
    Python. For 36-character text this reads the digits as the constructor does (dashes
    dropped, 32 hex digits through ``int(..., 16)``) and fills the two slots it would fill,
    where this Python's ``UUID`` has them (checked once, on import). Any other text goes
    through ``uuid.UUID``, which reads the other forms or raises ``ValueError``.

    >>> text = "01972f6e-0000-7000-8000-00000000abcd"
    >>> uuid_from_text(text) == uuid.UUID(text), str(uuid_from_text(text)) == text
    (True, True)
    >>> uuid_from_text("{" + text + "}") == uuid.UUID(text)
    True
    """
    if _FILL and len(text) == 36:  # noqa: PLR2004  # 8-4-4-4-12
        digits = text.replace("-", "")
        if len(digits) == 32:  # noqa: PLR2004
            try:
                return _filled(int(digits, 16))
            except ValueError:  # not hex: the constructor says so
                pass
    return uuid.UUID(text)
