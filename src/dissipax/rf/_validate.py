r"""Boundary validation and run-time guards shared by the :mod:`dissipax.rf` functions.

Thin wrappers around :mod:`dissipax._checks` that know the natural units of Gurevich's theory,
so every public function rejects the same bad input with the same message:

* on concrete input (before tracing) a :class:`~dissipax._checks.DomainError` naming the
  argument, the value, its index and the valid range, with the expected units;
* on a tracer (inside ``jit``, ``vmap``, ``grad``, a fit or a sweep) the value comes back
  carrying an :func:`equinox.error_if` guard whose message starts with
  ``argument 'NAME' out of its domain at run time``.

A guard costs one elementwise comparison on the argument (not on the quadrature nodes), so
it belongs on the public functions, never inside the pointwise kernels.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .._checks import DomainError, error_if, guard, is_traced

#: BCS critical temperature in units of Delta0, T_c = e^gamma / pi (Delta0 = 1.764 T_c).
T_C = math.exp(float(np.euler_gamma)) / math.pi
#: Largest supported pair-breaking parameter (see :data:`dissipax.rf.usadel.S_MAX`).
S_MAX = 0.25
#: Largest pair-breaking parameter where the '+' root of Eq. (8) is physical (PHYSICS.md).
S_STAR = 1.0 / (2.0**1.5 + math.pi / 4.0)
#: beta at the superheating field H_sh = 0.84 H_c (beta = (H/2H_c)^2).
BETA_SUPERHEATING = (0.84 / 2.0) ** 2
#: Relative slack (in units of the working dtype's eps) of the eps >= eps_g(s) check: eps_g
#: computed by NumPy here and by JAX in the kernels may differ by a few ulp.
GAP_SLACK_ULP = 16.0

_DELTA0_NB_K = 17.5  # Delta0/k_B of the niobium preset, for the unit examples below
_H_OVER_KB = 4.799243073366221e-11  # h / k_B [K s] (CODATA, exact)

#: Smallest frequency [Hz] accepted by the physical front ends: below 1 kHz a value is a
#: frequency in GHz or MHz passed as Hz (the nonequilibrium theory also needs omega*tau_r >> 1,
#: tau_r ~ 40 ns in Nb at 2 K).
F_MIN_HZ = 1e3
F_HZ_UNITS = (
    f"frequency in Hz, >= {F_MIN_HZ:g}: not GHz or MHz (1.3 GHz is f_Hz = 1.3e9); below 1 kHz "
    "Eq. (12)'s omega*tau_r >> 1 fails and the value is almost surely in the wrong unit"
)

OMEGA_UNITS = (
    "omega is the photon energy hbar*omega/Delta0, dimensionless, not a frequency in Hz or "
    f"GHz: 1.3 GHz in niobium (Delta0/k_B = {_DELTA0_NB_K} K) is omega = "
    f"{1.3e9 * _H_OVER_KB / _DELTA0_NB_K:.3g}; convert with "
    "dissipax.units.frequency_to_gap_units(f_Hz, Delta0_K) or Superconductor.omega(f_Hz)"
)
T_UNITS = (
    "T is k_B T/Delta0, dimensionless, not kelvin, below T_c = "
    f"{T_C:.4f} Delta0 (the gap is taken T-independent, T << T_c): 2 K in niobium is T = "
    f"{2.0 / _DELTA0_NB_K:.3g}; convert with dissipax.units.temperature_to_gap_units(T_K, "
    "Delta0_K) or Superconductor.temperature(T_K)"
)


#: Smallest photon energy hbar*omega/Delta0 (about 3.6 Hz in niobium): the theory needs
#: omega*tau >> 1 anyway, and below ~1e-100 the kernels lose their finiteness (Eq. 35 gives inf,
#: Eqs. 4/10 NaN, omega-gradients NaN or -inf).  Values and gradients are finite above it.
OMEGA_MIN = 1e-12
OMEGA_MIN_TEXT = (
    f"omega >= OMEGA_MIN = {OMEGA_MIN:g} (about "
    f"{OMEGA_MIN * _DELTA0_NB_K / _H_OVER_KB:.2g} Hz in niobium): the theory needs "
    "omega*tau >> 1 (tau the inelastic/relaxation time), and the kernels are not finite as "
    "omega -> 0"
)
#: Margin of the smallest bath temperature of the Rs/Rs0 ratios (see :func:`t0_min`).
T0_MIN_MARGIN = 0.95


def t0_min() -> float:
    """Smallest accepted bath temperature T0 (units of Delta0) of the working dtype.

    ``2 / (0.95 * ln(1/tiny))`` (2.97e-3 = 52 mK in niobium in float64; 2.41e-2 in float32):
    Rs0 ~ e^{-1/T0} underflows below ``1/ln(1/tiny)`` (Rs/Rs0 = 0/0), and the gradient of the
    ratio divides by Rs0^2 ~ e^{-2/T0}, hence the factor 2 (and a 5 % margin).  Rs_BCS is
    negligible against the residual resistance there.
    """
    from .._precision import float_dtype

    return 2.0 / (T0_MIN_MARGIN * -math.log(float(np.finfo(float_dtype()).tiny)))


PAIR_BREAKING_TEXT = (
    "pair-breaking absorption at omega >= 2 eps_g (Eq. 9) is not in Eqs. 4/10; " + OMEGA_UNITS
)


def s_valid(name: str = "s") -> str:
    """Meaning and range of a pair-breaking parameter (for messages)."""
    return (
        f"pair-breaking parameter {name} in units of Delta0 with 0 <= {name} <= {S_MAX}: the "
        f"physical branch of Eq. (8) needs s < s* = {S_STAR:.4f}, above the superheating "
        f"field beta_sh = {BETA_SUPERHEATING:.4f}"
    )


def omega(x: Any, name: str = "omega", *, upper: float = 2.0):
    """Guard a photon energy ``OMEGA_MIN <= omega < upper`` (units of Delta0, with unit hint)."""
    return guard(
        name,
        x,
        ge=OMEGA_MIN,
        lt=upper,
        valid=f"{OMEGA_UNITS}; {OMEGA_MIN_TEXT}; omega >= 2 Delta0 adds pair-breaking "
        "absorption, outside the model",
    )


def temperature(x: Any, name: str = "T"):
    """Guard a temperature ``0 < T < T_c`` in units of Delta0 (with the unit hint)."""
    return guard(name, x, gt=0.0, lt=T_C, valid=T_UNITS)


def bath_temperature(x: Any, name: str = "T0"):
    """Guard a bath temperature ``t0_min() <= T0 < T_c`` of an Rs/Rs0 ratio (units of Delta0)."""
    lo = t0_min()
    return guard(
        name,
        x,
        ge=lo,
        lt=T_C,
        valid=f"{T_UNITS}; below {name} = {lo:.3g} (~{lo * _DELTA0_NB_K * 1e3:.0f} mK in "
        f"niobium) Rs0 ~ e^(-1/{name}) and its square (in the gradient) underflow in the "
        "working float dtype and Rs/Rs0 would be 0/0; Rs_BCS is negligible against the "
        "residual resistance there",
    )


def pair_breaking(x: Any, name: str = "s"):
    """Guard a pair-breaking parameter ``0 <= s <= S_MAX``."""
    return guard(name, x, ge=0.0, le=S_MAX, valid=s_valid(name))


def nodes(name: str, n: Any, *, minimum: int = 2) -> int:
    """Check a static node / step count: a Python integer ``>= minimum``."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < minimum:
        raise DomainError(
            f"argument '{name}' must be an integer >= {minimum} (a static count, not an "
            f"array); got {n!r}"
        )
    return int(n)


