"""Scaling collapse, breakdown and gradients on synthetic SIT tables with known truth.

One small table shape (13 fields x 24 temperatures) is used by every single-fit test, so
the collapse compiles once and the 100-draw pull study of the default run reuses it (the
batched versions are slow: they compile a vmapped executable).  References are the
generating parameters of :class:`dissipax.saturation.SITSample` (independent of the fit)
and central finite differences for the gradients.
"""

import jax
import numpy as np
import pytest

import dissipax.saturation as sat
from dissipax._checks import DomainError
from dissipax.fit import Status
from dissipax.saturation import scaling as S

FIELDS = np.linspace(250.0, 550.0, 13)  # 25 Oe steps, 400 Oe (= H_c) on the grid
N_T = 24
T_GRID = np.geomspace(0.03, 1.0, N_T)
TRUTH = sat.SITSample()  # H_c = 400 Oe, z_nu = 1.3, R_c = h/4e^2, T_sat = 0.1 K
T_MIN = 0.1  # scaling regime (the table saturates below T_sat = 0.1 K)


def table(seed=0, noise=0.01, sample=TRUTH, **kw):
    return sat.generate_sit(sample, fields=FIELDS, n_T=N_T, noise=noise, seed=seed, **kw)


@pytest.fixture(scope="module")
def sweep():
    return table()


@pytest.fixture(scope="module")
def collapse(sweep):
    return sat.scaling_collapse(sweep, T_min=T_MIN)


def test_recovers_critical_point(collapse):
    p, e = collapse.params, collapse.stderr
    assert collapse.success, collapse.message
    # targets of the issue: H_c to < 1 %, z_nu within its stderr (3 sigma for one draw)
    assert abs(p["H_c"] - TRUTH.H_c) / TRUTH.H_c < 0.01
    assert abs(p["H_c"] - TRUTH.H_c) < 3 * e["H_c"]
    assert abs(p["z_nu"] - TRUTH.z_nu) < 3 * e["z_nu"]
    assert abs(p["R_c"] - TRUTH.R_c) < 3 * e["R_c"]
    # the data collapse within their errors (redchi of 300 dof: 1 +/- 0.08)
    assert abs(collapse.redchi - 1.0) < 4 * np.sqrt(2.0 / (collapse.ndata - collapse.nvary))
    assert set(collapse.params) == {"H_c", "z_nu", "R_c"}
    assert "H_c" in collapse.report()


def test_master_curve_matches_truth(collapse):
    # the fitted branches against the generating master curve, inside the fitted range:
    # ln F is known to the noise level (1 %) averaged over the points, so 0.02 is generous
    for side in (1.0, -1.0):
        u = side * np.linspace(0.0, 0.95, 20) * collapse.x_max[0 if side > 0 else 1]
        # scaling variable of the fit is |H-H_c| T^(-1/z_nu) in Oe K^(-1/z_nu); the truth's
        # is that divided by H_0
        truth = TRUTH.log_master(np.abs(u) / TRUTH.H_0, side)
        assert np.max(np.abs(collapse.log_master(u) - truth)) < 0.02


def test_invariant_to_field_order_and_units(sweep, collapse):
    rng = np.random.default_rng(1)
    perm = rng.permutation(sweep.n_points)
    shuffled = sat.scaling_collapse(
        sweep.H[perm], sweep.T[perm], sweep.R[perm], sigma=sweep.sigma[perm], T_min=T_MIN
    )
    for k in ("H_c", "z_nu", "R_c"):
        assert shuffled.params[k] == pytest.approx(collapse.params[k], rel=1e-7)
    # the same table with fields in tesla (1 T = 1e4 Oe)
    tesla = sat.scaling_collapse(sweep.H * 1e-4, sweep.T, sweep.R, sigma=sweep.sigma, T_min=T_MIN)
    assert tesla.params["H_c"] == pytest.approx(collapse.params["H_c"] * 1e-4, rel=1e-7)
    assert tesla.stderr["H_c"] == pytest.approx(collapse.stderr["H_c"] * 1e-4, rel=1e-4)
    for k in ("z_nu", "R_c"):
        assert tesla.params[k] == pytest.approx(collapse.params[k], rel=1e-7)
        assert tesla.stderr[k] == pytest.approx(collapse.stderr[k], rel=1e-4)


