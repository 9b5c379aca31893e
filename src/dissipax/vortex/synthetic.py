r"""SYNTHETIC optical-conductivity spectra with realistic noise, for examples and tests.

Nothing here is measured data.  :func:`synthetic_spectrum` evaluates the hydrodynamic model
(Eqs. (6)-(7), or the pinned Eq. (20)) and adds Gaussian noise of the kind seen in THz /
microwave transmission spectroscopy: independent in Re and Im, with a standard deviation
that is a fixed fraction of the signal plus a frequency-independent floor,

.. math:: s(\omega) = \sqrt{(r\,|\sigma(\omega)|)^2 + a^2} .

The returned error bars are the exact standard deviations used, so fits weighted with them
give χ²_red ≈ 1 and honest standard errors.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError
from . import _validate as v
from .conductivity import _sigma_xx, _sigma_xy
from .pinning import _sigma_pinned

_HYDRO = ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_o", "sigma_oH")
_PINNED = ("f_s", "Omega", "omega_o", "sigma_o")


class SyntheticSpectrum(dict):
    """A synthetic spectrum: a dict with the keys below (attribute access too).

    ``omega`` (n_omega,), ``sigma_xx`` and ``sigma_xy`` (batch + (n_omega,), complex; sigma_xy
    is None for the pinned model), ``sigma_xx_err``/``sigma_xy_err`` (same shapes, real: the
    standard deviation of Re and of Im each), ``truth`` (dict of the true parameters),
    ``model`` ("hydro" or "pinned") and ``synthetic`` (always True).
    """

    __getattr__ = dict.__getitem__


def synthetic_spectrum(
    key,
    omega,
    *,
    f_s,
    Omega,
    Omega_H=0.0,
    alpha_v=0.0,
    sigma_o=0.0,
    sigma_oH=0.0,
    omega_o=None,
    noise_rel=0.01,
    noise_abs=None,
):
    r"""Generate a SYNTHETIC noisy σ_xx(ω), σ_xy(ω) spectrum (or a batch of them).

    Parameters
    ----------
    key
        A ``jax.random`` key.
    omega
        1-D array of angular frequencies (> 0 for the pinned model).
    f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH
        True parameters of Eqs. (6)-(7): scalars, or 1-D arrays of one common length n_batch
        (one spectrum per entry, e.g. one per magnetic field).
    omega_o
        If given, the pinned model Eq. (20) plus σ_o is used for σ_xx (then Ω_H, α_v and
        σ_o^H must be 0, and no σ_xy is produced).
    noise_rel
        Relative noise r (≥ 0): fraction of |σ(ω)|.
    noise_abs
        Absolute noise floor a (≥ 0); default ``0.1 * noise_rel * max_ω |σ_xx(ω)|`` per spectrum.

    Returns
    -------
    SyntheticSpectrum
        See the class; arrays have shape ``(n_omega,)`` or ``(n_batch, n_omega)``.

    Valid for
        the parameter domains of :func:`dissipax.vortex.sigma_xx` and
        :func:`dissipax.vortex.sigma_pinned`.
    """
    pinned = omega_o is not None
    v.real("omega", omega, **({"gt": 0} if pinned else {}))
    if np.ndim(omega) != 1:
        raise DomainError(f"argument 'omega' must be 1-D; got shape {np.shape(omega)}")
    truth = dict(
        f_s=f_s, Omega=Omega, Omega_H=Omega_H, alpha_v=alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )
    bounds = {"f_s": {"ge": 0}, "Omega": {"gt": 0}, "sigma_o": {"ge": 0}}
    if pinned:
        for name in ("Omega_H", "alpha_v", "sigma_oH"):
            if np.any(np.asarray(truth.pop(name)) != 0):
                raise DomainError(
                    f"argument '{name}' must be 0 for the pinned model "
                    "(Eq. (20) is the parity-even response)"
                )
        truth["omega_o"] = omega_o
        bounds["omega_o"] = {"ge": 0}
        bounds["Omega"] = {"ge": 0}
    for name, x in truth.items():
        v.real(name, x, **bounds.get(name, {}))
        if np.ndim(x) > 1:
            raise DomainError(f"argument '{name}' must be a scalar or 1-D; got {np.shape(x)}")
    v.real("noise_rel", noise_rel, ge=0)
    if noise_abs is not None:
        v.real("noise_abs", noise_abs, ge=0)
    batch = v.broadcast(**truth)
    if noise_abs is not None:
        batch = v.broadcast(batch=np.zeros(batch), noise_abs=noise_abs)
    w = v.as_float(omega)
    p = {
        k: v.as_float(jnp.broadcast_to(jnp.asarray(x), batch))[..., None] for k, x in truth.items()
    }
    if pinned:
        clean_xx = _sigma_pinned(w, p["f_s"], p["Omega"], p["omega_o"]) + p["sigma_o"]
        clean = (clean_xx,)
    else:
        clean_xx = _sigma_xx(w, p["f_s"], p["Omega"], p["Omega_H"], p["alpha_v"], p["sigma_o"])
        clean_xy = _sigma_xy(w, p["f_s"], p["Omega"], p["Omega_H"], p["alpha_v"], p["sigma_oH"])
        clean = (clean_xx, clean_xy)
    if noise_abs is None:
        floor = 0.1 * noise_rel * jnp.max(jnp.abs(clean_xx), axis=-1, keepdims=True)
    else:
        floor = v.as_float(noise_abs)[..., None] if np.ndim(noise_abs) else noise_abs
    keys = jax.random.split(key, 2 * len(clean))
    noisy, errs = [], []
    for i, c in enumerate(clean):
        s = jnp.sqrt((noise_rel * jnp.abs(c)) ** 2 + floor**2)
        shape = c.shape
        re = jax.random.normal(keys[2 * i], shape, dtype=s.dtype)
        im = jax.random.normal(keys[2 * i + 1], shape, dtype=s.dtype)
        noisy.append(c + jax.lax.complex(s * re, s * im))
        errs.append(s)
    return SyntheticSpectrum(
        omega=w,
        sigma_xx=noisy[0],
        sigma_xy=None if pinned else noisy[1],
        sigma_xx_err=errs[0],
        sigma_xy_err=None if pinned else errs[1],
        truth={k: np.asarray(x, dtype=float) for k, x in truth.items()},
        model="pinned" if pinned else "hydro",
        synthetic=True,
    )
