r"""Finite-temperature scaling collapse at a field-tuned SIT: fit H_c, zν and R_c.

Scaling form (Fisher, PRL 65, 923 (1990); Shahar et al., Science 274, 589 (1996)):

.. math::

    R(T, H) = R_c\,F_\pm(x), \qquad x = |H - H_c|\,T^{-1/z\nu},

with one master curve per side (+: insulating, H > H_c; −: superconducting) and
F_±(0) = 1, i.e. a temperature-independent crossing at (H_c, R_c).

Master-curve representation, and why
------------------------------------
Each branch is a cubic B-spline in the *normalised* scaling variable
:math:`t = x / x_\max^\pm`, with :math:`x_\max^\pm = |H_\mathrm{ext}^\pm - H_c|\,
T_\min^{-1/z\nu}` (the extreme selected field on that side and the lowest selected
temperature: the largest x of a table measured at every field down to T_min, an upper bound
of x otherwise), on ``n_intervals`` uniform intervals of [0, 1]:
:math:`\ln F_\pm(t) = \sum_j c^\pm_j\,[B_j(t) - B_j(0)]` (so F(0) = 1 exactly), and
:math:`\ln R = \ln R_c + \ln F_\pm`.

* A spline, not a Gaussian process (Harada, PRE 84, 056704 (2011)): for the tables this
  is made for (30 fields × 60 temperatures, 1800 points) a GP costs an 1800² Cholesky per
  objective evaluation; the spline's design matrix is 1800 × 13, and for fixed (H_c, zν)
  the spline coefficients and ln R_c enter *linearly*, so they are eliminated by a weighted
  linear solve (variable projection, Golub & Pereyra, SIAM J. Numer. Anal. 10, 413 (1973)).
  The nonlinear fit then has two parameters and is both fast and robust; the collapse
  objective is χ² of the data about the best master curve, as in Bhattacharjee & Seno's
  measure (J. Phys. A 34, 6375 (2001)) but weighted by the data's errors, so redchi ≈ 1
  means "collapses within the noise".
* Normalising by x_max makes the fit invariant to the units of H and T (Oe vs T, K vs mK:
  x scales by a constant that t absorbs) and to the order of the points; the knots follow
  the data as (H_c, zν) move, so every basis function always sees data.
* Cubic splines are C², and x_max is smooth in (H_c, zν), so the objective is
  differentiable (a kink only where H_c crosses a measured field, whose points change
  branch); gradients are finite.  A minimum *on* such a corner (it happens: 1 of 100 noise
  draws of the test table) has no vanishing gradient, so the engine's stationarity test
  reports a stall; the collapse then checks that χ² rises on both sides across and along
  the field and reports the fit converged, saying so in its message.
* The projection :math:`A c` with :math:`c = (AᵀWA)^{-1}AᵀW\ln R` is differentiated by a
  custom JVP (the normal equations, differentiated, reuse the one Cholesky factor), so the
  compiled fit never differentiates a factorisation: one executable per table shape,
  shared by every selection of the table (the selection is the fit's ``mask``, and zero
  weights in the projection).
* The fit is on ln R with :math:`\sigma_{\ln R} = \sigma_R/R` (R spans decades).

Uncertainties
-------------
The nonlinear fit is :func:`dissipax.fit.least_squares` on the projected residual.  The
reported covariance of (H_c, zν, R_c) is the Gauss–Newton covariance of the *full* problem
(all spline coefficients free, at the optimum), so it includes the freedom of the master
curve; it is scaled by redchi only when the table has no errors.  It is computed in NumPy
after the fit, with the derivative of the design matrix in closed form (the B-spline
derivative and the chain rule through t = x/x_max±; the tests check it against autodiff),
so it compiles nothing.
``bootstrap=n`` adds a parametric bootstrap (n noise redraws around the fitted surface,
refitted in one batched call).  The pulls of zν over ≥ 100 noise draws are calibrated in
``tests/saturation/test_sit_scaling.py``.

Where scaling fails
-------------------
:func:`scaling_breakdown` refits on ``T ≥ T_lo`` for a ladder of lowest temperatures
(all fits share one compiled executable: the window is the fit's mask) and returns the
collapse quality against T_lo and the temperature below which the data leave the scaling
form — the onset of saturation of the "avoided" transition (Zhang, Palevski & Kapitulnik
2022).  :func:`link_saturation` compares it with the plateaus ρ_QF, 1/σ_QF of per-field
fits of Eqs. (1)–(2).
"""

from __future__ import annotations

import dataclasses
import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.linalg import cho_factor, cho_solve

from .._checks import DomainError, check
from ..fit import FitResult, Parameter, Status, least_squares
from .crossing import Crossing, crossing_point
from .sweeps import SITSweep, as_sweep

#: default number of spline intervals per side
N_INTERVALS = 4
#: relative ridge on the linear solve (conditioning only: 1e-10 of the mean diagonal)
RIDGE = 1e-10
#: fields used on each side of H_c for the slope of ln R(H) in the zν start
N_SLOPE = 3
PARAM_NAMES = ("H_c", "z_nu", "R_c")
#: H_c within this fraction of the field span of a measured field sits "on" it (kink test)
ON_FIELD = 1e-6
#: probe steps of the kink test, in standard errors of H_c and zν
KINK_PROBE = 1e-2


# --- the master curve ---------------------------------------------------------------------
# The design functions take the array namespace ``xnp`` (``jnp`` inside the fit, ``np`` for
# the post-fit covariance and the result's methods): one implementation for both, and no
# compilation outside the fit itself.
def _knot_offsets(t, n, xnp):
    """Return n·t − j + 1 for j = 0 … n + 2 (the offsets j − 1 are a NumPy constant)."""
    return xnp.asarray(t)[..., None] * n - (np.arange(n + 3) - 1.0)


def _cardinal(s, xnp):
    """Cardinal cubic B-spline b(s) (de Boor, Ch. IX), support |s| < 2."""
    a = xnp.abs(s)
    inner = 2.0 / 3.0 - a**2 + 0.5 * a**3
    outer = (2.0 - xnp.minimum(a, 2.0)) ** 3 / 6.0
    return xnp.where(a < 1.0, inner, outer)


