"""A lineax linear solver for the small, tall systems of a Levenberg–Marquardt step.

:class:`optimistix.LevenbergMarquardt` solves, at every step, the damped least-squares
problem ``[J; sqrt(λ) I] δ ≈ [r; 0]`` with ``J`` of shape ``(ndata, nvary)``.  Its default
:class:`lineax.QR` calls LAPACK's Householder QR once per fit: under ``vmap`` over a
thousand fits of three parameters those are a thousand tiny library calls per step, and
they dominate the step's cost.  :class:`SmallMGSQR` computes the same thin QR by modified
Gram–Schmidt *unrolled* over the (few, static) columns: every operation is an element-wise
product or a sum over the ``ndata + nvary`` rows, which XLA fuses across the batch.

Accuracy.  MGS with ``Qᵀb`` formed by the same projections (MGS on the augmented matrix
``[A | b]``) is backward stable for least squares, like Householder QR (Björck 1967;
Björck & Paige 1992): errors grow as ``cond(J)·eps``.  (The normal equations, ``JᵀJ`` by
Cholesky, are as fast but grow as ``cond(J)²·eps``: on an ill-conditioned fit their step
noise never falls below the default ``atol = 1e-10`` and the fit never terminates, so
they are not used.)  A parameter without effect (a zero column of ``J``, with ``λ ≈ 0``)
gives a zero pivot and a non-finite solution, which :func:`lineax.linear_solve` reports
as ``RESULTS.singular`` — as for :class:`lineax.QR` — and a non-finite trial step is never
accepted by the trust region.  Operators with more than :data:`MAX_UNROLLED` columns use
:class:`lineax.QR`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.flatten_util as jfu
import jax.numpy as jnp
import lineax as lx

#: most unknowns for which the unrolled factorisation is used (its graph grows as n²);
#: larger systems use :class:`lineax.QR`
MAX_UNROLLED = 12


def mgs_unrolled(cols: list[jax.Array]) -> tuple[list[jax.Array], list[list[jax.Array]]]:
    """Thin QR of a tall matrix given as its columns, by modified Gram–Schmidt.

    Returns the orthonormal columns ``q`` and the upper triangle ``r[i][j]`` (``i <= j``).
    An exactly dependent column gives a zero pivot and non-finite output.
    """
    n = len(cols)
    v = list(cols)
    q, r = [None] * n, [[None] * n for _ in range(n)]
    for j in range(n):
        r[j][j] = jnp.sqrt(jnp.sum(v[j] * v[j]))
        q[j] = v[j] / r[j][j]
        for k in range(j + 1, n):
            r[j][k] = jnp.sum(q[j] * v[k])
            v[k] = v[k] - r[j][k] * q[j]
    return q, r


def mgs_lstsq(q: list[jax.Array], r: list[list[jax.Array]], b: jax.Array) -> jax.Array:
    """Least-squares solution ``x`` of ``A x ≈ b`` from :func:`mgs_unrolled` of ``A``.

    ``Qᵀb`` is formed by the same sequence of projections as the factorisation (MGS applied
    to the augmented matrix ``[A | b]``), which makes the solution backward stable like a
    Householder QR solve (Björck 1967; Björck & Paige 1992).
    """
    n = len(q)
    z = [None] * n
    for j in range(n):
        z[j] = jnp.sum(q[j] * b)
        b = b - z[j] * q[j]
    x = [None] * n
    for i in reversed(range(n)):
        t = z[i]
        for k in range(i + 1, n):
            t = t - r[i][k] * x[k]
        x[i] = t / r[i][i]
    return jnp.stack(x)


class SmallMGSQR(lx.AbstractLinearSolver):
    """Least-squares solve of a tall, real, full-column-rank operator by unrolled MGS QR.

    As accurate as :class:`lineax.QR` (errors ``~ cond(A)·eps``, not ``cond(A)²·eps`` as
    for the normal equations), with every operation element-wise over a ``vmap`` batch.
    For operators with at most :data:`MAX_UNROLLED` columns (otherwise
    :class:`lineax.QR`).  Forward solves only: the fit engine never differentiates through
    its linear solves, so ``transpose`` / ``conj`` raise.
    """

    def init(self, operator: lx.AbstractLinearOperator, options: dict[str, Any]):
        """Materialise the operator's columns and orthogonalise them."""
        del options
        mat = operator.as_matrix()
        m, n = mat.shape
        if n > MAX_UNROLLED or m < n:
            return ("qr", lx.QR().init(operator, {}))
        q, r = mgs_unrolled([mat[:, j] for j in range(n)])
        return ("mgs", (q, r, operator.in_structure()))

    def compute(self, state, vector, options: dict[str, Any]):
        """Solve ``min |A x - vector|`` (``vector``: a pytree of the operator's output)."""
        kind, inner = state
        if kind == "qr":
            return lx.QR().compute(inner, vector, options)
        q, r, in_structure = inner
        b, _ = jfu.ravel_pytree(vector)
        x = mgs_lstsq(q, r, b)
        zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), in_structure)
        return jfu.ravel_pytree(zeros)[1](x), lx.RESULTS.successful, {}

    def transpose(self, state, options: dict[str, Any]):
        """Not supported (forward solves only)."""
        raise NotImplementedError("SmallMGSQR solves forward systems only")

    def conj(self, state, options: dict[str, Any]):
        """Not supported (real operators only)."""
        raise NotImplementedError("SmallMGSQR solves real systems only")

    def assume_full_rank(self) -> bool:
        """Return True: a QR solve needs full column rank."""
        return True
