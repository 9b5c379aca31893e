"""Physical constants and unit conversions.

All constants are CODATA values taken from :mod:`scipy.constants` (one source), each with
its unit in the comment.  Conversions are plain arithmetic, so they work on Python floats,
NumPy arrays and JAX arrays alike (and under ``jit``/``grad``/``vmap``).

Conventions of the three theories
---------------------------------
* Vortex hydrodynamics (Delacrétaz & Hartnoll 2018) uses ħ = e* = 2e = 1: a conductance
  is measured in units of ``e*²/ħ = 4e²/ħ = 8π e²/h``.  The paper's worked number
  σ_n ≈ 10 e²/h ≈ 0.4 e*²/ħ is :func:`e2_over_h_to_estar2_over_hbar` ``(10) = 0.398``.
* Saturating resistance (Zhang, Palevski & Kapitulnik 2022): T in K, E_a as E_a/k_B in K,
  ρ in Ω/□; the quantum of resistance for pairs is ``R_Q = h/4e² ≈ 6.45 kΩ``.
* Gurevich 2014: k_B = ħ = 1 and energies, temperatures and frequencies in units of the
  gap Δ0; :func:`temperature_to_gap_units` and :func:`frequency_to_gap_units` take a gap
  given as Δ0/k_B in kelvin.
"""

from __future__ import annotations

import math

from scipy import constants as _c

from ._checks import check as _check

# --- constants (SI, CODATA via scipy.constants) ---------------------------------------
k_B: float = _c.k  # Boltzmann constant [J/K]
h: float = _c.h  # Planck constant [J s]
hbar: float = _c.hbar  # reduced Planck constant [J s]
e: float = _c.e  # elementary charge [C]
mu_0: float = _c.mu_0  # vacuum permeability [T m / A]
eV: float = _c.eV  # one electronvolt [J]
c: float = _c.c  # speed of light in vacuum [m/s]
Z_0: float = _c.mu_0 * _c.c  # impedance of free space mu0*c [Ohm] (~376.73 Ohm)

e_star: float = 2.0 * _c.e  # Cooper-pair charge e* = 2e [C]
e2_over_h: float = _c.e**2 / _c.h  # conductance quantum e²/h [S] (≈ 3.874e-5 S)
estar2_over_hbar: float = e_star**2 / _c.hbar  # pair conductance unit e*²/ħ [S] (= 8π e²/h)
hbar_over_estar2: float = _c.hbar / e_star**2  # resistance unit ħ/e*² [Ω] (≈ 1027 Ω)
R_Q: float = _c.h / (4.0 * _c.e**2)  # quantum of resistance for pairs h/4e² [Ω] (≈ 6453 Ω)
R_K: float = _c.h / _c.e**2  # von Klitzing constant h/e² [Ω] (≈ 25813 Ω)
OERSTED_IN_TESLA: float = 1e-4  # μ0·(1 Oe) in T: 1 Oe of H ↔ 1e-4 T of B in vacuum


# --- energy and temperature ------------------------------------------------------------
def kelvin_to_joule(T):
    """Energy k_B·T [J] of a temperature ``T`` [K].

    Valid for
        T ≥ 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("T", T, ge=0, valid="a temperature, >= 0")
    return T * k_B


def joule_to_kelvin(E):
    """Temperature E/k_B [K] of an energy ``E`` [J].

    Valid for
        finite real E; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("E", E)
    return E / k_B


def kelvin_to_ev(T):
    """Energy k_B·T [eV] of a temperature ``T`` [K].

    Valid for
        T ≥ 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("T", T, ge=0, valid="a temperature, >= 0")
    return T * (k_B / eV)


def ev_to_kelvin(E):
    """Temperature E/k_B [K] of an energy ``E`` [eV].

    Valid for
        finite real E; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("E", E)
    return E * (eV / k_B)


def joule_to_ev(E):
    """Energy [eV] of ``E`` [J].

    Valid for
        finite real E; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("E", E)
    return E / eV


def ev_to_joule(E):
    """Energy [J] of ``E`` [eV].

    Valid for
        finite real E; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("E", E)
    return E * eV


# --- frequency -------------------------------------------------------------------------
def hz_to_rad_s(f):
    """Angular frequency ω = 2πf [rad/s] of a frequency ``f`` [Hz].

    Valid for
        finite real f; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("f", f)
    return 2.0 * math.pi * f


def rad_s_to_hz(omega):
    """Frequency f = ω/2π [Hz] of an angular frequency ``omega`` [rad/s].

    Valid for
        finite real omega; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("omega", omega)
    return omega / (2.0 * math.pi)


def ghz_to_rad_s(f_GHz):
    """Angular frequency [rad/s] of ``f_GHz`` [GHz].

    Valid for
        finite real f_GHz; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("f_GHz", f_GHz)
    return 2.0 * math.pi * 1e9 * f_GHz


def rad_s_to_ghz(omega):
    """Frequency [GHz] of an angular frequency ``omega`` [rad/s].

    Valid for
        finite real omega; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("omega", omega)
    return omega / (2.0 * math.pi * 1e9)


