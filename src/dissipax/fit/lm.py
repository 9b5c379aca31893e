"""Weighted nonlinear least squares: the fit pipeline, single or batched.

One pipeline for every least-squares fit of dissipax:

1. **Problem** (:mod:`._problem`): the user's inputs validated at the Python boundary,
   then *packed* — a leading batch axis on every data leaf, a mask (``False`` on points
   that are not data), and data lengths and batch sizes padded to their *bucket*
   (:func:`._problem.bucket`) so that a new curve of a similar length reuses the compiled
   executable.  Compilation is keyed on the model, the parameter layout, the solver and
   the bucketed shapes — never on data values, starts, bounds or tolerances.
2. **Solver** (:mod:`.solvers`): an equinox module, by default
   :class:`~.solvers.LevenbergMarquardt`, run on every (fit, start) job in one compiled,
   ``vmap``-ed call on the bound-enforcing internal coordinates of :mod:`.parameters`.
3. **Post-processing** (NumPy, after the call, one step for every solver): the covariance
   through the transform Jacobian, parameters pinned at bounds, the Bates–Watts
   stationarity test, the caller's :class:`~.policy.Check` hooks, one
   :class:`~._status.Status` per fit and its message.
4. **Retry** (:class:`~.policy.Retry`): failed fits re-fitted with extra starts by the same
   pipeline, the better fit kept — before the result is returned.

A fit's iterates do not depend on the batch it runs in: masked and padded points
contribute exact zeros to the residual and the Jacobian, padded fits are dropped.

Honest success.  The Cauchy test passes whenever a step changes nothing, which also
happens where the solver is stuck rather than converged: the damping has grown until the
steps vanish (float32 rounding of an ill-conditioned fit), or a parameter has been pushed
so close to its bound that the bound-enforcing map hides its gradient (``dp/dz → 0``).
So after the solver, at the returned point, :func:`stationarity` asks how much one more
Gauss-Newton step (on the free parameters, or moving a pinned parameter into its range)
would lower chi2, relative to the parameters' confidence region (Bates & Watts' relative
offset): above :data:`OFFSET_TOL` the fit is reported ``success=False`` with a message
that says why and what to change.

Uncertainties (lmfit's convention).  At the optimum ``z*`` the covariance of the internal
coordinates is ``C_z = (J_zᵀ J_z)⁻¹`` with ``J_z`` the Jacobian of the weighted residual;
it is carried to physical space by the (diagonal) transform Jacobian ``D = dp/dz``,
``C_p = D C_z D``, and, with ``scale_covar=True`` (the default, as lmfit's), multiplied by
``redchi = chi2/(ndata - nvary)`` with ``ndata`` the fit's own number of (unmasked)
points.  Pass ``scale_covar=False`` when ``sigma`` holds the true standard deviations.

A parameter that ends *on* a bound (within :data:`~.parameters.AT_BOUND_RTOL` of it) has
``dp/dz → 0``: its stderr is reported as NaN, the other parameters' covariance is computed
as if it were fixed, and the message says so.  Such a fit reaches ``max_steps`` (the
pinned internal coordinate keeps moving towards infinity); it is reported converged
(``BOUND_OK``) when the free parameters are stationary, and as not converged otherwise.
A singular ``JᵀJ`` gives NaN covariance and a message naming the degenerate combination.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, collect_guard_failures, deferred_guards, raise_guard_failures
from .._precision import eps, float_dtype, x64_enabled
from . import parameters as P
from ._assess import (
    SCREEN_MAX,
    in_graph,
    inverse_information,
    normalized_information,
    on_host,
    stationarity,
)
from ._codegen import Compiled, check_codegen, choose, choose_step, chunk_size
from ._problem import Layout, flat_residual, pack, prepare
from ._status import Status, succeeded
from ._tolerances import OFFSET_TOL, SINGULAR_RCOND, TOL_FLOOR_EPS
from .policy import Check, Retry
from .result import FitError, FitResult, build_messages, from_arrays
from .solvers import AbstractLeastSquaresSolver, LevenbergMarquardt, gram, linearize

__all__ = [
    "OFFSET_TOL",
    "SINGULAR_RCOND",
    "TOL_FLOOR_EPS",
    "inverse_information",
    "least_squares",
    "normalized_information",
    "stationarity",
]


@dataclasses.dataclass(frozen=True)
class _Static:
    """What the compiled call is keyed on (besides the model and the arrays' shapes)."""

    layout: Layout
    solver: AbstractLeastSquaresSolver
    max_steps: int
    batch_x: bool
    #: the model's run-time guards record violations instead of raising (sharded solves)
    deferred: bool = False
    #: fits per chunk of the batch (0: the whole batch at once; :func:`._codegen.chunk_size`)
    chunk: int = 0
    #: the optimum is assessed inside the solve (:func:`._assess.in_graph`)
    assess: bool = False


def least_squares(
    model: Callable,
    params: Mapping[str, P.Parameter | float],
    x: Any,
    y: Any,
    sigma: Any = None,
    *,
    batched: bool = False,
    batch_x: bool = False,
    mask: Any = None,
    multistart: int = 0,
    key: jax.Array | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_steps: int = 256,
    throw: bool = False,
    scale_covar: bool = True,
    solver: AbstractLeastSquaresSolver | None = None,
    retry: Retry | None = None,
    checks: tuple[Check, ...] = (),
    extras: Callable | Mapping | None = None,
    buckets: bool = True,
    devices=None,
    codegen: str = "auto",
) -> FitResult:
    r"""Fit ``model(x, **params)`` to ``y`` by weighted least squares.

    Minimises ``chi2 = Σ_i r_i²`` with ``r = (model(x, **p) - y)/sigma`` over the points
    where ``mask`` is True; complex residuals contribute their real and imaginary parts as
    separate points, pytree outputs (e.g. a joint fit of σ_xx and σ_xy sharing parameters,
    ``y=(sxx, sxy)``) all their leaves.

    Parameters
    ----------
    model
        ``model(x, **p) -> array | pytree``: the prediction for ONE dataset, with the same
        structure and shapes as ``y`` (as one dataset).  Pure JAX, so that it can be
        differentiated, jitted and vmapped.  The same function object reuses the compiled
        fit across calls (and, through JAX's persistent cache, across processes); a fresh
        ``lambda`` each call recompiles.
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
        Fit a stack of datasets in one compiled, vmapped call.  ``batch_x=True``: ``x``
        leaves carry the batch axis too.
    mask
        Boolean arrays like ``y`` (or one array for every leaf): ``False`` marks points
        that are not data, e.g. the padding of ragged curves (:func:`pack_ragged`).  They
        change nothing: not chi2, the Jacobian, ``ndata``, ``redchi`` or the covariance.
    multistart
        Number of extra random starts (0: only the given start).  All starts run in the
        same compiled call; the lowest chi2 among the converged ones wins.  Draws: uniform
        in ``(min, max)`` for two-sided bounds; ``bound ± r·10^U(-1, 1)`` for one-sided
        bounds and ``transform="log"``; ``p0 + |p0|·N(0, 1)`` for unbounded parameters.
    key
        ``jax.random`` key for the multistart draws (default ``PRNGKey(0)``).
    rtol, atol
        Termination tolerances (override the solver's): the last step changed every
        internal coordinate and chi2 by less than ``atol + rtol·|value|``.  ``None``:
        :func:`default_tolerance` of the working dtype (1e-10 in float64, ``sqrt(eps)`` in
        float32), floored at ``TOL_FLOOR_EPS · eps``.  Passing the test is necessary, not
        sufficient: the fit is converged only if it also ends at a stationary point
        (:func:`stationarity`), else ``success=False`` and the message says why.
        Changing them does not recompile.
    max_steps
        Maximum number of solver steps (accepted or rejected).
    throw
        Raise :class:`FitError` when any fit fails; by default failures are reported in
        ``result.success`` / ``result.message`` and never raised.
    scale_covar
        Scale the covariance by ``redchi`` (lmfit's default); ``False`` when ``sigma`` are
        the true standard deviations.
    solver
        The solver module (default :class:`~dissipax.fit.solvers.LevenbergMarquardt`).
    retry
        A :class:`~dissipax.fit.Retry` policy for fits that fail (default: none).
    checks
        :class:`~dissipax.fit.Check` hooks that may reject an optimum (status
        ``DEGENERATE``, retried under ``retry``).
    extras
        Per-fit diagnostics to store in ``result.extra``: a dict of arrays, or a callable
        ``extras(params) -> dict`` of the fitted values (``name -> (n_fit,)`` arrays).
    buckets
        Pad data lengths and batch sizes to their bucket (module notes) so that similar
        problems share one executable.  Needs a pointwise model (each prediction depends
        on its own ``x``); pass ``False`` for a model that couples the points.
    devices
        Shard the batch axis over devices: ``None`` (default: all local devices when the
        batch has at least :data:`SHARD_MIN_PER_DEVICE` fits per device), a number of
        local devices, or a list of ``jax.Device``.  The fits are independent, so the
        results equal those on one device.
    codegen
        How the solve is compiled (:mod:`dissipax.fit._codegen`): ``"auto"`` (default:
        fast-compiling code for at most ``FAST_COMPILE_MAX_JOBS`` (fit, start) jobs on CPU,
        XLA's optimised code otherwise and on accelerators), ``"fast-compile"`` or
        ``"fast-run"``.  The results agree to rounding.

    Returns
    -------
    FitResult
        Best-fit values, stderr, covariance/correlation of the varying parameters in
        physical space, chi2, redchi, status, success and a message per fit.

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
    solver = _DEFAULT_SOLVER if solver is None else solver
    if not isinstance(solver, AbstractLeastSquaresSolver):
        raise DomainError(f"argument 'solver' must be a least-squares solver; got {solver!r}")
    if retry is not None and not isinstance(retry, Retry):
        raise DomainError(f"argument 'retry' must be a dissipax.fit.Retry or None; got {retry!r}")
    checks = tuple(checks)
    if not all(isinstance(c, Check) for c in checks):
        raise DomainError("argument 'checks' must be a tuple of dissipax.fit.Check")
    rtol = getattr(solver, "rtol", None) if rtol is None else rtol
    atol = getattr(solver, "atol", None) if atol is None else atol
    rtol, atol = effective_tolerances(rtol, atol)
    codegen = check_codegen(codegen)

    prob = prepare(model, params, x, y, sigma, batched=batched, batch_x=batch_x, mask=mask)
    opts = _Options(
        multistart=int(multistart),
        key=key,
        max_steps=int(max_steps),
        scale_covar=bool(scale_covar),
        solver=solver,
        checks=checks,
        buckets=bool(buckets),
        devices=devices,
        rtol=rtol,
        atol=atol,
        codegen=codegen,
    )
    result = _fit(model, prob, opts)
    if retry is not None:
        result = _retry(model, prob, opts, retry, result)
    if extras is not None:
        result = _with_extras(result, extras)
    if throw and not np.all(result.success):
        raise FitError(result)
    return result


@dataclasses.dataclass(frozen=True)
class _Options:
    multistart: int
    key: Any
    max_steps: int
    scale_covar: bool
    solver: AbstractLeastSquaresSolver
    checks: tuple
    buckets: bool
    devices: Any
    rtol: float
    atol: float
    codegen: str


#: the solver of a fit that names none
_DEFAULT_SOLVER = LevenbergMarquardt()


def _stripped(solver, codegen: str, iterative: bool):
    if getattr(solver, "rtol", None) is not None or getattr(solver, "atol", None) is not None:
        solver = dataclasses.replace(solver, rtol=None, atol=None)
    return choose_step(solver, codegen, iterative)


_stripped_cached = functools.lru_cache(maxsize=64)(_stripped)


def _keyed(solver, codegen: str, iterative: bool):
    """Return the solver as the compiled call is keyed on.

    Without its tolerances (traced values), with ``step="auto"`` resolved
    (:func:`._codegen.choose_step`).  The copies are cached: an equinox module is rebuilt
    in ~0.1 ms, a visible part of the Python overhead around a large batched fit.
    """
    try:
        return _stripped_cached(solver, codegen, iterative)
    except TypeError:  # a solver with unhashable fields
        return _stripped(solver, codegen, iterative)


def _fit(model, prob, opts: _Options) -> FitResult:
    """Pack, solve and post-process one problem (no retry)."""
    lay = prob.layout
    vi = np.array(lay.vary_index)
    devices = _devices(opts.devices, 1 if prob.n_batch is None else prob.n_batch)
    packed = pack(prob, buckets=opts.buckets, multiple=len(devices) if devices else 1)
    n_fit = packed.n_fit
    # starts: (n_pad, n_starts, nvary) physical values; start 0 is the user's
    starts = packed.p0[:, None, vi]
    if opts.multistart:
        key = jax.random.PRNGKey(0) if opts.key is None else opts.key
        extra = np.atleast_3d(_random_starts(key, lay, prob, opts.multistart))
        if prob.n_batch is None:
            extra = extra.reshape(1, opts.multistart, len(vi))
        extra = np.concatenate([extra, np.repeat(extra[:1], packed.p0.shape[0] - n_fit, 0)])
        starts = np.concatenate([starts, extra], axis=1)
    n_jobs = starts.shape[0] * starts.shape[1]
    per_job = lay.residuals(leaf[0].size for leaf in jax.tree.leaves(packed.y))
    codegen = choose(opts.codegen, n_jobs, devices, prob.iterative, n_jobs * per_job)
    solver = _keyed(opts.solver, codegen, prob.iterative)
    static = _Static(
        layout=lay,
        solver=solver,
        max_steps=opts.max_steps,
        batch_x=packed.batch_x,
        deferred=bool(devices),
        chunk=chunk_size(starts.shape[0], starts.shape[1], devices),
        # (with the "normal" step: large solves, where the host's NumPy would cost)
        assess=x64_enabled() and len(vi) <= SCREEN_MAX and getattr(solver, "step", "") == "normal",
    )
    fd = float_dtype()
    batch = (packed.y, packed.sigma, packed.mask, np.asarray(packed.p0, fd), np.asarray(starts, fd))
    x = packed.x
    if devices:  # the batch axis split over the devices (SPMD: each fit is independent)
        batch = _shard(batch, devices)
        if packed.batch_x:
            x = _shard(x, devices)
    # host (NumPy) arrays: jnp.asarray on host data would compile its own small programs
    args = (
        model,
        static,
        x,
        *batch,
        np.asarray(prob.lo, fd),
        np.asarray(prob.hi, fd),
        np.asarray(opts.rtol, fd),
        np.asarray(opts.atol, fd),
    )
    if devices:
        # A raising guard in a program partitioned over devices would stop one device while
        # the others wait for it (the process hangs or aborts): the sharded solve is traced
        # with deferred guards, which record the violation, and the error is raised here.
        with collect_guard_failures() as failures:
            out = jax.block_until_ready(_SOLVE(codegen)(*args))
            jax.effects_barrier()
            raise_guard_failures(failures, f" (in a fit sharded over {len(devices)} devices)")
    else:
        out = _SOLVE(codegen)(*args)
    out = {k: np.asarray(v)[:n_fit] for k, v in out.items()}
    ndata = prob.ndata_each
    out = on_host(out, ndata, opts.rtol, opts.atol)
    return _to_result(out, prob, opts, ndata)


def _solve(model, static: _Static, x, y, sigma, mask, p0, starts, lo, hi, rtol, atol):
    """Every (fit, start) job in one compiled call; per-fit results stacked.

    ``y``, ``sigma``, ``mask``, ``p0`` and ``starts`` carry the (padded) batch axis, ``x``
    too with ``batch_x``.  Each fit runs its starts by the solver, keeps the best, and
    returns the ingredients of its uncertainties (the residual and the Jacobian in
    physical units at the returned point, the transform Jacobian, bound flags).
    """
    with deferred_guards() if static.deferred else contextlib.nullcontext():
        return _solve_jobs(model, static, x, y, sigma, mask, p0, starts, lo, hi, rtol, atol)


def _solve_jobs(model, static: _Static, x, y, sigma, mask, p0, starts, lo, hi, rtol, atol):
    """Trace the body of :func:`_solve` (every job of the batch)."""
    lay = static.layout
    n_start = starts.shape[1]

    def fit_one(xx, yy, ss, mm, pp0, st):
        c = P.Coordinates(lay, pp0, lo, hi)

        def residual_p(pv):
            return flat_residual(model, lay, c.named(pv), xx, yy, ss, mm)

        def lin(z):
            # A trial point with a non-finite parameter (a diverging step, a map that
            # overflowed) is never handed to the model, whose run-time domain guards would
            # raise on it: the model runs at the start instead and the residual is +inf,
            # so the solver rejects the step (or the fit ends as non-finite).
            pv = c.physical(z)
            finite = jnp.all(jnp.isfinite(pv))
            pv = jnp.where(finite, pv, c.p0[jnp.array(lay.vary_index)])
            r, jac_p = linearize(residual_p, pv)
            jac_z = jac_p * c.dp_dz(z)[None, :]
            return jnp.where(finite, r, jnp.inf), jac_z, jac_p

        z0 = jax.vmap(c.z_of)(st)
        # lin's output shapes, known from the data (no extra trace of the model to find them)
        m = lay.residuals(leaf.size for leaf in jax.tree.leaves(yy))
        jac = jax.ShapeDtypeStruct((m, z0.shape[1]), z0.dtype)
        shapes = (jax.ShapeDtypeStruct((m,), z0.dtype), jac, jac)

        def run(z):
            return static.solver.run(lin, z, rtol, atol, static.max_steps, shapes)

        res = jax.tree.map(lambda a: a[None], run(z0[0])) if n_start == 1 else jax.vmap(run)(z0)
        good = (res["status"] == Status.OK) & res["start_ok"]
        score = jnp.where(jnp.isfinite(res["chi2"]), res["chi2"], jnp.inf)
        best = jnp.where(
            jnp.any(good), jnp.argmin(jnp.where(good, score, jnp.inf)), jnp.argmin(score)
        )
        b = jax.tree.map(lambda a: a[best], res)
        pv = c.physical(b["z"])
        at_bound = c.at_bound(pv)
        r, jac_p, dpdz = b["r"], b["aux"], c.dp_dz(b["z"])
        # the reductions of the residual and the Jacobian that the uncertainties and the
        # stationarity test need (the (ndata, nvary) arrays stay on the device), in one pass
        ata_p, grad_p, _ = gram(jac_p, r)
        fit = dict(
            params=c.full(pv),
            ata=dpdz[:, None] * ata_p * dpdz[None, :],
            grad=dpdz * grad_p,
            grad_p=grad_p,
            colsq_p=jnp.diagonal(ata_p),
            abs_r=jnp.sum(jnp.abs(r)),
            dpdz=dpdz,
            at_lower=at_bound & c.nearer_lower(pv),
            at_bound=at_bound,
            chi2=b["chi2"],
            code=b["status"],
            nsteps=b["steps"],
            start_ok=b["start_ok"],
            best_start=best,
            n_converged=jnp.sum(good),
        )
        if static.assess:  # covariance and convergence checks in the graph (_assess notes)
            ndata = lay.residuals(jnp.sum(m) for m in jax.tree.leaves(mm))
            fit.update(in_graph(fit, ndata, rtol, atol))
        return fit

    in_x = 0 if static.batch_x else None
    if p0.shape[0] == 1:  # one fit: no batch dimension in the graph (a smaller compile)
        first = lambda t: jax.tree.map(lambda a: a[0], t)  # noqa: E731
        xx = first(x) if static.batch_x else x
        out = fit_one(xx, *first((y, sigma, mask, p0, starts)))
        return jax.tree.map(lambda a: a[None], out)
    vm = jax.vmap(fit_one, in_axes=(in_x, 0, 0, 0, 0, 0))
    B, chunk = p0.shape[0], static.chunk
    if not chunk or chunk >= B:
        return vm(x, y, sigma, mask, p0, starts)
    # the batch in consecutive chunks (module notes of _codegen: cache-sized working sets)
    k = B // chunk
    split = lambda t: jax.tree.map(lambda a: a.reshape((k, chunk) + a.shape[1:]), t)  # noqa: E731

    def one_chunk(args):
        xc, rest = args
        return vm(xc if static.batch_x else x, *rest)

    xs = split(x) if static.batch_x else None
    out = jax.lax.map(one_chunk, (xs, split((y, sigma, mask, p0, starts))))
    return jax.tree.map(lambda a: a.reshape((B,) + a.shape[2:]), out)


#: the solve, jitted for either code generation (:class:`._codegen.Compiled`)
_SOLVE = Compiled(_solve)


def _to_result(out: dict, prob, opts: _Options, ndata) -> FitResult:
    """Build the :class:`FitResult` of one solve: checks, status, messages."""
    lay = prob.layout
    code = np.asarray(out["code"])
    chi2 = np.asarray(out["chi2"], float)
    notes = None
    if opts.checks:
        n = code.shape[0]
        values = {nm: out["params"][:, i] for i, nm in enumerate(lay.names)}
        x_user = jax.tree.map(np.asarray, prob.x)
        if prob.n_batch is None and prob.batch_x:
            x_user = jax.tree.map(lambda a: a[None], x_user)
        m = None
        if prob.mask is not None:
            m = jax.tree.map(
                lambda a: np.asarray(a)[None] if prob.n_batch is None else np.asarray(a), prob.mask
            )
        notes = [""] * n
        for chk in opts.checks:
            bad = np.broadcast_to(np.asarray(chk.fn(values, x_user, m), bool), (n,))
            bad = bad & succeeded(code)
            code = np.where(bad, Status.DEGENERATE, code)
            notes = [
                f"{chk.note}; {t}" if bi and t else (chk.note if bi else t)
                for t, bi in zip(notes, bad)
            ]
        out = {**out, "code": code}
    cov = out["cov"]
    if opts.scale_covar:
        cov = cov * np.asarray(out["redchi"])[..., None, None]
    success = succeeded(code) & np.isfinite(chi2) & np.asarray(out["start_ok"], bool)
    messages = build_messages(
        out,
        ndata=ndata,
        layout=lay,
        p0=np.atleast_2d(prob.p0),
        max_steps=opts.max_steps,
        multistart=opts.multistart,
        scale_covar=opts.scale_covar,
        notes=notes,
    )
    extra = dict(
        nsteps=out["nsteps"],
        best_start=out["best_start"],
        n_converged=out["n_converged"],
        at_bound=out["at_bound"],
        singular=out["singular"],
        relative_offset=out["relative_offset"],
        gn_decrease=out["gn_decrease"],
        retried=np.zeros(code.shape, bool),
    )
    res = from_arrays(
        out["params"],
        cov,
        np.atleast_2d(prob.p0),
        layout=lay,
        bounds={n: prob.params[n].bounds for n in lay.names},
        batched=True,
        chi2=chi2,
        redchi=out["redchi"],
        ndata=ndata,
        success=success,
        status=code,
        message=messages,
        scale_covar=opts.scale_covar,
        n_starts=opts.multistart + 1,
        max_steps=opts.max_steps,
        extra=extra,
        method=f"{type(opts.solver).__name__} (dissipax)",
    )
    # (a method looked up on an equinox module is wrapped anew each time: only when needed)
    return res._single_if(True) if prob.n_batch is None else res


def _rows_of(prob, rows) -> tuple:
    """``(x, y, sigma, mask, params)`` of the fits ``rows`` of ``prob`` (batched)."""
    if prob.n_batch is None:
        return prob.x, prob.y, prob.sigma, prob.mask, prob.params
    pick = lambda t: jax.tree.map(lambda a: np.asarray(a)[rows], t)  # noqa: E731
    x = pick(prob.x) if prob.batch_x else prob.x
    mask = None if prob.mask is None else pick(prob.mask)
    return x, pick(prob.y), pick(prob.sigma), mask, _params_rows(prob.params, rows)


def _params_rows(params: Mapping, rows) -> dict:
    out = {}
    for k, p in params.items():
        p = P.as_parameter(k, p)
        v = np.asarray(p.value)
        out[k] = dataclasses.replace(p, value=v[rows]) if v.ndim == 1 else p
    return out


def _retry(model, prob, opts: _Options, retry: Retry, result: FitResult) -> FitResult:
    """Apply a :class:`Retry` policy to ``result`` (a new result; ``result`` unchanged)."""
    rows = retry.rows(np.atleast_1d(result.success))
    if rows.size == 0:
        return result
    x, y, sigma, mask, params = _rows_of(prob, rows)
    if retry.params is not None:
        params = _params_rows(retry.params, rows) if prob.n_batch is not None else retry.params
    sub_prob = prepare(
        model,
        params,
        x,
        y,
        sigma if prob.sigma_given else None,
        batched=prob.n_batch is not None,
        batch_x=prob.batch_x,
        mask=mask,
    )
    sub = _fit(model, sub_prob, dataclasses.replace(opts, multistart=retry.multistart))
    batch = result._as_batch()
    sub_b = sub._as_batch()
    take = Retry.better(
        np.asarray(batch.arrays["success"])[rows],
        np.asarray(batch.arrays["chi2"])[rows],
        sub_b.arrays["success"],
        sub_b.arrays["chi2"],
    )
    if not np.any(take):
        return result
    idx = np.flatnonzero(take)
    marked = sub_b.take(idx)
    marked = dataclasses.replace(
        marked, extra_arrays={**marked.extra_arrays, "retried": np.ones(idx.size, bool)}
    )
    out = batch.with_rows(rows[idx], marked, retry.text, keep_extra=("best_start",))
    return out._single_if(result.single)


#: a batch is sharded over all local devices by default when it has at least this many fits
#: per device (below, the communication of the loop's stop test costs more than it saves)
SHARD_MIN_PER_DEVICE = 8


def _devices(devices, n_fit: int) -> list | None:
    """Return the devices a batch of ``n_fit`` fits is sharded over (``None``: none)."""
    if devices is None:
        local = jax.local_devices()
        if len(local) > 1 and n_fit >= SHARD_MIN_PER_DEVICE * len(local):
            return list(local)
        return None
    if isinstance(devices, (int, np.integer)) and not isinstance(devices, bool):
        local = jax.local_devices()
        if not 1 <= devices <= len(local):
            raise DomainError(
                f"argument 'devices' must be between 1 and the {len(local)} local devices; "
                f"got {devices}"
            )
        return None if devices == 1 else list(local[:devices])
    devices = list(devices)
    if not devices or not all(isinstance(d, jax.Device) for d in devices):
        raise DomainError(
            "argument 'devices' must be None (automatic), a number of local devices, or a "
            f"list of jax devices; got {devices!r}"
        )
    return None if len(devices) == 1 else devices


def _shard(tree, devices):
    """Put every leaf of ``tree`` on ``devices``, split along its leading (batch) axis."""
    mesh = jax.sharding.Mesh(np.asarray(devices), ("batch",))
    spec = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("batch"))
    return jax.tree.map(lambda a: jax.device_put(np.asarray(a), spec), tree)


def _with_extras(result: FitResult, extras) -> FitResult:
    """Return ``result`` with the caller's per-fit diagnostics in ``extra`` (a new result)."""
    batch = result._as_batch()
    vals = extras(batch._named("values")) if callable(extras) else extras
    n = len(batch)
    add = {
        k: np.broadcast_to(np.asarray(v), (n,) + np.shape(v)[1:] if np.ndim(v) else (n,))
        for k, v in vals.items()
    }
    out = dataclasses.replace(batch, extra_arrays={**batch.extra_arrays, **add})
    return out._single_if(result.single)


def default_tolerance() -> float:
    """Default ``rtol`` and ``atol`` of :func:`least_squares` for the working dtype.

    float64: 1e-10.  float32 (``DISSIPAX_X64=0``): ``sqrt(eps)`` = 3.5e-4, MINPACK's rule
    (lmfit's ``ftol = xtol = 1.49e-8`` in float64): near the minimum chi2 changes as the
    square of the step, so a step below ``sqrt(eps)`` of the parameters changes chi2 by less
    than its rounding (``eps·chi2``) and cannot be verified.  A smaller tolerance only adds
    steps that the trust region accepts or rejects on rounding noise (measured: the
    float32 joint vortex fit ends at the same point after 6 steps instead of 27).
    """
    return 1e-10 if x64_enabled() else float(np.sqrt(eps()))


def effective_tolerances(rtol, atol) -> tuple[float, float]:
    """Return the validated ``(rtol, atol)`` that the solver uses.

    ``None`` becomes :func:`default_tolerance`; values are floored at
    :data:`TOL_FLOOR_EPS` ``· eps`` (which changes nothing in float64 for tolerances
    >= 2.2e-15).
    """
    out = []
    for nm, tol in (("rtol", rtol), ("atol", atol)):
        if tol is None:
            tol = default_tolerance()
        real = isinstance(tol, (int, float, np.integer, np.floating)) and not isinstance(tol, bool)
        if not (real and np.isfinite(tol) and tol >= 0):
            raise DomainError(f"argument '{nm}' must be a finite number >= 0; got {tol!r}")
        out.append(tol)
    if out[0] == 0 and out[1] == 0:
        raise DomainError("arguments 'rtol' and 'atol' cannot both be 0")
    floor = TOL_FLOOR_EPS * eps()
    return max(float(out[0]), floor), max(float(out[1]), floor)


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
