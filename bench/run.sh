#!/usr/bin/env bash
# The whole-site benchmark (issue 4): a generated N-page site on 127.0.0.1, audited one tool after
# the other in this run: klartjek (crawl, storage, every page check), klartjek --incremental, the
# bare Playwright+axe loop, pa11y-ci and @axe-core/cli (from npm into bench/.peers, on the same
# Chromium). Prints pages, wall seconds, pages/minute, peak memory and violations of each.
#
#     bash bench/run.sh [N] [--repeat R] [--only klartjek,bare,...] [--json OUT]   (N default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup >&2
bash bench/peers.sh install >&2
exec .venv/bin/python bench/run.py "$@"
