r"""Automatic starting values of a notch-resonator fit: cable delay, circle, phase.

The steps of Probst et al., Rev. Sci. Instrum. 86, 024706 (2015), Sec. II, vectorised over
traces (NumPy, before any tracing):

1. **Cable delay** τ from the slope of the unwrapped phase in the outer tenths of the span
   (away from the resonance, where the resonator adds a phase of order
   :math:`Q_l/(|Q_c| Q_l \delta)` only).  A refinement that minimises the circle residual
   (Probst's) is not used: over a span of many widths a wrong τ makes the off-resonant
   points themselves a circle of radius ``a``, which such a residual prefers; the least-
   squares fit refines τ.
2. **Algebraic circle fit** (Probst Appendix; Chernov & Lesort, J. Math. Imaging Vis. 23,
   239 (2005)): minimise :math:`\sum (A z_i + B x_i + C y_i + D)^2`, :math:`z = x^2 + y^2`,
   under Pratt's constraint :math:`B^2 + C^2 - 4AD = 1`: the eigenvector of the moment
   matrix :math:`M` in :math:`M\mathbf{a} = \eta\,\mathcal{B}\,\mathbf{a}` with the
   smallest non-negative η gives the centre and radius.
3. **Resonance from the phase about the centre**: :math:`\theta(f) = \theta_r -
   2\arctan(2 Q_l (f/f_r - 1))` (up to orientation), so :math:`f_r` is where θ crosses the
   mid-point of its total sweep and :math:`f_r/Q_l` the distance between the crossings of
   :math:`\theta_r \mp \pi/2`.
4. **Environment and coupling**: the off-resonant point :math:`P = z_c - r e^{i\theta_r}`
   (diametrically opposite the resonance) gives :math:`a = |P|`, :math:`\alpha = \arg P`;
   the circle of the normalised data is centred at :math:`1 - (Q_l/2|Q_c|)e^{i\phi}`, which
   gives φ and the diameter :math:`Q_l/|Q_c| = 2r/a`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

__all__ = ["Starts", "circle_fit", "estimate_delay", "estimate_starts"]

#: fraction of the span on each side used for the cable-delay slope
EDGE_FRACTION = 0.1
#: a start of Qi is kept below this multiple of the start of Ql (noise can make 1/Qi <= 0)
QI_MAX_OVER_QL = 100.0
#: margin of the start of phi from the bounds +-pi/2
PHI_MARGIN = 0.05

_B_INV = np.array(
    [[0.0, 0.0, 0.0, -0.5], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [-0.5, 0.0, 0.0, 0.0]]
)
_B = np.array(
    [[0.0, 0.0, 0.0, -2.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [-2.0, 0.0, 0.0, 0.0]]
)


def circle_fit(z):
    """Algebraic (Pratt) circle fit of complex points ``z`` of shape (..., n).

    Returns
    -------
    zc, r, rms
        Centre (complex), radius and the rms relative geometric residual
        ``sqrt(mean((|z - zc| - r)^2)) / r``, each of shape (...).

    Valid for
        at least 3 non-collinear finite points per circle.
    """
    z = np.asarray(z, complex)
    shift = z.mean(axis=-1, keepdims=True)
    scale = np.sqrt(np.mean(np.abs(z - shift) ** 2, axis=-1, keepdims=True))
    scale = np.where(scale > 0, scale, 1.0)
    w = (z - shift) / scale
    x, y = w.real, w.imag
    cols = np.stack([x * x + y * y, x, y, np.ones_like(x)], axis=-1)  # (..., n, 4)
    M = (np.swapaxes(cols, -1, -2) @ cols) / x.shape[-1]  # BLAS (einsum: ~1 ms per trace)
    eta, vec = np.linalg.eig(_B_INV @ M)  # (..., 4), (..., 4, 4)
    eta, vec = eta.real, vec.real
    constraint = np.einsum("...ik,ij,...jk->...k", vec, _B, vec)
    ok = constraint > 0
    score = np.where(ok, np.abs(eta), np.inf)
    k = np.argmin(score, axis=-1)
    a = np.take_along_axis(vec, k[..., None, None], axis=-1)[..., 0]  # (..., 4)
    A, B, C, D = (a[..., i] for i in range(4))
    with np.errstate(divide="ignore", invalid="ignore"):
        xc, yc = -B / (2 * A), -C / (2 * A)
        r = np.sqrt(np.maximum(B * B + C * C - 4 * A * D, 0.0)) / (2 * np.abs(A))
    zc = (xc + 1j * yc) * scale[..., 0] + shift[..., 0]
    r = r * scale[..., 0]
    rms = np.sqrt(np.mean((np.abs(z - zc[..., None]) - r[..., None]) ** 2, axis=-1)) / r
    return zc, r, rms


def estimate_delay(f, s21, resonator_phase=None):
    """Cable delay τ [s] per trace from the phase slope at the edges of the span.

    ``f`` of shape (n, n_f) [Hz], ``s21`` complex of the same shape.  ``resonator_phase``
    (same shape, optional): the phase the resonance itself adds (from a first estimate of
    fr, Ql, Qc, φ), subtracted before the slope is taken; without it the tails of the
    resonance (which fall off only as 1/detuning) bias τ by several standard errors.

    Valid for
        traces that span several resonance widths (the edges are off resonance).
    """
    f = np.asarray(f, float)
    n_f = f.shape[-1]
    k = max(int(EDGE_FRACTION * n_f), 2)
    ph = np.unwrap(np.angle(s21), axis=-1)
    if resonator_phase is not None:
        ph = ph - resonator_phase
    edge = np.concatenate([np.arange(k), np.arange(n_f - k, n_f)])
    fe, pe = f[:, edge], ph[:, edge]
    fm, pm = fe.mean(axis=-1, keepdims=True), pe.mean(axis=-1, keepdims=True)
    slope = np.sum((fe - fm) * (pe - pm), axis=-1) / np.sum((fe - fm) ** 2, axis=-1)
    return -slope / (2 * np.pi)


def _crossing(f, theta, level):
    """Frequency where the non-decreasing envelope of each row of ``theta`` reaches ``level``.

    ``f``, ``theta`` of shape (n, n_f), ``level`` (n,); linear interpolation between the
    two points that bracket the level (the end points outside the range), as ``np.interp``.
    """
    mono = np.maximum.accumulate(theta, axis=-1)
    n_f = f.shape[-1]
    j = np.clip(np.sum(mono < level[:, None], axis=-1), 1, n_f - 1)  # first index >= level
    rows = np.arange(f.shape[0])
    t0, t1 = mono[rows, j - 1], mono[rows, j]
    f0, f1 = f[rows, j - 1], f[rows, j]
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.clip(np.where(t1 > t0, (level - t0) / (t1 - t0), 1.0), 0.0, 1.0)
    return f0 + w * (f1 - f0)


@dataclasses.dataclass(frozen=True)
class Starts:
    """Per-trace starting values (arrays of shape (n,)); ``f_ref`` is the start of fr [Hz].

    ``alpha`` is the environment phase at ``f_ref``; ``rms`` the circle-fit residual.
    """

    fr: np.ndarray
    Ql: np.ndarray
    Qc: np.ndarray
    phi: np.ndarray
    a: np.ndarray
    alpha: np.ndarray
    tau: np.ndarray
    Qi: np.ndarray
    zc: np.ndarray
    r: np.ndarray
    rms: np.ndarray


def _circle_starts(f, s21, tau):
    """Run steps 2–4 of the module docstring for a given delay (all traces at once)."""
    f_mid = f.mean(axis=-1)
    z = s21 * np.exp(2j * np.pi * (f - f_mid[:, None]) * tau[:, None])
    zc, r, rms = circle_fit(z)
    n_f = f.shape[-1]
    k = max(n_f // 50, 1)
    th = np.unwrap(np.angle(z - zc[:, None]), axis=-1)
    sign = np.where(th[:, -k:].mean(axis=-1) >= th[:, :k].mean(axis=-1), 1.0, -1.0)
    th = sign[:, None] * th
    mid = 0.5 * (th[:, :k].mean(axis=-1) + th[:, -k:].mean(axis=-1))
    fr = _crossing(f, th, mid)
    lo, hi = _crossing(f, th, mid - np.pi / 2), _crossing(f, th, mid + np.pi / 2)
    Ql = fr / np.maximum(np.abs(hi - lo), f[:, 1] - f[:, 0])
    P = zc - r * np.exp(1j * sign * mid)
    a = np.abs(P)
    alpha = np.angle(P) - 2 * np.pi * (fr - f_mid) * tau
    one_minus_c = 1.0 - zc / P
    phi = np.clip(np.angle(one_minus_c), -np.pi / 2 + PHI_MARGIN, np.pi / 2 - PHI_MARGIN)
    Qc = Ql / (2.0 * np.abs(one_minus_c))
    inv_qi = np.maximum(1.0 / Ql - np.cos(phi) / Qc, 1.0 / (QI_MAX_OVER_QL * Ql))
    return Starts(
        fr=fr,
        Ql=Ql,
        Qc=Qc,
        phi=phi,
        a=a,
        alpha=alpha,
        tau=tau,
        Qi=1.0 / inv_qi,
        zc=zc,
        r=r,
        rms=rms,
    )


def estimate_starts(f, s21) -> Starts:
    """All starting values of :func:`~dissipax.rf.resonator.fit_s21` (module docstring).

    The delay is estimated twice: from the raw edge phase, then with the phase of the
    resonance found from that first estimate subtracted (step 1 of the module docstring),
    and steps 2–4 are repeated with the refined delay.  Vectorised over traces.

    ``f`` [Hz] and ``s21`` (complex) of shape (n, n_f), frequencies increasing.

    Valid for
        finite traces of >= 20 points spanning several resonance widths.
    """
    f = np.asarray(f, float)
    s21 = np.asarray(s21, complex)
    first = _circle_starts(f, s21, estimate_delay(f, s21))
    c = lambda v: v[:, None]  # noqa: E731
    detuning = (f - c(first.fr)) / c(first.fr)
    resonance = 1.0 - c(first.Ql / first.Qc) * np.exp(1j * c(first.phi)) / (
        1.0 + 2j * c(first.Ql) * detuning
    )
    phase = np.unwrap(np.angle(resonance), axis=-1)
    return _circle_starts(f, s21, estimate_delay(f, s21, resonator_phase=phase))
