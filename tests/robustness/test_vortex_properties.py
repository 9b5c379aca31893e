"""Property-based robustness tests of dissipax.vortex (hypothesis; see tests/conftest.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dissipax.vortex as vx
from dissipax._checks import DomainError

from ._strategies import NON_FINITE, hydro_params, log_uniform, signed_log

OMEGAS = st.lists(signed_log(-4, 4), min_size=1, max_size=8)


def _xy(p):
    return {k: p[k] for k in ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_oH")}


def _xx(p):
    return {k: p[k] for k in ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_o")}


_NAMES = ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_o", "sigma_oH")


@jax.jit
def _grads(q, w):
    """Gradients of Re and Im of sigma_xx + sigma_xy with respect to all six parameters."""

    def total(q, part):
        kw = dict(zip(_NAMES, q))
        return jnp.sum(part(vx.sigma_xx(w, **_xx(kw))) + part(vx.sigma_xy(w, **_xy(kw))))

    return jnp.stack([jax.grad(total)(q, jnp.real), jax.grad(total)(q, jnp.imag)])


@given(p=hydro_params(), omega=st.lists(signed_log(-4, 4), min_size=8, max_size=8))
def test_values_and_gradients_finite(p, omega):
    w = np.asarray(omega)
    sxx = np.asarray(vx.sigma_xx(w, **_xx(p)))
    sxy = np.asarray(vx.sigma_xy(w, **_xy(p)))
    assert np.all(np.isfinite(sxx)) and np.all(np.isfinite(sxy))
    g = np.asarray(_grads(jnp.array([p[n] for n in _NAMES]), jnp.asarray(w)))
    assert np.all(np.isfinite(g)), g


@given(p=hydro_params(), omega=OMEGAS)
def test_dissipation_non_negative_under_entropy_bound(p, omega):
    """Re σ_xx ≥ 0 and Re σ_± = Re(σ_xx ± iσ_xy) ≥ 0 when α_v² ≤ σ_oΩ/f_s."""
    w = np.asarray(omega)
    sxx = np.asarray(vx.sigma_xx(w, **_xx(p)))
    sxy = np.asarray(vx.sigma_xy(w, **_xy(p)))
    # rounding: a few ulps of the largest term, f_s/Omega or sigma_o
    tol = 64 * np.finfo(float).eps * (p["f_s"] / p["Omega"] + p["sigma_o"] + abs(p["sigma_oH"]))
    assert np.all(sxx.real >= -tol)
    assert np.all((sxx + 1j * sxy).real >= -tol) and np.all((sxx - 1j * sxy).real >= -tol)


@pytest.mark.filterwarnings("ignore::dissipax.vortex.EntropyBoundWarning")
@given(p=hydro_params(entropy_bound=False), omega=OMEGAS)
def test_reality_condition(p, omega):
    """σ(−ω) = σ(ω)*: the response to a real field is real."""
    w = np.asarray(omega)
    for f, kw in ((vx.sigma_xx, _xx(p)), (vx.sigma_xy, _xy(p))):
        a, b = np.asarray(f(w, **kw)), np.asarray(f(-w, **kw))
        np.testing.assert_allclose(b, np.conj(a), rtol=1e-13, atol=0)  # same arithmetic, mirrored


def _gauss_panels(edges, n=10):
    x, wt = np.polynomial.legendre.leggauss(n)
    a, b = edges[:-1, None], edges[1:, None]
    return (0.5 * (b - a) * x + 0.5 * (a + b)).ravel(), (0.5 * (b - a) * wt).ravel()


def _kk_imag(re_fn, omega, scales, top):
    r"""-(2ω/π) PV∫_0^∞ [Re σ(ω') − Re σ(ω)]/(ω'² − ω²) dω' (the subtracted term integrates to 0).

    Composite Gauss–Legendre on [0, top] with panels no wider than a quarter of the narrowest
    line width and breakpoints at ω (the removable singularity), plus the tail [top, ∞) by
    ω' = top/u.
    """
    width = min(scales) / 4
    grid = np.arange(0, top, width)
    # no sliver panel next to omega (its nodes would sit on the removable 0/0 point)
    grid = grid[np.abs(grid - omega) > 0.01 * width]
    edges = np.unique(np.concatenate([grid, [omega, top]]))
    x, wt = _gauss_panels(edges)
    u, wu = _gauss_panels(np.linspace(0, 1, 41))
    xt, wtt = top / u, wu * top / u**2
    r0 = re_fn(np.array([omega]))[0]
    xs, ws = np.concatenate([x, xt]), np.concatenate([wt, wtt])
    integrand = (re_fn(xs) - r0) / (xs**2 - omega**2)
    return -(2 * omega / np.pi) * np.sum(ws * integrand)


@pytest.mark.filterwarnings("ignore::dissipax.vortex.EntropyBoundWarning")
@given(
    p=hydro_params(entropy_bound=False),
    omega=log_uniform(-1, 0.7),
    which=st.sampled_from(("xx", "xy")),
)
def test_kramers_kronig(p, omega, which):
    """Im σ follows from Re σ by the Kramers–Kronig relation (causality: poles at Im ω < 0)."""
    p = {**p, "Omega": np.clip(p["Omega"], 0.1, 5.0), "Omega_H": np.clip(p["Omega_H"], -5, 5)}
    p["f_s"] = np.clip(p["f_s"], 0.01, 100.0)
    if which == "xx":

        def fn(w):
            return np.asarray(vx.sigma_xx(w, **_xx(p)))
    else:

        def fn(w):
            return np.asarray(vx.sigma_xy(w, **_xy(p)))

    top = 40.0 * (p["Omega"] + abs(p["Omega_H"]) + omega + 1.0)
    im = _kk_imag(lambda w: fn(w).real, omega, [p["Omega"]], top)
    exact = fn(np.array([omega]))[0].imag
    scale = p["f_s"] / p["Omega"]
    # quadrature error of the panel rule (~1e-12 relative) plus the 1/top^3 tail model
    assert abs(im - exact) <= 1e-8 * scale, (im, exact)


@given(
    f_s=log_uniform(-3, 3),
    Omega=st.one_of(st.just(0.0), log_uniform(-3, 3)),
    omega_o=st.one_of(st.just(0.0), log_uniform(-3, 3)),
    omega=st.lists(log_uniform(-4, 4), min_size=1, max_size=6),
)
def test_pinned_properties(f_s, Omega, omega_o, omega):
    w = np.asarray(omega)
    s = np.asarray(vx.sigma_pinned(w, f_s, Omega, omega_o))
    assert np.all(np.isfinite(s)) and np.all(s.real >= 0)
    if Omega + omega_o > 0:
        D = float(vx.superfluid_weight(f_s, Omega, omega_o))
        assert 0 <= D <= f_s * (1 + 1e-15)
    g = jax.grad(lambda q: jnp.sum(vx.sigma_pinned(w, q[0], q[1], q[2]).real))(
        jnp.array([f_s, Omega, omega_o])
    )
    assert np.all(np.isfinite(np.asarray(g)))


@pytest.mark.filterwarnings("ignore::dissipax.vortex.EntropyBoundWarning")
@given(
    x=st.floats(1e-4, 0.99),
    f_s=log_uniform(-2, 2),
    sigma_n=log_uniform(-2, 2),
    sigma_nH=signed_log(-3, 0),
    n_v_eff=signed_log(-3, 1),
    m_star=log_uniform(-2, 2),
)
def test_flux_flow_closure_finite(x, f_s, sigma_n, sigma_nH, n_v_eff, m_star):
    out = vx.flux_flow(x, f_s, sigma_n, sigma_nH, n_v_eff, m_star)
    assert all(np.isfinite(np.asarray(v)).all() for v in out.values())
    assert float(out["Omega"]) > 0
    # the closure output is a valid input of sigma_xx
    assert np.isfinite(np.asarray(vx.sigma_xx(1.0, f_s, **out))).all()


BAD = {
    "f_s": st.one_of(log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "Omega": st.one_of(st.just(0.0), log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "Omega_H": NON_FINITE,
    "alpha_v": NON_FINITE,
    "sigma_o": st.one_of(log_uniform(-3, 3).map(lambda v: -v), NON_FINITE),
    "omega": NON_FINITE,
}


@given(data=st.data(), name=st.sampled_from(sorted(BAD)), p=hydro_params())
def test_invalid_input_names_the_argument(data, name, p):
    kw = {"omega": 1.0, **_xx(p)}
    kw[name] = data.draw(BAD[name])
    with pytest.raises(ValueError, match=f"'{name}'"):
        vx.sigma_xx(**kw)


@given(p=hydro_params(), name=st.sampled_from(("f_s", "Omega", "Omega_H")))
def test_complex_parameter_rejected(p, name):
    kw = {"omega": 1.0, **_xx(p)}
    kw[name] = complex(kw[name], 1.0)
    with pytest.raises(DomainError, match=f"'{name}'.*real"):
        vx.sigma_xx(**kw)


def test_runtime_guard_under_jit_and_vmap():
    """Values only known at run time (inside jit/vmap) are guarded by eqx.error_if."""
    f = jax.jit(jax.vmap(lambda om: vx.sigma_xx(1.0, 1.0, om, 0.5)))
    assert np.isfinite(np.asarray(f(jnp.array([0.1, 1.0])))).all()
    with pytest.raises(Exception, match="argument 'Omega' out of its domain"):
        jax.block_until_ready(f(jnp.array([0.1, -1.0])))
    g = jax.jit(lambda w: vx.sigma_pinned(w, 1.0, 0.5, 0.1))
    with pytest.raises(Exception, match="argument 'omega' out of its domain"):
        jax.block_until_ready(g(jnp.array([-1.0, 1.0])))


def test_overflowing_results_say_so():
    # complex division of overflowing parts gives NaN: the message says which result and why
    with pytest.raises(ValueError, match="result 'sigma_xx' is NaN .an intermediate overflowed"):
        vx.sigma_xx(0.0, 1e300, 1e-300, 0.0)
    with pytest.raises(ValueError, match="result 'sigma_pinned' overflows"):
        vx.sigma_pinned(1e-300, 1e300, 1.0, 1.0)
