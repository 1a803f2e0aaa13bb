#!/usr/bin/env python3
"""Run a peer accessibility tool (pa11y-ci or @axe-core/cli) on a list of URLs, for the benchmark.

    bash bench/peers.sh install            # once: the tools into bench/.peers (no browser download)
    python bench/peers.py pa11y-ci URLS_FILE PAC_URL --out RESULT.json
    python bench/peers.py axe-cli  URLS_FILE PAC_URL --out RESULT.json
    python bench/peers.py pac > SITE/proxy.pac   # the PAC text, to serve from the bench site

URLS_FILE has one URL a line (blank lines and lines starting with # are skipped). PAC_URL is an
http://127.0.0.1:PORT/... (or localhost) URL serving klartjek's loopback-only PAC script
(audit.browser.pac_script), or `auto` to have this script serve it itself for the run. Both tools
drive the system Chromium (--chromium, default /usr/bin/chromium) with that PAC, so every request
the browser makes, its own calls home included, goes either DIRECT to loopback or to the dead
proxy 127.0.0.1:9. The PAC travels as an http URL, not a data: URL, because @axe-core/cli splits
--chrome-options on commas and semicolons. Chromium falls back to DIRECT when it cannot fetch the
PAC, so the URL is fetched, and must serve exactly that PAC, before the tool starts.

RESULT.json: {"tool", "pages": pages the tool reported results for, "violations": violation nodes
of rules tagged wcag2a/wcag2aa/wcag21a/wcag21aa/wcag22aa (confirmed violations only, not axe's
"incomplete"), "wall_s": the tool's own wall time (its process, start to exit, browser start-up
included; summed when axe-cli had to be started again), plus details: per-rule counts, failed
URLs, the tool's own count, the rule tags it ran, axe-core version, the exact commands}.

Proof that nothing left loopback: --netlog FILE has Chromium write its net log (every socket,
connection attempt, DNS job and request of the browser, its own included), --watch samples the
sockets of the tool's whole process tree (node, chromedriver, Chromium) every 50 ms; either one also
compares this network namespace's counters before and after (packets out of any non-loopback
interface, less the kernel's own IPv6 neighbour discovery; UDP datagrams sent). They add a
"network" section; a non-loopback connection, byte or DNS job of the tool's makes the exit code 3.
The counters cover the whole machine, so a change there is only a warning ("machine_quiet": false).

Whatever the tool leaves running (a browser orphaned by a crashed @axe-core/cli, Puppeteer's
detached browser) is ended afterwards by pid; the result lists those pids.

Stdlib only (Python 3.11); the PAC logic is imported from the repository's audit/browser.py.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from audit.browser import BASE_ARGS, pac_script  # noqa: E402  (stdlib-only module)

PEERS = ROOT / "bench" / ".peers"
BIN = PEERS / "node_modules" / ".bin"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
TOOLS = ("pa11y-ci", "axe-cli")


# --- the PAC --------------------------------------------------------------------------------------

def pac_text() -> str:
    """Loopback-only PAC: DIRECT for 127.0.0.1/localhost/::1, the dead proxy for every other host."""
    return pac_script([])


class _PacHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        body = pac_text().encode()
        if urllib.parse.urlsplit(self.path).path != "/proxy.pac":
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ns-proxy-autoconfig")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def serve_pac() -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PacHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/proxy.pac"


def die(message: str) -> None:
    print(f"peers.py: {message}", file=sys.stderr)
    sys.exit(2)


def check_pac(url: str) -> None:
    """Refuse a PAC URL that is not on loopback or does not serve a PAC: Chromium would go DIRECT."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_NAMES:
        die(f"PAC_URL must be http://127.0.0.1:PORT/... or http://localhost:PORT/..., not {url!r}")
    if any(c in url for c in ",; "):
        die("PAC_URL must not contain ',', ';' or spaces (@axe-core/cli splits --chrome-options on them)")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as resp:
            body = resp.read().decode("utf-8", "replace")
    except OSError as exc:
        die(f"cannot fetch the PAC at {url}: {exc}")
    if body.strip() != pac_text().strip():
        die(f"{url} does not serve klartjek's loopback-only PAC; serve the output of "
                 "`python bench/peers.py pac` there, or pass PAC_URL auto")


