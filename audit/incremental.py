"""--incremental: is a document unchanged since the previous run of the same site?

A local file: its bytes hash to the stored content hash. A URL: a conditional GET with the stored
ETag / Last-Modified answers 304, or the body hashes to the stored content hash. A letter: its
file's bytes. Only the HTML is compared: a change in a stylesheet alone is not seen (docs/crawling.md).
"""
from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from audit.crawl import USER_AGENT


def unchanged(url: str | None, path: str | None, artifacts: dict[str, Any], timeout: float = 15) -> bool:
    page = artifacts.get("page") or artifacts.get("letter") or {}
    stored = page.get("content_hash")
    if not stored:
        return False
    if path is not None:
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest() == stored
        except OSError:
            return False
    headers = {"User-Agent": USER_AGENT}
    if page.get("etag"):
        headers["If-None-Match"] = page["etag"]
    if page.get("last_modified"):
        headers["If-Modified-Since"] = page["last_modified"]
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout) as resp:  # noqa: S310
            return hashlib.sha256(resp.read()).hexdigest() == stored
    except urllib.error.HTTPError as exc:
        return exc.code == 304
    except (OSError, ValueError):
        return False
