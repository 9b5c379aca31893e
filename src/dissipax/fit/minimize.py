"""Minimise any scalar objective of fit parameters with optax: ML, MAP, robust and joint fits.

The parameters are the same :class:`~dissipax.fit.Parameter` sets as for
:func:`~dissipax.fit.least_squares`, optimised on the same bound-enforcing internal
coordinates ``z`` (:class:`~dissipax.fit.parameters.Coordinates`; one unit of ``z`` is a
change of order one relative to the start), so that first-order methods see a
well-scaled problem.  The whole optimisation loop is one compiled ``lax.while_loop``; a
batch of datasets is that loop vmapped, one XLA call (as for least squares, the batch
runs until its slowest member stops).

Uncertainties (``errors="hessian"``, the default).  When the objective is a negative
log-likelihood (or log-posterior), its Hessian at the optimum is the observed
information: ``C_z = H_z⁻¹`` with ``H_z`` by autodiff (``jax.hessian``), carried to
physical space by the transform Jacobian ``D = dp/dz`` as least squares does,
``C_p = D C_z D`` (at an interior optimum this is exactly ``(∂²f/∂p²)⁻¹``).  Parameters
pinned at a bound get NaN stderr, a singular ``H`` a NaN covariance and a message, and a
Hessian with a negative eigenvalue (a saddle, not a minimum) a failure.  For the
built-in likelihoods, ``errors="fisher"`` uses the expected information instead
(``JᵀJ`` times the likelihood's constants; always positive semi-definite), which for the
Gaussian is least squares' covariance exactly.  For an objective that is not a
log-likelihood in nats (a χ² must be halved, a loss may have no statistical meaning)
pass ``errors=None``.

Convergence: every component of the gradient with respect to ``z`` below
``gtol·max(1, |f|)``, at an objective not above its starting value.  For a
log-likelihood (``f`` in nats) a gradient ``g`` leaves the parameters ``g·σ_z`` standard
errors from the optimum (``σ_z`` the relative standard error): the default ``1e-9`` is
far below any statistical relevance.  Scale an objective of tiny magnitude (e.g. a mean
square of conductances in S) to order one, or lower ``gtol``.

First-order methods (Adam & co.) with a constant learning rate hover around the minimum
at a distance set by the learning rate and rarely reach a tight ``gtol``: decay the rate
with an optax schedule, loosen ``gtol``, or use L-BFGS.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from .._checks import DomainError, check, check_choice
from .._precision import float_dtype
from . import parameters as P
from . import priors as PR
from ._codegen import Compiled, check_codegen, choose
from ._problem import Layout, _batch_size, _data_leaf, check_params, parameter_arrays, prepare
from ._status import Status
from .likelihoods import NOISE, AbstractLikelihood
from .lm import inverse_information
from .result import FitError, FitResult, covariance_notes, from_arrays

#: status of one minimisation
OK, MAX_STEPS, NONFINITE, STALLED, RUNNING = (
    Status.OK,
    Status.MAX_STEPS,
    Status.NONFINITE,
    Status.STALLED,
    Status.RUNNING,
)

#: optimisers by name: factory of the learning rate (None for line-search methods)
METHODS: dict[str, Callable] = {
    "lbfgs": lambda lr: optax.lbfgs(),
    "adam": lambda lr: optax.adam(lr),
    "adabelief": lambda lr: optax.adabelief(lr),
    "sgd": lambda lr: optax.sgd(lr, momentum=0.9, nesterov=True),
}
#: methods that choose their own step (a learning rate is refused)
LINE_SEARCH = ("lbfgs",)
#: default learning rate of first-order methods: a 1% step of each parameter (``z`` units)
DEFAULT_LEARNING_RATE = 1e-2
#: |lowest eigenvalue| of the unit-diagonal Hessian below which it is flat (singular
#: covariance; for two parameters: a correlation beyond 1 - 1e-8), and minus which it is
#: "not a minimum".  The optimum is located to ~gtol, and at a point off a flat valley's
#: floor the observed Hessian picks up curvature ~|residual|: a threshold far above eps.
FLAT_RTOL = 1e-8
#: line-search methods: this many consecutive steps without a decrease of the objective
#: end the run as "stalled" (a noisy objective)
STALL_STEPS = 10


@dataclasses.dataclass(frozen=True)
class _Static:
    layout: Layout
    method: Any  # a METHODS key, or a user's optax GradientTransformation
    schedule: Any  # a user's learning-rate schedule (callable), or None
    max_steps: int
    batched: bool
    data_axes: Any  # vmap in_axes of the data (hashable: tuples of 0/None)
    errors: str | None
    priors: tuple  # ((name, prior), ...) for the varying parameters, or () for none


class _ObjectiveKernel(eqx.Module):
    """A user's ``objective(p[, data])`` as ``(value, chi2 = nan)``."""

    fn: Callable = eqx.field(static=True)
    with_data: bool = eqx.field(static=True)

    def __call__(self, p, data):
        v = self.fn(p, data) if self.with_data else self.fn(p)
        return jnp.asarray(v), jnp.asarray(jnp.nan, float_dtype())


