"""Property-based robustness tests of dissipax.saturation laws (hypothesis)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dissipax.saturation as sat

from ._strategies import NON_FINITE, log_uniform

LAW = st.sampled_from(("insulator", "superconductor"))


@st.composite
def law_params(draw):
    law = draw(LAW)
    P = draw(log_uniform(-7, 5))
    B = P * draw(log_uniform(-3, 6))
    E = draw(st.one_of(st.just(0.0), log_uniform(-3, 3)))
    names = sat.laws.PARAM_NAMES[law]
    return law, dict(zip(names, (P, B, E)))


TEMPS = st.lists(st.one_of(st.just(0.0), log_uniform(-6, 3)), min_size=12, max_size=12)


@jax.jit
def _dlogrho(T, logP, logB, E, sign):
    f = lambda t, lp, lb, e: sign * sat.laws.log_plateau_plus_activated(t, lp, lb, e)  # noqa: E731
    g = jax.vmap(jax.grad(f, argnums=(0, 1, 2, 3)), in_axes=(0, None, None, None))
    return jnp.stack(g(T, logP, logB, E), axis=-1)


@given(lp=law_params(), T=TEMPS)
def test_monotone_in_T_finite_with_gradients(lp, T):
    """Eq. (1): ρ non-increasing in T (insulating side); Eq. (2): non-decreasing."""
    law, p = lp
    T = np.sort(np.asarray(T))
    rho = np.asarray(sat.resistivity(T, law, **p))
    assert np.all(np.isfinite(rho)) and np.all(rho > 0)
    d = np.diff(rho)
    # exp(log ...) rounding: a few ulps of rho
    tol = 8 * np.finfo(float).eps * rho[1:]
    assert np.all(d <= tol) if law == "insulator" else np.all(d >= -tol)
    P, B, E = p.values()
    sign = -1.0 if law == "insulator" else 1.0
    g = np.asarray(_dlogrho(jnp.asarray(T), np.log(P), np.log(B), E, sign))
    assert np.all(np.isfinite(g))
    assert np.all(sign * g[:, 0] >= 0)


@given(lp=law_params(), y=st.floats(1.0, 1e6))
def test_large_activation_ratio_no_overflow(lp, y):
    """E_a/T from 1 to 1e6 (past exp underflow at ~745): value and gradient finite, exact."""
    law, p = lp
    P, B, E = p.values()
    E = max(E, 1e-3)
    T = E / y
    rho = float(sat.resistivity(T, law, **{**p, sat.laws.PARAM_NAMES[law][2]: E}))
    g = P + B * np.exp(-y)  # float64 reference (exp(-y) underflows to 0 past 745: exact there)
    ref = 1 / g if law == "insulator" else g
    np.testing.assert_allclose(rho, ref, rtol=1e-13)  # log-space kernel: a few ulps
    grads = jax.grad(lambda t, e: sat.resistivity(t, law, **{**p, "E_a": e}), argnums=(0, 1))(T, E)
    assert all(np.isfinite(float(v)) for v in grads)


def test_activation_ratio_700_and_zero_temperature():
    for law, names in sat.laws.PARAM_NAMES.items():
        kw = dict(zip(names, (1e-6 if law == "insulator" else 3e3, 1e300, 700.0)))
        for T in (1.0, 0.5, 1e-300, 0.0):
            r = float(sat.resistivity(T, law, **kw))
            assert np.isfinite(r)
            g = jax.grad(lambda t: sat.resistivity(t, law, **kw))(T)
            assert np.isfinite(float(g))
        # E_a/T = 700 with prefactor 1e300: the activated term is 1e300*e^-700 = 9.9e-5 of 1
        r = float(sat.failed_superconductor(1.0, 1.0, 1e300, 700.0))
        np.testing.assert_allclose(r, 1.0 + 1e300 * np.exp(-700.0), rtol=1e-14)


@given(lp=law_params())
def test_zero_temperature_limit_and_curvature_sign_change(lp):
    law, p = lp
    P = list(p.values())[0]
    r0 = float(sat.resistivity(0.0, law, **p))
    # rho = exp(±log P): the rounding of log P (|log P| ulps absolute) becomes relative error
    rtol = (abs(np.log(P)) + 2) * np.finfo(float).eps
    np.testing.assert_allclose(r0, 1 / P if law == "insulator" else P, rtol=rtol)
    if p["E_a"] <= 0:
        return
    Ts = float(sat.curvature_zero(law, **p))
    assert 0 < Ts < np.inf
    below, above = (float(sat.curvature(t, law, **p)) for t in (0.9 * Ts, 1.1 * Ts))
    # Eq. (2): rho'' ∝ y(y - 2) changes from + (y > 2, T < T*) to -; Eq. (1): - to +
    if law == "superconductor":
        assert below >= 0 >= above
    else:
        assert below <= 0 <= above


BAD = {
    "T": st.one_of(log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "plateau": st.one_of(st.just(0.0), log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "prefactor": st.one_of(st.just(0.0), log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "E_a": st.one_of(log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
}


@given(data=st.data(), lp=law_params(), which=st.sampled_from(sorted(BAD)))
def test_invalid_input_names_the_argument(data, lp, which):
    law, p = lp
    names = sat.laws.PARAM_NAMES[law]
    kw = {"T": 0.5, **p}
    name = {"plateau": names[0], "prefactor": names[1]}.get(which, which)
    kw[name] = data.draw(BAD[which])
    with pytest.raises(ValueError, match=f"'{name}'"):
        sat.resistivity(law=law, **kw)


def test_runtime_guard_inside_vmap():
    f = jax.jit(jax.vmap(lambda T: sat.failed_superconductor(T, 3e3, 1e4, 1.0)))
    assert np.isfinite(np.asarray(f(jnp.array([0.1, 1.0])))).all()
    with pytest.raises(Exception, match="argument 'T' out of its domain"):
        jax.block_until_ready(f(jnp.array([0.1, -1.0])))


def test_shapes_that_do_not_broadcast():
    with pytest.raises(ValueError, match="do not broadcast"):
        sat.failed_insulator(np.ones(3), np.ones(2), 1e-4, 0.3)


@pytest.mark.parametrize(
    "law,kw",
    [
        ("insulator", dict(sigma_QF=1e-310, sigma_0=1e-4, E_a=0.3)),  # rho(0) = 1/sigma_QF = 1e310
        ("superconductor", dict(rho_QF=1.5e308, rho_0=1e308, E_a=0.0)),  # the sum overflows
    ],
)
def test_overflowing_results_say_so(law, kw):
    with pytest.raises(ValueError, match="result 'rho' overflows"):
        sat.resistivity(0.0 if law == "insulator" else 1.0, law, **kw)


def test_fit_start_validation_and_flat_fit_flag():
    sw = sat.generate(seed=3)
    T, rho, sig = sw.T[0], sw.rho[0], sw.sigma[0]  # a superconducting field
    with pytest.raises(ValueError, match="unknown parameter"):
        sat.fit(T, rho, "superconductor", start={"sigma_QF": 1e-6})
    with pytest.raises(ValueError, match=r"'start\['E_a'\]'.*> 0"):
        sat.fit(T, rho, "superconductor", start={"E_a": -1.0})
    with pytest.raises(ValueError, match="one law"):
        sat.fit(T, rho, "auto", start={"E_a": 1.0})
    # E_a/T_min ~ 3e4 at the start: the activated term underflows at every point, the gradient
    # with respect to rho_0 and E_a vanishes and LM stops on a flat curve
    flat = sat.fit(T, rho, "superconductor", sigma=sig, start={"E_a": 1e3}, retry=False)
    assert not flat.success and "degenerate: the fitted curve is flat" in flat.message
    # with retry (the default) such fits restart from the automatic start: test_bad_starts.py
