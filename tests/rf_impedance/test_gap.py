"""BCS gap Delta(T)/Delta0 against an independent SciPy solve, limits and gradients."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import special

import dissipax.rf as rf
from dissipax import DomainError
from dissipax.rf import scipy_reference as ref

# Issue target: exact to 1e-10 against a direct solve.  The reference (Fermi-function form,
# brentq) is itself limited to ~1e-11 absolute near Tc (cancellation in ln(1/d) - 2I).
TOL_GAP = 1e-10
T_POINTS = [0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.9999, 1 - 1e-8]


def test_gap_vs_brentq():
    got = np.asarray(rf.bcs_gap(np.array(T_POINTS)))
    want = np.array([ref.bcs_gap(t) for t in T_POINTS])
    assert np.max(np.abs(got - want)) < TOL_GAP
    # relative accuracy where the reference is not cancellation-limited
    assert np.max(np.abs(got[:6] / want[:6] - 1)) < TOL_GAP


def test_gap_limits():
    # same shape as T_POINTS: one compiled call
    got = np.asarray(rf.bcs_gap(np.array([0.0, 0.01, 0.039, 1.0, 1.5, 2.0, 0.15, 1 - 1e-7])))
    np.testing.assert_array_equal(got[:6], [1.0, 1.0, 1.0, 0.0, 0.0, 0.0])
    # 1 - Delta ~ sqrt(2 pi T) e^{-1/T} at low T (T in units of Delta0; O(T) corrections)
    T = 0.15 * rf.T_C
    assert abs((1 - got[6]) / (math.sqrt(2 * math.pi * T) * math.exp(-1 / T)) - 1) < 0.2
    # Delta -> e^gamma sqrt(8/(7 zeta(3))) sqrt(1 - t) = 1.7367 sqrt(1 - t) as t -> 1
    coef = math.exp(np.euler_gamma) * math.sqrt(8.0 / (7.0 * special.zeta(3)))
    assert abs(got[7] / math.sqrt(1e-7) / coef - 1) < 1e-6


def test_gap_gradient():
    """d Delta/dt: finite differences away from the branch points, finite at them."""
    t = jnp.array([0.3, 0.7, 0.95, 0.0, 0.04, 1 - 1e-12, 1.0, 1.5])
    g = np.asarray(jax.jit(jax.vmap(jax.grad(lambda x: rf.bcs_gap(x))))(t))
    assert np.all(np.isfinite(g))
    h = 1e-6
    fd = (rf.bcs_gap(t[:3] + h) - rf.bcs_gap(t[:3] - h)) / (2 * h)
    np.testing.assert_allclose(g[:3], fd, rtol=1e-6)
    assert g[3] == 0.0 and g[6] == 0.0 and g[7] == 0.0  # documented: 0 below T_LOW, at/above Tc
    assert abs(g[4]) < 1e-12  # true derivative ~1e-20 at t = 0.04 (rounding floor of F_t)
    assert g[5] < -1e5  # the physical -0.87/sqrt(1 - t) divergence, still finite


@pytest.mark.slow
def test_gap_second_derivative_finite():
    assert np.isfinite(float(jax.grad(jax.grad(lambda x: rf.bcs_gap(x)))(0.6)))


@pytest.mark.parametrize(
    "bad, text",
    [(4.2, "kelvin"), (-0.1, ">= 0"), (float("nan"), "finite"), (np.array([0.5, 3.0]), "kelvin")],
)
def test_gap_bad_input(bad, text):
    with pytest.raises(DomainError, match="'t'") as err:
        rf.bcs_gap(bad)
    assert text in str(err.value)


def test_host_interpolant_matches_the_solver():
    """gap_host (the host table of concrete sigma calls) against gap_array, through Tc."""
    from dissipax.rf.gap import T_LOW, gap_array, gap_host

    t = np.concatenate([np.linspace(0.0, 1.5, 20001), 1 - np.logspace(-12, -4, 200), [T_LOW, 1.0]])
    t = np.concatenate([t, np.nextafter(t, 0.0)])
    want = np.asarray(gap_array(t))
    got = gap_host(t)
    assert np.all(got[want == 0.0] == 0.0) and np.all(got[t < T_LOW] == 1.0)
    on = want > 0
    err = np.abs(got[on] / want[on] - 1)
    far = 1 - t[on] >= 1e-4
    assert np.max(err[far]) < 5e-14
    assert np.max(err[1 - t[on] >= 1e-12]) < 2e-13
    assert gap_host(np.float64(0.5)).shape == ()
