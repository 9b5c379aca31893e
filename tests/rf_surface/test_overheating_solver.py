"""The generic Eq. (13) solver on an analytic ratio R(T) = c exp(1/T0 − 1/T)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import optimize

from dissipax.rf.overheating import (
    STATUS_OK,
    STATUS_RUNAWAY,
    runaway_threshold,
    solve_temperature,
    status_message,
)

T0 = 2.0 / 17.5


def ratio(T, c):
    # Boltzmann-like growth of Rs with temperature; c plays a field-dependent prefactor
    return c * jnp.exp(1.0 / T0 - 1.0 / T)


def solve(k, c=0.8, t0=T0):
    return solve_temperature(lambda T, p: p[0] * jnp.exp(1.0 / p[1] - 1.0 / T), (c, t0), t0, k)


def threshold_closed_form(c):
    # saddle-node of y = k c exp(y/(T0(1+y))), 1 = k c exp(...)/(T0(1+y)^2):
    # y^2 + (2 - 1/T0) y + 1 = 0, lower root
    a = 1.0 / T0 - 2.0
    y = (a - math.sqrt(a * a - 4.0)) / 2.0
    return y / (c * math.exp(y / (T0 * (1.0 + y))))


def test_alpha_zero_limit_gives_bath_temperature():
    s = solve(0.0)
    assert int(s.status) == STATUS_OK
    assert float(s.T) == T0
    assert float(s.ratio) == pytest.approx(0.8, rel=1e-15)


@pytest.mark.parametrize("k", [1e-4, 0.01, 0.05])
def test_solution_matches_brentq(k):
    s = solve(k)
    a = 1.0 / T0 - 2.0
    y_fold = (a - math.sqrt(a * a - 4.0)) / 2.0  # g is largest here: brackets the lower root
    ref = optimize.brentq(
        lambda T: T - T0 - k * T0 * 0.8 * math.exp(1 / T0 - 1 / T),
        T0,
        T0 * (1 + y_fold),
        xtol=1e-15,
    )
    assert int(s.status) == STATUS_OK
    # Newton to rtol 1e-12 on y = (T - T0)/T0; brentq to 1e-15
    assert float(s.T) == pytest.approx(ref, rel=1e-12)


def test_implicit_gradients_vs_finite_differences():
    def T_of(k, c, t0):
        return solve(k, c, t0).T

    k, c, t0 = 0.04, 0.8, T0
    grads = jax.grad(T_of, argnums=(0, 1, 2))(k, c, t0)
    h = 1e-6
    fds = [
        (T_of(k + h, c, t0) - T_of(k - h, c, t0)) / (2 * h),
        (T_of(k, c + h, t0) - T_of(k, c - h, t0)) / (2 * h),
        (T_of(k, c, t0 + h * t0) - T_of(k, c, t0 - h * t0)) / (2 * h * t0),
    ]
    for g, fd in zip(grads, fds, strict=True):
        # central differences with h = 1e-6: truncation O(h^2 T''') ~ 1e-9 relative
        assert float(g) == pytest.approx(float(fd), rel=1e-7)


def test_runaway_is_a_status_not_nan():
    kc = threshold_closed_form(0.8)
    s = jax.vmap(solve)(jnp.array([0.5 * kc, 0.99 * kc, 1.01 * kc, 3.0 * kc]))
    np.testing.assert_array_equal(
        np.asarray(s.status), [STATUS_OK, STATUS_OK, STATUS_RUNAWAY, STATUS_RUNAWAY]
    )
    assert np.all(~np.isnan(np.asarray(s.T)))
    assert np.all(np.isinf(np.asarray(s.T)[2:])) and np.all(np.isinf(np.asarray(s.ratio)[2:]))
    assert "runaway" in status_message(STATUS_RUNAWAY)
    # gradients at runaway points are finite (zero), not NaN
    g = jax.grad(lambda k: jnp.where(solve(k).ok, solve(k).T, 0.0))(3.0 * kc)
    assert np.isfinite(float(g))


def test_threshold_matches_saddle_node():
    kc = threshold_closed_form(0.8)
    ok_fn = jax.jit(jax.vmap(lambda k: solve(k).ok))
    k_star = runaway_threshold(ok_fn, 0.0, 3.0 * kc, n_grid=16, n_rounds=6)
    # bracket width 3 kc / 15^6 ~ 3e-7 kc; near the fold Newton converges slowly, so
    # allow 1e-5 relative
    assert k_star == pytest.approx(kc, rel=1e-5)
    assert runaway_threshold(ok_fn, 0.0, 0.5 * kc) == math.inf


def test_jit_vmap_single_trace():
    f = jax.jit(jax.vmap(lambda k: solve(k).T))
    out = f(jnp.linspace(0.0, 0.05, 5))
    assert out.shape == (5,) and np.all(np.diff(np.asarray(out)) > 0)
