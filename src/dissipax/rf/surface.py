r"""Surface resistance Rs(B_a) with self-consistent overheating, Gurevich 2014 Eqs. (13)–(15).

Natural units: ω, T, T0 in units of Δ0; the field as b = B_a/B_c = H_a/H_c.

Eq. (15), the depth integral
----------------------------
Rs = μ0²ω²λ³/(2β0) ∫_0^{β0} σ1(β) dβ, with the local pair breaking β = β0 e^{−2x/λ} at depth
x and β0 at the surface.  For the strong rf field, σ1(β) is the rf-period average of
Eq. (10) at the local amplitude β, s(t) = β cos²ωt.  Both averages act on the same
instantaneous kernel K(s) = ∫ [f(ε, s) − f(ε+ω, s)] M dε, which depends on s only (the
nonequilibrium f of Eq. (12) is a function of the instantaneous s).  Over the depth
(y = β/β0 uniform on (0, 1)) and the period (c = cos²ωt, density 1/π√(c(1 − c))) the
product u = y c has the density p(u) = (2/π)√((1 − u)/u), so

    Rs/Rs0 = ⟨σ1⟩/σ1_MB(T0),    ⟨σ1⟩ = (2/ω) ∫_0^1 p(u) K(β0 u) du,

one integral instead of two nested ones (``tests/rf_surface`` checks it against the nested
form with :func:`dissipax.rf.sigma1_rf` and against an independent SciPy implementation).
With u = sin²ψ, ψ = (π/2)τ³ the weight becomes 6τ² cos²(πτ³/2) dτ and K's s^{1/3}
behaviour at s → 0 becomes smooth; the τ integral uses Gauss–Legendre nodes.
``model="dc_biased"`` (weak rf on the dc Meissner current, Eqs. (4)–(5)) averages the
equilibrium kernel over depth only: ⟨σ1⟩ = (2/ω)∫_0^1 K_eq(β0 y) dy.

Field normalisation (the Fig. 4b pitfall)
-----------------------------------------
``reading="printed"`` (default) is the paper as printed: β0 = (H_a/2H_c)² = b²/4
(Eq. (3)) and the heating factor (H_a/H_c)² = b² in Eq. (13).  With α = 0.91, T0 = 2 K,
Δ0 = 17.5 K, f = 1.75 GHz this reading runs away thermally below B_a = 80 mT, so it cannot
give the quoted Rs(80 mT)/Rs0 ≈ 0.6, T − T0 ≈ 0.17 K.  ``reading="fig4b"`` reads the
pair-breaking normalisation as β0 = (H_a/H_c)² = b² (no factor 2, i.e. B_c of Fig. 4b taken
as 2H_c in Eq. (3) only) and keeps Eq. (13); it reproduces both quoted numbers (see
``dissipax reproduce gurevich_fig4b``).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array

from .. import units
from .._checks import DomainError, check_broadcast, check_choice, guard, is_traced
from . import _validate as _v
from . import quadrature as q
from .materials import NIOBIUM, Superconductor
from .overheating import (
    STATUS_OK,
    runaway_threshold,
    solve_temperature,
    status_message,
)
from .rf_field import energy_integral
from .usadel import S_MAX, _spectral_gap, density_terms

__all__ = [
    "MODELS",
    "READINGS",
    "FieldReading",
    "OverheatingResult",
    "rs_ratio",
    "solve_overheating",
    "surface_beta",
    "surface_resistance_ohm",
    "surface_resistance_ratio",
]

#: Default number of Gauss–Legendre nodes of the combined period–depth average.
N_DEPTH = 40


class FieldReading(NamedTuple):
    """A reading of Gurevich's field normalisation: β0 = beta × b², heating = heat × b²."""

    beta: float
    heat: float
    doc: str


READINGS: dict[str, FieldReading] = {
    "printed": FieldReading(
        0.25, 1.0, "as printed: beta0 = (Ha/2Hc)^2 (Eq. 3), heating (Ha/Hc)^2 (Eq. 13)"
    ),
    "fig4b": FieldReading(
        1.0, 1.0, "Fig. 4b: beta0 = (Ha/Hc)^2 in Eq. (15), heating (Ha/Hc)^2 (Eq. 13)"
    ),
}

