"""Eqs. (1), (2), their curvature and its zero, against independent references."""

import decimal

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from hypothesis import strategies as st

from dissipax._checks import DomainError
from dissipax.saturation import laws

EPS = float(jnp.finfo(jnp.float64).eps)

INS = dict(sigma_QF=1.2e-6, sigma_0=1e-4, E_a=0.45)
SC = dict(rho_QF=3.0e3, rho_0=1.0e4, E_a=1.4)


def _decimal_log_rho(T, plateau, prefactor, E_a, insulator):
    """log(P + B e^{-E_a/T}) (negated for Eq. (1)) in 50-digit decimal arithmetic."""
    with decimal.localcontext() as ctx:
        ctx.prec = 50
        D = decimal.Decimal
        g = D(repr(plateau)) + D(repr(prefactor)) * (-(D(repr(E_a)) / D(repr(T)))).exp()
        lg = g.ln()
        return float(-lg if insulator else lg)


@pytest.mark.parametrize("T", [1e-3, 0.01, 0.05, 0.2, 1.0, 3.0])
def test_laws_match_direct_formula(T):
    rho_i = laws.failed_insulator(T, **INS)
    rho_s = laws.failed_superconductor(T, **SC)
    ref_i = 1.0 / (INS["sigma_QF"] + INS["sigma_0"] * np.exp(-INS["E_a"] / T))
    ref_s = SC["rho_QF"] + SC["rho_0"] * np.exp(-SC["E_a"] / T)
    # exp(log rho) loses at most a few ulp relative to the direct formula in this range
    np.testing.assert_allclose(rho_i, ref_i, rtol=20 * EPS)
    np.testing.assert_allclose(rho_s, ref_s, rtol=20 * EPS)


@pytest.mark.parametrize("x", [1.0, 50.0, 300.0, 700.0, 740.0, 800.0, 5000.0])
@pytest.mark.parametrize("ratio", [1e-300, 1e-6, 1.0, 1e6, 1e300])
def test_log_space_is_stable_mk_to_k(x, ratio):
    """E_a/T up to and beyond 700 and plateau/prefactor ratios over 600 decades."""
    E_a, P, B = 0.7, 1.0, ratio
    T = E_a / x
    got = float(laws.log_plateau_plus_activated(T, np.log(P), np.log(B), E_a))
    ref = _decimal_log_rho(T, P, B, E_a, insulator=False)
    # a handful of ulps of |log g| (itself up to ~690): the softplus route is exact to rounding
    assert got == pytest.approx(ref, rel=8 * EPS, abs=8 * EPS)
    rho_i = float(laws.failed_insulator(T, 1e-300, 1.0, E_a))
    assert np.isfinite(rho_i) or x > 690


def test_T_to_zero_limit_and_gradients_are_finite():
    T = jnp.array([0.0, 1e-300, 1e-200, 1e-6, 1e-3, 0.02])
    for fn, p in ((laws.failed_insulator, INS), (laws.failed_superconductor, SC)):
        args = tuple(p.values())
        rho = fn(T, *args)
        plateau = 1 / args[0] if fn is laws.failed_insulator else args[0]
        # exp(log P) round trip: the rounding of log P (|log P| ~ 14) is amplified ~14x
        np.testing.assert_allclose(rho[:4], plateau, rtol=32 * EPS)
        grads = jax.vmap(jax.grad(fn, argnums=(0, 1, 2, 3)), in_axes=(0, None, None, None))(
            T, *args
        )
        for g in grads:
            assert np.all(np.isfinite(g))
        # at and near T = 0 the activated term vanishes: d/dT and d/dE_a are exactly 0
        assert np.all(grads[0][:3] == 0) and np.all(grads[3][:3] == 0)


def test_gradients_match_finite_differences():
    T = 0.2
    for fn, p in ((laws.failed_insulator, INS), (laws.failed_superconductor, SC)):
        args = [T, *p.values()]
        g = jax.grad(fn, argnums=(0, 1, 2, 3))(*args)
        for k in range(4):
            h = 1e-6 * abs(args[k])
            up, dn = list(args), list(args)
            up[k] += h
            dn[k] -= h
            fd = (float(fn(*up)) - float(fn(*dn))) / (2 * h)
            # central differences with relative step 1e-6: truncation ~1e-12, rounding ~1e-10
            assert float(g[k]) == pytest.approx(fd, rel=1e-7)


