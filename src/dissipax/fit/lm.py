"""Weighted nonlinear least squares by Levenberg–Marquardt, single or batched.

The solver is :class:`optimistix.LevenbergMarquardt` with the Jacobian by forward-mode
autodiff, on the bound-enforcing internal coordinates of :mod:`.parameters`, and a thin
QR by unrolled modified Gram–Schmidt as its linear solver (:mod:`._linsolve`).  A batched
call is one compiled XLA call for all fits (and all their starts).  Up to
:data:`MIN_LANES` fits run as one ``vmap`` of :func:`optimistix.least_squares`.  Beyond
that they run through a job queue (:func:`_lm_queue`) that drives optimistix's own
``init`` / ``step`` / ``terminate`` on ``n / LANE_DIVISOR`` lanes and gives a lane the
next fit when its fit terminates: a ``vmap`` of a while loop runs every fit for as many
steps as the slowest one, the queue costs about the sum of the fits' steps.  A fit's
iterates do not depend on the lane or the batch it runs in.

Cost (benchmarks/bench_fit_batched.py, 1000 failed-insulator curves of 60 points, one
CPU core): about 1.4 µs per fit and LM step plus ~80 µs per queue iteration.  The float64
default ``rtol = atol = 1e-10`` lies below the float64 resolution of the optimum
(~sqrt(eps) of a parameter's starting value): once chi2 has stopped changing, the steps
are accepted or rejected on rounding noise, and a fit ends only when the trust region has
shrunk its step below the tolerance.  Mean steps per fit there: 20.4 at 1e-10, 15.0 at
1.49e-8 (lmfit's ftol/xtol), 9.1 at 1e-4, all at the same chi2 (to 3e-13 relative).  In
float32 the default is ``sqrt(eps)`` (:func:`default_tolerance`).

Honest success.  The Cauchy test passes whenever a step changes nothing, which also
happens where the solver is stuck rather than converged: the damping has grown until the
steps vanish (float32 rounding of an ill-conditioned fit), or a parameter has been pushed
so close to its bound that the bound-enforcing map hides its gradient (``dp/dz → 0``).
So after the solver, at the returned point, :func:`stationarity` asks how much one more
Gauss-Newton step (on the free parameters, or moving a pinned parameter into its range)
would lower chi2, relative to the parameters' confidence region (Bates & Watts' relative
offset): above :data:`OFFSET_TOL` the fit is reported ``success=False`` with a message
that says why and what to change.  NumPy, after the compiled call: it costs no step.

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
from .._precision import eps, float_dtype, x64_enabled
from . import parameters as P
from ._linsolve import SmallMGSQR
from ._problem import Layout, flat_residual, prepare
from .result import FitError, FitResult, build_messages, from_arrays

# status codes of one fit (messages in result.py)
OK, MAX_STEPS, NONFINITE, DIVERGED, LINEAR_FAIL, BOUND_OK, STALLED = 0, 1, 2, 3, 4, 5, 6

#: lineax solver of the damped Gauss-Newton step (see :mod:`._linsolve`): a thin QR by
#: unrolled modified Gram-Schmidt, as accurate as optimistix's default Householder QR
#: (:class:`lineax.QR`, one LAPACK call per fit) and several times cheaper per batched
#: step; the iterates agree to rounding (benchmarks/bench_fit_batched.py).
_LINEAR_SOLVER = SmallMGSQR()


class _FirstStepSafeTrustRegion(optx.ClassicalTrustRegion):
    """optimistix's trust region, without evaluating a placeholder linearisation.

    :meth:`optimistix.LevenbergMarquardt.init` fills the state's linearisation (the
    residual and the Jacobian's closure: the model's linearisation point, its implicit
    root-solve operators, ...) with zeros, and the first ``step`` predicts the reduction
    with it — ``J·δ`` of the model *at all-zero intermediate values* — before forcing the
    acceptance of that step.  The number is discarded, but a model whose JVP contains a
    run-time check (the implicit adjoint of an :func:`optimistix.root_find`, whose
    :func:`lineax.linear_solve` raises on a singular or non-finite system;
    ``eqx.error_if``) raises there: ``rf.fit_alpha(vary_T0=True)`` did.  On the first
    step the trial point *is* the start (``y_eval = y``), so the prediction uses the
    start's own linearisation, computed by that step anyway: no extra model evaluation,
    and the same iterates (the first step is accepted regardless).
    """

    def step(self, first_step, y, y_eval, f_info, f_eval_info, state):
        """:meth:`optimistix.ClassicalTrustRegion.step` with ``f_info`` real on step one."""
        new, static = eqx.partition(f_eval_info, eqx.is_array)
        old, _ = eqx.partition(f_info, eqx.is_array)
        f_info = eqx.combine(
            jax.tree.map(lambda a, b: jnp.where(first_step, a, b), new, old), static
        )
        return super().step(first_step, y, y_eval, f_info, f_eval_info, state)


def _lm_solver(rtol, atol) -> optx.LevenbergMarquardt:
    """Return the Levenberg–Marquardt solver of every fit (:class:`_FirstStepSafeTrustRegion`)."""
    solver = optx.LevenbergMarquardt(rtol=rtol, atol=atol, linear_solver=_LINEAR_SOLVER)
    return eqx.tree_at(lambda s: s.search, solver, _FirstStepSafeTrustRegion())


#: the job queue of a batched fit (:func:`_lm_queue`) steps ``max(MIN_LANES, n_job /
#: LANE_DIVISOR)`` jobs at a time.  Each loop iteration has a fixed cost (~80 µs on one CPU
#: core, ~130 small XLA kernels) beside the per-job step (~1.4 µs for 60 points and 3
#: parameters): fewer lanes waste fewer steps on finished jobs but need more iterations.
#: For the benchmark's spread of step counts (7 to 37, mean 21) a quarter of the jobs is
#: near the optimum, and results do not depend on it (a job's iterates do not).
MIN_LANES, LANE_DIVISOR = 256, 4

#: relative eigenvalue of the normalised JᵀJ below which the covariance is called singular
SINGULAR_RCOND = 1e3

#: largest relative offset (Bates & Watts 1981; :func:`stationarity`) of a converged fit:
#: one more Gauss-Newton step would move the parameters by at most this fraction of
#: their confidence region's radius.  Bates & Watts propose 1e-3.  Measured: float64 fits
#: stopped by the Cauchy test end at <= 2e-7 (500 bad starts of the joint vortex fit) and
#: ~1e-10 (default starts); the spurious stops of that study at 3.6-13; float32 fits at
#: 3e-5 (quadratic), 1.6e-4 (saturation.fit), 6.3e-4 (vortex.fit, 6 parameters), and
#: ill-conditioned float32 fits (cond(J) >~ 1e4) at 4e-3-7e-2, flagged.
OFFSET_TOL = 1e-3


@dataclasses.dataclass(frozen=True)
class _Static:
    layout: Layout
    max_steps: int
    batched: bool
    batch_x: bool
    lanes: int


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
    rtol: float | None = None,
    atol: float | None = None,
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
        Levenberg–Marquardt termination: the last step changed every internal coordinate
        and every residual by less than ``atol + rtol·|value|`` (optimistix's Cauchy
        criterion).  ``None``: :func:`default_tolerance` of the working dtype (1e-10 in
        float64, ``sqrt(eps)`` = 3.5e-4 in float32).  Values below
        :data:`TOL_FLOOR_EPS` ``· eps`` are raised to it (no step can be resolved more
        finely).  Passing the test is necessary, not sufficient: the fit is converged only
        if it also ends at a stationary point (:func:`stationarity`), else
        ``success=False`` and the message says why.
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
    rtol, atol = effective_tolerances(rtol, atol)

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
        lanes=_lanes(starts.shape[-3] * starts.shape[-2] if batched else starts.shape[-2]),
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


#: tolerances below this many eps of the working dtype are raised to it: the Cauchy test
#: would then pass only on a step that rounds to nothing
TOL_FLOOR_EPS = 10


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


def _lanes(n_job: int) -> int:
    """How many jobs :func:`_lm_queue` steps at once.

    All of them up to :data:`MIN_LANES`, else ``1/LANE_DIVISOR`` of them.
    """
    return n_job if n_job <= MIN_LANES else max(MIN_LANES, -(-n_job // LANE_DIVISOR))


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
    """All fits (and all their starts) in one compiled call; per-fit results stacked.

    Every (fit, start) pair is one *job* of Levenberg–Marquardt.  Up to ``static.lanes``
    jobs run as one ``vmap`` of :func:`optimistix.least_squares`; more jobs run through
    :func:`_lm_queue`, which steps ``static.lanes`` of them at a time and hands a lane the
    next waiting job as soon as its own has terminated: the batch then costs the *sum* of
    the jobs' step counts rather than (number of jobs) x (the slowest job's step count),
    which is what a ``vmap`` of a while loop costs.
    """
    lay = static.layout
    if not static.batched:  # a batch of one
        y, sigma, p0, starts = jax.tree.map(lambda a: a[None], (y, sigma, p0, starts))
    n_fit, n_start = starts.shape[0], starts.shape[1]
    # the z <-> p maps of every fit (their scales and starts depend on the fit's p0)
    coords_all = jax.vmap(lambda pp: P.Coordinates(lay, pp, lo, hi))(p0)

    def coords(b):
        return jax.tree.map(lambda a: a[b], coords_all)

    def residual_fit(z, b):
        xx = jax.tree.map(lambda a: a[b], x) if static.batch_x else x
        yy, ss = jax.tree.map(lambda a: a[b], (y, sigma))
        c = coords(b)
        # A trial point with a non-finite parameter (a diverging step, a map that
        # overflowed) is never handed to the model, whose run-time domain guards would
        # raise on it: the model runs at the start instead and the residual is +inf, so
        # the trust region rejects the step (or the fit ends as non-finite).
        pv = c.physical(z)
        finite = jnp.all(jnp.isfinite(pv))
        pv = jnp.where(finite, pv, c.physical(jnp.zeros_like(z)))
        r = flat_residual(model, lay, c.named(pv), xx, yy, ss)
        return jnp.where(finite, r, jnp.inf)

    def residual_job(z, job):  # job = fit * n_start + start
        return residual_fit(z, job // n_start)

    fits = jnp.arange(n_fit)
    z_start = jax.vmap(jax.vmap(lambda pv, b: coords(b).z_of(pv), in_axes=(0, None)))(
        starts, fits
    )  # (fit, start, nvary)
    z_start = z_start.reshape(n_fit * n_start, -1)
    jobs = jnp.arange(n_fit * n_start)

    solver = _lm_solver(rtol, atol)
    n_job = n_fit * n_start
    if static.lanes < n_job:
        z_end, codes, steps = _lm_queue(
            solver, residual_job, z_start, static.max_steps, static.lanes
        )
    else:  # few jobs: all at once, no queue (a lighter loop, and faster compilation)

        def run_job(z0, job):
            sol = optx.least_squares(
                residual_job, solver, z0, job, max_steps=static.max_steps, throw=False
            )
            return sol.value, _code(sol.result), sol.stats["num_steps"]

        if n_job == 1:
            z_end, codes, steps = jax.tree.map(lambda a: a[None], run_job(z_start[0], jobs[0]))
        else:
            z_end, codes, steps = jax.vmap(run_job)(z_start, jobs)

    def chi2_job(z, job):
        return jnp.sum(residual_job(z, job) ** 2)

    chi2s = jax.vmap(chi2_job)(z_end, jobs)
    start_oks = jax.vmap(lambda z, j: jnp.all(jnp.isfinite(residual_job(z, j))))(z_start, jobs)
    codes = jnp.where((codes == OK) & ~jnp.isfinite(chi2s), NONFINITE, codes)
    shape = (n_fit, n_start)
    z_end = z_end.reshape(n_fit, n_start, -1)
    chi2s, codes, steps, start_oks = (a.reshape(shape) for a in (chi2s, codes, steps, start_oks))

    def finish(b, zs, chi2s, codes, steps, start_oks):
        """Best start of fit ``b`` and the ingredients of its uncertainties."""
        score = jnp.where(jnp.isfinite(chi2s), chi2s, jnp.inf)
        good = codes == OK
        best = jnp.where(
            jnp.any(good), jnp.argmin(jnp.where(good, score, jnp.inf)), jnp.argmin(score)
        )
        z = zs[best]
        c = coords(b)
        pv = c.physical(z)

        def residual_p(pv):  # the weighted residual as a function of the physical values
            xx = jax.tree.map(lambda a: a[b], x) if static.batch_x else x
            yy, ss = jax.tree.map(lambda a: a[b], (y, sigma))
            return flat_residual(model, lay, c.named(pv), xx, yy, ss)

        r = residual_p(pv)
        # the Jacobian in physical space; the internal one is J_p·diag(dp/dz) (chain rule).
        # J_p stays meaningful for a parameter pinned at a bound, where dp/dz -> 0.  The
        # small linear algebra (JᵀJ, Jᵀr, eigen-decompositions) runs in NumPy, in float64,
        # after the call (_covariance): it stays out of the compiled graph, and in float32
        # mode the gradient Jᵀr is not drowned by float32 accumulation over the data.
        jac_p = jax.jacfwd(residual_p)(pv)  # (ndata, nvary)
        dpdz = c.dp_dz(z)
        at_bound = c.at_bound(pv)
        return dict(
            params=c.full(pv),
            residual=r,
            jac_p=jac_p,
            at_lower=at_bound & c.nearer_lower(pv),
            dpdz=dpdz,
            chi2=chi2s[best],
            code=codes[best],
            nsteps=steps[best],
            start_ok=start_oks[best],
            at_bound=at_bound,
            best_start=best,
            n_converged=jnp.sum(good),
        )

    out = jax.vmap(finish)(fits, z_end, chi2s, codes, steps, start_oks)
    if not static.batched:
        out = jax.tree.map(lambda a: a[0], out)
    return out


def _lm_queue(solver, fn, z0, max_steps: int, lanes: int):
    """Run ``solver`` (an optimistix least-squares solver) on every job, ``lanes`` at a time.

    ``fn(z, job) -> residual``; ``z0``: ``(n_job, nvary)`` starts.  Each lane holds one
    job's optimistix state and advances it by ``solver.step`` — the iteration of
    :func:`optimistix.least_squares` (same ``init`` / ``step`` / ``terminate``, the same
    finite-iterate check and the same ``max_steps`` rule; only a non-finite *start*, which
    optimistix rejects before its first step, is rejected here after one step), so a
    job's iterates do not depend on which lane runs it or on its neighbours.  When a
    lane's job terminates its result is written out and the lane takes the next waiting
    job; the loop ends when no lane holds a running job.

    Returns the final iterates ``(n_job, nvary)``, the status codes and step counts
    ``(n_job,)``.
    """
    n_job, nvary = z0.shape
    options, tags = {}, frozenset()

    def fn_aux(z, job):
        return fn(z, job), None

    f_struct = jax.eval_shape(fn, z0[0], jnp.asarray(0))

    def init_one(z, job):
        return solver.init(fn_aux, z, job, options, f_struct, None, tags)

    lane_job = jnp.arange(lanes)
    state0 = eqx.filter_vmap(init_one)(z0[:lanes], lane_job)
    dyn0, static = eqx.partition(state0, eqx.is_array)

    def fresh(zs, jobs):
        return eqx.partition(eqx.filter_vmap(init_one)(zs, jobs), eqx.is_array)[0]

    def step_one(z, dyn, job):
        state = eqx.combine(dyn, static)
        new_z, new_state, _ = solver.step(fn_aux, z, job, options, state, tags)
        term, res = solver.terminate(fn_aux, z, job, options, new_state, tags)
        res = optx.RESULTS.where(jnp.all(jnp.isfinite(z)), res, optx.RESULTS.nonfinite)
        return new_z, eqx.partition(new_state, eqx.is_array)[0], term, _code(res)

    def cond(carry):
        return jnp.any(carry[4])

    def body(carry):
        z, dyn, job, nstep, active, nxt, out_z, out_code, out_steps = carry
        z, dyn, term, code = jax.vmap(step_one)(z, dyn, job)
        nstep = nstep + 1
        done = term | (code != OK) | (nstep >= max_steps)
        code = jnp.where((code == OK) & ~term, MAX_STEPS, code)  # ran out of steps
        fin = active & done
        idx = jnp.where(fin, job, n_job)  # out of range: dropped
        out_z = out_z.at[idx].set(z, mode="drop")
        out_code = out_code.at[idx].set(code, mode="drop")
        out_steps = out_steps.at[idx].set(nstep, mode="drop")
        # finished lanes take the next waiting jobs
        new_job = nxt + jnp.cumsum(fin) - 1
        take = fin & (new_job < n_job)
        safe = jnp.where(take, new_job, 0)
        job = jnp.where(take, new_job, job)
        z = jnp.where(take[:, None], z0[safe], z)
        dyn = _tree_where(take, fresh(z0[safe], safe), dyn)
        nstep = jnp.where(take, 0, nstep)
        active = jnp.where(fin, take, active)
        nxt = jnp.minimum(nxt + jnp.sum(fin), n_job)
        return z, dyn, job, nstep, active, nxt, out_z, out_code, out_steps

    carry = (
        z0[:lanes],
        dyn0,
        lane_job,
        jnp.zeros(lanes, int),
        jnp.ones(lanes, bool),
        jnp.asarray(lanes),
        z0,
        jnp.full(n_job, MAX_STEPS),
        jnp.zeros(n_job, int),
    )
    carry = jax.lax.while_loop(cond, body, carry)
    return carry[6], carry[7], carry[8]


def _tree_where(pred, a, b):
    """Per-lane select between two pytrees of arrays with a leading lane axis."""
    return jax.tree.map(
        lambda u, v: jnp.where(pred.reshape(pred.shape + (1,) * (u.ndim - 1)), u, v), a, b
    )


def _code(res):
    """Our status code of an optimistix RESULTS."""
    return jnp.where(
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


def _covariance(out: dict, nvary: int, rtol: float, atol: float) -> dict:
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
    r = np.asarray(out.pop("residual"), float)
    jac_p = np.asarray(out.pop("jac_p"), float)
    d = np.asarray(out["dpdz"], float)
    jac = jac_p * d[..., None, :]
    ata = np.einsum("...ki,...kj->...ij", jac, jac)
    out["ata"] = ata
    cov_z, singular, weak, _ = inverse_information(ata, at_bound)
    chi2 = np.asarray(out["chi2"], float)
    ndata = r.shape[-1]
    st = stationarity(
        ata,
        np.einsum("...ki,...k->...i", jac, r),
        at_bound,
        np.einsum("...ki,...k->...i", jac_p, r),
        np.sum(jac_p**2, axis=-2),
        np.asarray(out["at_lower"], bool),
        np.sum(r**2, axis=-1),
        np.sum(np.abs(r), axis=-1),
        ndata,
        rtol,
        atol,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        code = np.asarray(out["code"])
        bound_ok = (
            (code == MAX_STEPS)
            & np.any(at_bound, axis=-1)
            & ~singular
            & st["stationary"]
            & np.isfinite(chi2)
        )
        code = np.where(bound_ok, BOUND_OK, code)
        code = np.where((code == OK) & np.isfinite(chi2) & ~st["stationary"], STALLED, code)
        cov = d[..., :, None] * cov_z * d[..., None, :]
        cov = np.where(mask, np.nan, cov)
        dof = ndata - n
        redchi = chi2 / dof if dof > 0 else np.full_like(chi2, np.nan)
    return dict(cov=cov, singular=singular, weak=weak, code=code, redchi=redchi, ndata=ndata, **st)


def stationarity(
    ata, grad, at_bound, grad_p, colsq_p, at_lower, chi2, abs_r, ndata, rtol, atol
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
    """
    at_bound = np.asarray(at_bound, bool)
    ata, grad, grad_p, colsq_p, chi2, abs_r = (
        np.asarray(a, float) for a in (ata, grad, grad_p, colsq_p, chi2, abs_r)
    )
    n = ata.shape[-1]
    eye = np.eye(n)
    free = ~at_bound
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        a = np.where(mask, eye, ata)
        g = np.where(free, grad, 0.0)
        diag = np.diagonal(a, axis1=-2, axis2=-1)
        ok_diag = diag > 0
        scale = np.where(ok_diag, 1.0 / np.sqrt(np.where(ok_diag, diag, 1.0)), 0.0)
        c = scale[..., :, None] * a * scale[..., None, :]
        finite = np.all(np.isfinite(c), axis=(-2, -1)) & np.all(np.isfinite(g), axis=-1)
        c = np.where(finite[..., None, None], c, eye)
        w, v = np.linalg.eigh(c)
        keep = w > SINGULAR_RCOND * n * eps() * w[..., -1:]
        proj = np.einsum("...ji,...j->...i", v, np.where(finite[..., None], scale * g, 0.0))
        d_free = np.sum(np.where(keep, proj**2 / np.where(keep, w, 1.0), 0.0), axis=-1)
        d_free = np.where(finite, d_free, np.nan)
        inward = np.where(at_lower, grad_p < 0, grad_p > 0) & at_bound & (colsq_p > 0)
        d_pin = np.where(inward, grad_p**2 / np.where(colsq_p > 0, colsq_p, 1.0), 0.0)
        d = np.maximum(d_free, np.max(d_pin, axis=-1, initial=0.0))
        dof = ndata - n
        # Σ (atol + rtol |r_i|)² without the r_i: n atol² + 2 atol rtol Σ|r_i| + rtol² chi2
        tol = ndata * atol**2 + 2 * atol * rtol * abs_r + rtol**2 * chi2
        if dof > 0:
            ro = np.sqrt((d / n) / (np.maximum(chi2 - d, 0.0) / dof))
        else:
            ro = np.full_like(d, np.nan)
        stationary = (d <= tol) | (ro <= OFFSET_TOL)
        if dof > 0:
            ro_pin = np.sqrt((d_pin / n) / (np.maximum(chi2[..., None] - d_pin, 0.0) / dof))
            pin_ok = (d_pin <= tol[..., None]) | (ro_pin <= OFFSET_TOL)
        else:
            pin_ok = d_pin <= tol[..., None]
        stuck = inward & ~pin_ok
    return dict(stationary=stationary, gn_decrease=d, relative_offset=ro, stuck=stuck)


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
        relative_offset=out["relative_offset"],
        gn_decrease=out["gn_decrease"],
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
