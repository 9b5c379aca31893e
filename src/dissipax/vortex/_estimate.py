r"""Closed-form starting values for the vortex fits: linearised rational fits (NumPy).

The hydrodynamic spectra are rational functions of ω, so a linearised least-squares fit
(Levy's method) with Sanathanan–Koerner re-weighting gives starting values for
Levenberg–Marquardt without any user guess:

* joint fits use the circular components :math:`\sigma_\pm = \sigma_{xx} \pm i\sigma_{xy}`,
  each a single complex pole (the eigenvalues of Eqs. (4)-(5) on ε → ±i):
  :math:`\sigma_\pm = f_s(1 \pm i\alpha_v)^2/(\Omega \pm i\Omega_H - i\omega) + \sigma_o \pm
  i\sigma_o^H`;
* σ_xx alone is a real-coefficient rational of degree (2, 2) in s = −iω,
  :math:`(\sigma_o s^2 + n_1 s + n_0)/(s^2 + 2\Omega s + \Omega^2 + \Omega_H^2)`;
* the pinned Eq. (20) plus σ_o satisfies
  :math:`(\sigma - \sigma_o)\,\omega(\Gamma - i\omega) = f_s(\omega + i\omega_o)`, linear in
  (Γ, σ_oΓ + f_s, σ_o, f_s ω_o).

These are starting values only; the fit itself is done by :func:`dissipax.fit.least_squares`.
"""

from __future__ import annotations

import numpy as np

_SK_ITERATIONS = 4


def _lstsq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # column scaling keeps lstsq well conditioned when columns differ by decades
    scale = np.linalg.norm(a, axis=0)
    scale[scale == 0] = 1.0
    sol = np.linalg.lstsq(a / scale, b, rcond=None)[0]
    return sol / scale


def single_pole(w: np.ndarray, s: np.ndarray, err: np.ndarray):
    """Fit ``s ≈ A/(p - i w) + C`` (complex A, p, C) by SK-iterated Levy; return (A, p, C)."""
    weight = 1.0 / err
    p = None
    for _ in range(_SK_ITERATIONS):
        wt = weight if p is None else weight / np.abs(p - 1j * w)
        # s p - B + i w C = i w s,   B = A + C p
        a = np.stack([s, -np.ones_like(s), 1j * w], axis=1) * wt[:, None]
        p, B, C = _lstsq(a, 1j * w * s * wt)
    return B - C * p, p, C


def hydro_joint(w, sxx, sxy, exx, exy) -> dict[str, float]:
    """Estimate f_s, Ω, Ω_H, α_v, σ_o, σ_o^H from σ_xx and σ_xy."""
    err = np.hypot(exx, exy)
    est = []
    for sign in (1, -1):
        A, p, C = single_pole(w, sxx + sign * 1j * sxy, err)
        alpha = sign * np.tan(np.angle(A) / 2)
        est.append(
            dict(
                f_s=np.abs(A) / (1 + alpha**2),
                Omega=p.real,
                Omega_H=sign * p.imag,
                alpha_v=alpha,
                sigma_o=C.real,
                sigma_oH=sign * C.imag,
            )
        )
    return {k: 0.5 * (est[0][k] + est[1][k]) for k in est[0]}


def hydro_xx(w, sxx, exx) -> dict[str, float]:
    """Estimate f_s, Ω, |Ω_H|, σ_o from σ_xx alone (α_v = 0)."""
    s = -1j * w
    den = None
    for _ in range(_SK_ITERATIONS):
        wt = 1.0 / exx if den is None else 1.0 / (exx * np.abs(den))
        # sigma (s^2 + b1 s + b0) = n2 s^2 + n1 s + n0 ; unknowns real (b1, b0, n2, n1, n0)
        cols = np.stack([sxx * s, sxx, -(s**2), -s, -np.ones_like(s)], axis=1) * wt[:, None]
        rhs = -sxx * s**2 * wt
        a = np.concatenate([cols.real, cols.imag])
        b = np.concatenate([rhs.real, rhs.imag])
        b1, b0, n2, n1, n0 = _lstsq(a, b)
        den = s**2 + b1 * s + b0
    Omega = b1 / 2
    return dict(
        f_s=n1 - n2 * b1,
        Omega=Omega,
        Omega_H=np.sqrt(max(b0 - Omega**2, 0.0)),
        alpha_v=0.0,
        sigma_o=n2,
    )


def pinned(w, sxx, exx) -> dict[str, float]:
    """Estimate f_s, Ω, ω_o, σ_o for the pinned model (Eq. (20) + σ_o)."""
    gamma = None
    for _ in range(_SK_ITERATIONS):
        wt = 1.0 / exx if gamma is None else 1.0 / (exx * np.abs(w * (gamma - 1j * w)))
        # s w u1 - w u2 + i w^2 u3 - i u4 = i w^2 s, (u1..u4) = (G, s_o G + f_s, s_o, f_s w_o)
        one = np.ones_like(w)
        cols = np.stack([sxx * w, -w * one, 1j * w**2 * one, -1j * one], axis=1)
        cols = cols * wt[:, None]
        rhs = 1j * w**2 * sxx * wt
        a = np.concatenate([cols.real, cols.imag])
        b = np.concatenate([rhs.real, rhs.imag])
        gamma, u2, s_o, f_s_wo = _lstsq(a, b)
    f_s = u2 - s_o * gamma
    omega_o = f_s_wo / f_s if f_s != 0 else 0.0
    return dict(f_s=f_s, Omega=gamma - omega_o, omega_o=omega_o, sigma_o=s_o)
