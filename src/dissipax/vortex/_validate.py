"""Boundary validation shared by the :mod:`dissipax.vortex` functions.

Thin wrappers around :func:`dissipax._checks.check` that know the physical meaning of each
parameter, so every public function rejects the same bad input with the same message.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .._checks import DomainError, check_broadcast, guard, is_traced
from .._precision import float_dtype

_MEANING = {
    "f_s": "superfluid stiffness f_s = n_s/m*, >= 0",
    "Omega": "phase-relaxation rate (vortex conductivity) Omega, > 0",
    "Omega_H": "supercyclotron frequency Omega_H (any real sign: it flips with the field)",
    "alpha_v": "vorto-electric conductivity alpha_v (real)",
    "sigma_o": "normal-component conductivity sigma_o, >= 0",
    "sigma_oH": "normal-component Hall conductivity sigma_o^H (real)",
    "omega_o": "pinning frequency omega_o, >= 0",
}


def real(name: str, x: Any, valid: str | None = None, **bounds: float) -> Any:
    """Check a real, finite parameter (with optional bounds).

    Returns ``x`` unchanged when concrete; a traced ``x`` comes back with a run-time
    :func:`equinox.error_if` guard of the same domain (:func:`dissipax._checks.guard`).
    """
    return guard(name, x, valid=valid or _MEANING.get(name), **bounds)


def as_float(x: Any) -> jnp.ndarray:
    """Convert a validated real input to a JAX array of the working float dtype."""
    return jnp.asarray(x, dtype=float_dtype())


def broadcast(**arrays: Any) -> tuple[int, ...]:
    """Check that the named arguments broadcast together; return the broadcast shape."""
    return check_broadcast(**arrays)


def concrete(*xs: Any) -> bool:
    """Whether every argument is concrete (no tracer), so value checks can run."""
    return not any(is_traced(x) for x in xs)


__all__ = ["DomainError", "as_float", "broadcast", "concrete", "real"]
