#!/usr/bin/env python3
"""The portfolio dashboard's benchmark (issue 15): a history of PROJECTS × RUNS × DOCS documents,
written straight into the store's tables (bulk inserts: the store's own writer would take an hour),
then `klartjek dashboard --out` built from it, timed and its peak memory measured (bench/measure.py),
from SQLite and — when a URL is given — from PostgreSQL.

    python bench/dashboard.py [--projects 5] [--runs 60] [--docs 200] [--pg postgresql+psycopg://…]

Each document has 12 check results (WCAG criteria among the 15 monitored ones and plain language),
about a fifth of them failed with 1–3 findings; scores drift per run, so the trends have a shape.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

CHECKS = [("KA057", "image-alt", "1.1.1", "critical"), ("KA010", "color-contrast", "1.4.3", "serious"),
          ("KA030", "label", "4.1.2", "critical"), ("KA002", "document-title", "2.4.2", "serious"),
          ("KA040", "html-has-lang", "3.1.1", "serious"), ("KW070", "link-purpose-in-context", "2.4.4", "serious"),
          ("KW020", "reflow", "1.4.10", "serious"), ("KW021", "text-spacing", "1.4.12", "serious"),
          ("KW001", "keyboard-operable", "2.1.1", "serious"), ("KA050", "list", "1.3.1", "serious"),
          ("KL001", "lix", None, "moderate"), ("KL003", "long-sentence", None, "minor")]


def make_history(url: str, projects: int, runs_n: int, docs: int, seed: int = 7) -> dict[str, int]:
    from sqlalchemy import insert

    from audit.store import Store, check_results, documents, findings, runs

    rnd = random.Random(seed)
    store = Store(url)
    counts = {"runs": 0, "documents": 0, "check_results": 0, "findings": 0}
    doc_id = res_id = 0
    with store.engine.begin() as conn:
        for p in range(projects):
            name = f"Projekt {p + 1}"
            base = 55 + 6 * p
            for r in range(runs_n):
                day = f"2026-{1 + r * 11 // runs_n:02d}-{1 + (r * 7) % 27:02d}"
                rid = f"p{p}-r{r:03d}"
                score = min(100.0, base + r * 0.4 + rnd.uniform(-3, 3))
                conn.execute(insert(runs).values(
                    id=rid, started_at=f"{day}T0{r % 10}:00:00.000Z", ended_at=f"{day}T0{r % 10}:10:00.000Z",
                    status="complete", klartjek_version="0.1.0", axe_version="4.12.1", config_hash="bench",
                    config="{}", targets=json.dumps([f"https://projekt{p}.example.dk/"]), score=round(score, 1),
                    plain_score=round(80 + rnd.uniform(-5, 5), 1), blocked_requests=0, project=name))
                drows, rrows, frows = [], [], []
                fail_p = max(0.02, 0.35 - 0.004 * r - 0.03 * p)
                for d in range(docs):
                    doc_id += 1
                    drows.append(dict(id=doc_id, run_id=rid, seq=d, kind="page", url=f"https://projekt{p}.example.dk/s{d}",
                                      title=f"Side {d}", language="da", content_hash=f"{d:064d}", status="ok",
                                      score=round(min(100.0, score + rnd.uniform(-15, 15)), 1), blocked_requests=0,
                                      plain_score=80.0, site_path=f"/s{d}"))
                    for code, cname, sc, impact in CHECKS:
                        res_id += 1
                        failed = rnd.random() < fail_p
                        rrows.append(dict(id=res_id, document_id=doc_id, code=code, name=cname,
                                          outcome="failed" if failed else "passed", impact=impact if failed else None,
                                          wcag=json.dumps([sc] if sc else []), level="AA" if sc else None,
                                          category="wcag" if sc else "plain-language", target_kind="css"))
                        if failed:
                            for k in range(rnd.randint(1, 3)):
                                frows.append(dict(check_result_id=res_id, outcome="failed", target=f"#e{k}",
                                                  html="<x>", message_da="d", message_en="e", impact=impact,
                                                  fingerprint=f"{code}{k:012d}"[:16]))
                conn.execute(insert(documents), drows)
                conn.execute(insert(check_results), rrows)
                if frows:
                    conn.execute(insert(findings), frows)
                counts["runs"] += 1
                counts["documents"] += len(drows)
                counts["check_results"] += len(rrows)
                counts["findings"] += len(frows)

    store.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=5)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--pg", help="a PostgreSQL URL (an empty database) to build from as well")
    a = ap.parse_args()
    from measure import measure

    work = Path(tempfile.mkdtemp(prefix="klartjek-dash-"))
    targets = [("SQLite", f"sqlite:///{work / 'history.sqlite'}")] + ([("PostgreSQL", a.pg)] if a.pg else [])
    print(f"{a.projects} projects × {a.runs} runs × {a.docs} documents")
    for label, url in targets:
        t0 = time.perf_counter()
        counts = make_history(url, a.projects, a.runs, a.docs)
        made = time.perf_counter() - t0
        m = measure([str(ROOT / ".venv" / "bin" / "klartjek"), "dashboard", "--out", str(work / f"out-{label}"),
                     "--db", url])
        print(f"  {label}: history of {counts['runs']} runs, {counts['documents']:,} documents, "
              f"{counts['check_results']:,} results, {counts['findings']:,} findings written in {made:.0f} s; "
              f"dashboard in {m['wall']:.1f} s, peak {m['peak_mb']:.0f} MB, exit {m['rc']}")
        if m["rc"] != 0:
            print(m["output"][-2000:])


if __name__ == "__main__":
    main()
