"""Tc spread: reduction to one Tc, the split quadrature against SciPy quad, gradients, recovery."""

import jax
import numpy as np
import pytest
from scipy import integrate

from dissipax._checks import DomainError
from dissipax.rf import resonator as rs
from dissipax.rf.resonator import chebyshev, tc_spread, temperature

F0 = 5.288e9
G = temperature.ALPHA_BCS
ANOM = dict(impedance="anomalous", rho_n_ohm_m=1e-8, thickness_m=None)
#: every test's film: mean Tc, spread [K]
TC, SIG = 1.15, 0.02


def _direct(T):
    """The direct single-Tc ratios and X_s(0) at patch Tc arrays (small compiled shapes)."""
    T = np.asarray(T, float)
    f = np.asarray(F0)

    def ratios(tc):
        tc = np.asarray(tc, float)
        t = np.broadcast_to(T[:, None], tc.shape).ravel().copy()
        r, d = temperature._ratios_jit(f, t, tc.ravel().copy(), np.full(tc.size, G), **ANOM)
        return np.asarray(r).reshape(tc.shape), np.asarray(d).reshape(tc.shape)

    def reactance(tc):
        tc = np.asarray(tc, float)
        x0 = temperature._x0_jit(f, tc.ravel().copy(), np.full(tc.size, G), **ANOM)
        return np.asarray(x0).reshape(tc.shape)

    return ratios, reactance


def quad_average(T, tc_mean, sigma):
    """The series average of the module docstring by adaptive quadrature over the Gaussian.

    Independent of the library's split rule: scipy.integrate.quad_vec over the whole
    Gaussian of the numerators <X0 rho>, <X0 (1 + xi)> and the denominator <X0>, with
    breakpoints at every kink Tc = T_i.
    """
    T = np.asarray(T, float)
    n = T.size
    ratios, reactance = _direct(T)

    def integrand(x):
        tc = tc_mean + sigma * x
        r, d = ratios(np.full((n, 1), tc))
        x0 = reactance(np.array([tc]))[0]
        out = np.concatenate([[x0], x0 * r[:, 0], x0 * (1 + d[:, 0])])
        return out * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)

    a = (T - tc_mean) / sigma
    kinks = sorted(float(v) for v in a[np.abs(a) < 12])
    val, _ = integrate.quad_vec(integrand, -12.0, 12.0, points=kinks, epsabs=1e-14, epsrel=1e-12)
    return val[1 : n + 1] / val[0], val[n + 1 :] / val[0] - 1


def lib_average(T, tc_mean, sigma):
    """The library's average (tc_spread.series_average) of the same direct ratios."""
    T = np.asarray(T, float)
    ratios, reactance = _direct(T)
    out = tc_spread.series_average(T, tc_mean, sigma, ratios, reactance, 0.75 * T)
    return tuple(np.asarray(a) for a in out)


def test_weights():
    x, w = tc_spread.gauss_hermite(7)
    np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-15)
    np.testing.assert_allclose(np.sum(w * x**2), 1.0, rtol=1e-14)  # unit variance


def test_zero_spread_is_the_single_tc_model():
    """sigma = 0: every node at Tc, weights summing to one; the single-Tc model to 1e-12."""
    T = np.array([0.1, 0.6, 1.0, 1.14, 1.2, 1.4])
    kw = dict(alpha_k=3e-4, fr0_Hz=F0, Q_other=1e6, F_delta_tls=1e-7, **ANOM)
    # Tc traced (the Mattis-Bardeen guards need Tc and T both concrete or both traced)
    one = jax.jit(lambda t, tc: rs.sweep_model(t, Tc_K=tc, **kw))(T, TC)
    zero = jax.jit(lambda t, tc, s: rs.sweep_model(t, Tc_K=tc, Tc_spread_K=s, **kw))(T, TC, 0.0)
    for a, b in zip(one, zero):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-12)


#: far from the transition (no patch's kink within ~4 sigma of T, or all patches normal):
#: smooth integrands, measured <= 8e-10 at N_SC = 48
TOL_FAR = 1e-8
#: in the transition the pair-breaking onset (2 Delta(T) = h f just above each patch's
#: kink) is a weak singularity inside the Gauss-Legendre range: algebraic convergence,
#: measured 1.4e-5 (Rs/X(0) relative, dX/X(0) absolute) at N_SC = 48, 3e-6 at 96, far
#: below the data's 0.1 % in Qi
TOL_TRANSITION = 5e-5


def test_series_average_matches_quad():
    """Below, through and above the transition (Tc 1.15 K, sigma 20 mK): the split rule
    (closed-form normal part, Gauss-Legendre in sqrt(Tc - T)) against adaptive quadrature."""
    T = np.array([0.3, 0.9, 1.05, 1.12, 1.14, 1.15, 1.16, 1.18, 1.22, 1.3, 1.5])
    far = (T <= 1.05) | (T >= 1.3)
    rs_ref, dx_ref = quad_average(T, TC, SIG)
    rs_lib, dx_lib = lib_average(T, TC, SIG)
    for m, tol in ((far, TOL_FAR), (~far, TOL_TRANSITION)):
        np.testing.assert_allclose(rs_lib[m], rs_ref[m], rtol=tol)
        np.testing.assert_allclose(dx_lib[m], dx_ref[m], rtol=0, atol=tol)
    # far above Tc + 8 sigma: exactly the normal state, the same for every patch
    np.testing.assert_allclose(rs_lib[-1] / (1 + dx_lib[-1]), 1 / np.sqrt(3), rtol=1e-12)