class _LikelihoodKernel(eqx.Module):
    """A built-in likelihood without its data (the data travel separately, for vmap)."""

    lik: AbstractLikelihood  # data fields emptied: only the model and the noise model
    complex_leaves: tuple[bool, ...] = eqx.field(static=True)
    fit_noise: bool = eqx.field(static=True)

    def __call__(self, p, data):
        x, yt, sigma = data
        return self.lik.negloglik(p, x, yt, sigma, self.complex_leaves, self.fit_noise)

    def residual(self, p, data):
        x, yt, sigma = data
        pm = {k: v for k, v in p.items() if not (self.fit_noise and k == NOISE)}
        return self.lik.residual(pm, x, yt, sigma, self.complex_leaves)[0]


def minimize(
    objective: Callable | AbstractLikelihood,
    params: Mapping[str, P.Parameter | float],
    data: Any = None,
    *,
    method: str | optax.GradientTransformation = "lbfgs",
    batched: bool = False,
    batch_x: bool = False,
    priors: Mapping[str, Any] | None = None,
    learning_rate: float | Callable | None = None,
    max_steps: int = 1000,
    gtol: float = 1e-9,
    errors: str | None = "hessian",
    throw: bool = False,
    codegen: str = "auto",
) -> FitResult:
    r"""Minimise a scalar objective of fit parameters (ML, MAP, robust or joint fits).

    Parameters
    ----------
    objective
        Either a built-in likelihood (:class:`~dissipax.fit.Gaussian`,
        :class:`~dissipax.fit.StudentT`, :class:`~dissipax.fit.LogNormal`) of a model and
        its data, or any function ``objective(p) -> scalar`` (``objective(p, data)`` when
        ``data`` is given) of the dict ``p`` of physical parameter values (JAX scalars).
        Pure JAX; the same function object reuses the compiled loop.
    params
        ``name -> Parameter | float`` as for :func:`~dissipax.fit.least_squares`: bounds
        by reparametrisation, ``vary=False`` to fix, per-fit starts of shape
        ``(n_batch,)`` for batches.  For a likelihood with ``sigma=None`` a ``"noise"``
        scale is added (see :mod:`.likelihoods`) unless given here.
    data
        Optional pytree of arrays passed to ``objective(p, data)`` (not for likelihoods,
        which hold their data).  With ``batched=True`` every leaf has a leading batch
        axis (close over what is shared).
    method
        ``"lbfgs"`` (default: L-BFGS with a zoom line search), ``"adam"``,
        ``"adabelief"``, ``"sgd"`` (Nesterov momentum 0.9; not scale-free: its learning
        rate must be below ~1/curvature), or any optax ``GradientTransformation`` (which
        then carries its own learning rate).
    batched, batch_x
        Minimise independently for each dataset along the leading axis, in one compiled,
        vmapped call: for a likelihood the leaves of ``y`` and ``sigma`` (and of ``x``
        with ``batch_x=True``), for an objective the leaves of ``data``.
    priors
        ``None``: minimise the objective as it is (maximum likelihood).  A dict: MAP —
        add ``-Σ log prior(p)`` over the varying parameters, with the priors given
        (:mod:`dissipax.fit.priors` objects or numpyro distributions) and, for the
        others, the defaults of :func:`~dissipax.fit.sample` (``priors={}``: all
        defaults), so that the MAP is the mode of the posterior ``sample`` explores.
    learning_rate
        Step size of first-order methods, in internal coordinates (default 1e-2: 1% of
        each parameter's start): a float or an optax schedule ``step -> rate``.
        L-BFGS takes its steps by line search and refuses it.
    max_steps
        Maximum number of optimiser steps.
    gtol
        Convergence: ``max_i |∂f/∂z_i| <= gtol·max(1, |f|)`` (module docstring).
    errors
        ``"hessian"`` (observed information), ``"fisher"`` (expected information; built-in
        likelihoods only) or ``None`` (no uncertainties, NaN stderr).
    throw
        Raise :class:`~dissipax.fit.FitError` when any fit fails; by default failures
        are reported in ``result.success`` / ``result.message``, never raised.
    codegen
        How the solve is compiled, as in :func:`~dissipax.fit.least_squares`
        (:mod:`dissipax.fit._codegen`; ``"auto"``: by the batch size).

    Returns
    -------
    FitResult
        Values, stderr and covariance (physical space), ``success`` and a message per
        fit.  ``chi2``/``redchi``: for a likelihood the least-squares chi2
        ``Σ ((m - y)/sigma)²`` of the same data (on ``log`` for the log-normal), for a
        plain objective NaN; ``extra["objective"]`` holds the objective at the optimum
        (``-log L``, or ``-log L - log prior`` for MAP) and ``extra["grad_norm"]`` the
        final ``max |∂f/∂z|``.

    Raises
    ------
    DomainError
        On bad input, before anything is traced: data, bounds and starts as for least
        squares; an objective that does not return a real scalar; unknown method, prior
        or error mode.
    FitError
        Only with ``throw=True``, when a fit fails.
    """
    # -- settings -----------------------------------------------------------------------
    if not isinstance(max_steps, (int, np.integer)) or isinstance(max_steps, bool) or max_steps < 1:
        raise DomainError(f"argument 'max_steps' must be an integer >= 1; got {max_steps!r}")
    if not np.isscalar(gtol):
        raise DomainError(f"argument 'gtol' must be a number; got {gtol!r}")
    check("gtol", gtol, gt=0.0, valid="gradient tolerance")
    check_choice("errors", errors, ("hessian", "fisher", None))
    is_lik = isinstance(objective, AbstractLikelihood)
    if errors == "fisher" and not is_lik:
        raise DomainError(
            "errors='fisher' needs a built-in likelihood (Gaussian, StudentT, LogNormal); "
            "for a general objective use errors='hessian' or None"
        )
    if isinstance(method, str):
        check_choice("method", method, tuple(METHODS))
        method_name = "L-BFGS (optax, zoom line search)" if method == "lbfgs" else method
    elif isinstance(method, optax.GradientTransformation):
        method_name = "optax GradientTransformation"
        if learning_rate is not None:
            raise DomainError("a GradientTransformation carries its own learning rate")
    else:
        raise DomainError(
            f"argument 'method' must be one of {tuple(METHODS)} or an optax "
            f"GradientTransformation; got {method!r}"
        )
    schedule, lr = None, DEFAULT_LEARNING_RATE
    if isinstance(method, str) and method in LINE_SEARCH:
        if learning_rate is not None:
            raise DomainError(
                "L-BFGS chooses its steps by line search: drop learning_rate (it is for "
                "first-order methods such as 'adam')"
            )
    elif callable(learning_rate):
        schedule = learning_rate
    elif learning_rate is not None:
        if not np.isscalar(learning_rate):
            raise DomainError(f"argument 'learning_rate' must be a number; got {learning_rate!r}")
        check("learning_rate", learning_rate, gt=0.0)
        lr = float(learning_rate)

    # -- the problem --------------------------------------------------------------------
    if is_lik:
        if data is not None:
            raise DomainError("a likelihood holds its data: pass data=None")
        prob = _prepare_likelihood(objective, params, batched, batch_x)
    else:
        prob = _prepare_objective(objective, params, data, batched, batch_x)
    lay = prob.layout
    prior_items = _prepare_priors(priors, prob)

    static = _Static(
        layout=lay,
        method=method,
        schedule=schedule,
        max_steps=int(max_steps),
        batched=batched,
        data_axes=prob.data_axes,
        errors=errors,
        priors=prior_items,
    )
    fd = float_dtype()
    p0 = np.asarray(prob.p0, fd)
    out = _SOLVE(choose(check_codegen(codegen), p0.shape[0] if p0.ndim > 1 else 1))(
        prob.kernel,
        static,
        prob.data,
        p0,
        np.asarray(prob.lo, fd),
        np.asarray(prob.hi, fd),
        np.asarray(gtol, fd),
        np.asarray(lr, fd),
    )
    out = jax.tree.map(np.asarray, out)
    out.update(_covariance(out, errors))
    result = _to_result(out, prob, static, method_name, float(gtol), is_lik)
    if throw and not np.all(result.success):
        raise FitError(result)
    return result


