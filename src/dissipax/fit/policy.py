"""Hooks of the fit pipeline that the physics packages pass in instead of editing results.

* :class:`Retry` — what to do with fits that fail from their start: re-fit them (from the
  same or another start) with random extra starts, and keep a re-fit where it is better.
  One policy for every front end (:func:`~dissipax.fit.least_squares`, and through it
  ``saturation.fit``, ``vortex.fit``, ``rf.fit_alpha``, ``rf.fit_cavity``).
* :class:`Check` — a test of the optimum that the solver cannot know (a flat model curve
  is a stationary point, not a minimum): fits it rejects get
  :attr:`~dissipax.fit.Status.DEGENERATE`, ``success=False``, the check's note in their
  message, and are retried like any failed fit.

Both are applied by the pipeline before the result is returned; a returned
:class:`~dissipax.fit.FitResult` is never edited afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import equinox as eqx
import numpy as np

from .._checks import DomainError

#: a re-fit replaces the original when it converged and the original did not, or when both
#: have the same success and its chi2 is lower by more than this relative amount
CHI2_TIE_RTOL = 1e-9


class Retry(eqx.Module):
    """Re-fit the fits that fail (or every fit) with extra random starts; keep the better.

    Parameters
    ----------
    multistart
        Extra random starts of the re-fit (draws as in ``least_squares(multistart=...)``).
    params
        The start of the re-fit: ``None`` (the original start) or a ``params`` dict like
        the original's, e.g. an automatic start when the user gave their own.  Per-fit
        starts are taken at the rows being re-fitted.
    when
        ``"failed"``: re-fit only fits with ``success=False``; ``"always"``: re-fit every
        fit (e.g. to compare a user's start with an automatic one) and keep, per fit, the
        better of the two.
    label
        Put in front of a replaced fit's message (default: says how it was re-fitted).
    """

    multistart: int = eqx.field(default=8, static=True)
    params: Mapping[str, Any] | None = None
    when: str = eqx.field(default="failed", static=True)
    label: str | None = eqx.field(default=None, static=True)

    def __check_init__(self):
        if not isinstance(self.multistart, (int, np.integer)) or self.multistart < 0:
            raise DomainError(
                f"Retry(multistart=...) must be an integer >= 0; got {self.multistart!r}"
            )
        if self.when not in ("failed", "always"):
            raise DomainError(f"Retry(when=...) must be 'failed' or 'always'; got {self.when!r}")

    @property
    def text(self) -> str:
        """The label of a replaced fit's message."""
        if self.label is not None:
            return self.label
        start = "" if self.params is None else " from the automatic start"
        return f"(retried{start} with multistart={self.multistart})"

    def rows(self, success: np.ndarray) -> np.ndarray:
        """Return the indices of the fits to re-fit."""
        success = np.atleast_1d(np.asarray(success, bool))
        return np.arange(success.size) if self.when == "always" else np.flatnonzero(~success)

    @staticmethod
    def better(orig_success, orig_chi2, new_success, new_chi2) -> np.ndarray:
        """Per fit, whether the re-fit replaces the original."""
        a_ok, b_ok = np.asarray(orig_success, bool), np.asarray(new_success, bool)
        ca = np.nan_to_num(np.asarray(orig_chi2, float), nan=np.inf)
        cb = np.nan_to_num(np.asarray(new_chi2, float), nan=np.inf)
        tie = CHI2_TIE_RTOL * np.abs(np.where(np.isfinite(ca), ca, 0.0))
        return (b_ok & ~a_ok) | ((b_ok == a_ok) & (cb < ca - tie))


class Check(eqx.Module):
    """A test of the optimum: ``fn(params, x, mask) -> bad`` per fit, with a note.

    ``params``: ``name -> (n_fit,)`` NumPy arrays of the fitted values; ``x``: the
    independent variable as given (with a leading batch axis when ``batch_x``); ``mask``:
    the data mask with a leading batch axis (``None`` when every point is data).  Returns a
    boolean ``(n_fit,)`` array, ``True`` where the optimum is to be rejected.
    """

    fn: Callable = eqx.field(static=True)
    note: str = eqx.field(static=True)


__all__ = ["CHI2_TIE_RTOL", "Check", "Retry"]
