"""The assessment of a least-squares optimum: covariance, singularity and stationarity.

One step for every fit of :func:`dissipax.fit.least_squares`, after the solver, from a few
reductions of the residual ``r`` and the Jacobian at the returned point (``JᵀJ``, ``Jᵀr``,
the physical ``J_pᵀr`` and column norms, ``Σ|r|``, chi2):

* the covariance ``(JᵀJ)⁻¹`` over the parameters not pinned at a bound, with a
  singularity test on the matrix normalised to unit diagonal (:func:`inverse_information`);
* the Bates–Watts stationarity test (:func:`stationarity`), which demotes a fit the solver
  reports converged to ``STALLED`` when one more Gauss–Newton step would still lower chi2
  appreciably, and promotes a fit whose parameter was pushed into its bound to
  ``BOUND_OK`` when the free parameters are stationary (:func:`assess`).

Where it runs.  Every function here is written once for NumPy and ``jax.numpy``
(argument ``xp``).  In float64 the pipeline evaluates :func:`assess` *inside* the
compiled solve (:func:`in_graph`), so that only per-fit results leave it: the same
few dozen operations on a batch of 3×3 matrices cost ~50 µs fused by XLA and ~2 ms as
separate NumPy calls after a 1000-curve fit (measured, benchmarks/bench_fit_batched.py).
Inside the graph the normalised matrix is inverted by an unrolled Cholesky factorisation
and the singularity test is decided by a *screen* (:func:`screen`) wherever it cannot
fail; the rare rows it cannot decide (near-singular or not positive definite
matrices), every row in float32 (whose post-processing is done in float64, on the host)
and matrices of more than :data:`SCREEN_MAX` parameters are assessed again on the host
by the eigen-decomposition (:func:`normalized_information`).  The decisions are the same
either way (tested).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._precision import eps
from ._linsolve import cholesky_unrolled
from ._status import Status
from ._tolerances import OFFSET_TOL, SINGULAR_RCOND

#: most parameters whose information matrix is screened by Cholesky (the unrolled
#: factorisation's graph grows as n³)
SCREEN_MAX = 8


class Information(NamedTuple):
    """An information matrix normalised to unit diagonal, and its (pseudo-)inverse."""

    diag: object  #: diagonal of the matrix (pinned parameters: 1)
    scale: object  #: 1/sqrt(diag), 1 where diag <= 0 or NaN
    finite: object  #: whether the normalised matrix is finite (else it is the identity)
    #: pseudo-inverse of the normalised matrix over its eigen-directions above the
    #: singularity threshold (the inverse where it is not singular)
    pinv: object
    singular: object  #: the singularity test of :func:`inverse_information`
    weak: object  #: |eigenvector| of the smallest eigenvalue (NaN where screened)
    lowest: object  #: smallest eigenvalue / largest (NaN where screened)


def _normalize(a, at_bound, xp):
    """Replace the rows of pinned parameters by the identity's; scale to unit diagonal."""
    n = a.shape[-1]
    eye = xp.eye(n, dtype=a.dtype)
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    a = xp.where(mask, eye, a)
    diag = xp.diagonal(a, axis1=-2, axis2=-1)
    bad_diag = ~(diag > 0)  # zero column (or NaN): the parameter has no effect
    scale = xp.where(bad_diag, 1.0, 1.0 / xp.sqrt(xp.where(bad_diag, 1.0, diag)))
    c = scale[..., :, None] * a * scale[..., None, :]
    finite = xp.all(xp.isfinite(c), axis=(-2, -1))
    c = xp.where(finite[..., None, None], c, eye)
    return diag, scale, finite, c


def _threshold(n: int) -> float:
    """Smallest eigenvalue, relative to the largest, of a non-singular normalised matrix."""
    return SINGULAR_RCOND * n * eps()