def test_small_spread_tends_to_the_single_tc_model():
    """sigma -> 0+ (not the exact sigma = 0 branch): the split rule itself converges to one
    Tc, to O(sigma) below/above the kinks (tolerance 1e-6 at sigma = 1e-7 K)."""
    T = np.array([0.3, 0.9, 1.1, 1.2, 1.4])
    ratios, _ = _direct(T)
    rho1, xi1 = ratios(np.full((T.size, 1), TC))
    rs_lib, dx_lib = lib_average(T, TC, 1e-7)
    np.testing.assert_allclose(rs_lib, rho1[:, 0], rtol=1e-6)
    np.testing.assert_allclose(dx_lib, xi1[:, 0], rtol=1e-6, atol=1e-12)


def _tables(T, lo=0.8, hi=2.4):
    def direct(tc, t, g):
        return temperature.tabulate_ratios(F0, t, tc, g, **ANOM)

    def direct_x0(tc, t, g):
        return temperature.tabulate_reactance(F0, tc, g, **ANOM), np.zeros_like(tc)

    tab = chebyshev.build_ratios(direct, T, lo, hi, G, G, vary_g=False, tol=1e-9)
    x0 = chebyshev.build_ratios(direct_x0, np.zeros(1), lo, hi, G, G, vary_g=False, tol=1e-9)
    return {"T": T, "f_ref": F0, "table": tab, "x0_table": x0, "tc_box": (lo, hi)}


def test_fit_model_zero_spread_and_gradients():
    """The fit's (table) model: sigma = 0 is the single-Tc model to 1e-12; d/d sigma finite
    at 0, at 1e-6 K and in the transition, and equal to central differences there."""
    T = np.array([0.2, 0.6, 0.9, 1.0])
    x = _tables(T)
    p = dict(Tc_K=1.2, alpha_k=3e-4, u_fr0=0.5, Q_other=1e6, F_delta_tls=1e-7, gap_ratio=G)
    one = temperature._fit_model("joint", False)(x, **p, Tc_spread_K=0.0)
    spread = temperature._fit_model("joint", True)
    zero = spread(x, **p, Tc_spread_K=0.0)
    for a, b in zip(one, zero):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-12)

    def loss(s, tc=1.2):
        fr, qi = spread(x, **dict(p, Tc_K=tc), Tc_spread_K=s)
        return 1e4 / qi.sum() + fr.sum() / F0

    grad = jax.jit(jax.grad(loss, argnums=(0, 1)))
    for s in (0.0, 1e-6, 0.03):
        gs, gt = grad(s, 1.2)
        assert np.isfinite(float(gs)) and np.isfinite(float(gt)), s
    h = 1e-5
    fd = (loss(0.03 + h) - loss(0.03 - h)) / (2 * h)
    np.testing.assert_allclose(float(grad(0.03, 1.2)[0]), float(fd), rtol=1e-5)


def test_bad_spread():
    ratios, reactance = _direct(np.array([0.3]))
    with pytest.raises(DomainError, match="'Tc_spread_K'.*>= 0"):
        tc_spread.series_average(np.array([0.3]), 1.2, -0.01, ratios, reactance, [0.2])
    with pytest.raises(DomainError, match="'Tc_spread_K'"):
        rs.sweep_model(
            np.array([0.3]), Tc_K=1.2, alpha_k=0.1, fr0_Hz=F0, Q_other=1e5, Tc_spread_K=-1.0
        )
    T = np.linspace(0.1, 0.9, 8)
    fr, qi = F0 * (1 - 1e-6 * T), 1e5 + 0 * T
    with pytest.raises(DomainError, match="'Tc_spread_K'"):
        rs.fit_temperature_sweep(T, fr, qi, tc_spread=True, Tc_spread_K=-0.01)
    with pytest.raises(DomainError, match="'Tc_spread_K'"):
        rs.fit_temperature_sweep(T, fr, qi, tc_spread=True, Tc_spread_K=float("nan"))
    with pytest.raises(DomainError, match="'tc_spread'"):
        rs.fit_temperature_sweep(T, fr, qi, tc_spread="yes")


def test_recovers_a_known_spread():
    """Synthetic fr, Qi from the independent quadrature (sigma = 25 mK, anomalous Zs; ~20 s),
    noise-free with realistic errors; the Gauss-Hermite fit recovers Tc and sigma."""
    T = np.concatenate([np.linspace(0.3, 1.05, 8), np.linspace(1.11, 1.22, 8), [1.3, 1.45]])
    tc, sig, alpha, q_other = 1.16, 0.025, 3e-4, 1e6
    rho, xi = quad_average(T, tc, sig)
    fr = F0 * (1 - 0.5 * alpha * xi)
    qi = 1 / (alpha * rho + 1 / q_other)
    fr_err, qi_err = np.full(T.shape, 50.0), 3e-3 * qi
    res = rs.fit_temperature_sweep(
        T, fr, qi, fr_err=fr_err, Qi_err=qi_err, impedance="anomalous", tc_spread=True, Tc_K=1.2
    )
    assert res.success, res.message
    assert abs(res.params["Tc_K"] - tc) < 1e-4, res.params["Tc_K"]
    assert abs(res.params["Tc_spread_K"] / sig - 1) < 1e-2, res.params["Tc_spread_K"]
    assert abs(res.params["alpha_k"] / alpha - 1) < 1e-3, res.params["alpha_k"]
    assert res.chi2_red < 1.0, res.chi2_red  # noise-free: only the model's own errors
