"""Skipping audio and video downloads (browser.skip_media, on by default) leaves the results of an
audit identical. The video is a real WebM recorded by Chromium's MediaRecorder, the audio a real
WAV written by the standard library."""
import asyncio
import base64
import io
import wave

from conftest import load_json, run_cli

RECORD_WEBM = """
async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 640; canvas.height = 360;
  const ctx = canvas.getContext('2d');
  const stream = canvas.captureStream(25);
  const rec = new MediaRecorder(stream, {mimeType: 'video/webm'});
  const chunks = [];
  rec.ondataavailable = e => chunks.push(e.data);
  const done = new Promise(r => rec.onstop = r);
  rec.start();
  for (let i = 0; i < 12; i++) {
    ctx.fillStyle = i % 2 ? '#0b4f8a' : '#6a8'; ctx.fillRect(0, 0, 640, 360);
    await new Promise(r => setTimeout(r, 40));
  }
  rec.stop(); await done;
  const buf = new Uint8Array(await new Blob(chunks, {type: 'video/webm'}).arrayBuffer());
  let s = ''; for (const b of buf) s += String.fromCharCode(b);
  return btoa(s);
}
"""


def webm() -> bytes:
    async def record():
        from playwright.async_api import async_playwright

        from audit.browser import find_chromium, launch

        async with async_playwright() as pw:
            browser = await launch(pw, find_chromium("", pw.chromium.executable_path), None)
            try:
                page = await browser.new_page()
                await page.set_content("<!doctype html><title>optagelse</title>")
                return base64.b64decode(await page.evaluate(RECORD_WEBM))
            finally:
                await browser.close()

    return asyncio.run(record())


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"\x00\x00" * 8000)
    return out.getvalue()


PAGE = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Film om din operation</title>
</head><body><main><h1>Film om din operation</h1>
<p>Se filmen før du kommer. Den varer et minut.</p>
<video src="/film.webm" controls></video>
<p class="lys" style="color:#999">Filmen er uden tale.</p>
<audio src="/lyd.wav" controls></audio>
<video src="/film.webm" controls width="320" height="180"><track kind="captions" src="/film.vtt" srclang="da"
 label="Dansk"></video>
<button style="width:20px;height:20px;padding:0">x</button>
</main></body></html>"""


def test_skipping_media_leaves_results_identical(local_server, tmp_path):
    video, audio = webm(), wav()
    assert video[:4] == b"\x1a\x45\xdf\xa3" and len(video) > 1000        # an EBML (WebM) file
    routes = {
        "/": (200, "text/html; charset=utf-8", PAGE.encode(), 0),
        "/film.webm": (200, "video/webm", video, 0),
        "/lyd.wav": (200, "audio/wav", audio, 0),
        "/film.vtt": (200, "text/vtt", b"WEBVTT\n\n00:00.000 --> 00:00.400\nLys\n", 0),
    }
    runs = {}
    for skip in (False, True):
        # a server for each run, so each run's requests are counted apart
        srv = local_server(routes)
        cfg = tmp_path / f"skip-{skip}.toml"
        cfg.write_text(f"[browser]\nskip_media = {'true' if skip else 'false'}\n")
        res = run_cli("audit", srv.url("/"), "--config", str(cfg), "--json", str(tmp_path / f"{skip}.json"),
                      "--db", str(tmp_path / f"{skip}.sqlite"), "--workers", "1")
        assert res.returncode in (0, 1), res.stderr
        media = [p for p, _ in srv.httpd.seen if p.endswith((".webm", ".wav"))]
        if skip:
            assert media == []
        else:
            assert "/film.webm" in media and "/lyd.wav" in media
        doc = load_json(tmp_path / f"{skip}.json")["documents"][0]
        assert doc["status"] == "ok"
        runs[skip] = [(r["code"], r["outcome"], [(f.get("target"), f.get("message")) for f in r["findings"]])
                      for r in doc["results"]]
    assert runs[True] == runs[False]
    found = {code: (outcome, [t for t, _ in findings]) for code, outcome, findings in runs[True] if findings}
    # a layout-dependent rule (colour contrast, after a video whose size comes from its data) and
    # the media rule (a video without captions) both had something to judge
    assert found == {"KA034": ("failed", [".lys"]), "KA105": ("cant_tell", ["video:nth-child(3)"])}


AUTOPLAY_PAGE = """<!doctype html><html lang="da"><head><meta charset="utf-8"><title>Velkommen</title>
</head><body><main><h1>Velkommen</h1>
<p>Her kan du bestille tid til pas og kørekort.</p>
<audio src="/hilsen.wav" autoplay></audio>
<video src="/film.webm" controls></video>
</main></body></html>"""


def test_media_that_plays_by_itself_is_still_downloaded(local_server, tmp_path):
    """The sources of autoplaying media pass (their length is what axe-core's no-autoplay-audio and
    klartjek's KW050 judge, and axe-core would wait 10 s for them); the others are still skipped."""
    import time

    out = io.BytesIO()
    with wave.open(out, "wb") as w:          # six seconds of sound
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(4000)
        w.writeframes(b"\x80\xc0" * 12000)
    routes = {
        "/": (200, "text/html; charset=utf-8", AUTOPLAY_PAGE.encode(), 0),
        "/hilsen.wav": (200, "audio/wav", out.getvalue(), 0),
        "/film.webm": (200, "video/webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 64, 0),
    }
    runs = {}
    for skip in (False, True):
        srv = local_server(routes)
        cfg = tmp_path / f"skip-{skip}.toml"
        cfg.write_text(f"[browser]\nskip_media = {'true' if skip else 'false'}\n")
        start = time.monotonic()
        res = run_cli("audit", srv.url("/"), "--config", str(cfg), "--json", str(tmp_path / f"{skip}.json"),
                      "--db", str(tmp_path / f"{skip}.sqlite"), "--workers", "1")
        took = time.monotonic() - start
        assert res.returncode in (0, 1), res.stderr
        media = [p for p, _ in srv.httpd.seen if p.endswith((".webm", ".wav"))]
        assert "/hilsen.wav" in media
        if skip:
            assert "/film.webm" not in media
            assert took < 9, took              # axe-core did not wait out its 10 s for the sound
        doc = load_json(tmp_path / f"{skip}.json")["documents"][0]
        runs[skip] = {r["code"]: (r["outcome"], [f.get("target") for f in r["findings"]]) for r in doc["results"]
                      if r["code"] in ("KA083", "KW050")}
    assert runs[True] == runs[False] == {"KA083": ("cant_tell", ["audio"]), "KW050": ("failed", ["audio"])}
