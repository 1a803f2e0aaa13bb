"""Reading local files the user names: regular files only, never more than a byte limit.

A name can point at anything: a FIFO (reading waits for a writer forever), a device (/dev/zero never
ends), a symbolic link to either. The file is opened without blocking, checked to be a regular file
on the open descriptor (no window for a swap between a check and the open) and read up to the limit.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class FileReadError(Exception):
    """``reason`` is one short clause for the user, e.g. "not a regular file (a FIFO)"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileTooLarge(FileReadError):
    pass


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def file_kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def is_regular(path: Path | str) -> bool:
    """A regular file (after following symbolic links), without opening it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bounded(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file ``path``; FileTooLarge beyond ``limit`` bytes, FileReadError
    for anything that is not a regular file or cannot be read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise FileReadError(exc.strerror or str(exc)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise FileReadError(f"not a regular file ({file_kind(st.st_mode)})")
        if st.st_size > limit:
            raise FileTooLarge(f"over the limit of {limit:,} bytes")
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            data = fh.read(limit + 1)
        if len(data) > limit:          # the file grew while it was read
            raise FileTooLarge(f"over the limit of {limit:,} bytes")
        return data
    except OSError as exc:
        raise FileReadError(exc.strerror or str(exc)) from None
    finally:
        if fd >= 0:
            os.close(fd)


def write_atomic(path: Path | str, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all: to a temporary file beside it, then renamed
    into place. The temporary file is removed on every failure (a full disk, an interrupt);
    IsADirectoryError when ``path`` is a folder."""
    import tempfile

    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "is a folder", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())        # as open() would make it, not mkstemp's 0600
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
