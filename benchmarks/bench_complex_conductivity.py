"""Benchmark: complex Mattis-Bardeen sigma1 + i sigma2 with Delta(T) vs SciPy quad (issue 16).

Workloads (``--quick``: 20 x 20 grids):
* the 100 x 100 (omega, T) grid of bench_rf_sigma1 (omega in [1e-4, 0.1] log, T in
  [0.03, 0.3] in units of Delta0), sigma1 and sigma2 at tol=1e-8 (the issue's accuracy);
* the same at the default tol=1e-10;
* a grid through the pair-breaking edge and Tc: omega in [1e-3, 6] (log), T/Tc in
  [0.05, 0.999].

dissipax_s is the median of 7 warm runs of ``dx.rf.sigma_mattis_bardeen`` on the grid (the
gap Delta(T) solved inside each call; compilation excluded, reported as compile_s);
reference_s is ``scipy_reference.sigma_mattis_bardeen`` (three ``quad`` integrals per point,
Tinkham Eqs. 3.125, at the gap of ``scipy_reference.bcs_gap``) on every 10th point, scaled to
the grid.  error is the largest relative deviation of sigma1 or sigma2 on those points.

Run alone:  python -m benchmarks.bench_complex_conductivity [--quick]
"""

from __future__ import annotations

import time

import numpy as np

import dissipax.rf as rf
from benchmarks import is_quick, main, row
from dissipax.rf import scipy_reference as ref
from dissipax.rf.complex_conductivity import map_spans, node_count

REPEAT = 7


def _median_time(fn, repeat=REPEAT):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = np.asarray(fn())
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def bench_grid(omega, temp, tol, label, stride=10):
    w, t = np.meshgrid(omega, temp, indexing="ij")
    t0 = time.perf_counter()
    np.asarray(rf.sigma_mattis_bardeen(w, t, tol=tol))
    first = time.perf_counter() - t0
    run_s, got = _median_time(lambda: rf.sigma_mattis_bardeen(w, t, tol=tol))
    idx = np.arange(w.size)[::stride]
    gaps = {}

    def reference():
        out = []
        for i in idx:
            Ti = float(t.flat[i])
            if Ti not in gaps:
                gaps[Ti] = ref.bcs_gap(Ti / rf.T_C)
            out.append(ref.sigma_mattis_bardeen(float(w.flat[i]), Ti, gaps[Ti]))
        return np.array(out)

    t0 = time.perf_counter()
    want = reference()
    ref_s = (time.perf_counter() - t0) * w.size / idx.size
    sel = got.flat[idx]
    err = float(
        max(np.max(np.abs(sel.real / want[:, 0] - 1)), np.max(np.abs(sel.imag / want[:, 1] - 1)))
    )
    D = np.asarray(rf.bcs_gap(t / rf.T_C))
    sp = map_spans(w, t, D, 0.0, tol)
    n = (
        f"{node_count(tol, sp['thermal'])} (thermal), "
        f"{node_count(tol, sp['sigma2'], far_end=True)} (sigma2)"
    )
    if sp["pair_breaking"]:
        n += f", {node_count(tol, sp['pair_breaking'], far_end=True)} (pair breaking)"
    return row(
        f"complex MB sigma1+i*sigma2 with Delta(T), {w.shape[0]}x{w.shape[1]} {label}, tol={tol:g}",
        run_s,
        ref_s,
        err,
        max(first - run_s, 0.0),
        notes=f"{n} nodes per map (from tol); dissipax median of {REPEAT} warm runs; reference "
        f"(3 quad integrals per point + brentq gap per T) timed once on {idx.size} of {w.size} "
        "points and scaled; error = max relative deviation of sigma1 or sigma2 there",
    )


def run(quick: bool | None = None) -> list[dict]:
    """Benchmark rows (keys: workload, dissipax_s, reference_s, ratio, error, compile_s, ...)."""
    quick = is_quick() if quick is None else quick
    n = 20 if quick else 100
    low_w, low_t = np.logspace(-4, -1, n), np.linspace(0.03, 0.3, n)
    full_w, full_t = np.logspace(-3, np.log10(6.0), n), np.linspace(0.05, 0.999, n) * rf.T_C
    return [
        bench_grid(low_w, low_t, 1e-8, "(omega in [1e-4, 0.1], T in [0.03, 0.3])"),
        bench_grid(low_w, low_t, 1e-10, "(omega in [1e-4, 0.1], T in [0.03, 0.3])"),
        bench_grid(full_w, full_t, 1e-8, "(omega in [1e-3, 6], T/Tc in [0.05, 0.999])"),
    ]


if __name__ == "__main__":
    main(run)
