"""Browser discovery: env, config, Playwright's own, the system's; a clear message without one."""
import os
import shutil
import pytest

from audit.browser import NO_BROWSER_HELP, find_chromium, launch_args, pac_script
from core.netscope import HostScope, parse_entry
from core.errors import UsageError
from conftest import run_cli

SYSTEM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_env_variable_wins(monkeypatch, tmp_path):
    fake = tmp_path / "my-chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KLARTJEK_CHROMIUM", str(fake))
    choice = find_chromium("/ignored", "/also/ignored")
    assert (choice.executable, choice.source) == (str(fake.resolve()), "env")


def test_config_then_playwright_then_system(monkeypatch, tmp_path):
    monkeypatch.delenv("KLARTJEK_CHROMIUM", raising=False)
    fake = tmp_path / "chrome"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    assert find_chromium(str(fake), None).source == "config"
    pw = tmp_path / "pw-chrome"
    pw.write_text("")
    assert find_chromium("", str(pw)).source == "playwright"
    assert find_chromium("", str(pw)).executable is None
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "chromium").write_text("#!/bin/sh\n")
    (tmp_path / "chromium").chmod(0o755)
    assert find_chromium("", str(tmp_path / "missing")).source == "system"


def test_a_bad_override_is_named(monkeypatch):
    monkeypatch.setenv("KLARTJEK_CHROMIUM", "/no/such/chrome")
    with pytest.raises(UsageError, match="KLARTJEK_CHROMIUM is '/no/such/chrome', which is not an executable"):
        find_chromium()


def test_no_browser_says_how_to_get_one(monkeypatch, tmp_path):
    monkeypatch.delenv("KLARTJEK_CHROMIUM", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError) as exc:
        find_chromium("", str(tmp_path / "no-playwright-browser"))
    assert str(exc.value) == NO_BROWSER_HELP
    assert "apt-get install -y chromium" in NO_BROWSER_HELP and "KLARTJEK_CHROMIUM" in NO_BROWSER_HELP


def test_cli_without_a_browser_exits_2_with_the_instructions(tmp_path):
    # PATH holds no browser and Playwright looks for its own in an empty folder
    env = {"PATH": str(tmp_path), "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "none")}
    res = run_cli("audit", "fixtures/site/index.html", "--db", str(tmp_path / "h.sqlite"),
                  env={**env, "KLARTJEK_CHROMIUM": ""})
    assert res.returncode == 2
    assert "no Chromium found. Install one: as root on Debian/Ubuntu `apt-get install -y chromium`" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.skipif(SYSTEM is None, reason="needs a system Chromium")
def test_klartjek_browser_names_the_one_it_uses():
    res = run_cli("browser", env={"KLARTJEK_CHROMIUM": SYSTEM})
    assert res.returncode == 0 and res.stdout.strip() == f"{os.path.realpath(SYSTEM)} (env)"


def test_pac_without_an_allow_list_blocks_only_call_home_hosts():
    open_pac = pac_script(None)
    assert "update.googleapis.com" in open_pac and "return 'DIRECT'" in open_pac
    assert "dnsResolve" not in open_pac and "isInNet" not in open_pac
    assert any(a.startswith("--proxy-pac-url=data:application/x-ns-proxy-autoconfig;base64,")
               for a in launch_args(None))
    assert not any(a.startswith(("--host-resolver-rules", "--proxy-server")) for a in launch_args(None))


def test_an_allow_list_is_a_dead_proxy_with_a_bypass_list_that_drops_implicit_loopback():
    args = launch_args(HostScope([parse_entry("intra.region.dk"), parse_entry("127.0.0.1:8123")]))
    assert "--proxy-server=127.0.0.1:9" in args
    assert "--proxy-bypass-list=<-loopback>;127.0.0.1:8123;intra.region.dk" in args
    assert "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE intra.region.dk" in args
    assert not any(a.startswith("--proxy-pac-url") for a in args)
