r"""Two-level-system (TLS) loss and frequency shift of a resonator, at low power.

J. Gao, PhD thesis, Caltech (2008), Ch. 2; Pappas et al., IEEE Trans. Appl. Supercond. 21,
871 (2011), Eqs. (1)–(2).  With the filling factor F and the intrinsic loss tangent
:math:`\delta_{TLS}` (only their product :math:`F\delta_{TLS}` is observable):

.. math::

    \frac{1}{Q_{TLS}}(T) = F\delta_{TLS}\tanh\frac{hf}{2k_BT},
    \qquad
    \frac{f_r(T) - f_r(0)}{f_r(0)} = \frac{F\delta_{TLS}}{\pi}\left[
        \mathrm{Re}\,\Psi\!\left(\frac12 + \frac{hf}{2\pi i k_BT}\right)
        - \ln\frac{hf}{2\pi k_BT}\right],

Ψ the digamma function.  The loss saturates at high power (not modelled: fit data taken at
one low drive power).  The shift is zero at T → 0, negative (a dip) for
:math:`k_BT \lesssim hf/2`, and grows as :math:`\ln T` above.
"""

from __future__ import annotations

import jax.numpy as jnp

from ... import units

__all__ = ["re_digamma_half", "tls_loss", "tls_shift"]

_H_OVER_KB = units.h / units.k_B  # [K s]
#: recurrence steps before the asymptotic series of the digamma function
_N_REC = 8
#: Bernoulli-number coefficients B_2k/(2k) of the asymptotic series, k = 1..7
_ASYM = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def re_digamma_half(y):
    r""":math:`\mathrm{Re}\,\Psi(1/2 + iy) - \ln|y|` for real y (finite at y → ∞: → 0).

    Recurrence :math:`\Psi(z) = \Psi(z + N) - \sum_{k<N} 1/(z+k)` with N = 8, then the
    asymptotic series of :math:`\Psi(w)` to :math:`w^{-14}` (error < 1e-14 for |w| ≥ 8.5).
    Written with :math:`\ln|w| - \ln|y| = \tfrac12\log(1 + (N+\tfrac12)^2/y^2)` so that
    the difference keeps its digits at large y.

    Valid for
        real y != 0 (finite values and gradients; symmetric in y).
    """
    y = jnp.asarray(y, float)
    y2 = y * y
    w = (_N_REC + 0.5) + 1j * y
    out = 0.5 * jnp.log1p((_N_REC + 0.5) ** 2 / y2)
    inv = 1.0 / w
    inv2 = inv * inv
    series = -0.5 * inv
    p = inv2
    for c in _ASYM:
        series = series - c * p
        p = p * inv2
    out = out + jnp.real(series)
    for k in range(_N_REC):
        h = k + 0.5
        out = out - h / (h * h + y2)
    return out


def _safe_T(T_K):
    T_K = jnp.asarray(T_K, float)
    pos = T_K > 0
    return pos, jnp.where(pos, T_K, 1.0)


def tls_loss(f_Hz, T_K, *, F_delta_tls):
    r"""TLS loss :math:`F\delta_{TLS}\tanh(hf/2k_BT)` (Pappas Eq. (1)); 1 at T = 0.

    Valid for
        f_Hz > 0, T_K >= 0 (T = 0 gives the limit), any F_delta_tls; broadcasts.
    """
    pos, T = _safe_T(T_K)
    x = _H_OVER_KB * jnp.asarray(f_Hz, float) / (2.0 * T)
    return F_delta_tls * jnp.where(pos, jnp.tanh(x), 1.0)


def tls_shift(f_Hz, T_K, *, F_delta_tls):
    r"""TLS fractional frequency shift :math:`(f_r(T) - f_r(0))/f_r(0)` (Pappas Eq. (2)).

    Valid for
        f_Hz > 0, T_K >= 0 (T = 0 gives 0), any F_delta_tls; broadcasts.
    """
    pos, T = _safe_T(T_K)
    y = _H_OVER_KB * jnp.asarray(f_Hz, float) / (2.0 * jnp.pi * T)
    y = jnp.where(pos, y, 1.0)
    return F_delta_tls / jnp.pi * jnp.where(pos, re_digamma_half(y), 0.0)
