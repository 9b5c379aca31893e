r"""Surface impedance, penetration depth and sheet inductance in physical units.

The conductivity is the complex Mattis-Bardeen :math:`\sigma = \sigma_n(\sigma_1 + i\sigma_2)`
of :func:`dissipax.rf.sigma_mattis_bardeen` (time dependence :math:`e^{-i\omega t}`,
:math:`\sigma_2 \ge 0`), :math:`\sigma_n = 1/\rho_n`, in the local (dirty, :math:`\ell \ll
\xi_0, \lambda`) limit.

Sign convention.  In :math:`e^{-i\omega t}` a field decaying into the metal is
:math:`e^{ikz}` with :math:`k^2 = i\mu_0\omega\sigma`, :math:`\operatorname{Im}k \ge 0`, and
the local surface impedance is

.. math:: Z'_s = \frac{\mu_0\omega}{k} = \sqrt{\frac{-i\mu_0\omega}{\sigma}} = R_s - iX_s .

The SRF and resonator literature writes :math:`Z_s = R_s + iX_s` (:math:`e^{+j\omega t}`;
:math:`X_s = \mu_0\omega\lambda` at low :math:`T`), so the functions here return the complex
conjugate :math:`Z_s = \overline{Z'_s}` with :math:`R_s, X_s \ge 0`.

Branch.  :math:`k` is computed as :math:`\sqrt{\mu_0\omega\sigma_n}\sqrt{i\sigma}` and
flipped to :math:`\operatorname{Im}k \ge 0` where needed: the principal root is the
decaying one for :math:`\sigma_1 > 0`, but at :math:`\sigma_1 = 0` exactly (below the gap
as :math:`T \to 0`) the argument :math:`i\sigma = -\sigma_2` sits on the branch cut and the
sign of a zero imaginary part would decide it.

Thin film of thickness :math:`d` (field on both faces, the symmetric strip/film
geometry): :math:`Z'_s = (\mu_0\omega/k)\coth(-ikd)` (in :math:`e^{-i\omega t}`;
:math:`\sqrt{-i\mu_0\omega\sigma} = -ik`), which tends to the sheet impedance
:math:`1/(\sigma d)` for :math:`|k|d \ll 1` and to :math:`\coth(d/\lambda)\,\mu_0\omega\lambda`
for :math:`\sigma = i\sigma_2` (Gurevich,
Supercond. Sci. Technol. 30, 034004 (2017) for the bulk BCS forms).
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .. import units
from .._checks import DomainError, check, check_broadcast, is_traced
from . import _validate as _v
from .complex_conductivity import TOL_SIGMA, sigma_mattis_bardeen
from .gap import T_REDUCED_MAX

__all__ = [
    "ALPHA_BCS",
    "kinetic_inductance_per_square_H",
    "penetration_depth_m",
    "surface_impedance_ohm",
]

#: Weak-coupling ratio Delta0 / k_B Tc = pi e^{-gamma} ~ 1.764.
ALPHA_BCS = math.pi * math.exp(-float(np.euler_gamma))


def natural_units(T_K, Tc_K, Delta0_K, f_Hz=None):
    """Convert kelvin and hertz to the natural units of :mod:`dissipax.rf` (validated).

    Returns ``(omega, T, Tc, Delta0_K)`` with ``omega`` (None when ``f_Hz`` is None),
    ``T``, ``Tc`` in units of Delta0; ``Delta0_K`` defaults to ``ALPHA_BCS * Tc_K``.

    Valid for
        ``T_K >= 0`` [K] below ``2 Tc_K``, ``Tc_K > 0`` [K], ``Delta0_K > 0`` [K] or None,
        ``f_Hz >= 1e3`` [Hz] (a value in GHz or MHz passed as Hz is rejected); else
        ``DomainError`` naming the argument and its unit.
    """
    check("Tc_K", Tc_K, gt=0.0, le=1e3, valid="critical temperature in kelvin")
    if Delta0_K is None:
        Delta0_K = ALPHA_BCS * Tc_K
    else:
        check("Delta0_K", Delta0_K, gt=0.0, le=1e4, valid="gap Delta0/k_B in kelvin")
    check("T_K", T_K, ge=0.0, valid="temperature in kelvin")
    if not is_traced((T_K, Tc_K)):
        bad = np.asarray(T_K, dtype=float) >= T_REDUCED_MAX * np.asarray(Tc_K, dtype=float)
        if np.any(bad):
            raise DomainError(
                f"argument 'T_K' must be < {T_REDUCED_MAX:g}*Tc_K (temperature in kelvin; "
                f"got T_K={np.max(np.asarray(T_K))!r} with Tc_K={Tc_K!r}: mK passed as K?)"
            )
    omega = None
    if f_Hz is not None:
        check("f_Hz", f_Hz, ge=_v.F_MIN_HZ, valid=_v.F_HZ_UNITS)
        omega = units.hz_to_kelvin(f_Hz) / Delta0_K
    return omega, T_K / Delta0_K, Tc_K / Delta0_K, Delta0_K


def _wavenumber(f_Hz, sigma, rho_n_ohm_m):
    """K = sqrt(i mu0 w sigma_n sigma) with Im k >= 0 [1/m] (e^{-iwt})."""
    w = 2.0 * math.pi * jnp.asarray(f_Hz, dtype=float)
    root = jnp.sqrt(1j * sigma)
    root = jnp.where(jnp.imag(root) < 0.0, -root, root)  # decaying branch at sigma1 = 0
    return jnp.sqrt(units.mu_0 * w / rho_n_ohm_m) * root, w


def impedance_from_sigma(f_Hz, sigma, rho_n_ohm_m, thickness_m=None):
    r"""Surface impedance :math:`Z_s = R_s + iX_s` [Ω] of a given :math:`\sigma/\sigma_n`.

    ``sigma`` in :math:`e^{-i\omega t}` (:math:`\sigma_2 \ge 0`); bulk
    :math:`\overline{\mu_0\omega/k}`, film :math:`\overline{(\mu_0\omega/k)\coth(-ikd)}`
    (module docstring).

    Valid for
        ``f_Hz > 0`` [Hz], complex ``sigma`` with :math:`\sigma_1 \ge 0`, ``rho_n_ohm_m > 0``
        [Ω m], ``thickness_m > 0`` [m] or None; internal (checked by the callers).
    """
    k, w = _wavenumber(f_Hz, sigma, rho_n_ohm_m)
    z = units.mu_0 * w / k
    if thickness_m is not None:
        z = z / jnp.tanh(-1j * k * thickness_m)
    return jnp.conj(z)


def _check_material(rho_n_ohm_m, thickness_m):
    check(
        "rho_n_ohm_m",
        rho_n_ohm_m,
        gt=0.0,
        lt=1.0,
        valid="normal-state resistivity in ohm metre (Al film ~1e-8, not micro-ohm cm)",
    )
    if thickness_m is not None:
        check(
            "thickness_m",
            thickness_m,
            gt=0.0,
            lt=1e-2,
            valid="film thickness in metres (100 nm is 1e-7)",
        )


def surface_impedance_ohm(
    f_Hz,
    T_K,
    *,
    Tc_K,
    rho_n_ohm_m,
    thickness_m=None,
    Gamma=0.0,
    Delta0_K=None,
    tol: float = TOL_SIGMA,
):
    r"""Surface impedance :math:`Z_s = R_s + iX_s` [Ω] of a local (dirty) superconductor.

    Bulk: :math:`Z_s = \overline{\sqrt{-i\mu_0\omega/\sigma}}`; film of thickness :math:`d`:
    :math:`Z_s = \overline{\sqrt{-i\mu_0\omega/\sigma}\,\coth(d\sqrt{-i\mu_0\omega\sigma})}`
    (module docstring: the conjugation turns the :math:`e^{-i\omega t}` result
    :math:`R_s - iX_s` into the literature's :math:`R_s + iX_s`), with :math:`\sigma =
    \sigma_n` :func:`~dissipax.rf.sigma_mattis_bardeen`.  Low :math:`T`, :math:`\omega \ll
    \Delta`: :math:`X_s = \mu_0\omega\lambda`, :math:`R_s = \tfrac12\mu_0^2\omega^2\lambda^3
    \sigma_n\sigma_1`; thin film :math:`d \ll \lambda`: :math:`Z_s = \overline{1/(\sigma d)}`.

    Parameters
    ----------
    f_Hz
        Frequency [Hz] (broadcasts with ``T_K``).
    T_K
        Temperature [K].
    Tc_K
        Critical temperature [K].
    rho_n_ohm_m
        Normal-state resistivity just above :math:`T_c` [Ω m].
    thickness_m
        Film thickness [m]; None for a bulk (semi-infinite) superconductor.
    Gamma
        Dynes parameter :math:`\Gamma/\Delta_0` (dimensionless).
    Delta0_K
        Gap :math:`\Delta_0/k_B` [K]; default the weak-coupling :math:`1.764\,T_c`.
    tol
        Relative accuracy of the conductivity integrals.

    Returns
    -------
    Complex array [Ω] of the broadcast shape, :math:`R_s, X_s \ge 0`.

    Valid for
        ``f_Hz >= 1e3`` Hz (GHz passed as Hz is rejected) with :math:`\hbar\omega \le
        10^4\Delta_0`; ``0 <= T_K < 2 Tc_K``; ``rho_n_ohm_m`` in (0, 1) Ω m; ``thickness_m``
        in (0, 1 cm); ``0 <= Gamma <= 1``; else ``DomainError`` naming the argument and
        its unit.  Above :math:`T_c` the normal skin-effect impedance
        :math:`(1 + i)\sqrt{\mu_0\omega\rho_n/2}` (local limit).
    """
    check_broadcast(f_Hz=f_Hz, T_K=T_K, Gamma=Gamma)
    _check_material(rho_n_ohm_m, thickness_m)
    omega, T, Tc, _ = natural_units(T_K, Tc_K, Delta0_K, f_Hz)
    sigma = sigma_mattis_bardeen(omega, T, Tc=Tc, Gamma=Gamma, tol=tol)
    return impedance_from_sigma(f_Hz, sigma, rho_n_ohm_m, thickness_m)


def penetration_depth_m(
    T_K,
    *,
    Tc_K,
    rho_n_ohm_m,
    f_Hz=None,
    Gamma=0.0,
    Delta0_K=None,
    tol: float = TOL_SIGMA,
):
    r"""Magnetic penetration depth :math:`\lambda = 1/\sqrt{\mu_0\omega\sigma_n\sigma_2}` [m].

    Local dirty limit.  With ``f_Hz=None`` (and ``Gamma = 0``) the static limit
    :math:`\omega\sigma_2 \to \pi\Delta\tanh(\Delta/2k_BT)/\hbar` (Mattis-Bardeen; Tinkham
    Ch. 3):

    .. math:: \lambda(T) = \sqrt{\frac{\hbar\rho_n}{\pi\mu_0\Delta(T)\tanh(\Delta(T)/2k_BT)}},
       \qquad \lambda(0) = \sqrt{\frac{\hbar\rho_n}{\pi\mu_0\Delta_0}};

    with ``f_Hz`` given (or ``Gamma > 0``, where ``f_Hz`` is required) from :math:`\sigma_2`
    of :func:`~dissipax.rf.sigma_mattis_bardeen` at that frequency.

    Parameters
    ----------
    T_K
        Temperature [K] (array).
    Tc_K, rho_n_ohm_m, Delta0_K, Gamma
        As in :func:`surface_impedance_ohm`.
    f_Hz
        Frequency [Hz] or None (static limit).
    tol
        Relative accuracy of the conductivity integrals (``f_Hz`` given).

    Returns
    -------
    Array [m]; ``inf`` at and above :math:`T_c` (no superfluid).

    Valid for
        the ranges of :func:`surface_impedance_ohm`; ``f_Hz=None`` with ``Gamma != 0``
        raises ``DomainError`` (the static Dynes limit is not implemented).
    """
    _check_material(rho_n_ohm_m, None)
    omega, T, Tc, Delta0_K = natural_units(T_K, Tc_K, Delta0_K, f_Hz)
    if f_Hz is None:
        if is_traced(Gamma) or np.any(np.asarray(Gamma) != 0.0):
            raise DomainError(
                "argument 'f_Hz' is required with Gamma > 0 (lambda from sigma2 at that "
                "frequency); the static Dynes limit is not implemented"
            )
        from .gap import bcs_gap

        t = jnp.asarray(T, dtype=float) / Tc
        D = bcs_gap(jnp.minimum(t, T_REDUCED_MAX))
        Tq = jnp.maximum(jnp.asarray(T, dtype=float), 1e-300)
        sc = D > 0.0
        Ds = jnp.where(sc, D, 1.0)
        w_sigma2 = jnp.pi * Ds * jnp.tanh(Ds / (2.0 * Tq))  # units of Delta0/hbar
        energy = Delta0_K * units.k_B  # J
        lam = jnp.sqrt(units.hbar * rho_n_ohm_m / (units.mu_0 * w_sigma2 * energy))
        return jnp.where(sc, lam, jnp.inf)
    check_broadcast(f_Hz=f_Hz, T_K=T_K, Gamma=Gamma)
    sigma = sigma_mattis_bardeen(omega, T, Tc=Tc, Gamma=Gamma, tol=tol)
    w = 2.0 * math.pi * jnp.asarray(f_Hz, dtype=float)
    s2 = jnp.imag(sigma)
    pos = s2 > 0.0
    lam = 1.0 / jnp.sqrt(units.mu_0 * w * jnp.where(pos, s2, 1.0) / rho_n_ohm_m)
    return jnp.where(pos, lam, jnp.inf)


def kinetic_inductance_per_square_H(
    f_Hz,
    T_K,
    *,
    Tc_K,
    rho_n_ohm_m,
    thickness_m,
    Gamma=0.0,
    Delta0_K=None,
    tol: float = TOL_SIGMA,
):
    r"""Sheet (surface) inductance per square :math:`L_s = X_s/\omega` [H] of a film.

    :math:`X_s` from the film impedance of :func:`surface_impedance_ohm` (the coth form),
    which is what planar EM solvers take as the "surface inductance" of a superconducting
    sheet.  For :math:`d \ll \lambda` it is the kinetic inductance

    .. math:: L_k = \frac{\mu_0\lambda^2}{d} = \frac{\hbar R_\square}
       {\pi\Delta\tanh(\Delta/2k_BT)}, \qquad R_\square = \rho_n/d

    (Mattis-Bardeen at :math:`\hbar\omega \ll \Delta`); for :math:`d \gg \lambda` it tends
    to :math:`\mu_0\lambda` (kinetic plus field energy inside the metal).

    Parameters
    ----------
    f_Hz, T_K, Tc_K, rho_n_ohm_m, thickness_m, Gamma, Delta0_K, tol
        As in :func:`surface_impedance_ohm` (``thickness_m`` required).

    Returns
    -------
    Array [H per square].

    Valid for
        the ranges of :func:`surface_impedance_ohm`.
    """
    if thickness_m is None:
        raise DomainError("argument 'thickness_m' (film thickness in metres) is required")
    z = surface_impedance_ohm(
        f_Hz,
        T_K,
        Tc_K=Tc_K,
        rho_n_ohm_m=rho_n_ohm_m,
        thickness_m=thickness_m,
        Gamma=Gamma,
        Delta0_K=Delta0_K,
        tol=tol,
    )
    return jnp.imag(z) / (2.0 * math.pi * jnp.asarray(f_Hz, dtype=float))
