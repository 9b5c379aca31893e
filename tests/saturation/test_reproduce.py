"""The failed_insulator reproduction and the saturation_fit example config."""

from pathlib import Path

import pytest

from dissipax import config
from dissipax.config import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def test_configs_validate():
    cfg = config.load(ROOT / "configs" / "failed_insulator.toml")
    assert cfg.kind == "failed_insulator" and cfg.data["sample"]["a"] == -4.7
    assert config.kind_module(cfg.kind).CATEGORY == "reproduce"
    fit = config.load(ROOT / "configs" / "fit_saturation_example.toml")
    assert config.kind_module(fit.kind).CATEGORY == "fit"
    csv = (ROOT / "configs" / fit.data["csv"]).resolve()
    assert csv.is_file() and csv.read_text().startswith("# SYNTHETIC DATA")


def test_config_errors_name_the_key():
    with pytest.raises(ConfigError, match=r"key 'sample.H_star'.*must be > 0"):
        config.parse('kind = "failed_insulator"\n[sample]\nH_star = -3.0\n', source="x.toml")
    with pytest.raises(ConfigError, match="key 'law'"):
        config.parse('kind = "saturation_fit"\ncsv = "a.csv"\nlaw = "metal"\n', source="y")


@pytest.mark.slow
def test_failed_insulator_run(tmp_path):
    cfg = config.load(ROOT / "configs" / "failed_insulator.toml")
    summary = config.kind_module(cfg.kind).run(cfg, tmp_path)
    assert summary.ok, summary.lines
    assert all(p.is_file() for p in summary.files)


@pytest.mark.slow
def test_saturation_fit_run(tmp_path):
    cfg = config.load(ROOT / "configs" / "fit_saturation_example.toml")
    summary = config.kind_module(cfg.kind).run(cfg, tmp_path)
    assert summary.ok, summary.lines
    assert (tmp_path / "report.txt").read_text().count("yes") == 14