def test_objective_gradient_finite_and_matches_differences(sweep):
    sel = sweep.select(T_min=T_MIN)
    args = (sel.H, sel.T, sel.R, sel.sigma)

    @jax.jit
    def f(hc, zn):
        return S.collapse_objective({"H_c": hc, "z_nu": zn}, *args)

    p = (403.0, 1.25)
    g = jax.jit(jax.grad(f, argnums=(0, 1)))(*p)
    assert all(np.isfinite(float(v)) for v in g)
    for i, h in enumerate((1e-3, 1e-6)):
        up = list(p)
        dn = list(p)
        up[i] += h
        dn[i] -= h
        fd = (float(f(*up)) - float(f(*dn))) / (2 * h)
        assert float(g[i]) == pytest.approx(fd, rel=1e-4)


def _design_np(data, hc, zn, n):
    """The design matrix at (H_c, zν), NumPy (for the finite-difference references below)."""
    x, side = S._scaling(data["H"], data["T"], hc, zn, np)
    return S._design(x, side, *S._xmax(data["ext"], hc, zn, np), n, np)


def _projection_np(data, hc, zn, n, y, w, ridge):
    """A c with c the weighted least-squares coefficients, the ridge held fixed (NumPy)."""
    A = _design_np(data, hc, zn, n)
    Aw = A * w[:, None]
    return A @ np.linalg.solve(A.T @ Aw + ridge * np.eye(A.shape[1]), Aw.T @ y)


# central-difference steps: H_c [Oe], z_nu, and the steps along the y and w directions
# (where the differences have converged, before the rounding of the solve takes over)
FD_STEPS = (3e-3, 3e-5, 1e-3, 3e-4)


def test_full_covariance_matches_finite_differences(sweep):
    # the post-fit covariance (closed-form derivative of the design) against the
    # Gauss-Newton covariance of the full residual sqrt(w) (A(H_c, z_nu) c - ln R) in all
    # 15 parameters, its (H_c, z_nu) columns by central differences of A(H_c, z_nu) c
    n = S.N_INTERVALS
    data = S._data(sweep.H, sweep.T, sweep.R, sweep.sigma, sweep.T >= T_MIN)
    sw = np.sqrt(data["w"])
    for hc, zn in ((403.0, 1.25), (398.0, 1.4)):
        cov, chi2, c, xp, xm = S._full_covariance(data, hc, zn, n)
        hH, hz = FD_STEPS[:2]
        cols = [
            (_design_np(data, hc + hH, zn, n) - _design_np(data, hc - hH, zn, n)) @ c / (2 * hH),
            (_design_np(data, hc, zn + hz, n) - _design_np(data, hc, zn - hz, n)) @ c / (2 * hz),
        ]
        A = _design_np(data, hc, zn, n)
        J = sw[:, None] * np.column_stack(cols + [A])
        JTJ = J.T @ J
        ref = np.linalg.inv(JTJ + S.RIDGE * np.trace(JTJ) / len(JTJ) * np.eye(len(JTJ)))
        scale = np.sqrt(np.outer(np.diag(ref), np.diag(ref)))
        # central differences are good to ~1e-9 here; the covariance agrees to 1e-7
        assert np.max(np.abs(cov - ref) / scale) < 1e-6
        r = sw * (A @ c - data["y"])
        assert chi2 == pytest.approx(float(r @ r), rel=1e-12)


