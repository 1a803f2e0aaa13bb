"""The editors' workbench, `klartjek serve`: the real server on 127.0.0.1 (a subprocess, stopped with
Ctrl-C), real requests without JavaScript, a real Chromium walked by keyboard, and klartjek's own
audit of the page, empty and with a result, at 320 and 1280 px."""
from __future__ import annotations

import asyncio
import io
import json
import os
import re
import signal
import subprocess
import threading

import httpx
import pytest

from conftest import KLARTJEK, ROOT, load_json, run_cli

LETTER = ("Indkaldelse til undersøgelse\n\n"
          "Du bedes venligst møde i Ambulatorium 3 mandag den 3. marts 2026 kl. 10:30.\n\n"
          "Såfremt du er forhindret i at møde op til den planlagte undersøgelse på hospitalet, skal du hurtigst "
          "muligt kontakte afdelingens sekretariat på telefon eller via den digitale postkasse, så tiden kan gives "
          "til en anden patient, som venter på at blive undersøgt.\n")
WEEKDAY = "mandag den 3. marts 2026"
WEEKDAY_TITLE = "Ugedag passer ikke med dato"
WEEKDAY_MESSAGE = "3. marts 2026 er en tirsdag, ikke en mandag."
WEEKDAY_SUGGESTION = "Ret ugedagen eller datoen."
SMS = ("Husk din tid tirsdag den 12. januar 2027 kl. 9.30 i Øjenambulatoriet, Aarhus Universitetshospital. Kan du "
       "ikke komme, så ring på 78 45 12 34. Dit CPR: 010203-1234. Hilsen Øjenambulatoriet")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


