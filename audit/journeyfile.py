"""Journey files: what a user does, step by step (docs/journeys.md), read and checked before a browser starts.

A journey is YAML (or a ``[[journeys]]`` table of the configuration): a name, where it starts, and its
steps. Every mistake is found here, with the file, line and column, before anything runs: an unknown
step or key, a locator without a way to find its element, a value of the wrong type, a secret that is
not set. Secrets (``${env:NAME}``) are resolved here and the values they gave are remembered, so that
every output can mask them (``Journey.secrets``).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import UsageError
from core.files import FileReadError, read_bounded

JOURNEY_MAX_BYTES = 1_000_000
STEP_TIMEOUT_S = 10.0

LOCATOR_KEYS = ("role", "label", "text", "placeholder", "alt", "title", "test_id", "css")
# each step: the keys it may have besides its own and the common ones, and whether it needs a locator
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "goto": (("url",), "none"),
    "click": (("commits",), "required"),
    "fill": (("value",), "required"),
    "select": (("option",), "required"),
    "check": (("checked",), "required"),
    "press": (("key", "commits"), "optional"),
    "upload": (("file", "files"), "required"),
    "wait_for": (("url", "network_idle", "state"), "optional"),
    "expect": (("url", "title", "visible", "hidden"), "none"),
    "idle": (("duration",), "none"),
    "audit": (("state",), "none"),
}
COMMON_KEYS = ("name", "timeout")
LOCATOR_OPTIONS = ("name", "exact")   # with role: the accessible name; exact matching of name/label/text
ROLES = frozenset("""alert alertdialog application article banner blockquote button caption cell checkbox code
columnheader combobox complementary contentinfo definition deletion dialog directory document emphasis feed
figure form generic grid gridcell group heading img insertion link list listbox listitem log main marquee math
meter menu menubar menuitem menuitemcheckbox menuitemradio navigation none note option paragraph presentation
progressbar radio radiogroup region row rowgroup rowheader scrollbar search searchbox separator slider spinbutton
status strong subscript superscript switch tab table tablist tabpanel term textbox time timer toolbar tooltip tree
treegrid treeitem""".split())
ENV_RE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}")
DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$")


@dataclass(frozen=True)
class Locator:
    """How a step finds its element: one of LOCATOR_KEYS, with a role's name and exactness."""
    by: str
    value: str
    name: str | None = None
    exact: bool = False

    def describe(self) -> str:
        if self.by == "role":
            return f"role={self.value}" + (f' name="{self.name}"' if self.name is not None else "")
        return f'{self.by}="{self.value}"'


@dataclass
class Step:
    kind: str                        # one of STEPS
    line: int                        # where it is in the file (1-based)
    index: int                       # its number in the journey (1-based)
    name: str | None = None
    timeout_s: float = STEP_TIMEOUT_S
    locator: Locator | None = None
    value: Any = None                # goto: URL; fill: text; select: option; press: key; idle: ms; audit: state
    options: dict[str, Any] = field(default_factory=dict)
    secret: bool = False             # its value came from a secret

    def label(self) -> str:
        """How a message names the step: ``step 4 (click role=button name="Log ind")``."""
        what = self.kind
        if self.kind in ("goto", "audit", "press") and isinstance(self.value, str) and not self.secret:
            what += f" {self.value}"
        if self.locator is not None:
            what += f" {self.locator.describe()}"
        return f"step {self.index} ({self.name or what})"


@dataclass
class Journey:
    name: str
    source: str                      # the file (as given) or "config"
    start: str | None                # an http(s) URL, or a folder served on 127.0.0.1 (resolved)
    steps: list[Step]
    viewport: tuple[int, int] | None = None
    storage_state: str | None = None
    secrets: list[str] = field(default_factory=list)   # values from ${env:…}: masked everywhere
    folder: Path = Path(".")

    @property
    def states(self) -> list[str]:
        return [s.value for s in self.steps if s.kind == "audit"]

    def where(self, step: Step) -> str:
        return f"{self.source}:{step.line}: {step.label()}"


def _err(source: str, line: int | None, message: str) -> UsageError:
    return UsageError(f"{source}:{line}: {message}" if line else f"{source}: {message}")