def test_projection_jvp_matches_finite_differences(sweep):
    # the custom JVP of the projection (one Cholesky factor, normal equations) against
    # central differences of the NumPy projection, along H_c, z_nu, the data y and the
    # weights w separately (reverse mode in (H_c, z_nu): the finite-difference test above)
    n = S.N_INTERVALS
    data = S._data(sweep.H, sweep.T, sweep.R, sweep.sigma, sweep.T >= T_MIN)
    y, w = data["y"], data["w"]
    rng = np.random.default_rng(0)
    dy, dw = rng.normal(size=y.shape), rng.uniform(size=w.shape) * w
    zero = np.zeros_like(y)
    directions = (  # one tangent per argument, stacked for one vmap
        np.array([1.0, 0.0, 0.0, 0.0]),
        np.array([0.0, 1.0, 0.0, 0.0]),
        np.stack([zero, zero, dy, zero]),
        np.stack([zero, zero, zero, dw]),
    )
    H, T, ext = data["H"], data["T"], data["ext"]
    hc, zn = 403.0, 1.25

    @jax.jit
    def tangents(*directions):
        def pred(hc, zn, y, w):
            x, side = S._scaling(H, T, hc, zn)
            return S._project(S._design(x, side, *S._xmax(ext, hc, zn), n), y, w)

        return jax.vmap(lambda *d: jax.jvp(pred, (hc, zn, y, w), d)[1])(*directions)

    t = np.asarray(tangents(*directions))

    # the JVP holds the conditioning ridge constant (module notes): so do the differences
    A0 = _design_np(data, hc, zn, n)
    ridge = S.RIDGE * np.trace(A0.T @ (A0 * w[:, None])) / A0.shape[1]

    def central(step, at):
        up, dn = at(step), at(-step)
        return (_projection_np(data, *up, ridge) - _projection_np(data, *dn, ridge)) / (2 * step)

    hH, hz, hy, hw = FD_STEPS
    fd = [
        central(hH, lambda h: (hc + h, zn, n, y, w)),
        central(hz, lambda h: (hc, zn + h, n, y, w)),
        central(hy, lambda h: (hc, zn, n, y + h * dy, w)),
        central(hw, lambda h: (hc, zn, n, y, w + h * dw)),
    ]
    for a, b in zip(t, fd):
        # the differences are good to 1e-10..4e-7 here (truncation vs rounding of the
        # solve); a wrong or missing term of the JVP is O(1)
        assert np.max(np.abs(a - b)) <= 1e-6 * np.max(np.abs(b))


def test_pulls_calibrated_over_100_draws_one_by_one(collapse):
    # the calibration, in the default suite: 100 noise draws, each the full
    # scaling_collapse (crossing start, fit, full covariance) reusing the one compiled fit of
    # this table shape; pulls of z_nu and H_c must be N(0, 1): mean within 3/sqrt(100),
    # standard deviation within its 3-sigma band 1 +/- 3/sqrt(200)
    n = 100
    pulls = {"z_nu": [], "H_c": []}
    for s in range(1, n + 1):
        c = sat.scaling_collapse(table(seed=s), T_min=T_MIN)
        assert c.success, (s, c.message)
        for k in pulls:
            pulls[k].append((c.params[k] - getattr(TRUTH, k)) / c.stderr[k])
    for k, v in pulls.items():
        v = np.asarray(v)
        assert abs(v.mean()) < 3 / np.sqrt(n), (k, v.mean())
        assert 1 - 3 / np.sqrt(2 * n) < v.std(ddof=1) < 1 + 3 / np.sqrt(2 * n), (k, v.std())


