from pathlib import Path

import pytest

from audit.config import config_hash, load_config
from core.errors import UsageError
from conftest import run_cli


def test_defaults_come_from_the_bundled_file(tmp_path):
    cfg = load_config(cwd=tmp_path)
    assert cfg["level"] == "AA" and cfg["fail_on"] == "serious"
    assert cfg["weights"] == {"critical": 10, "serious": 7, "moderate": 3, "minor": 1}
    assert cfg["_source"] is None


def test_pyproject_section_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.klartjek]\nlevel = "A"\n[tool.klartjek.weights]\nminor = 2\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    cfg = load_config(cwd=sub)
    assert cfg["level"] == "A" and cfg["weights"]["minor"] == 2 and cfg["weights"]["critical"] == 10
    assert cfg["_source"] == str(tmp_path / "pyproject.toml")


def test_pyproject_without_section_is_skipped_and_klartjek_toml_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_config(cwd=tmp_path)["_source"] is None
    (tmp_path / "klartjek.toml").write_text('fail_on = "critical"\n')
    assert load_config(cwd=tmp_path)["fail_on"] == "critical"


def test_command_line_overrides_the_file(tmp_path):
    (tmp_path / "klartjek.toml").write_text('level = "A"\n')
    cfg = load_config(cwd=tmp_path, overrides={"level": "aaa", "timeout": None})
    assert cfg["level"] == "AAA" and cfg["timeout"] == 30


@pytest.mark.parametrize("text, message", [
    ('levle = "A"\n', "unknown key 'levle'"),
    ('level = "B"\n', "'level' is 'B'; choose one of A, AA, AAA"),
    ('[weights]\nhuge = 3\n', "unknown key 'weights.huge'"),
    ('[weights]\nminor = "x"\n', "'weights.minor' must be a number"),
    ('block_external = "yes"\n', "'block_external' must be true or false"),
    ('allow_hosts = "a"\n', "'allow_hosts' must be a list of strings"),
    ('level = \n', "not valid TOML"),
])
def test_bad_config_names_the_file_and_key(tmp_path, text, message):
    (tmp_path / "klartjek.toml").write_text(text)
    with pytest.raises(UsageError) as exc:
        load_config(cwd=tmp_path)
    assert message in str(exc.value)
    assert "klartjek.toml" in str(exc.value)


def test_missing_config_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="config file not found"):
        load_config(Path(tmp_path / "nope.toml"))


def test_config_hash_changes_with_what_changes_results_only(tmp_path):
    a = load_config(cwd=tmp_path)
    b = load_config(cwd=tmp_path, overrides={"workers": 7, "db": "x.sqlite"})
    c = load_config(cwd=tmp_path, overrides={"level": "A"})
    assert config_hash(a) == config_hash(b) != config_hash(c)


def test_cli_help_keeps_square_brackets():
    # help texts are plain text: "[tool.klartjek]" and "[default: …]" must not be eaten as markup
    res = run_cli("audit", "--help", block_external=False)
    assert res.returncode == 0
    text = " ".join(res.stdout.split())
    assert "[tool.klartjek] in pyproject.toml" in text and "[default: AA]" in text


def test_targets_from_the_config(tmp_path):
    cfg = tmp_path / "klartjek.toml"
    cfg.write_text('targets = ["fixtures/site/parkering.html"]\n')
    res = run_cli("audit", "--config", str(cfg), "--db", str(tmp_path / "h.sqlite"), "--json", str(tmp_path / "r.json"))
    assert res.returncode in (0, 1), res.stderr
    import json
    run = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert run["targets"] == ["fixtures/site/parkering.html"]
    assert [d["path"] for d in run["documents"]] == ["fixtures/site/parkering.html"]