# ---------------------------------------------------------------------------------------
# preparation (Python side, concrete inputs)


@dataclasses.dataclass
class _Prepared:
    kernel: Any
    layout: Layout
    params: dict[str, P.Parameter]
    data: Any
    data_axes: Any
    p0: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ndata: int
    n_batch: int | None
    noise_added: bool = False


def _prepare_likelihood(lik: AbstractLikelihood, params, batched: bool, batch_x: bool):
    if not isinstance(params, Mapping) or not params:
        check_params(params)  # raises with the standard message
    fit_noise = lik.fit_noise
    model_params = {k: v for k, v in params.items() if not (fit_noise and k == NOISE)}
    if not model_params:
        raise DomainError("no model parameters: params holds only 'noise'")
    prob = prepare(
        lik.model, model_params, lik.x, lik.y, lik.sigma, batched=batched, batch_x=batch_x
    )
    lay = prob.layout
    lik.check_data(jax.tree.leaves(prob.y), lay.complex_leaves)
    yt = lik.transform_data(prob.y)
    shell = dataclasses.replace(lik, x=None, y=None, sigma=None)
    kernel = _LikelihoodKernel(shell, lay.complex_leaves, fit_noise)
    data = (prob.x, yt, prob.sigma)
    axes = (0 if batch_x else None, 0, 0) if batched else None
    pars = dict(prob.params)
    p0, lo, hi = prob.p0, prob.lo, prob.hi
    noise_added = False
    if fit_noise:
        if NOISE in params:
            npar = P.as_parameter(NOISE, params[NOISE])
            if npar.bounds[0] < 0:
                raise DomainError("parameter 'noise' is a scale: give it min >= 0")
        else:
            npar = P.Parameter(_noise_start(kernel, lay, data, axes, p0), min=0.0, transform="log")
            noise_added = True
        n0, nlo, nhi = parameter_arrays({NOISE: npar}, prob.n_batch)
        pars[NOISE] = npar
        p0 = np.concatenate([p0, n0], axis=-1)
        lo, hi = np.concatenate([lo, nlo]), np.concatenate([hi, nhi])
        lay = dataclasses.replace(
            lay,
            names=lay.names + (NOISE,),
            kinds=lay.kinds + (npar.kind,),
            vary=lay.vary + (npar.vary,),
        )
    if prob.ndata < sum(lay.vary):
        raise DomainError(
            f"{prob.ndata} data points cannot determine {sum(lay.vary)} varying parameters "
            "(the noise scale included): add data, or give sigma"
        )
    return _Prepared(
        kernel=kernel,
        layout=lay,
        params=pars,
        data=data,
        data_axes=axes,
        p0=p0,
        lo=lo,
        hi=hi,
        ndata=prob.ndata,
        n_batch=prob.n_batch,
        noise_added=noise_added,
    )


