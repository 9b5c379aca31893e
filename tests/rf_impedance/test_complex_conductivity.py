"""Complex Mattis-Bardeen / Dynes conductivity against SciPy quad, closed forms and limits."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dissipax.rf as rf
from dissipax import DomainError
from dissipax.rf import scipy_reference as ref

# Issue target: sigma1 and sigma2 within 1e-8 (relative) of SciPy quad.
TOL_QUAD = 1e-8
T_C = rf.T_C

# (omega, t = T/Tc): omega > 2 Delta (pair breaking), near 2 Delta, T near Tc, low T
POINTS = [
    (1e-4, 0.3),
    (0.01, 0.05),
    (0.3, 0.5),
    (1.0, 0.8),
    (1.5, 0.2),
    (2.5, 0.3),
    (6.0, 0.6),
    (0.05, 0.99),
    (0.5, 0.999),
    (40.0, 0.9),
]


def _mb(points, **kw):
    w = np.array([p[0] for p in points])
    t = np.array([p[1] for p in points])
    return w, t, np.asarray(rf.sigma_mattis_bardeen(w, t * T_C, **kw))


def test_sigma_vs_quad():
    w, t, got = _mb(POINTS)
    D = np.asarray(rf.bcs_gap(t))
    for wi, ti, Di, s in zip(w, t, D, got):
        s1, s2 = ref.sigma_mattis_bardeen(wi, ti * T_C, Di)
        assert abs(s.real / s1 - 1) < TOL_QUAD, (wi, ti)
        assert abs(s.imag / s2 - 1) < TOL_QUAD, (wi, ti)
    assert np.all(got.real >= 0) and np.all(got.imag >= 0)


def test_sigma_at_the_pair_breaking_edge():
    """omega = 2 Delta(T) exactly and just around it (the kink of sigma2, onset of sigma1)."""
    t = 0.4
    D = float(rf.bcs_gap(t))
    w = np.array([2 * D * (1 - 1e-7), 2 * D, 2 * D * (1 + 1e-7), 2 * D + 1e-3])
    got = np.asarray(rf.sigma_mattis_bardeen(w, t * T_C))
    for wi, s in zip(w, got):
        s1, s2 = ref.sigma_mattis_bardeen(wi, t * T_C, D)
        assert abs(s.imag / s2 - 1) < TOL_QUAD
        assert abs(s.real / s1 - 1) < TOL_QUAD


def test_T0_elliptic_closed_forms():
    """T = 0: Mattis-Bardeen's complete-elliptic-integral forms (an independent check)."""
    w = np.array([0.01, 0.5, 1.5, 1.99, 2.01, 3.0, 10.0, 100.0])
    got = np.asarray(rf.sigma_mattis_bardeen(w, 0.0))
    for wi, s in zip(w, got):
        s1, s2 = ref.sigma_T0_elliptic(wi)
        assert abs(s.imag / s2 - 1) < 1e-10
        if wi < 2:
            assert s.real == 0.0
        else:
            assert abs(s.real / s1 - 1) < 1e-10


def test_low_T_real_part_is_constant_gap_sigma1():
    """T << Tc: Re sigma is sigma1_mattis_bardeen (Delta = Delta0) to the accuracy of Delta(T)."""
    w = np.array([1e-3, 0.02, 0.1])
    T = 0.05
    got = np.asarray(rf.sigma_mattis_bardeen(w, T)).real
    old = np.asarray(rf.sigma1_mattis_bardeen(w, T))
    dgap = 1 - float(rf.bcs_gap(T / T_C))  # ~1e-8; sigma1 ~ e^{-Delta/T}: d ln sigma1 ~ dDelta/T
    assert 0 < dgap < 1e-7
    np.testing.assert_allclose(got, old, rtol=3 * dgap / T + 1e-10)


