"""Honest success: the stationarity check after the solver, and the default tolerances.

``least_squares`` reports ``success`` only when the solver's Cauchy test passed *and* the
returned point is stationary (``dissipax.fit.lm.stationarity``): one more Gauss-Newton
step, on the free parameters or moving a pinned parameter into its range, would lower
chi2 by at most ``OFFSET_TOL`` of the confidence radius (Bates-Watts relative offset).
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

import dissipax.vortex as vx
from dissipax.fit import DomainError, Parameter, least_squares, lm


def _linear_problem(seed=0, n=40, p=4):
    rng = np.random.default_rng(seed)
    jac = rng.standard_normal((n, p))
    y = rng.standard_normal(n)
    return jac, y


def test_gauss_newton_decrease_is_exact_for_a_linear_model():
    """For r(p) = J p - y the promised decrease is chi2(p) - min chi2, exactly."""
    jac, y = _linear_problem()
    p_min = np.linalg.lstsq(jac, y, rcond=None)[0]
    chi2_min = float(np.sum((jac @ p_min - y) ** 2))
    n, k = jac.shape
    no = np.zeros(k, bool)
    for shift in (0.0, 1e-3, 0.3):
        p = p_min + shift * np.arange(1, k + 1)
        r = jac @ p - y
        chi2 = float(r @ r)
        st = lm.stationarity(
            jac.T @ jac, jac.T @ r, no, jac.T @ r, np.sum(jac**2, 0), no, chi2,
            np.sum(np.abs(r)), n, 1e-10, 1e-10,
        )  # fmt: skip
        # the linear algebra of a well-conditioned 4x4 system: ~1e-15 relative; the
        # absolute floor covers the shift = 0 case (cancellation in chi2 - chi2_min)
        np.testing.assert_allclose(st["gn_decrease"], chi2 - chi2_min, rtol=1e-10, atol=1e-12)
        ro = np.sqrt((st["gn_decrease"] / k) / (chi2_min / (n - k)))  # Bates-Watts, by hand
        np.testing.assert_allclose(st["relative_offset"], ro, rtol=1e-8, atol=1e-15)
        assert bool(st["stationary"]) == (shift == 0.0)


@pytest.mark.parametrize("sign, stuck", [(-1.0, True), (+1.0, False)])
def test_pinned_parameter_multiplier_sign(sign, stuck):
    """A parameter at its lower bound is a KKT point only if chi2 rises into the range."""
    jac, y = _linear_problem(p=2)
    n = jac.shape[0]
    p_min = np.linalg.lstsq(jac, y, rcond=None)[0]
    r = jac @ p_min - y  # stationary in both parameters ...
    g_p = np.array([sign * 5.0, 0.0])  # ... but parameter 0 (pinned) has gradient sign*5
    at_bound = np.array([True, False])
    st = lm.stationarity(
        jac.T @ jac, np.zeros(2), at_bound, g_p, np.sum(jac**2, 0), at_bound, float(r @ r),
        np.sum(np.abs(r)), n, 1e-10, 1e-10,
    )  # fmt: skip
    assert bool(st["stuck"][0]) is stuck and not st["stuck"][1]
    assert bool(st["stationary"]) is not stuck
    # the promised decrease along the pinned parameter alone: g²/|J_0|²
    want = 25.0 / np.sum(jac[:, 0] ** 2) if stuck else 0.0
    np.testing.assert_allclose(st["gn_decrease"], want, rtol=1e-12, atol=1e-14)


def test_stuck_at_a_bound_is_not_success():
    """Bad-start study, start 40 (vortex joint fit): sigma_o pinned at 0 by the bound map.

    LM drives sigma_o to 1e-47, where dp/dz ~ 1e-47 hides that chi2 falls by ~5e4 when
    sigma_o moves up; the Cauchy test then passes on vanishing steps.  The engine used to
    report "converged in 44 steps" at chi2 = 5.6e4 (the minimum: 239).
    """
    w = np.linspace(0.02, 4.0, 60)
    truth = dict(f_s=1.0, Omega=0.3, Omega_H=1.0, alpha_v=0.05, sigma_o=0.2, sigma_oH=0.01)
    sp = vx.synthetic_spectrum(jax.random.PRNGKey(1), w, **truth, noise_rel=0.01)
    start = dict(
        f_s=1.9325, Omega=4.0299, Omega_H=-3.6739, alpha_v=-0.3465, sigma_o=0.0062, sigma_oH=-0.8062
    )
    lower = dict(f_s=0.0, Omega=0.0, sigma_o=0.0)
    params = {k: Parameter(v, min=lower.get(k)) for k, v in start.items()}
    y, s = (sp.sigma_xx, sp.sigma_xy), (sp.sigma_xx_err, sp.sigma_xy_err)
    r = least_squares(vx.fitting.model_joint, params, w, y, s, scale_covar=False)
    assert r.chi2 > 1e4  # the spurious stop (far above the minimum's ~239)
    assert not r.success
    assert "not stationary" in r.message and "sigma_o stuck at a bound" in r.message
    assert r.extra["relative_offset"] > 1.0  # measured 13.4; converged fits: < 1e-6
    # the same data from the automatic start: converged, stationary to far below OFFSET_TOL
    ref = vx.fit(w, sp.sigma_xx, sp.sigma_xy, sigma=s, scale_covar=False)
    assert ref.success and ref.extra["relative_offset"] < 1e-6


def test_converged_fits_report_a_tiny_relative_offset():
    x = np.linspace(0.0, 3.0, 30)
    rng = np.random.default_rng(1)
    y = 2.0 * np.exp(-x / 0.7) + 0.01 * rng.standard_normal(30)

    def model(x, A, tau):
        return A * jax.numpy.exp(-x / tau)

    r = least_squares(model, {"A": 1.0, "tau": Parameter(1.0, min=0)}, x, y, sigma=0.01)
    assert r.success and r.message.startswith("converged")
    # float64 fits stopped by the Cauchy test end many decades below OFFSET_TOL = 1e-3
    assert r.extra["relative_offset"] < 1e-6


def test_default_tolerances_depend_on_the_working_dtype():
    assert lm.default_tolerance() == 1e-10  # float64 (tests run with x64 on)
    assert lm.effective_tolerances(None, None) == (1e-10, 1e-10)
    assert lm.effective_tolerances(1e-8, 0.0) == (1e-8, lm.TOL_FLOOR_EPS * np.finfo(float).eps)
    for bad in (-1.0, np.nan, "1e-8", True):
        with pytest.raises(DomainError, match="rtol"):
            lm.effective_tolerances(bad, None)
    with pytest.raises(DomainError, match="cannot both be 0"):
        lm.effective_tolerances(0.0, 0)
