"""Benchmark: dissipax.rf sigma1 vs a SciPy quad implementation of the same equations.

Workloads (issue 6; ``--quick``: 20 x 20 grid and a 20-point sweep):
* Mattis-Bardeen sigma1, Eq. (35), on a 100 x 100 (omega, T) grid, omega in [1e-4, 0.1]
  (log), T in [0.03, 0.3];
* Eq. (4) (dc-biased sigma1) on a 100-point field sweep, H0/Hc in [0, 0.84], omega = 0.005,
  T = 0.1.

Side by side in alternating rounds: each round one warm dissipax call (compilation
excluded, reported as compile_s), then a fifth of the reference points with
scipy.integrate.quad (dissipax.rf.scipy_reference) - for the 10^4-point grid every 10th
point, scaled to the full grid (said in notes); dissipax_s and reference_s are medians.
error is the largest relative difference on the compared points.

Run alone:  python -m benchmarks.bench_rf_sigma1 [--quick]
"""

from __future__ import annotations

import os

import numpy as np

import dissipax.rf as rf
from benchmarks import alternating, is_quick, main, row, warm_time
from dissipax.rf import quadrature as q
from dissipax.rf import scipy_reference as ref

ROUNDS = 5  # alternating rounds: one dissipax call, then 1/ROUNDS of the reference points


def _side_by_side(ours, reference, points, scale):
    """Alternate ``ours()`` with chunks of ``reference(i)`` over ``points``; medians and notes."""
    chunks = np.array_split(np.asarray(points), ROUNDS)
    res = alternating(ours, [lambda c=c: np.array([reference(i) for i in c]) for c in chunks])
    ours_s, ours_cpu = np.median(res["ours_s"]), np.median(res["ours_cpu"])
    k = np.array([scale * len(points) / len(c) for c in chunks])
    theirs_s = np.median(np.array(res["theirs_s"]) * k)
    theirs_cpu = np.median(np.array(res["theirs_cpu"]) * k)
    per = np.array(res["theirs_s"]) * k / np.array(res["ours_s"])
    notes = (
        f"{ROUNDS} alternating rounds (one dissipax call, then {len(chunks[0])} reference "
        f"points scaled), medians; per-round ratio median {np.median(per):.0f} (range "
        f"{per.min():.0f}-{per.max():.0f}); CPU-time ratio {theirs_cpu / ours_cpu:.0f}; load "
        f"average {res['load'][0]:.1f} -> {res['load'][1]:.1f} on {os.cpu_count()} cores; "
        "measured with: PYTHONPATH=$PWD/src python -m benchmarks --only rf_sigma1"
    )
    return float(ours_s), float(theirs_s), np.asarray(res["ours_out"]), res["theirs_out"], notes


def bench_mattis_bardeen(n: int = 100, stride: int = 10, nodes: int | None = None) -> dict:
    omega = np.logspace(-4, -1, n)
    temp = np.linspace(0.03, 0.3, n)
    w, t = np.meshgrid(omega, temp, indexing="ij")
    kw = {} if nodes is None else {"n": nodes}
    _, compile_s, _ = warm_time(lambda: rf.sigma1_mattis_bardeen(w, t, **kw), 1)
    idx = np.arange(w.size)[::stride]
    run_s, ref_s, got, parts, notes = _side_by_side(
        lambda: rf.sigma1_mattis_bardeen(w, t, **kw),
        lambda i: ref.sigma1_mattis_bardeen(w.flat[i], t.flat[i]),
        idx,
        w.size / idx.size,
    )
    want = np.concatenate(parts)
    err = float(np.max(np.abs(got.flat[idx] / want - 1)))
    return row(
        f"MB sigma1 Eq. (35), {n}x{n} (omega, T) grid, {_nodes(nodes, 'N_MB')}",
        run_s,
        ref_s,
        err,
        compile_s,
        notes=f"{notes}; reference on {idx.size} of {w.size} points, scaled; error on those",
    )


def bench_dc_biased(
    n: int = 100, omega: float = 0.005, T: float = 0.1, nodes: int | None = None
) -> dict:
    h = np.linspace(0.0, 0.84, n)
    s = (h / 2.0) ** 2
    kw = {} if nodes is None else {"n": nodes}
    _, compile_s, _ = warm_time(lambda: rf.sigma1_dc_biased(omega, T, s, **kw), 1)
    run_s, ref_s, got, parts, notes = _side_by_side(
        lambda: rf.sigma1_dc_biased(omega, T, s, **kw),
        lambda i: ref.sigma1_dc_biased(omega, T, s[i]),
        np.arange(n),
        1.0,
    )
    err = float(np.max(np.abs(got / np.concatenate(parts) - 1)))
    return row(
        f"Eq. (4) sigma1, {n}-point field sweep, {_nodes(nodes, 'N_ENERGY')}",
        run_s,
        ref_s,
        err,
        compile_s,
        notes=f"{notes}; omega={omega}, T={T}, H0/Hc in [0, 0.84]; all points compared",
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
