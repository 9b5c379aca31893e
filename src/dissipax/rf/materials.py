"""Superconducting materials: parameter sets in physical units, with their sources.

A :class:`Superconductor` holds the numbers that turn Gurevich's natural units (energies,
temperatures and frequencies in units of Δ0; fields in units of B_c; σ1 in units of σ_n)
into kelvin, hertz, tesla and ohm.  :data:`NIOBIUM` is the preset used by the
reproduction of Gurevich 2014, Fig. 4b and by the TRIUMF cavity fits; each number
carries its source in :attr:`Superconductor.sources`.
"""

from __future__ import annotations

import equinox as eqx
import numpy as np

from .. import units
from .._checks import DomainError, check, is_traced

__all__ = ["NIOBIUM", "Superconductor", "niobium"]


class Superconductor(eqx.Module):
    """Material parameters of a superconductor in SI-style units.

    Attributes
    ----------
    Delta0_K
        Zero-temperature, zero-current gap Δ0/k_B [K].
    Tc_K
        Critical temperature [K].
    Bc_T
        Thermodynamic critical field B_c = μ0 H_c [T] (the field that normalises
        b = B_a/B_c in Gurevich's Eqs. (3), (13)).
    lambda_m
        Magnetic penetration depth λ [m] (enters Rs through μ0² ω² λ³, Eq. (15)).
    sigma_n_S_m
        Normal-state conductivity σ_n [S/m] (σ1 is computed in units of σ_n).
    name
        Human-readable name.
    sources
        ``{field name: where the number comes from}``.

    Notes
    -----
    The fields are plain floats, so a material can be a leaf of a jitted or
    differentiated computation (``eqx.tree_at`` replaces one number).

    Construction checks every number (concrete values): finite, real and > 0, else
    ``DomainError`` naming ``Superconductor.<field>``; traced leaves pass unchecked.
    """

    Delta0_K: float
    Tc_K: float
    Bc_T: float
    lambda_m: float
    sigma_n_S_m: float
    name: str = eqx.field(static=True, default="superconductor")
    sources: tuple[tuple[str, str], ...] = eqx.field(static=True, default=())

    def __check_init__(self):
        for field in ("Delta0_K", "Tc_K", "Bc_T", "lambda_m", "sigma_n_S_m"):
            value = getattr(self, field)
            if not is_traced(value):
                check(f"Superconductor.{field}", value, gt=0.0, valid=_UNITS[field])
                if np.ndim(value):
                    raise DomainError(
                        f"argument 'Superconductor.{field}' must be a scalar; got shape "
                        f"{np.shape(value)}"
                    )

    @property
    def source_of(self) -> dict[str, str]:
        """The sources as a dict ``{field: source}``."""
        return dict(self.sources)

    def omega(self, f_Hz):
        """Photon energy ħω/Δ0 (Gurevich's ω) of a frequency ``f_Hz`` [Hz].

        Valid for
            finite real f_Hz ≥ 0 in Hz (1.3 GHz is 1.3e9); arrays broadcast; tracers pass
            unchecked.  Negative, NaN, inf or complex: ``DomainError`` naming ``f_Hz``.
        """
        check("f_Hz", f_Hz, ge=0.0, valid="frequency in Hz")
        return units.frequency_to_gap_units(f_Hz, self.Delta0_K)

    def temperature(self, T_K):
        """Temperature T/Δ0 (Gurevich's T) of ``T_K`` [K].

        Valid for
            finite real T_K ≥ 0 in kelvin; arrays broadcast; tracers pass unchecked.
            Outside: ``DomainError`` naming ``T_K``.
        """
        check("T_K", T_K, ge=0.0, valid="temperature in kelvin")
        return units.temperature_to_gap_units(T_K, self.Delta0_K)

    def field(self, B_mT):
        """Reduced field b = B_a/B_c of ``B_mT`` [mT].

        Valid for
            finite real B_mT ≥ 0 in mT (the peak field amplitude); arrays broadcast; tracers
            pass unchecked.  Outside: ``DomainError`` naming ``B_mT``.
        """
        check("B_mT", B_mT, ge=0.0, valid="peak surface field in mT")
        return units.mT_to_tesla(B_mT) / self.Bc_T

    def rs_prefactor_ohm(self, f_Hz):
        """Prefactor μ0² ω² λ³ σ_n / 2 [Ω] of Eq. (15): Rs = prefactor × ⟨σ1/σ_n⟩_β.

        With σ1 in units of σ_n and the depth average ⟨σ1⟩_β = β0⁻¹∫_0^{β0} σ1 dβ,
        Eq. (15) reads Rs = (μ0² ω² λ³ σ_n / 2) ⟨σ1/σ_n⟩_β with ω = 2πf in rad/s.

        Valid for
            finite real f_Hz ≥ 0 in Hz; arrays broadcast; tracers pass unchecked.
            Outside: ``DomainError`` naming ``f_Hz``.  The absolute value inherits the
            dirty-limit caveat of :func:`niobium`.
        """
        check("f_Hz", f_Hz, ge=0.0, valid="frequency in Hz")
        w = units.hz_to_rad_s(f_Hz)
        return 0.5 * units.mu_0**2 * w**2 * self.lambda_m**3 * self.sigma_n_S_m