def _noise_start(kernel: _LikelihoodKernel, lay: Layout, data, axes, p0) -> np.ndarray:
    """RMS standardised residual at the start, per fit (the start of the noise scale)."""

    def rms(d, pp):
        p = {n: pp[i] for i, n in enumerate(lay.names)}
        r = kernel.residual(p, d)
        return jnp.sqrt(jnp.mean(r**2))

    fn = jax.jit(jax.vmap(rms, in_axes=(axes, 0)) if axes is not None else rms)
    v = np.asarray(fn(data, jnp.asarray(p0)))
    return np.where(np.isfinite(v) & (v > 0), v, 1.0)


def _prepare_objective(fn, params, data, batched: bool, batch_x: bool):
    if not callable(fn):
        raise DomainError(
            f"argument 'objective' must be callable objective(p[, data]) or a likelihood; "
            f"got {fn!r}"
        )
    if batch_x:
        raise DomainError(
            "batch_x is for likelihoods; with a plain objective every leaf of data is batched"
        )
    n_batch = None
    data_conv = None
    if data is not None:
        leaves, tdef = jax.tree.flatten(data)
        leaves = [
            _data_leaf("data", a, i, len(leaves), complex_ok=True) for i, a in enumerate(leaves)
        ]
        if batched:
            n_batch = _batch_size(leaves, "data")
        data_conv = jax.tree.unflatten(tdef, [jnp.asarray(a) for a in leaves])
    elif batched:
        raise DomainError("batched=True needs data with a leading batch axis (argument 'data')")
    pars = check_params(params)
    p0, lo, hi = parameter_arrays(pars, n_batch)
    names = tuple(pars)
    lay = Layout(
        names=names,
        kinds=tuple(pars[n].kind for n in names),
        vary=tuple(pars[n].vary for n in names),
        complex_leaves=(),
    )
    kernel = _ObjectiveKernel(fn, data is not None)
    one = (lambda t: jax.tree.map(lambda a: a[0], t)) if batched else (lambda t: t)
    p_one = {n: jax.ShapeDtypeStruct((), float_dtype()) for n in names}
    try:
        out = jax.eval_shape(lambda pp, dd: kernel(pp, dd)[0], p_one, one(data_conv))
    except DomainError:
        raise
    except Exception as err:
        raise DomainError(
            f"objective(p{', data' if data is not None else ''}) failed with params "
            f"{list(names)}: {type(err).__name__}: {err}"
        ) from err
    if out.shape != () or not jnp.issubdtype(out.dtype, jnp.floating):
        raise DomainError(
            f"the objective must return a real scalar; got shape {out.shape}, dtype {out.dtype}"
            " (sum a vector of residuals squared, or use least_squares for residual vectors)"
        )
    return _Prepared(
        kernel=kernel,
        layout=lay,
        params=pars,
        data=data_conv,
        data_axes=0 if batched else None,
        p0=p0,
        lo=lo,
        hi=hi,
        ndata=0,
        n_batch=n_batch,
    )


