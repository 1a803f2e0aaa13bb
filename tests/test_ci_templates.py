"""The CI templates in ci/ are valid against their platform's published schema (check-jsonschema's
vendored copies: GitHub workflows, GitLab CI, Azure Pipelines), and every klartjek command in them,
with each of its options, exists in the CLI."""
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
import yaml

from cli import app

CI = Path(__file__).resolve().parent.parent / "ci"
TEMPLATES = ["github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"]
SCHEMAS = {"github-actions.yml": "vendor.github-workflows", "gitlab-ci.yml": "vendor.gitlab-ci",
           "azure-pipelines.yml": "vendor.azure-pipelines"}


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_valid_for_its_platform(name):
    res = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", SCHEMAS[name],
                          "--regex-variant", "python", str(CI / name)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_uses_a_browser_that_runs_and_a_pip_cache(name):
    text = (CI / name).read_text(encoding="utf-8")
    assert "pip" in text and ("cache" in text.lower())
    if name != "gitlab-ci.yml":          # hosted Ubuntu runners: the preinstalled Chrome, not the snap shim
        assert "KLARTJEK_CHROMIUM: google-chrome" in text and "apt-get install -y chromium" not in text
    assert "--serve-command" in text     # pull requests audit their own build


def strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


def klartjek_commands(text: str) -> list[list[str]]:
    out = []
    for script in strings(yaml.safe_load(text)):
        for line in script.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("klartjek "):
                out.append(shlex.split(line.replace("$(", "(").replace("$", "")))
    return out


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_commands_exist(name):
    commands = klartjek_commands((CI / name).read_text(encoding="utf-8"))
    assert {c[1] for c in commands} >= {"audit", "gate", "doctor"}
    group = typer.main.get_command(app)
    for argv in commands:
        cmd = group.commands.get(argv[1])
        assert cmd is not None, f"{name}: no command {argv[1]!r}"
        words = argv[2:]
        if hasattr(cmd, "commands"):          # a group such as `baseline save`
            cmd = cmd.commands[words[0]]
            words = words[1:]
        known = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        for w in words:
            if w.startswith("--"):
                assert w.split("=")[0] in known, f"{name}: {' '.join(argv[:2])} has no option {w}"
        if "--report" in words:
            from reports import parse_spec
            for i, w in enumerate(words):
                if w == "--report":
                    parse_spec(words[i + 1])          # a known format


def test_readme_lists_every_template():
    readme = (CI / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in TEMPLATES)