def cholesky_inverse(c, xp=np):
    """Inverse of symmetric positive definite matrices ``c`` (..., n, n), unrolled Cholesky.

    Element-wise over the leading axes (a few dozen vectorised operations for a batch of
    small matrices, where LAPACK is called once per matrix).  Returns the inverse and
    whether every pivot was positive (else the inverse is meaningless).
    """
    n = c.shape[-1]
    L, ok = cholesky_unrolled(c, xp)
    # M = L⁻¹ (lower triangular), c⁻¹ = Mᵀ M
    M = [[None] * n for _ in range(n)]
    for i in range(n):
        M[i][i] = 1.0 / L[i][i]
        for j in range(i):
            M[i][j] = -sum((L[i][k] * M[k][j] for k in range(j, i)), 0.0) / L[i][i]
    entry = [
        [
            sum((M[k][max(i, j)] * M[k][min(i, j)] for k in range(max(i, j), n)), 0.0)
            for j in range(n)
        ]
        for i in range(n)
    ]
    inv = xp.stack([xp.stack(row, axis=-1) for row in entry], axis=-2)
    return inv, ok


def _screen_normalized(diag, finite, c, xp):
    """Return the Cholesky inverse of the normalised ``c`` and the rows it decides (screen)."""
    n = c.shape[-1]
    inv, ok = cholesky_inverse(c, xp)
    tr = xp.trace(inv, axis1=-2, axis2=-1)
    certain = (
        finite
        & xp.all(diag > 0, axis=-1)
        & ok
        & (tr > 0)
        & (1.0 / xp.where(tr > 0, tr, 1.0) > 2 * n * _threshold(n))
    )
    return inv, certain


def screen(a, at_bound, xp=np):
    """Inverse of ``a`` normalised, where the singularity test certainly passes.

    For a positive definite ``C`` with unit diagonal, ``λ_max <= tr C = n`` and
    ``λ_min >= 1/tr(C⁻¹)``: when its Cholesky factorisation succeeds and
    ``1/tr(C⁻¹) > 2 n·threshold``, the eigenvalue test of :func:`inverse_information`
    cannot fail, and the Cholesky inverse is the inverse it would use.  Returns the
    :class:`Information` and ``certain`` (rows decided; the others need
    :func:`normalized_information`).
    """
    n = a.shape[-1]
    diag, scale, finite, c = _normalize(a, at_bound, xp)
    inv, certain = _screen_normalized(diag, finite, c, xp)
    shape = certain.shape
    nan = xp.full(shape, xp.nan, dtype=a.dtype)
    info = Information(
        diag, scale, finite, inv, xp.zeros(shape, bool), xp.full(shape + (n,), xp.nan), nan
    )
    return info, certain


def normalized_information(a, at_bound, screened: bool = False) -> Information:
    """Normalise ``a`` (``JᵀJ`` or a Hessian) to unit diagonal and (pseudo-)invert it.

    NumPy, batched over leading axes.  The rows and columns of parameters pinned at a bound
    are replaced by those of the identity; a zero (or NaN) diagonal keeps scale 1; a matrix
    that is not finite after scaling is replaced by the identity (``finite`` False).  The
    test and the pseudo-inverse are those of an eigen-decomposition of the normalised
    matrix (:func:`inverse_information`).  ``screened=True`` (``JᵀJ``, positive
    semi-definite): rows that :func:`screen` decides skip the eigen-decomposition, and
    their ``weak``/``lowest`` are NaN.
    """
    a = np.asarray(a, float)
    at_bound = np.asarray(at_bound, bool)
    n = a.shape[-1]
    thr = _threshold(n)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diag, scale, finite, c = _normalize(a, at_bound, np)
        batch = c.shape[:-2]
        pinv = np.empty(c.shape)
        singular = np.zeros(batch, bool)
        weak = np.full(batch + (n,), np.nan)
        lowest = np.full(batch, np.nan)
        certain = np.zeros(batch, bool)
        if screened and n <= SCREEN_MAX:
            inv, certain = _screen_normalized(diag, finite, c, np)
            pinv[certain] = inv[certain]
        rest = ~certain
        if np.any(rest):
            w, v = np.linalg.eigh(c[rest])
            keep = w > thr * w[..., -1:]
            inv_w = np.where(keep, 1.0 / np.where(keep, w, 1.0), 0.0)
            pinv[rest] = (v * inv_w[..., None, :]) @ np.swapaxes(v, -1, -2)
            bd, fin, dg = ~(diag[rest] > 0), finite[rest], diag[rest]
            any_bd = np.any(bd, axis=-1)
            singular[rest] = any_bd | ~fin | (w[..., 0] <= thr * w[..., -1])
            weak[rest] = np.where(any_bd[..., None], bd.astype(float), np.abs(v[..., :, 0]))
            low = np.where(
                np.any(bd & (dg < 0), axis=-1), -1.0, w[..., 0] / np.maximum(w[..., -1], eps())
            )
            lowest[rest] = np.where(fin, low, np.nan)
    return Information(diag, scale, finite, pinv, singular, weak, lowest)