def _prepare_priors(priors, prob: _Prepared) -> tuple:
    """``((name, prior), ...)`` over the varying parameters, checked at the starts."""
    if priors is None:
        return ()
    if not isinstance(priors, Mapping):
        raise DomainError(f"argument 'priors' must be a dict name -> prior or None; got {priors!r}")
    lay = prob.layout
    for name in priors:
        if name not in lay.names:
            raise DomainError(f"priors: unknown parameter '{name}' (parameters: {list(lay.names)})")
        if not lay.vary[lay.names.index(name)]:
            raise DomainError(f"priors: parameter '{name}' is fixed (vary=False); drop its prior")
    items = []
    for i in lay.vary_index:
        name = lay.names[i]
        if name in priors:
            prior = PR.as_prior(name, priors[name])
        elif name == NOISE and isinstance(prob.kernel, _LikelihoodKernel) and prob.kernel.fit_noise:
            prior = PR.NOISE_PRIOR
        else:
            prior = PR.default_prior(prob.params[name])
        start = np.asarray(prob.p0[..., i])
        lp = np.asarray(jax.vmap(prior.log_prob)(jnp.atleast_1d(jnp.asarray(start))))
        if not np.all(np.isfinite(lp)):
            raise DomainError(
                f"priors: the start of '{name}' ({start.ravel()[np.argmin(np.isfinite(lp))]:.6g})"
                f" has zero density under its prior {prior!r}; start inside its support"
            )
        items.append((name, prior))
    return tuple(items)


