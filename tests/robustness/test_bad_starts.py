"""Fits from bad starts: random starting points across the parameter ranges, one batched call.

For each model, ``n`` random starts are fitted to the same synthetic data in one compiled,
vmapped call.  A fit *converged* when it reports success and its χ² is within 1e-6
(relative) of the reference fit from the automatic start (the global minimum here).

* ``raw``: Levenberg–Marquardt from the random start alone (basin size; reported);
* ``default``: what the public fit does with a user start: ``vortex.fit`` also fits from its
  automatic (linearised) start and keeps the better fit; ``saturation.fit`` flags flat
  degenerate fits and retries failed ones from its automatic start with multistart.
  Target: ≥ 99 %.

The study (500 starts per model, ~20-40 s each on 2 cores, mostly compilation) runs with
``--slow``.
"""

from __future__ import annotations

import warnings

import jax
import numpy as np
import pytest

import dissipax.saturation as sat
import dissipax.vortex as vx
from dissipax.fit import Parameter, least_squares

CHI2_RTOL = 1e-6  # same minimum: chi2 agrees far below its statistical scatter (~sqrt(2 n))


def _log_uniform(rng, lo, hi, n):
    return 10 ** rng.uniform(np.log10(lo), np.log10(hi), n)


def _converged(res, chi2_ref):
    chi2 = np.asarray(res.chi2, float)
    return np.asarray(res.success) & (np.abs(chi2 - chi2_ref) <= CHI2_RTOL * chi2_ref)