def test_minimum_on_a_measured_field_is_a_converged_corner():
    # noise draw 57 has its chi2 minimum exactly on the measured field 400 Oe, a kink of the
    # objective (its points change branch): the engine finds no stationary point there, and
    # scaling_collapse recognises the corner.  Independent check: the chi2 profile (minimised
    # over a z_nu grid, by collapse_objective) is higher on both sides of 400 Oe
    sw = table(seed=57)
    c = sat.scaling_collapse(sw, T_min=T_MIN)
    assert c.fit.status == Status.STALLED and c.success and "corner" in c.message
    assert c.params["H_c"] == pytest.approx(400.0, abs=1e-6 * (FIELDS[-1] - FIELDS[0]))
    sel = sw.select(T_min=T_MIN)
    args = (sel.H, sel.T, sel.R, sel.sigma)
    chi2 = jax.jit(jax.vmap(lambda h, z: S.collapse_objective({"H_c": h, "z_nu": z}, *args)))
    z = c.params["z_nu"] + c.stderr["z_nu"] * np.linspace(-1.0, 1.0, 41)
    for dh in (-0.1, -0.01, 0.01, 0.1):
        profile = np.min(np.asarray(chi2(np.full_like(z, c.params["H_c"] + dh), z)))
        assert profile > c.chi2


@pytest.mark.slow
def test_pulls_calibrated_over_100_draws_batched(collapse):
    # the same 100 noise draws in one batched engine call (collapse_batch: its own compiled,
    # vmapped executable, about 7 s of CPU to compile on 2 cores, hence slow); pulls of z_nu and H_c
    # must be N(0, 1): mean within 3/sqrt(100), standard deviation within its 3-sigma band
    n = 100
    sel = [table(seed=s).select(T_min=T_MIN) for s in range(1, n + 1)]
    ref = sel[0]
    logR = np.stack([np.log(s.R) for s in sel])
    fits = S.collapse_batch(
        ref.H,
        ref.T,
        logR,
        ref.sigma / ref.R,
        H_c=collapse.params["H_c"],
        z_nu=collapse.params["z_nu"],
        bounds=(FIELDS[0], FIELDS[-1]),
    )
    assert fits["success"].all()
    for k in ("z_nu", "H_c"):
        pull = (fits[k] - getattr(TRUTH, k)) / fits[f"stderr_{k}"]
        assert abs(pull.mean()) < 3 / np.sqrt(n), (k, pull.mean())
        assert 1 - 3 / np.sqrt(2 * n) < pull.std(ddof=1) < 1 + 3 / np.sqrt(2 * n), (k, pull.std())
    assert np.all(np.abs(fits["H_c"] - TRUTH.H_c) / TRUTH.H_c < 0.01)


def test_breakdown_finds_saturation_onset(sweep):
    b = sat.scaling_breakdown(sweep)
    step = T_GRID[1] / T_GRID[0]
    # onset within one temperature step of the true T_sat, failure just below it
    assert abs(np.log(b.T_onset / TRUTH.T_sat)) <= np.log(step) * (1 + 1e-9), b.message
    assert b.T_first_fail < TRUTH.T_sat
    assert b.ok[b.T_lo >= b.T_onset].all() and not b.ok[b.T_lo <= b.T_first_fail].any()
    # the quality grows steeply below the onset, and the reference collapse is good
    assert b.redchi[0] > 5 * b.threshold[0]
    ref = b.reference
    assert ref.success and abs(ref.params["z_nu"] - TRUTH.z_nu) < 3 * ref.stderr["z_nu"]
    cold = b.T_dev < TRUTH.T_sat / step
    assert np.all(b.deviation[cold] > 3.0) and np.median(b.deviation[b.T_dev > 0.2]) < 1.5


def test_no_onset_without_saturation():
    sw = table(sample=sat.SITSample(T_sat=0.0))
    b = sat.scaling_breakdown(sw)
    assert np.isnan(b.T_first_fail) and b.T_onset == pytest.approx(b.T_lo[0])
    assert b.ok.all()


@pytest.mark.slow
def test_bootstrap_matches_stderr(sweep):
    c = sat.scaling_collapse(sweep, T_min=T_MIN, bootstrap=100, seed=3)
    assert len(c.bootstrap["z_nu"]) >= 95
    for k in ("H_c", "z_nu", "R_c"):
        sd = np.std(c.bootstrap[k], ddof=1)
        # sd of an sd from 100 draws: 7 %; allow 3 of them
        assert sd == pytest.approx(c.stderr[k], rel=0.25), k