# ---------------------------------------------------------------------------------------
# the compiled loop


def _optimizer(static: _Static, lr):
    if not isinstance(static.method, str):
        return static.method
    rate = static.schedule if static.schedule is not None else lr
    return METHODS[static.method](rate)


def _solve(kernel, static: _Static, data, p0, lo, hi, gtol, lr):
    def one(d, pp):
        return _minimize_one(kernel, static, d, pp, lo, hi, gtol, lr)

    if static.batched:
        one = jax.vmap(one, in_axes=(static.data_axes, 0))
    return one(data, p0)


#: the solve, jitted for either code generation (:class:`._codegen.Compiled`)
_SOLVE = Compiled(_solve)


def _converged(f, g, gtol, f0):
    # relative to the objective (floor 1); a point above the start is never "converged"
    # (a diverging first-order run inflates |f| and would otherwise pass)
    return (jnp.max(jnp.abs(g)) <= gtol * jnp.maximum(1.0, jnp.abs(f))) & (f <= f0)


def _finite(*a):
    return jnp.all(jnp.stack([jnp.all(jnp.isfinite(t)) for t in a]))


def _minimize_one(kernel, static: _Static, data, p0, lo, hi, gtol, lr):
    """Minimise for one dataset; all in-graph."""
    lay = static.layout
    coords = P.Coordinates(lay, p0, lo, hi)

    def log_prior(p):
        return sum((pr.log_prob(p[n]) for n, pr in static.priors), jnp.zeros((), p0.dtype))

    def parts(z):
        p = coords.params(z)
        val, chi2 = kernel(p, data)
        return val - log_prior(p), chi2

    def f(z):
        return parts(z)[0]

    vg = jax.value_and_grad(f)
    opt = _optimizer(static, lr)
    z0 = jnp.zeros(len(lay.vary_index), p0.dtype)
    state0 = opt.init(z0)
    f0, g0 = vg(z0)
    start_ok = _finite(f0, g0)
    try:  # line-search methods keep the value and gradient of the accepted point
        reuse = optax.tree.get(state0, "value") is not None
    except (KeyError, ValueError):
        reuse = False
    vg_next = optax.value_and_grad_from_state(f) if reuse else (lambda z, state: vg(z))
    line_search = reuse

    code0 = jnp.where(~start_ok, NONFINITE, jnp.where(_converged(f0, g0, gtol, f0), OK, RUNNING))

    def cond(c):
        return c[5] == RUNNING

    def body(c):
        z, state, fz, g, k, _, flat = c
        # optax mixes int32/int64 counters internally: standard promotion for its code
        # only, so that minimize also runs under jax_numpy_dtype_promotion="strict"
        with jax.numpy_dtype_promotion("standard"):
            if isinstance(opt, optax.GradientTransformationExtraArgs):
                updates, state2 = opt.update(g, state, z, value=fz, grad=g, value_fn=f)
            else:
                updates, state2 = opt.update(g, state, z)
            z2 = optax.apply_updates(z, updates)
            f2, g2 = vg_next(z2, state=state2)
        k2 = k + 1
        finite = _finite(z2, f2, g2)
        conv = finite & _converged(f2, g2, gtol, f0)
        # no progress: nothing moved, or (line search) no decrease for STALL_STEPS steps
        flat2 = jnp.where(finite & (f2 >= fz), flat + 1, 0) if line_search else flat
        stalled = finite & ~conv & (jnp.all(z2 == z) | (flat2 >= STALL_STEPS))
        code = jnp.where(
            ~finite,
            NONFINITE,
            jnp.where(
                conv,
                OK,
                jnp.where(stalled, STALLED, jnp.where(k2 >= static.max_steps, MAX_STEPS, RUNNING)),
            ),
        )
        # never step onto a non-finite point: report the last finite one
        keep = lambda new, old: jax.tree.map(lambda a, b: jnp.where(finite, a, b), new, old)  # noqa: E731
        z3, f3, g3 = keep((z2, f2, g2), (z, fz, g))
        return (z3, state2, f3, g3, k2, code, flat2)

    zero = jnp.zeros((), jnp.int32)
    z, _, fz, g, nsteps, code, _ = jax.lax.while_loop(
        cond, body, (z0, state0, f0, g0, zero, code0, zero)
    )
    chi2 = parts(z)[1]

    # the information matrix at the optimum; its inverse, the singularity and curvature
    # checks run in NumPy after the call (_covariance: eigen-decompositions stay out of the
    # compiled graph, as in least squares)
    pv = coords.physical(z)
    nv = z.shape[0]
    if static.errors is None:
        info = jnp.full((nv, nv), jnp.nan, p0.dtype)
    elif static.errors == "hessian":
        info = jax.hessian(f)(z)
    else:
        info = _fisher(kernel, coords, data, z, coords.dp_dz(z), lay) + jax.hessian(
            lambda zz: -log_prior(coords.params(zz))
        )(z)
    return dict(
        params=coords.full(pv),
        info=info,
        dpdz=coords.dp_dz(z),
        chi2=chi2,
        objective=fz,
        grad_norm=jnp.max(jnp.abs(g)),
        code=code,
        nsteps=nsteps,
        start_ok=start_ok,
        at_bound=coords.at_bound(pv),
    )


