#!/usr/bin/env python3
"""Generate an N-page Danish hospital site for benchmarks, with a known mix of failures.

    python bench/make_site.py N [OUT]   (default OUT: bench/site-N)

Every page links to its neighbours and to a section index, so a crawl from index.html finds all
pages; sitemap.xml lists them too. Failures, by page number i: i % 5 == 0 an image without alt;
i % 7 == 0 low-contrast text; i % 11 == 0 an unlabeled input; i % 13 == 0 an empty link. The
expected counts are written to OUT/expected.json.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

TOPICS = ["CT-scanning", "MR-scanning", "blodprøver", "røntgen", "ultralyd", "hjertekirurgi", "fødsel",
          "børneafdelingen", "akutmodtagelsen", "genoptræning"]
CSS = """body{font-family:sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
header,main,footer{max-width:48rem;margin:0 auto;padding:1rem}nav a{margin-right:1rem;color:#0b4f8a}
.pale{color:#b0b0b0}a{color:#0b4f8a}"""


def page(i: int, n: int) -> str:
    topic = TOPICS[i % len(TOPICS)]
    extra = []
    if i % 5 == 0:
        extra.append('<img src="foto.svg">')
    else:
        extra.append('<img src="foto.svg" alt="Foto fra afdelingen">')
    if i % 7 == 0:
        extra.append('<p class="pale">Husk at medbringe dit sundhedskort.</p>')
    if i % 11 == 0:
        extra.append('<form><input type="text" name="navn"></form>')
    if i % 13 == 0:
        extra.append('<a href="side-1.html"></a>')
    prev_, next_ = (i - 2) % n + 1, i % n + 1
    return f"""<!doctype html><html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{topic} – side {i} – Demo Hospital</title>
<link rel="stylesheet" href="site.css"></head><body>
<header><nav aria-label="Hovedmenu"><a href="index.html">Forside</a><a href="side-{prev_}.html">Forrige side</a>
<a href="side-{next_}.html">Næste side</a></nav></header>
<main><h1>{topic}: det skal du vide (side {i})</h1>
<p>Du skal møde op kl. 10.30 den 3. marts 2026 i afsnit {i % 9 + 1}. Tag gerne en pårørende med.</p>
<p>Undersøgelsen tager ca. 30 minutter. Du får svar af din egen læge inden for 14 dage.</p>
<h2>Før du kommer</h2><ul><li>Spis og drik som normalt.</li><li>Tag din medicinliste med.</li></ul>
{''.join(extra)}
</main><footer><p>Demo Hospital, Hospitalsvej 1, 2100 København Ø</p></footer></body></html>"""


def main() -> None:
    n = int(sys.argv[1])
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(__file__).parent / f"site-{n}"
    out.mkdir(parents=True, exist_ok=True)
    (out / "site.css").write_text(CSS)
    (out / "foto.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30">'
                                  '<rect width="40" height="30" fill="#6a8"/></svg>')
    for i in range(1, n + 1):
        (out / f"side-{i}.html").write_text(page(i, n), encoding="utf-8")
    links = "".join(f'<li><a href="side-{i}.html">Side {i}</a></li>' for i in range(1, n + 1))
    (out / "index.html").write_text(
        '<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Demo Hospital – alle sider</title>'
        f'<link rel="stylesheet" href="site.css"></head><body><main><h1>Alle sider</h1><ul>{links}</ul></main>'
        '</body></html>', encoding="utf-8")
    (out / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n")
    urls = "".join(f"<url><loc>/side-{i}.html</loc></url>" for i in range(1, n + 1))
    (out / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                                     f'"http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')
    expected = {"pages": n + 1, "image-alt": n // 5, "color-contrast": n // 7, "label": n // 11,
                "link-name": n // 13}
    (out / "expected.json").write_text(json.dumps(expected, indent=2))
    print(f"{n + 1} pages in {out}")


if __name__ == "__main__":
    main()