#: ``"nonequilibrium"``: Eqs. (10), (12) (default); ``"equilibrium"``: Eq. (10) with
#: f = e^{-ε/T}; ``"dc_biased"``: Eqs. (4)–(5), weak rf on the dc current, depth average only.
MODELS = ("nonequilibrium", "equilibrium", "dc_biased")


def surface_beta(b, reading: str = "printed"):
    """Surface pair-breaking parameter β0 of the reduced field ``b = B_a/B_c``.

    β0 = 0.25 b² (``reading="printed"``, Eq. (3)) or b² (``"fig4b"``); see :data:`READINGS`.

    Valid for
        real finite b ≥ 0 (any size: the map itself has no upper bound; the models accept
        β0 ≤ 0.25).  Negative, NaN, inf, complex b: ``DomainError`` naming ``b`` (run-time
        guard under ``jit``/``vmap``); an unknown ``reading``: ``DomainError``.
    """
    check_choice("reading", reading, READINGS)
    b = guard("b", b, ge=0.0, valid="reduced field B_a/B_c")
    return READINGS[reading].beta * b * b


@functools.cache
def _tau_rule(n: int, model: str):
    """Nodes s/β0 and weights of the period–depth average (NumPy, built once)."""
    rule = q.gauss_legendre(n)
    tau, w = np.asarray(rule.x), np.asarray(rule.w)
    if model == "dc_biased":  # y = τ³, dy = 3τ² dτ
        return tau**3, 3.0 * tau**2 * w
    # u = sin²ψ, ψ = (π/2)τ³:  p(u) du = 6 τ² cos²(π τ³/2) dτ
    psi = 0.5 * np.pi * tau**3
    return np.sin(psi) ** 2, 6.0 * tau**2 * np.cos(psi) ** 2 * w


def _mean_sigma1(beta0, omega, T, *, model: str, n: int, n_depth: int):
    """⟨σ1⟩/σ_n over the rf period and the depth at surface pair breaking β0 (scalar)."""
    u, w = _tau_rule(n_depth, model)
    s = beta0 * jnp.asarray(u)
    neq = model == "nonequilibrium"
    vals = jax.vmap(lambda sk: energy_integral(omega, T, sk, nonequilibrium=neq, n=n))(s)
    return 2.0 / omega * jnp.sum(jnp.asarray(w) * vals)


def _sigma1_mb(omega, T, *, n: int):
    """σ1/σ_n at zero field (Mattis–Bardeen with Boltzmann factors, Eq. (10) at s = 0)."""
    return 2.0 / omega * energy_integral(omega, T, jnp.zeros_like(T), nonequilibrium=False, n=n)


def _ratio_point(b, omega, T, T0, *, reading, model, n, n_depth):
    beta0 = READINGS[reading].beta * b * b
    return _mean_sigma1(beta0, omega, T, model=model, n=n, n_depth=n_depth) / _sigma1_mb(
        omega, T0, n=n
    )


def _spectral(omega, s, T_ref, *, nonequilibrium: bool, n: int):
    """Temperature-independent part of the kernel K(s) at one instant (scalar s).

    Returns ``(wm, E, D)`` on the energy nodes such that, for any T ≤ T_ref,
    K(T) = Σ wm e^{−E/T} (1 − e^{−D/T}) — the same nodes, coherence factors M and
    state-counting integral Ψ(ε) of Eq. (12) as :func:`dissipax.rf.rf_field.energy_integral`
    at temperature T_ref (whose Boltzmann cutoff then covers every T ≤ T_ref).  Only the
    thermal factors depend on T, so the self-consistent solve re-evaluates sums of
    exponentials, not the Usadel functions.
    """
    rule = q.gauss_legendre(n)
    eps_g = _spectral_gap(s)
    grid = q.sinh_map(rule, q.smallest_scale(omega, T_ref, s), q.CUTOFF * T_ref + (1.0 - eps_g))
    n1, p1 = density_terms(grid.delta, s)
    n2, p2 = density_terms(grid.delta + omega, s)
    wm = grid.weight * (n1 * n2 + p1 * p2)
    if nonequilibrium:
        psi1, _ = q.cumulative(rule, grid, n1)
        dpsi = q.increment_at_nodes(rule, grid, psi1, omega)  # Ψ(ε+ω) − Ψ(ε)
        psi2 = psi1 + dpsi
        # ε̃ − Δ0 and ε̃(ε+ω) − ε̃(ε) without cancellation (ε̃² = 1 + Ψ²)
        x1 = psi1 * psi1 / (jnp.sqrt(1.0 + psi1 * psi1) + 1.0)
        dx = dpsi * (psi2 + psi1) / (jnp.sqrt(1.0 + psi2**2) + jnp.sqrt(1.0 + psi1**2))
        return wm, 1.0 + x1, dx
    return wm, eps_g + grid.delta, jnp.broadcast_to(omega, grid.delta.shape)


