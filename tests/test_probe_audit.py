"""A page that hangs during a probe, in a real audit: its probe's checks give an error, its other
results (axe-core, the quick probes, plain language) stay, and the next page is audited in full."""
from conftest import load_json, run_cli

HANGS = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Hænger</title></head>
<body><main><h1>En side der hænger</h1><p>Når knappen får fokus, går siden i stå.</p>
<button id="fast" type="button">Fast knap</button>
<script>document.getElementById('fast').addEventListener('focus', () => { for (;;) {} });</script>
</main></body></html>"""

FINE = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Fin side</title></head>
<body><main><h1>En fin side</h1><p>Her er alt i orden.</p>
<a href="a-haenger.html">Siden der hænger</a></main></body></html>"""


def test_a_page_that_hangs_in_a_probe_keeps_its_other_results_and_the_next_page_is_audited(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "a-haenger.html").write_text(HANGS, encoding="utf-8")
    (site / "b-fin.html").write_text(FINE, encoding="utf-8")
    res = run_cli("audit", str(site), "--workers", "1", "--json", str(tmp_path / "run.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    run = load_json(tmp_path / "run.json")
    docs = {d["path"].rsplit("/", 1)[-1]: {c["code"]: c for c in d["results"]} for d in run["documents"]}
    hung, fine = docs["a-haenger.html"], docs["b-fin.html"]
    for code in ("KW002", "KW003", "KW004"):        # the Tab walk could not finish
        assert hung[code]["outcome"] == "error" and "12 s" in hung[code]["error"], hung[code]
    assert hung["KA053"]["outcome"] == "passed"      # axe-core's html-has-lang ran before the probe
    assert hung["KW070"]["outcome"] == "inapplicable"  # the quick links probe ran before it too
    assert hung["KW001"]["outcome"] == "inapplicable"  # and keyboard_static
    assert all(c["outcome"] != "error" for c in fine.values()), [c for c in fine.values() if c["error"]]
    assert fine["KW003"]["outcome"] == "passed" and fine["KA053"]["outcome"] == "passed"