def test_jit_vmap_and_broadcasting(strict_promotion):
    T = jnp.linspace(0.02, 1.0, 7)
    E = jnp.array([0.3, 0.5])[:, None]
    out = laws.failed_insulator(T, 1e-6, 1e-4, E)
    assert out.shape == (2, 7) and out.dtype == jnp.float64
    jitted = jax.jit(laws.failed_insulator)(T, 1e-6, 1e-4, E)
    np.testing.assert_array_equal(out, jitted)
    vm = jax.vmap(laws.failed_insulator, in_axes=(None, None, None, 0))(T, 1e-6, 1e-4, E[:, 0])
    np.testing.assert_allclose(out, vm, rtol=EPS)


def test_kernel_traces_once():
    f = eqx.debug.assert_max_traces(laws.log_failed_superconductor, max_traces=1)
    f = jax.jit(f)
    for e in (0.3, 0.5, 0.9):
        f(jnp.linspace(0.01, 1, 5), 1.0, 2.0, jnp.asarray(e))


@pytest.mark.parametrize(
    "kwargs,name",
    [
        (dict(T=-0.1, sigma_QF=1e-6, sigma_0=1e-4, E_a=0.5), "T"),
        (dict(T=0.1, sigma_QF=0.0, sigma_0=1e-4, E_a=0.5), "sigma_QF"),
        (dict(T=0.1, sigma_QF=1e-6, sigma_0=-1.0, E_a=0.5), "sigma_0"),
        (dict(T=0.1, sigma_QF=1e-6, sigma_0=1e-4, E_a=-0.5), "E_a"),
        (dict(T=np.nan, sigma_QF=1e-6, sigma_0=1e-4, E_a=0.5), "T"),
    ],
)
def test_domain_errors_name_the_argument(kwargs, name):
    with pytest.raises(DomainError, match=f"'{name}'"):
        laws.failed_insulator(**kwargs)


def test_superconductor_domain_error():
    with pytest.raises(DomainError, match="'rho_QF'"):
        laws.failed_superconductor(0.1, rho_QF=-1.0, rho_0=1.0, E_a=1.0)


def test_resistivity_dispatch_and_bad_names():
    np.testing.assert_array_equal(
        laws.resistivity(0.2, "insulator", **INS), laws.failed_insulator(0.2, **INS)
    )
    with pytest.raises(TypeError, match="missing rho_0"):
        laws.resistivity(0.2, "superconductor", rho_QF=1.0, E_a=1.0)
    with pytest.raises(DomainError, match="'law'"):
        laws.resistivity(0.2, "metal", **INS)


def _fd_curvature(fn, T, args, h):
    return (fn(T + h, *args) - 2 * fn(T, *args) + fn(T - h, *args)) / h**2


@pytest.mark.parametrize("law,p", [("insulator", INS), ("superconductor", SC)])
def test_curvature_matches_finite_differences(law, p):
    T = np.linspace(0.03, 1.5, 40)
    fn = laws.LAW_FUNCTIONS[law]
    args = tuple(p.values())
    h = 1e-4
    fd = np.asarray(_fd_curvature(fn, T, args, h))
    ad = np.asarray(laws.curvature(T, law, **p))
    scale = np.max(np.abs(ad))
    # second differences: truncation h²/12·ρ'''' and rounding ~eps·ρ/h² (~1e-8 relative here)
    np.testing.assert_allclose(ad, fd, rtol=1e-5, atol=1e-6 * scale)


@pytest.mark.parametrize(
    "law,p",
    [
        ("insulator", INS),
        ("superconductor", SC),
        ("insulator", dict(sigma_QF=7.5e-5, sigma_0=1e-4, E_a=0.52)),
        ("insulator", dict(sigma_QF=1e-9, sigma_0=1e-2, E_a=0.3)),
    ],
)
def test_curvature_zero_matches_finite_difference_sign_change(law, p):
    fn = laws.LAW_FUNCTIONS[law]
    args = tuple(p.values())
    T_star = float(laws.curvature_zero(law, **p))
    T = np.linspace(0.6 * T_star, 1.6 * T_star, 2001)
    fd = np.asarray(_fd_curvature(fn, T, args, 1e-3 * T_star))
    sign_changes = np.nonzero(np.diff(np.sign(fd)))[0]
    assert len(sign_changes) == 1  # the zero is unique (module notes)
    i = sign_changes[0]
    T_fd = T[i] - fd[i] * (T[i + 1] - T[i]) / (fd[i + 1] - fd[i])
    # linear interpolation on a grid of spacing 5e-4·T*, FD truncation O(1e-6) relative
    assert T_star == pytest.approx(T_fd, rel=1e-5)
    # concave (bending into the plateau) below T*, convex above for Eq. (1)
    if law == "insulator":
        assert fd[0] < 0 < fd[-1]