def browser_args(pac_url: str, netlog: str | None) -> list[str]:
    args = ["--no-sandbox", *BASE_ARGS, f"--proxy-pac-url={pac_url}"]
    if netlog:
        args += [f"--log-net-log={netlog}", "--net-log-capture-mode=Default"]
    return args


# --- network proof --------------------------------------------------------------------------------

def _is_loopback(addr: str) -> bool:
    host = addr
    m = re.match(r"^\[(.*)\](?::\d+)?$", addr)
    if m:
        host = m.group(1)
    elif addr.count(":") == 1:
        host = addr.rsplit(":", 1)[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in LOOPBACK_NAMES


def read_netlog(path: str) -> dict:
    """What Chromium's net log shows of its traffic: the peer of every socket it connected (TCP) or
    connect()ed (UDP: a route lookup that sends nothing; Chromium's IPv6 reachability probe is one)
    and the bytes it sent on each, every host it actually resolved (a resolver job, not a cache-only
    lookup), every non-loopback URL it requested. Tolerates a log cut short by a killed browser."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    source_types = {v: k for k, v in log["constants"]["logSourceType"].items()}
    peer: dict[int, str] = {}            # socket source id -> remote address
    kind: dict[int, str] = {}            # socket source id -> tcp | udp
    sent: dict[int, int] = {}            # socket source id -> bytes sent
    parent: dict[int, int] = {}          # UDP_SOCKET -> UDP_CLIENT_SOCKET and the like
    resolver_jobs, urls, udp_sent = set(), set(), 0
    for ev in log.get("events", []):
        name = names.get(ev.get("type"), "")
        params = ev.get("params") or {}
        sid = ev["source"]["id"]
        dep = (params.get("source_dependency") or {}).get("id")
        if name == "SOCKET_ALIVE" and dep is not None:
            parent[sid] = dep
        if name in ("TCP_CONNECT_ATTEMPT", "TCP_CONNECT", "UDP_CONNECT", "SOCKET_CONNECT"):
            addr = params.get("address") or (params.get("address_list") or [None])[0]
            if isinstance(addr, str):
                peer[sid] = addr
                kind[sid] = "udp" if "UDP" in source_types.get(ev["source"]["type"], "") else "tcp"
        if name in ("SOCKET_BYTES_SENT", "UDP_BYTES_SENT"):
            sent[sid] = sent.get(sid, 0) + int(params.get("byte_count", 0) or 0)
        if name in ("UDP_BYTES_SENT", "UDP_SEND_ERROR"):
            udp_sent += 1
        if name in ("HOST_RESOLVER_MANAGER_JOB", "HOST_RESOLVER_DNS_TASK", "HOST_RESOLVER_SYSTEM_TASK",
                    "HOST_RESOLVER_MANAGER_CREATE_JOB", "DNS_TRANSACTION"):
            resolver_jobs.add(str(params.get("host", name)))
        if name == "URL_REQUEST_START_JOB" and isinstance(params.get("url"), str):
            url = params["url"]
            if (urllib.parse.urlsplit(url).hostname or "") not in LOOPBACK_NAMES and ":" in url.split("/")[0]:
                if url.startswith(("http:", "https:", "ws:", "wss:")):
                    urls.add(url.split("?")[0])

    def peer_of(sid: int) -> str | None:
        seen = set()
        while sid not in peer and sid in parent and sid not in seen:
            seen.add(sid)
            sid = parent[sid]
        return peer.get(sid)

    for sid in list(sent):
        p = peer_of(sid)
        if p and sid not in peer:
            peer[sid], kind[sid] = p, kind.get(sid, "tcp")
    non_tcp = sorted({a for s, a in peer.items() if kind[s] == "tcp" and not _is_loopback(a)})
    non_udp = sorted({a for s, a in peer.items() if kind[s] == "udp" and not _is_loopback(a)})
    bytes_out = sum(n for s, n in sent.items() if (peer_of(s) and not _is_loopback(peer_of(s))))
    hosts = sorted(h for h in resolver_jobs
                   if re.sub(r"^\w+://", "", h).split("/")[0].rsplit(":", 1)[0].strip("[]") not in LOOPBACK_NAMES)
    return {
        "events": len(log.get("events", [])),
        "peers": sorted(set(peer.values())),
        "non_loopback_tcp_connects": non_tcp,
        "non_loopback_udp_connects": non_udp,
        "bytes_sent_to_non_loopback": bytes_out,
        "bytes_sent_total": sum(sent.values()),
        "udp_datagrams_sent": udp_sent,
        "non_loopback_dns_jobs": hosts,
        "non_loopback_requests_sent_to_dead_proxy": sorted(urls),
    }


NDP_COUNTERS = ("Icmp6OutNeighborSolicits", "Icmp6OutNeighborAdvertisements", "Icmp6OutRouterSolicits",
                "Icmp6OutMLDv2Reports")


def net_counters() -> dict[str, int]:
    """Counters of this network namespace, read before and after a run: packets sent through any
    non-loopback interface, the kernel's own IPv6 neighbour discovery among them (it solicits its
    router every minute or so, idle or not), and UDP datagrams sent (loopback included)."""
    out = {"tx_packets_non_lo": 0, "kernel_ndp_packets": 0}
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        iface, data = (x.strip() for x in line.split(":", 1))
        if iface == "lo":
            continue
        out["tx_packets_non_lo"] += int(data.split()[9])
        try:
            for row in Path(f"/proc/net/dev_snmp6/{iface}").read_text().splitlines():
                key, _, value = row.partition(" ")
                if key in NDP_COUNTERS:
                    out["kernel_ndp_packets"] += int(value)
        except OSError:
            pass
    snmp = Path("/proc/net/snmp").read_text().splitlines()
    for a, b in zip(snmp, snmp[1:], strict=False):
        if a.startswith("Udp:") and b.startswith("Udp:") and not b.split()[1].isalpha():
            out["udp_out_datagrams"] = int(dict(zip(a.split()[1:], b.split()[1:], strict=True))["OutDatagrams"])
    for line in Path("/proc/net/snmp6").read_text().splitlines():
        if line.startswith("Udp6OutDatagrams"):
            out["udp6_out_datagrams"] = int(line.split()[1])
    return out


def _procs() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, start time) of every process."""
    out = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                out[int(pid)] = (int(fields[1]), fields[19])
            except (OSError, IndexError, ValueError):
                continue
    return out


