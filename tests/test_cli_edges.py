"""What a CI user meets: -h and --version, one summary line, KLARTJEK_* variables, assertions per URL,
a served build (--serve-command), GitLab Code Quality, and `klartjek doctor`."""
from __future__ import annotations

import json
import re
import sys

from conftest import ROOT, html_page, load_json, run_cli


def test_help_and_version():
    short, long_ = run_cli("-h"), run_cli("--help")
    assert short.returncode == long_.returncode == 0 and short.stdout == long_.stdout
    assert "doctor" in short.stdout and "letter" in short.stdout
    from core import __version__

    assert run_cli("--version").stdout == f"klartjek {__version__}\n"
    audit = run_cli("audit", "-h", block_external=False)
    assert "--level [A|AA|AAA]" in audit.stdout or "--level <A|AA|AAA>" in audit.stdout
    assert "--fail-on <critical|serious|moderate|minor|none>" in audit.stdout
    diff = run_cli("diff", "-h")
    assert diff.stdout.count("[default: latest]") == 1


def test_environment_variables_set_config_keys_below_the_command_line(tmp_path):
    env = {"KLARTJEK_FAIL_ON": "none", "KLARTJEK_LANG": "en", "KLARTJEK_KLARSPROG__ENABLED": "false",
           "KLARTJEK_SOMETHING_ELSE": "ignored"}
    res = run_cli("audit", "fixtures/site/index.html", "--json", str(tmp_path / "r.json"), "--db",
                  str(tmp_path / "h.sqlite"), "-q", env=env)
    assert res.returncode == 0, res.stdout + res.stderr          # fail_on none from the environment
    run = load_json(tmp_path / "r.json")
    assert run["config"]["lang"] == "en" and run["config"]["klarsprog"]["enabled"] is False
    assert not [r for d in run["documents"] for r in d["results"] if r["category"] == "plain-language"]
    again = run_cli("audit", "fixtures/site/index.html", "--fail-on", "minor", "--db", str(tmp_path / "h.sqlite"),
                    "-q", env=env)
    assert again.returncode == 1                                  # the command line wins
    bad = run_cli("audit", "fixtures/site/index.html", "--db", str(tmp_path / "h.sqlite"),
                  env={"KLARTJEK_TIMEOUT": "soon"})
    assert (bad.returncode, bad.stderr) == (2, "klartjek: environment: KLARTJEK_TIMEOUT is 'soon'; give a number\n")


def test_assertions_per_url_fail_warn_or_stay_off(tmp_path):
    (tmp_path / "k.toml").write_text('''
[[assertions]]
url = "*index.html"
min_score = 99
checks_pass = ["image-alt"]

[[assertions]]
url = "*kontakt.html"
max_lix = 1
level = "warn"

[[assertions]]
url = "*"
min_score = 100
level = "off"
''')
    res = run_cli("audit", "fixtures/site/index.html", "fixtures/site/kontakt.html", "--db", str(tmp_path / "h.sqlite"),
                  "--json", str(tmp_path / "r.json"), "-q")
    assert res.returncode == 1, res.stderr
    run = load_json(tmp_path / "r.json")
    scores = {d["path"]: d["score"] for d in run["documents"]}
    lix = {d["path"]: d["readability"]["lix"] for d in run["documents"]}
    gate = run_cli("gate", run["id"], "--no-baseline", "--fail-on", "none", "--config", str(tmp_path / "k.toml"),
                   "--db", str(tmp_path / "h.sqlite"))
    assert gate.returncode == 1
    reasons = [ln.strip() for ln in gate.stdout.splitlines() if ln.startswith("  - ")]
    assert reasons == [
        f"- assertion #1 (*index.html): WCAG score {scores['fixtures/site/index.html']} of fixtures/site/index.html "
        "is below 99",
        "- assertion #1 (*index.html): KA057 image-alt fails on fixtures/site/index.html (1 finding(s))"]
    assert f"warning: assertion #2 (*kontakt.html): LIX {lix['fixtures/site/kontakt.html']:g} of " \
           "fixtures/site/kontakt.html is above 1" in gate.stderr
    assert "assertion #3" not in gate.stdout + gate.stderr
    (tmp_path / "bad.toml").write_text('[[assertions]]\nurl = "*"\nchecks_pass = ["nope"]\n')
    bad = run_cli("gate", run["id"], "--config", str(tmp_path / "bad.toml"), "--db", str(tmp_path / "h.sqlite"))
    assert bad.returncode == 2 and "assertions #1: 'checks_pass' names no check: 'nope'" in bad.stderr


