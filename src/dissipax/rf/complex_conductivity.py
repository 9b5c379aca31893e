r"""Complex Mattis-Bardeen :math:`\sigma/\sigma_n = \sigma_1 + i\sigma_2` with a gap Δ(T).

Units as in :mod:`dissipax.rf`: :math:`\hbar\omega`, :math:`k_BT`, :math:`\Delta` and the Dynes
parameter :math:`\Gamma` in units of the zero-temperature gap :math:`\Delta_0`
(:math:`\hbar = k_B = 1`); :math:`T_c = e^\gamma/\pi \approx 0.567` in weak coupling
(:data:`T_C`; pass ``Tc = 1/alpha`` for a strong-coupling ratio :math:`\alpha =
\Delta_0/k_BT_c`).  The gap is :math:`\Delta(T) = \Delta_0\,` :func:`~dissipax.rf.bcs_gap`
:math:`(T/T_c)`.

Convention: time dependence :math:`e^{-i\omega t}` (as :mod:`dissipax.vortex`), so the
inductive superfluid response has :math:`\sigma_2 > 0` (:math:`\sigma \to
i\pi\Delta\tanh(\Delta/2T)/\omega` as :math:`\omega \to 0`).

:math:`\Gamma = 0`: Mattis & Bardeen, Phys. Rev. 111, 412 (1958); Tinkham, *Introduction to
Superconductivity*, 2nd ed., Eqs. (3.125a, b),

.. math::
   \sigma_1 &= \frac{2}{\omega}\int_\Delta^\infty [f(E) - f(E+\omega)]\,
   \frac{E(E+\omega) + \Delta^2}{\sqrt{E^2-\Delta^2}\sqrt{(E+\omega)^2-\Delta^2}}\,dE
   + \frac{1}{\omega}\int_\Delta^{\omega-\Delta} [1 - f(E) - f(\omega-E)]\,
   \frac{E(\omega-E) - \Delta^2}{\sqrt{E^2-\Delta^2}\sqrt{(\omega-E)^2-\Delta^2}}\,dE,\\
   \sigma_2 &= \frac{1}{\omega}\int_{\max(\Delta-\omega,\,-\Delta)}^{\Delta}
   \tanh\frac{E+\omega}{2T}\,\frac{E^2 + \Delta^2 + \omega E}
   {\sqrt{\Delta^2-E^2}\sqrt{(E+\omega)^2-\Delta^2}}\,dE,

the second (pair-breaking) term of :math:`\sigma_1` present for :math:`\omega > 2\Delta`
(written in its symmetric form, equal to Tinkham's :math:`[1 - 2f(E+\omega)]` form).

Quadrature (``Gamma = 0``): one set of nodes for every point of a call, chosen from the
requested tolerance and the call's worst point (:func:`mb_node_counts`), so that the
per-node work is one square root and one division (plus one ``tanh`` in the finite
integrals):

* the thermal term in :math:`y = (E - \Delta)/T` on the trapezoidal
  :func:`~dissipax.rf.quadrature.boltzmann_rule` (:math:`y = \kappa\sinh^2 t`; the Boltzmann
  factors :math:`e^{-y}` of its nodes are computed once per call;
  :func:`~dissipax.rf.mattis_bardeen.thermal_integral`, shared with
  :func:`~dissipax.rf.sigma1_mattis_bardeen`);
* :math:`\sigma_2` and the pair-breaking term between their two square-root edges in
  :math:`E = a + L\sin^2\phi` (both edges removed exactly), the half next to a third edge
  (the log singularity of :math:`\omega \to 2\Delta`) graded by :math:`\phi =
  \phi_g\sinh\tau` (:func:`~dissipax.rf.quadrature.edge_rule`); the pair-breaking
  integrand is symmetric about :math:`E = \omega/2` (one half).

The gap :math:`\Delta(T)` of a concrete call comes from the host interpolant
:func:`~dissipax.rf.gap.gap_host` at each distinct ``T/Tc`` (traced:
:func:`~dissipax.rf.gap.gap_array`).

:math:`\Gamma > 0`: see :mod:`dissipax.rf.dynes`.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, check_broadcast, guard, is_traced
from . import _validate as _v
from . import quadrature as q
from ._batch import bind, broadcast_apply, broadcast_apply_shared
from .gap import T_REDUCED_MAX, gap_array, gap_host
from .mattis_bardeen import thermal_integral

__all__ = [
    "OMEGA_MAX",
    "SPAN_TRACED",
    "T_C",
    "TOL_SIGMA",
    "map_span",
    "map_spans",
    "mb_node_counts",
    "node_count",
    "sigma_mattis_bardeen",
]

#: Weak-coupling critical temperature in units of Delta0 (e^gamma/pi).
T_C = _v.T_C
#: Default relative tolerance of the conductivity integrals.
TOL_SIGMA = 1e-10
#: Largest photon energy hbar*omega/Delta0 accepted (beyond it a value is almost surely a
#: frequency in Hz or rad/s passed as omega).
OMEGA_MAX = 1e4
#: Largest ratio delta_max / c of a sinh map used by these integrals (map scales are floored
#: at delta_max / _SPAN_MAX).
_SPAN_MAX = 1e12
#: Span assumed for the node count when the inputs are traced (unknown at trace time):
#: covers omega/T >= 4e-7 and Gamma/T >= 4e-7 at the requested tolerance.
SPAN_TRACED = 1e8


def node_count(tol: float, span: float = SPAN_TRACED, *, far_end: bool = False) -> int:
    r"""Gauss-Legendre nodes of one map for relative accuracy ``tol`` (static).

    Each piece is integrated in :math:`t \in [0, t_{max}]`, :math:`t_{max} =
    \operatorname{asinh}\sqrt{\delta_{max}/c}` with ``span`` :math:`= \delta_{max}/c` (the
    largest over the inputs).  The mapped integrands are analytic in a strip around the
    real axis (square roots at :math:`\delta = -c'`, :math:`c' \ge c`, lie at
    :math:`\operatorname{Im} t = \pi/2`; Fermi poles at :math:`\operatorname{Im} t \gtrsim
    \pi/4`); the count takes the nearest singularity at distance :math:`\pi/3` from the
    middle of the interval (:func:`dissipax.rf.quadrature.nodes_for_tolerance`), the rate
    measured on the worst case of the convergence study (:math:`t = 0.99999`,
    :math:`\omega = 10^{-5}`: 7e-8 at 40 nodes, 1.3e-9 at 48, <1e-11 at 64).  With
    ``far_end`` (a half-interval between two square-root edges: pair breaking,
    :math:`\sigma_2`) the other edge at :math:`\delta = 2\delta_{max}`, on the real axis
    beyond :math:`t_{max}`, is also taken into account (the larger count wins).  Rounded up
    to a multiple of 8 (few distinct compiled shapes).

    Valid for
        a Python float ``tol`` (clipped to ``[1e-15, 0.1]``) and ``span >= 1``.
    """
    span = min(max(float(span), 1.0), _SPAN_MAX)
    t_max = math.asinh(math.sqrt(span))
    n = q.nodes_for_tolerance(tol, complex(0.0, (math.pi / 3.0) / (t_max / 2.0)))
    if far_end:
        t_edge = math.asinh(math.sqrt(2.0 * span))
        n = max(n, q.nodes_for_tolerance(tol, complex(1.0 + (t_edge - t_max) / (t_max / 2.0))))
    return 8 * math.ceil(n / 8)


def map_spans(omega, T, D, Gamma, tol: float = TOL_SIGMA) -> dict[str, float]:
    """Largest ``delta_max / c`` of each kind of map at concrete inputs (NumPy; Delta0 units).

    ``thermal``: ``CUTOFF*T / min(omega, 2D, T)``; ``pair_breaking``: ``ell / min(ell, 2D)``
    with ``ell = (omega - 2D)/2`` (0 when no point has ``omega > 2D``); ``sigma2``: the lower
    piece ``min(ell'/|omega - 2D|, 1/tol)``, ``ell' = min(omega, 2D)/2`` (the structure on the
    scale ``|omega - 2D|`` weighs ``O(g ln g)``: below ``tol * ell'`` it is negligible);
    ``dynes`` (``Gamma > 0``): ``(CUTOFF*T + 4(omega + D)) / min(T, Gamma, omega, 2D)``.  Each
    rounded up to a power of 10.

    Valid for
        concrete arrays that broadcast; internal.
    """
    w, t, d, g = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (omega, T, D, Gamma)))
    t = np.maximum(t, q.T_FLOOR)
    sc = d > 0
    d = np.where(sc, d, 1.0)
    ell = 0.5 * (w - 2 * d)
    ell2 = 0.5 * np.minimum(w, 2 * d)
    gap = np.abs(w - 2 * d)
    scale = np.minimum(np.minimum(t, np.where(g > 0, g, np.inf)), np.minimum(w, 2 * d))
    with np.errstate(divide="ignore", invalid="ignore"):
        spans = {
            "thermal": q.CUTOFF * t / np.minimum(np.minimum(w, 2 * d), t),
            "pair_breaking": np.where(ell > 0, ell / np.minimum(np.abs(ell), 2 * d), 0.0),
            "sigma2": np.minimum(ell2 / np.minimum(gap, ell2), 1.0 / tol),
            "dynes": np.where(g > 0, (q.CUTOFF * t + 4 * (w + d)) / scale, 1.0),
        }
    out = {}
    for key, v in spans.items():
        top = float(np.max(np.where(sc, v, 0.0))) if v.size else 0.0
        out[key] = (
            0.0 if top <= 0 else float(10.0 ** math.ceil(math.log10(min(max(top, 1.0), _SPAN_MAX))))
        )
    return out


def map_span(omega, T, D, Gamma, tol: float = TOL_SIGMA) -> float:
    """Largest span of :func:`map_spans` over all kinds of map (>= 1).

    Valid for
        concrete arrays that broadcast; internal.
    """
    return max(1.0, *map_spans(omega, T, D, Gamma, tol).values())


def _scale(*scales):
    c = functools.reduce(jnp.minimum, scales)
    return jax.lax.stop_gradient(jnp.maximum(c, scales[0] / _SPAN_MAX))


def _tanh_half(e, T):
    return jnp.tanh(e / (2.0 * T))


class _Rules(NamedTuple):
    """Quadrature rules shared by every point of one call (:func:`_prepare`)."""

    thermal: q.BoltzmannRule
    sigma2_low: q.EdgeRule
    sigma2_high: q.EdgeRule
    pair: q.EdgeRule | None


def _map_extremes(omega, T, D, xp):
    """Extremes of the map ratios over the superconducting points (``D > 0``) of one call.

    ``xp``: numpy on the host (the static node counts), jnp in-graph (traced calls); one
    formula for both, so that the two choose the same rules from the same points.

    * ``span``: the widest thermal span
      (:func:`~dissipax.rf.mattis_bardeen.thermal_span`, ``CUTOFF*T/min(omega, 2D, T)``,
      at least 1); ``CUTOFF`` multiplies the largest ratio (rounding is monotone: the same
      float as the largest product);
    * ``r2``: the smallest third-edge ratio ``g/L`` of sigma2 (``g = |omega - 2D|``,
      ``L = min(omega, 2D)``);
    * ``rp``: the smallest ratio ``g/L`` of the pair-breaking term (``g = 2D``,
      ``L = omega - 2D``, over the points with ``omega > 2D``; ``inf`` if none);
    * ``pair``: whether any point has ``omega > 2D``.

    No superconducting point: ``span = 1``, ``r2 = rp = inf``, ``pair`` false.

    Valid for
        ``omega > 0``, ``T > 0`` (clamped by the caller), arrays that broadcast; internal.
    """
    sc = D > 0.0
    d2 = 2.0 * xp.where(sc, D, 1.0)
    low = xp.minimum(omega, d2)
    gap = omega - d2
    ratio = xp.max(xp.where(sc, T / xp.minimum(low, T), 0.0), initial=0.0)
    span = xp.maximum(q.CUTOFF * ratio, 1.0)
    r2 = xp.min(xp.where(sc, xp.abs(gap) / low, xp.inf), initial=xp.inf)
    on = sc & (gap > 0.0)
    rp = xp.min(xp.where(on, d2 / xp.where(on, gap, 1.0), xp.inf), initial=xp.inf)
    return span, r2, rp, xp.any(on)


def _grading(ratio, tol, xp):
    r"""Grading :math:`\phi_g = \operatorname{asinh}\sqrt{\max(g/L, tol)}` (<= ``PHI_MAX``).

    ``g/L`` is floored at ``tol``: the structure on a scale below ``tol * L`` weighs less than
    ``tol`` (the numerators vanish there).
    """
    return xp.minimum(xp.arcsinh(xp.sqrt(xp.maximum(ratio, tol))), q.PHI_MAX)


def _prepare(omega, T, D, *, n_thermal, m_sigma2, m_high, m_pair, tol, span_max):
    """Rules for one call: the widest thermal span and the finest gradings over its points."""
    span, r2, rp, _ = _map_extremes(omega, q.clamp_temperature(T), D, jnp)
    span = jnp.minimum(span, span_max)
    phi2 = _grading(r2, tol, jnp)
    phip = _grading(rp, tol, jnp)
    return _Rules(
        thermal=q.boltzmann_rule(n_thermal, span),
        sigma2_low=q.edge_rule(m_sigma2, phi2),
        sigma2_high=q.edge_rule(m_high, q.PHI_MAX),
        pair=q.edge_rule(m_pair, phip) if m_pair else None,
    )


def _pair_breaking(omega, T, D, rule):
    """(1/w) int_D^{w-D} [1 - f(E) - f(w-E)] (E(w-E) - D^2)/sqrt(...) dE (w > 2D).

    ``E = D + v``, ``v = L sin^2(phi)``, ``L = w - 2D``: both square-root edges removed, the
    integrand symmetric about ``phi = pi/4`` (``E <-> w - E``), so 4/w times the lower half.
    """
    L_raw = omega - 2.0 * D
    on = L_raw > 0.0
    L = jnp.where(on, L_raw, 1.0)

    def term(u, weight):
        v = L * u
        E = D + v
        num = D * L + v * (L - v)
        den = jnp.sqrt((2.0 * D + v) * (2.0 * D + L - v))
        occ = 0.5 * (_tanh_half(E, T) + _tanh_half(omega - E, T))
        return weight * occ * num / den

    acc = q.node_sum(term, (rule.u, rule.weight), unroll=rule.unroll)
    return jnp.where(on, 4.0 / omega * acc, 0.0)


def _sigma2(omega, T, D, low, high):
    """(1/w) int_a^D tanh((E+w)/2T) (E^2+D^2+wE)/sqrt(...) dE, a = max(D-w, -D) (3.125b).

    ``E = a + v``, ``v = L sin^2(phi)``, ``L = min(w, 2D)``: both edges removed; the third
    edge at ``E = a - g``, ``g = |w - 2D|``, is graded by the lower-half rule.
    """
    L = jnp.minimum(omega, 2.0 * D)
    big = jnp.maximum(omega, 2.0 * D)
    g = jnp.abs(omega - 2.0 * D)
    a = jnp.maximum(D - omega, -D)
    u = jnp.concatenate([low.u, 1.0 - high.u])
    w = jnp.concatenate([low.weight, high.weight])

    def term(u, weight):
        v = L * u
        num = v * (g + v) + D * (2.0 * D - omega)
        den = jnp.sqrt((g + v) * (big + v))
        return weight * _tanh_half(a + v + omega, T) * num / den

    acc = q.node_sum(term, (u, w), unroll=low.unroll)
    return 2.0 / omega * acc


def _mb_point(omega, T, D, rules):
    T = q.clamp_temperature(T)
    sc = D > 0.0
    Ds = jnp.where(sc, D, 1.0)
    s1 = thermal_integral(omega, T, Ds, rules.thermal)
    if rules.pair is not None:  # static: no pair-breaking rule when no point has omega > 2D
        s1 = s1 + _pair_breaking(omega, T, Ds, rules.pair)
    s2 = _sigma2(omega, T, Ds, rules.sigma2_low, rules.sigma2_high)
    return jnp.where(sc, s1, 1.0) + 1j * jnp.where(sc, s2, 0.0)


def mb_node_counts(omega, T, D, tol: float = TOL_SIGMA) -> dict[str, int]:
    """Return the static node counts of the Mattis-Bardeen (``Gamma = 0``) rules.

    ``thermal``: :func:`~dissipax.rf.quadrature.boltzmann_node_count` at the widest span;
    ``sigma2_low``, ``sigma2_high``, ``pair``: :func:`~dissipax.rf.quadrature.edge_node_count`
    at the finest grading (``pair`` 0 when no point has ``omega > 2D``).  ``None`` inputs
    (traced) give the counts for :data:`SPAN_TRACED` and the ``tol`` floor of the gradings.

    Valid for
        concrete arrays that broadcast (NumPy; units of Delta0), or all ``None``; internal.
    """
    return _counts(_call_maps(omega, T, D, tol), tol)


def _counts(maps, tol):
    return {
        "thermal": q.boltzmann_node_count(tol, maps["span"]),
        "sigma2_low": q.edge_node_count(tol, maps["phi2"]),
        "sigma2_high": q.edge_node_count(tol, q.PHI_MAX),
        "pair": q.edge_node_count(tol, maps["phip"]) if maps["pair"] else 0,
    }


def _call_maps(omega, T, D, tol):
    """Widest span, finest gradings and whether any point breaks pairs (host; ``None``: traced).

    :func:`_map_extremes` in NumPy (the same floats as the traced :func:`_prepare`).
    """
    if omega is None:
        phi_floor = math.asinh(math.sqrt(tol))
        return {"span": SPAN_TRACED, "phi2": phi_floor, "phip": phi_floor, "pair": True}
    w, t, d = (np.asarray(x, dtype=float) for x in (omega, T, D))
    span, r2, rp, pair = _map_extremes(w, np.maximum(t, q.T_FLOOR), d, np)
    return {
        "span": float(span),
        "phi2": float(_grading(r2, tol, np)),
        "phip": float(_grading(rp, tol, np)),
        "pair": bool(pair),
    }


def _host_rules(maps, counts) -> _Rules:
    """Build the rules of :func:`_prepare` on the host from concrete map parameters."""
    return _Rules(
        thermal=q.boltzmann_rule(counts["thermal"], maps["span"], np),
        sigma2_low=q.edge_rule(counts["sigma2_low"], maps["phi2"], np),
        sigma2_high=q.edge_rule(counts["sigma2_high"], q.PHI_MAX, np),
        pair=q.edge_rule(counts["pair"], maps["phip"], np) if counts["pair"] else None,
    )


def _collapse_repeats(x):
    """``x`` without the axes along which it is constant (kept with length 1: it broadcasts back).

    A grid from ``meshgrid`` repeats each ``T`` along the ``omega`` axis; one comparison per
    axis finds that.
    """
    for ax in range(x.ndim):
        if x.shape[ax] > 1:
            first = x[(slice(None),) * ax + (slice(0, 1),)]
            if (x == first).all():  # NaN never equals: an array with NaN is kept whole
                x = first
    return x


def _collapse_grid(omega, T, *others):
    """Host ``omega`` and ``T`` without the axes along which each is constant (meshgrids).

    Kept only when the collapsed arrays broadcast (with ``others``) to the shape of the
    originals: then the gap, the maps and the transfer of the call work on the distinct
    values (a 100 x 100 meshgrid: 100 values each) and the kernel broadcasts them back.
    Anything but a NumPy array of two or more dimensions comes back unchanged.

    Valid for
        concrete inputs after the checks (their messages index the caller's arrays);
        internal.
    """
    if not all(isinstance(a, np.ndarray) and a.ndim >= 2 for a in (omega, T)):
        return omega, T
    w, t = _collapse_repeats(omega), _collapse_repeats(T)
    full = [np.shape(a) for a in (omega, T, *others)]
    if np.broadcast_shapes(w.shape, t.shape, *full[2:]) != np.broadcast_shapes(*full):
        return omega, T
    return w, t


#: Size from which :func:`_gap_unique` evaluates the gap on the distinct values only (below
#: it the sort costs more than the interpolant, ~0.5 us per value on the 2-core machine).
_UNIQUE_FROM = 1024


def _gap_unique(t):
    """Delta(t) on the distinct values of a concrete ``t`` (a grid repeats each T many times).

    :func:`~dissipax.rf.gap.gap_host` (the host interpolant of the gap, within 5e-14 of
    :func:`~dissipax.rf.gap.gap_array` off :math:`T_c`) on the distinct values, after the
    axes along which ``t`` is constant are dropped (:func:`_collapse_repeats`).  Returns a
    NumPy array that broadcasts to the shape of ``t`` (the node counts are chosen from it on
    the host).
    """
    t = _collapse_repeats(np.minimum(np.asarray(t, dtype=float), T_REDUCED_MAX))
    if t.size <= _UNIQUE_FROM:
        return gap_host(t)
    uniq, inverse = np.unique(t, return_inverse=True)
    return gap_host(uniq)[inverse].reshape(t.shape)


def check_inputs(omega, T, Tc, Gamma):
    """Validate ``omega``, ``T``, ``Tc``, ``Gamma`` (units of Delta0); return them guarded.

    Valid for
        any input; concrete values outside the ranges of :func:`sigma_mattis_bardeen`
        raise ``DomainError`` naming the argument and its unit; traced values come back
        with run-time guards.
    """
    check_broadcast(omega=omega, T=T, Tc=Tc, Gamma=Gamma)
    omega = guard(
        "omega",
        omega,
        ge=_v.OMEGA_MIN,
        le=OMEGA_MAX,
        valid=f"{_v.OMEGA_UNITS}; {_v.OMEGA_MIN_TEXT}; at most {OMEGA_MAX:g}",
    )
    Tc = guard(
        "Tc",
        Tc,
        gt=0.05,
        le=2.0,
        valid="critical temperature k_B Tc/Delta0 in units of Delta0 (weak coupling "
        f"e^gamma/pi = {T_C:.4f}; strong coupling 1/alpha, alpha = Delta0/k_B Tc), not kelvin",
    )
    T = guard(
        "T",
        T,
        ge=0.0,
        valid=f"temperature k_B T/Delta0 in units of Delta0, not kelvin, 0 <= T <= "
        f"{T_REDUCED_MAX:g} Tc; convert with dissipax.units.temperature_to_gap_units(T_K, "
        "Delta0_K)",
    )
    T = _v.bound(
        "T",
        T,
        lambda tc: T_REDUCED_MAX * np.asarray(tc, dtype=float),
        lambda tc: T_REDUCED_MAX * jnp.asarray(tc, dtype=float),
        (Tc,),
        op="<",
        what=f"{T_REDUCED_MAX:g}*Tc",
        valid="temperature k_B T/Delta0 in units of Delta0, not kelvin (above Tc the result "
        "is the normal metal)",
    )
    Gamma = guard(
        "Gamma",
        Gamma,
        ge=0.0,
        le=1.0,
        valid="Dynes broadening Gamma/Delta0 in units of Delta0, 0 <= Gamma <= 1",
    )
    return omega, T, Tc, Gamma


def sigma_mattis_bardeen(omega, T, *, Tc=T_C, Gamma=0.0, tol: float = TOL_SIGMA):
    r"""Complex conductivity :math:`\sigma/\sigma_n = \sigma_1 + i\sigma_2` (Mattis-Bardeen).

    The gap is :math:`\Delta(T) = ` :func:`~dissipax.rf.bcs_gap` :math:`(T/T_c)` (in units of
    :math:`\Delta_0`).  With ``Gamma = 0`` the Mattis-Bardeen integrals of the module
    docstring (Tinkham Eqs. 3.125, including the pair-breaking term at :math:`\omega >
    2\Delta`); with ``Gamma > 0`` the Dynes superconductor of :mod:`dissipax.rf.dynes`
    (Herman & Hlubina 2016; Gurevich & Kubo 2017), which equals the former at ``Gamma = 0``.

    Time dependence :math:`e^{-i\omega t}`: :math:`\sigma_2 \ge 0` is the inductive
    (superfluid) response.  Above :math:`T_c` (:math:`\Delta = 0`) the result is the normal
    metal, :math:`\sigma = 1` exactly (the local, :math:`\omega\tau \ll 1` limit).

    Parameters
    ----------
    omega
        Photon energy :math:`\hbar\omega/\Delta_0` (broadcasts with ``T``, ``Tc``, ``Gamma``).
    T
        Temperature :math:`k_BT/\Delta_0`.
    Tc
        Critical temperature :math:`k_BT_c/\Delta_0` (default :data:`T_C` = e^γ/π).
    Gamma
        Dynes parameter :math:`\Gamma/\Delta_0`.
    tol
        Requested relative accuracy (static; sets the node counts: :func:`mb_node_counts`
        for ``Gamma = 0``, from the call's worst point when the inputs are concrete, from
        :data:`SPAN_TRACED` when traced; :func:`node_count` for the Dynes kernel).

    Returns
    -------
    Complex array of the broadcast shape.  Within ``tol`` (relative, each of
    :math:`\sigma_1`, :math:`\sigma_2`) of SciPy ``quad`` of the same integrals (tested at
    1e-8 over :math:`10^{-3} \le \omega \le 6`, :math:`0.03 \le T/T_c \le 0.999`).

    Valid for
        :math:`10^{-12} \le \omega \le 10^4`, :math:`0 \le T < 2T_c`,
        :math:`0.05 < T_c \le 2`, :math:`0 \le \Gamma \le 1` (all in units of
        :math:`\Delta_0`); outside, or NaN/inf/complex: ``DomainError`` naming the argument
        and its unit; under ``jit``/``vmap`` run-time guards.  Below :math:`T = 10^{-4}`
        the kernels integrate at :math:`T = 10^{-4}` (every thermal factor is an exact 0 or 1
        there).
    """
    if not isinstance(tol, float):
        raise DomainError(f"argument 'tol' must be a Python float; got {tol!r}")
    omega, T, Tc, Gamma = check_inputs(omega, T, Tc, Gamma)
    shape = check_broadcast(omega=omega, T=T, Tc=Tc, Gamma=Gamma)
    concrete = not is_traced((omega, T, Tc, Gamma))
    if concrete:
        omega, T = _collapse_grid(omega, T, Tc, Gamma)  # keeps the broadcast shape
        # the gap on the broadcast of T and Tc only (the kernel broadcasts it with omega)
        T_arr = T
        D = _gap_unique(np.asarray(T, dtype=float) / np.asarray(Tc, dtype=float))
        if np.broadcast_shapes(np.shape(omega), np.shape(T), D.shape) != shape:
            D = np.broadcast_to(D, shape)  # a larger Tc or Gamma sets the shape
    else:
        T_arr = jnp.broadcast_to(jnp.asarray(T, dtype=float), shape)
        D = gap_array(jnp.minimum(T_arr / jnp.asarray(Tc, dtype=float), T_REDUCED_MAX))
    if not is_traced(Gamma) and not np.any(np.asarray(Gamma) != 0.0):
        if concrete:  # rules built on the host: passed traced, nothing of them compiled
            maps = _call_maps(omega, T, D, tol)
            rules = _host_rules(maps, _counts(maps, tol))
            return broadcast_apply_shared(_mb_point, None, omega, T, D, shared=rules)
        counts = mb_node_counts(None, None, None, tol)
        prepare = bind(
            _prepare,
            n_thermal=counts["thermal"],
            m_sigma2=counts["sigma2_low"],
            m_high=counts["sigma2_high"],
            m_pair=counts["pair"],
            tol=tol,
            span_max=SPAN_TRACED,
        )
        return broadcast_apply_shared(_mb_point, prepare, omega, T_arr, D)
    if concrete:
        spans = map_spans(omega, T, D, Gamma, tol)
    else:
        spans = dict.fromkeys(("thermal", "pair_breaking", "sigma2", "dynes"), SPAN_TRACED)
    from .dynes import dynes_point

    n = node_count(tol, max(1.0, *spans.values()), far_end=True)
    return broadcast_apply(bind(dynes_point, n=n), omega, T_arr, D, Gamma)