def _proc_net() -> dict[str, str]:
    """socket inode -> remote address, from /proc/net/{tcp,tcp6,udp,udp6}."""
    table = {}
    for kind in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/net/{kind}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            rem_hex, port_hex = f[2].split(":")
            raw = bytes.fromhex(rem_hex)
            if len(raw) == 4:
                ip = ipaddress.IPv4Address(raw[::-1])
            else:  # four little-endian 32-bit words
                ip = ipaddress.IPv6Address(b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))
                if ip.ipv4_mapped:
                    ip = ip.ipv4_mapped
            port = int(port_hex, 16)
            if port or not ip.is_unspecified:  # listening / unconnected sockets have 0.0.0.0:0
                table[f[9]] = f"{kind}:{ip}:{port}"
    return table


class Watch:
    """Follows the process trees of the commands it is given, so that whatever they leave running
    (a browser orphaned by a crashed tool, one launched detached by Puppeteer) can be ended by pid
    afterwards; with sockets=True it also samples, every 50 ms, the remote address of every socket
    those processes hold."""

    def __init__(self, sockets: bool):
        self.sockets, self.roots, self.seen_pids, self.seen, self.samples = sockets, set(), {}, set(), 0
        self.tool_wall = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, pid: int) -> None:
        self.roots.add(pid)

    def _tree(self) -> list[int]:
        procs = _procs()
        children: dict[int, list[int]] = {}
        for pid, (ppid, _) in procs.items():
            children.setdefault(ppid, []).append(pid)
        todo = [r for r in self.roots if r in procs]
        out = []
        while todo:
            p = todo.pop()
            out.append(p)
            self.seen_pids.setdefault(p, procs[p][1])
            todo += children.get(p, [])
        return out

    def _run(self):
        while not self._stop.is_set():
            pids = self._tree()
            if self.sockets:
                inodes = set()
                for pid in pids:
                    try:
                        fds = os.listdir(f"/proc/{pid}/fd")
                    except OSError:
                        continue
                    for fd in fds:
                        try:
                            link = os.readlink(f"/proc/{pid}/fd/{fd}")
                        except OSError:
                            continue
                        if link.startswith("socket:["):
                            inodes.add(link[8:-1])
                if inodes:
                    net = _proc_net()
                    self.seen.update(net[i] for i in inodes if i in net)
                self.samples += 1
            self._stop.wait(0.05 if self.sockets else 0.25)

    def stop(self) -> dict | None:
        self._stop.set()
        self._thread.join()
        if not self.sockets:
            return None

        def non_lo(proto: str) -> list[str]:
            return sorted(a for a in self.seen if a.startswith(proto)
                          and not ipaddress.ip_address(a.split(":", 1)[1].rsplit(":", 1)[0]).is_loopback)
        return {"samples": self.samples, "remote_addresses": sorted(self.seen),
                "non_loopback_tcp": non_lo("tcp"), "non_loopback_udp": non_lo("udp")}

    def end_leftovers(self, grace: float = 5.0) -> list[str]:
        """After a grace period for a normal shutdown, SIGTERM (then SIGKILL) every process seen in
        the trees that still runs: same pid, same start time, so a recycled pid is never hit.
        Returns "pid name" of each."""
        def alive() -> list[int]:
            now = _procs()
            return [p for p, st in self.seen_pids.items() if p in now and now[p][1] == st]
        deadline = time.monotonic() + grace
        while alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = []
        for pid in alive():
            try:
                left.append(f"{pid} {Path(f'/proc/{pid}/comm').read_text().strip()}")
            except OSError:
                pass
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in alive():
                try:
                    os.kill(pid, sig)
                except OSError:
                    pass
            for _ in range(20):
                if not alive():
                    break
                time.sleep(0.1)
        return left


