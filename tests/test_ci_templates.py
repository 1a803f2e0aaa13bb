"""The CI templates in ci/ are valid YAML, and every klartjek command in them, with each of its
options, exists in the CLI."""
import shlex
from pathlib import Path

import pytest
import typer.main
import yaml

from cli import app

CI = Path(__file__).resolve().parent.parent / "ci"
TEMPLATES = ["github-actions.yml", "gitlab-ci.yml", "azure-pipelines.yml"]


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
    assert {c[1] for c in commands} >= {"audit", "gate", "browser"}
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
