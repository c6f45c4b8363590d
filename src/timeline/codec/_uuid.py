"""Reading ids back from their text: :func:`uuid_from_text`, re-exported by the codec."""

from __future__ import annotations

import types
import uuid
from collections.abc import Callable
from typing import Final

_new = object.__new__
_SAFE_UNKNOWN: Final = uuid.SafeUUID.unknown

#: Sets a slot of a UUID, bypassing its ``__setattr__`` (which refuses every change).
_Setter = Callable[[uuid.UUID, object], None]


def _slot_setters() -> tuple[_Setter, _Setter] | None:
    """The setters of the two slots ``UUID.__init__`` fills, if this Python's UUID has them."""
    slots = [vars(uuid.UUID).get(name) for name in ("int", "is_safe")]
    setters = [slot.__set__ for slot in slots if isinstance(slot, types.MemberDescriptorType)]
    if len(setters) != 2:  # noqa: PLR2004  # the two slots
        return None
    set_int, set_safe = setters
    sample = uuid.UUID("01972f6e-0000-7000-8000-00000000abcd")
    made = _new(uuid.UUID)
    set_int(made, sample.int)
    set_safe(made, _SAFE_UNKNOWN)
    if made == sample and hash(made) == hash(sample) and str(made) == str(sample):
        return set_int, set_safe
    return None


_SETTERS: Final = _slot_setters()


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
    if _SETTERS is not None and len(text) == 36:  # noqa: PLR2004  # 8-4-4-4-12
        digits = text.replace("-", "")
        if len(digits) == 32:  # noqa: PLR2004
            try:
                value = int(digits, 16)
            except ValueError:  # not hex: the constructor says so
                pass
            else:
                made = _new(uuid.UUID)
                set_int, set_safe = _SETTERS
                set_int(made, value)
                set_safe(made, _SAFE_UNKNOWN)
                return made
    return uuid.UUID(text)
