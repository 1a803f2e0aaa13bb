"""Configuration: built-in defaults ← [tool.klartjek] in pyproject.toml or klartjek.toml ←
KLARTJEK_* environment variables ← command-line options.

Every key is validated; an unknown key or a wrong value is a UsageError naming the file and key.
An environment variable sets a key by its name in capitals, a table's key after two underscores:
KLARTJEK_FAIL_ON=critical, KLARTJEK_CRAWL__MAX_PAGES=50, KLARTJEK_ALLOW_HOSTS=a.dk,b.dk (docs/configuration.md).
"""
from __future__ import annotations

import copy
import fnmatch
import hashlib
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from core.errors import UsageError

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")

CHOICES = {
    "level": ("A", "AA", "AAA"),
    "wcag_version": ("2.0", "2.1", "2.2"),
    "fail_on": ("critical", "serious", "moderate", "minor", "none"),
    "lang": ("da", "en"),
    "screenshots": ("auto", "on", "off"),
    "profile": ("quick", "default"),
}
PROJECT_MAX = 200      # characters of a project's name (the store's column)
# Seconds that must be more than 0: a time limit of 0 would mean no limit at all.
POSITIVE_KEYS = ("timeout", "download_timeout", "visibility_timeout", "stall_timeout")
# Keys that decide what a run finds, and so go into the config hash (not paths, not workers).
RESULT_KEYS = ("level", "wcag_version", "best_practices", "experimental", "weights", "timeout", "viewport", "profile",
               "block_external", "allow_hosts", "klarsprog", "checks", "letters", "site")


def defaults() -> dict[str, Any]:
    with DEFAULTS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def find_config_file(start: Path) -> Path | None:
    """klartjek.toml, else a pyproject.toml with [tool.klartjek], in ``start`` or its parents."""
    for folder in (start, *start.parents):
        if (folder / "klartjek.toml").is_file():
            return folder / "klartjek.toml"
        py = folder / "pyproject.toml"
        if py.is_file() and "tool" in (data := _read_toml(py)) and "klartjek" in data["tool"]:
            return py
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the config file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML ({exc}); fix the file") from None


def load_config(path: Path | None = None, overrides: dict[str, Any] | None = None,
                cwd: Path | None = None, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """The effective configuration. ``overrides`` are command-line values (None means unset)."""
    cfg = defaults()
    source = path or find_config_file((cwd or Path.cwd()).resolve())
    if path is not None and not path.is_file():
        raise UsageError(f"{path}: config file not found; give an existing file to --config")
    if source is not None:
        data = _read_toml(source)
        # pyproject.toml: [tool.klartjek]; klartjek.toml: top-level keys (or its own [tool.klartjek])
        section = data.get("tool", {}).get("klartjek", data if source.name != "pyproject.toml" else {})
        where = "[tool.klartjek]" if source.name == "pyproject.toml" else "klartjek.toml"
        _merge(cfg, section, f"{source} {where}")
    cfg["_source"] = str(source) if source else None
    env = environment_overrides(os.environ if environ is None else environ, cfg)
    if env:
        _merge(cfg, env, "environment (KLARTJEK_*)")
    for key, value in (overrides or {}).items():
        if value is not None:
            _merge(cfg, {key: value}, "command line")
    _validate(cfg, str(source) if source else "command line")
    return cfg


# KLARTJEK_* variables that are no configuration key (docs/configuration.md)
NOT_CONFIG = {"KLARTJEK_CHROMIUM", "KLARTJEK_DEBUG"}


def environment_overrides(environ, cfg: dict[str, Any]) -> dict[str, Any]:
    """The configuration keys KLARTJEK_* variables set, as a nested dict of typed values. A variable
    that names no key is ignored (other tools' and the test suite's variables share the prefix)."""
    out: dict[str, Any] = {}
    for var, raw in environ.items():
        if not var.startswith("KLARTJEK_") or var in NOT_CONFIG:
            continue
        path = var[len("KLARTJEK_"):].lower().split("__")
        node = cfg
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict) or path[-1] not in node or isinstance(node[path[-1]], dict):
            continue
        if path in (["ignore"], ["assertions"], ["portfolio", "projects"], ["journeys"], ["pages"]):
            continue                      # tables: only in a config file
        value = _env_value(var, raw, node[path[-1]])
        target = out
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return out


