"""The thin QR of the small, tall systems of a Levenberg–Marquardt step.

:func:`~.solvers.damped_step` solves the least-squares problem
``[J; sqrt(λ D)] δ ≈ [-r; 0]`` with ``J`` of shape ``(ndata, nvary)`` (the undamped
``λ = 0`` steps of :func:`~.solvers.polish` after Levenberg–Marquardt's loop).  LAPACK's
Householder QR, once per fit, would be a thousand tiny library calls per step under
``vmap`` over a thousand fits of three parameters, and would dominate the step's cost.
:func:`mgs_unrolled` computes the same thin QR by modified Gram–Schmidt *unrolled* over
the (few, static) columns: every operation is an element-wise product or a sum over the
``ndata + nvary`` rows, which XLA fuses across the batch.

Accuracy.  MGS with ``Qᵀb`` formed by the same projections (MGS on the augmented matrix
``[A | b]``) is backward stable for least squares, like Householder QR (Björck 1967;
Björck & Paige 1992): errors grow as ``cond(J)·eps``.  The normal equations, ``JᵀJ`` by
Cholesky, grow as ``cond(J)²·eps``: on an ill-conditioned fit their step noise never
falls below the default ``atol = 1e-10``.  So the damped loop of
:class:`~.solvers.LevenbergMarquardt`, which uses them for speed (one pass over the data
per step), ends with :func:`~.solvers.polish`: Gauss–Newton steps by this factorisation.
A parameter without effect (a zero column of ``J``, with ``λ ≈ 0``) gives a zero pivot
and a non-finite solution, which is never taken.  Systems with more than
:data:`MAX_UNROLLED` columns use Householder QR (:func:`~.solvers.damped_step`).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

#: most unknowns for which the unrolled factorisation is used (its graph grows as n²);
#: larger systems use Householder QR
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


def cholesky_unrolled(a, xp=np):
    """Cholesky factor ``L`` (``a = L Lᵀ``) of matrices ``a`` (..., n, n), unrolled over ``n``.

    ``xp``: NumPy or ``jax.numpy``; element-wise over the leading axes (a batch of small
    matrices costs a few dozen vectorised operations, where LAPACK is called once per
    matrix).  Returns the lower triangle as nested lists ``L[i][j]`` (``j <= i``) and
    ``ok``: whether every pivot was positive.  A non-positive pivot is replaced by 1 so
    that the factor stays finite; where ``ok`` is False it is meaningless.
    """
    n = a.shape[-1]
    L = [[None] * n for _ in range(n)]
    ok = xp.ones(a.shape[:-2], bool)
    for j in range(n):
        d = a[..., j, j] - sum((L[j][k] ** 2 for k in range(j)), 0.0)
        ok = ok & (d > 0)
        L[j][j] = xp.sqrt(xp.where(d > 0, d, 1.0))
        for i in range(j + 1, n):
            t = a[..., i, j] - sum((L[i][k] * L[j][k] for k in range(j)), 0.0)
            L[i][j] = t / L[j][j]
    return L, ok