def inverse_information(a, at_bound, info: Information | None = None, xp=np):
    """Inverse of information matrices ``a`` (``JᵀJ`` or a Hessian), with a singularity check.

    Batched over leading axes.  Only the parameters not pinned at a bound (``at_bound``)
    enter.  ``a`` is normalised to unit diagonal before the eigen-decomposition, so the
    test is on the *correlation* structure, independent of units: singular when a
    diagonal entry is not positive, the normalised matrix is not finite, or its smallest
    eigenvalue is at most ``SINGULAR_RCOND·n·eps`` of the largest.  Returns the inverse
    (NaN where singular), the singular flag, the eigenvector of the smallest eigenvalue
    (``weak``: the combination the data cannot determine) and that smallest eigenvalue
    relative to the largest (``lowest``; negative for a Hessian that is not positive
    definite, which is reported singular too).  ``info``: the decomposition of ``a``
    (:func:`normalized_information` or :func:`screen`), when the caller has it already.
    """
    e = normalized_information(a, at_bound) if info is None else info
    inv = e.scale[..., :, None] * e.pinv * e.scale[..., None, :]
    inv = xp.where(e.singular[..., None, None], xp.nan, inv)
    return inv, e.singular, e.weak, e.lowest


def stationarity(
    ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol, info=None, xp=np
) -> dict:
    r"""Whether fits ended at a (bound-constrained) stationary point of chi2.

    Batched over leading axes.  The measure is the chi2 decrease ``D`` that the
    linearised model still promises along a feasible direction — the larger of

    * one Gauss-Newton step on the free parameters, ``D_free = gᵀ (JᵀJ)⁺ g`` with
      ``g = Jᵀr`` (a pseudo-inverse: directions the data cannot determine carry no
      gradient either), in internal coordinates (the value does not depend on them);
    * for each parameter pinned at a bound whose chi2 *falls* when it moves inside its
      range (the KKT multiplier has the wrong sign), the best step along that parameter
      alone, ``D_j = (J_pᵀr)_j² / |J_p[:, j]|²`` (physical Jacobian ``J_p``: the bound
      transform's ``dp/dz → 0`` hides this gradient from the solver, which then stalls at
      the bound),

    and a fit is stationary when the *relative offset* of Bates & Watts (Technometrics 23,
    179 (1981)),

    .. math:: \mathrm{RO} = \sqrt{\frac{D / p}{(\chi^2 - D)/(n - p)}},

    is at most :data:`OFFSET_TOL` — the remaining step is then below ``OFFSET_TOL`` of the
    radius of the parameters' confidence region, a numerical error far below the
    statistical one (``p`` varying parameters, ``n`` data points) — or when
    ``D <= Σ_i (atol + rtol·|r_i|)²``: the step would change the residuals by less than the
    solver's own Cauchy tolerance (in the 2-norm).  The second test decides for data
    fitted to rounding level (zero-residual problems), where RO compares rounding noise
    with rounding noise.  In float32 the computed gradient carries rounding noise of
    ``~eps·cond(J)`` relative, so fits with an ill-conditioned Jacobian cannot reach
    ``OFFSET_TOL`` and are reported as stalled (the message says to fit in float64).

    Returns a dict with ``stationary`` (bool), ``gn_decrease`` (``D``), ``relative_offset``
    (RO; NaN without degrees of freedom) and ``stuck`` (``(..., nvary)``: pinned
    parameters whose multiplier has the wrong sign and whose ``D_j`` fails the test).
    ``info``: the decomposition of ``ata``, when the caller has it already.
    """
    if xp is np:
        at_bound = np.asarray(at_bound, bool)
        ata, grad, grad_p, colsq_p, chi2, abs_r = (
            np.asarray(a, float) for a in (ata, grad, grad_p, colsq_p, chi2, abs_r)
        )
        if info is None:
            info = normalized_information(ata, at_bound, screened=True)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            return _stationarity(
                ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol,
                info, np,
            )  # fmt: skip
    return _stationarity(
        ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol, info, xp
    )


