"""Rs(B_a)/Rs0 of Eqs. (13)-(15): limits, the period-depth average, gradients, runaway, Fig. 4b."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.special import roots_legendre

from dissipax import DomainError, units
from dissipax.rf import sigma1_rf
from dissipax.rf.overheating import STATUS_OK, STATUS_RUNAWAY
from dissipax.rf.surface import (
    rs_ratio,
    solve_overheating,
    surface_resistance_ohm,
    surface_resistance_ratio,
)

T0 = 2.0 / 17.5
OMEGA = float(units.frequency_to_gap_units(1.75e9, 17.5))
B = jnp.array([1e-4, 0.1, 0.3, 0.4])


def test_beta_to_zero_gives_one():
    r = rs_ratio(jnp.array([0.0, 1e-4]), OMEGA, T0, T0)
    # b = 0 is Mattis-Bardeen on both sides (same nodes); the 40-node rule integrates the
    # period-depth weight p(u) to 1 within ~2e-13;
    # b = 1e-4 (beta0 = 2.5e-9) deviates by O(s^(2/3)/omega) ~ 4e-5 at most
    assert float(r[0]) == pytest.approx(1.0, abs=1e-12)
    assert float(r[1]) == pytest.approx(1.0, abs=1e-4)


def test_alpha_zero_gives_bath_temperature_and_rs_ratio_at_T0():
    ratio, T = surface_resistance_ratio(B, OMEGA, T0, 0.0, reading="fig4b")
    np.testing.assert_array_equal(np.asarray(T), T0)
    ref = rs_ratio(B, OMEGA, T0, T0, reading="fig4b")
    # the solver's energy grid is cut off at 2 T0 instead of T: same integral to ~1e-8
    np.testing.assert_allclose(np.asarray(ratio), np.asarray(ref), rtol=1e-7)


def test_single_average_equals_nested_depth_integral_of_sigma1_rf():
    # Eq. (15) as printed: (1/beta0) int_0^beta0 sigma1_rf(beta) dbeta with y = t^3 and
    # Gauss-Legendre in t, divided by sigma1 at zero field
    b = 0.3
    beta0 = b * b / 4.0
    t, w = roots_legendre(32)
    t, w = 0.5 * (t + 1.0), 0.5 * w
    s1 = sigma1_rf(OMEGA, T0, beta0 * t**3)
    nested = float(np.sum(3 * t**2 * w * np.asarray(s1)) / float(sigma1_rf(OMEGA, T0, 0.0)))
    mine = float(rs_ratio(b, OMEGA, T0, T0))
    # both are ~1e-7 accurate quadratures of the same double integral
    assert mine == pytest.approx(nested, rel=2e-6)


@pytest.mark.slow
def test_against_scipy_reference_at_bath_temperature():
    bench = pytest.importorskip("benchmarks.bench_surface")
    ref = bench.sigma1_rf_depth_average_reference(
        0.1, OMEGA, T0
    ) / bench.sigma1_rf_depth_average_reference(0.0, OMEGA, T0)
    # reference quad tolerances 1e-9..1e-11; dissipax nodes ~1e-7
    assert float(rs_ratio(jnp.sqrt(0.4), OMEGA, T0, T0)) == pytest.approx(ref, rel=1e-6)


def test_overheating_raises_T_and_solves_eq13():
    ratio, T = surface_resistance_ratio(B, OMEGA, T0, 0.5, reading="fig4b")
    T = np.asarray(T)
    assert np.all(np.diff(T) > 0) and T[0] > T0
    # Eq. (13): T - T0 = alpha T0 b^2 Rs(b, T)/Rs0, with Rs(b, T) evaluated independently
    rhs = 0.5 * T0 * np.asarray(B) ** 2 * np.asarray(rs_ratio(B, OMEGA, T, T0, reading="fig4b"))
    np.testing.assert_allclose(T - T0, rhs, rtol=1e-6)  # grid cutoff 2 T0 vs T: ~1e-8


def test_implicit_gradients_vs_finite_differences():
    x0 = np.array([0.9, T0, OMEGA, 0.35])  # alpha, T0, omega, b

    def both(x):
        r, t = surface_resistance_ratio(x[3], x[2], x[1], x[0], reading="fig4b")
        return jnp.stack([r, t])

    jac = np.asarray(jax.jit(jax.jacfwd(both))(jnp.asarray(x0)))  # (2 outputs, 4 inputs)
    h = 1e-5 * x0
    xs = np.concatenate([x0 + np.diag(h), x0 - np.diag(h)])  # 8 perturbed points, one call
    r, t = surface_resistance_ratio(xs[:, 3], xs[:, 2], xs[:, 1], xs[:, 0], reading="fig4b")
    vals = np.stack([np.asarray(r), np.asarray(t)])
    fd = (vals[:, :4] - vals[:, 4:]) / (2 * h)
    # central differences, h = 1e-5 relative: truncation ~1e-10, rounding of the
    # ~1e-12-converged root ~1e-7 relative of the derivative
    np.testing.assert_allclose(jac, fd, rtol=1e-5, atol=1e-9)


def test_runaway_reported_with_threshold_not_nan():
    res = solve_overheating(jnp.array([0.2, 0.3, 0.4]), OMEGA, T0, 0.91, reading="printed")
    st = np.asarray(res.status)
    np.testing.assert_array_equal(st, [STATUS_OK, STATUS_OK, STATUS_RUNAWAY])
    assert not np.any(np.isnan(np.asarray(res.rs_ratio)))
    assert np.isinf(np.asarray(res.T)[2])
    # the threshold lies between the last stable and the first runaway field
    assert 0.3 < res.b_runaway < 0.4
    assert "runaway" in res.message and "b*" in res.message
    # just below the threshold the solution exists
    below = solve_overheating(res.b_runaway - 1e-4, OMEGA, T0, 0.91)
    assert int(below.status) == STATUS_OK


def test_fig4b_numbers_and_readings():
    b = 80.0 / 200.0
    r_fig, T_fig = surface_resistance_ratio(b, OMEGA, T0, 0.91, reading="fig4b")
    # the paper quotes Rs(80 mT)/Rs0 = 0.6 and T - T0 ~ 0.17 K (two digits)
    assert float(r_fig) == pytest.approx(0.6, abs=0.01)
    assert (float(T_fig) - T0) * 17.5 == pytest.approx(0.17, abs=0.01)
    r_pr, T_pr = surface_resistance_ratio(b, OMEGA, T0, 0.91, reading="printed")
    assert np.isinf(float(r_pr)) and np.isinf(float(T_pr))  # printed: runaway below 80 mT


def test_physical_front_end():
    Rs, T_K = surface_resistance_ohm(
        jnp.array([0.0, 40.0]), 1.75e9, 2.0, 0.0, R_res_ohm=5e-9, Rs0_ohm=20e-9, reading="fig4b"
    )
    ratio = rs_ratio(0.2, OMEGA, T0, T0, reading="fig4b")
    np.testing.assert_allclose(np.asarray(Rs), [25e-9, 20e-9 * float(ratio) + 5e-9], rtol=1e-7)
    np.testing.assert_allclose(np.asarray(T_K), 2.0)


def test_domain_errors():
    with pytest.raises(DomainError, match="'b'"):
        rs_ratio(1.5, OMEGA, T0, T0)
    with pytest.raises(DomainError, match="reading"):
        rs_ratio(0.1, OMEGA, T0, T0, reading="other")
    with pytest.raises(DomainError, match="alpha"):
        surface_resistance_ratio(0.1, OMEGA, T0, -1.0)
