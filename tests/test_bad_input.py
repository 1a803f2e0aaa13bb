"""Bad input: one clear line naming the target and the cause, the others still audited, exit 2."""
import socket

from conftest import html_page, load_json, run_cli

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
       b"\x00\x00IEND\xaeB`\x82")


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_each_bad_target_is_one_line_and_the_rest_is_audited(local_server, tmp_path):
    srv = local_server({
        "/ok.html": (200, "text/html; charset=utf-8", html_page("<p>Velkommen.</p>"), 0),
        "/logo.png": (200, "image/png", PNG, 0),
        "/slow.html": (200, "text/html", html_page("<p>Langsom</p>"), 8),
    })
    dead = f"http://127.0.0.1:{closed_port()}/"
    missing = str(tmp_path / "findes-ikke.html")
    res = run_cli("audit", dead, srv.url("/mangler.html"), srv.url("/logo.png"), missing,
                  srv.url("/slow.html"), srv.url("/ok.html"), "--timeout", "2",
                  "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    run = load_json(tmp_path / "r.json")
    assert run["status"] == "partial"
    errors = {(d["url"] or d["path"]): d["error"] for d in run["documents"] if d["status"] == "error"}
    assert errors == {
        dead: f"{dead}: connection refused; is the server running?",
        srv.url("/mangler.html"): f"{srv.url('/mangler.html')}: the server answered 404 Not Found; check the URL",
        srv.url("/logo.png"): f"{srv.url('/logo.png')}: not an HTML page (content type image/png); "
                              "klartjek audits web pages here",
        missing: f"{missing}: no such file or folder; check the path",
        srv.url("/slow.html"): f"{srv.url('/slow.html')}: the page did not finish loading within 2 s; "
                               "check the page or raise --timeout",
    }
    ok = [d for d in run["documents"] if d["status"] == "ok"]
    assert [d["url"] for d in ok] == [srv.url("/ok.html")] and ok[0]["score"] == 100.0
    # documents keep the order of the targets
    assert [d["url"] or d["path"] for d in run["documents"]] == [
        dead, srv.url("/mangler.html"), srv.url("/logo.png"), missing, srv.url("/slow.html"),
        srv.url("/ok.html")]
    for message in errors.values():
        assert message in res.stdout.replace("\n", "") or message in res.stderr.replace("\n", "")
    assert res.stdout.splitlines()[-1].endswith("; 5 target(s) could not be audited; the run is partial (exit 2)")
    assert "[6/6]" in res.stderr and "[7/" not in res.stderr        # the progress counts every target


def test_invalid_db_is_one_line_and_exit_2(tmp_path):
    res = run_cli("audit", "fixtures/site/index.html", "--db", "nosuchdb://x")
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0, res.stderr
    assert res.stderr.startswith("klartjek: --db 'nosuchdb://x' is not a usable database URL")
    assert "Traceback" not in res.stderr


def test_usage_errors_exit_2_without_traceback(tmp_path):
    res = run_cli("audit", "fixtures/site/index.html", "--level", "Z", "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 2
    assert "Invalid value for '--level': Value error, 'Z' is not one of 'A', 'AA', 'AAA'" in res.stderr
    res = run_cli("audit", "--no-such-option", "x")
    assert res.returncode == 2 and "No such option" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("show", "nope", "--db", str(tmp_path / "h.sqlite"))
    assert res.returncode == 2 and "no stored run 'nope'" in res.stderr


def test_non_html_file_and_empty_folder(tmp_path):
    (tmp_path / "brev.txt").write_text("Kære borger")
    (tmp_path / "tom").mkdir()
    res = run_cli("audit", str(tmp_path / "brev.txt"), str(tmp_path / "tom"), "--db",
                  str(tmp_path / "h.sqlite"), cwd=tmp_path)
    assert res.returncode == 2
    assert "brev.txt: not an HTML file; give a .html file, a folder or a URL" in res.stdout.replace("\n", "")
    assert "tom: the folder holds no .html files" in res.stdout.replace("\n", "")