def _thermal_ratio(T, params):
    """Rs(b, T)/Rs0 from precomputed spectral data (Eq. (13)'s R(T) for the solver)."""
    wm, E, D, scale = params
    K = jnp.sum(wm * jnp.exp(-E / T) * (-jnp.expm1(-D / T)), axis=-1)
    return scale * jnp.sum(K)


def _solve_point(b, omega, T0, alpha, *, reading, model, n, n_depth, T_max_over_T0):
    u, w = _tau_rule(n_depth, model)
    beta0 = READINGS[reading].beta * b * b
    T_ref = T0 * T_max_over_T0
    neq = model == "nonequilibrium"
    wm, E, D = jax.vmap(lambda sk: _spectral(omega, sk, T_ref, nonequilibrium=neq, n=n))(
        beta0 * jnp.asarray(u)
    )
    wm = wm * jnp.asarray(w)[:, None]
    # Rs ∝ (2/ω)Σ..., Rs0 ∝ σ1_MB(T0): the ratio's prefactor 2/ω cancels
    scale = 1.0 / energy_integral(omega, T0, jnp.zeros_like(T0), nonequilibrium=False, n=n)
    k = alpha * READINGS[reading].heat * b * b
    return solve_temperature(_thermal_ratio, (wm, E, D, scale), T0, k, T_max_over_T0=T_max_over_T0)


@functools.cache
def _bind(fn, **static):
    """``functools.partial(fn, **static)``, cached so that jit sees the same callable."""
    return functools.partial(fn, **static)


@eqx.filter_jit
def _broadcast(kernel, args):
    shape = jnp.broadcast_shapes(*(a.shape for a in args))
    flat = [jnp.broadcast_to(a, shape).reshape(-1) for a in args]
    out = jax.vmap(kernel)(*flat)
    return jax.tree.map(lambda x: x.reshape(shape), out)


def _validate(b, omega, T0, reading, model):
    """Check (and guard when traced) the common arguments; return ``(b, omega, T0)``."""
    check_choice("reading", reading, READINGS)
    check_choice("model", model, MODELS)
    check_broadcast(b=b, omega=omega, T0=T0)
    factor = READINGS[reading].beta
    b = guard(
        "b",
        b,
        ge=0.0,
        le=float(np.sqrt(S_MAX / factor)),
        valid=f"reduced field B_a/B_c; reading {reading!r} maps it to beta0 = {factor:g} b^2, "
        f"and the model needs beta0 <= {S_MAX}",
    )
    omega = _v.omega(omega)
    T0 = _v.bath_temperature(T0, "T0")
    omega = _v.bound(
        "omega",
        omega,
        lambda b_: 2.0 * _v.spectral_gap_np(factor * np.asarray(b_, dtype=float) ** 2),
        lambda b_: 2.0 * _v.spectral_gap_jnp(factor * jnp.asarray(b_, dtype=float) ** 2),
        (b,),
        what=f"2*eps_g(beta0) with beta0 = {factor:g} b^2",
        valid=_v.PAIR_BREAKING_TEXT,
    )
    return b, omega, T0


def _f(x):
    return jnp.asarray(x, dtype=float)


def _check_t_max(T_max_over_T0):
    """Check the static ``T_max_over_T0 > 1`` (a Python number: a compile-time constant)."""
    if isinstance(T_max_over_T0, bool) or not isinstance(T_max_over_T0, (int, float)):
        raise DomainError(
            f"argument 'T_max_over_T0' must be a Python number > 1; got {T_max_over_T0!r}"
        )
    if not (np.isfinite(T_max_over_T0) and T_max_over_T0 > 1.0):
        raise DomainError(
            "argument 'T_max_over_T0' must be finite and > 1 (largest accepted T/T0 of the "
            f"linearised Eq. (13)); got {T_max_over_T0!r}"
        )
    return float(T_max_over_T0)


