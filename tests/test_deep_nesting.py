"""Deeply nested HTML: text extraction (audit/textextract.py) walks the tree without recursion, so
thousands of nested elements — which BeautifulSoup with lxml parses fine — give their text instead of
a RecursionError, in `klartjek text` and in MeMo letters whose HTML parts are read the same way.

The snippets at the end pin the walk's exact output (order of blocks, kinds, levels, link spans,
hidden and boilerplate elements): it must not change with the way the tree is walked.
"""
from __future__ import annotations

import importlib.util
import sys

import pytest

from audit.letters import gather_letter
from audit.textextract import text_artifact, text_from_html, text_from_markdown
from conftest import ROOT, run_cli

_spec = importlib.util.spec_from_file_location("make_memo", ROOT / "fixtures" / "letters" / "make_memo.py")
mk = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(mk)

BOTTOM = "Du skal møde op på hospitalet i morgen kl. 10.30."


def nested(n: int, tag: str = "div", text: str = BOTTOM) -> str:
    return f"<{tag}>" * n + text + f"</{tag}>" * n


def page(body: str) -> str:
    return f'<!doctype html><html lang="da"><head><title>Brev</title></head><body>{body}</body></html>'


def one_paragraph(text: str) -> list[list]:
    return [[0, len(text), "paragraph", 0]]


# -- text extraction -----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1000, 5000])
def test_deeply_nested_divs_give_the_bottom_text_as_one_paragraph(depth):
    html = nested(depth)
    assert depth > sys.getrecursionlimit() // 2        # deep enough to have broken a recursive walk
    for art in (text_from_html(html), text_from_html(html, whole_page=False), text_artifact("brev.html", html)):
        assert art["text"] == BOTTOM
        assert art["blocks"] == one_paragraph(BOTTOM)
        assert art["links"] == []
    art = text_from_html(page(nested(depth)))
    assert art == {"text": BOTTOM, "blocks": one_paragraph(BOTTOM), "links": [], "lang": "da",
                   "source": "html:body"}


def test_text_below_and_after_10000_nested_divs_is_kept():
    # lxml's own tree builder stops at depth 255 and drops the rest; BeautifulSoup feeds lxml through
    # a parser target, which has no such cap: the text at the bottom and after the nesting is there
    html = page(nested(10_000, text='<p>Første. <a href="/tid">Flyt tiden</a></p>') + "<p>Sidste afsnit.</p>")
    art = text_from_html(html)
    assert art["text"] == "Første. Flyt tiden\n\nSidste afsnit."
    assert art["blocks"] == [[0, 18, "paragraph", 0], [20, 34, "paragraph", 0]]
    assert art["links"] == [[8, 18, "/tid"]]


def test_100000_nested_inline_elements():
    html = "<p>Start " + nested(100_000, "span", 'midt <a href="/x">link</a>') + " slut.</p>"
    art = text_from_html(html, whole_page=False)
    assert art["text"] == "Start midt link slut."
    assert art["blocks"] == one_paragraph("Start midt link slut.")
    assert art["links"] == [[11, 15, "/x"]]


def test_deeply_nested_markdown_quotes():
    assert text_from_markdown(">" * 15 + " Dybt citat.\n")["text"] == "Dybt citat."
    # markdown-it stops at its own nesting limit (maxNesting 20) and leaves out what is deeper;
    # no error either way
    art = text_from_markdown(">" * 2000 + " Dybt citat.\n")
    assert isinstance(art["text"], str) and isinstance(art["blocks"], list)


# -- the real command ----------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1000, 5000])
def test_text_command_reads_deeply_nested_html(tmp_path, depth):
    f = tmp_path / "dyb.html"
    f.write_text(page(nested(depth)), encoding="utf-8")
    res = run_cli("text", str(f))
    assert res.returncode in (0, 1), res.stderr
    assert "Traceback" not in res.stderr and "RecursionError" not in res.stderr + res.stdout
    assert BOTTOM in res.stdout


# -- MeMo letters: their HTML parts go through text_from_html ------------------------------------------

def test_memo_letter_with_deeply_nested_html_body():
    html = page(nested(5000))
    data = mk.message(main=[mk.file("text/html", "brev.html", "da", html.encode("utf-8"))])
    arts = gather_letter(data, "dyb.xml")
    assert arts["letter"]["parts"] == ["brev.html"]
    assert [f.get("error") for f in arts["memo"]["files"]] == [None]
    assert arts["text"]["text"] == BOTTOM
    assert arts["text"]["blocks"] == one_paragraph(BOTTOM)
    assert arts["text"]["lang"] == "da"


# -- the walk's exact output on tricky snippets ---------------------------------------------------------