_UNITS = {
    "Delta0_K": "gap Delta0/k_B in kelvin",
    "Tc_K": "critical temperature in kelvin",
    "Bc_T": "thermodynamic critical field in tesla (0.2 for Nb, not 200)",
    "lambda_m": "penetration depth in metres (3.9e-8 for Nb)",
    "sigma_n_S_m": "normal-state conductivity in S/m",
}

_RHO_295K_NB = 1.45e-7  # Ω m, room-temperature resistivity of Nb (CRC Handbook, 12-41)
_RRR_NB = 300.0  # residual resistivity ratio of SRF-grade Nb sheet (Padamsee et al. 2008, §6)


def niobium(**overrides) -> Superconductor:
    """Build the niobium preset (SRF-grade Nb), optionally with some numbers replaced.

    Parameters
    ----------
    **overrides
        Any of ``Delta0_K, Tc_K, Bc_T, lambda_m, sigma_n_S_m`` (the source of a replaced
        number becomes "user value").

    Returns
    -------
    Superconductor
        Δ0 = 17.5 K, Tc = 9.2 K, B_c = 200 mT, λ = 39 nm, σ_n = RRR/ρ(295 K) ≈ 2.07e9 S/m.

    Raises
    ------
    DomainError
        For an unknown keyword, or a value that is not a finite real number > 0 (named).

    Notes
    -----
    σ_n of clean (RRR ≈ 300) niobium puts it outside the dirty limit ℓ ≪ ξ0 assumed by
    Gurevich's theory; the absolute BCS Rs from Eq. (15) with these numbers is therefore
    an order-of-magnitude estimate (it overestimates Rs_BCS of clean Nb).  Fits to cavity
    data should let the zero-field BCS resistance Rs0 float (see :func:`fit_alpha`); the
    ratio Rs(B)/Rs0 does not depend on λ or σ_n.

    Valid for
        overrides that are finite real numbers > 0 in the units of :class:`Superconductor`
        (K, K, T, m, S/m); otherwise ``DomainError`` naming the keyword.
    """
    values = {
        "Delta0_K": 17.5,
        "Tc_K": 9.2,
        "Bc_T": 0.200,
        "lambda_m": 39e-9,
        "sigma_n_S_m": _RRR_NB / _RHO_295K_NB,
    }
    sources = {
        "Delta0_K": "Gurevich, PRL 113, 087001 (2014), Fig. 4b and suppl.: Δ0 = 17.5 K "
        "(Δ ≈ 1.9 k_B Tc, text after Eq. (11))",
        "Tc_K": "Gurevich 2014, text after Eq. (11): Tc = 9.2 K for Nb",
        "Bc_T": "Gurevich 2014, Fig. 4b: B_c = 200 mT (thermodynamic critical field of Nb; "
        "Padamsee, Knobloch & Hays, RF Superconductivity for Accelerators, 2nd ed. 2008)",
        "lambda_m": "London penetration depth of Nb, 39 nm: Maxfield & McLean, "
        "Phys. Rev. 139, A1515 (1965)",
        "sigma_n_S_m": "RRR/ρ(295 K) with ρ(295 K) = 1.45e-7 Ω m (CRC Handbook) and "
        "RRR = 300 (SRF-grade Nb; Padamsee et al. 2008)",
    }
    for key, value in overrides.items():
        if key not in values:
            raise DomainError(f"niobium(): unknown parameter {key!r}; known: {', '.join(values)}")
        check(key, value, gt=0.0, valid=_UNITS[key])
        if np.ndim(value):
            raise DomainError(f"argument '{key}' must be a scalar; got shape {np.shape(value)}")
        values[key] = float(value)
        sources[key] = "user value"
    return Superconductor(**values, name="Nb", sources=tuple(sources.items()))


NIOBIUM: Superconductor = niobium()
"""SRF-grade niobium, Gurevich 2014's numbers where the paper gives them (see :func:`niobium`)."""