def test_normal_state_and_static_limit():
    s = np.asarray(
        rf.sigma_mattis_bardeen(np.array([0.01, 1.0, 10.0]), np.array([T_C, 1.2 * T_C, 1.99 * T_C]))
    )
    np.testing.assert_array_equal(s, np.ones(3))
    # omega -> 0: omega sigma2 -> pi Delta tanh(Delta/2T) (the London kernel), sigma2 >= 0
    T = np.array([0.1, 0.3, 0.5])
    D = np.asarray(rf.bcs_gap(T / T_C))
    w = 1e-7
    s = np.asarray(rf.sigma_mattis_bardeen(w, T))
    np.testing.assert_allclose(w * s.imag, np.pi * D * np.tanh(D / (2 * T)), rtol=1e-5)


# (omega, t, Gamma): Gamma > 0 against the quadrature; Gamma = 0 rows go through the same
# (Dynes) kernel in the same call and are compared with Mattis-Bardeen; the last row is the
# static limit, compared with the Matsubara sum.
DYNES_POINTS = [
    (0.1, 0.2, 0.01),
    (1.0, 0.4, 0.05),
    (3.0, 0.6, 0.1),
    (0.5, 0.04, 1e-4),
    (0.3, 0.5, 0.0),
    (2.5, 0.3, 0.0),
    (0.05, 0.99, 0.0),
    (1e-5, 0.2 / T_C, 0.05),
]


def test_dynes():
    w = np.array([p[0] for p in DYNES_POINTS])
    t = np.array([p[1] for p in DYNES_POINTS])
    g = np.array([p[2] for p in DYNES_POINTS])
    got = np.asarray(rf.sigma_mattis_bardeen(w, t * T_C, Gamma=g))
    D = np.asarray(rf.bcs_gap(t))
    for i in range(4):  # direct complex-energy quadrature
        s1, s2 = ref.sigma_dynes(w[i], t[i] * T_C, D[i], g[i])
        assert abs(got[i].real / s1 - 1) < TOL_QUAD
        assert abs(got[i].imag / s2 - 1) < TOL_QUAD
    for i in range(4, 7):  # Gamma = 0 through the Dynes kernel is Mattis-Bardeen
        s1, s2 = ref.sigma_mattis_bardeen(w[i], t[i] * T_C, D[i])
        assert abs(got[i].real / s1 - 1) < TOL_QUAD
        assert abs(got[i].imag / s2 - 1) < TOL_QUAD
    # omega sigma2 -> Q(0) = 2 pi T sum_n Delta^2/((|w_n| + Gamma)^2 + Delta^2) (independent)
    T, G, Dm = 0.2, 0.05, D[7]
    wn = np.pi * T * (2 * np.arange(0, 2_000_000) + 1)
    q0 = 4 * np.pi * T * np.sum(Dm * Dm / ((wn + G) ** 2 + Dm * Dm))
    q0 += 4 * np.pi * T * Dm * Dm / (2 * np.pi * T * 2 * wn[-1])  # tail of the sum ~ 1/n^2
    assert abs(w[7] * got[7].imag / q0 - 1) < 1e-5


def _parts(w, T, g=0.0):
    s = rf.sigma_mattis_bardeen(w, T, Gamma=g)
    return jnp.stack([jnp.real(s), jnp.imag(s)])


def test_gradients_finite_at_branch_points_and_match_fd():
    D04 = float(rf.bcs_gap(0.4))
    pts = jnp.array(
        [
            [0.3, 0.2],  # generic
            [2.5, 0.3],  # generic, pair breaking
            [0.1, 1e-6],  # T -> 0
            [0.1, T_C * (1 - 1e-9)],  # T -> Tc from below
            [0.1, T_C],  # T = Tc
            [2 * D04, 0.4 * T_C],  # omega = 2 Delta
            [2 * D04 * (1 + 1e-9), 0.4 * T_C],  # omega -> 2 Delta from above
        ]
    )
    jac = np.asarray(jax.jit(jax.vmap(jax.jacfwd(lambda p: _parts(p[0], p[1]))))(pts))
    assert np.all(np.isfinite(jac))
    # central differences at the two generic points, in one call
    h = 1e-6
    base = np.repeat(np.asarray(pts[:2]), 4, axis=0)  # (8, 2): +/- h in omega, then in T
    step = np.tile(np.array([[h, 0], [-h, 0], [0, h], [0, -h]]), (2, 1))
    val = np.asarray(_parts(*(base + step).T)).T.reshape(2, 2, 2, 2)  # point, k, +/-, part
    fd = (val[:, :, 0] - val[:, :, 1]) / (2 * h)  # (point, k, part)
    np.testing.assert_allclose(jac[:2], np.swapaxes(fd, 1, 2), rtol=2e-5)


