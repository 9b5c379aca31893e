r"""Vortex hydrodynamics: σ(ω), pinning, Hall response (Delacrétaz & Hartnoll, PRB 97, 220506).

Units ħ = e* = 2e = 1, time dependence e^{-iωt}; complex conductivities.

Modules
-------
:mod:`~dissipax.vortex.conductivity`
    Eqs. (6)-(7): :func:`sigma_xx`, :func:`sigma_xy`, the full tensor, its inverse, the Hall
    angle, the supercyclotron poles and the entropy-production bound.
:mod:`~dissipax.vortex.pinning`
    Eq. (20): :func:`sigma_pinned` and :func:`superfluid_weight`.
:mod:`~dissipax.vortex.flux_flow`
    Eqs. (2), (17)-(19), (1): :func:`flux_flow`, :func:`dc_limits`, :func:`hall_resistivity`
    and the paper's worked estimates.  The co-motion sign follows Eqs. (4)-(7), not the
    printed Eqs. (1), (19): see that module.
:mod:`~dissipax.vortex.fitting`
    :func:`fit`: (joint, batched) fits of complex conductivity spectra.
:mod:`~dissipax.vortex.synthetic`
    :func:`synthetic_spectrum`: SYNTHETIC noisy spectra for examples and tests.
"""

from .conductivity import (
    EntropyBoundWarning,
    conductivity_tensor,
    entropy_bound_margin,
    resistivity,
    sigma_xx,
    sigma_xy,
    supercyclotron_poles,
    tan_hall_angle,
)
from .fitting import fit
from .flux_flow import (
    comotion_fraction_from_hall_angle,
    comotion_fraction_from_resonance,
    dc_limits,
    flux_flow,
    hall_resistivity,
    omega_h_over_omega,
)
from .pinning import sigma_pinned, superfluid_weight
from .synthetic import SyntheticSpectrum, synthetic_spectrum

__all__ = [
    "EntropyBoundWarning",
    "SyntheticSpectrum",
    "comotion_fraction_from_hall_angle",
    "comotion_fraction_from_resonance",
    "conductivity_tensor",
    "dc_limits",
    "entropy_bound_margin",
    "fit",
    "flux_flow",
    "hall_resistivity",
    "omega_h_over_omega",
    "resistivity",
    "sigma_pinned",
    "sigma_xx",
    "sigma_xy",
    "superfluid_weight",
    "supercyclotron_poles",
    "synthetic_spectrum",
    "tan_hall_angle",
]
