"""Nothing outside 127.0.0.1 is contacted during an audit: proved with Chromium's own network log.

Chromium writes every network event of the browser (its own calls home included) to a NetLog when
started with --log-net-log. The tests read it and check every TCP connection attempt, every UDP
datagram and every DNS job.
"""
import ipaddress
import json

from conftest import html_page, load_json, run_cli

EXTERNAL = [
    "https://cdn.klartjek-test.invalid/logo.png",
    "http://scripts.klartjek-test.invalid/app.js",
    "https://fonts.klartjek-test.invalid/font.css",
]
PAGE = html_page(f'<img src="{EXTERNAL[0]}" alt="Logo"><script src="{EXTERNAL[1]}"></script>'
                 f'<link rel="stylesheet" href="{EXTERNAL[2]}"><p>Tekst.</p>')


def read_netlog(path):
    log = json.loads(path.read_text())
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    return [(names[e["type"]], e.get("params") or {}) for e in log["events"]]


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    return ipaddress.ip_address(host).is_loopback


def audit_with_netlog(tmp_path, urls, block_external=True):
    netlog = tmp_path / "net.json"
    (tmp_path / "klartjek.toml").write_text(
        "[browser]\nargs = [\"--log-net-log=%s\", \"--net-log-capture-mode=Everything\"]\n" % netlog)
    res = run_cli("audit", *urls, "--config", str(tmp_path / "klartjek.toml"), "--json",
                  str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"),
                  block_external=block_external)
    assert res.returncode in (0, 1), res.stderr
    return read_netlog(netlog), load_json(tmp_path / "r.json")


def assert_nothing_left_loopback(events):
    tcp = [p["address"] for t, p in events if t == "TCP_CONNECT_ATTEMPT" and "address" in p]
    assert tcp and all(is_loopback(a) for a in tcp), tcp
    # UDP: Chromium connect()s a UDP socket to a public address to learn whether IPv6 is
    # routable; that sends nothing. No datagram may leave for any non-loopback address.
    sent = [t for t, p in events if t in ("UDP_BYTES_SENT", "UDP_SEND_ERROR")]
    assert sent == []
    dns = [t for t, p in events if t in ("HOST_RESOLVER_MANAGER_JOB", "HOST_RESOLVER_DNS_TASK",
                                          "HOST_RESOLVER_SYSTEM_TASK", "DNS_TRANSACTION")]
    assert dns == []


def test_block_external_blocks_page_requests_and_the_browsers_own(local_server, tmp_path):
    srv = local_server({"/side.html": (200, "text/html; charset=utf-8", PAGE, 0)})
    events, run = audit_with_netlog(tmp_path, [srv.url("/side.html")])
    assert_nothing_left_loopback(events)
    requested = {p["url"] for t, p in events if t == "URL_REQUEST_START_JOB" and "url" in p}
    assert set(EXTERNAL) <= requested                      # the page did try them …
    proxies = {p["proxy_info"] for t, p in events if t == "PROXY_RESOLUTION_SERVICE_RESOLVED_PROXY_LIST"}
    assert "PROXY 127.0.0.1:9" in proxies                  # … and the PAC sent them to the dead proxy
    assert run["blocked_requests"] == 3 and run["documents"][0]["blocked_requests"] == 3
    assert run["documents"][0]["status"] == "ok"


def test_without_block_external_the_browser_still_cannot_call_home(local_server, tmp_path):
    srv = local_server({"/side.html": (200, "text/html; charset=utf-8", html_page("<p>Hej.</p>"), 0)})
    events, run = audit_with_netlog(tmp_path, [srv.url("/side.html")], block_external=False)
    assert_nothing_left_loopback(events)
    own = {p["url"].split("/")[2] for t, p in events if t == "URL_REQUEST_START_JOB"
           and "url" in p and "127.0.0.1" not in p["url"]}
    # Whatever Chromium tried on its own (update and account hosts, when it tries in time) was
    # among the call-home hosts the PAC blocks, since no connection left loopback.
    assert own <= {"update.googleapis.com", "accounts.google.com", "clients2.google.com",
                   "optimizationguide-pa.googleapis.com", "redirector.gvt1.com"}, own
    assert run["documents"][0]["status"] == "ok"
