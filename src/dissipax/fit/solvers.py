"""Solvers of the fit pipeline, as equinox modules (in the manner of optimistix's solvers).

A solver is a small, immutable object that says *how* a fit is solved; the driver
(:func:`dissipax.fit.least_squares`) says *what* is solved (the weighted residual of a
:class:`~._problem.Problem` on the bound-enforcing internal coordinates) and runs the
solver on every (fit, start) job of a batch in one compiled, ``vmap``-ed call.

:class:`LevenbergMarquardt`
    One ``lax.while_loop`` per job, in two variants (``step``).  ``"qr"``: each iteration
    solves the damped Gauss–Newton problem ``min |J δ + r|² + λ Σ_i D_i δ_i²`` by a thin QR
    of the augmented matrix ``[J; sqrt(λ D)]`` (:func:`damped_step`); the loop carries
    ``r`` and ``J``, and the model appears once in the compiled graph (small solves: fast
    to compile).  ``"normal"`` (large float64 solves, where run time matters): each
    iteration solves ``(JᵀJ + λ D) δ = -Jᵀr`` (Marquardt's scaling ``D``: the largest
    ``(JᵀJ)_ii`` seen so far, as MINPACK; More 1978) by an unrolled Cholesky
    factorisation, evaluates the
    residual and its forward-mode Jacobian at the trial point in one pass
    (:func:`jax.linearize`) and reduces them at once to the Gram matrix of ``[J | r]``
    (:func:`gram`: ``JᵀJ``, ``Jᵀr``, ``rᵀr``, one fused sum per entry), and accepts the
    step when the gain ratio ``ρ = (actual decrease)/(predicted decrease)`` exceeds
    :data:`LevenbergMarquardt.accept`; the predicted decrease ``-(2δᵀJᵀr + δᵀJᵀJδ)`` comes
    from the same Gram matrix.  The damping follows Nielsen's rule (Nielsen 1999; Madsen,
    Nielsen & Tingleff 2004, Eq. (3.16)): ``λ ← λ max(1/3, 1 − (2ρ − 1)³)`` on
    acceptance, ``λ ← λ ν, ν ← 2ν`` on rejection.  The loop carries the parameters and
    this Gram matrix only, never the ``(ndata, n)`` Jacobian: an iteration of a batched
    fit is one pass over the data (measured on the 1000-curve benchmark: 1.1 µs per fit
    and step, against 2.8 µs for ``"qr"``).  Both variants share the acceptance, damping
    and termination rules below (``LevenbergMarquardt._decide``).

    Termination (optimistix's Cauchy criterion, on the internal coordinates ``z`` and on
    ``chi2``): the last step changed every ``z_i`` by at most ``atol + rtol |z_i|`` and
    ``chi2`` by at most ``atol + rtol chi2`` (for a rejected step: the decrease the
    linearised model still promised), or a step was rejected although its linearised model
    promised a decrease below ``ROUNDING_FACTOR·eps·chi2`` (nothing is left to gain at
    working precision: waiting for the damping to shrink the step below ``rtol`` would only
    add rejected steps).  A trial point whose residual is not finite is rejected (the
    damping grows); a start whose residual is not finite ends the job at once with
    :attr:`~._status.Status.NONFINITE`.

    Accuracy.  ``"qr"``: once converged, one undamped Gauss–Newton step in the same loop
    (if steps are left; kept unless chi2 grows by more than the tolerance) lands on the
    optimum to rounding.  ``"normal"``: normal equations carry rounding of
    ``~cond(J)²·eps``: near the optimum,
    where ``Jᵀr`` is a sum that cancels, their steps turn to noise and the loop stops up
    to ~1e-8 (relative) short of the optimum on a moderately conditioned fit.  So a
    converged loop is followed by :func:`polish`: undamped Gauss–Newton steps by a
    backward-stable thin QR (:func:`damped_step`, error ``~cond(J)·eps``) until a step is
    below the tolerance.  The returned point is the optimum at working precision, and it
    depends neither on the normal equations' conditioning nor on how the damped steps
    rounded (e.g. on the batch a fit ran in: tested to 1e-12).  Passing these tests is
    necessary, not sufficient: the driver then checks stationarity (Bates–Watts) at the
    returned point.

    Compared with :func:`optimistix.least_squares` + :class:`optimistix.LevenbergMarquardt`
    (the engine of round 1) the iterates differ (another damping rule, the same
    optimum), and the compiled graph is several times smaller: the first fit of a 40-point
    saturation curve compiles in about a third of the time (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp

from .._checks import DomainError
from ._linsolve import MAX_UNROLLED, cholesky_unrolled, mgs_lstsq, mgs_unrolled
from ._status import Status


class AbstractLeastSquaresSolver(eqx.Module):
    """A least-squares solver: ``run(lin, z0, rtol, atol, max_steps, out_struct) -> dict``.

    ``lin(z) -> (r, J, aux)`` is the weighted residual of one job, its Jacobian
    ``(ndata, n)`` in the solver's coordinates ``z``, and any auxiliary array the caller
    wants back at the returned point (the pipeline: the Jacobian in physical units); ``z0``
    the start.  ``rtol``/``atol`` are traced arrays (changing them does not recompile);
    ``max_steps`` is static.  ``out_struct`` (optional): the shapes and dtypes of
    ``lin``'s output as ``jax.ShapeDtypeStruct`` leaves, when the caller knows them (it saves
    tracing ``lin`` once more to find them).  The result holds ``z``, ``r``, ``jac``,
    ``aux``, ``chi2`` (``Σ r²``), ``status`` (:class:`~._status.Status`), ``steps`` and
    ``start_ok``.
    """

    def run(self, lin: Callable, z0, rtol, atol, max_steps: int, out_struct=None) -> dict:
        """Minimise ``|r(z)|²`` from ``z0`` (see the class notes)."""
        raise NotImplementedError


def linearize(fn: Callable, z):
    """Residual and its Jacobian ``(ndata, n)`` at ``z`` in one forward pass."""
    r, jvp = jax.linearize(fn, z)
    jac = jax.vmap(jvp, out_axes=1)(jnp.eye(z.shape[0], dtype=z.dtype))
    return r, jac


def damped_step(jac, r, damping):
    """Solve ``min |J δ + r|² + Σ_i damping_i δ_i²`` for ``δ`` (a thin QR, backward stable).

    ``jac``: ``(m, n)``; ``damping``: ``(n,)`` >= 0.  Up to :data:`MAX_UNROLLED` columns by
    unrolled modified Gram–Schmidt on the augmented matrix (element-wise work only, which
    XLA fuses across a batch); beyond that by Householder QR (:func:`jnp.linalg.qr`).
    """
    n = jac.shape[1]
    aug = jnp.concatenate([jac, jnp.diag(jnp.sqrt(damping))], axis=0)
    b = jnp.concatenate([-r, jnp.zeros(n, r.dtype)])
    if n <= MAX_UNROLLED:
        q, rr = mgs_unrolled([aug[:, j] for j in range(n)])
        return mgs_lstsq(q, rr, b)
    q, rr = jnp.linalg.qr(aug)
    return jax.scipy.linalg.solve_triangular(rr, q.T @ b)


def gram(jac, r):
    """``(JᵀJ, Jᵀr, rᵀr)`` in one pass over the data (one fused reduction).

    The normal-equation terms of a step, from the products of the columns of ``[J | r]``.
    """
    n = jac.shape[1]
    cols = [jac[:, i] for i in range(n)] + [r]
    pairs = [(i, j) for i in range(n + 1) for j in range(i, n + 1)]
    # one reduction per entry: XLA fuses each product into its sum (a stacked reduction
    # would materialise every product first)
    at = {(i, j): jnp.sum(cols[i] * cols[j]) for i, j in pairs}
    h = jnp.stack([jnp.stack([at[min(i, j), max(i, j)] for j in range(n)]) for i in range(n)])
    g = jnp.stack([at[i, n] for i in range(n)])
    return h, g, at[n, n]


def normal_step(h, g, damping):
    """Solve ``(H + diag(damping)) δ = -g`` by Cholesky (``H = JᵀJ``, ``g = Jᵀr``).

    Unrolled over the (few, static) unknowns up to :data:`MAX_UNROLLED` (element-wise work
    that XLA fuses across a batch), :func:`jax.scipy.linalg.cho_solve` beyond.  A matrix
    that is not positive definite gives a non-finite step (never taken).
    """
    n = g.shape[0]
    a = h + jnp.diag(damping)
    if n > MAX_UNROLLED:
        c = jax.scipy.linalg.cho_factor(a, lower=True)
        return jax.scipy.linalg.cho_solve(c, -g)
    L, ok = cholesky_unrolled(a, jnp)
    y = [None] * n
    for i in range(n):
        y[i] = (-g[i] - sum((L[i][k] * y[k] for k in range(i)), 0.0)) / L[i][i]
    x = [None] * n
    for i in reversed(range(n)):
        x[i] = (y[i] - sum((L[k][i] * x[k] for k in range(i + 1, n)), 0.0)) / L[i][i]
    return jnp.where(ok, jnp.stack(x), jnp.nan)


#: a step is exhausted when its predicted chi2 decrease is below this many eps of chi2
ROUNDING_FACTOR = 16.0


#: accepted values of :attr:`LevenbergMarquardt.step`
STEPS = ("auto", "qr", "normal")


class LevenbergMarquardt(AbstractLeastSquaresSolver):
    """Levenberg–Marquardt with Marquardt scaling and Nielsen's damping (module notes).

    Parameters
    ----------
    rtol, atol
        Termination tolerances (Cauchy criterion on ``z`` and ``chi2``); ``None``: the
        working dtype's default (:func:`dissipax.fit.lm.default_tolerance`).  Read by the
        driver and passed to :meth:`run` as traced arrays.
    step
        How the damped step is solved (module notes): ``"qr"`` (a thin QR of the augmented
        Jacobian, which the loop carries; the model appears once in the compiled graph),
        ``"normal"`` (normal equations from the Gram matrix of ``[J | r]``, the loop
        carries a few numbers per fit, then :func:`polish`; three evaluations of the model
        in the graph), or ``"auto"``: the driver picks ``"normal"`` in float64 where the
        solve's run time dominates its compile time (:func:`dissipax.fit._codegen.choose_step`).
    """

    rtol: float | None = None
    atol: float | None = None
    #: initial damping relative to Marquardt's scaling
    lambda0: float = eqx.field(default=1e-3, static=True)
    #: smallest gain ratio of an accepted step
    accept: float = eqx.field(default=1e-4, static=True)
    step: str = eqx.field(default="auto", static=True)

    def __check_init__(self):
        if self.step not in STEPS:
            raise DomainError(
                f"LevenbergMarquardt(step=...) must be one of {STEPS}; got {self.step!r}"
            )

    def run(self, lin: Callable, z0, rtol, atol, max_steps: int, out_struct=None) -> dict:
        """Minimise ``|r(z)|²`` from ``z0`` (see :class:`AbstractLeastSquaresSolver`)."""
        if self.step == "normal":
            return self._run_normal(lin, z0, rtol, atol, max_steps)
        return self._run_qr(lin, z0, rtol, atol, max_steps, out_struct)

    def _decide(self, c: dict, delta, ft, finite_t, pred, rtol, atol, max_steps: int, polish):
        """Accept or reject a trial step, update the damping, test termination.

        ``c``: the loop state (``z``, ``f``, ``lam``, ``nu``, ``k``); ``polish``: whether
        this step is the undamped polishing step of the ``"qr"`` loop (``False`` for
        ``"normal"``, which polishes after its loop).  Returns ``(good, lam, nu, k + 1,
        status, start_polish)``.
        """
        z, f, lam, nu, k = c["z"], c["f"], c["lam"], c["nu"], c["k"]
        eps = jnp.finfo(z.dtype).eps
        first = k < 0
        actual = f - ft
        rho = actual / jnp.where(pred > 0, pred, 1.0)
        # the polishing Gauss-Newton step is kept unless chi2 grows by more than the
        # termination tolerance (near the optimum its change is rounding)
        keep_polish = ft <= f + atol + rtol * f
        good = finite_t & (first | jnp.where(polish, keep_polish, (pred > 0) & (rho > self.accept)))
        # Nielsen's damping update
        lam_good = lam * jnp.maximum(1.0 / 3.0, 1.0 - (2.0 * rho - 1.0) ** 3)
        lam_new = jnp.where(first, lam, jnp.where(good, lam_good, lam * nu))
        nu_new = jnp.where(good | first, 2.0, 2.0 * nu)
        # Cauchy termination on z and chi2
        small_z = jnp.all(jnp.abs(delta) <= atol + rtol * jnp.abs(z))
        change = jnp.where(good, jnp.abs(actual), jnp.abs(pred))
        small_f = change <= atol + rtol * f
        k1 = k + 1
        # a rejected step whose linear model promised a decrease below the rounding of
        # chi2 itself: no step can lower chi2 at working precision any more (waiting for
        # the damping to shrink the step below rtol only adds rejected steps)
        exhausted = ~good & (pred >= 0) & (pred <= ROUNDING_FACTOR * eps * f)
        done = ((small_z & small_f) | exhausted) & ~first
        # "qr": once converged, one undamped Gauss-Newton step (if steps are left) in the
        # same loop; "normal": polish() after the loop
        start_polish = done & ~polish & (k1 < max_steps) & (self.step != "normal")
        status = jnp.where(
            first,
            jnp.where(finite_t, Status.RUNNING, Status.NONFINITE),
            jnp.where(
                polish | (done & ~start_polish),
                Status.OK,
                jnp.where(start_polish | (k1 < max_steps), Status.RUNNING, Status.MAX_STEPS),
            ),
        )
        return good, lam_new, nu_new, k1, status, start_polish

    def _start(self, z0):
        dt = z0.dtype
        return dict(
            z=z0,
            f=jnp.asarray(jnp.inf, dt),
            dmax=jnp.zeros(z0.shape, dt),
            lam=jnp.asarray(self.lambda0, dt),
            nu=jnp.asarray(2.0, dt),
            k=jnp.asarray(-1),
            status=jnp.asarray(Status.RUNNING),
            start_ok=jnp.asarray(False),
        )

    @staticmethod
    def _scale(dmax):
        return jnp.maximum(dmax, jnp.finfo(dmax.dtype).tiny + 1e-30 * jnp.max(dmax))

    def _run_qr(self, lin, z0, rtol, atol, max_steps: int, out_struct) -> dict:
        """Run the ``"qr"`` loop: the augmented Jacobian's thin QR at every step."""
        # The start is evaluated by the loop's first iteration (a zero step that is
        # accepted when finite): the model appears once in the compiled graph.
        r0, j0, a0 = jax.eval_shape(lin, z0) if out_struct is None else out_struct
        zeros = lambda s: jnp.zeros(s.shape, s.dtype)  # noqa: E731
        carry0 = dict(
            self._start(z0),
            r=zeros(r0),
            jac=zeros(j0),
            aux=jax.tree.map(zeros, a0),
            polish=jnp.asarray(False),
        )

        def body(c):
            first, polish = c["k"] < 0, c["polish"]
            damping = jnp.where(polish, 0.0, c["lam"]) * self._scale(c["dmax"])
            delta = damped_step(c["jac"], c["r"], damping)
            ok_delta = jnp.all(jnp.isfinite(delta)) & ~first
            delta = jnp.where(ok_delta, delta, jnp.zeros_like(delta))
            zt = c["z"] + delta
            rt, jt, at = lin(zt)
            ft = _chi2(rt)
            finite_t = jnp.isfinite(ft) & jnp.all(jnp.isfinite(jt))
            pred = c["f"] - jnp.sum((c["r"] + c["jac"] @ delta) ** 2)
            good, lam, nu, k1, status, start_polish = self._decide(
                c, delta, ft, finite_t, pred, rtol, atol, max_steps, polish
            )

            def pick(new, old):
                return jnp.where(good, new, old)

            return dict(
                z=pick(zt, c["z"]),
                f=pick(ft, c["f"]),
                dmax=pick(jnp.maximum(c["dmax"], jnp.sum(jt**2, axis=0)), c["dmax"]),
                lam=lam,
                nu=nu,
                k=k1,
                status=status,
                start_ok=jnp.where(first, finite_t, c["start_ok"]),
                r=pick(rt, c["r"]),
                jac=pick(jt, c["jac"]),
                aux=jax.tree.map(pick, at, c["aux"]),
                polish=start_polish,
            )

        c = jax.lax.while_loop(lambda c: c["status"] == Status.RUNNING, body, carry0)
        return dict(
            z=c["z"], r=c["r"], jac=c["jac"], aux=c["aux"], chi2=c["f"], status=c["status"],
            steps=c["k"], start_ok=c["start_ok"],
        )  # fmt: skip

    def _run_normal(self, lin, z0, rtol, atol, max_steps: int) -> dict:
        """Run the ``"normal"`` loop: normal equations from the Gram matrix, then polish."""
        n = z0.shape[0]
        dt = z0.dtype
        # The loop carries only the Gram matrix of [J | r] at the current point: the
        # (ndata,) and (ndata, n) arrays never enter the carry.
        carry0 = dict(self._start(z0), g=jnp.zeros((n,), dt), h=jnp.zeros((n, n), dt))

        def body(c):
            first = c["k"] < 0
            delta = normal_step(c["h"], c["g"], c["lam"] * self._scale(c["dmax"]))
            ok_delta = jnp.all(jnp.isfinite(delta)) & ~first
            delta = jnp.where(ok_delta, delta, jnp.zeros_like(delta))
            zt = c["z"] + delta
            rt, jt, _ = lin(zt)
            ht, gt, ft = gram(jt, rt)
            ft = jnp.where(jnp.isfinite(ft), ft, jnp.inf)
            finite_t = jnp.isfinite(ft) & jnp.all(jnp.isfinite(ht))
            # f - |r + J δ|², from the Gram matrix (no cancellation against f)
            h, g = c["h"], c["g"]
            pred = -(2.0 * jnp.sum(delta * g) + jnp.sum(delta[:, None] * h * delta[None, :]))
            good, lam, nu, k1, status, _ = self._decide(
                c, delta, ft, finite_t, pred, rtol, atol, max_steps, jnp.asarray(False)
            )

            def pick(new, old):
                return jnp.where(good, new, old)

            return dict(
                z=pick(zt, c["z"]),
                f=pick(ft, c["f"]),
                dmax=pick(jnp.maximum(c["dmax"], jnp.diagonal(ht)), c["dmax"]),
                lam=lam,
                nu=nu,
                k=k1,
                status=status,
                start_ok=jnp.where(first, finite_t, c["start_ok"]),
                g=pick(gt, g),
                h=pick(ht, h),
            )

        c = jax.lax.while_loop(lambda c: c["status"] == Status.RUNNING, body, carry0)
        z, k, status = c["z"], c["k"], c["status"]
        r, jac, aux = lin(z)
        z, r, jac, aux, f, k = polish(
            lin, z, r, jac, aux, k, status == Status.OK, rtol, atol, max_steps
        )
        return dict(
            z=z, r=r, jac=jac, aux=aux, chi2=f, status=status, steps=k, start_ok=c["start_ok"]
        )


