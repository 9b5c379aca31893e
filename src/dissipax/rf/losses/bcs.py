r"""Low-field BCS surface resistance and the phenomenological medium-field Q-slope.

:class:`BCS` is the zero-field BCS resistance scaled from a reference point,

.. math::

    R_{BCS}(T, f) = R_{s0}\,\frac{\omega^2\,\sigma_1(\omega, T)}
                    {\omega_{ref}^2\,\sigma_1(\omega_{ref}, T_{ref})},

from Rs = μ0²ω²λ³σ1/2 (Gurevich 2014, Eq. (15) at β0 → 0; λ taken T-independent at
T ≪ Tc) with σ1 the Mattis–Bardeen conductivity, Gurevich 2014 Eq. (35) (Boltzmann
factors, gap Δ0; :func:`dissipax.rf.sigma1_mattis_bardeen`), ħω = hf/Δ0 and T/Δ0 in
units of the fitted or fixed gap Δ0.  R_s0 [nΩ] is the BCS resistance at
(f_ref, T_ref); the absolute value needs λ and σ_n, which fits leave free.

:class:`QSlope` adds R_BCS(T, f)·γ(B/B_c)² (amplitude R_q = γR_BCS(0)), so that
``BCS() + QSlope()`` is R_BCS(B) = R_BCS(0)[1 + γ(B/B_c)²].  This is PHENOMENOLOGY: the
medium-field Q-slope has no accepted microscopic theory (see Gurevich, SUST 30, 034004
(2017), Sec. 6); the quadratic form is the lowest even order of a thermal-feedback expansion.
"""

from __future__ import annotations

from typing import ClassVar

import equinox as eqx
import jax
import jax.numpy as jnp

from ... import units
from .. import quadrature as q
from ..mattis_bardeen import _mb_point
from ._base import AbstractLoss, ParamSpec

__all__ = ["BCS", "QSlope", "bcs_range_nohm", "bcs_scale"]

_DELTA0 = ParamSpec("K", 12.0, 22.0, False, "gap Delta0/k_B (fixed by default)")
_RS0 = ParamSpec("nOhm", 0.0, None, True, "BCS resistance at (f_ref, T_ref)")


def _sigma1(omega, T):
    """σ1/σ_n of Eq. (35) on broadcast arrays (one kernel per point)."""
    omega, T = jnp.broadcast_arrays(jnp.asarray(omega, float), jnp.asarray(T, float))
    flat = jax.vmap(lambda w, t: _mb_point(w, t, n=q.N_MB))(omega.ravel(), T.ravel())
    return flat.reshape(omega.shape)


def bcs_scale(T_K, f_Hz, f_ref_Hz, *, Delta0_K, T_ref_K):
    """ω²σ1(ω, T)/[ω_ref²σ1(ω_ref, T_ref)]: the BCS resistance relative to its reference.

    Valid for
        0 < T_K, T_ref_K ≪ Tc (kelvin), 1 kHz ≤ f_Hz, f_ref_Hz < 2Δ0/h (hertz), Delta0_K > 0;
        no argument checks (a traced kernel: the fit front ends check their data).
    """
    w = units.hz_to_kelvin(f_Hz) / Delta0_K
    w_ref = units.hz_to_kelvin(f_ref_Hz) / Delta0_K
    num = _sigma1(w, T_K / Delta0_K)
    den = _sigma1(w_ref, T_ref_K / Delta0_K)
    return (w / w_ref) ** 2 * num / den


#: mean free paths [nm] spanning Nb's local (dirty-limit) regime: 2 nm (heavily doped or
#: oxygen-loaded surfaces) up to the BCS coherence length ξ0 = 38 nm, where ℓ ≪ ξ0 fails
NB_MFP_RANGE_NM = (2.0, 38.0)


