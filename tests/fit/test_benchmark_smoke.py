"""The batched-fit benchmark runs and agrees with lmfit (slow: it fits 100 curves twice)."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_bench_fit_batched_quick():
    pytest.importorskip("lmfit")
    spec = importlib.util.spec_from_file_location(
        "bench_fit_batched", ROOT / "benchmarks" / "bench_fit_batched.py"
    )
    mod = importlib.util.module_from_spec(spec)
    sys.modules["bench_fit_batched"] = mod
    spec.loader.exec_module(mod)
    rows = mod.run(quick=True)
    assert len(rows) == 2  # contract-default tolerances, and lmfit's tolerances
    keys = {
        "workload",
        "dissipax_s",
        "reference_s",
        "ratio",
        "error",
        "compile_s",
        "device",
        "notes",
    }
    for row in rows:
        assert keys <= set(row)
        assert row["error"] < 1e-6  # same final chi2 as lmfit (the bar)
        assert row["convergence_fraction"] >= 0.99
