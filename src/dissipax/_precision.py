"""Working precision: the one place that decides dissipax's floating-point dtype.

dissipax turns on JAX's 64-bit mode at import, because its physics needs it: Boltzmann
factors ``exp(-Δ/T)`` down to ``1e-40``, nested quadratures and Levenberg–Marquardt
normal equations lose their accuracy in float32.  Set the environment variable
``DISSIPAX_X64=0`` *before* importing dissipax to keep JAX's default float32 (the GPU
habit); which functions keep which accuracy in that mode is documented per function.
"""

from __future__ import annotations

import os

import jax
import jax.numpy as jnp
import numpy as np

_FALSE = {"0", "false", "no", "off"}


def _x64_requested() -> bool:
    return os.environ.get("DISSIPAX_X64", "1").strip().lower() not in _FALSE


def configure() -> None:
    """Turn on float64 in JAX unless ``DISSIPAX_X64=0`` opts out (called at import).

    Valid for
        any environment: ``DISSIPAX_X64`` unset or anything but ``0``/``false``/``no``/``off``
        (case-insensitive) turns x64 on; those four keep JAX's default.  Only effective
        before the first JAX array is created (JAX's own rule); never turns x64 off.
    """
    if _x64_requested():
        jax.config.update("jax_enable_x64", True)


def x64_enabled() -> bool:
    """Whether JAX currently computes in 64-bit (``jax_enable_x64``).

    Valid for
        any time; reads the live JAX flag (so it follows a later ``jax.config.update``).
    """
    return bool(jax.config.read("jax_enable_x64"))


def float_dtype() -> np.dtype:
    """Return the working real dtype: float64 with x64 on, else float32.

    Valid for
        any time (follows :func:`x64_enabled`).
    """
    return np.dtype(np.float64 if x64_enabled() else np.float32)


def complex_dtype() -> np.dtype:
    """Return the working complex dtype matching :func:`float_dtype`.

    Valid for
        any time: complex128 with x64 on, else complex64.
    """
    return np.dtype(np.complex128 if x64_enabled() else np.complex64)


def eps() -> float:
    """Machine epsilon of the working dtype; tolerances are expressed relative to it.

    Valid for
        any time: 2.22e-16 (float64) or 1.19e-7 (float32).
    """
    return float(jnp.finfo(float_dtype()).eps)


def asarray(x, dtype=None) -> jax.Array:
    """Convert to a JAX array of the working float dtype (complex input stays complex).

    Valid for
        numeric array-likes (bool and integers become floats); ``dtype`` overrides the
        working dtype.  No value checks: use :func:`dissipax._checks.check` for domains.
    """
    x = jnp.asarray(x)
    if dtype is not None:
        return x.astype(dtype)
    if jnp.iscomplexobj(x):
        return x.astype(complex_dtype())
    return x.astype(float_dtype())