def test_curvature_zero_insulator_matches_brentq():
    s, b, E = 3e-6, 2e-4, 0.4

    def eq(y):  # sigma_0 e^{-y}(y+2) = sigma_QF (y-2), derived independently of the code
        return b * np.exp(-y) * (y + 2) - s * (y - 2)

    y = scipy.optimize.brentq(eq, 2.0 + 1e-12, 100.0, xtol=1e-15, rtol=4 * EPS)
    T_star = float(laws.curvature_zero("insulator", sigma_QF=s, sigma_0=b, E_a=E))
    assert T_star == pytest.approx(E / y, rel=1e-13)  # both solvers at machine precision
    assert float(laws.curvature_zero("superconductor", **SC)) == SC["E_a"] / 2


def test_curvature_zero_gradient_and_extremes():
    def tz(log_s):
        return laws.curvature_zero("insulator", sigma_QF=jnp.exp(log_s), sigma_0=1e-4, E_a=0.5)

    g = jax.grad(tz)(jnp.log(1e-6))
    h = 1e-5
    fd = (tz(jnp.log(1e-6) + h) - tz(jnp.log(1e-6) - h)) / (2 * h)
    assert float(g) == pytest.approx(float(fd), rel=1e-7)  # implicit derivative of the root
    # plateau dominating (c -> -700) and negligible (c -> +700): still a root, finite
    out = laws.curvature_zero(
        "insulator", sigma_QF=jnp.array([1e300, 1e-300]), sigma_0=1.0, E_a=1.0
    )
    assert np.all(np.isfinite(out)) and np.all(out > 0)
    assert float(out[0]) == pytest.approx(0.5, rel=1e-6)  # y* -> 2 when sigma_QF >> sigma_0


@settings(max_examples=25)
@given(
    log10_T=st.floats(-3.5, 1.0),
    log10_P=st.floats(-9.0, 6.0),
    log10_ratio=st.floats(-5.0, 8.0),
    E_a=st.floats(0.0, 3.0),
)
def test_kernel_matches_decimal_reference(log10_T, log10_P, log10_ratio, E_a):
    T, P = 10.0**log10_T, 10.0**log10_P
    B = P * 10.0**log10_ratio
    got = float(laws.log_plateau_plus_activated(T, np.log(P), np.log(B), E_a))
    ref = _decimal_log_rho(T, P, B, E_a, insulator=False)
    # inputs pass through log/exp in float64: a few ulps of the largest term involved
    assert got == pytest.approx(ref, rel=1e-14, abs=1e-13 * max(1.0, abs(np.log(B)), E_a / T))


def test_curvature_and_zero_under_jit_vmap_grad():
    T = jnp.linspace(0.05, 1.0, 6)
    c = laws.curvature(T, "insulator", **INS)
    cj = jax.jit(lambda t, e: laws.curvature(t, "insulator", sigma_QF=1.2e-6, sigma_0=1e-4, E_a=e))
    np.testing.assert_allclose(cj(T, INS["E_a"]), c, rtol=1e-13)
    zs = jax.vmap(lambda e: laws.curvature_zero("insulator", sigma_QF=1e-6, sigma_0=1e-4, E_a=e))(
        jnp.array([0.3, 0.6])
    )
    # T* = E_a / y*(sigma_0/sigma_QF): linear in E_a at fixed ratio
    assert float(zs[1]) == pytest.approx(2 * float(zs[0]), rel=1e-14)
    g = jax.grad(lambda e: laws.curvature(0.3, "superconductor", rho_QF=1.0, rho_0=2.0, E_a=e))(1.0)
    assert np.isfinite(float(g))
