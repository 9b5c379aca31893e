r"""The crossing point of R(H) isotherms: a model-free estimate of (H_c, R_c).

At a field-tuned SIT the isotherms R(H; T) cross at the critical field, where R is
independent of temperature (∂R/∂T changes sign: superconducting below H_c, insulating
above).  Each isotherm T_i is paired with the first one at least ``T_ratio`` (default 1.5)
times warmer, T_j (adjacent isotherms of a dense grid differ by less than the noise, and
their crossing would be noise); the difference
:math:`\Delta(H) = \ln R(H; T_j) - \ln R(H; T_i)` decreases through zero at the
crossing field :math:`H_\times`; it is located as the zero of a straight line fitted to Δ
over the fields nearest the sign change (so a noisy extra sign change does not move it),
with the uncertainty :math:`\sigma_\Delta/|d\Delta/dH|` (σ_Δ from the errors of R, or
from the scatter of the line when the table has none).  (H_c, R_c) is the weighted mean
over the pairs; the pairs themselves are kept, because a crossing that drifts with
temperature is the first sign of corrections to scaling or of saturation.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .._checks import DomainError
from .sweeps import Isotherms, SITSweep, as_sweep

#: fields used on each side of a sign change for the local line
N_LOCAL = 3


@dataclasses.dataclass(frozen=True, eq=False)
class Crossing:
    """Crossing point of adjacent isotherms (Oe, K, Ω/□).

    Attributes
    ----------
    H_c, R_c
        Weighted mean crossing field [Oe] and resistance there [Ω/□].
    stderr
        ``{"H_c": ..., "R_c": ...}``: standard errors of the weighted means, inflated by
        √(χ²/dof) when the pairs scatter more than their errors say (a drifting crossing).
    T_pair, H_x, H_x_err, R_x
        Per crossing pair: √(T_i T_{i+1}) [K], crossing field, its error [Oe] and R there.
    n_pairs_without
        Pairs with no crossing inside their common field range.
    """

    H_c: float
    R_c: float
    stderr: dict
    T_pair: np.ndarray
    H_x: np.ndarray
    H_x_err: np.ndarray
    R_x: np.ndarray
    n_pairs_without: int

    @property
    def params(self) -> dict:
        """``{"H_c": ..., "R_c": ...}`` (like a fit result's)."""
        return {"H_c": self.H_c, "R_c": self.R_c}


def _pair_crossing(h, la, lb, sa, sb):
    """Crossing of ln R_b − ln R_a on the common fields h; None when there is none."""
    d = lb - la
    s = np.sign(d)
    change = np.flatnonzero((s[:-1] > 0) & (s[1:] <= 0))
    if len(change) == 0:
        return None
    k = int(change[len(change) // 2])
    lo, hi = max(0, k - N_LOCAL + 1), min(len(h), k + N_LOCAL + 1)
    hh, dd = h[lo:hi], d[lo:hi]
    if len(hh) < 2:
        return None
    A = np.stack([np.ones_like(hh), hh - hh.mean()], axis=1)
    coef, *_ = np.linalg.lstsq(A, dd, rcond=None)
    slope = coef[1]
    if not slope < 0:
        return None
    hx = hh.mean() - coef[0] / slope
    if sa is not None:
        sig_d = float(np.sqrt(np.mean(sa[lo:hi] ** 2 + sb[lo:hi] ** 2)))
    else:
        dof = len(hh) - 2
        resid = dd - A @ coef
        sig_d = float(np.sqrt(np.sum(resid**2) / dof)) if dof > 0 else np.nan
    err = sig_d / abs(slope) * np.sqrt(1.0 / len(hh))
    lr = 0.5 * (np.interp(hx, h, la) + np.interp(hx, h, lb))
    return hx, err, np.exp(lr)


def crossing_point(
    H, T=None, R=None, sigma=None, *, T_min=None, T_max=None, T_ratio: float = 1.5
) -> Crossing:
    r"""Estimate (H_c, R_c) from the crossings of adjacent R(H) isotherms (module notes).

    Parameters
    ----------
    H, T, R, sigma
        Long-format arrays (field [Oe], T [K], R [Ω/□], optional 1-σ error), or an
        :class:`SITSweep` / :class:`Isotherms` as ``H`` alone.  Ragged R(T) tables are
        turned into isotherms by :meth:`SITSweep.isotherms` (interpolated).
    T_min, T_max
        Temperatures [K] to use (None: all).
    T_ratio
        Each isotherm is paired with the first one at least this many times warmer (> 1).

    Returns
    -------
    Crossing

    Raises
    ------
    DomainError
        Fewer than two isotherms, or no pair of isotherms crossing inside the field range:
        the message says on which side of the transition all fields lie and what to
        measure.

    Valid for
        isotherms with ≥ 3 fields that bracket H_c (R decreasing on cooling below H_c,
        increasing above).
    """
    if isinstance(H, Isotherms):
        iso = H
    else:
        sw = as_sweep(H, T, R, sigma)
        if T_min is not None or T_max is not None:
            sw = sw.select(T_min=T_min, T_max=T_max)
        if len(sw.temperatures) < 2:
            raise DomainError(
                f"the crossing point needs at least 2 temperatures; the table has one "
                f"(T = {sw.temperatures[0]:g} K): include more temperatures"
            )
        iso = sw.isotherms()
    if len(iso) < 2:
        raise DomainError(
            f"the crossing point needs at least 2 isotherms; got {len(iso)}: include more "
            "temperatures (or more fields per temperature)"
        )
    if not T_ratio > 1:
        raise DomainError(f"argument 'T_ratio' must be > 1; got {T_ratio}")
    T_pair, H_x, H_err, R_x, signs = [], [], [], [], []
    for i in range(len(iso) - 1):
        warmer = np.flatnonzero(iso.T >= T_ratio * iso.T[i])
        j = int(warmer[0]) if len(warmer) else (len(iso) - 1 if i == 0 else -1)
        if j < 0:
            break
        ha, hb = iso.H[i], iso.H[j]
        h = np.intersect1d(ha, hb)
        if len(h) < 3:  # no common fields: interpolate b onto a's fields inside b's range
            h = ha[(ha >= hb.min()) & (ha <= hb.max())]
        if len(h) < 3:
            continue
        la = np.interp(h, *_unique(ha, np.log(iso.R[i])))
        lb = np.interp(h, *_unique(hb, np.log(iso.R[j])))
        sa = sb = None
        if iso.sigma is not None:
            sa = np.interp(h, *_unique(ha, iso.sigma[i] / iso.R[i]))
            sb = np.interp(h, *_unique(hb, iso.sigma[j] / iso.R[j]))
        signs.append(np.sign(np.median(lb - la)))
        c = _pair_crossing(h, la, lb, sa, sb)
        if c is None:
            continue
        T_pair.append(np.sqrt(iso.T[i] * iso.T[j]))
        H_x.append(c[0])
        H_err.append(c[1])
        R_x.append(c[2])
    n_pairs = len(signs)
    if not H_x:
        side = (
            "the superconducting side (R decreases on cooling at every field)"
            if np.mean(signs) > 0
            else "the insulating side (R increases on cooling at every field)"
        )
        raise DomainError(
            "no pair of isotherms crosses inside the field range "
            f"{min(h.min() for h in iso.H):g}..{max(h.max() for h in iso.H):g} Oe: all fields "
            f"are on {side}, so the fields do not bracket H_c. Measure fields on both sides "
            "of the transition (or restrict T_min/T_max to where the isotherms fan out)"
        )
    H_x, H_err, R_x, T_pair = map(np.asarray, (H_x, H_err, R_x, T_pair))
    ok = np.isfinite(H_err) & (H_err > 0)
    w = np.where(ok, 1.0 / np.where(ok, H_err, 1.0) ** 2, 0.0)
    if w.sum() == 0:
        w = np.ones_like(H_x)
    Hc = float(np.sum(w * H_x) / w.sum())
    lR = np.log(R_x)
    lRc = float(np.sum(w * lR) / w.sum())
    n = len(H_x)
    if n > 1:
        chi2 = np.sum(w * (H_x - Hc) ** 2)
        infl = max(1.0, float(np.sqrt(chi2 / (n - 1)))) if ok.all() else 1.0
        se_H = infl / np.sqrt(w.sum()) if ok.all() else float(np.std(H_x, ddof=1) / np.sqrt(n))
        se_lR = float(np.sqrt(np.sum(w**2 * (lR - lRc) ** 2)) / w.sum() * np.sqrt(n / (n - 1)))
    else:
        se_H, se_lR = float(H_err[0]), np.nan
    return Crossing(
        H_c=Hc,
        R_c=float(np.exp(lRc)),
        stderr={"H_c": float(se_H), "R_c": float(np.exp(lRc) * se_lR)},
        T_pair=T_pair,
        H_x=H_x,
        H_x_err=H_err,
        R_x=R_x,
        n_pairs_without=n_pairs - n,
    )


def _unique(h, v):
    """Sorted distinct fields with the mean value at repeated ones (for np.interp)."""
    hu, inv = np.unique(h, return_inverse=True)
    return hu, np.bincount(inv.ravel(), weights=v) / np.bincount(inv.ravel())


def isotherm_view(sweep: SITSweep | Isotherms) -> Isotherms:
    """Return the isotherms of a sweep (passed through when already isotherms).

    Valid for
        an SITSweep or Isotherms.
    """
    return sweep if isinstance(sweep, Isotherms) else sweep.isotherms()
