r"""Mattis-Bardeen conductivity and its low-temperature closed forms (Gurevich 2014, Eqs. 1, 35-37).

Units: energies, :math:`\omega` and :math:`T` in units of :math:`\Delta_0` (:math:`\hbar = k_B =
1`), :math:`\Delta = \Delta_0 = 1`; :math:`\sigma_1` in units of :math:`\sigma_n`.
"""

from __future__ import annotations

import math

import jax.numpy as jnp
import numpy as np

from .._checks import check_broadcast, is_traced
from . import _validate as _v
from . import quadrature as q
from ._batch import bind, broadcast_apply, broadcast_apply_shared

#: BCS critical temperature in units of Delta0, T_c = e^gamma / pi (Delta0 = 1.764 T_c).
T_C = _v.T_C
#: C = 4 e^{-gamma} of Eq. (1).
C_LOG = 4.0 * math.exp(-np.euler_gamma)


def check_omega_T(omega, T):
    """Validate ``OMEGA_MIN = 1e-12 <= omega < 2`` and ``0 < T < T_c`` (units of Delta0).

    Also checks that ``omega`` and ``T`` broadcast together.

    Valid for
        any input.  Concrete values outside the ranges (or NaN, inf, complex, non-numeric,
        shapes that do not broadcast) raise ``DomainError`` naming ``omega`` or ``T`` with
        the expected units; traced values come back with run-time guards (use the returned
        values).
    """
    check_broadcast(omega=omega, T=T)
    return _v.omega(omega), _v.temperature(T)


def thermal_span(omega, T, D):
    """Span ``CUTOFF*T/min(omega, 2D, T)`` of the thermal map at one point (>= 1).

    Valid for
        ``omega, T, D > 0`` (units of Delta0, ``T`` clamped by the caller); internal.
    """
    return jnp.maximum(q.CUTOFF * T / jnp.minimum(jnp.minimum(omega, 2.0 * D), T), 1.0)


def thermal_integral(omega, T, D, rule: q.BoltzmannRule):
    r"""Thermal Mattis-Bardeen term on a shared rule (Eq. 35; Tinkham 3.125a, first term).

    :math:`\frac{2}{\omega}\int_\Delta^\infty[f(E) - f(E+\omega)]
    \frac{E(E+\omega) + \Delta^2}{\sqrt{E^2-\Delta^2}\sqrt{(E+\omega)^2-\Delta^2}}dE`
    in :math:`y = (E - \Delta)/T` on a
    :func:`~dissipax.rf.quadrature.boltzmann_rule` (its ``span`` at least
    :func:`thermal_span`): :math:`E(E+\omega)+\Delta^2` over
    :math:`\sqrt{(\delta+\omega)(2\Delta+\delta)(2\Delta+\delta+\omega)}`, :math:`\delta = Ty`,
    times :math:`\sqrt T` (the :math:`1/\sqrt y` is in the rule), and the Fermi difference
    from the rule's :math:`e^{-y}`: one square root and one division per node, no
    exponential.

    Valid for
        ``omega > 0``, ``T >= T_FLOOR``, ``D > 0`` (units of Delta0; arrays of one shape
        or scalars: :func:`~dissipax.rf.quadrature.node_sum` makes one fused elementwise
        pass over them per node); a traced kernel, no checks.  Underflows to an exact 0 (never
        NaN) for :math:`\Delta/T \gtrsim 745`.
    """
    b0 = jnp.exp(-D / T)
    bw = jnp.exp(-omega / T)

    def term(y, a, boltzmann):
        d = T * y
        E = D + d
        num = E * (E + omega) + D * D
        b = b0 * boltzmann  # e^{-E/T}
        den = jnp.sqrt((d + omega) * (2.0 * D + d) * (2.0 * D + d + omega))
        return a * num * b / ((1.0 + b) * (1.0 + b * bw) * den)

    acc = q.node_sum(term, (rule.y, rule.a, rule.boltzmann), unroll=rule.unroll)
    return 2.0 / omega * jnp.sqrt(T) * -jnp.expm1(-omega / T) * acc


def _prepare_mb(omega, T, *, n):
    span = thermal_span(omega, q.clamp_temperature(T), 1.0)
    return q.boltzmann_rule(n, jnp.max(span, initial=1.0))


def _mb_kernel(omega, T, rule):
    return thermal_integral(omega, q.clamp_temperature(T), 1.0, rule)