def test_a_served_build_is_audited_and_stopped(tmp_path):
    site = tmp_path / "public"
    site.mkdir()
    (site / "index.html").write_bytes(html_page("<p>Byggeriet fra pull requesten.</p>", title="Build"))
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    serve = f"{sys.executable} -m http.server {port} --bind 127.0.0.1 --directory {site}"
    res = run_cli("audit", url, "--serve-command", serve, "--serve-ready", url, "--json", str(tmp_path / "r.json"),
                  "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode in (0, 1), res.stderr
    assert load_json(tmp_path / "r.json")["documents"][0]["title"] == "Build"
    with socket.socket() as s:                    # the server was stopped with the audit
        assert s.connect_ex(("127.0.0.1", port)) != 0
    never = run_cli("audit", url, "--serve-command", f"{sys.executable} -c 'print(\"starting\")'",
                    "--serve-ready", "Listening", "--serve-timeout", "5", "--db", str(tmp_path / "h.sqlite"))
    assert never.returncode == 2
    assert re.search(r"klartjek: --serve-command .* ended \(exit 0\) before it was ready; its last output: starting",
                     never.stderr), never.stderr


def test_gitlab_code_quality_report(tmp_path):
    res = run_cli("letter", "fixtures/letters/pdf/untagged.pdf", "--report", f"codequality:{tmp_path / 'cq.json'}",
                  "--json", str(tmp_path / "r.json"), "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 1
    issues = json.loads((tmp_path / "cq.json").read_text())
    run = load_json(tmp_path / "r.json")
    failed = [(r["code"], f["fingerprint"], f["impact"]) for d in run["documents"] for r in d["results"]
              for f in r["findings"] if f["outcome"] == "failed"]
    assert [(i["check_name"].split()[0], i["fingerprint"]) for i in issues] == [(c, fp) for c, fp, _ in failed]
    severity = {"critical": "critical", "serious": "major", "moderate": "minor", "minor": "info"}
    assert [i["severity"] for i in issues] == [severity[imp] for _, _, imp in failed]
    assert {i["location"]["path"] for i in issues} == {"fixtures/letters/pdf/untagged.pdf"}
    assert all(i["location"]["lines"]["begin"] == 1 and i["type"] == "issue" for i in issues)
    kp001 = next(i for i in issues if i["check_name"] == "KP001 pdf-tagged")
    assert kp001["categories"] == ["Compatibility"] and kp001["severity"] == "critical"


def test_doctor_says_what_works(tmp_path):
    res = run_cli("doctor", "--db", str(tmp_path / "h.sqlite"), "--block-external", "--allow-host", "cdn.region.dk")
    assert res.returncode == 0, res.stdout
    lines = res.stdout.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["ok   klartjek", "ok   configuration", "ok   axe-core",
                                                    "ok   history database", "ok   network scope", "ok   browser",
                                                    "ok   Chromium's calls home"]
    assert "--block-external: the audited hosts and cdn.region.dk" in res.stdout
    bad = run_cli("doctor", "--db", "nosuchdb://x")
    assert bad.returncode == 2 and bad.stdout.splitlines()[3].startswith("fail history database: --db 'nosuchdb://x'")


def test_quiet_is_one_line_on_stdout(tmp_path):
    res = run_cli("audit", "fixtures/site/index.html", "--db", str(tmp_path / "h.sqlite"), "-q")
    assert res.returncode == 1 and res.stderr == ""
    assert re.fullmatch(r"klartjek: run \d{8}-\d{6}-[0-9a-f]{4} complete, 1 document, WCAG score [\d.]+, "
                        r"plain-language score [\d.]+; \d+ failure\(s\) at or above 'serious' \(exit 1\)\n", res.stdout)
    assert ROOT.is_dir()