def vortex_study(n: int, seed: int = 0) -> dict[str, float]:
    """Convergence fractions of the joint σ_xx, σ_xy fit from ``n`` random starts."""
    w = np.linspace(0.02, 4.0, 60)
    truth = dict(f_s=1.0, Omega=0.3, Omega_H=1.0, alpha_v=0.05, sigma_o=0.2, sigma_oH=0.01)
    sp = vx.synthetic_spectrum(jax.random.PRNGKey(1), w, **truth, noise_rel=0.01)
    err = (sp.sigma_xx_err, sp.sigma_xy_err)
    ref = vx.fit(w, sp.sigma_xx, sp.sigma_xy, sigma=err, scale_covar=False)
    rng = np.random.default_rng(seed)
    starts = dict(
        f_s=_log_uniform(rng, 1e-2, 1e2, n),
        Omega=_log_uniform(rng, 1e-2, 1e1, n),
        Omega_H=rng.uniform(-4, 4, n),
        alpha_v=rng.uniform(-0.5, 0.5, n),
        sigma_o=_log_uniform(rng, 1e-3, 1e1, n),
        sigma_oH=rng.uniform(-1, 1, n),
    )
    lower = dict(f_s=0.0, Omega=0.0, sigma_o=0.0)
    params = {k: Parameter(v, min=lower.get(k)) for k, v in starts.items()}

    def rep(a):
        return np.broadcast_to(a, (n, len(w)))

    y, s = (rep(sp.sigma_xx), rep(sp.sigma_xy)), (rep(err[0]), rep(err[1]))
    raw = least_squares(vx.fitting.model_joint, params, w, y, s, batched=True, scale_covar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", vx.EntropyBoundWarning)  # some raw optima violate it
        full = vx.fit(w, y[0], y[1], params=params, sigma=s, scale_covar=False)
    return {
        "raw": float(np.mean(_converged(raw, ref.chi2))),
        "default": float(np.mean(_converged(full, ref.chi2))),
    }


def saturation_study(n: int, law: str, seed: int = 0) -> dict[str, float]:
    """Convergence fractions of Eq. (1) or (2) fits from ``n`` random starts."""
    sw = sat.generate(seed=3)
    i = int(np.flatnonzero(np.asarray(sw.truth.law) == law)[0])
    T, rho, sig = sw.T[i], sw.rho[i], sw.sigma[i]
    ref = sat.fit(T, rho, law, sigma=sig)
    names = list(ref.params)
    rng = np.random.default_rng(seed)
    p = ref.params
    start = {
        names[0]: p[names[0]] * _log_uniform(rng, 1e-2, 1e2, n),
        names[1]: p[names[1]] * _log_uniform(rng, 1e-3, 1e3, n),
        "E_a": _log_uniform(rng, 1e-2, 1e1, n),  # K: 10 mK .. 10 K
    }
    R, S = np.broadcast_to(rho, (n, len(T))), np.broadcast_to(sig, (n, len(T)))
    raw = sat.fit(T, R, law, sigma=S, start=start, retry=False)
    full = sat.fit(T, R, law, sigma=S, start=start)
    return {
        "raw": float(np.mean(_converged(raw, ref.chi2))),
        "default": float(np.mean(_converged(full, ref.chi2))),
    }


def _check(name, fr):
    print(f"{name}: raw {fr['raw']:.1%}, default starts + multistart {fr['default']:.1%}")
    assert fr["default"] >= 0.99
    # the raw basin is large but not everything: guards against a silently broken study
    assert 0.3 <= fr["raw"] <= 1.0


@pytest.mark.slow
def test_vortex_bad_starts_500():
    _check("vortex (500 starts)", vortex_study(500))


@pytest.mark.slow
@pytest.mark.parametrize("law", ["insulator", "superconductor"])
def test_saturation_bad_starts_500(law):
    _check(f"saturation {law} (500 starts)", saturation_study(500, law))


# --- rf (Gurevich): fit_alpha and fit_cavity -------------------------------------------------
# One public call per study: the wrappers fit from the given starts and re-fit only the fits
# that fail, from the automatic start with multistart (their message then starts with
# "(retried"); a fit that was not retried is the raw Levenberg–Marquardt fit from its start,
# so the raw fraction is read off the same call (a retried fit failed from its start).


def _rf_fractions(res, chi2_ref) -> dict[str, float]:
    conv = _converged(res, chi2_ref)
    retried = np.array([m.startswith("(retried") for m in res.message])
    return {"raw": float(np.mean(conv & ~retried)), "default": float(np.mean(conv))}


def rf_alpha_data(n_b: int = 8):
    """Fig. 4b-like synthetic Rs/Rs0 (α = 0.91, 1.75 GHz, T0 = 2 K, 1 % noise)."""
    from dissipax import units
    from dissipax.rf.surface import surface_resistance_ratio

    T0, omega = 2.0 / 17.5, float(units.frequency_to_gap_units(1.75e9, 17.5))
    b = np.linspace(0.05, 0.4, n_b)
    y_true, _ = surface_resistance_ratio(b, omega, T0, 0.91, reading="fig4b")
    noise = 0.01 * np.asarray(y_true)
    y = np.asarray(y_true) + noise * np.random.default_rng(3).standard_normal(b.size)
    return b, y, noise, omega, T0


def rf_alpha_study(n: int, seed: int = 0) -> dict[str, float]:
    """Convergence fractions of ``rf.fit_alpha`` from ``n`` random α starts (10⁻² … 20)."""
    from dissipax.rf.alpha_fit import fit_alpha

    b, y, noise, omega, T0 = rf_alpha_data()
    kw = dict(sigma=noise, reading="fig4b")
    ref = fit_alpha(b, y, omega, T0, **kw)  # the automatic start (α = 0.5)
    assert ref.success and abs(ref.params["alpha"] - 0.91) < 0.1
    starts = _log_uniform(np.random.default_rng(seed), 1e-2, 20.0, n)
    Y, S = np.broadcast_to(y, (n, y.size)), np.broadcast_to(noise, (n, y.size))
    res = fit_alpha(b, Y, omega, T0, **{**kw, "sigma": S}, alpha=starts)
    return _rf_fractions(res, ref.chi2)


def _gurevich_ratio_reference(b, omega, T0, alpha, n_tau=16):
    """Rs(B)/Rs0 of Gurevich 2014 Eqs. (10), (12)–(15) with overheating, by SciPy alone.

    The period–depth average (2/ω)∫_0^1 p(u) K(β0 u) du with u = sin²ψ, ψ = (π/2)τ³
    (p(u)du = 6τ²cos²ψ dτ; 16 Gauss–Legendre nodes in τ) of the instantaneous kernel K of
    ``benchmarks.bench_surface.kernel_reference`` (Usadel DOS, Eq. (12)'s Ψ by solve_ivp,
    energy integral by quad), divided by the zero-field kernel at the bath T0; the heat
    balance T − T0 = α T0 b² Rs(B, T)/Rs0 (Eq. (13), the printed reading β0 = b²/4) by the
    secant method.  Agrees with the 96 × 40 JAX rule to ~3e-5 at 30 mT, 389 MHz, 2.24 K.
    """
    import math

    from scipy.optimize import root_scalar
    from scipy.special import roots_legendre

    bench = pytest.importorskip("benchmarks.bench_surface")
    x, w = roots_legendre(n_tau)
    tau = 0.5 * (x + 1.0)
    psi = 0.5 * math.pi * tau**3
    u, w = np.sin(psi) ** 2, 0.5 * w * 6.0 * tau**2 * np.cos(psi) ** 2
    beta0 = 0.25 * b * b
    rs0 = bench.kernel_reference(0.0, omega, T0, False)

    def ratio(T):
        return sum(wj * bench.kernel_reference(beta0 * uj, omega, T) for uj, wj in zip(u, w)) / rs0

    k = alpha * b * b * T0
    T1 = T0 + k * ratio(T0)
    sol = root_scalar(lambda T: T - T0 - k * ratio(T), x0=T0, x1=T1, method="secant", xtol=1e-12)
    assert sol.converged
    return ratio(sol.root)


def rf_cavity_data(dataset):
    """A 389 MHz TRIUMF ramp's B_p and bath T with Rs of GurevichBCS + Residual + 2 % noise.

    Generated independently of the fitted code: the overheating ratio by
    :func:`_gurevich_ratio_reference` (SciPy) and the zero-field BCS scaling
    σ1(ω, T)/σ1(ω, T_ref) by ``scipy_reference.sigma1_mattis_bardeen`` (quad).
    """
    import dataclasses
    import warnings

    from dissipax import units
    from dissipax.rf import scipy_reference as sref
    from dissipax.rf.cavity_data import load_rs_vs_bp

    ramp = load_rs_vs_bp(dataset("triumf_nb_hwr_rs_vs_bp", "sf_data.csv"))[0]
    truth = dict(alpha=0.5, Rs0_nOhm=8.0, R_res_nOhm=6.0)
    d0, bc = 17.5, 200.0  # fit_cavity's defaults (NIOBIUM's Delta0 and B_c)
    w = float(units.hz_to_kelvin(ramp.f_Hz)) / d0
    s_ref = sref.sigma1_mattis_bardeen(w, 2.0 / d0)
    rs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quad's roundoff notes at its 1e-11 target
        for B, T in zip(ramp.Bp_mT, ramp.T_K):
            ratio = _gurevich_ratio_reference(B / bc, w, T / d0, truth["alpha"])
            scale = sref.sigma1_mattis_bardeen(w, T / d0) / s_ref
            rs.append(1e-9 * (truth["Rs0_nOhm"] * scale * ratio + truth["R_res_nOhm"]))
    rs = np.asarray(rs) * (1.0 + 0.02 * np.random.default_rng(5).standard_normal(len(rs)))
    return dataclasses.replace(ramp, Rs_ohm=rs), truth


def rf_cavity_study(dataset, n: int, seed: int = 0) -> dict[str, float]:
    """Convergence fractions of ``rf.fit_cavity`` (GurevichBCS + Residual) from ``n`` random
    starts, one batched call.

    Starts: α log-uniform in 10⁻² … 19.9 (its bounds are 0 … 20), Rs0 and R_res
    log-uniform in 0.1 … 100 nΩ (the data are 12–16 nΩ).  Δ0 and B_c stay at the
    material's values (fit_cavity's defaults).
    """
    from dissipax.rf import fit_cavity
    from dissipax.rf.losses import GurevichBCS, Residual

    model = GurevichBCS() + Residual()
    ramp, truth = rf_cavity_data(dataset)
    ref = fit_cavity([ramp], model=model)  # automatic start
    assert ref.success[0], ref.message
    for k, v in truth.items():  # the generating parameters, within 4 standard errors
        assert abs(ref.params[k][0] - v) < 4 * ref.stderr[k][0], (k, ref.report())
    rng = np.random.default_rng(seed)
    alpha = _log_uniform(rng, 1e-2, 19.9, n)
    rs0, rres = _log_uniform(rng, 0.1, 100.0, n), _log_uniform(rng, 0.1, 100.0, n)
    res = fit_cavity([ramp] * n, model=model, alpha=alpha, Rs0_nOhm=rs0, R_res_nOhm=rres)
    return _rf_fractions(res, ref.chi2[0])


def _check_rf(name, fr):
    print(f"{name}: raw {fr['raw']:.1%}, default starts + multistart {fr['default']:.1%}")
    assert fr["default"] >= 0.99
    assert 0.3 <= fr["raw"] <= 1.0


def test_rf_fit_alpha_bad_starts_small():
    """Default-run version: 8 random starts of fit_alpha all reach the minimum."""
    fr = rf_alpha_study(8, seed=1)
    print(f"fit_alpha (8 starts): {fr}")
    assert fr["default"] == 1.0


@pytest.mark.slow
def test_rf_fit_alpha_bad_starts_500():
    _check_rf("rf.fit_alpha (500 starts)", rf_alpha_study(500))


@pytest.mark.slow
def test_rf_fit_cavity_bad_starts_48(dataset):
    """48 starts, not 500: the 500-start fit_alpha study covers the same forward model.

    The data come from SciPy (``rf_cavity_data``, ~30 s), not from the fitted model."""
    _check_rf("rf.fit_cavity (48 starts)", rf_cavity_study(dataset, 48))


@pytest.mark.slow
def test_rf_fit_alpha_vary_T0():
    """fit_alpha(vary_T0=True) on the synthetic Fig. 4b data (float64) reaches the minimum.

    It used to raise equinox's EquinoxRuntimeError, twice over: (1) optimistix's first
    Levenberg–Marquardt step predicted its (discarded) reduction with an all-zero
    placeholder linearisation, whose implicit adjoint of the overheating root solve raised
    (fixed in ``dissipax.fit.lm._FirstStepSafeTrustRegion``; ``tests/fit/test_first_step.py``);
    (2) a diverging multistart step handed non-finite parameters to the model, whose
    run-time guard on ``alpha`` raised (the engine now rejects such trial points without
    calling the model).  The overheating solve is differentiated by one differentiable
    Newton step, without a linear solve that could raise at a runaway point.

    Known limitation, recorded: the fit ends at the minimum but is reported
    ``success=False`` ("not stationary", relative offset ~3e-3 > 1e-3): the Jacobian in T0
    is consistent with the values only to the quadrature's accuracy (the energy map's scale
    depends on T and is not differentiated), so the remaining Gauss-Newton step is noise.
    """
    from dissipax.rf.alpha_fit import fit_alpha

    b, y, noise, omega, T0 = rf_alpha_data()
    res = fit_alpha(b, y, omega, T0, sigma=noise, reading="fig4b", vary_T0=True)
    assert np.isfinite(res.chi2)
    # the minimum (EQX_ON_ERROR=nan runs of the former crashing fit gave 0.883 / 0.110)
    assert abs(res.params["alpha"] - 0.88) < 0.01
    assert abs(res.params["T0"] - 0.110) < 0.001
    if not res.success:
        assert "not stationary" in res.message, res.message
        pytest.xfail(f"stalled at the minimum (documented above): {res.message}")