def execute(cmd: list[str], work: Path, env: dict, watch: Watch, name: str) -> tuple[int, str, str]:
    """Run one tool invocation; its wall time (start to exit) is added to watch.tool_wall."""
    # stdout and stderr go to files, not pipes: Node may exit before a large write to a pipe is
    # flushed (pa11y-ci's --json report came back cut off at 64 KiB)
    t0 = time.perf_counter()
    out_file, err_file = work / f"{name}.stdout.txt", work / f"{name}.stderr.txt"
    with out_file.open("w") as out, err_file.open("w") as err:
        proc = subprocess.Popen(cmd, cwd=work, env=env, stdout=out, stderr=err, text=True)
        watch.add(proc.pid)
        proc.wait()
    watch.tool_wall += time.perf_counter() - t0
    return proc.returncode, out_file.read_text(), err_file.read_text()


# --- rule metadata --------------------------------------------------------------------------------

def rule_tags(axe_dir: Path) -> tuple[str, dict[str, list[str]]]:
    """axe-core version and rule id -> tags, from the axe-core copy the tool actually uses."""
    code = "const a=require(process.argv[1]);process.stdout.write(JSON.stringify(" \
           "{v:a.version,r:a.getRules().map(x=>[x.ruleId,x.tags])}))"
    out = subprocess.run(["node", "-e", code, str(axe_dir)], capture_output=True, text=True, check=True).stdout
    data = json.loads(out)
    return data["v"], {rid: t for rid, t in data["r"]}


def is_wcag(tags: list[str]) -> bool:
    return any(t in WCAG_TAGS for t in tags)


# --- pa11y-ci -------------------------------------------------------------------------------------

def pa11y_axe_dir() -> Path:
    own = PEERS / "node_modules" / "pa11y" / "node_modules" / "axe-core"
    return own if own.is_dir() else PEERS / "node_modules" / "axe-core"