def bspline_basis(t, n_intervals: int):
    r"""Uniform cubic B-splines on [0, 1] with ``n_intervals`` intervals, at points ``t``.

    :math:`B_j(t) = b(n t - j + 1)`, j = 0 … n + 2, with the cardinal cubic B-spline
    :math:`b(s) = 2/3 - s^2 + |s|^3/2` for |s| < 1, :math:`(2 - |s|)^3/6` for 1 ≤ |s| < 2,
    0 beyond (de Boor, *A Practical Guide to Splines*, Ch. IX); they sum to 1 on [0, 1].

    Parameters
    ----------
    t
        Points, shape ``(N,)`` (any real; zero beyond the support).
    n_intervals
        Number of intervals (static).

    Returns
    -------
    Array
        Shape ``(N, n_intervals + 3)``.

    Valid for
        any real t; C² in t (finite gradients everywhere, also at the knots).
    """
    return _cardinal(_knot_offsets(t, n_intervals, jnp), jnp)


def _bspline_basis_dt(t, n):
    """dB_j/dt of :func:`bspline_basis` (NumPy): n·b'(n t − j + 1), b' = d b/ds."""
    s = _knot_offsets(t, n, np)
    a = np.abs(s)
    inner = -2.0 * a + 1.5 * a**2
    outer = -0.5 * (2.0 - np.minimum(a, 2.0)) ** 2
    return n * np.sign(s) * np.where(a < 1.0, inner, outer)


def _branch_basis(t, n, xnp=jnp):
    """Basis of splines vanishing at t = 0: B_j(t) − B_j(0), j = 1 … n + 2 (B_0 dropped)."""
    B = _cardinal(_knot_offsets(t, n, xnp), xnp)
    return (B - _cardinal(_knot_offsets(0.0, n, np), np))[..., 1:]  # B(0): a NumPy constant


def _scaling(H, T, H_c, z_nu, xnp=jnp):
    """(x, side): x = |H − H_c| T^{−1/zν}, side = H > H_c."""
    u = H - H_c
    return xnp.abs(u) * T ** (-1.0 / z_nu), u > 0


def _xmax(ext, H_c, z_nu, xnp=jnp):
    """x_max± = |H_ext± − H_c|·T_min^{−1/zν} from ``ext = [H_max, H_min, T_min]`` (selection)."""
    scale = ext[..., 2] ** (-1.0 / z_nu)
    xp, xm = (ext[..., 0] - H_c) * scale, (H_c - ext[..., 1]) * scale
    return xnp.where(xp > 0, xp, 1.0), xnp.where(xm > 0, xm, 1.0)


def _design(x, side, xmax_p, xmax_m, n, xnp=jnp):
    """Columns [1, branch(+) basis, branch(−) basis]: shape (N, 1 + 2(n + 2))."""
    t = x / xnp.where(side, xmax_p, xmax_m)
    B = _branch_basis(t, n, xnp)
    s = side[:, None]
    cols = [xnp.ones_like(x)[:, None], xnp.where(s, B, 0.0), xnp.where(s, 0.0, B)]
    return xnp.concatenate(cols, axis=1)


def _normal_matrix(A, Aw, xnp):
    """AᵀWA plus the conditioning ridge (RIDGE of the mean diagonal)."""
    M = A.T @ Aw
    return M + RIDGE * xnp.trace(M) / M.shape[0] * xnp.eye(M.shape[0])


@jax.custom_jvp
def _project(A, y, w):
    r"""Best weighted fit of ``y`` in the columns of ``A``: :math:`A c`, :math:`c = M^{-1}AᵀWy`.

    :math:`M = AᵀWA + λ I` by Cholesky; the derivative (custom JVP) is the exact one of the
    normal equations with the same factor, :math:`M\,dc = dAᵀW r + Aᵀ dW r + AᵀW dy −
    AᵀW dA\,c` with :math:`r = y − A c` (λ held constant), :math:`d(Ac) = dA\,c + A\,dc`:
    the engine differentiates the projected residual without differentiating a factorisation.
    """
    Aw = A * w[:, None]
    cf = cho_factor(_normal_matrix(A, Aw, jnp))
    return A @ cho_solve(cf, Aw.T @ y)


def _is_zero(t):
    return isinstance(t, jax.custom_derivatives.SymbolicZero)


def _project_jvp(primals, tangents):
    A, y, w = primals
    dA, dy, dw = tangents
    Aw = A * w[:, None]
    cf = cho_factor(_normal_matrix(A, Aw, jnp))
    c = cho_solve(cf, Aw.T @ y)
    p = A @ c
    r = y - p
    rhs = jnp.zeros_like(c)
    dp = jnp.zeros_like(p)
    if not _is_zero(dA):
        dAc = dA @ c
        rhs = rhs + dA.T @ (w * r) - Aw.T @ dAc
        dp = dp + dAc
    if not _is_zero(dy):
        rhs = rhs + Aw.T @ dy
    if not _is_zero(dw):
        rhs = rhs + A.T @ (dw * r)
    return p, dp + A @ cho_solve(cf, rhs)


_project.defjvp(_project_jvp, symbolic_zeros=True)


@functools.cache
def _projected_model(n: int):
    """Return the variable-projection model for the fit engine (one function object per n)."""

    def model(x_data, H_c, z_nu):
        x, side = _scaling(x_data["H"], x_data["T"], H_c, z_nu)
        xp, xm = _xmax(x_data["ext"], H_c, z_nu)
        return _project(_design(x, side, xp, xm, n), x_data["y"], x_data["w"])

    return model


def _surface_np(data, H_c, z_nu, n):
    """NumPy: design matrix, coefficients and scaling variables of the best collapse."""
    H, T, y, w = data["H"], data["T"], data["y"], data["w"]
    x, side = _scaling(H, T, H_c, z_nu, np)
    xp, xm = _xmax(data["ext"], H_c, z_nu, np)
    A = _design(x, side, xp, xm, n, np)
    Aw = A * w[:, None]
    c = np.linalg.solve(_normal_matrix(A, Aw, np), Aw.T @ y)
    return A, c, x, side, xp, xm


