import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from dissipax import cli, config
from dissipax.sweep import load

ROOT = Path(__file__).resolve().parents[2]

TINY = """
kind = "sweep"
title = "tiny sigma_xx sweep"
observable = "vortex.sigma_xx"
output_units = "e*^2/hbar"
format = "{fmt}"
chunk_size = {chunk}

[axes.omega]
start = 0.01
stop = 10.0
num = 30
spacing = "log"
units = "natural"

[axes.Omega_H]
values = [0.0, 0.25, 0.5]

[fixed]
f_s = 1.0
Omega = 0.2
alpha_v = 0.05
sigma_o = 0.05
"""


def _write(tmp_path, fmt="auto", chunk=0, name="tiny"):
    p = tmp_path / f"{name}.toml"
    p.write_text(TINY.format(fmt=fmt, chunk=chunk))
    return p


def _reference(eq6):
    w, h = np.meshgrid(np.geomspace(0.01, 10.0, 30), [0.0, 0.25, 0.5], indexing="ij")
    return eq6(w, 1.0, 0.2, h, 0.05, 0.05)


def test_cli_sweep_netcdf(vortex_module, eq6, tmp_path, capsys):
    rc = cli.main(
        ["sweep", str(_write(tmp_path, chunk=16)), "--out", str(tmp_path / "out"), "--quiet"]
    )
    assert rc == 0, capsys.readouterr()
    d = tmp_path / "out" / "tiny"
    assert {p.name for p in d.iterdir()} == {"tiny.nc", "tiny.png", "tiny.json"}
    ds = load(d / "tiny.nc")
    assert ds["sigma_xx"].dims == ("omega", "Omega_H")
    assert ds["sigma_xx"].attrs["units"] == "e*^2/hbar" and ds["omega"].attrs["units"] == "natural"
    # the observable (dissipax.vortex) against the independent Eq. (6)
    np.testing.assert_allclose(ds["sigma_xx"].values, _reference(eq6), rtol=1e-12)
    assert ds.attrs["observable"] == "vortex.sigma_xx" and ds.attrs["n_chunks"] == 6
    summary = json.loads((d / "tiny.json").read_text())
    assert summary["axes"]["omega"]["n"] == 30 and summary["fixed"]["Omega"] == 0.2
    assert summary["outputs"]["sigma_xx"]["n_nonfinite"] == 0
    assert "90 points" in capsys.readouterr().out


def test_cli_sweep_npz(vortex_module, eq6, tmp_path):
    rc = cli.main(
        ["sweep", str(_write(tmp_path, fmt="npz")), "--out", str(tmp_path / "o"), "--quiet"]
    )
    assert rc == 0
    r = load(tmp_path / "o" / "tiny" / "tiny.npz")
    np.testing.assert_allclose(r.data["sigma_xx"], _reference(eq6), rtol=1e-12)
    assert r.units["sigma_xx"] == "e*^2/hbar"


def test_example_config(vortex_module, tmp_path, capsys):
    cfg = config.load(ROOT / "configs" / "sweep_example.toml")
    assert cfg.kind == "sweep" and list(cfg.data["axes"]) == ["omega", "Omega_H"]
    rc = cli.main(
        ["sweep", str(ROOT / "configs" / "sweep_example.toml"), "--out", str(tmp_path), "--quiet"]
    )
    assert rc == 0, capsys.readouterr()
    assert (tmp_path / "sweep_example" / "sweep_example.png").is_file()


def test_missing_observable_module_fails_cleanly(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "dissipax.vortex", None)
    rc = cli.main(["sweep", str(_write(tmp_path)), "--out", str(tmp_path), "--quiet"])
    assert rc == cli.EXIT_FAILED
    assert "not available in this build" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (("num = 30", "num = 30\nnumber = 3"), r":\d+: key 'axes.omega.number': unknown key"),
        (("num = 30\n", ""), r"key 'axes.omega': needs start, stop and num"),
        (
            ("values = [0.0, 0.25, 0.5]", "values = [0.0]\nstart = 1.0"),
            r"key 'axes.Omega_H': give either values",
        ),
        (("start = 0.01", "start = 0.0"), r"key 'axes.omega': log spacing"),
        (("f_s = 1.0", 'f_s = "one"'), r":\d+: key 'fixed.f_s': expected a finite number"),
        (("f_s = 1.0", "omega = 1.0"), r"key 'fixed.omega': 'omega' is also an axis"),
        (
            ('observable = "vortex.sigma_xx"', 'observable = "os.system"'),
            r":\d+: key 'observable': value 'os.system' is not one of",
        ),
        (("chunk_size = {chunk}", "chunk_size = -1"), r"key 'chunk_size': value -1 out of range"),
    ],
)
def test_config_errors_name_file_line_key(edit, match):
    text = TINY.replace(*edit).format(fmt="auto", chunk=0)
    with pytest.raises(config.ConfigError, match=match):
        config.parse(text, source="tiny.toml")


def test_config_without_axes():
    text = 'kind = "sweep"\nobservable = "vortex.sigma_xx"\n'
    with pytest.raises(config.ConfigError, match="at least one table"):
        config.parse(text, source="x.toml")


def test_config_error_exit_code(tmp_path, capsys):
    p = tmp_path / "bad.toml"
    p.write_text(TINY.replace("num = 30", "num = 0").format(fmt="auto", chunk=0))
    assert cli.main(["sweep", str(p), "--out", str(tmp_path)]) == cli.EXIT_USAGE
    assert "bad.toml" in capsys.readouterr().err


CACHE_SCRIPT = textwrap.dedent(
    """
    import sys, types
    sys.path.insert(0, sys.argv[1])
    from conftest import sigma_xx_eq6
    mod = types.ModuleType("dissipax.vortex")
    mod.sigma_xx = sigma_xx_eq6
    sys.modules["dissipax.vortex"] = mod
    from dissipax.cli import main
    sys.exit(main(["sweep", sys.argv[2], "--out", sys.argv[3], "--quiet",
                   "--jax-cache", sys.argv[4]]))
    """
)


def test_persistent_compilation_cache(tmp_path):
    # in a subprocess: the cache directory is process-global JAX configuration
    cache = tmp_path / "jax-cache"
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            CACHE_SCRIPT,
            str(Path(__file__).parent),
            str(_write(tmp_path)),
            str(tmp_path / "o"),
            str(cache),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert any(cache.iterdir())  # compiled programs were written for the next run
    summary = json.loads((tmp_path / "o" / "tiny" / "tiny.json").read_text())
    assert summary["attrs"]["compile_s"] > 0