def tool_pa11y(urls: list[str], args, pac_url: str, work: Path, env: dict, watch: Watch) -> dict:
    """pa11y-ci, axe runner, default concurrency (1), standard WCAG2AA, one JSON report."""
    version, tags = rule_tags(pa11y_axe_dir())
    # pa11y maps standard WCAG2AA onto the axe tags wcag2a, wcag21a, wcag2aa, wcag21aa and
    # best-practice (pa11y/lib/runners/axe.js); the rules tagged only wcag22aa (target-size) are
    # switched on by id so that the WCAG rules run are the same as axe-cli's --tags.
    older = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
    extra_rules = sorted(r for r, t in tags.items() if "wcag22aa" in t and not any(x in t for x in older))
    config = {
        "defaults": {
            "runners": ["axe"],
            "standard": "WCAG2AA",
            "rules": extra_rules,
            "includeWarnings": True,   # moderate/minor impact ("warning"/"notice" in pa11y) are
            "includeNotices": True,    # violations too; pa11y's default output keeps only "error"
            "reporters": [],           # nothing but --json's report on stdout
            "chromeLaunchConfig": {"executablePath": args.chromium, "args": browser_args(pac_url, args.netlog)},
        },
        "urls": urls,
    }
    if args.netlog:
        args.netlogs.append(args.netlog)
    cfg = work / "pa11yci.json"
    cfg.write_text(json.dumps(config, indent=2))
    cmd = [str(BIN / "pa11y-ci"), "--config", str(cfg), "--json"]
    rc, stdout, stderr = execute(cmd, work, env, watch, "pa11y-ci")

    start = stdout.find('{"total"')
    report = json.loads(stdout[start:].splitlines()[0]) if start >= 0 else {}
    results = report.get("results", {})
    pages, failed, by_rule = 0, {}, {}
    errors = errors_incomplete = errors_not_wcag = 0
    for url, issues in results.items():
        if len(issues) == 1 and "runner" not in issues[0] and "code" not in issues[0]:
            failed[url] = issues[0].get("message", "")
            continue
        pages += 1
        for issue in issues:
            extras = issue.get("runnerExtras") or {}
            wcag = is_wcag(tags.get(issue.get("code", ""), []))
            if issue.get("type") == "error":
                errors += 1
                errors_incomplete += bool(extras.get("needsFurtherReview"))
                errors_not_wcag += not extras.get("needsFurtherReview") and not wcag
            if wcag and not extras.get("needsFurtherReview"):
                by_rule[issue["code"]] = by_rule.get(issue["code"], 0) + 1
    out = {"pages": pages, "violations": sum(by_rule.values()), "by_rule": dict(sorted(by_rule.items())),
           "tool_own_count": {"type_error_issues": errors, "of_which_incomplete": errors_incomplete,
                              "of_which_not_wcag_rules": errors_not_wcag},
           "failed": failed, "not_reported": [u for u in urls if u not in results],
           "exit_codes": [rc], "axe_core": version, "standard": "WCAG2AA",
           "tags_run": ["wcag2a", "wcag21a", "wcag2aa", "wcag21aa", "best-practice"],
           "rules_added": extra_rules, "concurrency": 1, "commands": [cmd]}
    if not report:
        out["stderr_tail"] = stderr.strip().splitlines()[-15:]
    return out


# --- @axe-core/cli --------------------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def axe_text_pages(stdout: str) -> tuple[list[tuple[str, dict[str, int]]], str | None]:
    """What axe-cli's own reporter printed: (url, {rule: nodes}) for each page it finished, and the
    url it was on when it stopped without finishing (None if it finished the last one)."""
    done, current, rules = [], None, {}
    for line in ANSI.sub("", stdout).splitlines():
        m = re.match(r"Testing (\S+) \.\.\. please wait", line)
        if m:
            current, rules = m.group(1), {}
            continue
        m = re.match(r'\s*Violation of "([^"]+)" with (\d+) occurrences!', line)
        if m and current:
            rules[m.group(1)] = int(m.group(2))
        elif current and (re.match(r"\s*0 violations found!", line)
                          or re.match(r"\s*\d+ Accessibility issues detected\.", line)):
            done.append((current, rules))
            current = None
    return done, current