def _full_covariance(data, H_c, z_nu, n):
    r"""Gauss–Newton covariance of the *full* problem (H_c, zν, ln R_c, spline coefficients).

    NumPy, at the optimum of the projected fit: the Jacobian of the weighted residual
    :math:`\sqrt{w}(A(H_c, zν)\,c - \ln R)` in all 2 + n_linear parameters, with the
    derivative of the design at fixed c in closed form (:func:`_bspline_basis_dt` and the
    chain rule through t = x/x_max±; checked against autodiff in the tests).

    Returns
    -------
    tuple
        ``(cov, chi2, c, x_max⁺, x_max⁻)``.
    """
    H, T, y, w, ext = data["H"], data["T"], data["y"], data["w"], data["ext"]
    A, c, x, side, xp, xm = _surface_np(data, H_c, z_nu, n)
    # derivatives of x = |H - H_c| T^(-1/zν) and of x_max± (constant where guarded to 1)
    g = T ** (-1.0 / z_nu)
    dx = np.stack([-np.sign(H - H_c) * g, x * np.log(T) / z_nu**2])
    gmin = ext[2] ** (-1.0 / z_nu)
    lt = np.log(ext[2]) / z_nu**2
    raw_p, raw_m = (ext[0] - H_c) * gmin, (H_c - ext[1]) * gmin
    dxp = np.where(raw_p > 0, np.array([-gmin, raw_p * lt]), 0.0)
    dxm = np.where(raw_m > 0, np.array([gmin, raw_m * lt]), 0.0)
    xmax = np.where(side, xp, xm)
    t = x / xmax
    dxmax = np.where(side, dxp[:, None], dxm[:, None])
    dt = (dx - t * dxmax) / xmax  # (2, N)
    k = n + 2
    dB = _bspline_basis_dt(t, n)[:, 1:]
    dF = np.where(side, dB @ c[1 : 1 + k], dB @ c[1 + k :])
    sw = np.sqrt(w)
    J = sw[:, None] * np.concatenate([(dF * dt).T, A], axis=1)
    r = sw * (A @ c - y)
    JTJ = J.T @ J
    cov = np.linalg.inv(JTJ + RIDGE * np.trace(JTJ) / JTJ.shape[0] * np.eye(JTJ.shape[0]))
    return cov, float(r @ r), c, float(xp), float(xm)


def collapse_objective(params, H, T, R, sigma=None, *, n_intervals: int = N_INTERVALS):
    r"""χ² of ln R about the best master curve for given ``{"H_c", "z_nu"}`` (module notes).

    A pure JAX function of the parameters (jit/grad/vmap): the collapse measure that
    :func:`scaling_collapse` minimises, for users who want its landscape or gradients.

    Parameters
    ----------
    params
        ``{"H_c": [Oe], "z_nu": ...}`` (scalars or JAX values).
    H, T, R, sigma
        Field [Oe], T [K] (> 0), R [Ω/□] (> 0) and optional 1-σ error, 1-D of one length.
    n_intervals
        Spline intervals per side.

    Returns
    -------
    Array
        Scalar χ² = Σ ((ln R − ln R_model)/σ_ln R)².

    Valid for
        H_c strictly inside the field range (both sides populated), zν > 0; finite
        gradients wherever no data point sits exactly at H_c.
    """
    data = _data(np.asarray(H, float), np.asarray(T, float), np.asarray(R, float), sigma, None)
    pred = _projected_model(n_intervals)(data, params["H_c"], params["z_nu"])
    return jnp.sum(data["w"] * (pred - data["y"]) ** 2)


def _sigma_log(R, sigma):
    """σ of ln R: σ_R/R, or 1 (equal relative weights) without errors."""
    return np.ones_like(R) if sigma is None else np.asarray(sigma, float) / R


def _data(H, T, R, sigma, include):
    """Build the model's ``x``: H, T, ln R, weights (0 outside ``include``), extremes (NumPy)."""
    y = np.log(R)
    inc = np.ones_like(y, bool) if include is None else include
    w = np.where(inc, 1.0 / _sigma_log(R, sigma) ** 2, 0.0)
    ext = np.array([H[inc].max(), H[inc].min(), T[inc].min()])
    return {"H": H, "T": T, "y": y, "w": w, "ext": ext}


# --- starting values ----------------------------------------------------------------------
def _z_nu_start(sw: SITSweep, H_c0: float) -> float:
    """zν from the temperature dependence of the slope ∂ln R/∂H at H_c (∝ T^{−1/zν})."""
    try:
        iso = sw.isotherms()
    except Exception:  # noqa: BLE001 - a start only: fall back to 1
        return 1.0
    lT, ls = [], []
    for t, h, r in zip(iso.T, iso.H, iso.R):
        below, above = h[h < H_c0], h[h > H_c0]
        if len(below) == 0 or len(above) == 0:
            continue
        sel = (h >= np.sort(below)[-min(N_SLOPE, len(below))]) & (
            h <= np.sort(above)[min(N_SLOPE, len(above)) - 1]
        )
        if sel.sum() < 2:
            continue
        slope = np.polyfit(h[sel], np.log(r[sel]), 1)[0]
        if slope > 0:
            lT.append(np.log(t))
            ls.append(np.log(slope))
    if len(lT) < 2 or np.ptp(lT) == 0:
        return 1.0
    m = np.polyfit(lT, ls, 1)[0]
    return float(np.clip(-1.0 / m, 0.2, 10.0)) if m < 0 else 1.0


