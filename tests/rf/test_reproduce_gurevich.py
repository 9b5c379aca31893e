"""The Gurevich reproduction configs parse and run (small grids) and write their files."""

import json
from pathlib import Path

from dissipax import config

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def test_shipped_configs_validate():
    for name in ("gurevich_fig3", "gurevich_fig4a"):
        cfg = config.load(CONFIGS / f"{name}.toml")
        assert cfg.kind == name


def test_fig3_run_small(tmp_path):
    text = 'kind = "gurevich_fig3"\ntitle = "t"\nn_fields = 21\nomegas = [0.005, 0.06]\n'
    cfg = config.parse(text, source="inline")
    summary = config.kind_module(cfg.kind).run(cfg, tmp_path)
    assert summary.ok and {p.name for p in summary.files} == {
        "fig2_dos.png",
        "fig3_sigma1.png",
        "results.json",
    }
    res = json.loads((tmp_path / "results.json").read_text())
    # Fig. 3: a pronounced minimum at omega = 0.005, none at omega = 0.06 > ... (T = 0.1)
    assert res["fig3"]["minima"]["0.005"]["sigma1_ratio"] < 0.8
    assert "0.06" not in res["fig3"]["minima"]


def test_fig4a_run_small(tmp_path):
    text = 'kind = "gurevich_fig4a"\ntitle = "t"\nn_fields = 5\nn_depth = 6\n'
    cfg = config.parse(text, source="inline")
    summary = config.kind_module(cfg.kind).run(cfg, tmp_path)
    assert summary.ok
    res = json.loads((tmp_path / "results.json").read_text())
    neq, eq = res["sigma1_noneq"], res["sigma1_eq"]
    assert neq[-1] < neq[0] and neq[-1] < eq[-1]