def tool_axe(urls: list[str], args, pac_url: str, work: Path, env: dict, watch: Watch) -> dict:
    """@axe-core/cli: all URLs in one invocation, one browser, one tab, pages in turn. When it dies
    on a page (any error after the first page is an unhandled rejection in its recursive
    testPages: the process exits 1 and saves nothing), the pages it finished are taken from its own
    reporter's text, the page it died on is recorded as failed, and it is started again on the
    rest."""
    axe_dir = PEERS / "node_modules" / "axe-core"
    version, tags = rule_tags(axe_dir)
    by_rule: dict[str, int] = {}
    pages, failed, commands, codes, from_text = 0, {}, [], [], 0
    remaining, attempt = list(urls), 0
    while remaining:
        attempt += 1
        netlog = None
        if args.netlog:
            netlog = args.netlog if attempt == 1 else f"{args.netlog}.{attempt}"
            args.netlogs.append(netlog)
        chrome_opts = [a.lstrip("-") for a in browser_args(pac_url, netlog)]
        bad = [o for o in chrome_opts if re.search(r"[,;]", o)]
        if bad:
            die(f"@axe-core/cli splits --chrome-options on ',' and ';', so these cannot pass: {bad}")
        save = f"axe-results-{attempt}.json"
        cmd = [str(BIN / "axe"), *remaining,
               "--chrome-path", args.chromium, "--chromedriver-path", args.chromedriver,
               "--chrome-options", ",".join(["headless", *chrome_opts]),
               "--tags", ",".join(WCAG_TAGS),
               "--axe-source", str(axe_dir / "axe.min.js"),
               "--timeout", str(args.timeout),
               "--save", save, "--dir", str(work)]
        commands.append(cmd)
        rc, stdout, stderr = execute(cmd, work, env, watch, f"axe-{attempt}")
        codes.append(rc)
        saved = work / save
        if saved.is_file():
            results = json.loads(saved.read_text())
            results = results if isinstance(results, list) else [results]
            for url, res in zip(remaining, results, strict=False):   # one result per URL, in order
                if res.get("url", "").startswith("chrome-error://"):
                    failed[url] = "navigation failed: axe ran on Chromium's error page (chrome-error://chromewebdata/)"
                    continue
                pages += 1
                for v in res.get("violations", []):
                    if is_wcag(v.get("tags", [])):
                        by_rule[v["id"]] = by_rule.get(v["id"], 0) + len(v.get("nodes", []))
            break
        done, stopped_on = axe_text_pages(stdout)
        err = next((ln.strip() for ln in stderr.splitlines() if re.match(r"\s*\w*Error\b", ln)), "")
        for _url, rules in done:
            pages += 1
            from_text += 1
            for rule, n in rules.items():
                if is_wcag(tags.get(rule, [])):
                    by_rule[rule] = by_rule.get(rule, 0) + n
        if len(done) >= len(remaining):   # finished every page, then failed (e.g. saving)
            break
        if not done and stopped_on is None:  # never got to a page (no browser, no driver): give up
            for url in remaining:
                failed[url] = err or f"axe exited {rc} before testing any page"
            break
        # the page after the finished ones is the one it died on (stopped_on, when it got to print it)
        failed[stopped_on or remaining[len(done)]] = err or f"axe exited {rc}"
        remaining = remaining[len(done) + 1:]
    return {"pages": pages, "violations": sum(by_rule.values()), "by_rule": dict(sorted(by_rule.items())),
            "tool_own_count": {"invocations": attempt, "pages_taken_from_reporter_text": from_text},
            "failed": failed, "not_reported": [u for u in urls if u in failed], "exit_codes": codes,
            "axe_core": version, "tags_run": list(WCAG_TAGS), "commands": commands}