def rs_ratio(
    b,
    omega,
    T,
    T0,
    *,
    reading: str = "printed",
    model: str = "nonequilibrium",
    n: int = q.N_ENERGY,
    n_depth: int = N_DEPTH,
):
    r"""Rs(B_a, T)/Rs0 at a given quasiparticle temperature (no self-consistency), Eq. (15).

    Parameters
    ----------
    b
        Reduced field B_a/B_c.
    omega
        ħω/Δ0.
    T
        Quasiparticle temperature k_B T/Δ0 at which Rs is evaluated.
    T0
        Bath temperature k_B T0/Δ0 that defines Rs0 = Rs(B_a = 0, T0).
    reading
        Field normalisation, ``"printed"`` or ``"fig4b"`` (module docstring, :data:`READINGS`).
    model
        One of :data:`MODELS`.
    n, n_depth
        Energy nodes per instantaneous kernel and nodes of the period–depth average.

    Returns
    -------
    Array
        Rs(b, T)/Rs0, broadcast over the inputs (→ 1 as b → 0 at T = T0).

    Valid for
        0 ≤ b ≤ b_max (β0 = 0.25 b² ≤ 0.25 for ``"printed"``: b ≤ 1; β0 = b² for
        ``"fig4b"``: b ≤ 0.5), 1e-12 ≤ ω < 2ε_g(β0) (Eq. 9), 0 < T < T_c = 0.567,
        t0_min ≤ T0 < T_c (ω, T, T0 in units of Δ0; t0_min = 2.97e-3 in float64, 52 mK in Nb,
        2.4e-2 in float32: below it Rs0 ~ e^(−1/T0) underflows and Rs/Rs0 would be 0/0 — Rs_BCS
        is negligible against R_res there); ``n, n_depth ≥ 2``.  Rs(b, T) underflows to an
        exact 0 (gradient 0) below T ≈ ε_g/745.  The theory assumes τ_s⁻¹ ≪ ω ≪ T ≪ 1 (not
        checked).  Outside (or NaN, inf, complex, non-broadcasting shapes, unknown
        ``reading``/``model``): ``DomainError`` naming the argument with its units; under
        ``jit``/``vmap`` run-time guards on b, ω (including ω < 2ε_g), T, T0.
    """
    check_broadcast(b=b, omega=omega, T=T, T0=T0)
    b, omega, T0 = _validate(b, omega, T0, reading, model)
    T = _v.temperature(T, "T")
    n, n_depth = _v.nodes("n", n), _v.nodes("n_depth", n_depth)
    kernel = _bind(_ratio_point, reading=reading, model=model, n=n, n_depth=n_depth)
    return _broadcast(kernel, (_f(b), _f(omega), _f(T), _f(T0)))


class OverheatingResult(eqx.Module):
    """Rs(B_a)/Rs0 and the self-consistent temperature, with a per-point status.

    Attributes
    ----------
    rs_ratio
        Rs(B_a, T)/Rs0 (``+inf`` where the point ran away).
    T
        Quasiparticle temperature T/Δ0 (``+inf`` where the point ran away).
    status
        0 ok, 1 thermal runaway, 2 failed (see :func:`dissipax.rf.overheating.status_message`).
    b_runaway
        Threshold reduced field of the runaway (``inf`` if none below the largest b_max
        searched; ``nan`` only if it was not requested).
    """

    rs_ratio: Array
    T: Array
    status: Array
    b_runaway: float = eqx.field(static=True, default=float("nan"))

    @property
    def ok(self):
        """Where a stable self-consistent temperature exists."""
        return self.status == STATUS_OK

    @property
    def message(self) -> str:
        """One line: how many points are ok, and the runaway threshold if any ran away."""
        st = np.asarray(self.status)
        n_bad = int(np.sum(st != STATUS_OK))
        if n_bad == 0:
            return f"all {st.size} point(s): {status_message(STATUS_OK)}"
        kinds = sorted({int(v) for v in st.ravel() if v != STATUS_OK})
        text = "; ".join(status_message(k) for k in kinds)
        thr = (
            f"; runaway threshold b* = {self.b_runaway:.6g}" if np.isfinite(self.b_runaway) else ""
        )
        return f"{n_bad} of {st.size} point(s): {text}{thr}"


