import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_runner_quick_sweep(tmp_path):
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
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