def _stationarity(
    ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol, e, xp
) -> dict:
    """Compute :func:`stationarity` (floating-point warnings already handled)."""
    n = ata.shape[-1]
    g = xp.where(~at_bound, grad, 0.0)
    # a parameter without effect (zero column: its row of ata is exactly zero) carries
    # no gradient: scale 0 (the decomposition is the same with either scale there)
    scale = xp.where(e.diag > 0, e.scale, 0.0)
    finite = e.finite & xp.all(xp.isfinite(g), axis=-1)
    sg = xp.where(finite[..., None], scale * g, 0.0)
    d_free = xp.sum(sg[..., :, None] * e.pinv * sg[..., None, :], axis=(-2, -1))
    d_free = xp.where(finite, d_free, xp.nan)
    inward = xp.where(at_lower, grad_p < 0, grad_p > 0) & at_bound & (colsq_p > 0)
    d_pin = xp.where(inward, grad_p**2 / xp.where(colsq_p > 0, colsq_p, 1.0), 0.0)
    d = xp.maximum(d_free, xp.max(d_pin, axis=-1, initial=0.0))
    ndata = xp.broadcast_to(xp.asarray(ndata), xp.shape(chi2))
    dof = ndata - n
    has_dof = dof > 0
    dof_safe = xp.where(has_dof, dof, 1)
    # Σ (atol + rtol |r_i|)² without the r_i: n atol² + 2 atol rtol Σ|r_i| + rtol² chi2
    tol = ndata * atol**2 + 2 * atol * rtol * abs_r + rtol**2 * chi2
    ro = xp.where(has_dof, xp.sqrt((d / n) / (xp.maximum(chi2 - d, 0.0) / dof_safe)), xp.nan)
    stationary = (d <= tol) | (ro <= OFFSET_TOL)
    ro_pin = xp.sqrt((d_pin / n) / (xp.maximum(chi2[..., None] - d_pin, 0.0) / dof_safe[..., None]))
    pin_ok = (d_pin <= tol[..., None]) | (has_dof[..., None] & (ro_pin <= OFFSET_TOL))
    stuck = inward & ~pin_ok
    return dict(stationary=stationary, gn_decrease=d, relative_offset=ro, stuck=stuck)


#: the reductions of the residual and the Jacobian that :func:`assess` reads
REDUCTIONS = ("ata", "grad", "grad_p", "colsq_p", "abs_r")