class Served:
    """`klartjek serve ARGS` in a subprocess on a free port: its URL, and what it wrote to stderr
    (collected in the background)."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
        self.proc = subprocess.Popen([*KLARTJEK, "serve", "--port", "0", *args], cwd=ROOT, env=env, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.errors: list[str] = []
        self.reader = threading.Thread(target=lambda: self.errors.extend(self.proc.stderr), daemon=True)
        self.reader.start()
        line = self.proc.stdout.readline()
        m = re.fullmatch(r"klartjek workbench: (http://127\.0\.0\.1:\d+/) \(Ctrl-C stops it\)\n", line)
        if not m:
            self.proc.kill()
            pytest.fail(f"the workbench did not start: {line!r} {''.join(self.errors)}")
        self.url = m.group(1)

    def stop(self) -> None:
        """Ctrl-C: the server stops cleanly, exit 0, no traceback."""
        self.proc.send_signal(signal.SIGINT)
        assert self.proc.wait(timeout=30) == 0
        self.reader.join(timeout=10)
        assert self.proc.stdout.read() == "klartjek workbench: stopped\n"
        assert "Traceback" not in "".join(self.errors)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workbench")
    db = tmp / "historik.sqlite"
    served = Served("--max-upload-mb", "1", "--db", str(db))
    yield {"url": served.url, "db": db}
    served.stop()


def post(url: str, **kwargs) -> httpx.Response:
    return httpx.post(url, timeout=60, **kwargs)


def problem(html: str) -> str:
    return re.search(r'<p id="fejl-besked">(.*?)</p>', html).group(1)


def no_codes(html: str) -> bool:
    """No check code (KL016, KT006 …) anywhere an editor could see it."""
    return re.search(r"\bK[A-Z]\d{3}\b", html) is None


# -- 1. the main task, by keyboard, in Chromium ------------------------------------------------------

def test_keyboard_walk_paste_check_and_follow_a_finding(server):
    asyncio.run(_keyboard_walk(server["url"]))


async def _keyboard_walk(url: str) -> None:
    from playwright.async_api import async_playwright

    from audit.browser import find_chromium, launch

    async with async_playwright() as pw:
        browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
        try:
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            await page.goto(url)
            focused = lambda: page.evaluate(  # noqa: E731
                "[document.activeElement.id, document.activeElement.textContent.trim()]")
            await page.keyboard.press("Tab")
            assert await focused() == ["", "Gå til indholdet"]
            await page.keyboard.press("Tab")
            assert (await focused())[0] == "tekst"
            await page.keyboard.insert_text(LETTER)                  # pasted
            # the debounced re-check: the result appears without a submit, the status line says so
            await page.wait_for_selector("#resultat-overskrift", timeout=15000)
            count = await page.locator("ol.findings > li").count()
            assert count >= 5
            assert await page.locator("#status").text_content() == f"Teksten er tjekket: {count} fund."
            assert (await focused())[0] == "tekst"                    # typing goes on where it was
            await page.keyboard.press("Tab")
            assert (await focused())[0] == "fil"
            await page.keyboard.press("Tab")
            assert (await focused())[0] == "profil-patient-info"      # klarsprog.text_profile
            await page.keyboard.press("ArrowUp")
            assert (await focused())[0] == "profil-letter"
            await page.keyboard.press("Tab")
            assert await focused() == ["", "Tjek teksten"]
            async with page.expect_navigation():
                await page.keyboard.press("Enter")                   # a plain POST /
            assert await focused() == ["resultat-overskrift", "Resultat"]
            assert await page.locator("#resultat p").first.text_content() == "Tjekket: »indsat tekst« som brev."
            # "Ret disse først": the wrong weekday first (serious, and the first of the weights)
            await page.keyboard.press("Tab")
            link = await focused()
            m = re.fullmatch(rf"Fund (\d+): {WEEKDAY_TITLE}", link[1])
            assert m, link
            n = m.group(1)
            first = await page.locator("ol.first > li").first.text_content()
            assert first == f"Fund {n}: {WEEKDAY_TITLE} »{WEEKDAY}«. {WEEKDAY_SUGGESTION}"
            await page.keyboard.press("Enter")
            assert await focused() == [f"t-{n}", WEEKDAY]           # the marked place in the text
            assert await page.evaluate("document.activeElement.tagName") == "MARK"
            assert await page.evaluate("document.activeElement.className") == "k-dato"
            box = await page.evaluate("(() => { const r = document.activeElement.getBoundingClientRect();"
                                      " return [r.top, r.bottom, innerHeight]; })()")
            assert 0 <= box[0] and box[1] <= box[2]                  # scrolled into view
            # from the mark to its finding and back
            await page.keyboard.press("Tab")
            assert await focused() == ["", n]
            assert await page.evaluate("document.activeElement.getAttribute('aria-label')") == \
                f"Fund {n}: {WEEKDAY_TITLE}"
            await page.keyboard.press("Enter")
            item = await focused()
            assert item[0] == f"f-{n}"
            finding = page.locator(f"#f-{n} p")
            assert await finding.all_text_contents() == [
                f"{WEEKDAY_TITLE} (Alvorlig, dato og klokkeslæt)", f"»{WEEKDAY}«", WEEKDAY_MESSAGE,
                f"Forslag: {WEEKDAY_SUGGESTION}", f"Vis fund {n} i teksten"]
            await page.keyboard.press("Tab")
            assert await focused() == ["", f"Vis fund {n} i teksten"]
            await page.keyboard.press("Enter")
            assert await focused() == [f"t-{n}", WEEKDAY]
            # nothing but the workbench itself was asked for
            assert requests and all(r.startswith(url) for r in requests)
        finally:
            await browser.close()


# -- 2. the same without JavaScript ---------------------------------------------------------------

def test_plain_post_without_javascript_shows_the_findings(server):
    url = server["url"]
    res = post(url, data={"text": LETTER, "profile": "letter", "action": "check"})
    assert res.status_code == 200
    assert res.headers["content-security-policy"] == CSP and res.headers["cache-control"] == "no-store"
    html = res.text
    assert '<h3 id="h-first">Ret disse først</h3>' in html
    n = re.search(rf'<li><a href="#t-(\d+)">Fund \1: {WEEKDAY_TITLE}</a> »{WEEKDAY}«\. {WEEKDAY_SUGGESTION}</li>',
                  html).group(1)
    assert f'<mark class="k-dato" id="t-{n}" tabindex="-1">{WEEKDAY}</mark><sup><a href="#f-{n}" ' \
           f'aria-label="Fund {n}: {WEEKDAY_TITLE}">{n}</a></sup>' in html
    assert f'<li id="f-{n}" tabindex="-1">' in html and f"<p>{WEEKDAY_MESSAGE}</p>" in html
    assert f'<p class="suggestion"><strong>Forslag:</strong> {WEEKDAY_SUGGESTION}</p>' in html
    assert f'<p><a href="#t-{n}">Vis fund {n} i teksten</a></p>' in html
    assert '<li><mark class="k-dato">Dato og klokkeslæt</mark>: ugedage, datoer og klokkeslæt (2 fund)</li>' in html
    assert re.search(r"<p>LIX \(mål for læsbarhed\) \d+,\d \((svær|meget svær)\); uden overskrifter", html)
    assert "Sigt efter en LIX på højst 35 for denne slags tekst." in html       # [klarsprog.profiles.letter]
    assert '<p id="status" class="status" role="status">Teksten er tjekket: ' in html
    assert no_codes(html)
    # everything the page loads or links to is the workbench's own
    assert sorted(set(re.findall(r'(?:src|href|action)="([^"#][^"]*)"', html))) == \
        ["/", "/static/favicon.svg", "/static/marks.css", "/static/workbench.css", "/static/workbench.js"]
    # the text is escaped wherever it is shown; the fragment for the script has the result alone
    evil = "<script>alert('x')</script> Du bedes møde kl. 10:30."
    res = post(url + "check", data={"text": evil, "profile": "web"})
    assert res.status_code == 200 and res.text.lstrip().startswith('<section class="results"')
    assert "<script>" not in res.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in res.text
    assert 'data-status="Teksten er tjekket: ' in res.text and "<html" not in res.text
    # another host name (DNS rebinding) is refused
    assert httpx.get(url, headers={"Host": "evil.example"}).status_code == 400


# -- 3. klartjek's own audit, empty and with a result -------------------------------------------------

@pytest.mark.parametrize("viewport", ["320x640", "1280x900"])
def test_the_page_passes_klartjeks_own_audit(server, tmp_path, viewport):
    journey = tmp_path / "workbench.yml"
    value, expected = json.dumps(LETTER, ensure_ascii=False), json.dumps(WEEKDAY_MESSAGE, ensure_ascii=False)
    journey.write_text(f"""name: workbench
