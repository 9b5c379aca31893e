"""The supercyclotron config validates against its schema; bad values are reported by key."""

from pathlib import Path

import pytest

from dissipax import config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_config_validates():
    cfg = config.load(CONFIGS / "supercyclotron.toml")
    assert cfg.kind == "supercyclotron"
    assert cfg.data["flux_flow"]["sigma_n"] == 0.4
    assert cfg.data["pinning"]["omega_o"][-1] == 0.0


def test_config_errors_name_the_key():
    text = 'kind = "supercyclotron"\n[flux_flow]\nx = 1.5\n'
    with pytest.raises(config.ConfigError, match="flux_flow.x"):
        config.parse(text, source="bad.toml")
    with pytest.raises(config.ConfigError, match="unknown key"):
        config.parse('kind = "supercyclotron"\nomega_mx = 1.0\n', source="bad.toml")