def test_link_to_eqs_1_2_on_the_rectangular_table(sweep, collapse):
    # per-field fits of Eq. (2) below H_c and Eq. (1) above (ragged-form call sites; this
    # table is rectangular, so the call works before the ragged pipeline lands)
    link = sat.link_saturation(sweep, collapse, collapse.T_range[0])
    assert set(link.law) == {"superconductor", "insulator"}
    ok = link.success & np.isfinite(link.ratio)
    assert ok.mean() >= 0.6
    # independent reference: the table is flat below T_sat at the truth's R(T_sat, H).
    # Eqs. (1)-(2) cross over softly where the table freezes sharply, so the fitted plateaus
    # carry a model bias of a few % (2-3 % here, noise 1 %/sqrt(24 points)): 5 % bound
    frozen = TRUTH.resistance(TRUTH.T_sat, link.H)
    good = link.success
    assert np.median(np.abs(np.log(link.plateau[good] / frozen[good]))) < 0.05
    # and the collapse frozen at the onset predicts the plateaus
    assert np.median(np.abs(np.log(link.ratio[ok]))) < 0.05


def test_bad_input_messages(sweep):
    sel = sweep.select(T_min=T_MIN)
    below = sel.H < 390
    with pytest.raises(DomainError, match="bracket"):
        sat.scaling_collapse(sel.H[below], sel.T[below], sel.R[below])
    one_T = sel.T == sel.T[0]
    with pytest.raises(DomainError, match="at least 2 temperatures"):
        sat.scaling_collapse(sel.H[one_T], sel.T[one_T], sel.R[one_T])
    R = sel.R.copy()
    R[5] = -R[5]
    with pytest.raises(DomainError, match="lock-in phase"):
        sat.scaling_collapse(sel.H, sel.T, R)
    with pytest.raises(DomainError, match="n_intervals"):
        sat.scaling_collapse(sel, n_intervals=0)
    with pytest.raises(DomainError, match="not inside the field range"):
        sat.scaling_collapse(sel, H_c=600.0)


@pytest.mark.slow
def test_pulls_calibrated_full_table_200_draws():
    # the table size (30 fields x 60 temperatures), 200 noise draws
    n = 200
    draws = [sat.generate_sit(seed=s).select(T_min=T_MIN) for s in range(n)]
    ref = draws[0]
    c = sat.scaling_collapse(ref)
    fits = S.collapse_batch(
        ref.H,
        ref.T,
        np.stack([np.log(d.R) for d in draws]),
        ref.sigma / ref.R,
        H_c=c.params["H_c"],
        z_nu=c.params["z_nu"],
        bounds=(ref.H.min(), ref.H.max()),
    )
    assert fits["success"].all()
    for k in ("z_nu", "H_c", "R_c"):
        pull = (fits[k] - getattr(TRUTH, k)) / fits[f"stderr_{k}"]
        assert abs(pull.mean()) < 3 / np.sqrt(n), (k, pull.mean())
        assert 1 - 3 / np.sqrt(2 * n) < pull.std(ddof=1) < 1 + 3 / np.sqrt(2 * n), (k, pull.std())


@pytest.mark.slow
def test_breakdown_on_ragged_table():
    sw = sat.generate_sit(ragged=True, seed=8)
    b = sat.scaling_breakdown(sw)
    # ragged tables: candidates are quantiles of the measured temperatures, refined to
    # finer quantiles between the last accepted and the first rejected one
    assert b.T_first_fail < TRUTH.T_sat < b.T_onset * 1.15, b.message
    assert abs(b.reference.params["H_c"] - TRUTH.H_c) / TRUTH.H_c < 0.01