@pytest.mark.slow
def test_dynes_gradients():
    """d/dGamma finite at Gamma -> 0 and equal to finite differences at Gamma > 0."""
    pts = jnp.array([[0.3, 0.2, 0.05], [0.3, 0.2, 1e-12], [0.3, 0.2, 0.0]])
    jac = np.asarray(jax.jit(jax.vmap(jax.jacfwd(lambda p: _parts(p[0], p[1], p[2]))))(pts))
    assert np.all(np.isfinite(jac))
    h = 1e-6
    for k in range(3):
        e = np.zeros(3)
        e[k] = h
        p = np.asarray(pts[0])
        fd = (np.asarray(_parts(*(p + e))) - np.asarray(_parts(*(p - e)))) / (2 * h)
        np.testing.assert_allclose(jac[0, :, k], fd, rtol=2e-5)


@pytest.mark.parametrize(
    "kw, name, text",
    [
        (dict(omega=5e9, T=0.1), "omega", "Hz"),
        (dict(omega=0.1, T=4.2), "T", "kelvin"),
        (dict(omega=float("nan"), T=0.1), "omega", "finite"),
        (dict(omega=0.1, T=0.1, Gamma=-0.1), "Gamma", "Dynes"),
        (dict(omega=0.1, T=0.1, Tc=9.2), "Tc", "kelvin"),
    ],
)
def test_bad_input(kw, name, text):
    with pytest.raises(DomainError, match=f"'{name}'") as err:
        rf.sigma_mattis_bardeen(**kw)
    assert text in str(err.value)


def test_tolerance_sets_node_count():
    from dissipax.rf.complex_conductivity import node_count

    assert node_count(1e-6, 1e5) < node_count(1e-10, 1e5) < node_count(1e-14, 1e5)
    assert node_count(1e-10, 1e3) < node_count(1e-10, 1e9)
    # a coarse tolerance still meets itself
    s = complex(rf.sigma_mattis_bardeen(0.3, 0.5 * T_C, tol=1e-5))
    s1, s2 = ref.sigma_mattis_bardeen(0.3, 0.5 * T_C, float(rf.bcs_gap(0.5)))
    assert abs(s.real / s1 - 1) < 1e-5 and abs(s.imag / s2 - 1) < 1e-5
    assert math.isfinite(s.real)


# The two benchmark grids (benchmarks/bench_complex_conductivity.py), 8 x 8 here.
GRIDS = {
    "low T": (np.logspace(-4, -1, 8), np.linspace(0.03, 0.3, 8)),
    "through Tc and 2 Delta": (
        np.logspace(-3, np.log10(6.0), 8),
        np.linspace(0.05, 0.999, 8) * T_C,
    ),
}


@pytest.mark.parametrize("tol", [1e-6, 1e-8])
@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_node_counts_from_tol_meet_tol_on_grids(grid, tol):
    """The whole-call rules (node counts chosen from tol) meet tol at every grid point."""
    w, T = np.meshgrid(*GRIDS[grid], indexing="ij")
    got = np.asarray(rf.sigma_mattis_bardeen(w, T, tol=tol))
    D = {Ti: ref.bcs_gap(Ti / T_C) for Ti in np.unique(T)}
    want = np.array([ref.sigma_mattis_bardeen(wi, Ti, D[Ti]) for wi, Ti in zip(w.flat, T.flat)])
    assert np.max(np.abs(got.real.ravel() / want[:, 0] - 1)) < tol
    assert np.max(np.abs(got.imag.ravel() / want[:, 1] - 1)) < tol