# --- the result ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class CollapseResult:
    """Outcome of :func:`scaling_collapse` (fields in the units of H, T in K, R in Ω/□).

    Attributes
    ----------
    params, stderr
        ``H_c``, ``z_nu``, ``R_c`` and their standard errors (full-problem Gauss–Newton,
        module notes).
    covariance
        ``(3, 3)`` covariance of (H_c, zν, R_c).
    param_names
        ``("H_c", "z_nu", "R_c")``.
    chi2, redchi
        χ² of ln R about the collapse, and χ²/(n_points − n_linear − 2) with n_linear the
        number of master-curve coefficients (incl. ln R_c).
    ndata, nvary
        Points used, and free parameters (2 + n_linear).
    success, message
        Whether the fit converged inside the bounds, and what happened / what to change.
    fit
        The engine's :class:`~dissipax.fit.FitResult` of the projected problem (H_c, zν).
    coefficients
        Spline coefficients: ``[ln R_c, c⁺_1 … c⁺_{n+2}, c⁻_1 … c⁻_{n+2}]``.
    n_intervals, x_max
        Spline intervals per side; ``(x_max⁺, x_max⁻)`` of the data used.
    T_range, H_range
        Temperatures [K] and fields of the points used.
    start
        Starting (H_c, zν) and the crossing estimate they came from.
    bootstrap
        ``None`` or ``{name: (n_boot,) array}`` of the bootstrap refits (successful ones).
    """

    params: dict
    stderr: dict
    covariance: np.ndarray
    chi2: float
    redchi: float
    ndata: int
    nvary: int
    success: bool
    message: str
    fit: FitResult
    coefficients: np.ndarray
    n_intervals: int
    x_max: tuple
    T_range: tuple
    H_range: tuple
    start: dict
    bootstrap: dict | None = None
    param_names: tuple = PARAM_NAMES

    def scaling_variable(self, H, T) -> np.ndarray:
        """Signed scaling variable (H − H_c)·T^{−1/zν} (positive on the insulating side).

        Valid for
            T > 0 [K]; H in the units of the fit.
        """
        H, T = np.asarray(H, float), np.asarray(T, float)
        return (H - self.params["H_c"]) * T ** (-1.0 / self.params["z_nu"])

    def log_master(self, u) -> np.ndarray:
        """Evaluate ln F(u) of the fitted master curve at signed scaling variables ``u``.

        Valid for
            |u| ≤ x_max of its side (the data's range); beyond it the spline is
            extrapolated to zero support and is meaningless (NaN is returned there).
        """
        u = np.asarray(u, float)
        side = u > 0
        xmax = np.where(side, self.x_max[0], self.x_max[1])
        t = np.abs(u) / xmax
        B = _branch_basis(t.ravel(), self.n_intervals, np)
        k = self.n_intervals + 2
        cp, cm = self.coefficients[1 : 1 + k], self.coefficients[1 + k :]
        g = np.where(side.ravel(), B @ cp, B @ cm).reshape(u.shape)
        return np.where(t <= 1.0 + 1e-12, g, np.nan)

    def predict(self, H, T) -> np.ndarray:
        """R(T, H) = R_c F(u) [Ω/□] on the collapse (NaN outside the fitted x range).

        Valid for
            T > 0 [K], within the fitted x range of each side.
        """
        return self.params["R_c"] * np.exp(self.log_master(self.scaling_variable(H, T)))

    def report(self) -> str:
        """Plain-text summary (values ± stderr, quality, convergence).

        Valid for
            any CollapseResult.
        """
        p, e = self.params, self.stderr
        lines = [
            f"[[Scaling collapse R = R_c F(|H - H_c| T^(-1/z_nu))]]  "
            f"{'converged' if self.success else 'NOT converged'}",
            f"    H_c  = {p['H_c']:.6g} +/- {e['H_c']:.3g}",
            f"    z_nu = {p['z_nu']:.6g} +/- {e['z_nu']:.3g}",
            f"    R_c  = {p['R_c']:.6g} +/- {e['R_c']:.3g} Ohm/sq",
            f"    chi2 = {self.chi2:.6g}, redchi = {self.redchi:.4g} ({self.ndata} points, "
            f"{self.nvary} parameters: 2 + {self.nvary - 2} master-curve coefficients, "
            f"cubic splines, {self.n_intervals} intervals per side)",
            f"    T = {self.T_range[0]:.4g}..{self.T_range[1]:.4g} K, "
            f"H = {self.H_range[0]:.6g}..{self.H_range[1]:.6g}",
        ]
        if self.bootstrap is not None:
            n = len(next(iter(self.bootstrap.values())))
            lines.append(
                f"    bootstrap ({n} refits): "
                + ", ".join(f"{k} sd {np.std(v, ddof=1):.3g}" for k, v in self.bootstrap.items())
            )
        lines.append(f"    {self.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.report()


def _fit_one(data, H_c0, z0, H_lo, H_hi, n, scale_covar, max_steps, sigma, mask):
    """Fit (H_c, zν) of the projected problem on the points ``mask`` selects.

    The model's weights are 0 outside the mask too.  The model couples all points (one
    linear solve), so no length buckets: every selection of one table shares one executable.
    """
    params = {
        "H_c": Parameter(H_c0, min=H_lo, max=H_hi),
        "z_nu": Parameter(z0, min=0.05, max=50.0),
    }
    return least_squares(
        _projected_model(n),
        params,
        data,
        data["y"],
        sigma,
        mask=mask,
        scale_covar=scale_covar,
        max_steps=max_steps,
        buckets=False,
    )


def _chi2(data, H_c, z_nu, n):
    A, c = _surface_np(data, H_c, z_nu, n)[:2]
    return float(np.sum(data["w"] * (A @ c - data["y"]) ** 2))


def _kink_minimum(data, H_c, z_nu, n, se, fields, span):
    r"""Return the measured field at which a stalled fit sits on a genuine kink minimum, or None.

    The collapse objective has a kink where H_c crosses a measured field (the points of
    that field change branch, module notes), and its minimum can be such a corner: no
    gradient vanishes there, so the engine's stationarity test (rightly) reports a stall.
    It is a genuine minimum when χ² rises on both sides *across* the field (H_c ± δ) and
    on both sides *along* it (zν ± ε, where the objective is smooth), with δ, ε =
    :data:`KINK_PROBE` standard errors (NumPy evaluations of the projected χ²).
    """
    k = int(np.argmin(np.abs(fields - H_c)))
    if not np.all(np.isfinite(se)) or abs(fields[k] - H_c) > ON_FIELD * span:
        return None
    f0 = _chi2(data, H_c, z_nu, n)
    d, e = KINK_PROBE * se[0], KINK_PROBE * se[1]
    probes = ((H_c + d, z_nu), (H_c - d, z_nu), (H_c, z_nu + e), (H_c, z_nu - e))
    return float(fields[k]) if all(_chi2(data, h, z, n) > f0 for h, z in probes) else None


def _collapse_from_fit(res, data, n, has_sigma, sw_sel, start, *, bootstrap=None):
    H_c, z_nu = float(res.params["H_c"]), float(res.params["z_nu"])
    cov_full, chi2, c, xp, xm = _full_covariance(data, H_c, z_nu, n)
    n_inc = int(np.sum(np.asarray(data["w"]) > 0))
    nvary = 2 + len(c)
    dof = n_inc - nvary
    redchi = chi2 / dof if dof > 0 else np.nan
    cov3 = cov_full[:3, :3] * (1.0 if has_sigma else redchi)
    R_c = float(np.exp(c[0]))
    Jt = np.diag([1.0, 1.0, R_c])
    cov3 = Jt @ cov3 @ Jt
    se = np.sqrt(np.clip(np.diag(cov3), 0, None))
    success = bool(res.success)
    message = str(res.message)
    lo, hi = sw_sel
    span = hi - lo
    if res.status == Status.STALLED:
        fields = np.unique(data["H"][data["w"] > 0])
        on = _kink_minimum(data, H_c, z_nu, n, se, fields, span)
        if on is not None:
            success = True
            message = (
                f"converged at a corner of the collapse objective: H_c sits on the measured "
                f"field {on:g}, where its points change branch; chi2 rises on both sides "
                "(a genuine minimum: the engine's Gauss-Newton stationarity test does not "
                "apply at a kink)"
            )
    if abs(H_c - lo) < 1e-6 * span or abs(H_c - hi) < 1e-6 * span:
        success = False
        message = (
            f"H_c ended on the edge of the field range ({lo:g}..{hi:g}): the fields do not "
            "bracket the critical field; measure (or select) fields on both sides"
        )
    return CollapseResult(
        params={"H_c": H_c, "z_nu": z_nu, "R_c": R_c},
        stderr=dict(zip(PARAM_NAMES, map(float, se))),
        covariance=cov3,
        chi2=chi2,
        redchi=float(redchi),
        ndata=n_inc,
        nvary=nvary,
        success=success,
        message=message,
        fit=res,
        coefficients=c,
        n_intervals=n,
        x_max=(float(xp), float(xm)),
        T_range=start["T_range"],
        H_range=sw_sel,
        start={k: v for k, v in start.items() if k != "T_range"},
        bootstrap=bootstrap,
    )


def _prepare(sw: SITSweep, T_min, T_max, H_min, H_max):
    """Return the selected points (as a sweep, for checks and starts) and their mask in ``sw``."""
    sel = sw.select(T_min=T_min, T_max=T_max, H_min=H_min, H_max=H_max)
    inc = np.ones(sw.n_points, bool)
    for arr, lo, hi in ((sw.T, T_min, T_max), (sw.H, H_min, H_max)):
        if lo is not None:
            inc &= arr >= lo
        if hi is not None:
            inc &= arr <= hi
    if len(sel.temperatures) < 2:
        raise DomainError(
            f"a scaling collapse needs at least 2 temperatures (it compares R(H) across T); "
            f"the selection has one (T = {sel.temperatures[0]:g} K): widen T_min/T_max or "
            "measure more temperatures"
        )
    if len(sel.fields) < 3:
        raise DomainError(
            f"a scaling collapse needs at least 3 fields; the selection has "
            f"{len(sel.fields)}: widen H_min/H_max"
        )
    return sel, inc


def _start(sel: SITSweep, H_c, z_nu):
    cross = None
    if H_c is None:
        cross = crossing_point(sel)
        H_c = cross.H_c
    H = sel.fields
    if not H.min() < H_c < H.max():
        raise DomainError(
            f"H_c = {H_c:g} is not inside the field range {H.min():g}..{H.max():g}: the "
            "fields must bracket the critical field (measure or select fields on both sides)"
        )
    if z_nu is None:
        z_nu = _z_nu_start(sel, H_c)
    return float(H_c), float(z_nu), cross


def scaling_collapse(
    H,
    T=None,
    R=None,
    *,
    sigma=None,
    T_min=None,
    T_max=None,
    H_min=None,
    H_max=None,
    n_intervals: int = N_INTERVALS,
    H_c=None,
    z_nu=None,
    bootstrap: int = 0,
    seed: int = 0,
    max_steps: int = 256,
    duplicates: str = "warn",
) -> CollapseResult:
    r"""Fit the finite-temperature scaling collapse R = R_c F_±(|H − H_c| T^{−1/zν}).

    Parameters
    ----------
    H, T, R
        Long-format arrays: field [Oe] (any unit: H_c comes back in it), temperature [K]
        (> 0), sheet resistance [Ω/□] (> 0); or an :class:`SITSweep` as ``H`` alone.
    sigma
        Optional 1-σ errors of R [Ω/□]: then the covariance is absolute and redchi tests
        the collapse; without, equal relative weights and errors scaled by redchi.
    T_min, T_max, H_min, H_max
        The temperatures [K] and fields to collapse (None: all).  Scaling holds near H_c
        and above the saturation: choose them, or find T_min with
        :func:`scaling_breakdown`.
    n_intervals
        Cubic-spline intervals per side (module notes; ≥ 1).
    H_c, z_nu
        Starting values (default: the isotherm crossing, :func:`.crossing.crossing_point`,
        and the slope method ∂ln R/∂H|_{H_c} ∝ T^{−1/zν}).
    bootstrap
        Number of parametric-bootstrap refits (0: none); stored in ``result.bootstrap``.
    seed
        Seed of the bootstrap draws.
    max_steps
        Levenberg–Marquardt step limit.
    duplicates
        Policy for repeated (H, T) points (:func:`.sweeps.sit_sweep`).

    Returns
    -------
    CollapseResult
        ``params``/``stderr`` with ``H_c``, ``z_nu``, ``R_c``; ``success`` False with a
        message when the fit did not converge or H_c ended on the edge of the fields.

    Raises
    ------
    DomainError
        A single temperature, fewer than 3 fields, fields that do not bracket H_c (no
        isotherm crossing), R ≤ 0 or non-finite input, bad ``n_intervals``.

    Valid for
        tables around one critical point, in the scaling regime (choose T_min above the
        saturation); H_c inside the field range with data on both sides.
    """
    if not isinstance(n_intervals, (int, np.integer)) or n_intervals < 1:
        raise DomainError(f"argument 'n_intervals' must be an integer >= 1; got {n_intervals!r}")
    sw = as_sweep(H, T, R, sigma, duplicates=duplicates)
    sel, inc = _prepare(sw, T_min, T_max, H_min, H_max)
    H_c0, z0, cross = _start(sel, H_c, z_nu)
    nvary = 2 + 1 + 2 * (n_intervals + 2)
    if sel.n_points <= nvary:
        raise DomainError(
            f"{sel.n_points} points cannot fix {nvary} parameters (2 + master curve with "
            f"{n_intervals} intervals per side): use more data or fewer n_intervals"
        )
    # the whole table, masked (and zero weight) outside the selection: every selection of
    # one table (and scaling_breakdown on it) reuses one compiled fit
    data = _data(sw.H, sw.T, sw.R, sw.sigma, inc)
    has_sigma = sw.sigma is not None
    s_log = _sigma_log(sw.R, sw.sigma)
    H_lo, H_hi = float(sel.fields.min()), float(sel.fields.max())
    res = _fit_one(data, H_c0, z0, H_lo, H_hi, n_intervals, not has_sigma, max_steps, s_log, inc)
    start = {
        "H_c": H_c0,
        "z_nu": z0,
        "crossing": cross,
        "T_range": (float(sel.T.min()), float(sel.T.max())),
    }
    boot = None
    if bootstrap:
        boot = _bootstrap(sel, res, n_intervals, bootstrap, seed, (H_lo, H_hi), max_steps)
    out = _collapse_from_fit(res, data, n_intervals, has_sigma, (H_lo, H_hi), start, bootstrap=boot)
    if not out.success:
        warnings.warn(f"scaling_collapse: {out.message}", RuntimeWarning, stacklevel=2)
    return out


def _bootstrap(sel, res, n, n_boot, seed, bounds, max_steps):
    """Parametric bootstrap: redraw ln R around the fitted surface, refit in one batch."""
    H_c, z_nu = float(res.params["H_c"]), float(res.params["z_nu"])
    data = _data(sel.H, sel.T, sel.R, sel.sigma, None)
    A, c = _surface_np(data, H_c, z_nu, n)[:2]
    pred = A @ c
    y = np.asarray(data["y"])
    if sel.sigma is not None:
        s = sel.sigma / sel.R
    else:
        s = np.full_like(y, np.sqrt(np.sum((pred - y) ** 2) / (len(y) - 3 - 2 * (n + 2))))
    rng = np.random.default_rng(seed)
    yb = pred[None, :] + s[None, :] * rng.standard_normal((n_boot, len(y)))
    fits = collapse_batch(
        sel.H, sel.T, yb, s, H_c=H_c, z_nu=z_nu, bounds=bounds, n=n, max_steps=max_steps
    )
    ok = np.asarray(fits["success"])
    return {k: np.asarray(fits[k])[ok] for k in ("H_c", "z_nu", "R_c")}


def collapse_batch(H, T, log_R, sigma_log_R, *, H_c, z_nu, bounds, n=N_INTERVALS, max_steps=256):
    r"""Collapse fits of many ln R tables on one (H, T) grid, in one batched engine call.

    The noise studies (bootstrap, pull calibration) use this: each row of ``log_R`` is one
    table on the shared points ``(H, T)``; ``sigma_log_R`` (the error of ln R, shape of one
    row or of ``log_R``) is taken as the true standard deviation.

    Returns
    -------
    dict
        ``H_c``, ``z_nu``, ``R_c`` and their ``stderr_*`` (full-problem covariance, as in
        :func:`scaling_collapse`), ``success`` (a stall on a corner of the objective at a
        measured field counts as converged, as in :func:`scaling_collapse`): arrays over
        the rows.

    Valid for
        rows of equal length on one field/temperature grid with H_c (start) inside
        ``bounds``; every row fitted from the same start.
    """
    log_R = np.atleast_2d(np.asarray(log_R, float))
    B, N = log_R.shape
    s = np.broadcast_to(np.asarray(sigma_log_R, float), log_R.shape)
    Hb = np.array(np.broadcast_to(np.asarray(H, float), (B, N)))  # own, contiguous copies
    Tb = np.array(np.broadcast_to(np.asarray(T, float), (B, N)))
    data = {
        "H": Hb,
        "T": Tb,
        "y": np.array(log_R),
        "w": np.array(1.0 / s**2),
        "ext": np.array(np.broadcast_to([Hb.max(), Hb.min(), Tb.min()], (B, 3))),
    }
    params = {
        "H_c": Parameter(float(H_c), min=float(bounds[0]), max=float(bounds[1])),
        "z_nu": Parameter(float(z_nu), min=0.05, max=50.0),
    }
    res = least_squares(
        _projected_model(n),
        params,
        data,
        data["y"],
        np.array(s),
        batched=True,
        batch_x=True,
        scale_covar=False,
        max_steps=max_steps,
        buckets=False,
    )
    Hc = np.atleast_1d(np.asarray(res.params["H_c"], float))
    zn = np.atleast_1d(np.asarray(res.params["z_nu"], float))
    rows = [_full_covariance({k: v[i] for k, v in data.items()}, Hc[i], zn[i], n) for i in range(B)]
    cov = np.stack([r[0] for r in rows])
    c = np.stack([r[2] for r in rows])
    R_c = np.exp(c[:, 0])
    se = np.sqrt(np.clip(np.diagonal(cov[:, :2, :2], axis1=1, axis2=2), 0, None))
    success = np.atleast_1d(np.asarray(res.success, bool)).copy()
    fields = np.unique(np.asarray(H, float))
    for i in np.flatnonzero(np.atleast_1d(res.status) == Status.STALLED):  # corners
        row = {k: v[i] for k, v in data.items()}
        span = float(bounds[1]) - float(bounds[0])
        success[i] = _kink_minimum(row, Hc[i], zn[i], n, se[i], fields, span) is not None
    return {
        "H_c": Hc,
        "z_nu": zn,
        "R_c": R_c,
        "stderr_H_c": np.sqrt(cov[:, 0, 0]),
        "stderr_z_nu": np.sqrt(cov[:, 1, 1]),
        "stderr_R_c": R_c * np.sqrt(cov[:, 2, 2]),
        "success": success,
    }


# --- where scaling fails ------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Breakdown:
    """Collapse quality against the lowest temperature included (:func:`scaling_breakdown`).

    Attributes
    ----------
    T_lo
        Lowest temperatures tried [K], increasing.
    redchi, H_c, z_nu, stderr_z_nu, success
        Per T_lo: collapse quality and parameters of the fit on T ≥ T_lo.
    threshold
        Per T_lo: the redchi above which the collapse is rejected (module notes).
    ok
        Per T_lo: the data T ≥ T_lo collapse (redchi ≤ threshold).
    T_onset
        Lowest T_lo down to which every collapse is accepted: the temperature below which
        the data leave the scaling form (NaN when even the warmest fails).
    T_first_fail
        The warmest rejected T_lo below T_onset (NaN when none is rejected): the onset lies
        in (T_first_fail, T_onset], the resolution of the estimate.
    reference
        The :class:`CollapseResult` on T ≥ T_onset.
    T_dev, deviation
        Per measured temperature (or temperature bin for ragged tables): the mean squared
        normalised residual of the points about the reference collapse, counting only points
        inside its fitted x range (≈ 1 where the data scale, ≫ 1 below the onset).
    message
        What was found.
    """

    T_lo: np.ndarray
    redchi: np.ndarray
    H_c: np.ndarray
    z_nu: np.ndarray
    stderr_z_nu: np.ndarray
    success: np.ndarray
    threshold: np.ndarray
    ok: np.ndarray
    T_onset: float
    T_first_fail: float
    reference: CollapseResult | None
    T_dev: np.ndarray
    deviation: np.ndarray
    message: str

    @property
    def resolution(self) -> tuple[float, float]:
        """The interval (T_first_fail, T_onset] [K] that contains the onset."""
        return (self.T_first_fail, self.T_onset)


def scaling_breakdown(
    H,
    T=None,
    R=None,
    *,
    sigma=None,
    T_lo=None,
    T_max=None,
    H_min=None,
    H_max=None,
    n_candidates: int = 12,
    n_sigma: float = 3.0,
    n_intervals: int = N_INTERVALS,
    duplicates: str = "warn",
) -> Breakdown:
    r"""Collapse quality against the lowest temperature included, and the saturation onset.

    For each candidate lowest temperature T_lo (warmest first, each fit started from the
    previous one) the collapse is refitted on T_lo ≤ T ≤ T_max; all these fits share one
    compiled call (the points below T_lo get zero weight).  A collapse is accepted when

    .. math:: \chi^2_\nu \le 1 + n_\sigma\sqrt{2/\nu}

    (ν degrees of freedom; with errors given), or, without errors, when χ²_ν is within the
    same factor of the warmest collapse's.  Scanning down, the onset T_onset is the lowest
    T_lo above the first rejection; the candidates between the first rejection and T_onset
    are then refined to every measured temperature in between, so the onset is resolved to
    one temperature step of the data.

    Parameters
    ----------
    H, T, R, sigma
        As for :func:`scaling_collapse` (or an :class:`SITSweep` as ``H``).
    T_lo
        Candidate lowest temperatures [K] (default: ``n_candidates`` measured temperatures,
        log-spaced, leaving at least 3 temperatures above the highest).
    T_max, H_min, H_max
        Upper temperature and the field window (None: all).
    n_candidates
        Number of default candidates.
    n_sigma
        Acceptance threshold in standard deviations of χ²_ν.
    n_intervals
        Spline intervals per side.
    duplicates
        Policy for repeated (H, T) points.

    Returns
    -------
    Breakdown

    Raises
    ------
    DomainError
        As :func:`scaling_collapse`; candidates leaving fewer than 2 temperatures.

    Valid for
        tables that scale at their warmest temperatures; the onset resolution is one
        measured temperature step (or the candidate spacing for ragged tables).
    """
    sw = as_sweep(H, T, R, sigma, duplicates=duplicates)
    sel, base = _prepare(sw, None, T_max, H_min, H_max)
    temps = sel.temperatures
    grid = len(temps) <= 0.5 * sel.n_points  # shared temperatures: refine on them
    if T_lo is None:
        pool = temps[:-3] if len(temps) > 3 else temps[:1]
        if not grid:
            pool = np.quantile(sel.T, np.linspace(0.0, 0.85, 4 * n_candidates))
        idx = np.unique(np.round(np.linspace(0, len(pool) - 1, n_candidates)).astype(int))
        cands = np.unique(pool[idx])
    else:
        cands = np.unique(np.asarray(check("T_lo", T_lo, gt=0, valid="temperatures in K"), float))
    n_left = np.array([np.sum(temps >= c) for c in cands])
    if np.any(n_left < 2):
        raise DomainError(
            f"T_lo candidates {cands[n_left < 2].tolist()} K leave fewer than 2 temperatures"
        )
    H_c0, z0, _ = _start(sel.select(T_min=float(cands[-1])), None, None)
    has_sigma = sw.sigma is not None
    H_lo, H_hi = float(sel.fields.min()), float(sel.fields.max())
    nlin = 1 + 2 * (n_intervals + 2)
    s_log = _sigma_log(sw.R, sw.sigma)

    results: dict[float, dict] = {}

    def run(t_lo, start):
        # one compiled fit for every window: the window is the mask (and the weights)
        inc = base & (sw.T >= t_lo)
        data = _data(sw.H, sw.T, sw.R, sw.sigma, inc)
        res = _fit_one(
            data, start[0], start[1], H_lo, H_hi, n_intervals, not has_sigma, 256, s_log, inc
        )
        cov, chi2, *_ = _full_covariance(
            data, float(res.params["H_c"]), float(res.params["z_nu"]), n_intervals
        )
        dof = int(inc.sum()) - 2 - nlin
        results[float(t_lo)] = {
            "res": res,
            "data": data,
            "redchi": float(chi2) / dof,
            "dof": dof,
            "se_z": float(np.sqrt(cov[1, 1])),
        }
        return float(res.params["H_c"]), float(res.params["z_nu"])

    start = (H_c0, z0)
    for t in cands[::-1]:
        start = run(t, start)

    def judge():
        Ts = np.array(sorted(results))
        rc = np.array([results[t]["redchi"] for t in Ts])
        dof = np.array([results[t]["dof"] for t in Ts])
        thr = 1.0 + n_sigma * np.sqrt(2.0 / dof)
        if not has_sigma:
            thr = thr * rc[-1]
        ok = rc <= thr
        return Ts, rc, thr, ok

    def onset(Ts, ok):
        bad = np.flatnonzero(~ok[::-1])  # scanning down from the warmest
        if len(bad) == 0:
            return float(Ts[0]), np.nan
        k = len(Ts) - 1 - bad[0]
        return (float(Ts[k + 1]) if k + 1 < len(Ts) else np.nan), float(Ts[k])

    Ts, rc, thr, ok = judge()
    T_on, T_fail = onset(Ts, ok)
    if np.isfinite(T_on) and np.isfinite(T_fail):
        pool = temps if grid else np.quantile(sel.T, np.linspace(0, 1, 8 * n_candidates))
        between = pool[(pool > T_fail) & (pool < T_on)]
        st = (float(results[T_on]["res"].params["H_c"]), float(results[T_on]["res"].params["z_nu"]))
        for t in between[::-1]:
            st = run(t, st)
        Ts, rc, thr, ok = judge()
        T_on, T_fail = onset(Ts, ok)

    reference, T_dev, dev = None, np.empty(0), np.empty(0)
    if np.isfinite(T_on):
        r = results[T_on]
        reference = _collapse_from_fit(
            r["res"],
            r["data"],
            n_intervals,
            has_sigma,
            (H_lo, H_hi),
            {
                "H_c": H_c0,
                "z_nu": z0,
                "crossing": None,
                "T_range": (float(T_on), float(sel.T.max())),
            },
        )
        T_dev, dev = _deviation(sel, reference, grid, n_candidates)
        if np.isfinite(T_fail):
            msg = (
                f"the data collapse for T >= {T_on:.4g} K and leave the scaling form below: "
                f"onset of saturation in ({T_fail:.4g}, {T_on:.4g}] K"
            )
        else:
            msg = (
                f"the data collapse down to the lowest candidate T_lo = {T_on:.4g} K "
                "(no onset seen)"
            )
    else:
        msg = (
            "no collapse is accepted, not even on the warmest candidate temperatures: narrow "
            "the field window (H_min/H_max), raise n_intervals, or check the errors"
        )
    return Breakdown(
        T_lo=Ts,
        redchi=rc,
        H_c=np.array([float(results[t]["res"].params["H_c"]) for t in Ts]),
        z_nu=np.array([float(results[t]["res"].params["z_nu"]) for t in Ts]),
        stderr_z_nu=np.array([results[t]["se_z"] for t in Ts]),
        success=np.array([bool(results[t]["res"].success) for t in Ts]),
        threshold=thr,
        ok=ok,
        T_onset=T_on,
        T_first_fail=T_fail,
        reference=reference,
        T_dev=T_dev,
        deviation=dev,
        message=msg,
    )


def _deviation(sel: SITSweep, ref: CollapseResult, grid: bool, n_bins: int):
    """Mean squared normalised residual per temperature about ``ref``, inside its x range."""
    u = ref.scaling_variable(sel.H, sel.T)
    g = ref.log_master(u)
    inside = np.isfinite(g)
    s = np.ones(sel.n_points) if sel.sigma is None else sel.sigma / sel.R
    resid = (np.log(sel.R) - np.log(ref.params["R_c"]) - np.nan_to_num(g)) / s
    r2 = np.where(inside, resid**2, 0.0)
    if not (sel.sigma is not None):
        r2 = r2 / max(ref.redchi, np.finfo(float).tiny)
    if grid:
        keys = sel.T
    else:
        edges = np.geomspace(sel.T.min(), sel.T.max() * (1 + 1e-12), n_bins + 1)
        k = np.clip(np.searchsorted(edges, sel.T) - 1, 0, n_bins - 1)
        keys = np.sqrt(edges[:-1] * edges[1:])[k]
    Ts = np.unique(keys)
    dev = np.array(
        [np.sum(r2[(keys == t) & inside]) / max(np.sum((keys == t) & inside), 1) for t in Ts]
    )
    count = np.array([np.sum((keys == t) & inside) for t in Ts])
    return Ts[count > 0], dev[count > 0]


# --- the link to Eqs. (1)-(2) ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class SaturationLink:
    """Plateaus of Eqs. (1)–(2) per field against the collapse frozen at the onset.

    Attributes
    ----------
    H
        Fields [Oe] fitted (both sides of H_c).
    law
        ``"superconductor"`` (Eq. (2), H < H_c) or ``"insulator"`` (Eq. (1), H > H_c).
    plateau, plateau_err
        Fitted saturation resistance ρ_QF or 1/σ_QF [Ω/□] and its error.
    plateau_scaling
        R_c F_±(|H − H_c| T_onset^{−1/zν}) [Ω/□]: the collapse evaluated at the onset
        (what R would saturate to if scaling held down to T_onset and froze there).
    ratio
        plateau / plateau_scaling.
    T_cross
        Per field, the temperature [K] where the activated term equals the plateau
        (Eq. (2): ρ_0 e^{−E_a/T} = ρ_QF; Eq. (1): σ_0 e^{−E_a/T} = σ_QF).
    success
        Per-field fit convergence.
    T_onset
        The onset used [K].
    """

    H: np.ndarray
    law: np.ndarray
    plateau: np.ndarray
    plateau_err: np.ndarray
    plateau_scaling: np.ndarray
    ratio: np.ndarray
    T_cross: np.ndarray
    success: np.ndarray
    T_onset: float


def link_saturation(sweep: SITSweep, collapse: CollapseResult, T_onset: float) -> SaturationLink:
    r"""Connect the saturation onset to σ_QF, ρ_QF of Eqs. (1)–(2) (Zhang et al. 2022).

    Fits Eq. (2) (failed superconductor) to every field below H_c and Eq. (1) (failed
    insulator) to every field above, on the ragged table (:meth:`SITSweep.fit_fields`:
    one array per field, no padding by hand), and compares each field's fitted plateau
    with the collapse frozen at T_onset, R_c F_±(|H − H_c| T_onset^{−1/zν}).  If the
    "avoided" transition is scaling cut off by saturation at T_onset, the ratio is ≈ 1 on
    both sides; ``T_cross`` (where the activated term of Eq. (1)/(2) equals the plateau)
    is the per-field version of the onset.

    Parameters
    ----------
    sweep
        The full table (including the saturated temperatures).
    collapse
        A collapse of the scaling regime (e.g. ``scaling_breakdown(...).reference``).
    T_onset
        The onset [K] (e.g. ``scaling_breakdown(...).T_onset``).

    Returns
    -------
    SaturationLink

    Valid for
        fields with ≥ 4 points on each side of H_c; fields whose scaling variable at T_onset
        lies outside the collapse's fitted range get NaN in ``plateau_scaling``.
    """
    check("T_onset", T_onset, gt=0, valid="temperature in K")
    H_c = collapse.params["H_c"]
    out = {k: [] for k in ("H", "law", "plat", "err", "Tx", "ok")}
    for law, side in (("superconductor", sweep.H < H_c), ("insulator", sweep.H > H_c)):
        if not side.any():
            continue
        part = dataclasses.replace(
            sweep,
            H=sweep.H[side],
            T=sweep.T[side],
            R=sweep.R[side],
            sigma=None if sweep.sigma is None else sweep.sigma[side],
        )
        Hf, res = part.fit_fields(law)
        p = {k: np.atleast_1d(np.asarray(v, float)) for k, v in res.params.items()}
        e = {k: np.atleast_1d(np.asarray(v, float)) for k, v in res.stderr.items()}
        if law == "superconductor":
            plat, err, ratio_pref = p["rho_QF"], e["rho_QF"], p["rho_0"] / p["rho_QF"]
        else:
            plat, err = 1.0 / p["sigma_QF"], e["sigma_QF"] / p["sigma_QF"] ** 2
            ratio_pref = p["sigma_0"] / p["sigma_QF"]
        with np.errstate(divide="ignore", invalid="ignore"):
            Tx = np.where(ratio_pref > 1, p["E_a"] / np.log(ratio_pref), np.nan)
        out["H"].append(Hf)
        out["law"].append(np.full(len(Hf), law))
        out["plat"].append(plat)
        out["err"].append(err)
        out["Tx"].append(Tx)
        out["ok"].append(np.atleast_1d(np.asarray(res.success, bool)))
    Hs = np.concatenate(out["H"])
    plat = np.concatenate(out["plat"])
    pred = collapse.predict(Hs, np.full(len(Hs), T_onset))
    return SaturationLink(
        H=Hs,
        law=np.concatenate(out["law"]),
        plateau=plat,
        plateau_err=np.concatenate(out["err"]),
        plateau_scaling=pred,
        ratio=plat / pred,
        T_cross=np.concatenate(out["Tx"]),
        success=np.concatenate(out["ok"]),
        T_onset=float(T_onset),
    )


__all__ = [
    "Breakdown",
    "CollapseResult",
    "Crossing",
    "SaturationLink",
    "bspline_basis",
    "collapse_batch",
    "collapse_objective",
    "link_saturation",
    "scaling_breakdown",
    "scaling_collapse",
]