def read_journey_file(path: Path | str, environ: dict[str, str] | None = None) -> Journey:
    """Read and check a journey file; UsageError naming the file, line and what to do."""
    path = Path(path)
    source = str(path)
    try:
        raw = read_bounded(path, JOURNEY_MAX_BYTES)
    except FileReadError as exc:
        raise UsageError(f"{source}: {exc}; give a journey file (.yml)") from None
    except OSError as exc:
        raise UsageError(f"{source}: cannot read the journey ({exc.strerror or exc}); check the path") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{source}: not UTF-8 text; save the journey as UTF-8") from None
    return parse_journey(text, source, path.parent, default_name=path.stem, environ=environ)


def parse_journey(text: str, source: str, folder: Path, default_name: str = "journey",
                  environ: dict[str, str] | None = None) -> Journey:
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise UsageError(f"{where}: not valid YAML ({problem}); fix the journey file") from None
    return journey_from_data(data, source, folder, default_name, environ, _lines(root))


def _lines(root) -> dict[str, Any]:
    """The line of the journey's keys and of each step (from the YAML node tree)."""
    import yaml

    out: dict[str, Any] = {"keys": {}, "steps": []}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        out["keys"][key.value] = key.start_mark.line + 1
        if key.value == "steps" and isinstance(value, yaml.SequenceNode):
            out["steps"] = [item.start_mark.line + 1 for item in value.value]
    return out


def journey_from_data(data: Any, source: str, folder: Path, default_name: str = "journey",
                      environ: dict[str, str] | None = None, lines: dict[str, Any] | None = None) -> Journey:
    """A Journey from parsed YAML or a config table; lines: where its keys and steps are (None: unknown)."""
    environ = os.environ if environ is None else environ
    lines = lines or {"keys": {}, "steps": []}
    if not isinstance(data, dict):
        raise _err(source, 1, "a journey is a mapping with 'steps' (and 'name', 'start'); see docs/journeys.md")
    known = ("name", "start", "viewport", "storage_state", "steps")
    for key in data:
        if key not in known:
            raise _err(source, lines["keys"].get(key), f"unknown key {key!r}; a journey has {', '.join(known)}")
    name = data.get("name", default_name)
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise _err(source, lines["keys"].get("name"), "'name' must be a short text")
    start = data.get("start")
    if start is not None and not isinstance(start, str):
        raise _err(source, lines["keys"].get("start"), "'start' must be an http(s) URL or a folder")
    if start is not None and not start.startswith(("http://", "https://")):
        folder_path = (folder / start).resolve()
        if not folder_path.is_dir():
            raise _err(source, lines["keys"].get("start"), f"'start' {start!r} is neither an http(s) URL nor a "
                       "folder; give a URL or a folder relative to the journey file")
        start = str(folder_path)
    viewport = None
    if data.get("viewport") is not None:
        from audit.config import parse_viewport

        try:
            viewport = parse_viewport(str(data["viewport"]), f"{source}: viewport")
        except UsageError as exc:
            raise _err(source, lines["keys"].get("viewport"), str(exc).split(": ", 1)[-1]) from None
    state = data.get("storage_state")
    if state is not None:
        if not isinstance(state, str) or not (folder / state).is_file():
            raise _err(source, lines["keys"].get("storage_state"), f"'storage_state' {state!r} is not a file; "
                       "save one with Playwright's context.storage_state(path=…)")
        state = str((folder / state).resolve())
    steps_data = data.get("steps")
    if not isinstance(steps_data, list) or not steps_data:
        raise _err(source, lines["keys"].get("steps"), "'steps' must be a list of at least one step")
    journey = Journey(name=name.strip(), source=source, start=start, steps=[], viewport=viewport,
                      storage_state=state, folder=folder)
    seen_states: set[str] = set()
    for i, item in enumerate(steps_data):
        line = lines["steps"][i] if i < len(lines["steps"]) else None
        step = _step(item, i + 1, line, source, environ, journey.secrets)
        if step.kind == "goto" and start is None and not str(step.value).startswith(("http://", "https://")):
            raise _err(source, line, f"{step.label()}: a relative URL needs 'start' (a URL or a folder)")
        if step.kind == "audit":
            if step.value in seen_states:
                raise _err(source, line, f"{step.label()}: a state named {step.value!r} is audited already; "
                           "give each audit step its own name")
            seen_states.add(step.value)
        journey.steps.append(step)
    if not seen_states:
        raise _err(source, None, "the journey has no 'audit' step, so nothing would be checked; add "
                   "'- audit: NAME' where the page should be audited")
    if journey.steps[0].kind != "goto" and start is None and state is None:
        raise _err(source, journey.steps[0].line, "the first step must be 'goto' (or give 'start')")
    return journey