def solve_overheating(
    b,
    omega,
    T0,
    alpha,
    *,
    reading: str = "printed",
    model: str = "nonequilibrium",
    T_max_over_T0: float = 2.0,
    threshold: bool = True,
    n: int = q.N_ENERGY,
    n_depth: int = N_DEPTH,
) -> OverheatingResult:
    r"""Solve Eqs. (13)–(15) self-consistently: Rs(B_a)/Rs0, T(B_a) and the runaway status.

    T − T0 = α T0 (H_a/H_c)² Rs(H_a, T)/Rs0 is solved per point by Newton (optimistix) and
    differentiated implicitly (exact gradients in α, T0, ω, b).

    Parameters
    ----------
    b, omega, T0, alpha
        Reduced field B_a/B_c, ħω/Δ0, bath temperature k_B T0/Δ0, overheating parameter α
        (Eq. (14) or (42)); broadcast together.
    reading, model
        As in :func:`rs_ratio`.
    T_max_over_T0
        Largest accepted T/T0 (the linearised Eq. (13) needs T − T0 ≪ T0).
    threshold
        When some point runs away (concrete input only), find the threshold field b* for
        the first such point's (ω, T0, α) by grid refinement (≈ 5 extra vectorised solves).
    n, n_depth
        Quadrature nodes (see :func:`rs_ratio`).

    Returns
    -------
    OverheatingResult
        Per point: Rs/Rs0 and T (``+inf`` at thermal runaway, never NaN) and the status
        (:data:`~dissipax.rf.overheating.STATUS_OK`, ``STATUS_RUNAWAY``, ``STATUS_FAILED``).

    Valid for
        b, ω, T0 as in :func:`rs_ratio`; α ≥ 0 (finite, dimensionless);
        ``T_max_over_T0 > 1``; ``n, n_depth ≥ 2``.  Outside: ``DomainError`` naming the
        argument (run-time guards on b, ω, T0, α under ``jit``/``vmap``).  No stable
        temperature (runaway) is a status, not an error.
    """
    check_broadcast(b=b, omega=omega, T0=T0, alpha=alpha)
    b, omega, T0 = _validate(b, omega, T0, reading, model)
    alpha = guard("alpha", alpha, ge=0.0, valid="overheating parameter of Eq. (13)")
    T_max_over_T0 = _check_t_max(T_max_over_T0)
    threshold = _v.flag("threshold", threshold)
    n, n_depth = _v.nodes("n", n), _v.nodes("n_depth", n_depth)
    kernel = _bind(
        _solve_point,
        reading=reading,
        model=model,
        n=n,
        n_depth=n_depth,
        T_max_over_T0=float(T_max_over_T0),
    )
    sol = _broadcast(kernel, (_f(b), _f(omega), _f(T0), _f(alpha)))
    b_star = float("nan")
    traced = any(is_traced(x) for x in (b, omega, T0, alpha))
    if threshold and not traced:
        st = np.asarray(sol.status)
        bad = st != STATUS_OK
        if bad.any():
            shape = st.shape
            # unravel_index, not argwhere: argwhere of a 0-d array is empty (scalar input)
            i = np.unravel_index(int(np.argmax(bad)), shape)
            pick = [
                np.broadcast_to(np.asarray(x, dtype=float), shape)[i] for x in (omega, T0, alpha)
            ]
            b_max = float(np.sqrt(S_MAX / READINGS[reading].beta))

            def ok_fn(bs, pick=pick):
                out = _broadcast(kernel, (bs, _f(pick[0]), _f(pick[1]), _f(pick[2])))
                return out.status == STATUS_OK

            b_star = runaway_threshold(ok_fn, 0.0, b_max)
    return OverheatingResult(rs_ratio=sol.ratio, T=sol.T, status=sol.status, b_runaway=b_star)


