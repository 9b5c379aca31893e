"""Benchmark: dissipax.rf sigma1 vs a SciPy quad implementation of the same equations.

Workloads (issue 6; ``--quick``: 20 x 20 grid and a 20-point sweep):
* Mattis-Bardeen sigma1, Eq. (35), on a 100 x 100 (omega, T) grid, omega in [1e-4, 0.1]
  (log), T in [0.03, 0.3];
* Eq. (4) (dc-biased sigma1) on a 100-point field sweep, H0/Hc in [0, 0.84], omega = 0.005,
  T = 0.1.

dissipax_s is the best of 10 warm runs (compilation excluded, reported as compile_s);
reference_s is scipy.integrate.quad (dissipax.rf.scipy_reference) on the same points - for
the 10^4-point grid on every 10th point, scaled to the full grid (said in notes).  error is
the largest relative difference on the compared points.

Run alone:  python -m benchmarks.bench_rf_sigma1 [--quick]
"""

from __future__ import annotations

import numpy as np

import dissipax.rf as rf
from benchmarks import best_time, is_quick, main, row, warm_time
from dissipax.rf import quadrature as q
from dissipax.rf import scipy_reference as ref

REPEAT = 10  # dissipax_s: best of REPEAT warm runs


def bench_mattis_bardeen(n: int = 100, stride: int = 10, nodes: int | None = None) -> dict:
    omega = np.logspace(-4, -1, n)
    temp = np.linspace(0.03, 0.3, n)
    w, t = np.meshgrid(omega, temp, indexing="ij")
    kw = {} if nodes is None else {"n": nodes}
    run_s, compile_s, got = warm_time(lambda: rf.sigma1_mattis_bardeen(w, t, **kw), REPEAT)
    got = np.asarray(got)
    idx = np.arange(w.size)[::stride]
    ref_s, want = best_time(
        lambda: np.array([ref.sigma1_mattis_bardeen(w.flat[i], t.flat[i]) for i in idx]), 1
    )
    ref_s *= w.size / idx.size
    err = float(np.max(np.abs(got.flat[idx] / want - 1)))
    return row(
        f"MB sigma1 Eq. (35), {n}x{n} (omega, T) grid, {_nodes(nodes, 'N_MB')}",
        run_s,
        ref_s,
        err,
        compile_s,
        notes=f"reference timed on {idx.size} of {w.size} points and scaled; error on those",
    )


def bench_dc_biased(
    n: int = 100, omega: float = 0.005, T: float = 0.1, nodes: int | None = None
) -> dict:
    h = np.linspace(0.0, 0.84, n)
    s = (h / 2.0) ** 2
    kw = {} if nodes is None else {"n": nodes}
    run_s, compile_s, got = warm_time(lambda: rf.sigma1_dc_biased(omega, T, s, **kw), REPEAT)
    got = np.asarray(got)
    ref_s, want = best_time(lambda: np.array([ref.sigma1_dc_biased(omega, T, si) for si in s]), 1)
    err = float(np.max(np.abs(got / want - 1)))
    return row(
        f"Eq. (4) sigma1, {n}-point field sweep, {_nodes(nodes, 'N_ENERGY')}",
        run_s,
        ref_s,
        err,
        compile_s,
        notes=f"omega={omega}, T={T}, H0/Hc in [0, 0.84]; all points compared",
    )


def _nodes(nodes, default_name: str) -> str:
    if nodes is None:
        return f"default {getattr(q, default_name)} nodes"
    return f"{nodes} nodes"


def run(quick: bool | None = None) -> list[dict]:
    """Benchmark rows (keys: workload, dissipax_s, reference_s, ratio, error, compile_s, ...).

    Each workload runs with the default node counts and with the fewest nodes that the
    convergence study (tests/rf/test_convergence.py) shows meet the issue's accuracy target
    (MB 1e-6: 24 nodes give <5e-8 on the trapezoidal rule; Eq. (4) 1e-5: 48 nodes give
    <5e-7).  ``quick`` (default: :func:`benchmarks.is_quick`) shrinks the grid to 20 x 20 and
    the sweep to 20 fields.
    """
    quick = is_quick() if quick is None else quick
    n = 20 if quick else 100
    return [
        bench_mattis_bardeen(n),
        bench_mattis_bardeen(n, nodes=24),
        bench_dc_biased(n),
        bench_dc_biased(n, nodes=48),
    ]


if __name__ == "__main__":
    main(run)
