r"""Pinned vortices: the optical conductivity of Eq. (20) and its superfluid weight.

Delacrétaz & Hartnoll (2018), "Final remark": in the parity-even Lorentzian
:math:`\sigma = f_s/(-i\omega+\Omega)` the vortex conductivity is replaced by the pinned form
:math:`\Omega \to \Omega(\omega) = \omega\Omega/(\omega + i\omega_o)`, which gives Eq. (20),

.. math::
    \sigma(\omega) = \frac{f_s}{\Omega+\omega_o}\left(\frac{\omega_o}{-i\omega}
    + \frac{\Omega}{-i\omega + \Omega + \omega_o}\right)
    = f_s\,\frac{\omega + i\omega_o}{\omega\,(\Omega + \omega_o - i\omega)} .

With the causal prescription :math:`\omega \to \omega + i0`,
:math:`\omega_o/(-i(\omega+i0)) = i\omega_o\,\mathrm{P}(1/\omega) + \pi\omega_o\delta(\omega)`,
so Re σ contains :math:`\pi D\,\delta(\omega)` with the superfluid weight
:math:`D = f_s\omega_o/(\Omega+\omega_o)`, plus a Drude peak of width Ω + ω_o and weight
:math:`f_s\Omega/(\Omega+\omega_o)`; the f-sum :math:`(2/\pi)\int_0^\infty \mathrm{Re}\,
\sigma_\mathrm{reg}\,d\omega + D = f_s` holds for every ω_o.  The transition superconductor →
anomalous metal is ω_o → 0 at fixed Ω: the width stays finite and D → 0 continuously.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._checks import check_result
from . import _validate as v


def _sigma_pinned(omega, f_s, Omega, omega_o):
    """Eq. (20) at ω > 0 on validated float arrays, real and imaginary parts separately.

    Re σ = f_s Ω / (Γ² + ω²) and Im σ = f_s ω/(Γ² + ω²) + f_s ω_o Γ /(ω (Γ² + ω²)),
    Γ = Ω + ω_o: sums of positive terms, so no cancellation for any ω_o/Ω.
    """
    gamma = Omega + omega_o
    d = gamma**2 + omega**2
    re = f_s * Omega / d
    # divide by omega last: at omega -> 0 with omega_o = 0 the (0 * 1/omega) products and
    # their gradients stay finite instead of 0 * inf
    im = f_s * omega / d + (f_s * omega_o * gamma / d) / omega
    return jax.lax.complex(*jnp.broadcast_arrays(re, im))


def sigma_pinned(omega, f_s, Omega, omega_o):
    r"""Optical conductivity with pinned vortices, Eq. (20), at ω > 0 (regular part).

    .. math::
        \sigma(\omega) = \frac{f_s}{\Omega+\omega_o}\left(\frac{\omega_o}{-i\omega}
        + \frac{\Omega}{-i\omega + \Omega + \omega_o}\right),\qquad \omega > 0 .

    This is the function at positive frequency, including the reactive :math:`i\omega_o/\omega`
    term; the :math:`\pi D\,\delta(\omega)` it implies in Re σ is *not* included (its weight is
    :func:`superfluid_weight`).  Equivalent to Eq. (6) with α_v = Ω_H = σ_o = 0 and
    :math:`\Omega \to \omega\Omega/(\omega + i\omega_o)` (checked in the tests).  Evaluated as
    :math:`\mathrm{Re}\,\sigma = f_s\Omega/(\Gamma^2+\omega^2)`,
    :math:`\mathrm{Im}\,\sigma = f_s\omega/(\Gamma^2+\omega^2) + f_s\omega_o\Gamma/
    (\omega(\Gamma^2+\omega^2))`, Γ = Ω + ω_o, which is continuous (with its gradients) at
    ω_o → 0 and needs no division by Ω + ω_o.

    Parameters
    ----------
    omega
        Angular frequency, > 0 (the formula is singular at ω = 0 when ω_o > 0).
    f_s
        Superfluid stiffness (≥ 0).
    Omega
        Phase-relaxation rate of the unpinned fluid (≥ 0).
    omega_o
        Pinning frequency (≥ 0); ω_o = 0 is the anomalous metal, Eq. (6) without Hall terms.

    Returns
    -------
    Array
        Complex σ(ω) with the broadcast shape of the inputs.

    Raises
    ------
    DomainError
        ω ≤ 0, negative f_s, Ω or ω_o, complex or non-finite values, shapes that do not
        broadcast.

    Valid for
        ω > 0, in the strong-momentum-relaxation limit of pinned-lattice hydrodynamics
        (the paper's ref. 41), parity-even part only (Ω_H = α_v = 0).
    """
    v.broadcast(omega=omega, f_s=f_s, Omega=Omega, omega_o=omega_o)
    # concrete input: omega > 0.  Traced input is guarded for omega >= 0 only: quadratures
    # of Re sigma (finite at omega = 0) may touch the endpoint inside jit.
    if v.concrete(omega):
        v.real("omega", omega, gt=0, valid="Eq. (20) is singular at omega = 0 when omega_o > 0")
    omega = v.real("omega", omega, ge=0, valid="angular frequency")
    f_s = v.real("f_s", f_s, ge=0)
    Omega = v.real("Omega", Omega, ge=0, valid="phase-relaxation rate Omega, >= 0")
    omega_o = v.real("omega_o", omega_o, ge=0)
    return check_result(
        "sigma_pinned",
        _sigma_pinned(*map(v.as_float, (omega, f_s, Omega, omega_o))),
        hint="f_s, the rates or 1/omega are beyond the float range; rescale the units",
    )


def _superfluid_weight(f_s, Omega, omega_o):
    return f_s * omega_o / (Omega + omega_o)


def superfluid_weight(f_s, Omega, omega_o):
    r"""Superfluid weight D of the pinned response, Eq. (20): Re σ ⊃ π D δ(ω).

    .. math:: D = \frac{f_s\,\omega_o}{\Omega + \omega_o}

    It vanishes continuously as ω_o → 0 (the anomalous metal) and tends to f_s as
    Ω/ω_o → 0; with the regular part it saturates the f-sum rule,
    :math:`(2/\pi)\int_0^\infty\mathrm{Re}\,\sigma_\mathrm{reg}\,d\omega + D = f_s`.

    Parameters
    ----------
    f_s
        Superfluid stiffness (≥ 0).
    Omega
        Phase-relaxation rate (≥ 0).
    omega_o
        Pinning frequency (≥ 0).

    Returns
    -------
    Array
        D, real, same units as f_s, broadcast shape of the inputs.

    Raises
    ------
    DomainError
        Negative or complex arguments, or Ω = ω_o = 0 together (the limit depends on the path).

    Valid for
        Ω ≥ 0, ω_o ≥ 0, Ω + ω_o > 0.
    """
    v.real("f_s", f_s, ge=0)
    v.real("Omega", Omega, ge=0, valid="phase-relaxation rate Omega, >= 0")
    v.real("omega_o", omega_o, ge=0)
    v.broadcast(f_s=f_s, Omega=Omega, omega_o=omega_o)
    f_s, Omega, omega_o = map(v.as_float, (f_s, Omega, omega_o))
    if v.concrete(Omega, omega_o):
        v.real(
            "Omega + omega_o",
            Omega + omega_o,
            gt=0,
            valid="D = f_s*omega_o/(Omega+omega_o) has no limit at Omega = omega_o = 0",
        )
    return _superfluid_weight(f_s, Omega, omega_o)