# --- main -----------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tool", choices=(*TOOLS, "pac"))
    ap.add_argument("urls_file", nargs="?")
    ap.add_argument("pac_url", nargs="?", help="http://127.0.0.1:PORT/proxy.pac, or 'auto'")
    ap.add_argument("--out", help="result JSON (default: stdout)")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--chromedriver", default="/usr/bin/chromedriver", help="for axe-cli")
    ap.add_argument("--timeout", type=int, default=90, help="axe-cli: seconds axe may run on a page")
    ap.add_argument("--netlog", help="also write Chromium's net log here and check it")
    ap.add_argument("--watch", action="store_true", help="sample the sockets of the tool's processes")
    ap.add_argument("--keep", help="keep the generated config and raw output in this folder")
    args = ap.parse_args(argv)

    if args.tool == "pac":
        print(pac_text())
        return 0
    if not (args.urls_file and args.pac_url):
        ap.error("URLS_FILE and PAC_URL are required")
    if not (BIN / "pa11y-ci").exists() or not (BIN / "axe").exists():
        die("peers not installed: run `bash bench/peers.sh install`")
    urls = [ln.strip() for ln in Path(args.urls_file).read_text().splitlines()
            if ln.strip() and not ln.lstrip().startswith("#")]
    server = None
    pac_url = args.pac_url
    if pac_url == "auto":
        server, pac_url = serve_pac()
    check_pac(pac_url)
    args.netlogs = []
    if args.netlog:
        args.netlog = str(Path(args.netlog).resolve())
        for old in Path(args.netlog).parent.glob(Path(args.netlog).name + "*"):
            if re.fullmatch(re.escape(Path(args.netlog).name) + r"(\.\d+)?", old.name):
                old.unlink()
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix=f"peers-{args.tool}-"))
    work.mkdir(parents=True, exist_ok=True)
    # SE_OFFLINE: selenium's driver manager never downloads (the driver path is given anyway).
    env = {**os.environ, "SE_OFFLINE": "true", "PUPPETEER_SKIP_DOWNLOAD": "1"}

    checking = bool(args.netlog or args.watch)
    counters0 = net_counters() if checking else {}
    watch = Watch(sockets=args.watch)
    t0 = time.perf_counter()
    try:
        tool = tool_pa11y if args.tool == "pa11y-ci" else tool_axe
        parsed = tool(urls, args, pac_url, work, env, watch)
    finally:
        wall = time.perf_counter() - t0
        sockets = watch.stop()
        leftovers = watch.end_leftovers()
        if server:
            server.shutdown()
    result = {"tool": args.tool, "pages": parsed.pop("pages"), "violations": parsed.pop("violations"),
              "urls": len(urls), "wall_s": round(watch.tool_wall, 2), "wall_s_with_wrapper": round(wall, 2),
              **parsed, "pac_url": pac_url,
              "chromium": args.chromium, "leftover_processes_ended": leftovers}
    ok = True
    if checking:
        counters1 = net_counters()
        delta = {k: counters1[k] - counters0.get(k, 0) for k in counters1}
        delta["tx_packets_non_lo_not_ndp"] = delta["tx_packets_non_lo"] - delta["kernel_ndp_packets"]
        network: dict = {"machine_counters_delta": delta}
        # Namespace-wide: all zero proves nothing left the machine during the run; a non-zero value
        # may also come from any other process, so it is a warning, not a finding against the tool.
        moved = [f"{k} +{v}" for k, v in delta.items()
                 if v and k in ("tx_packets_non_lo_not_ndp", "udp_out_datagrams", "udp6_out_datagrams")]
        network["machine_quiet"] = not moved
        if moved:
            network["machine_warning"] = (f"{', '.join(moved)} during the run, from some process on the "
                                          "machine; the net log and socket checks say whether it was the tool")
        problems: list[str] = []
        for path in args.netlogs:
            if not Path(path).is_file():
                problems.append(f"no net log at {path}")
                continue
            nl = network.setdefault("netlog", {})[path] = read_netlog(path)
            if nl["non_loopback_tcp_connects"]:
                problems.append(f"TCP connects {nl['non_loopback_tcp_connects']}")
            if nl["bytes_sent_to_non_loopback"]:
                problems.append(f"{nl['bytes_sent_to_non_loopback']} bytes sent off loopback")
            if nl["udp_datagrams_sent"]:
                problems.append(f"{nl['udp_datagrams_sent']} UDP datagrams sent")
            if nl["non_loopback_dns_jobs"]:
                problems.append(f"DNS jobs {nl['non_loopback_dns_jobs']}")
        if sockets:
            network["sockets"] = sockets
            if sockets["non_loopback_tcp"]:
                problems.append(f"sockets {sockets['non_loopback_tcp']}")
        network["problems"] = problems
        network["only_loopback"] = ok = not problems
        result["network"] = network
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if checking and not result["network"]["machine_quiet"]:
        print(f"peers.py: warning: {result['network']['machine_warning']}", file=sys.stderr)
    if not ok:
        print("peers.py: NON-LOOPBACK TRAFFIC by the tool: see the network section", file=sys.stderr)
        return 3
    return 0 if result["pages"] == len(urls) else 1   # 1: some URL not reported (see "failed")


if __name__ == "__main__":
    sys.exit(main())
