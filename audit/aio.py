"""Blocking work off the event loop, in threads an interrupted run does not wait for.

Requests (robots.txt, sitemaps, --incremental's checks) and CPU work on a page's text run here.
Not in the event loop's default executor: asyncio.run waits for that one at the end, and an
interrupted run must end within a second or two. Requests under way are ended by
audit.fetch.abort_all; a thread still computing is ended with the process (cli ends it with
os._exit once the run is stored)."""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

_POOL = ThreadPoolExecutor(max_workers=8, thread_name_prefix="klartjek-work")


async def blocking(fn, *args):
    return await asyncio.get_running_loop().run_in_executor(_POOL, fn, *args)
