"""Work that may run long or take much memory, in a child process a signal or a limit can stop.

Reading a letter runs pdfminer, qpdf, lxml and the plain-language rules over whatever a file holds:
minutes of CPU for a huge letter, gigabytes for a crafted one. In a thread that work could not be
stopped (Python cannot interrupt a thread, and the interpreter waits for it at exit), so SIGTERM did
nothing for minutes. Here each such job runs in a child process forked from a small fork server
(multiprocessing's "forkserver": the server imports klartjek once, each child is a cheap fork of it,
never of the busy audit process with its threads): an address-space limit makes a bomb a
MemoryError in the child, and cancelling the awaiting task kills the child at once. A child also
dies with the fork server, which dies with klartjek, so nothing is left behind by a kill -9.
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

MEMORY_LIMIT = 3 * 1024 ** 3        # address space of one child: a letter that needs more is refused
_CTX = None
_WAITERS = ThreadPoolExecutor(max_workers=32, thread_name_prefix="klartjek-child")
_CHILDREN: set = set()


class ChildFailed(Exception):
    """The child ended without an answer (killed, out of memory, or a bug): ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _context():
    global _CTX
    if _CTX is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["audit.isolate", "audit.checking", "audit.letters"])
        _CTX = ctx
    return _CTX


def _die_with_parent() -> None:
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)      # PR_SET_PDEATHSIG


def _child(conn, fn: Callable, args: tuple, memory_limit: int | None) -> None:
    # The fork server passes each child its end of the pipe that tells the server klartjek is alive
    # (for children that start children of their own, which ours never do). Held here, it would
    # keep the server, and so this child, alive after klartjek was killed.
    from multiprocessing import forkserver

    alive = getattr(forkserver._forkserver, "_forkserver_alive_fd", None)
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
        forkserver._forkserver._forkserver_alive_fd = None
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C reaches the whole process group: the parent decides
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if memory_limit:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    try:
        answer = ("ok", fn(*args))
    except MemoryError:
        answer = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - sent to the parent, which decides
        from core.errors import KlartjekError

        if isinstance(exc, KlartjekError):
            answer = ("raise", exc)
        else:
            text = str(exc).strip().splitlines()
            answer = ("crash", f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": "))
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("memory", None))
    finally:
        conn.close()


def _receive(conn):
    try:
        return conn.recv()
    except (EOFError, OSError):
        return ("died", None)
    finally:
        conn.close()


async def run_isolated(fn: Callable, *args: Any, memory_limit: int | None = MEMORY_LIMIT) -> Any:
    """``fn(*args)`` in a child process; its value, or the KlartjekError it raised; ChildFailed when
    it ran out of memory or died. Cancelling the awaiting task kills the child."""
    ctx = _context()
    loop = asyncio.get_running_loop()
    recv_end, send_end = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(send_end, fn, args, memory_limit), daemon=False)
    try:
        await loop.run_in_executor(_WAITERS, proc.start)   # the first start also starts the fork server
    finally:
        send_end.close()
    _CHILDREN.add(proc)
    try:
        kind, value = await loop.run_in_executor(_WAITERS, _receive, recv_end)
    except BaseException:          # cancelled (the run is interrupted): the child goes at once
        with contextlib.suppress(Exception):
            proc.kill()
        raise
    finally:
        _CHILDREN.discard(proc)
    await loop.run_in_executor(_WAITERS, proc.join, 5)
    if kind == "ok":
        return value
    if kind == "raise":
        raise value
    if kind == "memory":
        raise ChildFailed(f"it needs more than {(memory_limit or 0) / 1024 ** 3:g} GB of memory")
    if kind == "crash":
        raise ChildFailed(value)
    code = proc.exitcode
    raise ChildFailed(f"the reader stopped unexpectedly (signal {-code})" if code and code < 0
                      else "the reader stopped unexpectedly")


def kill_all() -> None:
    """Kill every child under way (the run is being interrupted)."""
    for proc in list(_CHILDREN):
        with contextlib.suppress(Exception):
            proc.kill()