def _step(item: Any, index: int, line: int | None, source: str, environ, secrets: list[str]) -> Step:
    if isinstance(item, str) and item in STEPS:
        item = {item: None}
    if not isinstance(item, dict):
        raise _err(source, line, f"step {index} must be a mapping such as '- click: {{role: button, name: Send}}'")
    kinds = [k for k in item if k in STEPS]
    unknown = [k for k in item if k not in STEPS and k not in COMMON_KEYS]
    if len(kinds) != 1 or (unknown and not kinds):
        what = ", ".join(map(repr, unknown or list(item))) or "nothing"
        raise _err(source, line, f"step {index}: {what} is not a step; a step is one of {', '.join(STEPS)}")
    if unknown:
        raise _err(source, line, f"step {index}: unknown key {unknown[0]!r} beside {kinds[0]!r}; "
                   f"put it inside the step's mapping")
    kind = kinds[0]
    step = Step(kind=kind, line=line or 0, index=index)
    name = item.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise _err(source, line, f"step {index}: 'name' must be a text")
        step.name = name
    step.timeout_s = _seconds(item.get("timeout", STEP_TIMEOUT_S), source, line, step)
    value = item[kind]
    extra, needs = STEPS[kind]
    if isinstance(value, dict):
        body = dict(value)
        if "timeout" in body:
            step.timeout_s = _seconds(body.pop("timeout"), source, line, step)
        if "name" in body and "role" not in body:     # with a role, 'name' is its accessible name
            step.name = str(body.pop("name"))
        allowed = set(LOCATOR_KEYS) | set(LOCATOR_OPTIONS) | set(extra) | (
            {"text"} if kind in ("expect", "wait_for") else set())
        for key in body:
            if key not in allowed:
                raise _err(source, line, f"{step.label()}: unknown key {key!r}; {kind} takes "
                           f"{', '.join(sorted(allowed - {'exact'}))}")
    else:
        body = {"_": value}
    sub = lambda v: _secret(v, source, line, step, environ, secrets)   # noqa: E731
    if kind == "goto":
        url = body.get("url", body.get("_"))
        if not isinstance(url, str) or not url.strip():
            raise _err(source, line, f"{step.label()}: 'goto' needs a URL")
        step.value = url.strip()
    elif kind == "audit":
        state = body.get("state", body.get("_"))
        if not isinstance(state, str) or not re.fullmatch(r"[\w.-]{1,80}", state):
            raise _err(source, line, f"step {index}: 'audit' needs a state name of letters, digits, '-', '_' "
                       "or '.' (e.g. '- audit: booking-confirmed')")
        step.value = state
    elif kind == "idle":
        step.value = _duration(body.get("duration", body.get("_")), source, line, step)
    elif kind == "press":
        if "_" in body:
            body = {"key": body["_"]}
        key = body.get("key")
        if not isinstance(key, str) or not key:
            raise _err(source, line, f"{step.label()}: 'press' needs a key such as Enter, Tab or Escape")
        step.value = key
        step.locator = _locator(body, source, line, step, required=False)
        step.options["commits"] = _bool(body.get("commits", False), "commits", source, line, step)
    elif kind in ("expect", "wait_for"):
        if "_" in body:
            raise _err(source, line, f"{step.label()}: give what to {'wait for' if kind == 'wait_for' else 'expect'} "
                       "as a mapping, e.g. {text: 'Tak'} or {url: '*/kvittering*'}")
        for key in ("url", "title", "text"):
            if key in body and not isinstance(body[key], str):
                raise _err(source, line, f"{step.label()}: {key!r} must be a text")
        if kind == "expect":
            for key in ("visible", "hidden"):
                if key in body:
                    step.options[key] = _locator(body[key] if isinstance(body[key], dict) else {"css": body[key]},
                                                 source, line, step, required=True)
            for key in ("url", "title", "text"):
                if key in body:
                    step.options[key] = body[key]
            if not step.options:
                raise _err(source, line, f"{step.label()}: 'expect' needs text, url, title, visible or hidden")
        else:
            if "url" in body:
                step.options["url"] = body["url"]
            elif body.get("network_idle"):
                step.options["network_idle"] = True
            elif "text" in body and not any(k in body for k in LOCATOR_KEYS if k != "text"):
                step.options["text"] = body["text"]
            else:
                step.locator = _locator(body, source, line, step, required=True)
            state = body.get("state", "visible")
            if state not in ("visible", "hidden", "attached", "detached"):
                raise _err(source, line, f"{step.label()}: 'state' is visible, hidden, attached or detached")
            step.options["state"] = state
    else:
        if "_" in body:
            body = {"css": body["_"]} if isinstance(body["_"], str) else body
        step.locator = _locator(body, source, line, step, required=True)
        if kind == "click":
            step.options["commits"] = _bool(body.get("commits", False), "commits", source, line, step)
        elif kind == "fill":
            v = body.get("value")
            if v is None or isinstance(v, (dict, list)):
                raise _err(source, line, f"{step.label()}: 'fill' needs a 'value'")
            step.value, step.secret = sub(str(v))
        elif kind == "select":
            v = body.get("option")
            if v is None or isinstance(v, (dict, list)):
                raise _err(source, line, f"{step.label()}: 'select' needs an 'option' (its label or value)")
            step.value, step.secret = sub(str(v))
        elif kind == "check":
            step.value = _bool(body.get("checked", True), "checked", source, line, step)
        elif kind == "upload":
            files = body.get("files", [body["file"]] if "file" in body else None)
            if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
                raise _err(source, line, f"{step.label()}: 'upload' needs 'file' or 'files' (paths relative "
                           "to the journey file)")
            step.value = files
    return step


