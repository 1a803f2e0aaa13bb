"""--incremental: is a document unchanged since the previous run of the same site?

A local file: its bytes hash to the stored content hash. A URL: a conditional GET with the stored
ETag / Last-Modified answers 304, or the body hashes to the stored content hash. A letter: its
file's bytes. Only the HTML is compared: a change in a stylesheet alone is not seen (docs/crawling.md).
The GET keeps to the audit's scope and limits (audit/fetch.py); any doubt means "changed".
"""
from __future__ import annotations

import hashlib
from typing import Any

from audit.fetch import FetchError, fetch
from core.files import FileReadError, read_bounded

MAX_BYTES = 50_000_000


def unchanged(url: str | None, path: str | None, artifacts: dict[str, Any], timeout: float = 15,
              scope=None, allowed=None, limit: int = MAX_BYTES) -> bool:
    page = artifacts.get("page") or artifacts.get("letter") or {}
    stored = page.get("content_hash")
    if not stored:
        return False
    if path is not None:
        try:
            return hashlib.sha256(read_bounded(path, limit)).hexdigest() == stored
        except FileReadError:
            return False
    headers = {}
    if page.get("etag"):
        headers["If-None-Match"] = page["etag"]
    if page.get("last_modified"):
        headers["If-Modified-Since"] = page["last_modified"]
    try:
        resp = fetch(url, scope=scope, allowed=allowed, limit=limit, deadline_s=timeout, headers=headers)
    except FetchError:
        return False
    if resp.status == 304:
        return True
    return resp.status == 200 and hashlib.sha256(resp.body).hexdigest() == stored
