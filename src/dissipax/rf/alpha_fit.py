"""Fitting the overheating parameter α (and R_res, Rs0, T0, Δ0) to Rs(B_a) data.

Two entry points on the one fit engine (:func:`dissipax.fit.least_squares`):

* :func:`fit_alpha` — natural units, the contract ``fit_alpha(b, rs_ratio, omega, T0)``:
  Rs/Rs0 versus b = B_a/B_c, model :func:`~dissipax.rf.surface.surface_resistance_ratio`;
* :func:`cavity_rs_ohm` — physical units: the Gurevich-plus-residual model
  Rs = Rs_BCS(B, T0) + R_res (Eqs. (10), (12)–(15), zero-field BCS resistance at 2 K as a
  scale); :func:`dissipax.rf.cavity_fit.fit_cavity` (re-exported here) fits composed
  models, of which ``GurevichBCS() + Residual()`` is this one.

Both fit one dataset or a batch (a leading axis over ramps) in one compiled call; runaway
points (no stable temperature) give a large finite residual so that the fit backs off.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from .. import units
from .._checks import DomainError, check, check_broadcast, check_choice, guard, is_traced
from ..fit import FitResult, Parameter, Retry, least_squares
from . import _validate as _v
from . import quadrature as q
from .cavity_fit import fit_cavity
from .rf_field import energy_integral
from .surface import MODELS, N_DEPTH, READINGS, _solve_point
from .usadel import S_MAX

__all__ = ["cavity_rs_ohm", "fit_alpha", "fit_cavity"]

_RUNAWAY_PENALTY = 1e3  # model value (in units of Rs0) returned at runaway points
#: extra random starts when a fit that failed from its start is re-fitted from the
#: automatic start (the pattern of saturation.fit; tests/robustness/test_bad_starts.py)
RETRY_MULTISTART = 4


def _b_max(reading: str) -> float:
    """Largest reduced field b = B_a/B_c with beta0 <= S_MAX under ``reading``."""
    return float(np.sqrt(S_MAX / READINGS[reading].beta))


def _guard_natural(b, omega, T0, alpha, reading):
    """Run-time guards of the fit models (values known only inside the compiled fit)."""
    factor = READINGS[reading].beta
    b = guard("b", b, ge=0.0, le=_b_max(reading), valid="reduced field B_a/B_c")
    omega = _v.bound(
        "omega",
        _v.omega(omega),
        lambda b_: 2.0 * _v.spectral_gap_np(factor * np.asarray(b_, dtype=float) ** 2),
        lambda b_: 2.0 * _v.spectral_gap_jnp(factor * jnp.asarray(b_, dtype=float) ** 2),
        (b,),
        what=f"2*eps_g(beta0) with beta0 = {factor:g} b^2",
        valid=_v.PAIR_BREAKING_TEXT,
    )
    T0 = _v.temperature(T0, "T0")
    alpha = guard("alpha", alpha, ge=0.0, valid="overheating parameter of Eq. (13)")
    return b, omega, T0, alpha


def _ratio_model(b, omega, T0, alpha, *, reading, model):
    b, omega, T0, alpha = _guard_natural(b, omega, T0, alpha, reading)
    sol = jax.vmap(
        functools.partial(
            _solve_point,
            reading=reading,
            model=model,
            n=q.N_ENERGY,
            n_depth=N_DEPTH,
            T_max_over_T0=2.0,
        )
    )(*jnp.broadcast_arrays(b, omega, T0, alpha))
    return jnp.where(sol.status == 0, sol.ratio, _RUNAWAY_PENALTY)


@functools.cache
def _natural_model(reading: str, model: str):
    def fn(x, alpha, T0):
        b, omega = x
        return _ratio_model(b, omega, T0, alpha, reading=reading, model=model)

    return fn


def _check_fit_alpha(b, rs_ratio, omega, T0, sigma, alpha, vary_T0, reading, model):
    """Boundary checks of :func:`fit_alpha` (concrete data only: a fit is not traceable)."""
    check_choice("reading", reading, READINGS)
    check_choice("model", model, MODELS)
    _v.flag("vary_T0", vary_T0)
    for name, x in (("b", b), ("rs_ratio", rs_ratio), ("omega", omega), ("T0", T0)):
        if is_traced(x):
            raise DomainError(f"argument '{name}' must be concrete: a fit cannot be traced")
    check("rs_ratio", rs_ratio, gt=0.0, valid="measured Rs/Rs0")
    if np.ndim(rs_ratio) not in (1, 2):
        raise DomainError(
            f"argument 'rs_ratio' must have shape (n,) or (n_batch, n); got {np.shape(rs_ratio)}"
        )
    check("b", b, ge=0.0, le=_b_max(reading), valid=f"B_a/B_c under reading {reading!r}")
    if np.ndim(b) not in (1, 2) or (np.ndim(b) == 2 and np.ndim(rs_ratio) != 2):
        raise DomainError(
            f"argument 'b' must have shape (n,) or, with a 2-D rs_ratio, (n_batch, n); got "
            f"b{np.shape(b)}, rs_ratio{np.shape(rs_ratio)}"
        )
    shape = check_broadcast(b=b, rs_ratio=rs_ratio)
    if shape != np.shape(rs_ratio):
        raise DomainError(
            f"arguments do not broadcast to the data shape: b{np.shape(b)}, "
            f"rs_ratio{np.shape(rs_ratio)}"
        )
    for name, x in (("omega", omega), ("T0", T0)):
        if np.ndim(x):
            raise DomainError(f"argument '{name}' must be a scalar; got shape {np.shape(x)}")
    _v.omega(omega)
    _v.bath_temperature(T0, "T0")
    _v.below_pair_breaking(omega, READINGS[reading].beta * float(np.max(b)) ** 2, "beta0(max b)")
    if vary_T0 and 3.0 * float(T0) >= _v.T_C:
        raise DomainError(
            f"argument 'T0' must be < T_c/3 = {_v.T_C / 3:.4f} with vary_T0=True (the fit "
            f"bounds T0 to (0.3 T0, 3 T0), which must stay below T_c); got {float(T0)!r}"
        )
    if sigma is not None:
        check("sigma", sigma, gt=0.0, valid="standard errors of rs_ratio")
        check_broadcast(sigma=sigma, rs_ratio=rs_ratio)
    check("alpha", alpha, ge=0.0, valid="start value of the overheating parameter")


def fit_alpha(
    b,
    rs_ratio,
    omega,
    T0,
    *,
    sigma=None,
    alpha=0.5,
    vary_T0: bool = False,
    reading: str = "printed",
    model: str = "nonequilibrium",
    max_steps: int = 64,
) -> FitResult:
    r"""Fit α of Eq. (13) to measured Rs(B_a)/Rs0 (natural units).

    Parameters
    ----------
    b
        Reduced fields B_a/B_c, shape (n,) (shared) or (n_batch, n).
    rs_ratio
        Rs/Rs0, shape (n,) for one fit or (n_batch, n) for a batch.
    omega
        ħω/Δ0 (scalar).
    T0
        Bath temperature k_B T0/Δ0 (scalar start value; fitted if ``vary_T0``).
    sigma
        Standard errors of ``rs_ratio`` (same shape, or scalar); ``None``: unit weights.
    alpha
        Start value of α (float or (n_batch,) array).
    vary_T0
        Also fit T0 (bounded to (0.3 T0, 3 T0)).
    reading, model
        See :func:`dissipax.rf.surface.surface_resistance_ratio`.
    max_steps
        Levenberg–Marquardt step limit.

    Returns
    -------
    FitResult
        ``params["alpha"]`` (and ``"T0"``) with stderr; batched when ``rs_ratio`` is 2-D.

    Valid for
        the domain of :func:`~dissipax.rf.surface.surface_resistance_ratio`:
        0 ≤ b ≤ b_max(reading) (β0 ≤ 0.25), scalar 1e-12 ≤ ω < 2ε_g(β0(max b)), scalar
        t0_min ≤ T0 < T_c = 0.567 (ω, T0 in units of Δ0; t0_min = 2.97e-3 in float64),
        with ``vary_T0`` also 3·T0 < T_c;
        finite rs_ratio > 0 of shape (n,) or (n_batch, n) broadcasting with b; sigma
        None or > 0; alpha ≥ 0; ``max_steps ≥ 1``.  Outside: ``DomainError`` naming the
        argument before any compilation.  Inside the compiled fit, run-time guards on b,
        ω, T0, α (they cannot fire with validated input: the bounds keep the parameters
        in range).  Runaway points give a finite penalty residual, not NaN.
    """
    _check_fit_alpha(b, rs_ratio, omega, T0, sigma, alpha, vary_T0, reading, model)
    max_steps = _v.nodes("max_steps", max_steps, minimum=1)
    y = jnp.asarray(rs_ratio, dtype=float)
    batched = y.ndim == 2
    b = jnp.asarray(b, dtype=float)
    batch_x = batched and b.ndim == 2
    omega_arr = jnp.full(b.shape, float(omega))
    fn = _natural_model(reading, model)

    def params(a):
        return {
            "alpha": Parameter(a, min=0.0),
            "T0": Parameter(float(T0), min=0.3 * float(T0), max=3.0 * float(T0), vary=vary_T0),
        }

    # fits that fail from the given start: again from the automatic start (the default
    # alpha = 0.5 and the measured T0) plus RETRY_MULTISTART random starts
    n = y.shape[0] if batched else None
    return least_squares(
        fn,
        params(alpha),
        (b, omega_arr),
        y,
        sigma=sigma,
        batched=batched,
        batch_x=batch_x,
        max_steps=max_steps,
        retry=Retry(
            RETRY_MULTISTART,
            params=params(0.5 if n is None else np.full(n, 0.5)),
            label=f"(retried, multistart={RETRY_MULTISTART})",
        ),
    )


def _mb(omega, T):
    """Zero-field σ1 kernel (Mattis–Bardeen with Boltzmann factors), broadcast over points."""
    omega, T = jnp.broadcast_arrays(omega, T)
    kernel = functools.partial(energy_integral, nonequilibrium=False, n=q.N_ENERGY)
    return jax.vmap(kernel)(omega.ravel(), T.ravel(), jnp.zeros(T.size)).reshape(T.shape)


@functools.cache
def _cavity_model(reading: str, model: str, T_ref_K: float, f_ref_Hz: float):
    def fn(x, alpha, Rs0_nOhm, R_res_nOhm, Delta0_K, Bc_mT):
        B_mT, T_K, f_Hz = x
        omega = units.hz_to_kelvin(f_Hz) / Delta0_K
        T0 = T_K / Delta0_K
        b = B_mT / Bc_mT
        ratio = _ratio_model(b, omega, T0, alpha, reading=reading, model=model)
        # zero-field BCS Rs at (f, T0) relative to (f_ref, T_ref): Rs ∝ ω² σ1_MB(ω, T) with
        # σ1 = (2/ω)·I(ω, T) and I = energy_integral (no 2/ω), so Rs ∝ ω·I.  (Until the cavity
        # branch this read (ω/ω_ref)²·I/I_ref, one factor ω/ω_ref too many for f ≠ f_ref; found
        # by the SciPy comparison in tests/rf_surface/test_losses.py.)
        w_ref = units.hz_to_kelvin(f_ref_Hz) / Delta0_K
        scale = (omega / w_ref) * _mb(omega, T0) / _mb(w_ref, T_ref_K / Delta0_K)
        return 1e-9 * (Rs0_nOhm * scale * ratio + R_res_nOhm)

    return jax.jit(fn)  # one XLA program (op-by-op dispatch of the solve took ~4x longer)


def _check_cavity_rs(B_mT, T_K, f_Hz, Delta0_K, Bc_mT, reading, model, T_ref_K, f_ref_Hz):
    """Boundary checks (run-time guards when traced) of :func:`cavity_rs_ohm`'s inputs."""
    check_choice("reading", reading, READINGS)
    check_choice("model", model, MODELS)
    check_broadcast(B_mT=B_mT, T_K=T_K, f_Hz=f_Hz)
    Delta0_K = guard("Delta0_K", Delta0_K, gt=0.0, valid="gap Delta0/k_B in K")
    Bc_mT = guard("Bc_mT", Bc_mT, gt=0.0, valid="thermodynamic critical field in mT")
    check("T_ref_K", T_ref_K, gt=0.0, valid="reference temperature in K")
    check("f_ref_Hz", f_ref_Hz, ge=_v.F_MIN_HZ, valid=_v.F_HZ_UNITS)
    if is_traced(Delta0_K) or is_traced(Bc_mT):
        # physical bounds depend on traced numbers: the natural-unit guards of the model apply
        B_mT = guard("B_mT", B_mT, ge=0.0, valid="peak surface field in mT")
        T_K = guard("T_K", T_K, gt=0.0, valid="bath temperature in K")
        f_Hz = guard("f_Hz", f_Hz, ge=_v.F_MIN_HZ, valid=_v.F_HZ_UNITS)
        return B_mT, T_K, f_Hz
    factor = READINGS[reading].beta
    # per-point arrays of Delta0_K, Bc_mT: the bounds of the smallest (conservative)
    Delta0_min, Bc_min = float(np.min(Delta0_K)), float(np.min(Bc_mT))
    T_c_K = _v.T_C * Delta0_min
    check("T_ref_K", T_ref_K, lt=T_c_K, valid=f"below T_c = 0.567 Delta0/k_B = {T_c_K:.4g} K")
    B_mT = guard(
        "B_mT",
        B_mT,
        ge=0.0,
        le=_b_max(reading) * Bc_min,
        valid=f"peak surface field in mT; beta0 = {factor:g} (B/B_c)^2 <= {S_MAX}",
    )
    T_K = guard("T_K", T_K, gt=0.0, lt=T_c_K, valid=f"bath temperature in K, below {T_c_K:.4g} K")
    f_Hz = guard("f_Hz", f_Hz, ge=_v.F_MIN_HZ, valid=_v.F_HZ_UNITS)
    scale = 2.0 * Delta0_min * float(units.kelvin_to_hz(1.0))
    f_Hz = _v.bound(
        "f_Hz",
        f_Hz,
        lambda B: scale * _v.spectral_gap_np(factor * (np.asarray(B, float) / Bc_min) ** 2),
        lambda B: scale * _v.spectral_gap_jnp(factor * (jnp.asarray(B, float) / Bc_min) ** 2),
        (B_mT,),
        what="2*eps_g(beta0)*Delta0/h",
        valid="pair-breaking absorption is not in Eq. (10)",
    )
    return B_mT, T_K, f_Hz