def hz_to_kelvin(f):
    """Photon energy ħω/k_B = hf/k_B [K] of a frequency ``f`` [Hz].

    Valid for
        finite real f; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("f", f)
    return f * (h / k_B)


def kelvin_to_hz(T):
    """Frequency f = k_B T/h [Hz] whose photon energy equals k_B·``T``.

    Valid for
        T ≥ 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("T", T, ge=0, valid="a temperature, >= 0")
    return T * (k_B / h)


# --- units of a gap Δ0 (Gurevich 2014: k_B = ħ = 1, energies in units of Δ0) ----------
def temperature_to_gap_units(T_K, Delta0_K):
    """Temperature T/Δ0 (dimensionless) from ``T_K`` [K] and the gap Δ0/k_B ``Delta0_K`` [K].

    Valid for
        T_K ≥ 0 (finite), Δ0 > 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("T_K", T_K, ge=0, valid="a temperature, >= 0")
    _check("Delta0_K", Delta0_K, gt=0, valid="the gap Delta0/k_B in K, > 0")
    return T_K / Delta0_K


def gap_units_to_temperature(T, Delta0_K):
    """Temperature [K] from T/Δ0 and the gap Δ0/k_B ``Delta0_K`` [K].

    Valid for
        T ≥ 0 (finite), Δ0 > 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("T", T, ge=0, valid="a temperature, >= 0")
    _check("Delta0_K", Delta0_K, gt=0, valid="the gap Delta0/k_B in K, > 0")
    return T * Delta0_K


def frequency_to_gap_units(f_Hz, Delta0_K):
    """Photon energy ħω/Δ0 (dimensionless) of ``f_Hz`` [Hz] for a gap Δ0/k_B ``Delta0_K`` [K].

    Valid for
        finite real f_Hz, Δ0 > 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("f_Hz", f_Hz)
    _check("Delta0_K", Delta0_K, gt=0, valid="the gap Delta0/k_B in K, > 0")
    return hz_to_kelvin(f_Hz) / Delta0_K


def gap_units_to_frequency(omega, Delta0_K):
    """Frequency [Hz] whose photon energy is ``omega``·Δ0, for a gap ``Delta0_K`` [K].

    Valid for
        finite real omega, Δ0 > 0 (finite); arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("omega", omega)
    _check("Delta0_K", Delta0_K, gt=0, valid="the gap Delta0/k_B in K, > 0")
    return kelvin_to_hz(omega * Delta0_K)


# --- magnetic field --------------------------------------------------------------------
def oe_to_tesla(H_Oe):
    """μ0·H [T] of a field ``H_Oe`` [Oe] (1 Oe ↔ 1e-4 T in vacuum).

    Valid for
        finite real H_Oe; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("H_Oe", H_Oe)
    return H_Oe * OERSTED_IN_TESLA


def tesla_to_oe(B_T):
    """Field [Oe] of a flux density ``B_T`` [T] in vacuum.

    Valid for
        finite real B_T; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("B_T", B_T)
    return B_T / OERSTED_IN_TESLA


def mT_to_tesla(B_mT):
    """Field [T] of ``B_mT`` [mT].

    Valid for
        finite real B_mT; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("B_mT", B_mT)
    return B_mT * 1e-3


def tesla_to_mT(B_T):
    """Field [mT] of ``B_T`` [T].

    Valid for
        finite real B_T; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("B_T", B_T)
    return B_T * 1e3


# --- conductance and resistance --------------------------------------------------------
def siemens_to_e2_over_h(G):
    """Conductance in units of e²/h from ``G`` [S].

    Valid for
        finite real G; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("G", G)
    return G / e2_over_h


def e2_over_h_to_siemens(g):
    """Conductance [S] from ``g`` in units of e²/h.

    Valid for
        finite real g; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("g", g)
    return g * e2_over_h


def siemens_to_estar2_over_hbar(G):
    """Conductance in the hydrodynamic unit e*²/ħ (ħ = e* = 1) from ``G`` [S].

    Valid for
        finite real G; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("G", G)
    return G / estar2_over_hbar


def estar2_over_hbar_to_siemens(g):
    """Conductance [S] from ``g`` in units of e*²/ħ.

    Valid for
        finite real g; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("g", g)
    return g * estar2_over_hbar


def e2_over_h_to_estar2_over_hbar(g):
    """Convert a conductance from units of e²/h to units of e*²/ħ (factor 1/8π).

    Valid for
        finite real g; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("g", g)
    return g * (e2_over_h / estar2_over_hbar)


def estar2_over_hbar_to_e2_over_h(g):
    """Convert a conductance from units of e*²/ħ to units of e²/h (factor 8π).

    Valid for
        finite real g; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("g", g)
    return g * (estar2_over_hbar / e2_over_h)


def ohm_to_R_Q(R):
    """Resistance in units of R_Q = h/4e² from ``R`` [Ω].

    Valid for
        finite real R; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("R", R)
    return R / R_Q


def R_Q_to_ohm(r):
    """Resistance [Ω] from ``r`` in units of R_Q = h/4e².

    Valid for
        finite real r; arrays broadcast; tracers pass. Exact up to
        the rounding of one multiplication (≤ 1 ulp; round trips ≤ 4 ulp).
    """
    _check("r", r)
    return r * R_Q
