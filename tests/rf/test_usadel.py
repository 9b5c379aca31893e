"""Usadel/Cardano solution (Gurevich Eqs. 6-9, 33) against independent computations."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import dissipax.rf as rf
from dissipax import DomainError
from dissipax.rf import scipy_reference as ref
from dissipax.rf.usadel import spectral_terms

EPS64 = float(np.finfo(np.float64).eps)


def _energies(s, n=40):
    """Energies in (eps_g, 5]: log-spaced near the edge, then linear."""
    eg = ref.eps_gap(s)
    near = eg + np.logspace(-6, -1, n // 2)
    far = np.linspace(eg + 0.12, 5.0, n // 2)
    return np.concatenate([near, far])


def test_gaps_eq9_and_superheating_value():
    s = np.array([0.0, 0.05, 0.1764, 0.25])
    np.testing.assert_allclose(rf.pairbreaking_gap(s), 1 - np.pi * s / 4, rtol=1e-15)
    expected = ((1 - np.pi * s / 4) ** (2 / 3) - s ** (2 / 3)) ** 1.5
    np.testing.assert_allclose(rf.spectral_gap(s), expected, rtol=1e-14)
    # Pitfall: eps_g at the superheating field H = 0.84 Hc is 0.454, not the text's 0.3.
    assert abs(float(rf.spectral_gap(rf.BETA_SUPERHEATING)) - 0.4541) < 1e-4


def test_s_star_is_where_plus_root_stops_reaching_minus_one():
    # At the edge s cosh^3 u = Delta and the '+' root of Eq. (8) equals -1 iff Delta >= 2 s cosh u.
    s = rf.S_STAR
    d = 1 - np.pi * s / 4
    cosh_u = (d / s) ** (1 / 3)
    assert abs(d - 2 * s * cosh_u) < 1e-14
    assert rf.S_MAX < rf.S_STAR
    assert rf.BETA_SUPERHEATING < rf.S_MAX


@pytest.mark.parametrize("s", [1e-3, 0.05, 0.2, 0.25])
def test_cardano_matches_tracked_complex_root(s):
    """(u, v) from Eqs. (6)-(8) equal the retarded root of Eq. (33) continued from eps = 8."""
    eps = _energies(s, n=24)
    u_ref, v_ref = ref.uv_tracked(eps, s, eps_start=8.0, steps_per_unit=1500)
    u, v = rf.usadel_uv(eps, s)
    # np.roots on the quartic is accurate to ~1e-12 relative; near the edge v is
    # ill-conditioned (dv/deps ~ delta^-1/2), hence 1e-7 absolute at delta = 1e-6.
    np.testing.assert_allclose(u, u_ref, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(v, v_ref, rtol=0, atol=1e-7)
    assert np.all(np.asarray(rf.dos(eps, s)) >= 0)


@pytest.mark.slow
@pytest.mark.parametrize("s", [1e-6, 1e-4, 0.01, 0.1, 0.1764, 0.22, 0.245])
def test_cardano_matches_tracked_complex_root_exhaustive(s):
    eps = _energies(s, n=60)
    u_ref, v_ref = ref.uv_tracked(eps, s, eps_start=8.0, steps_per_unit=3000)
    u, v = rf.usadel_uv(eps, s)
    np.testing.assert_allclose(u, u_ref, rtol=1e-8, atol=1e-9)  # see the default-run test
    np.testing.assert_allclose(v, v_ref, rtol=0, atol=1e-7)


def test_printed_plus_branch_is_unphysical_above_s_star():
    """Pitfall: for s > s* the '+' root of Eq. (8) gives a finite DOS at eps_g."""
    s = 0.3
    eps = ref.eps_gap(s) + np.array([1e-6, 1e-4])
    u_ref, v_ref = ref.uv_tracked(eps, s, eps_start=8.0, steps_per_unit=1500)
    n_phys = np.cosh(u_ref) * np.cos(v_ref)
    x = np.sinh(2 * u_ref)
    d = 1 - np.pi * s / 4
    sin_plus = (-d + np.sqrt(d * d - s * s * x * x)) / (2 * s * np.cosh(u_ref))
    n_plus = np.cosh(u_ref) * np.sqrt(1 - sin_plus**2)
    assert n_phys[0] < 0.15 * n_phys[1]  # physical DOS vanishes like sqrt(delta) at the edge
    assert n_plus[0] > 0.5  # the printed branch does not
    with pytest.raises(DomainError, match="s\\*"):
        rf.dos(1.0, 0.3)


@pytest.mark.parametrize("s", [0.0, 1e-12, 1e-8, 1e-4, 0.1, 0.25])
def test_solution_satisfies_complex_usadel_equation(s):
    eps = _energies(s, n=30)
    u, v = rf.usadel_uv(eps, s)
    theta = np.asarray(u) + 1j * np.asarray(v)
    d = 1 - np.pi * s / 4
    lhs = (eps + 1j * s * np.cosh(theta)) * np.sinh(theta)
    rhs = d * np.cosh(theta)
    scale = np.abs(eps * np.sinh(theta)) + np.abs(rhs)
    # Residual at rounding level: ~1e-15 typically, 4e-12 at worst (s = 0.25, where the
    # cube-root argument r - eps*Delta*s passes through zero and cbrt loses a few digits).
    assert np.max(np.abs(lhs - rhs) / scale) < 1e-11


def test_bcs_limit_exact_and_small_s_without_cancellation():
    eps = np.array([1.0 + 1e-9, 1.0001, 1.01, 1.5, 3.0, 5.0])
    bcs = eps / np.sqrt(eps**2 - 1)
    np.testing.assert_allclose(rf.dos(eps, 0.0), bcs, rtol=1e-7)  # 1e-9 offset: eps rounding
    e = eps[2:]
    for s in (1e-14, 1e-10, 1e-8):
        # Away from the edge N = BCS with Delta(s) = 1 - pi s/4 up to O(s^2) (the cubic and
        # Eq. 8 correct x and cos v at O(s^2)); the printed Eq. (6) loses all digits here.
        # The O(s^2) term is (s x)^2/(eps^2 - Delta^2) <= 5e5 s^2 here (x <= 100).
        d = 1 - np.pi * s / 4
        np.testing.assert_allclose(rf.dos(e, s), e / np.sqrt(e**2 - d**2), rtol=1e-12 + 5e5 * s**2)
    # The printed difference form of Eq. (6) cancels catastrophically at s = 1e-10:
    s, e0 = 1e-10, 1.5
    d = 1 - np.pi * s / 4
    r = math.sqrt(e0**2 * d**2 * s**2 + (e0**2 + s**2 - d**2) ** 3 / 27)
    printed = (np.cbrt(r + e0 * d * s) - np.cbrt(r - e0 * d * s)) / s
    stable = np.sinh(2 * np.asarray(rf.usadel_uv(e0, s)[0]))
    exact = 2 * e0 * d / (e0**2 - d**2)
    assert abs(stable / exact - 1) < 1e-12
    assert abs(printed / exact - 1) > 1e-8


@pytest.mark.parametrize("s", [1e-6, 0.01, 0.2, 0.25])
def test_dos_near_edge_square_root_without_cancellation(s):
    # Internal (delta, s) kernel: the public dos(eps, s) cannot resolve delta below eps's ulp.
    delta = np.logspace(-14, -4, 11) * s ** (2 / 3)
    cosh_u, _, _, cos_v = jax.jit(spectral_terms)(jnp.asarray(delta), s)
    ratio = np.asarray(cosh_u * cos_v) / np.sqrt(delta)
    # N = A sqrt(delta) (1 + O(delta / s^(2/3))): constant to 1e-4 relative over 10 decades,
    # i.e. no eps/delta cancellation error (which would be 1e-2 at the first point).
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-4)
    np.testing.assert_allclose(ratio[:6], ratio[0], rtol=1e-9)
    # Against the branch-free reference (real part of Eq. 33) where that is well conditioned.
    eg = ref.eps_gap(s)
    terms = jax.jit(spectral_terms)
    for d_ in np.logspace(-6, -1, 6) * s ** (2 / 3):
        cu, _, _, cv = terms(d_, s)
        r = ref.dos(eg + d_, s)
        rc, _, _, rv = ref.uv_real(eg + d_, s)
        # The reference takes cos v = sqrt((1 - sin v)(1 + sin v)) with sin v -> -1, and its
        # cubic coefficient eps^2 - Delta^2 + s^2 is a difference (x relative error ~1e-13):
        # both errors are amplified by 1 / (1 + sin v) ~ 2 / cos^2 v.
        ref_err = (20 * EPS64 + 2e-13) / rv**2
        assert abs(float(cu * cv) / r - 1) < 1e-12 + ref_err


def test_dos_zero_in_gap_and_shapes():
    eps = np.linspace(0.0, 2.0, 9)[:, None]
    s = np.array([0.0, 0.1, 0.2])
    n = rf.dos(eps, s)
    assert n.shape == (9, 3)
    eg = np.asarray(rf.spectral_gap(s))
    assert np.all(np.asarray(n)[eps[:, 0] < eg[1]][:, 1] == 0)


def test_dos_gradients_finite_and_correct():
    dos = jax.jit(rf.dos)
    check_grads(dos, (1.3, 0.1), order=1, modes=["fwd", "rev"])
    # Inside the smeared peak N varies fast: central differences need a small step.
    check_grads(dos, (1.0005, 0.001), order=1, modes=["rev"], eps=1e-7)
    g = jax.jit(jax.grad(dos, argnums=(0, 1)))
    for e, s in [(1.2, 0.0), (float(rf.spectral_gap(0.1)) + 1e-12, 0.1), (0.5, 0.1), (1.5, 1e-12)]:
        assert all(np.isfinite(float(x)) for x in g(e, s))
    gg = jax.grad(lambda s: rf.spectral_gap(s))
    assert np.isfinite(float(gg(0.0)))
    # d eps_g / ds against central differences
    h = 1e-6
    fd = (float(rf.spectral_gap(0.1 + h)) - float(rf.spectral_gap(0.1 - h))) / (2 * h)
    assert abs(float(gg(0.1)) / fd - 1) < 1e-8


def test_jit_vmap():
    f = jax.jit(jax.vmap(rf.dos, in_axes=(0, None)))
    e = jnp.linspace(0.5, 3.0, 7)
    np.testing.assert_allclose(f(e, 0.1), rf.dos(e, 0.1), rtol=1e-14)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: rf.dos(1.2, -0.01), "'s'"),
        (lambda: rf.dos(1.2, 0.26), "'s'"),
        (lambda: rf.dos(float("nan"), 0.1), "'eps'"),
        (lambda: rf.spectral_gap(float("nan")), "'s'"),
        (lambda: rf.usadel_uv(0.3, 0.1), "eps_g"),
        (lambda: rf.usadel_uv(-1.0, 0.0), "'eps'"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DomainError, match=match):
        call()