def bcs_range_nohm(
    f_Hz,
    T_K,
    *,
    mfp_nm=NB_MFP_RANGE_NM,
    Tc_K=9.2,
    Delta0_K=17.5,
    rho_l_ohm_m2=None,
):
    r"""Range of Nb's zero-field BCS resistance at (f, T) over a mean-free-path range [nΩ].

    R_BCS = Re Z_s of the local Mattis–Bardeen surface impedance
    (:func:`dissipax.rf.surface_impedance_ohm`; R_s = ½μ0²ω²λ³σ_nσ1 at T ≪ Tc) with the
    normal resistivity ρ_n = (ρℓ)/ℓ of Nb (ρℓ = 3.7e-16 Ω m², Goodman & Kuhn 1968).  In
    the local limit R_BCS ∝ λ³σ_n ∝ ℓ^{-1/2}, so the range is spanned by the ends of
    ``mfp_nm``.  The default ℓ = 2–38 nm is where the local theory holds (ℓ ≪ ξ0); cleaner
    Nb needs the nonlocal (Pippard) theory, which dissipax does not implement, and has a
    larger R_BCS than the local value at ℓ = ξ0 (Padamsee, Knobloch & Hays 2008, Fig. 5.3):
    the lower end is then a floor, not a bound.

    Returns
    -------
    (lo, hi)
        R_BCS [nΩ] at the cleaner and the dirtier end of ``mfp_nm`` (float arrays).

    Valid for
        as :func:`~dissipax.rf.surface_impedance_ohm` (f_Hz ≥ 1 kHz in Hz, 0 ≤ T_K < Tc_K);
        ``mfp_nm`` a pair 0 < ℓ_lo < ℓ_hi [nm]; else ``DomainError``.
    """
    from ..._checks import DomainError
    from ..impedance import surface_impedance_ohm
    from .trapped_flux import NB_RHO_L

    rho_l = NB_RHO_L if rho_l_ohm_m2 is None else rho_l_ohm_m2
    f_Hz, T_K = jnp.asarray(f_Hz, float), jnp.asarray(T_K, float)
    lo_nm, hi_nm = (float(v) for v in mfp_nm)
    if not 0.0 < lo_nm < hi_nm:
        raise DomainError(f"argument 'mfp_nm' must be (lo, hi) nm with 0 < lo < hi; got {mfp_nm}")
    out = [
        1e9
        * jnp.real(
            surface_impedance_ohm(
                f_Hz, T_K, Tc_K=Tc_K, rho_n_ohm_m=rho_l / (ell * 1e-9), Delta0_K=Delta0_K
            )
        )
        for ell in (hi_nm, lo_nm)
    ]
    return tuple(out)


class BCS(AbstractLoss):
    """Zero-field BCS resistance R_BCS(T, f) (module docstring; Gurevich 2014 Eqs. (15), (35)).

    Attributes
    ----------
    Rs0_nOhm
        BCS resistance at (f_ref, T_ref) [nΩ].
    Delta0_K
        Gap Δ0/k_B [K] (fixed unless a fit varies it; bounds 12–22 K).
    T_ref_K
        Reference temperature [K] (static).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {"Rs0_nOhm": _RS0, "Delta0_K": _DELTA0}
    Rs0_nOhm: float = 1.0
    Delta0_K: float = 17.5
    T_ref_K: float = eqx.field(static=True, default=2.0)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        scale = bcs_scale(T_K, f_Hz, f_ref_Hz, Delta0_K=self.Delta0_K, T_ref_K=self.T_ref_K)
        return 1e-9 * self.Rs0_nOhm * scale * jnp.ones_like(jnp.asarray(B_mT, float))


class QSlope(AbstractLoss):
    """Medium-field Q-slope R_q·[R_BCS(T, f)/R_BCS(ref)]·(B/B_c)² (phenomenology; module doc).

    With a :class:`BCS` term in the same sum, ``BCS() + QSlope()`` is
    R_BCS(B) = R_BCS(0)[1 + γ(B/B_c)²] with γ = Rq_nOhm/Rs0_nOhm.  The Q-slope amplitude
    is its own parameter because ramps at one temperature often fix R_BCS(0)γ but not
    R_BCS(0) itself (then γ and R_s0 are degenerate; their product is not).  Shares
    ``Delta0_K`` with the BCS term.

    Attributes
    ----------
    Rq_nOhm
        γ·R_BCS(0) at (f_ref, T_ref) [nΩ]: the Q-slope resistance at B = B_c (signed:
        R_q < 0 is an anti-Q-slope, Rs falling with field).
    Delta0_K, T_ref_K
        As in :class:`BCS`.
    Bc_mT
        Thermodynamic critical field B_c [mT] normalising the field (static).
    """

    PARAMS: ClassVar[dict[str, ParamSpec]] = {
        "Rq_nOhm": ParamSpec("nOhm", None, None, True, "gamma R_BCS(0) at the reference, signed"),
        "Delta0_K": _DELTA0,
    }
    Rq_nOhm: float = 1.0
    Delta0_K: float = 17.5
    T_ref_K: float = eqx.field(static=True, default=2.0)
    Bc_mT: float = eqx.field(static=True, default=200.0)

    def rs_ohm(self, B_mT, T_K, f_Hz, f_ref_Hz):
        """Rs [Ω] of this term at the points (see :class:`AbstractLoss`)."""
        scale = bcs_scale(T_K, f_Hz, f_ref_Hz, Delta0_K=self.Delta0_K, T_ref_K=self.T_ref_K)
        return 1e-9 * self.Rq_nOhm * scale * (jnp.asarray(B_mT) / self.Bc_mT) ** 2
