"""What an installed dissipax carries: the reproduce configs and the example CSV they read.

(The wheel itself is built and installed in a clean venv by ``make dist-check``.)
"""

import tomllib
from importlib.resources import files
from pathlib import Path

from dissipax import cli, config

ROOT = Path(__file__).resolve().parents[1]


def test_package_data_points_at_the_configs():
    res = files("dissipax.reproduce")
    names = sorted(p.name for p in (ROOT / "configs").glob("*.toml"))
    assert names and sorted(p.name for p in res.joinpath("configs").iterdir()) == names
    cfg = config.load(Path(str(res / "configs" / "fit_saturation_example.toml")))
    assert cfg is not None and (res / "data" / "saturation_synthetic_S1.csv").is_file()
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = spec["tool"]["setuptools"]["package-data"]["dissipax.reproduce"]
    assert globs == ["configs/*.toml", "data/*.csv"]


def test_reproduce_finds_installed_configs_outside_the_repo(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no ./configs here
    assert cli.main(["reproduce", "--list"]) == 0
    out = capsys.readouterr().out
    assert "gurevich_fig3" in out and "fit_saturation_example" in out
