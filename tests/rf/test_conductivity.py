"""sigma1 of Gurevich 2014 (Eqs. 1, 4-5, 10, 12, 35-37) against SciPy quad and limits."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads
from scipy import integrate, special

import dissipax.rf as rf
from dissipax import DomainError
from dissipax.rf import quadrature as q
from dissipax.rf import rf_field
from dissipax.rf import scipy_reference as ref

# Issue targets (relative, against SciPy quad in float64); measured errors are far smaller
# (MB ~1e-13, Eq. 4 ~1e-11, Eq. 10 ~1e-7) - the targets are the contract.
TOL_MB = 1e-6
TOL_DC = 1e-5
TOL_RF = 1e-4

MB_POINTS = [(1e-4, 0.03), (1e-4, 0.3), (0.1, 0.03), (0.1, 0.3), (3e-3, 0.1)]
DC_POINTS = [
    (0.01, 0.1, 1e-6),
    (0.005, 0.1, 1e-3),
    (0.02, 0.1, 0.05),
    (0.06, 0.1, 0.1764),
    (1e-3, 0.03, 0.25),
    (0.1, 0.3, 0.2),
]


@pytest.mark.parametrize("omega, T", MB_POINTS)
def test_mattis_bardeen_vs_quad(omega, T):
    got = float(rf.sigma1_mattis_bardeen(omega, T))
    assert abs(got / ref.sigma1_mattis_bardeen(omega, T) - 1) < TOL_MB


@pytest.mark.slow
def test_mattis_bardeen_vs_quad_grid():
    omegas = np.logspace(-4, -1, 10)
    temps = np.linspace(0.03, 0.3, 10)
    got = np.asarray(rf.sigma1_mattis_bardeen(omegas[:, None], temps[None, :]))
    want = np.array([[ref.sigma1_mattis_bardeen(w, t) for t in temps] for w in omegas])
    assert np.max(np.abs(got / want - 1)) < TOL_MB


@pytest.mark.parametrize("omega, T, s", DC_POINTS)
def test_dc_biased_vs_quad(omega, T, s):
    got = float(rf.sigma1_dc_biased(omega, T, s))
    assert abs(got / ref.sigma1_dc_biased(omega, T, s) - 1) < TOL_DC


@pytest.mark.slow
def test_dc_biased_vs_quad_grid():
    worst = 0.0
    for omega in (1e-3, 0.005, 0.02, 0.06, 0.1):
        for T in (0.03, 0.1, 0.3):
            for s in (0.0, 1e-8, 1e-5, 1e-3, 0.01, 0.05, 0.1, 0.1764, 0.22, 0.25):
                got = float(rf.sigma1_dc_biased(omega, T, s))
                worst = max(worst, abs(got / ref.sigma1_dc_biased(omega, T, s) - 1))
    assert worst < TOL_DC


def test_dc_biased_at_zero_field_is_boltzmann_mattis_bardeen():
    # Eq. (4) at s = 0 is Eq. (35) with f -> e^{-eps/T}: Fermi and Boltzmann differ by
    # O(e^{-Delta/T}) relative.
    for omega, T in [(0.01, 0.05), (0.003, 0.1)]:
        dc = float(rf.sigma1_dc_biased(omega, T, 0.0))
        mb = float(rf.sigma1_mattis_bardeen(omega, T))
        assert abs(dc / mb - 1) < 3 * math.exp(-1 / T)


def test_closed_form_37_is_the_low_temperature_limit():
    """Eq. (37) differs from the exact integral by O(T/Delta) (pitfall: not an equality)."""
    # Eq. (36) drops z/Delta with z ~ max(T, omega): scale both together (omega = 0.02 T).
    dev = []
    for T in (0.00625, 0.0125, 0.025, 0.05):
        omega = 0.02 * T
        exact = float(rf.sigma1_dc_biased(omega, T, 0.0))  # Boltzmann, as Eq. (36)
        dev.append(exact / float(rf.sigma1_closed_form(omega, T)) - 1)
    dev = np.array(dev)
    assert np.all((dev > 0) & (dev < 0.01))
    # first-order convergence: doubling T doubles the deviation (measured 2.01-2.03)
    np.testing.assert_allclose(dev[1:] / dev[:-1], 2.0, rtol=0.05)
    # and it is 0.5-3 % at T = 0.05-0.15 (PHYSICS.md pitfall), measured on Eq. (35)
    for T in (0.05, 0.1, 0.15):
        d = float(rf.sigma1_mattis_bardeen(0.01, T)) / float(rf.sigma1_closed_form(0.01, T)) - 1
        assert 0.004 < abs(d) < 0.035


def test_closed_form_37_matches_its_integral_36():
    # Eq. (36) -> (37): int_0^inf e^{-z/T} dz / sqrt(z(z+w)) = e^{w/2T} K0(w/2T).
    for omega, T in [(1e-4, 0.03), (0.05, 0.1), (0.2, 0.05)]:
        val = integrate.quad(
            lambda t: 2 * math.exp(-omega * math.sinh(t) ** 2 / T),
            0,
            30,
            epsabs=0,
            epsrel=1e-13,
            limit=200,
        )[0]
        eq36 = 2 / omega * (-math.expm1(-omega / T)) * math.exp(-1 / T) * val
        assert abs(float(rf.sigma1_closed_form(omega, T)) / eq36 - 1) < 1e-12


def test_eq1_is_the_low_frequency_limit_of_eq37():
    T = 0.1
    for ratio in (1e-2, 1e-3, 1e-4):
        omega = ratio * T
        rel = float(rf.sigma1_low_frequency(omega, T)) / float(rf.sigma1_closed_form(omega, T))
        # K0(x) = -ln(x/2) - gamma + O(x^2 ln x), sinh x / x = 1 + O(x^2): error ~ x^2 |ln x|
        x = omega / (2 * T)
        assert abs(rel - 1) < 2 * x**2 * abs(math.log(x)) + 1e-13


def test_bessel_k0e_vs_scipy():
    x = np.logspace(-8, 4, 40)
    np.testing.assert_allclose(q.bessel_k0e(jnp.asarray(x)), special.k0e(x), rtol=1e-13)


@pytest.mark.parametrize("s", [1e-5, 0.05, 0.2])
def test_rf_energy_integral_vs_quad(s):
    """Inner integral of Eq. (10) with the Eq. (12) distribution at one instant."""
    omega, T = 0.0025, 0.1
    for neq in (True, False):
        got = float(
            jax.jit(rf_field.energy_integral, static_argnames=("nonequilibrium", "n"))(
                omega, T, s, nonequilibrium=neq, n=q.N_ENERGY
            )
        )
        want = ref._sigma_rf_at_s(omega, T, s, neq)
        assert abs(got / want - 1) < 1e-8  # the energy part is far tighter than TOL_RF


def test_rf_vs_nested_quad():
    omega, T, beta = 0.0025, 0.1, 0.05
    got = float(rf.sigma1_rf(omega, T, beta))
    want = ref.sigma1_rf(omega, T, beta, True, epsrel=1e-5)  # reference good to ~1e-6
    assert abs(got / want - 1) < TOL_RF


@pytest.mark.slow
@pytest.mark.parametrize(
    "omega, T, beta, neq",
    [
        (0.0025, 0.1, 0.01, True),
        (0.0025, 0.1, 0.1764, True),
        (0.0025, 0.1, 0.05, False),
        (0.01, 0.05, 0.2, True),
        (0.02, 0.2, 0.25, True),
        (1e-3, 0.1, 0.1, False),
    ],
)
def test_rf_vs_nested_quad_exhaustive(omega, T, beta, neq):
    got = float(rf.sigma1_rf(omega, T, beta, neq))
    want = ref.sigma1_rf(omega, T, beta, neq, epsrel=1e-8)
    assert abs(got / want - 1) < TOL_RF


def test_rf_zero_amplitude_and_equilibrium_is_period_average_of_dc():
    omega, T = 0.004, 0.1
    base = float(rf.sigma1_dc_biased(omega, T, 0.0))
    for neq in (True, False):
        assert abs(float(rf.sigma1_rf(omega, T, 0.0, neq)) / base - 1) < 1e-12
    # With f = e^{-eps/T}, Eq. (10) is the period average of Eq. (4) at s(t) = beta cos^2.
    beta = 0.1
    phis = np.linspace(0, np.pi / 2, 2001)
    dc = np.asarray(rf.sigma1_dc_biased(omega, T, beta * np.cos(phis) ** 2))
    avg = integrate.simpson(dc, x=phis) * 2 / np.pi
    # Simpson on the s^(2/3) kink at phi = pi/2 is accurate to ~1e-6 with 2001 points.
    assert abs(float(rf.sigma1_rf(omega, T, beta, False)) / avg - 1) < 1e-5


def test_nonequilibrium_distribution_conserves_quasiparticle_number():
    """Eq. (12) keeps n_qp = int f N d eps equal to its s = 0 value, K1(Delta0/T) (Delta0=1)."""
    T = 0.1
    want = special.k1(1 / T)
    rule = q.gauss_legendre(q.N_ENERGY)
    from dissipax.rf.usadel import _spectral_gap, density_terms

    @jax.jit
    def n_qp(s):
        grid = q.sinh_map(rule, q.smallest_scale(0.01, T, s), q.CUTOFF * T + 1 - _spectral_gap(s))
        n, _ = density_terms(grid.delta, s)
        psi, _ = q.cumulative(rule, grid, n)
        f = jnp.exp(-jnp.sqrt(1 + psi**2) / T)
        return jnp.sum(grid.weight * f * n)

    for s in (0.0, 1e-4, 0.05, 0.25):
        assert abs(float(n_qp(s)) / want - 1) < 1e-9


def test_rf_nonequilibrium_reduces_sigma1():
    # Fig. 4a: the microwave suppression is stronger with the conserved-number distribution.
    b = jnp.array([0.0, 0.02, 0.05])
    neq = np.asarray(rf.sigma1_rf(0.0025, 0.1, b, True))
    eq = np.asarray(rf.sigma1_rf(0.0025, 0.1, b, False))
    assert np.all(np.diff(neq) < 0)
    assert np.all(neq[1:] < eq[1:])


def test_fig3_minimum():
    # Fig. 3: sigma1(H0) has a minimum at low omega (T = 0.1), none at omega > T.
    h = np.linspace(0.0, 0.84, 43)
    s = (h / 2) ** 2
    low = np.asarray(rf.sigma1_dc_biased(0.005, 0.1, s))
    k = int(np.argmin(low))
    assert 0 < k < len(h) - 1 and low[k] < 0.8 * low[0]
    high = np.asarray(rf.sigma1_dc_biased(0.3, 0.1, s))
    assert np.argmin(high) == 0 or high.min() > 0.97 * high[0]


# --- differentiability ---------------------------------------------------------------


def test_gradients_mattis_bardeen_and_closed_forms():
    mb = jax.jit(rf.sigma1_mattis_bardeen)
    check_grads(mb, (0.01, 0.1), order=1, modes=["fwd", "rev"], eps=1e-6)
    check_grads(jax.jit(rf.sigma1_closed_form), (0.01, 0.1), order=1, modes=["rev"], eps=1e-6)
    for args in [(1e-4, 0.03), (0.1, 0.01)]:
        assert all(np.isfinite(float(g)) for g in jax.grad(mb, argnums=(0, 1))(*args))


def test_gradients_dc_biased():
    f = jax.jit(rf.sigma1_dc_biased)
    check_grads(f, (0.01, 0.1, 0.05), order=1, modes=["rev"], eps=1e-6)
    g = jax.jit(jax.grad(f, argnums=(0, 1, 2)))
    for args in [(0.01, 0.1, 0.0), (0.01, 0.1, 1e-12), (0.005, 0.01, 0.1), (0.02, 0.1, 0.25)]:
        assert all(np.isfinite(float(x)) for x in g(*args))


def test_gradients_rf():
    f = jax.jit(rf.sigma1_rf)
    g = jax.jit(jax.grad(f, argnums=(0, 1, 2)))
    # against central differences (step 1e-6: truncation and rounding ~1e-9 relative)
    x0 = (0.0025, 0.1, 0.05)
    for i, gi in enumerate(g(*x0)):
        xp, xm = list(x0), list(x0)
        xp[i] += 1e-6
        xm[i] -= 1e-6
        fd = (float(f(*xp)) - float(f(*xm))) / 2e-6
        assert abs(float(gi) / fd - 1) < 1e-5
    # beta_a = 0: the true d sigma/d beta diverges like beta^(-1/3); the s^(2/3) terms get a
    # zero derivative there, so the gradient is finite by convention.
    for args in [(0.0025, 0.1, 0.0), (0.0025, 0.02, 0.1), (0.0025, 0.1, 0.25)]:
        assert all(np.isfinite(float(x)) for x in g(*args))


def test_values_and_gradients_finite_at_domain_corners():
    dc = jax.jit(jax.value_and_grad(rf.sigma1_dc_biased, argnums=(0, 1, 2)))
    for T in (1e-3, 0.5):
        for w in (1e-8, 0.6):
            for s in (0.0, 1e-15, 0.25):
                v, g = dc(w, T, s)
                assert np.isfinite(float(v)) and float(v) >= 0
                assert all(np.isfinite(float(x)) for x in g)


def test_vmap_and_broadcast_agree():
    w = jnp.array([0.003, 0.01, 0.03])
    t = jnp.array([0.08, 0.1])
    grid = rf.sigma1_dc_biased(w[:, None], t[None, :], 0.05)
    assert grid.shape == (3, 2)
    vm = jax.vmap(lambda x: rf.sigma1_dc_biased(x, 0.1, 0.05))(w)
    np.testing.assert_allclose(vm, grid[:, 1], rtol=1e-13)


def test_no_retrace_on_new_values():
    from dissipax.rf import _batch

    # the public entry point compiles once per static configuration and input shape, not
    # per value: new scalar values reuse the executable (jax.jit's own cache counts them)
    rf.sigma1_mattis_bardeen(0.011, 0.1)
    before = _batch._apply._cache_size()
    rf.sigma1_mattis_bardeen(0.012, 0.15)
    rf.sigma1_mattis_bardeen(0.02, 0.2)
    assert _batch._apply._cache_size() == before
    # a new shape is a new executable: the counter does count compilations
    rf.sigma1_mattis_bardeen(np.linspace(0.012, 0.02, 13), 0.15)  # a shape no other test uses
    assert _batch._apply._cache_size() == before + 1


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rf.sigma1_mattis_bardeen(0.01, 0.0), "'T'"),
        (lambda: rf.sigma1_mattis_bardeen(0.01, -0.1), "'T'"),
        (lambda: rf.sigma1_mattis_bardeen(0.0, 0.1), "'omega'"),
        (lambda: rf.sigma1_mattis_bardeen(2.0, 0.1), "'omega'"),
        (lambda: rf.sigma1_mattis_bardeen(float("nan"), 0.1), "'omega'"),
        (lambda: rf.sigma1_closed_form(0.01, float("inf")), "'T'"),
        (lambda: rf.sigma1_dc_biased(0.01, 0.1, 0.3), "'s'"),
        (lambda: rf.sigma1_dc_biased(0.01, 0.1, -1e-3), "'s'"),
        (lambda: rf.sigma1_dc_biased(0.9, 0.1, 0.2), "2\\*eps_g"),
        (lambda: rf.sigma1_dc_biased([0.01, 0.02], 0.1, [0.1, float("nan")]), "'s'"),
        (lambda: rf.sigma1_rf(0.01, 0.1, 0.26), "'beta_a'"),
        (lambda: rf.sigma1_rf(0.01, 0.1, 0.1, nonequilibrium="yes"), "nonequilibrium"),
        (lambda: rf.sigma1_rf(0.01, 0.7, 0.1), "'T'"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DomainError, match=match):
        call()


def test_mb_mixed_call_keeps_its_accuracy():
    # one call mixing omega/T = 2e-6 with cold points shares one set of nodes: the automatic
    # node count follows the smallest omega/T (40 fixed nodes gave 2.6e-9 here)
    from dissipax.rf import scipy_reference as sref

    w = np.array([1.0, 1e-6, 1.0, 0.01])
    T = np.array([0.5, 0.5, 0.03125, 0.1])
    got = np.asarray(rf.sigma1_mattis_bardeen(w, T))
    want = np.array([sref.sigma1_mattis_bardeen(a, b) for a, b in zip(w, T)])
    np.testing.assert_allclose(got, want, rtol=1e-9)