def _env_value(var: str, raw: str, current: Any) -> Any:
    text = raw.strip()
    if isinstance(current, bool):
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off", ""):
            return False
        raise UsageError(f"environment: {var} is {raw!r}; give true or false")
    if isinstance(current, (int, float)):
        try:
            return int(text) if isinstance(current, int) and text.lstrip("-").isdigit() else float(text)
        except ValueError:
            raise UsageError(f"environment: {var} is {raw!r}; give a number") from None
    if isinstance(current, list):
        if text.startswith("["):
            try:
                return tomllib.loads(f"v = {text}")["v"]
            except tomllib.TOMLDecodeError:
                raise UsageError(f"environment: {var} is {raw!r}; give a TOML list such as [\"a\", \"b\"] "
                                 "or a comma-separated list") from None
        return [v.strip() for v in text.split(",") if v.strip()]
    return raw


def _validate(cfg: dict[str, Any], where: str) -> None:
    for key in ("select", "ignore"):
        if not cfg["checks"][key]:
            continue
        from checks import REGISTRY     # loading every check's data only when there is a name to look up

        bad = REGISTRY.unknown_keys(cfg["checks"][key])
        if bad:
            raise UsageError(f"{where}: 'checks.{key}' names no check, family, category or tag: {bad[0]!r} "
                             "(`klartjek checks` lists them)")
    from core.netscope import parse_entry

    for host in cfg["allow_hosts"]:
        parse_entry(host, f"{where}: 'allow_hosts'")
    ks = cfg["klarsprog"]
    for key in ("profile", "text_profile", "letter_profile"):
        if ks[key] not in ks["profiles"]:
            raise UsageError(f"{where}: 'klarsprog.{key}' is {ks[key]!r}; choose one of "
                             f"{', '.join(ks['profiles'])}")
    project = cfg.get("project") or ""
    if not isinstance(project, str) or len(project) > PROJECT_MAX or not project.isprintable() \
            or project != project.strip():
        raise UsageError(f"{where}: 'project' is {str(project)[:80]!r}; give a name of at most {PROJECT_MAX} "
                         "printable characters, without spaces around it")
    if ks["text_lang"] not in ("da", "en"):
        raise UsageError(f"{where}: 'klarsprog.text_lang' is {ks['text_lang']!r}; choose da or en")
    for key in ("jargon", "bureaucratic"):
        bad = [e for e in ks[key] if "=" not in e]
        if bad:
            raise UsageError(f"{where}: 'klarsprog.{key}' entries are \"word = alternative\"; got {bad[0]!r}")


def _merge(cfg: dict[str, Any], new: dict[str, Any], where: str, prefix: str = "") -> None:
    for key, value in new.items():
        name = f"{prefix}{key}"
        if key not in cfg:
            known = ", ".join(k for k in cfg if not k.startswith("_"))
            raise UsageError(f"{where}: unknown key '{name}'; known keys: {known}")
        current = cfg[key]
        if name == "sms.values":            # a table of any names: the placeholders' longest values
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise UsageError(f"{where}: 'sms.values' must be a table of name = \"longest value\"")
            cfg[key] = {**current, **{str(k).lower(): v for k, v in value.items()}}
            continue
        if isinstance(current, dict):
            if not isinstance(value, dict):
                raise UsageError(f"{where}: '{name}' must be a table")
            _merge(current, value, where, prefix=f"{name}.")
            continue
        cfg[key] = _check_value(name, key, value, current, where)