SNIPPETS = {
    # a link inside a link: lxml closes the outer one; both are links
    "nested links": ('<p>See <a href="a">outer <a href="b">inner</a> tail</a> end</p>',
                     "See outer inner tail end", [[0, 24, "paragraph", 0]], [[4, 9, "a"], [10, 15, "b"]]),
    # a <br> inside a link flushes the line; the link's span no longer fits, so there is none
    "link over br": ('<p>Go <a href="x">one<br>two</a> three</p>',
                     "Go one\n\ntwo three", [[0, 6, "line", 0], [8, 17, "paragraph", 0]], []),
    # a block inside a link is flushed before the link is recorded: no link
    "heading in link": ('<a href="/"><h2>Title</h2></a><p>Body <a href="/b">b</a></p>',
                        "Title\n\nBody b", [[0, 5, "heading", 2], [7, 13, "paragraph", 0]], [[12, 13, "/b"]]),
    "link in heading": ('<h3>See <a href="/h"> the   page </a></h3>',
                        "See the page", [[0, 12, "heading", 3]], [[4, 12, "/h"]]),
    "br in list items": ('<ul><li>one<br>two</li><li>three<br></li><li><br>four</li></ul>',
                         "one\n\ntwo\n\nthree\n\nfour",
                         [[0, 3, "list_item", 0], [5, 8, "list_item", 0], [10, 15, "list_item", 0],
                          [17, 21, "list_item", 0]], []),
    "br in paragraph": ('<p>Venlig hilsen<br>Afdeling</p>', "Venlig hilsen\n\nAfdeling",
                        [[0, 13, "line", 0], [15, 23, "paragraph", 0]], []),
    "table": ('<table><caption>Cap</caption><tr><th>H</th><td>D <a href="x">l</a></td><td>E<br>F</td></tr></table>',
              "Cap\n\nH\n\nD l\n\nE\n\nF",
              [[0, 3, "caption", 0], [5, 6, "table_cell", 0], [8, 11, "table_cell", 0],
               [13, 14, "table_cell", 0], [16, 17, "table_cell", 0]], [[10, 11, "x"]]),
    "hidden": ('<p hidden>x</p><div style="display: none">y</div><span aria-hidden="true">z</span>'
               '<p data-klartjek-ignore>q</p><p>shown <a href="h" style="visibility:hidden">v</a></p>',
               "shown", [[0, 5, "paragraph", 0]], []),
    "block in inline": ('<span>pre<p>inner</p>post</span>', "pre\n\ninner\n\npost",
                        [[0, 3, "paragraph", 0], [5, 10, "paragraph", 0], [12, 16, "paragraph", 0]], []),
    "skipped and inline": ('<div>a<span>b<script>x()</script><strong>c<em>d</em></strong></span><!-- c -->e '
                           '<img alt="i"><button>b</button><i>f</i></div>',
                           "abcde f", [[0, 7, "paragraph", 0]], []),
    "headings and labels": ('<h1>One</h1><h6>Six <em>x</em></h6><details><summary>Sum</summary>det</details>'
                            '<fieldset><legend>Leg</legend><label>Lab</label></fieldset><pre>a<br>b</pre>',
                            "One\n\nSix x\n\nSum\n\ndet\n\nLeg\n\nLab\n\na\n\nb",
                            [[0, 3, "heading", 1], [5, 10, "heading", 6], [12, 15, "heading", 0],
                             [17, 20, "paragraph", 0], [22, 25, "heading", 0], [27, 30, "paragraph", 0],
                             [32, 33, "line", 0], [35, 36, "line", 0]], []),
}


@pytest.mark.parametrize("name", SNIPPETS)
def test_walk_output_on_tricky_snippets(name):
    html, text, blocks, links = SNIPPETS[name]
    art = text_from_html(html, whole_page=False)
    assert (art["text"], art["blocks"], art["links"]) == (text, blocks, links)
    # nested 2,000 divs deep, the same snippet gives the same text (nesting adds no blocks)
    deep = text_from_html(nested(2000, text=html), whole_page=False)
    assert (deep["text"], deep["blocks"], deep["links"]) == (text, blocks, links)


def test_boilerplate_is_skipped_on_a_whole_page_but_not_inside_main():
    html = page('<div class="cookie-banner">Accepter</div><nav>Menu</nav><div id="breadcrumb">Forside</div>'
                '<div role="navigation">R</div><p class="x Skip-Link">Til indhold</p><p>Brødtekst.</p>'
                '<aside>A</aside><footer>F</footer>')
    art = text_from_html(html)
    assert (art["text"], art["blocks"], art["source"]) == ("Brødtekst.", [[0, 10, "paragraph", 0]], "html:body")
    html = page('<nav>Menu</nav><main><div class="consent">Samtykke</div><nav>Indre</nav><p>Tekst</p></main>'
                '<footer>F</footer>')
    art = text_from_html(html)
    assert art["text"] == "Samtykke\n\nIndre\n\nTekst" and art["source"] == "html:main"
    assert art["blocks"] == [[0, 8, "paragraph", 0], [10, 15, "paragraph", 0], [17, 22, "paragraph", 0]]
    deep = text_from_html(page(nested(3000, text='<div class="cookie">C</div><nav>N</nav><p>Indhold</p>')))
    assert (deep["text"], deep["blocks"]) == ("Indhold", [[0, 7, "paragraph", 0]])