def cavity_rs_ohm(
    B_mT,
    T_K,
    f_Hz,
    *,
    alpha,
    Rs0_nOhm,
    R_res_nOhm,
    Delta0_K=17.5,
    Bc_mT=200.0,
    reading: str = "printed",
    model: str = "nonequilibrium",
    T_ref_K: float = 2.0,
    f_ref_Hz: float,
) -> jax.Array:
    """Evaluate the :func:`fit_cavity` model: Rs [Ω] at fields ``B_mT``, bath temperatures ``T_K``.

    Pass one ramp's fitted parameters (``**result[i].params``) and the ``f_ref_Hz`` of the fit.

    Valid for
        0 ≤ B_mT ≤ b_max(reading)·Bc_mT (β0 ≤ 0.25), 0 < T_K < 0.567 Delta0_K,
        1 kHz ≤ f_Hz < 2ε_g(β0)Δ0/h (Hz, not GHz), broadcasting together; alpha, Rs0_nOhm,
        R_res_nOhm ≥ 0; Delta0_K, Bc_mT > 0 (per-point arrays: the bounds use the smallest);
        0 < T_ref_K < 0.567 Delta0_K; f_ref_Hz ≥ 1 kHz;
        all finite and real.  Outside: ``DomainError`` naming the argument; under
        ``jit``/``vmap`` run-time guards (on the physical arguments, and on b, ω, T0, α
        in natural units).  At runaway points the fit model's finite penalty
        (Rs/Rs0 = 1e3) replaces the physical +inf: use
        :func:`~dissipax.rf.surface_resistance_ohm` for the physics there.
    """
    B_mT, T_K, f_Hz = _check_cavity_rs(
        B_mT, T_K, f_Hz, Delta0_K, Bc_mT, reading, model, T_ref_K, f_ref_Hz
    )
    alpha = guard("alpha", alpha, ge=0.0, valid="overheating parameter of Eq. (13)")
    Rs0_nOhm = guard("Rs0_nOhm", Rs0_nOhm, ge=0.0, valid="zero-field BCS resistance in nOhm")
    R_res_nOhm = guard("R_res_nOhm", R_res_nOhm, ge=0.0, valid="residual resistance in nOhm")
    fn = _cavity_model(reading, model, float(T_ref_K), float(f_ref_Hz))
    B_mT, T_K, f_Hz = jnp.broadcast_arrays(*(jnp.asarray(v, float) for v in (B_mT, T_K, f_Hz)))
    shape = B_mT.shape  # the model vmaps over points: evaluate on 1-D, restore the shape
    x = tuple(v.reshape(-1) for v in (B_mT, T_K, f_Hz))
    return fn(x, alpha, Rs0_nOhm, R_res_nOhm, Delta0_K, Bc_mT).reshape(shape)
