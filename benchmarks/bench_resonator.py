"""20 notch-resonator S21 traces: one batched dissipax fit vs a loop of SciPy fits.

Workload: 20 synthetic traces of 2001 points (Probst et al. 2015, Eq. (1): fr 7.718 GHz ±
200 kHz, Ql 5e4–1e5, |Qc| 1.2e5, φ in ±0.4, a = 0.1, α = 1, τ = 60 ns), Gaussian noise 2 %
of a per quadrature: the shape of the scresonators Al-on-InP sweep.

dissipax: :func:`dissipax.rf.resonator.fit_s21` — automatic starts (delay, circle, phase)
and ONE ``least_squares(..., batched=True, batch_x=True)`` call for all traces (after
compilation).  Reference: ``scipy.optimize.least_squares(method="lm")`` (MINPACK) trace by
trace in a Python loop, on the SAME model, the same fit coordinates and the same starts
(:func:`dissipax.rf.resonator.estimate_starts`, whose cost is shared and not timed for the
reference), residuals weighted by the same noise estimate.  Timed alternately
``REPEATS`` times in one process; medians of the wall times, and the median ratio of the
process CPU times in the notes (less sensitive to other processes on a shared machine).
``error``: max |Qi_dissipax − Qi_scipy| / stderr(Qi) over the traces.  The notes also give
the warm time at the engine's default tolerance (``rtol = atol = None``, 1e-10) beside
fit_s21's own (1e-6; SciPy runs at its defaults, 1e-8).

A second row: the first ``fit_s21`` in a fresh process with an empty compilation cache
(import and data excluded, compilation included), against the SciPy loop's first call in a
fresh process, medians of ``REPEATS_FRESH`` alternating pairs of processes.

Run alone: ``python -m benchmarks.bench_resonator [--quick]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

from benchmarks import best_time, is_quick, main, row

N, N_QUICK, NF = 20, 5, 2001
REPEATS = 3
REPEATS_FRESH = 3

_FRESH = """
import json, sys, time
sys.path.insert(0, {root!r})
import dissipax
from benchmarks.bench_resonator import make_data, fit_scipy
from dissipax.rf import resonator as rs
f, s, _ = make_data({n})
t, c = time.perf_counter(), time.process_time()
{call}
print(json.dumps(dict(wall=time.perf_counter() - t, cpu=time.process_time() - c)))
"""


def make_data(n: int, seed: int = 0):
    """``n`` noisy traces on one frequency grid and the true Qi."""
    from dissipax.rf import resonator as rs

    rng = np.random.default_rng(seed)
    f = np.linspace(7.7107e9, 7.7257e9, NF)
    fr = 7.7182e9 + rng.uniform(-2e5, 2e5, n)
    Ql, phi = rng.uniform(5e4, 1e5, n), rng.uniform(-0.4, 0.4, n)
    Qc = np.full(n, 1.2e5)
    s = np.asarray(
        rs.notch_s21(
            f,
            fr=fr[:, None],
            Ql=Ql[:, None],
            Qc=Qc[:, None],
            phi=phi[:, None],
            a=0.1,
            alpha=1.0,
            tau=60e-9,
        )
    )
    s = s + 0.002 * (rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape))
    return f, s, np.asarray(rs.internal_q(Ql, Qc, phi))


def fit_scipy(f, s):
    """Per-trace scipy.optimize.least_squares (LM) of the same model; returns Qi, success."""
    from scipy.optimize import least_squares

    from dissipax.rf import resonator as rs

    F = np.broadcast_to(f, s.shape)
    st = rs.estimate_starts(F, s)
    sig = rs.estimate_noise(s)
    qi, ok = np.empty(len(s)), np.empty(len(s), bool)
    for i in range(len(s)):
        df = F[i] - st.fr[i]
        lw, span = 1.0 / st.Ql[i], F[i, -1] - F[i, 0]

        def resid(p, i=i, df=df, lw=lw, span=span):
            u_fr, lqi, lqc, phi, la, u_al, u_tau = p
            Qi_, Qc_, a_ = np.exp(lqi), np.exp(lqc), np.exp(la)
            Ql_ = 1.0 / (1.0 / Qi_ + np.cos(phi) / Qc_)
            xr = lw * u_fr
            det = (df / st.fr[i] - xr) / (1 + xr)
            tau = st.tau[i] + u_tau / (2 * np.pi * span)
            env = a_ * np.exp(1j * (st.alpha[i] + u_al - 2 * np.pi * df * tau))
            m = env * (1 - (Ql_ / Qc_) * np.exp(1j * phi) / (1 + 2j * Ql_ * det))
            r = (m - s[i]) / sig[i]
            return np.concatenate([r.real, r.imag])

        p0 = [0.0, np.log(st.Qi[i]), np.log(st.Qc[i]), st.phi[i], np.log(st.a[i]), 0.0, 0.0]
        out = least_squares(resid, p0, method="lm")
        qi[i], ok[i] = np.exp(out.x[1]), out.success
    return qi, ok


def _fresh(n: int, call: str, cache: str) -> dict:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    code = _FRESH.format(root=root, n=n, call=call)
    env = dict(os.environ, DISSIPAX_JAX_CACHE=cache, PYTHONUNBUFFERED="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool | None = None) -> list[dict]:
    """Benchmark rows (keys: workload, dissipax_s, reference_s, ratio, error, ...)."""
    import dissipax  # noqa: F401  (float64)
    from dissipax.rf import resonator as rs

    quick = is_quick() if quick is None else quick
    n = N_QUICK if quick else N
    f, s, qi_true = make_data(n)
    first, res = best_time(lambda: rs.fit_s21(f, s), 1)
    best_time(lambda: rs.fit_s21(f, s, rtol=None, atol=None), 1)
    wall, cpu, wall_ref, cpu_ref, wall_tight = [], [], [], [], []
    load0 = os.getloadavg()[0]
    for _ in range(REPEATS):
        t0, c0 = time.perf_counter(), time.process_time()
        res = rs.fit_s21(f, s)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        qi_ref, ok_ref = fit_scipy(f, s)
        wall_ref.append(time.perf_counter() - t0)
        cpu_ref.append(time.process_time() - c0)
        t0 = time.perf_counter()
        tight = rs.fit_s21(f, s, rtol=None, atol=None)
        wall_tight.append(time.perf_counter() - t0)
    load1 = os.getloadavg()[0]
    both = res.success & ok_ref
    err = float(np.max(np.abs(res.Qi - qi_ref)[both] / res.stderr["Qi"][both]))
    err_tight = float(np.max(np.abs(res.Qi - tight.Qi) / res.stderr["Qi"]))
    dx_s, ref_s = float(np.median(wall)), float(np.median(wall_ref))
    steps = np.asarray(res.fit.extra["nsteps"])
    rows = [
        row(
            f"fit_s21: {n} notch traces x {NF} points, one batched call",
            dx_s,
            ref_s,
            error=err,
            compile_s=first - dx_s,
            notes=(
                f"reference: scipy.optimize.least_squares(method='lm') per trace, same model "
                f"(7 parameters), starts from the same estimate_starts (not timed for SciPy); "
                f"dissipax: variable projection (3 nonlinear parameters), {steps.min()}-"
                f"{steps.max()} LM steps; median of {REPEATS} alternating repeats; CPU-time "
                f"ratio {np.median(cpu_ref) / np.median(cpu):.3g}; at the engine's default "
                f"tolerance 1e-10: {np.median(wall_tight):.3g} s (Qi within "
                f"{err_tight:.1g} stderr); converged {int(res.success.sum())}/{n} (dissipax), "
                f"{int(ok_ref.sum())}/{n} (SciPy); error = max |dQi|/stderr(Qi); load "
                f"{load0:.1f} -> {load1:.1f}"
            ),
        )
    ]
    fresh, fresh_ref = [], []
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(REPEATS_FRESH):
            fresh.append(_fresh(n, "r = rs.fit_s21(f, s)", os.path.join(tmp, f"c{i}")))
            fresh_ref.append(_fresh(n, "r = fit_scipy(f, s)", "0"))
    load1 = os.getloadavg()[0]
    rows.append(
        row(
            f"fit_s21: {n} x {NF} traces, first call in a fresh process, empty cache",
            float(np.median([r["wall"] for r in fresh])),
            float(np.median([r["wall"] for r in fresh_ref])),
            notes=(
                f"compilation included, import and data excluded; median of {REPEATS_FRESH} "
                f"alternating fresh processes; CPU {np.median([r['cpu'] for r in fresh]):.3g} s "
                f"(SciPy {np.median([r['cpu'] for r in fresh_ref]):.3g} s); reference: the "
                f"SciPy loop's first call in a fresh process; load {load0:.1f} -> {load1:.1f}"
            ),
        )
    )
    return rows


if __name__ == "__main__":
    main(run)
