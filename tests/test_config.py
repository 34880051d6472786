from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.errors import ConfigError


def test_project_config_loads_with_absolute_paths(project_config):
    assert project_config.codebook.is_absolute()
    assert project_config.codebook.is_file()
    assert project_config.nlp.pipeline == "blank:en"


def test_unknown_key_is_named(tmp_path: Path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("nlp:\n  pipline: blank:en\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    assert "nlp.pipline" in str(exc.value)
    assert "unknown key" in str(exc.value)


def test_wrong_type_is_named(tmp_path: Path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("jobs: many\n")
    with pytest.raises(ConfigError) as exc:
        load_config(cfg)
    assert "jobs" in str(exc.value)


def test_relative_paths_resolve_against_config_folder(tmp_path: Path):
    cfg = tmp_path / "sub" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text("codebook: themes.csv\n")
    assert load_config(cfg).codebook == tmp_path / "sub" / "themes.csv"


def test_a_config_kept_elsewhere_uses_the_projects_codebook_cues_and_model_unless_it_names_others(tmp_path: Path):
    from pipeline.config import PROJECT_ROOT

    cfg = tmp_path / "mine.yaml"
    cfg.write_text("jobs: 2\n")
    loaded = load_config(cfg)
    assert loaded.codebook == PROJECT_ROOT / "corpus" / "codebook.csv" and loaded.codebook.is_file()
    assert loaded.cues.is_file() and loaded.model.parent.parent == PROJECT_ROOT
    cfg.write_text("jobs: 2\ncodebook: themes.csv\n")
    assert load_config(cfg).codebook == tmp_path / "themes.csv"


def test_not_yaml_mapping(tmp_path: Path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_config(cfg)


def test_missing_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.yaml")


def test_coding_conflict_policy(tmp_path):
    assert load_config(None).coding.conflict == "newest"
    good = tmp_path / "good.yaml"
    good.write_text("coding:\n  conflict: drop\n")
    assert load_config(good).coding.conflict == "drop"
    bad = tmp_path / "bad.yaml"
    bad.write_text("coding:\n  conflict: loudest\n")
    with pytest.raises(ConfigError, match="coding.conflict"):
        load_config(bad)

def test_store_dir_resolves_against_the_current_folder_not_the_config_folder(tmp_path: Path, monkeypatch):
    cfg = tmp_path / "conf" / "config.yaml"
    cfg.parent.mkdir()
    cfg.write_text("store_dir: cache/store\ncodebook: themes.csv\n")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    loaded = load_config(cfg)
    assert loaded.store_dir == work / "cache" / "store"
    assert loaded.codebook == tmp_path / "conf" / "themes.csv"
    assert load_config(cfg, store_dir=Path("other")).store_dir == work / "other"
    assert load_config(None).store_dir == work / ".review-themes"


def test_where_the_store_lives_does_not_change_the_settings_hash(tmp_path: Path):
    assert load_config(None, store_dir=tmp_path / "a").sha256() == load_config(None, store_dir=tmp_path / "b").sha256()
