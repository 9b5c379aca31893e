"""Quasiparticle overheating: self-consistent temperature, Gurevich 2014 Eqs. (13)–(14), (42).

The stationary power balance, linearised in T − T0 ≪ T0, gives Eq. (13),

    T − T0 = α T0 (H_a/H_c)² Rs(H_a, T)/Rs0,        Rs0 = Rs(H_a = 0, T0),

with the overheating parameter α of Eq. (14) (heat transfer through the quasiparticle–phonon
coupling Y, the wall d/κ and the Kapitza conductance h_K) or, for electron overheating
limited by recombination, the estimate Eq. (42) (:func:`overheating_alpha`).

This module is generic: :func:`solve_temperature` solves Eq. (13) for any ratio function
``R(T) = Rs(H_a, T)/Rs0`` (the physics lives in :mod:`dissipax.rf.surface`).  The root is
found with :func:`optimistix.root_find` (Newton) and differentiated implicitly (one
differentiable Newton step at the root, see :func:`solve_temperature`), so gradients with
respect to α, T0, ω and the field are exact and cost one residual evaluation, not an
unrolled iteration.

Thermal runaway
---------------
Written in y = (T − T0)/T0 ≥ 0, Eq. (13) reads g(y) = y − k R(T0(1 + y)) = 0 with
k = α (H_a/H_c)².  R grows like e^{−Δ/T}, so g is concave: it has either two roots (a
stable lower one, g' > 0, and an unstable upper one) or none.  Above a threshold field the
two roots merge (a saddle–node) and no stationary temperature exists: the thermal runaway.
The solver starts at T0, where Newton's iterates on a concave function increase
monotonically to the lower root, and reports:

``STATUS_OK``
    converged to the stable root with T ≤ T_max;
``STATUS_RUNAWAY``
    no stable root with T ≤ T_max (Newton converged to the linear continuation above
    T_max, ended on the unstable side g' ≤ 0, or ran out of steps): T and Rs are set to
    ``+inf`` (never NaN) and the threshold field is found by :func:`runaway_threshold`;
``STATUS_FAILED``
    the ratio function returned non-finite values (outputs set to ``+inf``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optimistix as optx
from jaxtyping import Array

from .. import units
from .._checks import DomainError, check_broadcast, check_choice, check_result, guard, is_traced
from . import _validate as _v

__all__ = [
    "STATUS_FAILED",
    "STATUS_OK",
    "STATUS_RUNAWAY",
    "TemperatureSolution",
    "overheating_alpha",
    "runaway_threshold",
    "solve_temperature",
    "status_message",
]

STATUS_OK = 0
STATUS_RUNAWAY = 1
STATUS_FAILED = 2

_MESSAGES = {
    STATUS_OK: "converged to the stable self-consistent temperature",
    STATUS_RUNAWAY: "thermal runaway: Eq. (13) has no stable solution with T <= T_max "
    "(lower the field or alpha; see the threshold field)",
    STATUS_FAILED: "the surface-resistance ratio returned non-finite values",
}


def status_message(status: int) -> str:
    """Human-readable meaning of a status code of :func:`solve_temperature`.

    Valid for
        ``STATUS_OK`` (0), ``STATUS_RUNAWAY`` (1), ``STATUS_FAILED`` (2), as Python or
        NumPy integers or 0-d arrays; anything else raises ``DomainError``.
    """
    try:
        code = int(status)
    except (TypeError, ValueError):
        code = None
    if code is None or np.ndim(status) != 0 or code != status:
        raise DomainError(
            f"argument 'status' must be one of {sorted(_MESSAGES)} (a scalar status code); "
            f"got {status!r}"
        )
    check_choice("status", code, _MESSAGES)
    return _MESSAGES[code]


def overheating_alpha(T0_K, tau1_s, f_Hz, Delta0_K, Tc_K):
    r"""Overheating parameter α from electron–phonon recombination, Gurevich 2014 Eq. (42).

    .. math::

        \alpha = \frac{k T_0 \tau_1}{24\hbar}\left(\frac{\hbar\omega}{k T_0}\right)^2
                 \left(\frac{\pi k T_c}{2\Delta_0}\right)^{1/2} e^{\Delta_0/kT_0}
                 \ln\frac{9 k T_0}{4\hbar\omega},\qquad \omega = 2\pi f.

    Parameters
    ----------
    T0_K
        Bath temperature T0 [K].
    tau1_s
        Material constant τ1 of the recombination time τ_r = τ1 (Tc/T)^{1/2} e^{Δ/T},
        Eq. (11) [s] (≈ 3e-12 s for Nb, Kaplan et al. 1976).
    f_Hz
        rf frequency f [Hz].
    Delta0_K
        Gap Δ0/k_B [K].
    Tc_K
        Critical temperature [K].

    Returns
    -------
    Array
        α (dimensionless), broadcast over the inputs.

    Notes
    -----
    With the paper's inputs (T0 = 2 K, τ1 = 3 ps, f = 1.75 GHz, Δ0 = 17.5 K, Tc = 9.2 K)
    this gives α = 1.318 ≈ 1.32, as quoted after Eq. (42).

    Valid for
        T0_K, tau1_s, Delta0_K, Tc_K > 0 and finite (K, s, K, K), T0_K < Tc_K, and
        1 kHz ≤ f_Hz < 9 k_B T0/(8π ħ) (the logarithm must be positive: ≈ 94 GHz at 2 K;
        f in Hz, not GHz: a value below 1 kHz is taken for a unit mistake).  The estimate
        assumes ħω ≪ k_B T0 ≪ Δ0.  Outside: ``DomainError`` naming the argument (run-time
        guards under ``jit``/``vmap``, including T0_K < Tc_K and the logarithm).  α grows
        like e^{Δ0/T0}: a concrete result beyond the float range (Δ0/T0 ≳ 709 in float64,
        ≳ 88 in float32) raises
        ``DomainError`` ("result 'alpha' overflows") instead of returning inf.
    """
    check_broadcast(T0_K=T0_K, tau1_s=tau1_s, f_Hz=f_Hz, Delta0_K=Delta0_K, Tc_K=Tc_K)
    T0_K = guard("T0_K", T0_K, gt=0.0, valid="bath temperature in K")
    tau1_s = guard("tau1_s", tau1_s, gt=0.0, valid="recombination time constant in s")
    f_Hz = guard("f_Hz", f_Hz, ge=_v.F_MIN_HZ, valid=_v.F_HZ_UNITS)
    Delta0_K = guard("Delta0_K", Delta0_K, gt=0.0, valid="gap Delta0/k_B in K")
    Tc_K = guard("Tc_K", Tc_K, gt=0.0, valid="critical temperature in K")
    T0_K = _v.bound(
        "T0_K",
        T0_K,
        lambda tc: np.asarray(tc, dtype=float),
        lambda tc: jnp.asarray(tc, dtype=float),
        (Tc_K,),
        what="Tc_K",
        valid="the bath must be below the critical temperature",
    )
    f_max_per_K = 9.0 / 4.0 * float(units.kelvin_to_hz(1.0))  # ln(9kT0/4ħω) > 0
    f_Hz = _v.bound(
        "f_Hz",
        f_Hz,
        lambda t: f_max_per_K * np.asarray(t, dtype=float),
        lambda t: f_max_per_K * jnp.asarray(t, dtype=float),
        (T0_K,),
        what=f"9 k_B T0/(8 pi hbar) = {f_max_per_K / 1e9:.3g} GHz per kelvin of T0_K",
        valid="Eq. (42) needs ln(9kT0/4ħω) > 0, i.e. ħω ≪ kT0; f_Hz is in Hz",
    )
    hw_over_kT = units.hz_to_kelvin(f_Hz) / T0_K  # ħω/kT0
    log_arg = 9.0 / (4.0 * hw_over_kT)
    kT0_tau1_over_hbar = units.kelvin_to_joule(T0_K) * tau1_s / units.hbar
    alpha = (
        kT0_tau1_over_hbar
        / 24.0
        * hw_over_kT**2
        * jnp.sqrt(math.pi * Tc_K / (2.0 * Delta0_K))
        * jnp.exp(Delta0_K / T0_K)
        * jnp.log(log_arg)
    )
    limit = math.log(float(jnp.finfo(jnp.result_type(alpha)).max))  # 709.8 (f64), 88.7 (f32)
    return check_result(
        "alpha",
        alpha,
        hint=f"e^(Delta0/T0) overflows: Delta0_K/T0_K must stay below ~{limit:.0f} "
        "in this precision",
    )


class TemperatureSolution(eqx.Module):
    """Result of the self-consistent temperature solve, Eq. (13).

    Attributes
    ----------
    T
        Self-consistent quasiparticle temperature (same units as T0); ``+inf`` where
        ``status != STATUS_OK``.
    ratio
        R(T) = Rs(H_a, T)/Rs0 at that temperature; ``+inf`` where ``status != STATUS_OK``.
    status
        ``STATUS_OK`` (0), ``STATUS_RUNAWAY`` (1) or ``STATUS_FAILED`` (2), per point.
    steps
        Newton steps taken.
    """

    T: Array
    ratio: Array
    status: Array
    steps: Array

    @property
    def ok(self) -> Array:
        """Where a stable self-consistent temperature was found."""
        return self.status == STATUS_OK

    @property
    def runaway(self) -> Array:
        """Where Eq. (13) has no stable solution (thermal runaway)."""
        return self.status == STATUS_RUNAWAY


def _residual(ratio_fn, y, args):
    params, T0, k, y_max = args
    y_c = jnp.clip(y, 0.0, y_max)
    return y - k * ratio_fn(T0 * (1.0 + y_c), params)


def solve_temperature(
    ratio_fn: Callable,
    params,
    T0,
    k,
    *,
    T_max_over_T0: float = 2.0,
    rtol: float = 1e-12,
    atol: float = 1e-13,
    max_steps: int = 64,
    n_fixed_point: int = 2,
) -> TemperatureSolution:
    r"""Solve Eq. (13), T − T0 = k T0 R(T), for ONE point, differentiably.

    Parameters
    ----------
    ratio_fn
        ``ratio_fn(T, params) -> R``: the surface-resistance ratio Rs(H_a, T)/Rs0 at
        quasiparticle temperature ``T`` (scalar in, scalar out, increasing in T).
    params
        PyTree of arrays passed to ``ratio_fn`` (gradients flow to it implicitly).
    T0
        Bath temperature (scalar, > 0).
    k
        Heating strength k = α (H_a/H_c)² (scalar, ≥ 0).
    T_max_over_T0
        Largest accepted T/T0; above it the linearised Eq. (13) is meaningless and the
        point is reported as thermal runaway.
    rtol, atol
        Newton tolerances on y = (T − T0)/T0.
    max_steps
        Newton step limit.
    n_fixed_point
        Monotone fixed-point steps y ← k R(T0(1 + y)) from y = 0 that warm-start Newton
        (kept below the stable root; their result is not differentiated).

    Returns
    -------
    TemperatureSolution
        Scalar fields for the one point (vmap for many).

    Notes
    -----
    Unknown y = (T − T0)/T0, residual g(y) = y − k R(T0(1 + clip(y, 0, y_max))).  The clip
    makes g linear beyond y_max = T_max/T0 − 1 so that a runaway iterate converges to a
    finite point above y_max instead of overflowing.  Gradients come from the implicit
    function theorem at the converged root, dy/dθ = k ∂_θR / (1 − k ∂_yR), written as one
    Newton step y* − g(y*; θ)/g'(y*) with differentiable θ (the solver itself runs on
    stopped inputs).  This needs no linear solve, unlike optimistix's ``ImplicitAdjoint``,
    whose solve raises inside ``jax.linearize`` at a runaway or placeholder point (it made
    ``fit_alpha(vary_T0=True)`` raise); at runaway points the outputs are masked with a
    double ``where`` so that their (zero) cotangents stay finite.

    Valid for
        scalar T0 > 0 and k ≥ 0 (finite, same units as ``ratio_fn``'s T); R increasing and
        convex in T (true for Rs_BCS at T ≪ Δ0); ``T_max_over_T0 > 1``; ``rtol, atol > 0``;
        ``max_steps ≥ 1``, ``n_fixed_point ≥ 0``.  Outside: ``DomainError`` naming the
        argument on concrete input; under ``jit``/``vmap`` run-time guards on T0 and k.
        No stable root is a status (``STATUS_RUNAWAY``, T = +inf), never an error or NaN.
    """
    if not callable(ratio_fn):
        raise DomainError(
            f"argument 'ratio_fn' must be callable as ratio_fn(T, params); got "
            f"{type(ratio_fn).__name__}"
        )
    T0 = guard("T0", T0, gt=0.0, valid="bath temperature, > 0")
    k = guard("k", k, ge=0.0, valid="heating strength k = alpha (H_a/H_c)^2, >= 0")
    if not (is_traced(T0) or is_traced(k)) and (np.ndim(T0) or np.ndim(k)):
        raise DomainError(
            "solve_temperature solves ONE point: 'T0' and 'k' must be scalars (vmap for many); "
            f"got shapes {np.shape(T0)} and {np.shape(k)}"
        )
    for name, value in (("T_max_over_T0", T_max_over_T0), ("rtol", rtol), ("atol", atol)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise DomainError(f"argument '{name}' must be a Python number; got {value!r}")
    if not (math.isfinite(T_max_over_T0) and T_max_over_T0 > 1.0):
        raise DomainError(f"argument 'T_max_over_T0' must be finite and > 1; got {T_max_over_T0!r}")
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not (math.isfinite(value) and value > 0.0):
            raise DomainError(f"argument '{name}' must be finite and > 0; got {value!r}")
    max_steps = _v.nodes("max_steps", max_steps, minimum=1)
    n_fixed_point = _v.nodes("n_fixed_point", n_fixed_point, minimum=0)
    T0 = jnp.asarray(T0)
    k = jnp.asarray(k)
    dtype = jnp.result_type(T0, k, float)
    T0 = T0.astype(dtype)
    k = k.astype(dtype)
    y_max = jnp.asarray(T_max_over_T0 - 1.0, dtype)
    args = (params, T0, k, y_max)
    residual = functools.partial(_residual, ratio_fn)

    def warm(y, _):
        y = jnp.clip(k * ratio_fn(T0 * (1.0 + y), params), 0.0, y_max)
        return jnp.where(jnp.isfinite(y), y, 0.0), None

    y0, _ = jax.lax.scan(warm, jnp.zeros((), dtype), None, length=n_fixed_point)
    y0 = jax.lax.stop_gradient(y0)
    # float32 (DISSIPAX_X64=0): tolerances below the dtype's resolution are unreachable
    tiny = 16.0 * float(jnp.finfo(dtype).eps)
    solver = optx.Newton(rtol=max(rtol, tiny), atol=max(atol, tiny))
    # The root is found on stopped inputs (no adjoint through the solver); its derivative
    # comes from the implicit-function step below, only where the root is stable.
    args_stop = jax.tree.map(jax.lax.stop_gradient, args)
    sol = optx.root_find(
        residual,
        solver,
        y0,
        args=args_stop,
        max_steps=max_steps,
        throw=False,
        options={"lower": jnp.zeros((), dtype)},
    )
    y_stop = sol.value
    converged = sol.result == optx.RESULTS.successful
    # Stability of the root: g'(y) = 1 − k ∂_y R > 0 on the lower branch.
    gprime = jax.grad(lambda yy: residual(yy, args_stop))(y_stop)
    finite = jnp.isfinite(y_stop) & jnp.isfinite(gprime)
    ok = converged & finite & (y_stop <= y_max) & (gprime > 0.0)
    status = jnp.where(ok, STATUS_OK, jnp.where(finite, STATUS_RUNAWAY, STATUS_FAILED))
    # Implicit function theorem as one Newton step with differentiable inputs:
    # y = y* − g(y*; θ)/g'(y*) has the root's value (g(y*) = 0 to the tolerance) and
    # dy/dθ = −∂_θ g / g' = k ∂_θR / (1 − k ∂_yR).  No linear solve is involved, so a
    # runaway point (masked below) cannot raise inside jvp/vjp, and its cotangents stay 0.
    y_root = jnp.where(ok, y_stop, 0.0)
    gprime_safe = jnp.where(ok, gprime, 1.0)
    y_safe = jnp.where(ok, y_root - residual(y_root, args) / gprime_safe, 0.0)
    T_safe = T0 * (1.0 + y_safe)
    ratio_safe = ratio_fn(T_safe, params)
    inf = jnp.asarray(jnp.inf, dtype)
    return TemperatureSolution(
        T=jnp.where(ok, T_safe, inf),
        ratio=jnp.where(ok, ratio_safe, inf),
        status=status.astype(jnp.int32),
        steps=jnp.asarray(sol.stats["num_steps"], jnp.int32),
    )


def runaway_threshold(
    ok_fn: Callable,
    b_lo: float,
    b_hi: float,
    *,
    n_grid: int = 16,
    n_rounds: int = 5,
) -> float:
    """Threshold field of the thermal runaway, by nested grid refinement.

    Parameters
    ----------
    ok_fn
        ``ok_fn(b) -> bool array``: whether a stable temperature exists at each reduced
        field of the 1-D array ``b`` (one vectorised, compiled call per round).
    b_lo, b_hi
        Search interval; ``ok_fn`` is assumed true at ``b_lo``.
    n_grid
        Fields per round.
    n_rounds
        Rounds; the threshold is bracketed to (b_hi − b_lo)/(n_grid − 1)^n_rounds.

    Returns
    -------
    float
        The largest field found with a stable solution (the threshold within the
        bracket width), or ``inf`` when every field up to ``b_hi`` is stable.

    Notes
    -----
    Runaway is assumed monotone in the field (heating k = α b² and Rs grow with b): the
    first failing grid point brackets the threshold.

    Valid for
        finite real scalars 0 ≤ b_lo < b_hi, ``n_grid ≥ 3``, ``n_rounds ≥ 1``, a callable
        ``ok_fn``; concrete values only (a Python loop, not traceable).  Outside:
        ``DomainError`` naming the argument.
    """
    if not callable(ok_fn):
        raise DomainError(f"argument 'ok_fn' must be callable; got {type(ok_fn).__name__}")
    for name, value in (("b_lo", b_lo), ("b_hi", b_hi)):
        if is_traced(value) or np.ndim(value) != 0:
            raise DomainError(f"argument '{name}' must be a concrete scalar; got {value!r}")
    b_lo = guard("b_lo", b_lo, ge=0.0, valid="lower end of the field search, B_a/B_c")
    b_hi = guard("b_hi", b_hi, gt=float(b_lo), valid="upper end of the field search, > b_lo")
    n_grid = _v.nodes("n_grid", n_grid, minimum=3)
    n_rounds = _v.nodes("n_rounds", n_rounds, minimum=1)
    lo, hi = float(b_lo), float(b_hi)
    for round_ in range(n_rounds):
        grid = np.linspace(lo, hi, n_grid)
        ok = np.asarray(ok_fn(jnp.asarray(grid)), dtype=bool)
        if ok.all():
            # Only possible in the first round (later rounds end on a failing point).
            return math.inf if round_ == 0 else float(hi)
        first_bad = int(np.argmin(ok))
        if first_bad == 0:
            return float(lo)
        lo, hi = float(grid[first_bad - 1]), float(grid[first_bad])
    return lo