def _locator(body: dict, source: str, line, step: Step, required: bool) -> Locator | None:
    found = [k for k in LOCATOR_KEYS if k in body]
    if not found:
        if required:
            raise _err(source, line, f"{step.label()}: say which element: one of "
                       f"{', '.join(LOCATOR_KEYS)} (e.g. {{role: button, name: Send}})")
        return None
    if len(found) > 1:
        raise _err(source, line, f"{step.label()}: give one way to find the element, not {' and '.join(found)}")
    by = found[0]
    value = body[by]
    if not isinstance(value, str) or not value:
        raise _err(source, line, f"{step.label()}: {by!r} must be a text")
    name = body.get("name") if by == "role" else None
    if by == "role" and value not in ROLES:
        raise _err(source, line, f"{step.label()}: {value!r} is not an ARIA role (e.g. button, link, textbox, "
                   "checkbox, radio, combobox, dialog)")
    if name is not None and not isinstance(name, str):
        name = str(name)
    exact = _bool(body.get("exact", False), "exact", source, line, step)
    return Locator(by=by, value=value, name=name, exact=exact)


def _bool(v: Any, key: str, source: str, line, step: Step) -> bool:
    if not isinstance(v, bool):
        raise _err(source, line, f"{step.label()}: {key!r} must be true or false")
    return v


def _seconds(v: Any, source: str, line, step: Step) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 600:
        raise _err(source, line, f"{step.label()}: 'timeout' must be seconds, more than 0 and at most 600")
    return float(v)


def _duration(v: Any, source: str, line, step: Step) -> int:
    """Milliseconds of an idle step: 90s, 15m, 1h, or a number of seconds."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        ms = float(v) * 1000
    else:
        m = DURATION_RE.match(str(v)) if isinstance(v, str) else None
        if not m:
            raise _err(source, line, f"{step.label()}: 'idle' needs a duration such as 90s or 15m")
        ms = float(m.group(1)) * {"ms": 1, "s": 1000, None: 1000, "m": 60_000, "min": 60_000,
                                  "h": 3_600_000}[m.group(2)]
    if not 0 < ms <= 24 * 3_600_000:
        raise _err(source, line, f"{step.label()}: 'idle' is more than 0 and at most 24h")
    return int(ms)


def _secret(value: str, source: str, line, step: Step, environ, secrets: list[str]) -> tuple[str, bool]:
    """``value`` with ``${env:NAME}`` replaced; whether it held a secret (its parts are remembered)."""
    names = ENV_RE.findall(value)
    if not names:
        return value, False
    for name in names:
        if name not in environ:
            raise _err(source, line, f"{step.label()}: the environment variable {name} is not set; set it "
                       "(e.g. as a CI secret) before running the journey")
        if environ[name] and environ[name] not in secrets:
            secrets.append(environ[name])
    return ENV_RE.sub(lambda m: environ[m.group(1)], value), True


def mask(text: str, secrets: list[str]) -> str:
    """``text`` with every secret value replaced by as many •: the same length, so that the offsets of a
    text's sentences and findings (spans) stay true."""
    for s in sorted(secrets, key=len, reverse=True):
        if s:
            text = text.replace(s, "•" * len(s))
    return text
