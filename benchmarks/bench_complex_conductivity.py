"""Benchmark: complex Mattis-Bardeen sigma1 + i sigma2 with Delta(T) vs SciPy quad (issue 16).

Workloads (``--quick``: 20 x 20 grids):
* the 100 x 100 (omega, T) grid of bench_rf_sigma1 (omega in [1e-4, 0.1] log, T in
  [0.03, 0.3] in units of Delta0), sigma1 and sigma2 at tol=1e-8 (the issue's accuracy);
* the same at the default tol=1e-10;
* a grid through the pair-breaking edge and Tc: omega in [1e-3, 6] (log), T/Tc in
  [0.05, 0.999].

Side by side, in alternating rounds: each round times one warm call of
``dx.rf.sigma_mattis_bardeen`` on the whole grid (the gap Delta(T) solved inside the call;
compilation excluded, reported as compile_s) and then ``scipy_reference.sigma_mattis_bardeen``
(three ``quad`` integrals per point, Tinkham Eqs. 3.125) on a fifth of every 10th point,
scaled to the grid, plus one ``scipy_reference.bcs_gap`` solve per distinct T.  dissipax_s and
reference_s are the medians over the rounds; error is the largest relative deviation of
sigma1 or sigma2 on the reference points.

Run alone:  python -m benchmarks.bench_complex_conductivity [--quick]
"""

from __future__ import annotations

import os
import time

import numpy as np

import dissipax.rf as rf
from benchmarks import is_quick, main, row
from dissipax.rf import scipy_reference as ref
from dissipax.rf.complex_conductivity import mb_node_counts

ROUNDS = 5  # alternating rounds: one dissipax run, then 1/ROUNDS of the reference points


def bench_grid(omega, temp, tol, label, stride=10):
    w, t = np.meshgrid(omega, temp, indexing="ij")
    t0 = time.perf_counter()
    np.asarray(rf.sigma_mattis_bardeen(w, t, tol=tol))
    first = time.perf_counter() - t0
    idx = np.arange(w.size)[::stride]
    temps = np.unique(t.flat[idx])
    load0 = os.getloadavg()[0]
    # the reference gap: one brentq solve per distinct T (the grid has t.shape[1] of them)
    t0 = time.perf_counter()
    gaps = {float(Ti): ref.bcs_gap(float(Ti) / rf.T_C) for Ti in temps}
    gap_s = (time.perf_counter() - t0) * t.shape[1] / temps.size
    want = np.empty((idx.size, 2))
    ours, theirs, ours_cpu, theirs_cpu, got = [], [], [], [], None
    for chunk in np.array_split(np.arange(idx.size), ROUNDS):
        c0, t0 = time.process_time(), time.perf_counter()
        got = np.asarray(rf.sigma_mattis_bardeen(w, t, tol=tol))
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
        c0, t0 = time.process_time(), time.perf_counter()
        for k in chunk:
            i = idx[k]
            Ti = float(t.flat[i])
            want[k] = ref.sigma_mattis_bardeen(float(w.flat[i]), Ti, gaps[Ti])
        scale = w.size / chunk.size
        theirs.append((time.perf_counter() - t0) * scale + gap_s)
        theirs_cpu.append((time.process_time() - c0) * scale + gap_s)
    load1 = os.getloadavg()[0]
    run_s, ref_s = float(np.median(ours)), float(np.median(theirs))
    sel = got.flat[idx]
    err = float(
        max(np.max(np.abs(sel.real / want[:, 0] - 1)), np.max(np.abs(sel.imag / want[:, 1] - 1)))
    )
    D = np.asarray(rf.bcs_gap(t / rf.T_C))
    c = mb_node_counts(w, t, D, tol)
    n = f"{c['thermal']} (thermal), {c['sigma2_low']}+{c['sigma2_high']} (sigma2)"
    if c["pair"]:
        n += f", {c['pair']} (pair breaking)"
    per_round = np.array(theirs) / np.array(ours)
    return row(
        f"complex MB sigma1+i*sigma2 with Delta(T), {w.shape[0]}x{w.shape[1]} {label}, tol={tol:g}",
        run_s,
        ref_s,
        err,
        max(first - run_s, 0.0),
        notes=f"{n} nodes per rule (from tol); {ROUNDS} alternating rounds (one dissipax call "
        f"on the grid, then {idx.size // ROUNDS} reference points scaled to the grid), medians; "
        f"per-round ratio median {np.median(per_round):.0f} (range {per_round.min():.0f}-"
        f"{per_round.max():.0f}); CPU-time ratio {np.median(theirs_cpu) / np.median(ours_cpu):.0f}"
        f"; reference = 3 quad integrals per point + one brentq gap per T "
        f"({gap_s:.2f} s of it); error = max relative deviation of sigma1 or sigma2 on the "
        f"{idx.size} reference points; load average {load0:.1f} -> {load1:.1f} on "
        f"{os.cpu_count()} cores; measured with: PYTHONPATH=$PWD/src python -m benchmarks "
        "--only complex_conductivity",
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
