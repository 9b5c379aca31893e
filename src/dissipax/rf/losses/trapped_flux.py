r"""Trapped-flux surface resistance: rf-driven pinned vortex segments, Gurevich & Ciovati 2013.

A vortex trapped perpendicular to the surface is pinned at depth ℓ_p (the pin spacing)
and driven by the rf Meissner current J = (H/λ)e^{−z/λ}e^{−iωt}.  Its displacement u(z)
obeys the string equation of Gurevich & Ciovati, PRB 87, 054502 (2013), Eq. (5) (local
line tension, no vortex mass),

.. math:: \eta\dot u = \varepsilon u'' + \phi_0 J(z, t),\qquad u'(0) = 0,\ u(\ell_p) = 0,

with the Bardeen–Stephen drag η = φ0B_c2/ρ_n and the line tension
ε = (φ0²/4πμ0λ²)(ln κ + 1/2).  Solved in closed form (p = λ√(−iωη/ε), ν = ωηλ²/ε,
L = ℓ_p/λ), the dissipated power per vortex gives their Eq. (11)-type result

.. math:: \frac{R_i}{B_{trap}} = -\frac{\phi_0\omega\lambda}{\varepsilon}
          \,\mathrm{Im}\frac{J(p, L)}{1 + i\nu},\qquad
          J = \int_0^L e^{-y}\,\frac{u(y)}{u_p(0)}\,dy,

which rises as ω² for short segments (ν L² ≪ 1), as ω^{1/2} for long ones and saturates
at the flux-flow value φ0/(2ηλ) = ρ_n/(2B_c2λ) for ν ≫ 1 (their Sec. III limits).  The
mean free path ℓ enters through ρ_n = ρℓ/ℓ, λ = λ_L(1 + ξ0/ℓ)^{1/2} and
ξ^{−2} = (0.739ξ0)^{−2} + (0.855²ξ0ℓ)^{−1} (Gor'kov's clean and dirty limits), which
gives the bell-shaped sensitivity versus ℓ of Checchin et al., SRF2015 MOPB020.

Field dependence: measured trapped-flux losses grow about linearly with the rf amplitude
(the hysteretic depinning regime, GC 2013 Sec. VI; the string model above is linear in
H and has none), so the term is R_fl = B_trap·S(f, ℓ)·(1 + κ_B B_p): the factor
(1 + κ_B B_p) is phenomenological.
"""

from __future__ import annotations

import math
from typing import ClassVar

import equinox as eqx
import jax.numpy as jnp

from ... import units
from ._base import AbstractLoss, ParamSpec

__all__ = ["TrappedFlux", "flux_sensitivity_ohm_per_T"]

PHI0 = units.h / (2.0 * units.e)  # flux quantum [Wb]
NB_XI0_M = 38e-9  # BCS coherence length of Nb [m] (Padamsee, Knobloch & Hays 2008, Tab. 3.1)
NB_LAMBDA_L_M = 39e-9  # London penetration depth of Nb [m] (Maxfield & McLean 1965)
NB_RHO_L = 3.7e-16  # ρ_n·ℓ of Nb [Ω m²] (Goodman & Kuhn, J. Phys. 29, 240 (1968))


def flux_sensitivity_ohm_per_T(
    f_Hz,
    *,
    mfp_nm,
    pin_nm,
    xi0_m=NB_XI0_M,
    lambda_L_m=NB_LAMBDA_L_M,
    rho_l=NB_RHO_L,
):
    """Trapped-flux sensitivity R_i/B_trap [Ω/T] of the pinned-segment model (module doc).

    Valid for
        f_Hz > 0 [Hz], mean free path ``mfp_nm`` > 0 and pin spacing ``pin_nm`` > 0 [nm];
        broadcasting arrays; no checks (a traced kernel).
    """
    ell = jnp.asarray(mfp_nm, float) * 1e-9
    lam = lambda_L_m * jnp.sqrt(1.0 + xi0_m / ell)
    xi = 1.0 / jnp.sqrt(1.0 / (0.739 * xi0_m) ** 2 + 1.0 / (0.855**2 * xi0_m * ell))
    bc2 = PHI0 / (2.0 * math.pi * xi**2)
    eta = PHI0 * bc2 * ell / rho_l
    eps = PHI0**2 / (4.0 * math.pi * units.mu_0 * lam**2) * (jnp.log(lam / xi) + 0.5)
    w = 2.0 * math.pi * jnp.asarray(f_Hz, float)
    nu = w * eta * lam**2 / eps
    L = jnp.asarray(pin_nm, float) * 1e-9 / lam
    p = jnp.sqrt(nu) * jnp.exp(-0.25j * math.pi)  # p² = −iν, Re p > 0
    E = jnp.exp(-p * L)  # |E| < 1: every exponential below is bounded
    eL = jnp.exp(-L)
    den = 1.0 + E * E
    cpd = (2.0 * E * E / p - 2.0 * eL * E) / den  # c + d
    cpd_grown = (2.0 * E * eL / p - 2.0 * eL * eL) / den  # (c + d) e^{(p−1)L}
    cmd = -2.0 * eL * E / den - (1.0 - E * E) / (den * p) - 1.0 / p  # c − d
    J = (
        0.5 * (1.0 - eL * eL)
        + (cpd_grown - cpd) / (2.0 * (p - 1.0))
        + 0.5 * cmd * (1.0 - eL * E) / (p + 1.0)
    )
    return -(PHI0 * w * lam / eps) * jnp.imag(J / (1.0 + 1j * nu))


class TrappedFlux(AbstractLoss):
    """Trapped-flux resistance B_trap·S(f, ℓ)·(1 + κ_B B_p) (module docstring).

    Attributes
    ----------
    B_trap_uT
        Trapped flux density [µT] (≥ 0).
    kappa_per_mT
        Linear field coefficient κ_B [1/mT] (phenomenological; unbounded, κ_B < 0 would
        be losses falling with field).
    mfp_nm
        Electron mean free path ℓ [nm] (fixed by default).
    pin_nm
        Pin spacing ℓ_p [nm] (static).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {
        "B_trap_uT": ParamSpec("uT", 0.0, None, True, "trapped flux density"),
        "kappa_per_mT": ParamSpec("1/mT", None, None, True, "linear field coefficient (signed)"),
        "mfp_nm": ParamSpec("nm", 1.0, 1e4, False, "electron mean free path"),
    }
    B_trap_uT: float = 1.0
    kappa_per_mT: float = 0.01
    mfp_nm: float = 100.0
    pin_nm: float = eqx.field(static=True, default=300.0)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        S = flux_sensitivity_ohm_per_T(f_Hz, mfp_nm=self.mfp_nm, pin_nm=self.pin_nm)
        B = jnp.asarray(B_mT, float)
        return 1e-6 * self.B_trap_uT * S * (1.0 + self.kappa_per_mT * B) + 0.0 * T_K