def surface_resistance_ratio(
    b,
    omega,
    T0,
    alpha,
    *,
    reading: str = "printed",
    model: str = "nonequilibrium",
    T_max_over_T0: float = 2.0,
    n: int = q.N_ENERGY,
    n_depth: int = N_DEPTH,
):
    r"""Rs(B_a)/Rs0 and T/Δ0 with self-consistent overheating, Eqs. (10), (12)–(15).

    Parameters
    ----------
    b
        Reduced field b = B_a/B_c = H_a/H_c.
    omega
        ħω/Δ0.
    T0
        Bath temperature k_B T0/Δ0.
    alpha
        Overheating parameter α of Eq. (13) (α = 0: no heating).
    reading
        ``"printed"`` (default): β0 = b²/4 in Eq. (15) and b² in Eq. (13), as printed.
        ``"fig4b"``: β0 = b² (the normalisation that reproduces Fig. 4b's quoted
        Rs(80 mT)/Rs0 ≈ 0.6 and T − T0 ≈ 0.17 K; see the module docstring).
    model
        ``"nonequilibrium"`` (Eq. (12), default), ``"equilibrium"`` or ``"dc_biased"``.
    T_max_over_T0, n, n_depth
        See :func:`solve_overheating`.

    Returns
    -------
    (Array, Array)
        Rs/Rs0 and T/Δ0, broadcast over the inputs.  Points in thermal runaway (no stable
        solution of Eq. (13)) are ``+inf`` in both, never NaN; use
        :func:`solve_overheating` for the status and the threshold field.

    Valid for
        as :func:`solve_overheating`: 0 ≤ b ≤ b_max(reading) (β0 ≤ 0.25),
        1e-12 ≤ ω < 2ε_g(β0), t0_min ≤ T0 < T_c = 0.567 (units of Δ0; t0_min = 2.97e-3 in
        float64, see :func:`rs_ratio`), α ≥ 0; the theory assumes
        ω ≪ T0 ≪ 1.  Outside: ``DomainError`` naming the argument; under
        ``jit``/``grad``/``vmap`` run-time guards.  Runaway: ``+inf`` (status via
        :func:`solve_overheating`).
    """
    res = solve_overheating(
        b,
        omega,
        T0,
        alpha,
        reading=reading,
        model=model,
        T_max_over_T0=T_max_over_T0,
        threshold=False,
        n=n,
        n_depth=n_depth,
    )
    return res.rs_ratio, res.T


def _check_physical(B_mT, f_Hz, T0_K, material, reading):
    """Check (guard when traced) the physical front end's inputs, with their names and units.

    Returns ``(B_mT, f_Hz, T0_K)``, guarded when traced.  A traced ``material`` leaves the
    bounds to the natural-unit checks of :func:`solve_overheating`.
    """
    if not isinstance(material, Superconductor):
        raise DomainError(
            f"argument 'material' must be a Superconductor (e.g. dissipax.rf.NIOBIUM); "
            f"got {type(material).__name__}"
        )
    check_choice("reading", reading, READINGS)
    check_broadcast(B_mT=B_mT, f_Hz=f_Hz, T0_K=T0_K)
    if is_traced(material):
        return B_mT, f_Hz, T0_K
    factor = READINGS[reading].beta
    b_max = float(np.sqrt(S_MAX / factor))
    Bc_mT = material.Bc_T * 1e3
    B_mT = guard(
        "B_mT",
        B_mT,
        ge=0.0,
        le=b_max * Bc_mT,
        valid=f"peak surface field in mT; reading {reading!r} needs B/B_c <= {b_max:g}, "
        f"B <= {b_max * Bc_mT:.6g} mT for B_c = {Bc_mT:g} mT",
    )
    T_c_K = _v.T_C * material.Delta0_K
    T0_K = guard(
        "T0_K",
        T0_K,
        gt=0.0,
        lt=T_c_K,
        valid=f"bath temperature in kelvin, below T_c = 0.567 Delta0/k_B = {T_c_K:.4g} K",
    )
    hz_per_kelvin = float(units.kelvin_to_hz(1.0))
    f_gap = 2.0 * material.Delta0_K * hz_per_kelvin
    f_Hz = guard(
        "f_Hz",
        f_Hz,
        ge=_v.F_MIN_HZ,
        lt=f_gap,
        valid=f"{_v.F_HZ_UNITS}; below 2 Delta0/h = {f_gap:.4g} Hz",
    )
    scale = material.Delta0_K * hz_per_kelvin

    def lim_np(B):
        return 2.0 * scale * _v.spectral_gap_np(factor * (np.asarray(B, float) / Bc_mT) ** 2)

    def lim_jnp(B):
        return 2.0 * scale * _v.spectral_gap_jnp(factor * (jnp.asarray(B, float) / Bc_mT) ** 2)

    f_Hz = _v.bound(
        "f_Hz",
        f_Hz,
        lim_np,
        lim_jnp,
        (B_mT,),
        what="2*eps_g(beta0)*Delta0/h",
        valid="pair-breaking absorption is not in Eq. (10)",
    )
    return B_mT, f_Hz, T0_K


