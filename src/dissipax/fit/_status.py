"""The status of a fit: one enumeration for every solver of :mod:`dissipax.fit`.

Every solver (Levenberg–Marquardt, the optax minimisers) ends each fit with one of these
codes; the post-processing step may demote a solver's ``OK`` to ``STALLED`` (not
stationary) or ``DEGENERATE`` (a physics package's check), or promote ``MAX_STEPS`` to
``BOUND_OK`` (converged on a bound).  :func:`succeeded` is the one definition of success.
Messages are built from these codes in :mod:`.result`.
"""

from __future__ import annotations

import enum

import numpy as np


class Status(enum.IntEnum):
    """Outcome of one fit (the values are stored in ``FitResult.status``)."""

    #: still iterating (inside a solver's loop only)
    RUNNING = -1
    #: converged: the termination test passed at a stationary point
    OK = 0
    #: the step limit was reached
    MAX_STEPS = 1
    #: the model or the objective became NaN/inf
    NONFINITE = 2
    #: the iteration diverged
    DIVERGED = 3
    #: a linear solve of a step failed (a singular Jacobian)
    LINEAR_FAIL = 4
    #: converged with a parameter pinned at a bound (KKT conditions hold)
    BOUND_OK = 5
    #: the solver stopped where the steps no longer change the objective, but the point is
    #: not stationary (Bates–Watts relative offset, or a gradient that stopped decreasing)
    STALLED = 6
    #: a check passed in by the caller (e.g. a flat model curve) rejected the optimum
    DEGENERATE = 7


#: the codes as plain ints, for NumPy comparisons (an array compared with an ``IntEnum``
#: member costs ~4x the comparison with an int: NumPy converts the member each time)
OK, MAX_STEPS, NONFINITE, DIVERGED, LINEAR_FAIL, BOUND_OK, STALLED, DEGENERATE = (
    int(Status[name])
    for name in (
        "OK",
        "MAX_STEPS",
        "NONFINITE",
        "DIVERGED",
        "LINEAR_FAIL",
        "BOUND_OK",
        "STALLED",
        "DEGENERATE",
    )
)


def succeeded(status) -> np.ndarray:
    """Whether each status counts as a converged fit (``OK`` or ``BOUND_OK``)."""
    s = np.asarray(status)
    return (s == OK) | (s == BOUND_OK)