def _mb_point(omega, T, *, n):
    """sigma1 of Eq. (35) at one point with its own map (a kernel for vmap)."""
    return _mb_kernel(omega, T, _prepare_mb(omega, T, n=n))


#: relative accuracy the automatic node count of :func:`sigma1_mattis_bardeen` is chosen for
TOL_MB = 1e-9


def sigma1_mattis_bardeen(omega, T, *, n: int | None = None):
    r"""Mattis-Bardeen :math:`\sigma_1/\sigma_n` with Fermi functions, Eq. (35).

    .. math:: \frac{\sigma_1}{\sigma_n} = \frac{2}{\omega}\int_\Delta^\infty
       \frac{[\epsilon(\epsilon+\omega) + \Delta^2][f(\epsilon) - f(\epsilon+\omega)]}
       {\sqrt{\epsilon^2-\Delta^2}\sqrt{(\epsilon+\omega)^2-\Delta^2}} d\epsilon,
       \quad \Delta = 1,

    in :math:`y = (\epsilon - \Delta)/T` on the trapezoidal rule of
    :func:`~dissipax.rf.quadrature.boltzmann_rule` (:func:`thermal_integral`): the map
    :math:`y = \kappa\sinh^2 t` removes the square-root edges, :math:`\kappa =
    \min(\omega, T)/T` over the whole call (one set of nodes for every point, the Boltzmann
    factors :math:`e^{-y}` computed once per call).

    Parameters
    ----------
    omega
        Frequency :math:`\hbar\omega/\Delta_0`, broadcasting with ``T``.
    T
        Temperature :math:`k_B T/\Delta_0`.
    n
        Number of quadrature nodes (static; the error falls like
        :math:`\exp(-4.1\,(n-1)/t_{max})` (measured), :math:`t_{max} = \operatorname{asinh}
        \sqrt{40T/\omega}` at the point of smallest :math:`\omega/T`).  ``None``
        (default): on concrete input the larger of ``N_MB`` (40) and the count
        :func:`~dissipax.rf.quadrature.boltzmann_node_count` gives for :data:`TOL_MB` at
        the call's smallest :math:`\omega/T` (a call mixing :math:`\omega/T = 10^{-6}`
        with colder points needs 56 nodes for 1e-9); under ``jit``/``vmap`` ``N_MB``.

    Returns
    -------
    Array of the broadcast shape.  Relative accuracy better than 1e-9 against SciPy
    ``quad`` for :math:`10^{-4} \le \omega \le 0.1`, :math:`0.03 \le T \le 0.3` (tested),
    and, with the automatic ``n``, at any :math:`\omega/T` of a concrete call.

    Valid for
        :math:`10^{-12} \le \omega < 2` (:math:`\hbar\omega/\Delta_0`; no pair-breaking
        term; ``OMEGA_MIN = 1e-12``: the theory needs :math:`\omega\tau \gg 1`) and
        :math:`0 < T < T_c = 0.567` (:math:`k_BT/\Delta_0`; the gap is taken
        T-independent, so :math:`T \ll T_c` in practice); ``n >= 2``.  Below
        :math:`T \approx 1/745` the Boltzmann factor underflows: sigma1 = 0 exactly,
        gradient 0 (the kernels integrate at :math:`\max(T, 10^{-4})`, never NaN).  Outside
        (or NaN, inf,
        complex, non-broadcasting shapes): ``DomainError`` naming ``omega`` or ``T`` and the
        expected units (a frequency in Hz or GHz passed as ``omega`` is named as such);
        under ``jit``/``vmap`` run-time guards on both.
    """
    omega, T = check_omega_T(omega, T)
    if n is not None:
        n = _v.nodes("n", n)
    if is_traced((omega, T)):
        n = q.N_MB if n is None else n
        return broadcast_apply_shared(_mb_kernel, bind(_prepare_mb, n=n), omega, T)
    # concrete: the rule is built on the host (nothing of it compiled; new values reuse the
    # executable)
    w, t = np.broadcast_arrays(np.asarray(omega, dtype=float), np.asarray(T, dtype=float))
    t = np.maximum(t, q.T_FLOOR)
    span = float(np.max(np.maximum(q.CUTOFF * t / np.minimum(w, t), 1.0), initial=1.0))
    if n is None:
        n = max(q.N_MB, q.boltzmann_node_count(TOL_MB, span))
    rule = q.boltzmann_rule(n, span, np)
    return broadcast_apply_shared(_mb_kernel, None, omega, T, shared=rule)