def _covariance(out: dict, errors: str | None) -> dict:
    """Covariance in physical space, singular / indefinite flags, from the information."""
    at_bound = np.asarray(out["at_bound"], bool)
    nv = at_bound.shape[-1]
    if errors is None:
        shape = at_bound.shape
        return dict(
            cov=np.full((*shape, nv), np.nan),
            singular=np.zeros(shape[:-1], bool),
            weak=np.zeros(shape),
            indefinite=np.zeros(shape[:-1], bool),
        )
    h = np.asarray(out["info"], float)
    h = 0.5 * (h + np.swapaxes(h, -1, -2))
    cov_z, singular, weak, lowest = inverse_information(h, at_bound)
    with np.errstate(invalid="ignore"):
        flat = np.abs(lowest) < FLAT_RTOL
        indefinite = lowest <= -FLAT_RTOL
    singular = singular | flat | ~np.isfinite(lowest)
    cov_z = np.where(singular[..., None, None], np.nan, cov_z)
    d = np.asarray(out["dpdz"], float)
    cov = d[..., :, None] * cov_z * d[..., None, :]
    mask = at_bound[..., :, None] | at_bound[..., None, :]
    cov = np.where(mask, np.nan, cov)
    return dict(cov=cov, singular=singular, weak=weak, indefinite=indefinite)


def _fisher(kernel: _LikelihoodKernel, coords, data, z, d, lay: Layout):
    """Return the expected information in ``z`` of a built-in likelihood."""
    c_loc, c_scale = kernel.lik.fisher()

    def r_of(zz):
        return kernel.residual(coords.params(zz), data)

    jac = jax.jacfwd(r_of)(z)
    p = coords.params(z)
    noise = p[NOISE] if kernel.fit_noise else 1.0
    info = c_loc * (jac.T @ jac) / noise**2
    vnames = lay.vary_names
    if kernel.fit_noise and NOISE in vnames:
        k = vnames.index(NOISE)
        n = jac.shape[0]
        info = info.at[k, k].add(c_scale * n * (d[k] / noise) ** 2)
    return info


# ---------------------------------------------------------------------------------------
# the result


def _to_result(out: dict, prob: _Prepared, static: _Static, method_name: str, gtol, is_lik):
    lay = prob.layout
    batched = prob.n_batch is not None
    ndata = prob.ndata
    nv = sum(lay.vary)
    chi2 = out["chi2"]
    if is_lik and ndata > nv:
        redchi = chi2 / (ndata - nv)
    else:
        redchi = np.full_like(chi2, np.nan)
    success = (out["code"] == OK) & out["start_ok"] & np.isfinite(out["objective"])
    success = success & ~out["indefinite"]
    messages = _messages(out, prob, static, gtol, batched)
    sc = (lambda a: a) if batched else (lambda a: a[()])
    extra = dict(
        nsteps=out["nsteps"],
        objective=out["objective"],
        grad_norm=out["grad_norm"],
        at_bound=out["at_bound"],
        singular=out["singular"],
        indefinite=out["indefinite"],
    )
    return from_arrays(
        out["params"],
        out["cov"],
        prob.p0,
        layout=lay,
        bounds={n: prob.params[n].bounds for n in lay.names},
        batched=batched,
        chi2=sc(chi2),
        redchi=sc(redchi),
        ndata=ndata,
        success=sc(success) if batched else bool(success),
        status=sc(np.where(success | (out["code"] != OK), out["code"], STALLED)),
        message=messages if batched else messages[0],
        scale_covar=False,
        n_starts=1,
        max_steps=static.max_steps,
        extra={k: sc(v) for k, v in extra.items()},
        method=method_name + (" MAP" if static.priors else ""),
    )