def flag(name: str, value: Any) -> bool:
    """Check a static boolean switch."""
    if not isinstance(value, (bool, np.bool_)):
        raise DomainError(f"argument '{name}' must be True or False; got {value!r}")
    return bool(value)


def spectral_gap_np(s):
    """Eq. (9) in NumPy: eps_g(s) = [(1 - pi s/4)^(2/3) - s^(2/3)]^(3/2) (no device dispatch)."""
    s = np.asarray(s, dtype=float)
    return ((1.0 - np.pi * s / 4.0) ** (2.0 / 3.0) - s ** (2.0 / 3.0)) ** 1.5


def spectral_gap_jnp(s):
    """Eq. (9) in JAX, for run-time guards (no gradient needed: the guard is a comparison)."""
    import jax
    import jax.numpy as jnp

    s = jnp.maximum(jax.lax.stop_gradient(jnp.asarray(s, dtype=float)), 0.0)
    return ((1.0 - jnp.pi * s / 4.0) ** (2.0 / 3.0) - s ** (2.0 / 3.0)) ** 1.5


def bound(
    name: str,
    x: Any,
    limit_np,
    limit_jnp,
    args: tuple,
    *,
    op: str = "<",
    what: str,
    valid: str,
):
    """Guard ``x < limit(*args)`` (``op="<"``) or ``x >= limit(*args)`` (``op=">="``).

    For bounds that depend on other arguments.  ``limit_np(*args)`` (NumPy) gives the bound
    for concrete input: a violation raises :class:`DomainError` naming ``name``, the value,
    the bound and the index.  When ``x`` or any of ``args`` is traced, ``x`` comes back (as a
    JAX array) with a run-time :func:`equinox.error_if` guard, the bound from
    ``limit_jnp(*args)``.  ``what`` spells the bound in the message (e.g. ``"2*eps_g(s)"``),
    ``valid`` says why.
    """
    if op not in ("<", ">="):
        raise ValueError(f"op must be '<' or '>='; got {op!r}")
    if not (is_traced(x) or is_traced(args)):
        xv, lim = np.asarray(x, dtype=float), np.asarray(limit_np(*args), dtype=float)
        if lim.ndim == 0 and xv.size:  # a scalar bound: one reduction (NaN fails it)
            if (xv.max() < lim) if op == "<" else (xv.min() >= lim):
                return x
        xv, lim = np.broadcast_arrays(xv, lim)
        with np.errstate(invalid="ignore"):
            bad = ~(xv < lim) if op == "<" else ~(xv >= lim)
        if bad.any():
            i = tuple(int(k) for k in np.argwhere(bad)[0]) if xv.ndim else ()
            where = f" at index {i} ({int(bad.sum())} of {bad.size} values)" if xv.ndim else ""
            neg = ">=" if op == "<" else "<"
            raise DomainError(
                f"argument '{name}' must be {op} {what} ({valid}); got {name}={float(xv[i])!r} "
                f"{neg} {what}={float(lim[i])!r}{where}"
            )
        return x
    import jax.numpy as jnp

    xj = jnp.asarray(x, dtype=float)
    lim = limit_jnp(*args)
    bad = ~(xj < lim) if op == "<" else ~(xj >= lim)
    return error_if(
        xj,
        bad,
        f"argument '{name}' out of its domain at run time: valid range {name} {op} {what} "
        f"({valid})",
    )


def below_pair_breaking(omega_: Any, s: Any, name_s: str = "s"):
    """Guard ``omega < 2 eps_g(s)``: Eqs. (4), (10) leave out pair-breaking absorption."""
    return bound(
        "omega",
        omega_,
        lambda s_: 2.0 * spectral_gap_np(s_),
        lambda s_: 2.0 * spectral_gap_jnp(s_),
        (s,),
        what=f"2*eps_g({name_s})",
        valid=PAIR_BREAKING_TEXT,
    )
