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
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, collect_guard_failures, deferred_guards, raise_guard_failures
from .._precision import eps, float_dtype, x64_enabled
from . import parameters as P
from ._codegen import Compiled, check_codegen, choose, chunk_size
from ._problem import Layout, flat_residual, pack, prepare
from ._status import Status, succeeded
from ._tolerances import OFFSET_TOL, SINGULAR_RCOND, TOL_FLOOR_EPS
from .policy import Check, Retry
from .result import FitError, FitResult, build_messages, from_arrays
from .solvers import AbstractLeastSquaresSolver, LevenbergMarquardt, linearize

__all__ = ["OFFSET_TOL", "SINGULAR_RCOND", "TOL_FLOOR_EPS", "least_squares", "stationarity"]


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
    solver = LevenbergMarquardt() if solver is None else solver
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
    codegen = choose(opts.codegen, starts.shape[0] * starts.shape[1], devices, prob.iterative)
    static = _Static(
        layout=lay,
        solver=dataclasses.replace(opts.solver, rtol=None, atol=None)
        if hasattr(opts.solver, "rtol")
        else opts.solver,
        max_steps=opts.max_steps,
        batch_x=packed.batch_x,
        deferred=bool(devices),
        chunk=chunk_size(starts.shape[0], starts.shape[1], devices),
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
    out.update(_covariance(out, len(vi), ndata, opts.rtol, opts.atol))
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
        m = sum(
            (2 if cplx else 1) * leaf.size
            for cplx, leaf in zip(lay.complex_leaves, jax.tree.leaves(yy))
        )
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
        jac = jac_p * dpdz[None, :]
        return dict(
            params=c.full(pv),
            # the reductions of the residual and the Jacobian that the uncertainties and
            # the stationarity test need (the (ndata, nvary) arrays stay on the device)
            ata=jac.T @ jac,
            grad=jac.T @ r,
            grad_p=jac_p.T @ r,
            colsq_p=jnp.sum(jac_p**2, axis=0),
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
    return from_arrays(
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
    )._single_if(prob.n_batch is None)


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


def _covariance(out: dict, nvary: int, ndata, rtol: float, atol: float) -> dict:
    """Covariance, singularity, convergence checks and redchi from the compiled call's output.

    ``(JᵀJ)⁻¹`` over the parameters not pinned at a bound, by :func:`inverse_information`.

    Convergence is checked here, after the solver, at the returned point (:func:`stationarity`):

    * a fit the solver reports converged (its Cauchy test passed) is demoted to
      ``STALLED`` when it is not stationary — the last step no longer changed chi2 (at
      working precision, or because the damping had grown huge), yet one more Gauss-Newton
      step would still lower chi2 appreciably;
    * a parameter pushed into its bound never meets the solver's step test in z (its
      internal coordinate keeps running off to infinity, and the free parameters track its
      slow crawl), so such fits end at max_steps.  They are converged (``BOUND_OK``, a KKT
      check) when they are stationary in the same sense.
    """
    at_bound = np.asarray(out["at_bound"], bool)
    n = nvary
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    d = np.asarray(out["dpdz"], float)
    ata = np.asarray(out.pop("ata"), float)
    eig = normalized_eigh(ata, at_bound)
    cov_z, singular, weak, _ = inverse_information(ata, at_bound, eig)
    chi2 = np.asarray(out["chi2"], float)
    ndata = np.broadcast_to(np.asarray(ndata), chi2.shape)
    st = stationarity(
        ata,
        out.pop("grad"),
        at_bound,
        out.pop("grad_p"),
        out.pop("colsq_p"),
        np.asarray(out["at_lower"], bool),
        chi2,
        out.pop("abs_r"),
        ndata,
        rtol,
        atol,
        eig,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        code = np.asarray(out["code"])
        bound_ok = (
            ((code == Status.MAX_STEPS) | (code == Status.OK))
            & np.any(at_bound, axis=-1)
            & ~singular
            & st["stationary"]
            & np.isfinite(chi2)
        )
        code = np.where(bound_ok, Status.BOUND_OK, code)
        code = np.where(
            (code == Status.OK) & np.isfinite(chi2) & ~st["stationary"], Status.STALLED, code
        )
        cov = d[..., :, None] * cov_z * d[..., None, :]
        cov = np.where(mask, np.nan, cov)
        dof = ndata - n
        redchi = np.where(dof > 0, chi2 / np.where(dof > 0, dof, 1), np.nan)
    return dict(cov=cov, singular=singular, weak=weak, code=code, redchi=redchi, **st)


def stationarity(
    ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol, eig=None
) -> dict:
    r"""Whether fits ended at a (bound-constrained) stationary point of chi2.

    NumPy, batched over leading axes.  The measure is the chi2 decrease ``D`` that the
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
    ``eig``: :func:`normalized_eigh` of ``ata``, when the caller has it already.
    """
    at_bound = np.asarray(at_bound, bool)
    ata, grad, grad_p, colsq_p, chi2, abs_r = (
        np.asarray(a, float) for a in (ata, grad, grad_p, colsq_p, chi2, abs_r)
    )
    n = ata.shape[-1]
    free = ~at_bound
    e = normalized_eigh(ata, at_bound) if eig is None else eig
    w, v = e.w, e.v
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        g = np.where(free, grad, 0.0)
        # a parameter without effect (zero column: its row of ata is exactly zero) carries
        # no gradient: scale 0 (the decomposition is the same with either scale there)
        scale = np.where(e.diag > 0, e.scale, 0.0)
        finite = e.finite & np.all(np.isfinite(g), axis=-1)
        keep = w > SINGULAR_RCOND * n * eps() * w[..., -1:]
        proj = np.einsum("...ji,...j->...i", v, np.where(finite[..., None], scale * g, 0.0))
        d_free = np.sum(np.where(keep, proj**2 / np.where(keep, w, 1.0), 0.0), axis=-1)
        d_free = np.where(finite, d_free, np.nan)
        inward = np.where(at_lower, grad_p < 0, grad_p > 0) & at_bound & (colsq_p > 0)
        d_pin = np.where(inward, grad_p**2 / np.where(colsq_p > 0, colsq_p, 1.0), 0.0)
        d = np.maximum(d_free, np.max(d_pin, axis=-1, initial=0.0))
        ndata = np.broadcast_to(np.asarray(ndata), np.shape(chi2))
        dof = ndata - n
        has_dof = dof > 0
        dof_safe = np.where(has_dof, dof, 1)
        # Σ (atol + rtol |r_i|)² without the r_i: n atol² + 2 atol rtol Σ|r_i| + rtol² chi2
        tol = ndata * atol**2 + 2 * atol * rtol * abs_r + rtol**2 * chi2
        ro = np.where(has_dof, np.sqrt((d / n) / (np.maximum(chi2 - d, 0.0) / dof_safe)), np.nan)
        stationary = (d <= tol) | (ro <= OFFSET_TOL)
        ro_pin = np.sqrt(
            (d_pin / n) / (np.maximum(chi2[..., None] - d_pin, 0.0) / dof_safe[..., None])
        )
        pin_ok = (d_pin <= tol[..., None]) | (has_dof[..., None] & (ro_pin <= OFFSET_TOL))
        stuck = inward & ~pin_ok
    return dict(stationary=stationary, gn_decrease=d, relative_offset=ro, stuck=stuck)


class NormalizedEigh(NamedTuple):
    """Eigen-decomposition of an information matrix normalised to unit diagonal."""

    diag: np.ndarray  #: diagonal of the matrix (pinned parameters: 1)
    scale: np.ndarray  #: 1/sqrt(diag), 1 where diag <= 0 or NaN
    finite: np.ndarray  #: whether the normalised matrix is finite (else it is the identity)
    w: np.ndarray  #: eigenvalues, ascending
    v: np.ndarray  #: eigenvectors (columns)


def normalized_eigh(a, at_bound) -> NormalizedEigh:
    """``eigh`` of ``a`` (``JᵀJ`` or a Hessian) scaled to unit diagonal, pinned rows removed.

    NumPy, batched over leading axes.  The rows and columns of parameters pinned at a bound
    are replaced by those of the identity; a zero (or NaN) diagonal keeps scale 1; a matrix
    that is not finite after scaling is replaced by the identity (``finite`` False).
    Shared by :func:`inverse_information` and :func:`stationarity` (one decomposition).
    """
    a = np.asarray(a, float)
    at_bound = np.asarray(at_bound, bool)
    eye = np.eye(a.shape[-1])
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
    return NormalizedEigh(diag, scale, finite, w, v)


def inverse_information(a, at_bound, eig: NormalizedEigh | None = None):
    """Inverse of information matrices ``a`` (``JᵀJ`` or a Hessian), with a singularity check.

    NumPy, after the compiled call (eigen-decompositions kept out of the graph); batched
    over leading axes.  Only the parameters not pinned at a bound (``at_bound``) enter.
    ``a`` is normalised to unit diagonal before the eigen-decomposition, so the test is on
    the *correlation* structure, independent of units.  Returns the inverse (NaN where
    singular), the singular flag, the eigenvector of the smallest eigenvalue (``weak``:
    the combination the data cannot determine) and that smallest eigenvalue relative to
    the largest (``lowest``; negative for a Hessian that is not positive definite, which
    is reported singular too).  ``eig``: :func:`normalized_eigh` of ``a``, when the caller
    has it already.
    """
    e = normalized_eigh(a, at_bound) if eig is None else eig
    n = e.w.shape[-1]
    diag, bad_diag, scale, finite, w, v = e.diag, ~(e.diag > 0), e.scale, e.finite, e.w, e.v
    with np.errstate(invalid="ignore", divide="ignore"):
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
