import json
import subprocess
import sys

import pytest

from dissipax import cli

from ._fake_kind import fake_kind  # noqa: F401  (the fixture, used via usefixtures)

pytestmark = pytest.mark.usefixtures("fake_kind")


@pytest.fixture
def cdir(tmp_path):
    d = tmp_path / "configs"
    d.mkdir()
    (d / "alpha.toml").write_text('kind = "fake"\ntitle = "A"\n[grid]\nT = 1\n')
    (d / "beta.toml").write_text('kind = "fake"\ntitle = "B"\n[grid]\nT = 2\n')
    (d / "myfit.toml").write_text('kind = "fakefit"\n[grid]\nT = 3\n')
    return d


def test_reproduce_all_writes_outputs_and_summary(cdir, tmp_path, capsys):
    out = tmp_path / "out"
    rc = cli.main(["reproduce", "--configs", str(cdir), "--out", str(out), "--quiet"])
    assert rc == cli.EXIT_OK
    for name in ("alpha", "beta", "myfit"):
        assert (out / name / "result.json").is_file()
    assert json.loads((out / "beta" / "result.json").read_text())["grid"]["T"] == 2.0
    text = capsys.readouterr().out
    assert "3 config(s)" in text and "alpha" in text and "T = 2.0" in text


def test_reproduce_named_and_list(cdir, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        cli.main(["reproduce", "beta", "--configs", str(cdir), "--out", str(out), "--quiet"]) == 0
    )
    assert (out / "beta").is_dir() and not (out / "alpha").exists()
    assert cli.main(["reproduce", "--list", "--configs", str(cdir)]) == 0
    assert "alpha" in capsys.readouterr().out


def test_user_errors_exit_2_without_traceback(cdir, tmp_path, capsys):
    assert cli.main(["reproduce", "gamma", "--configs", str(cdir)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "no config named 'gamma'" in err and "alpha, beta" in err and "Traceback" not in err
    assert cli.main(["reproduce", "--configs", str(tmp_path / "nowhere")]) == cli.EXIT_USAGE
    assert cli.main(["fit", str(tmp_path / "missing.toml")]) == cli.EXIT_USAGE
    assert "no such config file" in capsys.readouterr().err
    # a reproduce config is not a fit config
    assert cli.main(["fit", str(cdir / "alpha.toml")]) == cli.EXIT_USAGE
    assert "not a fit config" in capsys.readouterr().err
    (cdir / "broken.toml").write_text('kind = "fake"\n[grid]\nT = "hot"\n')
    assert cli.main(["reproduce", "broken", "--configs", str(cdir)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert "broken.toml:3: key 'grid.T'" in err and "Traceback" not in err


def test_fit_command_runs_fit_config(cdir, tmp_path):
    out = tmp_path / "o"
    assert cli.main(["fit", str(cdir / "myfit.toml"), "--out", str(out), "--quiet"]) == 0
    assert (out / "myfit" / "result.json").is_file()


def test_failing_run_exits_1_and_others_still_run(cdir, tmp_path, capsys):
    (cdir / "zz_fail.toml").write_text('kind = "fake"\n[grid]\nT = 1\n[model]\nfail = true\n')
    rc = cli.main(["reproduce", "--configs", str(cdir), "--out", str(tmp_path / "o"), "--quiet"])
    assert rc == cli.EXIT_FAILED
    text = capsys.readouterr().out
    assert "FAILED: RuntimeError: asked to fail" in text
    assert (tmp_path / "o" / "alpha" / "result.json").is_file()


def test_jax_cache_option_persists_compilations(tmp_path):
    # In a subprocess: the persistent cache is process-global state.
    code = (
        "import sys, jax, jax.numpy as jnp; from dissipax import cli;"
        "cli._enable_cache(sys.argv[1]);"
        "jax.jit(lambda x: jnp.sin(x) * 2)(jnp.ones(3)).block_until_ready()"
    )
    cache = tmp_path / "cache"
    r = subprocess.run(
        [sys.executable, "-c", code, str(cache)], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert any(cache.iterdir()), "no compiled executable was written to the cache"


def test_info_and_entry_point():
    r = subprocess.run(
        [sys.executable, "-m", "dissipax", "info"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert "jax" in r.stdout and "precision: x64 on" in r.stdout and "device 0" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "dissipax"], capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 2 and "usage" in r.stderr