def _messages(out: dict, prob: _Prepared, static: _Static, gtol: float, batched: bool):
    lay = prob.layout
    vnames = lay.vary_names
    first_order = not (isinstance(static.method, str) and static.method in LINE_SEARCH)

    def row(key):
        a = np.asarray(out[key])
        return a if batched else a[None]

    code, start_ok, f, g = row("code"), row("start_ok"), row("objective"), row("grad_norm")
    nsteps, at_bound, singular, weak = row("nsteps"), row("at_bound"), row("singular"), row("weak")
    indefinite = row("indefinite")
    p0 = np.asarray(prob.p0) if batched else np.asarray(prob.p0)[None]
    msgs = []
    for i in range(code.shape[0]):
        parts = []
        c = int(code[i])
        tol = gtol * max(1.0, abs(float(f[i]))) if np.isfinite(f[i]) else np.nan
        if not bool(start_ok[i]):
            vals = ", ".join(f"{nm}={p0[i][k]:.6g}" for k, nm in enumerate(lay.names))
            parts.append(
                f"failed: the objective (or its gradient) is not finite at the starting values "
                f"({vals}): move the start into the model's domain, or add bounds "
                "(Parameter(min=..., max=...)) that keep it there"
            )
        elif c == OK and static.errors is not None and bool(indefinite[i]):
            parts.append(
                f"failed: the gradient vanishes after {int(nsteps[i])} steps, but the Hessian "
                "of the objective there is not positive definite: a saddle or a maximum, not "
                "a minimum; start elsewhere (the covariance is NaN)"
            )
        elif c == OK:
            parts.append(f"converged in {int(nsteps[i])} steps (max |gradient| {g[i]:.3g})")
        elif c == MAX_STEPS:
            hint = (
                "lower the learning rate or decay it with an optax schedule, loosen gtol, "
                "or use method='lbfgs'"
                if first_order
                else "give better starting values or bounds"
            )
            parts.append(
                f"did not converge within max_steps={static.max_steps} (objective "
                f"{f[i]:.10g}, max |gradient| {g[i]:.3g} > gtol·max(1, |objective|) = "
                f"{tol:.3g}): raise max_steps, or {hint}"
            )
        elif c == NONFINITE:
            parts.append(
                f"failed: the objective or its gradient became NaN or inf at step "
                f"{int(nsteps[i])} (the last finite point is reported); bound the parameters "
                "to the model's domain (Parameter(min=..., max=...)) or fix the model's unsafe "
                "branches" + ("; or lower the learning rate" if first_order else "")
            )
        else:  # STALLED
            parts.append(
                f"failed: the optimiser stopped making progress at step {int(nsteps[i])} with "
                f"max |gradient| {g[i]:.3g} above the tolerance {tol:.3g}: the objective is "
                "probably noisy or not smooth at that level (e.g. a coarse quadrature); "
                "loosen gtol if the point is good enough"
            )
        if static.errors is None:
            parts.append("uncertainties not computed (errors=None)")
        elif bool(start_ok[i]) and bool(indefinite[i]):
            if c != OK:
                parts.append(
                    "the Hessian at the last point is not positive definite (the covariance is NaN)"
                )
            parts += covariance_notes(vnames, at_bound[i], False, weak[i])
        else:
            sing = bool(singular[i]) and bool(start_ok[i])
            parts += covariance_notes(vnames, at_bound[i], sing, weak[i])
        msgs.append("; ".join(parts))
    return msgs
