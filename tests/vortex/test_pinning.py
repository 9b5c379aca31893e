"""Eq. (20): pinned response against the hydrodynamic solve, f-sum rule, KK, omega_o -> 0."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads
from scipy.integrate import quad

import dissipax.vortex as vx
from dissipax import DomainError

RTOL_SOLVE = 1e-12  # closed form vs LAPACK solve: rounding only (see test_conductivity)
RTOL_QUAD = 1e-9  # scipy.quad at epsrel 1e-11 on smooth integrands


def test_equals_eq6_with_frequency_dependent_omega(ref):
    # Eq. (20) = Eqs. (4)-(5) with Omega -> w Omega/(w + i w_o), Omega_H = alpha_v = sigma_o = 0
    rng = np.random.default_rng(20)
    for _ in range(200):
        w = 10 ** rng.uniform(-4, 2)
        f_s, Omega = 10 ** rng.uniform(-1, 1), 10 ** rng.uniform(-3, 1)
        omega_o = rng.choice([0.0, 10 ** rng.uniform(-4, 1)])
        S = ref.hydro_sigma(w, f_s, w * Omega / (w + 1j * omega_o), 0.0, 0.0, 0.0, 0.0)
        got = complex(vx.sigma_pinned(w, f_s, Omega, omega_o))
        assert abs(got - S[0, 0]) <= RTOL_SOLVE * abs(S[0, 0])
        # and the printed partial-fraction form of Eq. (20)
        printed = (
            f_s / (Omega + omega_o) * (omega_o / (-1j * w) + Omega / (-1j * w + Omega + omega_o))
        )
        assert abs(got - printed) <= RTOL_SOLVE * abs(printed)


def test_unpinned_limit_is_eq6():
    w = jnp.linspace(0.01, 5.0, 50)
    np.testing.assert_allclose(
        vx.sigma_pinned(w, 1.3, 0.7, 0.0), vx.sigma_xx(w, 1.3, 0.7, 0.0), rtol=1e-15
    )


@pytest.mark.parametrize("omega_o", [0.0, 0.1, 2.0, 50.0])
def test_f_sum_rule_with_superfluid_weight(omega_o):
    # (2/pi) int_0^inf Re sigma_reg dw + D = f_s (Re sigma contains pi D delta(w))
    f_s, Omega = 1.7, 0.4
    re = jax.jit(lambda w, *p: jnp.real(vx.sigma_pinned(w, *p)))
    width = Omega + omega_o
    total = sum(
        quad(
            lambda w: float(re(w, f_s, Omega, omega_o)), a, b, epsabs=1e-13, epsrel=1e-11, limit=500
        )[0]
        for a, b in [(1e-300, width), (width, 100 * width), (100 * width, np.inf)]
    )
    D = float(vx.superfluid_weight(f_s, Omega, omega_o))
    np.testing.assert_allclose(2 / np.pi * total + D, f_s, rtol=RTOL_QUAD)


def test_kramers_kronig_fixes_the_delta_weight():
    # Im sigma(w) = D/w + (2w/pi) P int_0^inf Re sigma_reg(w')/(w^2 - w'^2) dw': the D/w term is
    # the Hilbert transform of pi D delta(w'), so KK checks superfluid_weight independently.
    f_s, Omega, omega_o = 1.1, 0.5, 0.3
    re = jax.jit(lambda w, *p: jnp.real(vx.sigma_pinned(w, *p)))
    D = float(vx.superfluid_weight(f_s, Omega, omega_o))
    upper = 200.0
    for w in [0.02, 0.3, 0.8, 2.5]:
        pv = quad(
            lambda x: -float(re(x, f_s, Omega, omega_o)) / (x + w),
            1e-300,
            upper,
            weight="cauchy",
            wvar=w,
            epsabs=1e-13,
            epsrel=1e-12,
            limit=500,
        )[0]
        tail = quad(
            lambda x: float(re(x, f_s, Omega, omega_o)) / (w**2 - x**2),
            upper,
            np.inf,
            epsabs=1e-14,
            epsrel=1e-12,
        )[0]
        im_kk = D / w + 2 * w / np.pi * (pv + tail)
        im = float(jnp.imag(vx.sigma_pinned(w, f_s, Omega, omega_o)))
        np.testing.assert_allclose(im_kk, im, rtol=RTOL_QUAD)


def test_continuous_across_the_transition():
    # superconductor -> anomalous metal at omega_o -> 0: D -> 0 linearly, sigma(w > 0) smooth
    w = jnp.array([0.05, 0.5, 3.0])
    f_s, Omega = 1.0, 0.5
    for omega_o in [1e-6, 1e-9, 1e-12]:
        np.testing.assert_allclose(
            vx.superfluid_weight(f_s, Omega, omega_o), omega_o / Omega, rtol=1e-5
        )
        # |sigma(w_o) - sigma(0)| = O(w_o): the derivative is bounded by f_s/(w Omega) ~ 40 here
        diff = jnp.abs(
            vx.sigma_pinned(w, f_s, Omega, omega_o) - vx.sigma_pinned(w, f_s, Omega, 0.0)
        )
        assert np.all(diff <= 50 * omega_o)
    assert float(vx.superfluid_weight(f_s, Omega, 0.0)) == 0.0


def ri(f):
    return lambda *a: jnp.stack([jnp.real(f(*a)), jnp.imag(f(*a))])


def test_check_grads():
    check_grads(ri(vx.sigma_pinned), (0.7, 1.3, 0.4, 0.2), order=2, modes=("fwd", "rev"))
    check_grads(vx.superfluid_weight, (1.3, 0.4, 0.2), order=2, modes=("fwd", "rev"))


@pytest.mark.parametrize("omega", [1e-300, 1e-6, 0.5])
def test_finite_gradients_at_omega_o_zero(omega):
    def f(p):
        z = vx.sigma_pinned(omega, p[0], p[1], p[2])
        return jnp.real(z) + jnp.imag(z) + vx.superfluid_weight(p[0], p[1], p[2])

    p = jnp.array([1.2, 0.4, 0.0])
    g = jax.grad(f)(p)
    assert np.all(np.isfinite(g))
    # d/d omega_o at omega_o = 0: Im sigma gains f_s/w (from f_s w_o G/(w (G^2 + w^2)));
    # Re sigma = f_s Omega/(G^2 + w^2) with G = Omega + w_o; D gains f_s/Omega
    G2 = 0.4**2 + omega**2
    expected = (
        -2 * 1.2 * 0.4 * 0.4 / G2**2
        - 2 * 1.2 * omega * 0.4 / G2**2
        + 1.2 * 0.4 / (omega * G2)
        + 1.2 / 0.4
    )
    np.testing.assert_allclose(g[2], expected, rtol=1e-12)


def test_pure_superconductor_omega_zero():
    # Omega = 0: no dissipation at w > 0, sigma = i f_s/w; D = f_s for any omega_o > 0
    np.testing.assert_allclose(vx.sigma_pinned(2.0, 1.5, 0.0, 0.3), 0.75j, rtol=1e-15)
    np.testing.assert_allclose(vx.superfluid_weight(1.5, 0.0, 0.3), 1.5, rtol=1e-15)


def test_jit_vmap():
    w = jnp.linspace(0.1, 2.0, 5)
    ref = vx.sigma_pinned(w, 1.0, 0.5, jnp.array([[0.0], [0.2]]))
    assert ref.shape == (2, 5)
    out = jax.vmap(lambda o: jax.jit(vx.sigma_pinned)(w, 1.0, 0.5, o))(jnp.array([0.0, 0.2]))
    np.testing.assert_allclose(out, ref, rtol=1e-15)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: vx.sigma_pinned(0.0, 1.0, 0.5, 0.2), "'omega' must be > 0"),
        (lambda: vx.sigma_pinned(-1.0, 1.0, 0.5, 0.2), "'omega' must be > 0"),
        (lambda: vx.sigma_pinned(1.0, -1.0, 0.5, 0.2), "'f_s' must be >= 0"),
        (lambda: vx.sigma_pinned(1.0, 1.0, -0.5, 0.2), "'Omega' must be >= 0"),
        (lambda: vx.sigma_pinned(1.0, 1.0, 0.5, -0.2), "'omega_o' must be >= 0"),
        (lambda: vx.sigma_pinned(1.0, 1.0, 0.5, 0.2j), "'omega_o' must be real"),
        (lambda: vx.sigma_pinned(jnp.ones(3), 1.0, jnp.ones(2), 0.2), "do not broadcast"),
        (lambda: vx.superfluid_weight(1.0, 0.0, 0.0), "'Omega \\+ omega_o' must be > 0"),
        (lambda: vx.superfluid_weight(1.0, -0.1, 0.2), "'Omega' must be >= 0"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DomainError, match=match):
        call()