def _chi2(r):
    """``Σ r²``, +inf where it is not finite."""
    f = jnp.sum(r**2)
    return jnp.where(jnp.isfinite(f), f, jnp.inf)


#: most undamped Gauss-Newton steps that :func:`polish` takes
MAX_POLISH = 4


def polish(lin, z, r, jac, aux, k, converged, rtol, atol, max_steps: int):
    """Undamped Gauss-Newton steps by a thin QR from a converged point, until they are small.

    The damped loop's steps come from the normal equations, whose rounding grows as
    ``cond(J)²·eps``: near the optimum, where the gradient ``Jᵀr`` is a sum that cancels,
    their direction becomes noise, steps are rejected, and the loop stops (its Cauchy or
    "exhausted" test) up to ~1e-8 (relative) from the optimum on a moderately conditioned
    fit.  Gauss-Newton by QR (backward stable, error ``~cond(J)·eps``) then takes the point
    to the optimum at working precision: each step is kept unless chi2 grows by more than
    the termination tolerance (near the optimum its change is rounding), and the steps end
    once one changed every coordinate by at most ``atol + rtol·|z|`` (Gauss-Newton
    converges linearly on a problem with residuals, at a rate of ~1/100 on the fits of
    this project's tests), after :data:`MAX_POLISH` steps, or at ``max_steps``.  So the
    returned point depends neither on how the damped steps rounded (e.g. on the batch a fit
    ran in) nor on the normal equations' conditioning.  Each step counts as a solver step.
    """
    n = z.shape[0]

    def cond(c):
        return c[-1]

    def body(c):
        z, r, jac, aux, f, k, i, _ = c
        delta = damped_step(jac, r, jnp.zeros((n,), z.dtype))
        ok = jnp.all(jnp.isfinite(delta))
        zt = z + jnp.where(ok, delta, jnp.zeros_like(delta))
        rt, jt, at = lin(zt)
        ft = _chi2(rt)
        keep = ok & jnp.isfinite(ft) & jnp.all(jnp.isfinite(jt)) & (ft <= f + atol + rtol * f)
        small = jnp.all(jnp.abs(delta) <= atol + rtol * jnp.abs(z))
        k1, i1 = k + 1, i + 1

        def pick(new, old):
            return jnp.where(keep, new, old)

        more = keep & ~small & (k1 < max_steps) & (i1 < MAX_POLISH)
        return (
            pick(zt, z), pick(rt, r), pick(jt, jac), jax.tree.map(pick, at, aux), pick(ft, f),
            k1, i1, more,
        )  # fmt: skip

    start = converged & (k < max_steps)
    out = jax.lax.while_loop(cond, body, (z, r, jac, aux, _chi2(r), k, jnp.asarray(0), start))
    return out[:6]


__all__ = [
    "AbstractLeastSquaresSolver",
    "LevenbergMarquardt",
    "damped_step",
    "gram",
    "linearize",
    "normal_step",
    "polish",
    "STEPS",
]
