r"""Fits of complex optical-conductivity spectra to the vortex hydrodynamics (one or many).

:func:`fit` wraps :func:`dissipax.fit.least_squares` with the models of Eqs. (6)-(7) (σ_xx
alone, or σ_xx and σ_xy jointly with shared parameters) and of Eq. (20) (pinned vortices),
starting values from closed-form linearised fits (:mod:`._estimate`), and batching over
many spectra in one compiled call.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import fit as _fit
from .._checks import DomainError, check, check_choice
from .._precision import complex_dtype, float_dtype
from ..fit._problem import is_ragged, pack_ragged
from . import _estimate
from .conductivity import EntropyBoundWarning, _sigma_xx, _sigma_xy
from .pinning import _sigma_pinned

#: parameters of each model, in the order of the report
PARAMS = {
    "joint": ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_o", "sigma_oH"),
    "xx": ("f_s", "Omega", "Omega_H", "alpha_v", "sigma_o"),
    "pinned": ("f_s", "Omega", "omega_o", "sigma_o"),
}


def _f(x):
    return jnp.asarray(x, dtype=float_dtype())


# Module-level models: the same function objects reuse the compiled fit across calls.
def model_joint(omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH):
    """σ_xx and σ_xy of Eqs. (6)-(7) sharing their parameters: ``(sigma_xx, sigma_xy)``."""
    w, f_s, Om, OmH, a = map(_f, (omega, f_s, Omega, Omega_H, alpha_v))
    return (
        _sigma_xx(w, f_s, Om, OmH, a, _f(sigma_o)),
        _sigma_xy(w, f_s, Om, OmH, a, _f(sigma_oH)),
    )


def model_xx(omega, f_s, Omega, Omega_H, alpha_v, sigma_o):
    """σ_xx of Eq. (6) alone."""
    return _sigma_xx(*map(_f, (omega, f_s, Omega, Omega_H, alpha_v, sigma_o)))


def model_pinned(omega, f_s, Omega, omega_o, sigma_o):
    """Eq. (20) at ω > 0 plus a normal-component background σ_o."""
    z = _sigma_pinned(*map(_f, (omega, f_s, Omega, omega_o)))
    return z + _f(sigma_o).astype(z.dtype)


_MODELS = {"joint": model_joint, "xx": model_xx, "pinned": model_pinned}


def _start_inside(x: np.ndarray, lo: float, floor: np.ndarray) -> np.ndarray:
    """Clip estimates strictly above a lower bound ``lo`` (at least ``lo + floor``)."""
    x = np.where(np.isfinite(x), x, lo + floor)
    return np.maximum(x, lo + floor)


def _default_params(kind: str, est: dict[str, np.ndarray], omega_scale: np.ndarray):
    """Parameters with physical bounds, started at the estimates (moved inside bounds)."""
    f_s_floor = 1e-3 * np.maximum(np.abs(est["f_s"]), 1e-12)
    rate_floor = 1e-3 * omega_scale
    out: dict[str, _fit.Parameter] = {}
    out["f_s"] = _fit.Parameter(_start_inside(est["f_s"], 0.0, f_s_floor), min=0.0)
    out["Omega"] = _fit.Parameter(_start_inside(est["Omega"], 0.0, rate_floor), min=0.0)
    if kind == "pinned":
        out["omega_o"] = _fit.Parameter(_start_inside(est["omega_o"], 0.0, rate_floor), min=0.0)
    elif kind == "xx":
        # sigma_xx is even under (Omega_H, alpha_v) -> (-Omega_H, -alpha_v): fix the sign
        out["Omega_H"] = _fit.Parameter(_start_inside(est["Omega_H"], 0.0, rate_floor), min=0.0)
        out["alpha_v"] = _fit.Parameter(np.zeros_like(est["f_s"]), vary=False)
    else:
        out["Omega_H"] = _fit.Parameter(np.nan_to_num(est["Omega_H"]))
        out["alpha_v"] = _fit.Parameter(np.nan_to_num(est["alpha_v"]))
    s_floor = 1e-3 * np.abs(est["f_s"]) / omega_scale
    out["sigma_o"] = _fit.Parameter(_start_inside(est["sigma_o"], 0.0, s_floor), min=0.0)
    if kind == "joint":
        out["sigma_oH"] = _fit.Parameter(np.nan_to_num(est["sigma_oH"]))
    return {k: out[k] for k in PARAMS[kind]}


def _automatic_starts(pars, defaults, user) -> dict | None:
    """Return the user's parameters with their varying starts set to the automatic ones.

    ``None`` when the user set no starting value of a varying parameter (nothing to add).
    Bounds, ``vary`` and ``transform`` stay the user's; an automatic start outside the
    user's bounds is moved to the middle of a two-sided range or next to a one-sided bound.
    """
    if user is None:
        return None
    out, changed = dict(pars), False
    for name, p in user.items():
        p = _fit.parameters.as_parameter(name, p)
        if not p.vary:
            continue
        v = np.asarray(defaults[name].value, dtype=float)
        lo, hi = p.bounds
        if np.isfinite(lo) and np.isfinite(hi):
            v = np.where((v > lo) & (v < hi), v, 0.5 * (lo + hi))
        elif np.isfinite(lo):
            v = np.where(v > lo, v, lo + np.maximum(np.abs(lo), 1.0) * 1e-3)
        elif np.isfinite(hi):
            v = np.where(v < hi, v, hi - np.maximum(np.abs(hi), 1.0) * 1e-3)
        out[name] = _fit.Parameter(
            v if v.ndim else float(v), min=p.min, max=p.max, vary=True, transform=p.transform
        )
        changed = True
    return out if changed else None


def _entropy_margin(p) -> dict[str, np.ndarray]:
    """σ_oΩ − α_v² f_s per fit (>= 0 by the entropy bound below Eq. (7))."""
    return {"entropy_margin": p["sigma_o"] * p["Omega"] - p["alpha_v"] ** 2 * p["f_s"]}


def _unragged(omega, sigma_xx, sigma_xy, sigma):
    """Pack ragged spectra (lists of 1-D arrays of different lengths) with a mask."""
    if not is_ragged(sigma_xx):
        return omega, sigma_xx, sigma_xy, sigma, None
    n = len(sigma_xx)
    if not is_ragged(omega):
        if len({np.size(v) for v in sigma_xx}) != 1:
            raise DomainError(
                "spectra of different lengths need one frequency grid each: pass 'omega' as "
                "a list of 1-D arrays like 'sigma_xx'"
            )
        omega = [omega] * n
    joint = sigma_xy is not None
    if joint and not is_ragged(sigma_xy):
        raise DomainError("with ragged sigma_xx (a list of arrays), pass sigma_xy as a list too")
    if sigma is None:
        errs = (None, None)
    elif is_ragged(sigma):
        errs = (sigma, sigma if joint else None)
    elif isinstance(sigma, tuple) and len(sigma) == 2 and all(is_ragged(e) for e in sigma):
        errs = sigma
    else:
        raise DomainError(
            "with ragged spectra, 'sigma' must be a list of arrays (one per spectrum) or, for "
            "joint fits, a tuple of two such lists"
        )
    w, sxx, sxy, exx, exy, mask = pack_ragged(
        list(omega),
        list(sigma_xx),
        None if not joint else list(sigma_xy),
        None if errs[0] is None else list(errs[0]),
        None if errs[1] is None else list(errs[1]),
        names=("omega", "sigma_xx", "sigma_xy", "sigma", "sigma[1]"),
    )
    if sigma is None:
        sig = None
    else:
        sig = (exx, exy) if joint else exx
    return w, sxx, sxy, sig, mask


def _as_complex(name: str, x: Any) -> np.ndarray:
    check(name, x, real=False, valid="measured complex conductivity")
    return np.asarray(x, dtype=complex_dtype())


def _errors(sigma, shape, n_leaves):
    """Split ``sigma`` into per-leaf real arrays of ``shape`` (None: ones)."""
    if sigma is None:
        return [np.ones(shape, float_dtype())] * n_leaves, False
    leaves = list(sigma) if isinstance(sigma, (tuple, list)) else [sigma] * n_leaves
    if len(leaves) != n_leaves:
        raise DomainError(
            f"argument 'sigma' must be one array or a tuple of {n_leaves} arrays "
            f"(for sigma_xx{', sigma_xy' if n_leaves == 2 else ''}); got {len(leaves)}"
        )
    out = []
    for i, s in enumerate(leaves):
        nm = "sigma" if n_leaves == 1 else f"sigma[{i}]"
        check(nm, s, gt=0, valid="standard deviation of Re and of Im of the data, > 0")
        try:
            out.append(np.broadcast_to(np.asarray(s, float_dtype()), shape))
        except ValueError:
            raise DomainError(
                f"argument '{nm}' of shape {np.shape(s)} does not broadcast to the data's "
                f"shape {shape}"
            ) from None
    return out, True


def fit(
    omega,
    sigma_xx,
    sigma_xy=None,
    *,
    params: Mapping[str, Any] | None = None,
    sigma=None,
    model: str = "hydro",
    scale_covar: bool = True,
    multistart: int = 0,
    key: jax.Array | None = None,
    max_steps: int = 256,
    rtol: float | None = None,
    atol: float | None = None,
    throw: bool = False,
    devices=None,
) -> _fit.FitResult:
    r"""Fit complex conductivity spectra to the vortex hydrodynamics, with standard errors.

    Models (Delacrétaz & Hartnoll 2018):

    * ``model="hydro"`` with ``sigma_xy``: σ_xx and σ_xy of Eqs. (6)-(7) jointly, sharing
      f_s, Ω, Ω_H, α_v; parameters f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH;
    * ``model="hydro"`` without ``sigma_xy``: Eq. (6) alone, parameters f_s, Omega, Omega_H,
      alpha_v, sigma_o.  σ_xx is even under (Ω_H, α_v) → (−Ω_H, −α_v), so by default
      Ω_H ≥ 0 (|Ω_H| is fitted) and α_v is fixed at 0 (σ_xx alone barely constrains it; pass
      ``params={"alpha_v": Parameter(0.01)}`` to vary it);
    * ``model="pinned"``: Eq. (20) plus a background σ_o, at ω > 0; parameters f_s, Omega,
      omega_o, sigma_o (σ_xx only: Eq. (20) is the parity-even response).

    Starting values come from a linearised (Levy / Sanathanan–Koerner) rational fit of each
    spectrum, so no guess is needed; Levenberg–Marquardt then refines them
    (:func:`dissipax.fit.least_squares`).  Default bounds: f_s, Ω, ω_o, σ_o ≥ 0.

    Parameters
    ----------
    omega
        Angular frequencies, shape ``(n_omega,)`` (shared by all spectra) or
        ``(n_batch, n_omega)`` (one grid per spectrum), or a list of 1-D grids for ragged
        spectra.  Same unit as the fitted rates.
    sigma_xx
        Complex σ_xx data, ``(n_omega,)`` for one spectrum or ``(n_batch, n_omega)`` for a
        batch (e.g. one per field), all fitted in one compiled call; or a list of 1-D
        spectra of different lengths (then ``omega``, ``sigma_xy`` and ``sigma`` are lists
        too): packed with a mask, nothing to pad by hand.
    sigma_xy
        Complex σ_xy data of the same shape, or None.
    params
        ``name -> Parameter | float`` overriding the automatic starts/bounds of those
        parameters (a float fixes nothing: it is a free start; use
        ``Parameter(v, vary=False)`` to fix).  Unknown names raise.  When a varying
        parameter gets a user starting value, the fit is also run from the automatic
        starts (with the user's bounds) and, per spectrum, the converged fit with the
        lower χ² is returned (its message then starts with "(automatic start)"); when both
        reach the same minimum (χ² equal to 1e-9) the fit from the user's start is kept.
    sigma
        Standard deviation of the real and of the imaginary part of each point (> 0): one
        array (broadcast to the data) or a tuple ``(err_xx, err_xy)`` for joint fits.
        None: unit weights (then the scatter sets the error bars, ``scale_covar=True``).
    model
        ``"hydro"`` or ``"pinned"``.
    scale_covar
        Scale the covariance by χ²_red (lmfit's default).  Pass False when ``sigma`` holds
        the true standard deviations of the data.
    multistart, key, max_steps, rtol, atol, throw, devices
        Passed to :func:`dissipax.fit.least_squares` (``devices``: shard a batch of
        spectra over devices; default all local devices for large batches).

    Returns
    -------
    FitResult
        Values, stderr, covariance, χ², success and messages (arrays over the batch for a
        batch).  ``result.extra["entropy_margin"]`` holds σ_oΩ − α_v² f_s at the optimum
        for the hydro models (negative: the entropy bound is violated).

    Warns
    -----
    EntropyBoundWarning
        When a best fit violates α_v² ≤ σ_oΩ/f_s (see :class:`EntropyBoundWarning`).

    Raises
    ------
    DomainError
        Non-finite or non-numeric data, ω ≤ 0 for the pinned model, mismatched shapes, an
        unknown model or parameter name, bad ``sigma``.

    Valid for
        the hydrodynamic regime of Eqs. (6)-(7) / (20); spectra that resolve the peak
        (frequencies up to a few Ω + |Ω_H|).
    """
    check_choice("model", model, ("hydro", "pinned"))
    omega, sigma_xx, sigma_xy, sigma, mask = _unragged(omega, sigma_xx, sigma_xy, sigma)
    if model == "pinned" and sigma_xy is not None:
        raise DomainError(
            "model='pinned' fits sigma_xx only (Eq. (20) is parity-even); pass sigma_xy=None"
        )
    kind = "pinned" if model == "pinned" else ("joint" if sigma_xy is not None else "xx")

    check(
        "omega",
        omega,
        **({"gt": 0} if kind == "pinned" else {}),
        valid="angular frequency" + (" (Eq. (20) is singular at 0)" if kind == "pinned" else ""),
    )
    w = np.asarray(omega, float_dtype())
    sxx = _as_complex("sigma_xx", sigma_xx)
    if sxx.ndim not in (1, 2):
        raise DomainError(
            f"argument 'sigma_xx' must be 1-D (one spectrum) or 2-D (n_batch, n_omega); "
            f"got shape {sxx.shape}"
        )
    data = [sxx]
    if sigma_xy is not None:
        sxy = _as_complex("sigma_xy", sigma_xy)
        if sxy.shape != sxx.shape:
            raise DomainError(
                f"arguments must have the same shape: sigma_xx{sxx.shape}, sigma_xy{sxy.shape}"
            )
        data.append(sxy)
    batched = sxx.ndim == 2
    n_omega = sxx.shape[-1]
    if w.ndim == 1 and w.shape != (n_omega,) or w.ndim == 2 and w.shape != sxx.shape or w.ndim > 2:
        raise DomainError(
            f"argument 'omega' of shape {w.shape} must be (n_omega,) = ({n_omega},) or the "
            f"data's shape {sxx.shape}"
        )
    batch_x = w.ndim == 2
    errs, sigma_given = _errors(sigma, sxx.shape, len(data))

    # starting values, spectrum by spectrum (NumPy; cheap)
    rows = sxx.reshape(-1, n_omega).shape[0]
    wb = np.broadcast_to(w, sxx.shape).reshape(rows, n_omega)
    ests = []
    mb = np.ones((rows, n_omega), bool) if mask is None else mask.reshape(rows, n_omega)
    for i in range(rows):
        m = mb[i]
        sl = [d.reshape(rows, n_omega)[i][m] for d in data]
        el = [e.reshape(rows, n_omega)[i][m] for e in errs]
        wi = wb[i][m]
        if kind == "joint":
            ests.append(_estimate.hydro_joint(wi, sl[0], sl[1], el[0], el[1]))
        elif kind == "xx":
            ests.append(_estimate.hydro_xx(wi, sl[0], el[0]))
        else:
            ests.append(_estimate.pinned(wi, sl[0], el[0]))
    est = {k: np.array([e[k] for e in ests], dtype=float) for k in ests[0]}
    scale = np.max(np.abs(wb), axis=-1)
    if not batched:
        est = {k: val[0] for k, val in est.items()}
        scale = scale[0]
    pars = _default_params(kind, est, scale)
    defaults = dict(pars)
    if params is not None:
        unknown = set(params) - set(pars)
        if unknown:
            raise DomainError(
                f"params: unknown parameter(s) {sorted(unknown)} for model '{model}'"
                f"{' (joint)' if kind == 'joint' else ''}; parameters: {list(pars)}"
            )
        pars.update(params)

    y = tuple(data) if kind == "joint" else data[0]
    s = (tuple(errs) if kind == "joint" else errs[0]) if sigma_given else None
    auto = _automatic_starts(pars, defaults, params)
    # user starting values: also fit from the automatic starts; per spectrum the better fit
    # wins (the pipeline's Retry policy, applied before the result is returned)
    retry = (
        None
        if auto is None
        else _fit.Retry(multistart, params=auto, when="always", label="(automatic start)")
    )
    res = _fit.least_squares(
        _MODELS[kind],
        pars,
        w,
        y,
        s,
        mask=mask,
        batched=batched,
        batch_x=batch_x,
        multistart=multistart,
        key=key,
        rtol=rtol,
        atol=atol,
        max_steps=max_steps,
        scale_covar=scale_covar,
        retry=retry,
        extras=None if kind == "pinned" else _entropy_margin,
        devices=devices,
    )
    if throw and not np.all(res.success):
        raise _fit.FitError(res)
    if kind == "pinned":
        return res
    p = res.params
    margin = res.extra["entropy_margin"]
    bad = margin < -8 * np.finfo(float).eps * np.abs(np.asarray(p["sigma_o"]) * p["Omega"])
    if np.any(bad):
        warnings.warn(
            f"{int(np.sum(bad))} of {np.size(bad)} best fit(s) violate the entropy-production "
            "bound alpha_v**2 <= sigma_o*Omega/f_s (result.extra['entropy_margin'] < 0); "
            "fix alpha_v or sigma_o, or check the model.",
            EntropyBoundWarning,
            stacklevel=2,
        )
    return res