def assess(fit: dict, ndata, rtol, atol, info: Information, xp=np) -> dict:
    """Covariance, singularity, convergence checks and redchi of fits at their optimum.

    ``fit``: the solver's per-fit output (``at_bound``, ``at_lower``, ``dpdz``, ``chi2``,
    ``code`` and the :data:`REDUCTIONS`); ``info``: the decomposition of ``fit["ata"]``.
    Returns ``cov`` (physical, unscaled by redchi; NaN in rows of pinned parameters),
    ``singular``, ``weak``, ``code`` and ``redchi``, and :func:`stationarity`'s keys.

    Convergence is decided here, after the solver, at the returned point:

    * a fit the solver reports converged (its Cauchy test passed) is demoted to
      ``STALLED`` when it is not stationary — the last step no longer changed chi2 (at
      working precision, or because the damping had grown huge), yet one more Gauss-Newton
      step would still lower chi2 appreciably;
    * a parameter pushed into its bound never meets the solver's step test in z (its
      internal coordinate keeps running off to infinity, and the free parameters track its
      slow crawl), so such fits end at max_steps.  They are converged (``BOUND_OK``, a KKT
      check) when they are stationary in the same sense.
    """
    at_bound, chi2, code, d = fit["at_bound"], fit["chi2"], fit["code"], fit["dpdz"]
    n = at_bound.shape[-1]
    cov_z, singular, weak, _ = inverse_information(fit["ata"], at_bound, info, xp)
    ndata = xp.broadcast_to(xp.asarray(ndata), xp.shape(chi2))
    st = stationarity(
        fit["ata"], fit["grad"], at_bound, fit["grad_p"], fit["colsq_p"], fit["at_lower"], chi2,
        fit["abs_r"], ndata, rtol, atol, info, xp,
    )  # fmt: skip
    bound_ok = (
        ((code == Status.MAX_STEPS) | (code == Status.OK))
        & xp.any(at_bound, axis=-1)
        & ~singular
        & st["stationary"]
        & xp.isfinite(chi2)
    )
    code = xp.where(bound_ok, Status.BOUND_OK, code)
    code = xp.where(
        (code == Status.OK) & xp.isfinite(chi2) & ~st["stationary"], Status.STALLED, code
    )
    cov = d[..., :, None] * cov_z * d[..., None, :]
    cov = xp.where(at_bound[..., :, None] | at_bound[..., None, :], xp.nan, cov)
    dof = ndata - n
    redchi = xp.where(dof > 0, chi2 / xp.where(dof > 0, dof, 1), xp.nan)
    return dict(cov=cov, singular=singular, weak=weak, code=code, redchi=redchi, **st)


def on_host(out: dict, ndata, rtol, atol) -> dict:
    """:func:`assess` (NumPy, eigen-decomposition) of the fits ``out["certain"]`` leaves open.

    ``out``: the compiled call's per-fit output as NumPy arrays.  Without ``certain``
    (float32, or more than :data:`SCREEN_MAX` parameters) every fit is assessed here.
    Returns ``out`` with the assessed keys filled in (a new dict).
    """
    certain = out.get("certain")
    rows = slice(None) if certain is None else np.flatnonzero(~np.asarray(certain, bool))
    if certain is not None and rows.size == 0:
        return out
    sub = {
        k: np.asarray(out[k])[rows]
        for k in ("at_bound", "at_lower", "dpdz", "chi2", "code", *REDUCTIONS)
    }
    sub = {k: (v.astype(float) if v.dtype.kind == "f" else v) for k, v in sub.items()}
    nd = np.broadcast_to(np.asarray(ndata), np.shape(out["chi2"]))[rows]
    info = normalized_information(sub["ata"], sub["at_bound"], screened=True)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        res = assess(sub, nd, rtol, atol, info, np)
    if certain is None:
        return {**out, **res}
    merged = dict(out)
    for k, v in res.items():
        full = np.array(out[k], dtype=np.result_type(np.asarray(out[k]).dtype, v.dtype))
        full[rows] = v
        merged[k] = full
    return merged


def in_graph(fit: dict, ndata, rtol, atol) -> dict:
    """:func:`assess` inside the compiled solve (``jax.numpy``), screened (module notes).

    Adds ``certain``: the fits decided here; :func:`on_host` assesses the rest.
    """
    import jax.numpy as jnp

    info, certain = screen(fit["ata"], fit["at_bound"], jnp)
    res = assess(fit, jnp.asarray(ndata, fit["chi2"].dtype), rtol, atol, info, jnp)
    return {**res, "certain": certain}


__all__ = [
    "Information",
    "SCREEN_MAX",
    "assess",
    "cholesky_inverse",
    "in_graph",
    "inverse_information",
    "normalized_information",
    "on_host",
    "screen",
    "stationarity",
]
