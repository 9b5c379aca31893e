"""Solvers of the fit pipeline, as equinox modules (in the manner of optimistix's solvers).

A solver is a small, immutable object that says *how* a fit is solved; the driver
(:func:`dissipax.fit.least_squares`) says *what* is solved (the weighted residual of a
:class:`~._problem.Problem` on the bound-enforcing internal coordinates) and runs the
solver on every (fit, start) job of a batch in one compiled, ``vmap``-ed call.

:class:`LevenbergMarquardt`
    One ``lax.while_loop`` per job.  Each iteration solves the damped Gauss–Newton system
    ``min |J δ + r|² + λ Σ_i d_i δ_i²`` (Marquardt's scaling ``d_i``: the largest
    ``(JᵀJ)_ii`` seen so far, as MINPACK; More 1978) by a thin QR of the augmented matrix
    ``[J; sqrt(λ d)]`` (modified Gram–Schmidt unrolled over the few columns, backward stable
    like Householder QR: :mod:`._linsolve`), evaluates the residual and its forward-mode
    Jacobian at the trial point in one pass (:func:`jax.linearize`), and accepts the step
    when the gain ratio ``ρ = (actual decrease)/(predicted decrease)`` exceeds
    :data:`LevenbergMarquardt.accept`.  The damping follows Nielsen's rule (Nielsen 1999;
    Madsen, Nielsen & Tingleff 2004, Eq. (3.16)): ``λ ← λ max(1/3, 1 − (2ρ − 1)³)`` on
    acceptance, ``λ ← λ ν, ν ← 2ν`` on rejection.

    Termination (optimistix's Cauchy criterion, on the internal coordinates ``z`` and on
    ``chi2``): the last step changed every ``z_i`` by at most ``atol + rtol |z_i|`` and
    ``chi2`` by at most ``atol + rtol chi2`` (for a rejected step: the decrease the
    linearised model still promised), or a step was rejected although its linearised model
    promised a decrease below ``ROUNDING_FACTOR·eps·chi2`` (nothing is left to gain at
    working precision: waiting for the damping to shrink the step below ``rtol`` would only
    add rejected steps).  Then one undamped Gauss–Newton step polishes the
    optimum (kept unless chi2 grows by more than the tolerance): Gauss–Newton converges
    quadratically there, so the returned point no longer depends on where, within the
    tolerance, the damped steps stopped (e.g. on the rounding of a batch sharded over
    devices).  A trial point whose residual is not finite is rejected (the damping grows);
    a start whose residual is not finite ends the job at
    once with :attr:`~._status.Status.NONFINITE`.  Passing this test is necessary, not
    sufficient: the driver then checks stationarity (Bates–Watts) at the returned point.

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

from ._linsolve import MAX_UNROLLED, mgs_lstsq, mgs_unrolled
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


#: a step is exhausted when its predicted chi2 decrease is below this many eps of chi2
ROUNDING_FACTOR = 16.0


class LevenbergMarquardt(AbstractLeastSquaresSolver):
    """Levenberg–Marquardt with Marquardt scaling and Nielsen's damping (module notes).

    Parameters
    ----------
    rtol, atol
        Termination tolerances (Cauchy criterion on ``z`` and ``chi2``); ``None``: the
        working dtype's default (:func:`dissipax.fit.lm.default_tolerance`).  Read by the
        driver and passed to :meth:`run` as traced arrays.
    """

    rtol: float | None = None
    atol: float | None = None
    #: initial damping relative to Marquardt's scaling
    lambda0: float = eqx.field(default=1e-3, static=True)
    #: smallest gain ratio of an accepted step
    accept: float = eqx.field(default=1e-4, static=True)

    def run(self, lin: Callable, z0, rtol, atol, max_steps: int, out_struct=None) -> dict:
        """Minimise ``|r(z)|²`` from ``z0`` (see :class:`AbstractLeastSquaresSolver`)."""
        dt = z0.dtype
        tiny = jnp.finfo(dt).tiny
        eps = jnp.finfo(dt).eps

        def chi2(r):
            f = jnp.sum(r**2)
            return jnp.where(jnp.isfinite(f), f, jnp.inf)

        # The start is evaluated by the loop's first iteration (a zero step that is
        # accepted when finite): the model appears once in the compiled graph.
        r0, j0, a0 = jax.eval_shape(lin, z0) if out_struct is None else out_struct
        zeros = lambda s: jnp.zeros(s.shape, s.dtype)  # noqa: E731
        carry0 = (
            z0,
            zeros(r0),
            zeros(j0),
            jax.tree.map(zeros, a0),
            jnp.asarray(jnp.inf, dt),
            jnp.zeros(z0.shape, dt),
            jnp.asarray(self.lambda0, dt),
            jnp.asarray(2.0, dt),
            jnp.asarray(-1),
            jnp.asarray(Status.RUNNING),
            jnp.asarray(False),
            jnp.asarray(False),
        )

        def cond(c):
            return c[-3] == Status.RUNNING

        def body(c):
            z, r, jac, aux, f, dmax, lam, nu, k, _, start_ok, polish = c
            first = k < 0
            scale = jnp.maximum(dmax, tiny + 1e-30 * jnp.max(dmax))
            delta = damped_step(jac, r, jnp.where(polish, 0.0, lam) * scale)
            ok_delta = jnp.all(jnp.isfinite(delta)) & ~first
            delta = jnp.where(ok_delta, delta, jnp.zeros_like(delta))
            zt = z + delta
            rt, jt, at = lin(zt)
            ft = chi2(rt)
            finite_t = jnp.isfinite(ft) & jnp.all(jnp.isfinite(jt))
            pred = f - jnp.sum((r + jac @ delta) ** 2)
            actual = f - ft
            rho = actual / jnp.where(pred > 0, pred, 1.0)
            # the polishing Gauss-Newton step is kept unless chi2 grows by more than the
            # termination tolerance (near the optimum its change is rounding)
            keep_polish = ft <= f + atol + rtol * f
            good = finite_t & (
                first | jnp.where(polish, keep_polish, (pred > 0) & (rho > self.accept))
            )
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
            # once converged, one undamped Gauss-Newton step (if steps are left): it lands
            # on the optimum to rounding from wherever the damped steps stopped, so the
            # result does not depend on how the last damped steps rounded
            start_polish = done & ~polish & (k1 < max_steps)
            status = jnp.where(
                first,
                jnp.where(finite_t, Status.RUNNING, Status.NONFINITE),
                jnp.where(
                    polish | (done & ~start_polish),
                    Status.OK,
                    jnp.where(start_polish | (k1 < max_steps), Status.RUNNING, Status.MAX_STEPS),
                ),
            )

            def pick(new, old):
                return jnp.where(good, new, old)

            d1 = pick(jnp.maximum(dmax, jnp.sum(jt**2, axis=0)), dmax)
            return (
                pick(zt, z),
                pick(rt, r),
                pick(jt, jac),
                jax.tree.map(pick, at, aux),
                pick(ft, f),
                d1,
                lam_new,
                nu_new,
                k1,
                status,
                jnp.where(first, finite_t, start_ok),
                start_polish,
            )

        out = jax.lax.while_loop(cond, body, carry0)
        z, r, jac, aux, f, _, _, _, k, status, start_ok, _ = out
        return dict(z=z, r=r, jac=jac, aux=aux, chi2=f, status=status, steps=k, start_ok=start_ok)


__all__ = ["AbstractLeastSquaresSolver", "LevenbergMarquardt", "damped_step", "linearize"]