def surface_resistance_ohm(
    B_mT,
    f_Hz,
    T0_K,
    alpha,
    material: Superconductor = NIOBIUM,
    *,
    R_res_ohm=0.0,
    Rs0_ohm=None,
    reading: str = "printed",
    model: str = "nonequilibrium",
    n: int = q.N_ENERGY,
    n_depth: int = N_DEPTH,
):
    r"""Physical front end: Rs [Ω] and T [K] versus B_a [mT] with overheating.

    Rs = Rs0 × Rs(B_a)/Rs0 + R_res, with Rs0 the zero-field BCS value of Eq. (15),
    Rs0 = (μ0²ω²λ³σ_n/2) σ1_MB(T0)/σ_n from the material, unless ``Rs0_ohm`` is given.

    Parameters
    ----------
    B_mT, f_Hz, T0_K, alpha
        Peak surface field [mT], frequency [Hz], bath temperature [K], α; broadcast.
    material
        A :class:`~dissipax.rf.materials.Superconductor` (Δ0, B_c, λ, σ_n).
    R_res_ohm
        Field-independent residual resistance [Ω] added to the BCS part.
    Rs0_ohm
        Zero-field BCS resistance [Ω]; ``None`` computes it from the material.
    reading, model, n, n_depth
        See :func:`surface_resistance_ratio`.

    Returns
    -------
    (Array, Array)
        Rs [Ω] and the quasiparticle temperature [K] (``+inf`` at runaway points).

    Valid for
        0 ≤ B_mT ≤ b_max(reading)·B_c (β0 ≤ 0.25: 200 mT ``"printed"``, 100 mT ``"fig4b"``
        for Nb), 1 kHz ≤ f_Hz < 2ε_g(β0)Δ0/h (Hz, not GHz), t0_min·Δ0/k_B ≤ T0_K < 0.567 Δ0/k_B
        (kelvin; t0_min = 2.97e-3 in float64, 52 mK in Nb: see :func:`rs_ratio`),
        α ≥ 0, R_res_ohm ≥ 0, Rs0_ohm ≥ 0 or None, ``material`` a
        :class:`~dissipax.rf.materials.Superconductor`.  Outside: ``DomainError`` naming the
        physical argument and its unit (under ``jit``/``vmap``: run-time guards).  The
        theory assumes ħω ≪ k_B T0 ≪ Δ0.
    """
    B_mT, f_Hz, T0_K = _check_physical(B_mT, f_Hz, T0_K, material, reading)
    alpha = guard("alpha", alpha, ge=0.0, valid="overheating parameter of Eq. (13)")
    R_res_ohm = guard("R_res_ohm", R_res_ohm, ge=0.0, valid="residual resistance in ohm")
    if Rs0_ohm is not None:
        Rs0_ohm = guard("Rs0_ohm", Rs0_ohm, ge=0.0, valid="zero-field BCS resistance in ohm")
    omega = material.omega(f_Hz)
    T0 = material.temperature(T0_K)
    b = material.field(B_mT)
    ratio, T = surface_resistance_ratio(
        b, omega, T0, alpha, reading=reading, model=model, n=n, n_depth=n_depth
    )
    if Rs0_ohm is None:
        Rs0_ohm = material.rs_prefactor_ohm(f_Hz) * _broadcast(
            _bind(_sigma1_mb, n=n), (_f(omega), _f(T0))
        )
    return Rs0_ohm * ratio + R_res_ohm, units.gap_units_to_temperature(T, material.Delta0_K)
