"""Weighted nonlinear least squares by Levenberg–Marquardt, single or batched.

The solver is :class:`optimistix.LevenbergMarquardt` with the Jacobian by forward-mode
autodiff, on the bound-enforcing internal coordinates of :mod:`.parameters`.  A batched
call compiles one function — the fit of one dataset, vmapped over the leading axis of the
data — so a stack of 1000 curves is one XLA call.

Uncertainties (lmfit's convention).  At the optimum ``z*`` the covariance of the internal
coordinates is ``C_z = (J_zᵀ J_z)⁻¹`` with ``J_z`` the Jacobian of the weighted residual;
it is carried to physical space by the (diagonal) transform Jacobian ``D = dp/dz``,
``C_p = D C_z D``, and, with ``scale_covar=True`` (the default, as lmfit's), multiplied by
``redchi = chi2/(ndata - nvary)``: the data's scatter then sets the error bars, whatever
the absolute scale of ``sigma``.  Pass ``scale_covar=False`` when ``sigma`` holds the true
standard deviations of the data (then ``C_p`` is the plain Cramér–Rao covariance, and
``redchi ≈ 1`` is a goodness-of-fit check rather than a rescaling).

A parameter that ends *on* a bound (within :data:`~.parameters.AT_BOUND_RTOL` of it) has
``dp/dz → 0``: a propagated error bar would be a meaningless ~0.  Its stderr is reported
as NaN, the other parameters' covariance is computed as if it were fixed, and the
message says so.  Such a fit reaches ``max_steps`` (the pinned internal coordinate keeps
moving towards infinity, so the step test never passes); it is reported converged when
the free parameters are stationary — one more Gauss–Newton step on them would lower chi2
by less than ``atol + rtol·chi2`` — and as not converged otherwise.

A singular ``JᵀJ`` (parameters the data cannot separate) gives NaN covariance and a
message naming the degenerate combination.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx

from .._checks import DomainError
from .._precision import eps, float_dtype
from . import parameters as P
from ._problem import Layout, flat_residual, prepare
from .result import FitError, FitResult, build_messages, from_arrays

# status codes of one fit (messages in result.py)
OK, MAX_STEPS, NONFINITE, DIVERGED, LINEAR_FAIL, BOUND_OK = 0, 1, 2, 3, 4, 5

#: relative eigenvalue of the normalised JᵀJ below which the covariance is called singular
SINGULAR_RCOND = 1e3


@dataclasses.dataclass(frozen=True)
class _Static:
    layout: Layout
    max_steps: int
    batched: bool
    batch_x: bool


def least_squares(
    model: Callable,
    params: Mapping[str, P.Parameter | float],
    x: Any,
    y: Any,
    sigma: Any = None,
    *,
    batched: bool = False,
    batch_x: bool = False,
    multistart: int = 0,
    key: jax.Array | None = None,
    rtol: float = 1e-10,
    atol: float = 1e-10,
    max_steps: int = 256,
    throw: bool = False,
    scale_covar: bool = True,
) -> FitResult:
    r"""Fit ``model(x, **params)`` to ``y`` by weighted least squares.

    Minimises ``chi2 = Σ_i r_i²`` with ``r = (model(x, **p) - y)/sigma``; complex residuals
    contribute their real and imaginary parts as separate points, pytree outputs (e.g. a
    joint fit of σ_xx and σ_xy sharing parameters, ``y=(sxx, sxy)``) all their leaves.

    Parameters
    ----------
    model
        ``model(x, **p) -> array | pytree``: the prediction for ONE dataset, with the same
        structure and shapes as ``y`` (as one dataset).  Pure JAX, so that it can be
        differentiated, jitted and vmapped.  The same function object reuses the compiled
        fit across calls; a fresh ``lambda`` each call recompiles.
    params
        ``name -> Parameter | float``; a bare float is a free, unbounded parameter started
        there.  Bounds, fixed parameters and per-fit starts live in :class:`Parameter`.
    x
        Independent variable(s), any pytree of arrays passed to ``model`` unchanged; shared
        by all fits of a batch unless ``batch_x=True``.
    y
        Data: array or pytree of arrays, real or complex (finite).  With ``batched=True``
        each leaf has a leading axis of length ``n_batch``.
    sigma
        Standard deviations (> 0, real): ``None`` (all 1), one array broadcast to every
        leaf of ``y``, or a pytree with the structure of ``y``.  For complex data the same
        sigma weights the real and the imaginary parts.
    batched, batch_x
        Fit a stack of datasets in one compiled, vmapped call (module docstring of
        :mod:`dissipax.fit` for how to group them).  ``batch_x=True``: ``x`` leaves carry
        the batch axis too.
    multistart
        Number of extra random starts (0: only the given start).  All starts run in the
        same compiled call; the lowest chi2 among the converged ones wins.  Draws: uniform
        in ``(min, max)`` for two-sided bounds; ``bound ± r·10^U(-1, 1)`` for one-sided
        bounds and ``transform="log"``; ``p0 + |p0|·N(0, 1)`` for unbounded parameters.
    key
        ``jax.random`` key for the multistart draws (default ``PRNGKey(0)``).
    rtol, atol
        Levenberg–Marquardt termination: both the step and the chi2 change below
        ``atol + rtol·|value|`` (optimistix's Cauchy criterion).
    max_steps
        Maximum number of LM steps (accepted or rejected).
    throw
        Raise :class:`FitError` when any fit fails; by default failures are reported in
        ``result.success`` / ``result.message`` and never raised.
    scale_covar
        Scale the covariance by ``redchi`` (lmfit's default); ``False`` when ``sigma`` are
        the true standard deviations.

    Returns
    -------
    FitResult
        Best-fit values, stderr, covariance/correlation of the varying parameters in
        physical space, chi2, redchi, success and a message per fit.

    Raises
    ------
    DomainError
        Before any tracing, on bad input: NaN/inf in the data, ``sigma <= 0``, mismatched
        shapes, bad bounds or starts.
    FitError
        Only with ``throw=True``, when a fit fails.
    """
    if not isinstance(max_steps, (int, np.integer)) or isinstance(max_steps, bool) or max_steps < 1:
        raise DomainError(f"argument 'max_steps' must be an integer >= 1; got {max_steps!r}")
    if (
        not isinstance(multistart, (int, np.integer))
        or isinstance(multistart, bool)
        or multistart < 0
    ):
        raise DomainError(f"argument 'multistart' must be an integer >= 0; got {multistart!r}")
    for nm, tol in (("rtol", rtol), ("atol", atol)):
        if not (np.isscalar(tol) and np.isfinite(tol) and tol >= 0):
            raise DomainError(f"argument '{nm}' must be a finite number >= 0; got {tol!r}")
    if rtol == 0 and atol == 0:
        raise DomainError("arguments 'rtol' and 'atol' cannot both be 0")

    prob = prepare(model, params, x, y, sigma, batched=batched, batch_x=batch_x)
    lay = prob.layout
    vi = np.array(lay.vary_index)

    # starts: (..., n_starts, nvary) physical values; start 0 is the user's
    p0v = prob.p0[..., vi]
    starts = p0v[..., None, :]
    if multistart:
        key = jax.random.PRNGKey(0) if key is None else key
        extra = _random_starts(key, lay, prob, multistart)
        starts = np.concatenate([starts, extra], axis=-2)

    static = _Static(
        layout=lay,
        max_steps=int(max_steps),
        batched=batched,
        batch_x=batch_x,
    )
    fd = float_dtype()
    out = _solve(
        model,
        static,
        prob.x,
        prob.y,
        prob.sigma,
        jnp.asarray(prob.p0, fd),
        jnp.asarray(starts, fd),
        jnp.asarray(prob.lo, fd),
        jnp.asarray(prob.hi, fd),
        jnp.asarray(rtol, fd),
        jnp.asarray(atol, fd),
    )
    out = jax.tree.map(np.asarray, out)
    out.update(_covariance(out, len(lay.vary_index), float(rtol), float(atol)))
    result = _to_result(out, prob, static, multistart, bool(scale_covar))
    if throw and not np.all(result.success):
        raise FitError(result)
    return result


def _random_starts(key, lay: Layout, prob, n: int) -> np.ndarray:
    """``n`` random starts per fit, shape ``(..., n, nvary)`` (see ``multistart``)."""
    batch = () if prob.n_batch is None else (prob.n_batch,)
    cols = []
    for j, i in enumerate(lay.vary_index):
        kind, lo, hi = lay.kinds[i], prob.lo[i], prob.hi[i]
        p0 = prob.p0[..., i][..., None]
        k = jax.random.fold_in(key, j)
        if kind == P.BOTH:
            # uniform inside, kept off the bounds themselves
            q = np.asarray(jax.random.uniform(k, (*batch, n), minval=1e-3, maxval=1 - 1e-3))
            cols.append(lo + (hi - lo) * q)
        elif kind in (P.LOWER, P.LOG, P.UPPER):
            f = 10.0 ** np.asarray(jax.random.uniform(k, (*batch, n), minval=-1.0, maxval=1.0))
            cols.append(lo + (p0 - lo) * f if kind != P.UPPER else hi - (hi - p0) * f)
        else:
            s = np.where(p0 != 0, np.abs(p0), 1.0)
            cols.append(p0 + s * np.asarray(jax.random.normal(k, (*batch, n))))
    return np.stack(cols, axis=-1)


@eqx.filter_jit
def _solve(model, static: _Static, x, y, sigma, p0, starts, lo, hi, rtol, atol):
    def fit(xx, yy, ss, pp, st):
        return _fit_one(model, static, xx, yy, ss, pp, st, lo, hi, rtol, atol)

    if static.batched:
        fit = jax.vmap(fit, in_axes=(0 if static.batch_x else None, 0, 0, 0, 0))
    return fit(x, y, sigma, p0, starts)


def _fit_one(model, static: _Static, x, y, sigma, p0, starts, lo, hi, rtol, atol):
    """Fit one dataset from each of ``starts`` (vmapped), keep the best; all in-graph."""
    lay = static.layout
    coords = P.Coordinates(lay, p0, lo, hi)

    def residual(z, args=None):
        return flat_residual(model, lay, coords.params(z), x, y, sigma)

    solver = optx.LevenbergMarquardt(rtol=rtol, atol=atol)

    def one_start(pv_start):
        z_start = coords.z_of(pv_start)
        r_start = residual(z_start)
        sol = optx.least_squares(residual, solver, z_start, max_steps=static.max_steps, throw=False)
        res = sol.result
        code = jnp.where(
            res == optx.RESULTS.successful,
            OK,
            jnp.where(
                res == optx.RESULTS.nonlinear_max_steps_reached,
                MAX_STEPS,
                jnp.where(
                    res == optx.RESULTS.nonfinite,
                    NONFINITE,
                    jnp.where(res == optx.RESULTS.nonlinear_divergence, DIVERGED, LINEAR_FAIL),
                ),
            ),
        )
        chi2 = jnp.sum(residual(sol.value) ** 2)
        code = jnp.where((code == OK) & ~jnp.isfinite(chi2), NONFINITE, code)
        start_ok = jnp.all(jnp.isfinite(r_start))
        return sol.value, chi2, code, sol.stats["num_steps"], start_ok

    if starts.shape[0] == 1:  # no multistart: skip the batching of the solver loop
        outs = jax.tree.map(lambda a: a[None], one_start(starts[0]))
    else:
        outs = jax.vmap(one_start)(starts)
    zs, chi2s, codes, steps, start_oks = outs
    score = jnp.where(jnp.isfinite(chi2s), chi2s, jnp.inf)
    good = codes == OK
    best = jnp.where(jnp.any(good), jnp.argmin(jnp.where(good, score, jnp.inf)), jnp.argmin(score))
    z = zs[best]
    chi2 = chi2s[best]

    # uncertainties at the optimum
    r = residual(z)
    jac = jax.jacfwd(residual)(z)  # (ndata, nvary)
    d = coords.dp_dz(z)
    pv = coords.physical(z)
    at_bound = coords.at_bound(pv)
    # the small (nvary x nvary) linear algebra runs in NumPy after the call (_covariance):
    # it keeps eigen-decompositions out of the compiled graph (faster compilation)
    g = jnp.where(at_bound, 0.0, jac.T @ r)
    ata = jac.T @ jac

    p_all = coords.full(pv)
    return dict(
        params=p_all,
        ata=ata,
        grad=g,
        dpdz=d,
        chi2=chi2,
        ndata=jnp.asarray(r.shape[0]),
        code=codes[best],
        nsteps=steps[best],
        start_ok=start_oks[best],
        at_bound=at_bound,
        best_start=best,
        n_converged=jnp.sum(good),
    )


def _covariance(out: dict, nvary: int, rtol: float, atol: float) -> dict:
    """Covariance, singularity, KKT status and redchi from the compiled call's output.

    ``(JᵀJ)⁻¹`` over the parameters not pinned at a bound, by :func:`inverse_information`.

    A parameter pushed into its bound never meets the solver's step test in z (its internal
    coordinate keeps running off to infinity, and the free parameters track its slow
    crawl), so such fits end at max_steps.  They are converged (a KKT check) when one more
    Gauss-Newton step on the *free* parameters would lower chi2 by less than
    ``atol + rtol·chi2``: the free parameters are then within ~sqrt(rtol·chi2) of their
    (unscaled) standard errors of the constrained optimum.
    """
    at_bound = np.asarray(out["at_bound"], bool)
    n = nvary
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    cov_z, singular, weak, _ = inverse_information(np.asarray(out["ata"], float), at_bound)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = np.asarray(out["grad"], float)
        decrease = np.einsum("...i,...ij,...j->...", g, cov_z, g)
        chi2 = np.asarray(out["chi2"], float)
        stationary = decrease <= atol + rtol * chi2
        code = np.asarray(out["code"])
        bound_ok = (
            (code == MAX_STEPS)
            & np.any(at_bound, axis=-1)
            & ~singular
            & stationary
            & np.isfinite(chi2)
        )
        code = np.where(bound_ok, BOUND_OK, code)
        d = np.asarray(out["dpdz"], float)
        cov = d[..., :, None] * cov_z * d[..., None, :]
        cov = np.where(mask, np.nan, cov)
        dof = int(np.asarray(out["ndata"]).ravel()[0]) - n
        redchi = chi2 / dof if dof > 0 else np.full_like(chi2, np.nan)
    return dict(cov=cov, singular=singular, weak=weak, code=code, redchi=redchi)


def inverse_information(a, at_bound):
    """Inverse of information matrices ``a`` (``JᵀJ`` or a Hessian), with a singularity check.

    NumPy, after the compiled call (eigen-decompositions kept out of the graph); batched
    over leading axes.  Only the parameters not pinned at a bound (``at_bound``) enter.
    ``a`` is normalised to unit diagonal before the eigen-decomposition, so the test is on
    the *correlation* structure, independent of units.  Returns the inverse (NaN where
    singular), the singular flag, the eigenvector of the smallest eigenvalue (``weak``:
    the combination the data cannot determine) and that smallest eigenvalue relative to
    the largest (``lowest``; negative for a Hessian that is not positive definite, which
    is reported singular too).
    """
    a = np.asarray(a, float)
    at_bound = np.asarray(at_bound, bool)
    n = a.shape[-1]
    eye = np.eye(n)
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    a = np.where(mask, eye, a)
    with np.errstate(invalid="ignore", divide="ignore"):
        diag = np.diagonal(a, axis1=-2, axis2=-1)
        bad_diag = ~(diag > 0)  # zero column (or NaN): the parameter has no effect
        scale = np.where(bad_diag, 1.0, 1.0 / np.sqrt(np.where(bad_diag, 1.0, diag)))
        c = scale[..., :, None] * a * scale[..., None, :]
        finite = np.all(np.isfinite(c), axis=(-2, -1))
        c = np.where(finite[..., None, None], c, eye)
        w, v = np.linalg.eigh(c)
        singular = (
            np.any(bad_diag, axis=-1)
            | ~finite
            | (w[..., 0] <= SINGULAR_RCOND * n * eps() * w[..., -1])
        )
        w_safe = np.where(singular[..., None], 1.0, w)
        c_inv = (v / w_safe[..., None, :]) @ np.swapaxes(v, -1, -2)
        inv = scale[..., :, None] * c_inv * scale[..., None, :]
        inv = np.where(singular[..., None, None], np.nan, inv)
        weak = np.where(
            np.any(bad_diag, axis=-1)[..., None], bad_diag.astype(float), np.abs(v[..., :, 0])
        )
        lowest = np.where(
            np.any(bad_diag & (diag < 0), axis=-1), -1.0, w[..., 0] / np.maximum(w[..., -1], eps())
        )
        lowest = np.where(finite, lowest, np.nan)
    return inv, singular, weak, lowest


def _to_result(out: dict, prob, static: _Static, multistart: int, scale_covar: bool) -> FitResult:
    lay = static.layout
    batched = prob.n_batch is not None
    cov = out["cov"]
    if scale_covar:
        cov = cov * np.asarray(out["redchi"])[..., None, None]
    code = out["code"]
    success = ((code == OK) | (code == BOUND_OK)) & np.isfinite(out["chi2"]) & out["start_ok"]
    messages = build_messages(
        out,
        ndata=prob.ndata,
        layout=lay,
        p0=prob.p0,
        max_steps=static.max_steps,
        multistart=multistart,
        batched=batched,
        scale_covar=scale_covar,
    )
    sc = (lambda a: a) if batched else (lambda a: a[()])
    extra = dict(
        nsteps=out["nsteps"],
        best_start=out["best_start"],
        n_converged=out["n_converged"],
        at_bound=out["at_bound"],
        singular=out["singular"],
    )
    return from_arrays(
        out["params"],
        cov,
        prob.p0,
        layout=lay,
        bounds={n: prob.params[n].bounds for n in lay.names},
        batched=batched,
        chi2=sc(out["chi2"]),
        redchi=sc(out["redchi"]),
        ndata=prob.ndata,
        success=sc(success) if batched else bool(success),
        message=messages if batched else messages[0],
        scale_covar=scale_covar,
        n_starts=multistart + 1,
        max_steps=static.max_steps,
        extra={k: sc(v) for k, v in extra.items()},
    )
