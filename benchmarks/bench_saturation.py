"""Batched saturation fits (Eq. (1), failed insulator) against an lmfit loop.

1000 synthetic ρ(T) curves (40 temperatures, 0.03–1.5 K, 0.5 % noise; σ_QF, σ_0/σ_QF and
E_a drawn at random) are fitted

* by ``dissipax.saturation.fit`` — all curves in one compiled, vmapped Levenberg–Marquardt
  call (timed after compilation; ``compile_s`` is the first call minus a warm call);
* by lmfit (``minimize(method="leastsq")``, MINPACK) in a Python loop, one curve at a time,
  with the *same* residual (log ρ, σ_log = σ/ρ), the same bounds (> 0) and the same
  automatic starting values.

Reported: wall times, ``ratio = reference_s / dissipax_s``, ``error`` = the largest
relative χ² difference between the two over the curves where both converged, and both
convergence fractions (notes).  ``--quick``: 100 curves.  Run alone with
``python -m benchmarks.bench_saturation [--quick]``.
"""

from __future__ import annotations

import numpy as np

from benchmarks import best_time, is_quick, main, row, warm_time

N_CURVES = 1000
N_QUICK = 100
N_T = 40


def make_curves(n: int, seed: int = 0):
    """``n`` noisy Eq.-(1) curves: (T, rho, sigma, true parameters)."""
    from dissipax.saturation import failed_insulator

    rng = np.random.default_rng(seed)
    T = np.geomspace(0.03, 1.5, N_T)
    sigma_QF = 10.0 ** rng.uniform(-7, -4, n)
    sigma_0 = sigma_QF * 10.0 ** rng.uniform(0.5, 3.0, n)
    E_a = rng.uniform(0.2, 0.8, n)
    true = np.asarray(
        failed_insulator(T[None, :], sigma_QF[:, None], sigma_0[:, None], E_a[:, None])
    )
    rho = true * (1 + 0.005 * rng.standard_normal(true.shape))
    return T, rho, 0.005 * true, {"sigma_QF": sigma_QF, "sigma_0": sigma_0, "E_a": E_a}


def _lmfit_loop(T, rho, sigma, start):
    import lmfit

    y = np.log(rho)
    s = sigma / rho

    def resid(p, T, y, s):
        lg = np.logaddexp(
            np.log(p["sigma_QF"].value), np.log(p["sigma_0"].value) - p["E_a"].value / T
        )
        return (-lg - y) / s

    chi2, ok, vals = np.empty(len(rho)), np.empty(len(rho), bool), np.empty((len(rho), 3))
    for i in range(len(rho)):
        p = lmfit.Parameters()
        for k in ("sigma_QF", "sigma_0", "E_a"):
            p.add(k, value=float(start[k][i]), min=0.0)
        out = lmfit.minimize(resid, p, args=(T, y[i], s[i]), method="leastsq")
        chi2[i], ok[i] = out.chisqr, out.success
        vals[i] = [out.params[k].value for k in ("sigma_QF", "sigma_0", "E_a")]
    return chi2, ok, vals


def run(quick: bool | None = None) -> list[dict]:
    """One row: the batched fit of N curves vs an lmfit loop (see the module notes)."""
    import dissipax  # noqa: F401  (float64)
    from dissipax.saturation import fit, initial_guess

    quick = is_quick() if quick is None else quick
    n = N_QUICK if quick else N_CURVES
    T, rho, sigma, true = make_curves(n)

    dx_s, compile_s, res = warm_time(lambda: fit(T, rho, "insulator", sigma=sigma), 3)
    start = initial_guess(T, rho, "insulator")
    ref_s, (chi2_l, ok_l, vals_l) = best_time(lambda: _lmfit_loop(T, rho, sigma, start), 1)

    ok_d = np.asarray(res.success)
    chi2_d = np.asarray(res.chi2)
    both = ok_d & ok_l
    rel = np.abs(chi2_d[both] - chi2_l[both]) / chi2_l[both]
    better = int(np.sum(chi2_d[both] < chi2_l[both] * (1 - 1e-6)))
    worse = int(np.sum(chi2_d[both] > chi2_l[both] * (1 + 1e-6)))
    E_rel = np.max(np.abs(res.params["E_a"][both] - vals_l[both, 2]) / vals_l[both, 2])
    notes = (
        f"{n} curves x {N_T} T; converged: dissipax {ok_d.mean():.1%}, lmfit "
        f"{ok_l.mean():.1%}; error = max relative chi2 difference over curves both "
        f"converged ({both.sum()}); chi2 lower by >1e-6 rel in dissipax {better}, in lmfit "
        f"{worse}; max rel. E_a difference {E_rel:.1e}; lmfit = minimize(leastsq) loop with "
        "the same residual, bounds and starts; dissipax_s includes the start estimate"
    )
    return [
        row(
            f"saturation.fit Eq. (1), {n} curves batched vs lmfit loop",
            dx_s,
            ref_s,
            float(np.max(rel)) if rel.size else None,
            compile_s,
            notes,
        )
    ]


if __name__ == "__main__":
    main(run)
