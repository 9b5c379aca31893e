r"""Far-infrared (THz) transmission of a superconducting film on a substrate (Glover-Tinkham).

A film of thickness :math:`d` much thinner than the wavelength and the penetration depth,
on a thick transparent substrate of refractive index :math:`n`, acts as a conducting sheet
of admittance :math:`\sigma d`.  At normal incidence (vacuum side) the power transmitted
into the substrate, relative to the bare substrate, is (Glover & Tinkham, Phys. Rev. 108,
243 (1957); Tinkham, *Introduction to Superconductivity*, Ch. 3)

.. math:: \frac{T_{film}}{T_{substrate}} = \frac{1}{|1 + y|^2}
   = \frac{1}{(1 + y_1)^2 + y_2^2}, \qquad y = \frac{Z_0\,\sigma d}{1 + n},

with :math:`Z_0 = \mu_0 c` the impedance of free space and :math:`\sigma = \sigma_n(\sigma_1
+ i\sigma_2)` of :func:`dissipax.rf.sigma_mattis_bardeen` (the modulus does not depend on
the sign convention of the time dependence).  Multiple reflections inside the substrate are
not included (a wedged or thick substrate, or a time-gated THz pulse); the displacement
current of the film (:math:`\omega d/c`) is neglected.  :math:`T_s/T_n` is the ratio of two
such values (below and above :math:`T_c`).
"""

from __future__ import annotations

import jax.numpy as jnp

from .. import units
from .._checks import check
from .complex_conductivity import TOL_SIGMA, sigma_mattis_bardeen
from .impedance import _check_material, natural_units

__all__ = ["thin_film_transmission", "transmission_from_sigma"]


def transmission_from_sigma(sigma, sheet_conductance_S, n_substrate):
    r"""Glover-Tinkham :math:`T/T_{substrate} = 1/|1 + Z_0 G_n\sigma/(1 + n)|^2`.

    Parameters
    ----------
    sigma
        :math:`\sigma/\sigma_n` (complex, any convention).
    sheet_conductance_S
        Normal-state sheet conductance :math:`G_n = d/\rho_n` [S].
    n_substrate
        Refractive index of the substrate (real, > 0).

    Returns
    -------
    Array (real), the transmitted power relative to the bare substrate.

    Valid for
        any complex ``sigma`` with :math:`\sigma_1 \ge 0`; internal building block (the
        physical front end checks the units).
    """
    y = units.Z_0 * sheet_conductance_S * sigma / (1.0 + n_substrate)
    return 1.0 / jnp.abs(1.0 + y) ** 2


def thin_film_transmission(
    f_Hz,
    T_K,
    *,
    Tc_K,
    rho_n_ohm_m,
    thickness_m,
    n_substrate,
    Gamma=0.0,
    Delta0_K=None,
    tol: float = TOL_SIGMA,
):
    r"""THz power transmission of a film on a substrate, relative to the bare substrate.

    Glover & Tinkham (1957), module docstring: :math:`1/|1 + Z_0\sigma d/(1 + n)|^2` with the
    complex Mattis-Bardeen (or Dynes) conductivity at :math:`\Delta(T)`.

    Parameters
    ----------
    f_Hz, T_K
        Frequency [Hz] and temperature [K] (broadcasting).
    Tc_K, rho_n_ohm_m, Gamma, Delta0_K, tol
        As in :func:`dissipax.rf.surface_impedance_ohm`.
    thickness_m
        Film thickness [m] (thin: :math:`d \ll \lambda`, wavelength).
    n_substrate
        Refractive index of the substrate at these frequencies (MgO ~3.1, sapphire ~3.1,
        Si ~3.42).

    Returns
    -------
    Array (real) of the broadcast shape.

    Valid for
        the ranges of :func:`dissipax.rf.surface_impedance_ohm`, ``n_substrate`` in
        [1, 100]; else ``DomainError`` naming the argument and its unit.
    """
    _check_material(rho_n_ohm_m, thickness_m)
    check("n_substrate", n_substrate, ge=1.0, le=100.0, valid="refractive index, dimensionless")
    omega, T, Tc, _ = natural_units(T_K, Tc_K, Delta0_K, f_Hz)
    sigma = sigma_mattis_bardeen(omega, T, Tc=Tc, Gamma=Gamma, tol=tol)
    return transmission_from_sigma(sigma, thickness_m / rho_n_ohm_m, n_substrate)