def _closed_form(omega, T):
    T = q.clamp_temperature(T)
    x = omega / (2.0 * T)
    # (4/w) sinh(x) K0(x) e^{-1/T} = (2/w) (1 - e^{-2x}) K0(x) e^{x} e^{-1/T}
    return 2.0 / omega * (-jnp.expm1(-2.0 * x)) * q.bessel_k0e(x) * jnp.exp(-1.0 / T)


def sigma1_closed_form(omega, T):
    r"""Low-temperature closed form :math:`\sigma_1/\sigma_n`, Eq. (37).

    .. math:: \frac{\sigma_1}{\sigma_n} = \frac{4\Delta}{\omega}
       \sinh\frac{\omega}{2T} K_0\!\left(\frac{\omega}{2T}\right) e^{-\Delta/T}.

    It follows from Eq. (35) with Boltzmann factors and :math:`\epsilon^2 - \Delta^2 \approx
    2\Delta(\epsilon - \Delta)` (Eq. 36), so it is the :math:`T \to 0` limit of the exact
    integral, not an equality: it deviates by :math:`O(T/\Delta)` (0.5-3 % at
    :math:`T = 0.05`-:math:`0.15`).

    Parameters
    ----------
    omega, T
        Frequency and temperature in units of :math:`\Delta_0` (broadcasting).

    Returns
    -------
    Array of the broadcast shape.

    Valid for
        :math:`10^{-12} \le \omega < 2`, :math:`0 < T < T_c` (units of :math:`\Delta_0`) as
        a function (below :math:`T \approx 1/745` the Boltzmann factor underflows: sigma1 = 0
        exactly, gradient 0); as an approximation of Eq. (35) only for
        :math:`T, \omega \ll \Delta_0`
        (error :math:`O(T/\Delta_0)`, see above).  Outside the ranges: ``DomainError``
        naming ``omega`` or ``T`` (run-time guards under ``jit``/``vmap``).
    """
    omega, T = check_omega_T(omega, T)
    return broadcast_apply(_closed_form, omega, T)


def _low_frequency(omega, T):
    T = q.clamp_temperature(T)  # omega < C*T <= C*T_FLOOR keeps the logarithm positive
    return 2.0 / T * jnp.log(C_LOG * T / omega) * jnp.exp(-1.0 / T)


def sigma1_low_frequency(omega, T):
    r"""Logarithmic limit of Eq. (37), Eq. (1): :math:`(2\Delta/T)\ln(CT/\omega)e^{-\Delta/T}`.

    :math:`C = 4e^{-\gamma} \approx 2.246`.  The :math:`\omega \ll T` limit of Eq. (37)
    (relative error :math:`O((\omega/T)^2\ln)`), hence of Eq. (35) for
    :math:`\omega \ll T \ll \Delta_0`.

    Parameters
    ----------
    omega, T
        Frequency and temperature in units of :math:`\Delta_0` (broadcasting).

    Returns
    -------
    Array of the broadcast shape, > 0.

    Valid for
        :math:`10^{-12} \le \omega < CT`, :math:`0 < T < T_c` (units of :math:`\Delta_0`;
        below :math:`T \approx 1/745` the Boltzmann factor underflows: sigma1 = 0 exactly,
        gradient 0); an
        approximation of Eq. (35) only for :math:`\omega \ll T \ll \Delta_0`.  At
        :math:`\omega \ge CT` the formula turns negative (unphysical), so it is rejected:
        ``DomainError`` naming ``omega`` (concrete input) or a run-time guard under
        ``jit``/``vmap``; likewise for ``omega``, ``T`` out of their ranges.
    """
    omega, T = check_omega_T(omega, T)
    omega = _v.bound(
        "omega",
        omega,
        lambda t: C_LOG * np.asarray(t, dtype=float),
        lambda t: C_LOG * jnp.asarray(t, dtype=float),
        (T,),
        what="C*T",
        valid=f"C = 4 exp(-gamma) = {C_LOG:.4f}: Eq. (1) is the omega << T limit of Eq. (37) "
        f"and turns negative above C*T; {_v.OMEGA_UNITS}",
    )
    return broadcast_apply(_low_frequency, omega, T)