start: {server['url']}
viewport: {viewport}
steps:
  - goto: {server['url']}
  - audit: tom
  - fill: {{label: Din tekst, value: {value}}}
  - wait_for: {{text: Ret disse først}}
  - audit: mens-du-skriver
  - click: {{role: button, name: Tjek teksten}}
  - expect: {{text: {expected}}}
  - audit: resultat
""", encoding="utf-8")
    res = run_cli("journey", str(journey), "--best-practices", "--json", str(tmp_path / "a.json"),
                  "--db", str(tmp_path / "h.sqlite"), "--fail-on", "minor")
    run = load_json(tmp_path / "a.json")
    assert [(d["journey"]["state"], d["status"]) for d in run["documents"]] == \
        [("tom", "ok"), ("mens-du-skriver", "ok"), ("resultat", "ok")]
    findings = [(d["journey"]["state"], r["code"], f["outcome"], f["target"]) for d in run["documents"]
                for r in d["results"] for f in r["findings"]]
    assert findings == [] and res.returncode == 0, res.stdout
    assert all(len(d["results"]) > 100 for d in run["documents"])     # every check ran in every state


# -- 4. uploads and bad input --------------------------------------------------------------------

def test_a_word_letter_is_read_and_its_language_checked(server):
    import docx

    d = docx.Document()
    d.add_heading("Indkaldelse til undersøgelse", 1)
    d.add_paragraph(f"Du bedes møde på hospitalet {WEEKDAY} kl. 10:30.")
    buf = io.BytesIO()
    d.save(buf)
    res = post(server["url"], files={"file": ("brev.docx", buf.getvalue())},
               data={"text": "", "profile": "letter", "action": "check"})
    assert res.status_code == 200
    html = res.text
    assert "<p>Tjekket: »brev.docx« som brev.</p>" in html and f"<p>{WEEKDAY_MESSAGE}</p>" in html
    assert "Vi tjekker kun sproget i en fil, ikke om selve PDF- eller Word-filen er tilgængelig." in html
    # the text read from the file is in the text box, to edit and check again
    assert re.search(r'<textarea[^>]*>Indkaldelse til undersøgelse\n\nDu bedes møde på hospitalet '
                     rf'{WEEKDAY} kl\. 10:30\.</textarea>', html)


@pytest.mark.parametrize("name, data, status, message", [
    ("stor.txt", b"ord " * 400_000, 413, "Filen eller teksten er for stor. Den må højst fylde 1 megabyte."),
    ("lige-over.txt", b"a" * (1024 * 1024 + 1), 413, "Filen eller teksten er for stor. Den må højst fylde 1 "
     "megabyte."),
    ("billede.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 415, "Vi kan ikke læse filer som »billede.png«. Vælg "
     "en Word-fil (.docx), en PDF, en Digital Post-besked (.xml) eller en tekstfil (.txt, .md, .html)."),
    ("noter.txt", b"Hej\x00\x01\x02", 415, "»noter.txt« er ikke en tekstfil. Vælg en tekstfil, en Word-fil eller "
     "en PDF."),
    ("brev.pdf", b"PK\x03\x04 a zip file", 415, "»brev.pdf« hedder .pdf, men indholdet passer ikke til det. Gem "
     "filen igen, og prøv igen."),
    ("brev.docx", b"PK\x03\x04 not really a docx", 400, "Vi kunne ikke læse »brev.docx«. Filen er måske ødelagt. "
     "Gem den igen, og prøv igen."),
    ("tom.txt", b"", 400, "Filen »tom.txt« er tom. Vælg en fil med tekst i."),
])
def test_bad_uploads_are_one_line_on_the_page_with_the_form(server, name, data, status, message):
    res = post(server["url"], files={"file": (name, data)}, data={"text": "Min tekst", "profile": "web"})
    assert res.status_code == status
    html = res.text
    assert problem(html) == message and "Traceback" not in html
    assert '<form id="tjek" method="post" action="/"' in html and 'id="fil" name="file"' in html
    assert re.search(r'<input type="file" id="fil"[^>]* aria-describedby="fil-hjaelp fejl-besked" '
                     r'aria-invalid="true">', html)
    assert '<div id="resultat">' in html and 'class="results"' not in html


def test_an_empty_text_is_a_message_by_its_field(server):
    res = post(server["url"], data={"text": "  \n ", "profile": "web", "action": "check"})
    assert res.status_code == 400 and problem(res.text) == "Skriv en tekst, sæt den ind, eller vælg en fil."
    assert re.search(r'<textarea [^>]*aria-describedby="tekst-hjaelp fejl-besked" aria-invalid="true">', res.text)
    res = post(server["url"] + "check", data={"text": "", "profile": "web"})
    assert res.status_code == 400 and "<p>Skriv en tekst, sæt den ind, eller vælg en fil.</p>" in res.text


# -- 5. an SMS ---------------------------------------------------------------------------------------

def test_sms_with_a_cpr_number_shows_the_finding_and_never_the_digits(server):
    pages = {}
    for path in ("", "check"):             # the page, and the result alone as the script gets it
        res = post(server["url"] + path, data={"text": SMS, "profile": "sms", "action": "check"})
        assert res.status_code == 200
        html = res.text
        assert "<p>SMS: GSM 7-bit, 187 tegn med de længste værdier → 2 sms&#39;er (153 tegn pr. del)</p>" in html
        n = re.search(r'<li id="f-(\d+)" tabindex="-1">\n<p><strong>Beskeden viser et CPR-nummer</strong> '
                      r'\(Kritisk, sms\)</p>\n<p class="excerpt">»010203-\*\*\*\*«</p>', html).group(1)
        assert re.search(rf'<ol class="first">\n<li><a href="#t-{n}">Fund {n}: Beskeden viser et CPR-nummer</a>',
                         html)
        assert "<p>Vi har skjult de sidste fire cifre i et CPR-nummer.</p>" in html
        assert "1234" not in html.replace("78 45 12 34", "") and no_codes(html)
        pages[path] = html
    assert "Dit CPR: 010203-****. Hilsen Øjenambulatoriet</textarea>" in pages[""]      # the text box too
    # the text box given back with a problem: the number blanked there too
    res = post(server["url"], data={"text": SMS + " {ukendt}", "profile": "sms", "action": "check"})
    assert res.status_code == 400 and problem(res.text) == (
        "Vi kender ikke den længste værdi af {ukendt}. Skriv en værdi i stedet, eller sæt den i [sms] values i "
        "konfigurationen.")
    assert "010203-1234" not in res.text and "Dit CPR: 010203-****. Hilsen Øjenambulatoriet {ukendt}</textarea>" \
        in res.text


# -- 6. nothing stored unless asked ------------------------------------------------------------------

def test_nothing_is_stored_until_the_editor_saves(server):
    from audit.store import Store

    url, db = server["url"], server["db"]
    post(url, data={"text": LETTER, "profile": "letter", "action": "check"})
    post(url + "check", data={"text": LETTER, "profile": "letter", "action": "save"})     # the script never saves
    post(url, files={"file": ("brev.txt", LETTER.encode())}, data={"profile": "web"})
    assert not db.exists()
    res = post(url, data={"text": LETTER, "profile": "letter", "action": "save"})
    assert res.status_code == 200
    run_id = re.search(r'<p class="saved">Gemt i historikken som kørsel ([\w-]+)\. Du kan se den igen med '
                       r'»klartjek show \1«\.</p>', res.text).group(1)
    store = Store(str(db))
    try:
        runs = store.list_runs()
        assert [(r["id"], r["status"], r["n"]) for r in runs] == [(run_id, "complete", 1)]
        doc = store.load_run(run_id).documents[0]
    finally:
        store.close()
    assert (doc.kind, doc.path, doc.readability["profile"]) == ("text", "indsat tekst", "letter")
    shown = len(re.findall(r'<li id="f-\d+"', res.text))
    assert sum(len(r.findings) for r in doc.results) == shown > 0


def test_fix_first_ranks_impact_then_weight_and_gives_the_same_advice_once():
    from core.model import CheckResult, Document, Finding
    from reports.text_report import rank_findings

    def result(code: str, impact: str, *spans, advice: str = "") -> CheckResult:
        return CheckResult(code, code.lower(), "failed", impact, findings=[
            Finding("failed", f"text:{a}-{b}", "", {"da": code, "en": code}, impact, span=[a, b], excerpt=code,
                    suggestion={"da": advice or code, "en": advice or code}) for a, b in spans])

    doc = Document(kind="text", results=[
        result("KL006", "minor", (10, 15), advice="Skriv en direkte opfordring."),         # passive »bedes«
        result("KL013", "minor", (10, 15), (30, 35), (40, 45), advice="Skriv en direkte opfordring."),
        result("KL003", "moderate", (0, 50)), result("KL015", "moderate", (20, 25)),
        result("KT006", "critical", (60, 71)), result("KL016", "serious", (5, 8))])
    ranked = [(r.code, f.span) for _, r, f in rank_findings(doc)]
    assert ranked == [("KT006", [60, 71]), ("KL016", [5, 8]), ("KL003", [0, 50]), ("KL015", [20, 25]),
                      ("KL013", [10, 15]), ("KL013", [30, 35]), ("KL013", [40, 45]), ("KL006", [10, 15])]
    # at most two of one check; »bedes« once, with the officialese finding (the heavier check)
    assert [(r.code, f.span) for _, r, f in rank_findings(doc, 10)] == ranked[:6]
    assert [(r.code, f.span) for _, r, f in rank_findings(doc, 3)] == ranked[:3]


def test_the_ranking_is_documented_in_its_order():
    from reports.text_report import FIX_ORDER, LEGEND

    doc = (ROOT / "docs" / "workbench.md").read_text(encoding="utf-8")
    table = doc[doc.index("### Ret disse først"):doc.index("## Privacy")]
    assert re.findall(r"K[LT]\d{3}", table) == list(FIX_ORDER)
    legend = doc[doc.index("### The marks"):doc.index("### Ret disse først")]
    for kind in LEGEND[:-1]:
        assert f"| {kind.label['da']} |" in legend


# -- 7. another address than 127.0.0.1 ----------------------------------------------------------------

def test_listening_beyond_this_machine_warns(tmp_path):
    from workbench.server import allowed_hosts, warning

    assert warning("127.0.0.1") is None and warning("localhost") is None
    assert allowed_hosts("127.0.0.1") == ("127.0.0.1", "localhost")
    served = Served("--host", "0.0.0.0", "--db", str(tmp_path / "h.sqlite"))
    try:
        assert httpx.get(served.url).status_code == 200
    finally:
        served.stop()
    assert served.errors[0] == ("klartjek: warning: the workbench listens on 0.0.0.0, so others on the network can "
                                "reach it and the texts checked in it; use --host 127.0.0.1 to keep it to this "
                                "machine\n")
    assert not (tmp_path / "h.sqlite").exists()
    res = run_cli("serve", "--host", "::1")
    assert res.returncode == 2 and res.stderr.strip() == (
        "klartjek: --host ::1: give an IPv4 address or a host name, such as 127.0.0.1 or localhost")
