r"""Self-duality across the field-tuned SIT (Shahar et al., Science 274, 589 (1996)).

Charge–vortex duality maps the insulating side onto the superconducting side: at equal
distance δ from the critical field,

.. math::

    \frac{R(H_c + \delta, T)}{R_c} = \frac{R_c}{R(H_c - \delta, T)}, \qquad
    D(\delta, T) \equiv \ln\frac{R(H_c + \delta, T)\,R(H_c - \delta, T)}{R_c^2} = 0 .

:func:`duality` measures D on the data, for a grid of δ and every isotherm: R at
H_c ± δ is interpolated linearly in (H, log R) between the two bracketing fields of the
isotherm, so no model enters (the "crossing-point form" when (H_c, R_c) come from the
isotherm crossing, :func:`.crossing.crossing_point`).  Given a collapse it also reports the
master-curve form :math:`D_F(x) = \ln F_+(x) + \ln F_-(x)` on the common x range of both
branches, which is D at all temperatures at once when scaling holds.  Zhang, Palevski &
Kapitulnik (2022) argue that vestiges of this duality survive in the "avoided" transition:
D small compared with ln(R₊/R_c) means approximately dual.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._checks import DomainError, check
from .crossing import Crossing, _unique
from .scaling import CollapseResult
from .sweeps import Isotherms, as_sweep


@dataclasses.dataclass(frozen=True, eq=False)
class DualityResult:
    """Deviation from self-duality against δ and T (:func:`duality`).

    Attributes
    ----------
    H_c, R_c
        The centre used [field units, Ω/□].
    delta
        Distances from H_c, shape ``(n_delta,)``.
    T
        Isotherm temperatures [K], shape ``(n_T,)``.
    ratio_plus, ratio_minus_inv
        R(H_c + δ)/R_c and R_c/R(H_c − δ), shape ``(n_T, n_delta)`` (NaN where an isotherm
        does not reach H_c ± δ).
    deviation, deviation_err
        D = ln(ratio_plus / ratio_minus_inv) and its 1-σ error from the data's errors
        (NaN without errors), shape ``(n_T, n_delta)``.
    relative
        D / ln(ratio_plus): the fraction of the insulating branch not matched by the
        superconducting one.
    x, master_deviation
        With a collapse: scaling variables and D_F(x) = ln F₊(x) + ln F₋(x); else ``None``.
    """

    H_c: float
    R_c: float
    delta: np.ndarray
    T: np.ndarray
    ratio_plus: np.ndarray
    ratio_minus_inv: np.ndarray
    deviation: np.ndarray
    deviation_err: np.ndarray
    relative: np.ndarray
    x: np.ndarray | None = None
    master_deviation: np.ndarray | None = None

    @property
    def rms(self) -> np.ndarray:
        """Root-mean-square D over δ, per temperature (NaN-aware), shape ``(n_T,)``."""
        with np.errstate(invalid="ignore"):
            return np.sqrt(np.nanmean(self.deviation**2, axis=1))


def _center(center):
    if isinstance(center, CollapseResult | Crossing):
        return float(center.params["H_c"]), float(center.params["R_c"])
    try:
        H_c, R_c = (float(v) for v in center)
    except (TypeError, ValueError):
        raise DomainError(
            "argument 'center' must be a CollapseResult, a Crossing or a pair (H_c, R_c); "
            f"got {center!r}"
        ) from None
    check("R_c", R_c, gt=0, valid="critical resistance in Ohm/sq")
    return H_c, R_c


def duality(
    H,
    T=None,
    R=None,
    sigma=None,
    *,
    center,
    delta=None,
    n_delta: int = 10,
    T_min=None,
    T_max=None,
    collapse: CollapseResult | None = None,
) -> DualityResult:
    r"""Deviation from self-duality D(δ, T) = ln[R(H_c+δ)R(H_c−δ)/R_c²] (module notes).

    Parameters
    ----------
    H, T, R, sigma
        Long-format arrays (field, T [K], R [Ω/□], optional error), an :class:`SITSweep`
        or :class:`Isotherms` as ``H`` alone.
    center
        (H_c, R_c): a :class:`CollapseResult`, a :class:`Crossing` (the crossing-point
        form) or a pair of numbers.
    delta
        Distances from H_c (> 0); default ``n_delta`` values up to the largest δ that both
        sides reach.
    n_delta
        Number of default δ values.
    T_min, T_max
        Temperatures [K] to use.
    collapse
        Optional collapse for the master-curve form D_F(x) (default: ``center`` when it
        is one).

    Returns
    -------
    DualityResult

    Raises
    ------
    DomainError
        H_c outside the fields, δ ≤ 0, no isotherm reaching both H_c ± δ.

    Valid for
        isotherms with fields on both sides of H_c; D is exact for measured fields and
        carries the linear-interpolation error in between.
    """
    H_c, R_c = _center(center)
    if collapse is None and isinstance(center, CollapseResult):
        collapse = center
    if isinstance(H, Isotherms):
        iso = H
    else:
        sw = as_sweep(H, T, R, sigma)
        if T_min is not None or T_max is not None:
            sw = sw.select(T_min=T_min, T_max=T_max)
        iso = sw.isotherms()
    lo = max(h.min() for h in iso.H)
    hi = min(h.max() for h in iso.H)
    if not lo < H_c < hi:
        lo, hi = min(h.min() for h in iso.H), max(h.max() for h in iso.H)
        if not lo < H_c < hi:
            raise DomainError(
                f"H_c = {H_c:g} is outside the fields {lo:g}..{hi:g}: the duality test needs "
                "fields on both sides of H_c"
            )
    if delta is None:
        d_max = min(H_c - lo, hi - H_c)
        delta = np.linspace(d_max / n_delta, d_max, n_delta)
    delta = np.asarray(check("delta", delta, gt=0, valid="distances from H_c"), float).ravel()
    shape = (len(iso), len(delta))
    lp, lm, ep, em = (np.full(shape, np.nan) for _ in range(4))
    for i in range(len(iso)):
        h, lr = _unique(iso.H[i], np.log(iso.R[i]))
        rel = None if iso.sigma is None else _unique(iso.H[i], iso.sigma[i] / iso.R[i])[1]
        for arr, err, target in ((lp, ep, H_c + delta), (lm, em, H_c - delta)):
            ok = (target >= h[0]) & (target <= h[-1])
            arr[i, ok] = np.interp(target[ok], h, lr)
            if rel is not None:
                err[i, ok] = np.interp(target[ok], h, rel)
    if not np.any(np.isfinite(lp) & np.isfinite(lm)):
        raise DomainError("no isotherm reaches both H_c + delta and H_c - delta; use smaller delta")
    lRc = np.log(R_c)
    D = lp + lm - 2.0 * lRc
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = D / (lp - lRc)
    x = master = None
    if collapse is not None:
        x_hi = min(collapse.x_max)
        x = np.linspace(0.0, x_hi, 50)[1:]
        master = collapse.log_master(x) + collapse.log_master(-x)
    return DualityResult(
        H_c=H_c,
        R_c=R_c,
        delta=delta,
        T=np.asarray(iso.T),
        ratio_plus=np.exp(lp - lRc),
        ratio_minus_inv=np.exp(lRc - lm),
        deviation=D,
        deviation_err=np.sqrt(ep**2 + em**2),
        relative=relative,
        x=x,
        master_deviation=master,
    )