def test_vmap_and_jit_agree_with_the_batched_call():
    """Per-instance rules (outer vmap, traced node counts) equal the whole-call rules to tol."""
    w = jnp.array([1e-3, 0.3, 2.5])
    T = jnp.array([0.05, 0.2, 0.4])
    batched = np.asarray(rf.sigma_mattis_bardeen(np.asarray(w), np.asarray(T), tol=1e-8))
    one = np.asarray(jax.jit(jax.vmap(lambda a, b: rf.sigma_mattis_bardeen(a, b, tol=1e-8)))(w, T))
    np.testing.assert_allclose(one.real, batched.real, rtol=2e-8)
    np.testing.assert_allclose(one.imag, batched.imag, rtol=2e-8)
    s1 = np.asarray(jax.vmap(rf.sigma1_mattis_bardeen)(w[:1], T[:1]))
    np.testing.assert_allclose(s1, rf.sigma1_mattis_bardeen(1e-3, 0.05), rtol=1e-13)


def test_worst_points_meet_tol_in_one_call():
    """tol=1e-8 at the hard points in one concrete call (the gap from the host interpolant):
    omega -> 2 Delta from both sides, omega > 2 Delta, omega/T tiny, T -> Tc, low T.

    (1 + 1e-6: at low T sigma1 grows from 0 like omega - 2 Delta, so a relative rounding
    eps of omega or Delta moves it by eps / 1e-6; 1e-7 leaves no margin to 1e-8.)"""
    w, t = [], []
    for tr in (0.03, 0.05, 0.2, 0.4, 0.7, 0.9, 0.99, 0.999):
        D = float(rf.bcs_gap(tr))
        for f in (1 - 1e-6, 1 + 1e-6, 1 - 1e-3, 1 + 1e-3, 0.9, 1.1, 2.0, 3.0):
            w.append(2 * D * f)
            t.append(tr)
        w += [1e-3, 1e-4]
        t += [tr, tr]
    w, t = np.array(w), np.array(t)
    got = np.asarray(rf.sigma_mattis_bardeen(w, t * T_C, tol=1e-8))
    D = np.asarray(rf.bcs_gap(t))
    want = np.array([ref.sigma_mattis_bardeen(a, b * T_C, d) for a, b, d in zip(w, t, D)])
    assert np.max(np.abs(got.real / want[:, 0] - 1)) < 1e-8
    assert np.max(np.abs(got.imag / want[:, 1] - 1)) < 1e-8


def test_grid_with_repeated_axes_equals_pointwise_gap():
    """A meshgrid call (T repeated along omega, the gap solved on the collapsed axis) equals
    the same points flattened and shuffled (every T its own entry)."""
    w, T = np.meshgrid(np.logspace(-3, 0.5, 7), np.linspace(0.05, 0.99, 5) * T_C, indexing="ij")
    grid = np.asarray(rf.sigma_mattis_bardeen(w, T, tol=1e-8))
    perm = np.random.default_rng(0).permutation(w.size)
    flat = np.asarray(rf.sigma_mattis_bardeen(w.ravel()[perm], T.ravel()[perm], tol=1e-8))
    np.testing.assert_allclose(flat, grid.ravel()[perm], rtol=1e-12)
    # T broadcast against a column of omega gives the same values as the full grid
    bc = np.asarray(rf.sigma_mattis_bardeen(w[:, :1], T[:1, :], tol=1e-8))
    np.testing.assert_allclose(bc, grid, rtol=1e-12)


