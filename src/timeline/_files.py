"""Files the library creates and never overwrites: a signing key, a salvage's quarantine."""

from __future__ import annotations

import os
from typing import BinaryIO

from timeline.errors import InvalidArgument

__all__ = ["new_file"]


def new_file(
    path: str | os.PathLike[str], *, argument: str, refusal: str, mode: int = 0o666
) -> BinaryIO:
    """Create ``path`` and open it for writing bytes; a file already there is refused, untouched.

    Args:
        path: the file to create.
        argument: the argument that named it, for the error.
        refusal: the error's message when the file exists.
        mode: the new file's permissions, before the umask (``0o600`` for a secret).

    Raises:
        InvalidArgument: with ``refusal``, naming ``argument`` and the path, if it exists.
        OSError: if it cannot be created for another reason.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError as e:
        raise InvalidArgument(refusal, argument=argument, value=os.fspath(path)) from e
    return os.fdopen(fd, "wb")