def _check_value(name: str, key: str, value: Any, current: Any, where: str) -> Any:
    if name == "ignore":
        return _suppressions(value, where)
    if name == "assertions":
        return _assertions(value, where)
    if name == "portfolio.projects":
        return _projects(value, where)
    if name == "pages":
        from audit.pageopts import parse_pages

        return parse_pages(value, where)
    if name == "journeys":
        if not isinstance(value, list) or not all(isinstance(j, dict) for j in value):
            raise UsageError(f"{where}: 'journeys' must be a list of tables ([[journeys]]); see docs/journeys.md")
        return value
    if key in CHOICES:
        value = str(value)
        if key == "level":
            value = value.upper()
        if value not in CHOICES[key]:
            raise UsageError(f"{where}: '{name}' is {value!r}; choose one of {', '.join(CHOICES[key])}")
        return value
    if isinstance(current, bool):
        if not isinstance(value, bool):
            raise UsageError(f"{where}: '{name}' must be true or false")
        return value
    if isinstance(current, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise UsageError(f"{where}: '{name}' must be a number of 0 or more")
        if key in ("max_pages", "per_host", "recycle_after", "max_segments") and value < 1:
            raise UsageError(f"{where}: '{name}' must be at least 1")
        if key in POSITIVE_KEYS and value <= 0:
            raise UsageError(f"{where}: '{name}' must be more than 0 seconds (there is no 'no limit': "
                             "a page or download that never ends would hold the run)")
        return value
    if isinstance(current, list):
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise UsageError(f"{where}: '{name}' must be a list of strings")
        return list(value)
    if isinstance(current, str):
        if not isinstance(value, str):
            raise UsageError(f"{where}: '{name}' must be a string")
        if key == "viewport":
            parse_viewport(value, f"{where}: '{name}'")
        if key == "accessibility_statement" and value not in ("auto", "off") \
                and not value.startswith(("http://", "https://")):
            raise UsageError(f"{where}: '{name}' is {value!r}; give \"auto\", \"off\" or the statement's URL")
        return value
    return value


SUPPRESSION_KEYS = ("code", "url", "selector", "reason", "expires")


def _suppressions(value: Any, where: str) -> list[dict[str, Any]]:
    """[[ignore]] tables: code, url glob, optional selector, a reason and an expiry date."""
    import datetime as dt

    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise UsageError(f"{where}: 'ignore' must be a list of tables ([[tool.klartjek.ignore]] or [[ignore]])")
    out = []
    for i, entry in enumerate(value, 1):
        here = f"{where}: ignore #{i}"
        unknown = [k for k in entry if k not in SUPPRESSION_KEYS]
        if unknown:
            raise UsageError(f"{here}: unknown key '{unknown[0]}'; known keys: {', '.join(SUPPRESSION_KEYS)}")
        for k in ("code", "reason"):
            if not isinstance(entry.get(k), str) or not entry[k].strip():
                raise UsageError(f"{here}: '{k}' is required (a non-empty string)")
        expires = entry.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                expires = None
        if isinstance(expires, dt.datetime):
            expires = expires.date()
        if not isinstance(expires, dt.date):
            raise UsageError(f"{here}: 'expires' is required, a date such as 2027-03-31")
        for k in ("url", "selector"):
            if k in entry and not isinstance(entry[k], str):
                raise UsageError(f"{here}: '{k}' must be a string")
        out.append({"code": entry["code"].strip(), "url": entry.get("url") or "*",
                    "selector": entry.get("selector"), "reason": entry["reason"].strip(),
                    "expires": expires.isoformat()})
    return out


ASSERTION_KEYS = ("url", "level", "min_score", "min_plain_score", "max_lix", "checks_pass")
ASSERTION_LEVELS = ("error", "warn", "off")


CHANNELS = ("web", "booking", "letters", "memo", "sms", "texts")
PROJECT_KEYS = ("name", "channel", "targets", "journeys", "owner", "crawl")
JOURNEY_CHANNELS = ("web", "booking")     # channels audited in the browser, where journeys run


def _projects(value: Any, where: str) -> list[dict[str, Any]]:
    """[[portfolio.projects]] tables: name, channel, targets, owner, crawl."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise UsageError(f"{where}: 'portfolio.projects' must be a list of tables ([[portfolio.projects]])")
    out, names = [], set()
    for i, entry in enumerate(value, 1):
        here = f"{where}: portfolio project #{i}"
        unknown = [k for k in entry if k not in PROJECT_KEYS]
        if unknown:
            raise UsageError(f"{here}: unknown key '{unknown[0]}'; known keys: {', '.join(PROJECT_KEYS)}")
        name = entry.get("name")
        if not isinstance(name, str) or not name or len(name) > PROJECT_MAX or not name.isprintable() \
                or name != name.strip():
            raise UsageError(f"{here}: 'name' must be a name of at most {PROJECT_MAX} printable characters")
        if name in names:
            raise UsageError(f"{here}: the name {name!r} is used twice; each project needs its own")
        names.add(name)
        channel = entry.get("channel")
        if channel not in CHANNELS:
            raise UsageError(f"{here} ({name}): 'channel' is {channel!r}; choose one of {', '.join(CHANNELS)}")
        journeys = entry.get("journeys", [])
        if not isinstance(journeys, list) or not all(isinstance(t, str) and t for t in journeys):
            raise UsageError(f"{here} ({name}): 'journeys' must be a list of journey files (docs/journeys.md)")
        if journeys and channel not in JOURNEY_CHANNELS:
            raise UsageError(f"{here} ({name}): journeys run in the browser; give them to a project of channel "
                             f"{' or '.join(JOURNEY_CHANNELS)}")
        if journeys and "targets" in entry:
            raise UsageError(f"{here} ({name}): a project has targets or journeys, not both (the dashboard "
                             "shows a project's latest run); make a second project for the journeys")
        targets = entry.get("targets", [] if journeys else None)
        if not journeys and (not isinstance(targets, list) or not targets
                             or not all(isinstance(t, str) and t for t in targets)):
            raise UsageError(f"{here} ({name}): 'targets' must be a list of URLs, files or folders"
                             + (" (or give 'journeys')" if channel in JOURNEY_CHANNELS else ""))
        owner = entry.get("owner", "")
        if not isinstance(owner, str):
            raise UsageError(f"{here} ({name}): 'owner' must be text")
        crawl = entry.get("crawl", False)
        if not isinstance(crawl, bool):
            raise UsageError(f"{here} ({name}): 'crawl' must be true or false")
        out.append({"name": name, "channel": channel, "targets": list(targets), "journeys": list(journeys),
                    "owner": owner, "crawl": crawl})
    return out


def _assertions(value: Any, where: str) -> list[dict[str, Any]]:
    """[[assertions]] tables (Lighthouse CI's assertions, per URL glob): url, level (error, warn,
    off), min_score, min_plain_score, max_lix, checks_pass (codes or names that must not fail)."""
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise UsageError(f"{where}: 'assertions' must be a list of tables ([[tool.klartjek.assertions]])")
    out = []
    for i, entry in enumerate(value, 1):
        here = f"{where}: assertions #{i}"
        unknown = [k for k in entry if k not in ASSERTION_KEYS]
        if unknown:
            raise UsageError(f"{here}: unknown key '{unknown[0]}'; known keys: {', '.join(ASSERTION_KEYS)}")
        level = entry.get("level", "error")
        if level not in ASSERTION_LEVELS:
            raise UsageError(f"{here}: 'level' is {level!r}; choose one of {', '.join(ASSERTION_LEVELS)}")
        url = entry.get("url", "*")
        if not isinstance(url, str) or not url:
            raise UsageError(f"{here}: 'url' must be a glob such as \"*/patientinformation/*\"")
        item: dict[str, Any] = {"url": url, "level": level}
        for k in ("min_score", "min_plain_score", "max_lix"):
            if k in entry:
                v = entry[k]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
                    raise UsageError(f"{here}: '{k}' must be a number of 0 or more")
                item[k] = v
        checks = entry.get("checks_pass", [])
        if not isinstance(checks, list) or not all(isinstance(c, str) for c in checks):
            raise UsageError(f"{here}: 'checks_pass' must be a list of check codes or names")
        if checks:
            from checks import REGISTRY

            bad = [c for c in checks if REGISTRY.get(c) is None]
            if bad:
                raise UsageError(f"{here}: 'checks_pass' names no check: {bad[0]!r} (`klartjek checks` lists them)")
            item["checks_pass"] = [REGISTRY.get(c).code for c in checks]
        if len(item) == 2:
            raise UsageError(f"{here}: says nothing to assert; give min_score, min_plain_score, max_lix or "
                             "checks_pass")
        out.append(item)
    return out


def assertion_matches(assertion: dict[str, Any], location: str, site_path: str | None = None) -> bool:
    return any(fnmatch.fnmatch(loc, assertion["url"]) for loc in (location, site_path) if loc)


def parse_viewport(value: str, where: str = "viewport") -> tuple[int, int]:
    """"1280x900" → (1280, 900); UsageError otherwise."""
    w, sep, h = value.lower().partition("x")
    if not (sep and w.isdigit() and h.isdigit() and 100 <= int(w) <= 10000 and 100 <= int(h) <= 10000):
        raise UsageError(f"{where} is {value!r}; give WIDTHxHEIGHT in CSS pixels, e.g. 320x640 or 1280x900")
    return int(w), int(h)


def letter_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """The configuration letters are checked with: the plain-language profile for letters."""
    ks = {**cfg["klarsprog"], "profile": cfg["klarsprog"]["letter_profile"]}
    return {**cfg, "klarsprog": ks}


def config_hash(cfg: dict[str, Any]) -> str:
    relevant = {k: cfg[k] for k in RESULT_KEYS if k in cfg}
    if cfg.get("pages"):                  # (only when set: the hash of a run without stays as it was)
        from audit.pageopts import public_pages

        relevant["pages"] = public_pages(cfg["pages"])
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def public_config(cfg: dict[str, Any]) -> dict[str, Any]:
    """What a run records of its configuration (no private keys, nor the portfolio it may be part of,
    nor the broker of distributed audits;
    header and cookie values of [[pages]] masked)."""
    out = copy.deepcopy({k: v for k, v in cfg.items()
                         if not k.startswith("_") and k not in ("portfolio", "distributed")})
    if out.get("pages"):
        from audit.pageopts import public_pages

        out["pages"] = public_pages(out["pages"])
    return out
