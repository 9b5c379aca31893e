import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_runner_quick_sweep(tmp_path):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
        DISSIPAX_BENCH_SWEEP_SCALING="0",  # the 8-device scaling rows: own test below
    )
    results = tmp_path / "RESULTS.md"
    cmd = [
        sys.executable,
        "-m",
        "benchmarks",
        "--quick",
        "--only",
        "sweep",
        "--results",
        str(results),
    ]
    for _ in range(2):  # the second run updates the same section in place
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for head in (
        "workload",
        "dissipax [s]",
        "reference [s]",
        "ratio",
        "error",
        "compile [s]",
        "device",
    ):
        assert head in out
    assert "sweep sigma_xx" in out
    text = results.read_text()
    assert text.count("## ") == 1 and "Machine:" in text and "<!-- benchmark-data" in text
    assert text.count("| sweep sigma_xx, 100x20x5 = 1e+04 points, one chunk |") == 1


def test_runner_rejects_unknown_module():
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "nope", "--no-write"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0 and "bench_sweep" in proc.stderr


@pytest.mark.slow
def test_scaling_rows_quick():
    """The 8-device scaling rows (quick: 10^3 points on 1 and 8 forced host devices)."""
    sys.path.insert(0, str(ROOT))
    try:
        from benchmarks import bench_sweep
    finally:
        sys.path.remove(str(ROOT))
    rows = bench_sweep._scaling_rows(quick=True, repeat=1)
    assert [r["device"].rsplit("x", 1)[1] for r in rows] == ["1", "8"], rows
    for r in rows:
        assert r["error"] is not None and r["error"] <= 1e-12, r
        assert r["dissipax_s"] > 0 and "points/s" in r["notes"]