def test_collapsed_meshgrid_keeps_shape_values_and_error_index():
    """A meshgrid is evaluated on its distinct values (``_collapse_grid``): the result keeps
    the full shape and values, and the input checks still report the caller's elements."""
    from dissipax.rf.complex_conductivity import _collapse_grid

    w, T = np.meshgrid(np.logspace(-3, 0.5, 6), np.linspace(0.05, 0.5, 4), indexing="ij")
    cw, cT = _collapse_grid(w, T, T_C, 0.0)
    assert cw.shape == (6, 1) and cT.shape == (1, 4)
    np.testing.assert_array_equal(np.broadcast_to(cw, w.shape), w)
    np.testing.assert_array_equal(np.broadcast_to(cT, T.shape), T)
    # a Tc of the full shape keeps the collapse (the broadcast shape is unchanged)
    assert _collapse_grid(w, T, np.full(w.shape, T_C), 0.0)[0].shape == (6, 1)
    # a constant omega and a T constant along axis 0 would collapse to (1, 1) and (1, 4),
    # which lose the first axis: both kept whole
    same = np.full(w.shape, 0.1)
    kept = _collapse_grid(same, T, T_C, 0.0)
    assert kept[0] is same and kept[1] is T
    # not a meshgrid, 1-D, or a non-NumPy input: unchanged
    noisy = T + np.random.default_rng(1).uniform(0, 1e-3, T.shape)
    assert _collapse_grid(w, noisy, T_C, 0.0)[1] is noisy
    assert _collapse_grid(w.ravel(), T.ravel(), T_C, 0.0)[0].shape == (24,)
    got = np.asarray(rf.sigma_mattis_bardeen(w, T, tol=1e-8))
    assert got.shape == w.shape
    flat = np.asarray(rf.sigma_mattis_bardeen(w.ravel(), T.ravel(), tol=1e-8))
    np.testing.assert_allclose(got, flat.reshape(w.shape), rtol=1e-12)
    # the checks run before the collapse: a bad element is named in the caller's array
    bad = T.copy()
    bad[:, 2] = 4.2
    with pytest.raises(DomainError, match="'T'") as err:
        rf.sigma_mattis_bardeen(w, bad)
    assert "at index (0, 2) (6 of 24 values)" in str(err.value), str(err.value)
    nan = w.copy()
    nan[3, 1] = np.nan
    with pytest.raises(DomainError, match="'omega'") as err:
        rf.sigma_mattis_bardeen(nan, T)
    assert "at index (3, 1) (1 of 24 values)" in str(err.value), str(err.value)


@pytest.mark.parametrize("grid", sorted(GRIDS))
def test_host_and_traced_rules_are_chosen_from_the_same_maps(grid):
    """The host maps (concrete calls: static node counts) and the traced maps (jit) of one
    set of points are the same floats: one formula, ``_map_extremes``, in NumPy and in jnp."""
    from dissipax.rf import complex_conductivity as cc
    from dissipax.rf import quadrature as q

    w, T = np.meshgrid(*GRIDS[grid], indexing="ij")
    T = np.where(np.arange(T.shape[1]) == 0, 0.0, T)  # T = 0 (clamped) and, at t -> 2, D = 0
    T[-1, -1] = 1.5 * T_C
    D = np.asarray(rf.bcs_gap(T / T_C))
    assert (D == 0).any()
    host = cc._call_maps(w, T, D, 1e-8)

    @jax.jit
    def traced(w, T, D):
        span, r2, rp, pair = cc._map_extremes(w, q.clamp_temperature(T), D, jnp)
        return span, cc._grading(r2, 1e-8, jnp), cc._grading(rp, 1e-8, jnp), pair

    span, phi2, phip, pair = (np.asarray(x) for x in traced(w, T, D))
    assert (float(span), float(phi2), float(phip), bool(pair)) == (
        host["span"],
        host["phi2"],
        host["phip"],
        host["pair"],
    )
    assert host["pair"] == (grid != "low T")
    # no superconducting point: the widest rule parameters of a normal-metal call
    none = cc._call_maps(w, T, np.zeros_like(D), 1e-8)
    assert none["span"] == 1.0 and not none["pair"]
    assert none["phi2"] == none["phip"] == float(cc._grading(np.inf, 1e-8, np))
