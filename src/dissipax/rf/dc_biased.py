r"""Linear rf conductivity under a dc supercurrent, Gurevich 2014 Eqs. (4)-(5) (Fig. 3).

Units: energies, :math:`\omega`, :math:`T`, :math:`s` in units of :math:`\Delta_0`;
:math:`\sigma_1` in units of :math:`\sigma_n`.
"""

from __future__ import annotations

import jax.numpy as jnp

from .._checks import check_broadcast, guard
from . import _validate as _v
from . import quadrature as q
from ._batch import bind, broadcast_apply
from .mattis_bardeen import check_omega_T
from .usadel import _spectral_gap, check_s, density_terms


def coherence_factor(delta, omega, s):
    r"""Spectral function :math:`M(\epsilon, \omega, s)` of Eq. (5), at :math:`\epsilon_g + \delta`.

    :math:`M = \cos v_\epsilon\cos v_{\epsilon+\omega}\cosh(u_\epsilon + u_{\epsilon+\omega})
    = N N' + P P'` with :math:`N = \cosh u\cos v`, :math:`P = \sinh u\cos v`.

    Parameters
    ----------
    delta
        Energy above the spectral gap, :math:`\epsilon - \epsilon_g(s) \ge 0` (units of
        :math:`\Delta_0`).
    omega
        Photon energy :math:`\hbar\omega/\Delta_0 \ge 0`.
    s
        Pair-breaking parameter.  ``delta``, ``omega``, ``s`` broadcast together.

    Returns
    -------
    Array of the broadcast shape, :math:`M \ge 0` (0 at the gap edge for :math:`s > 0`).

    Valid for
        :math:`\delta \ge 0`, :math:`\omega \ge 0` (finite), :math:`0 \le s \le 0.25`, in
        units of :math:`\Delta_0`.  Outside (or NaN, inf, complex, non-broadcasting shapes):
        ``DomainError`` naming the argument; under ``jit``/``vmap`` run-time guards.
    """
    check_broadcast(delta=delta, omega=omega, s=s)
    delta = guard("delta", delta, ge=0.0, valid="energy above the spectral gap, units of Delta0")
    omega = guard("omega", omega, ge=0.0, valid=_v.OMEGA_UNITS)
    s = check_s(s)
    return _coherence_factor(*(jnp.asarray(x, dtype=float) for x in (delta, omega, s)))


def _coherence_factor(delta, omega, s):
    """Kernel of :func:`coherence_factor` (no checks; broadcasts)."""
    n1, p1 = density_terms(delta, s)
    n2, p2 = density_terms(delta + omega, s)
    return n1 * n2 + p1 * p2


def _dc_point(omega, T, s, *, n):
    T = q.clamp_temperature(T)  # sigma1 = 0 exactly below the floor (no NaN)
    rule = q.gauss_legendre(n)
    eps_g = _spectral_gap(s)
    grid = q.sinh_map(rule, q.smallest_scale(omega, T, s), q.CUTOFF * T)
    m = _coherence_factor(grid.delta, omega, s)
    integral = jnp.sum(grid.weight * jnp.exp(-grid.delta / T) * m)
    return 2.0 / omega * (-jnp.expm1(-omega / T)) * jnp.exp(-eps_g / T) * integral


def sigma1_dc_biased(omega, T, s, *, n: int = q.N_ENERGY):
    r"""Linear :math:`\sigma_1/\sigma_n` biased by a dc superflow, Eqs. (4)-(5).

    .. math:: \frac{\sigma_1}{\sigma_n} = \frac{2}{\omega}(1 - e^{-\omega/T})
       \int_{\epsilon_g}^\infty e^{-\epsilon/T} M(\epsilon, \omega, s)\, d\epsilon,

    with :math:`M` of Eq. (5) from the Cardano solution (:mod:`dissipax.rf.usadel`) and the
    sinh map of :mod:`dissipax.rf.quadrature` (scale :math:`\min(\omega, T, s^{2/3})`).
    At :math:`s = 0` it is the Mattis-Bardeen integral with Boltzmann factors.

    Parameters
    ----------
    omega
        Frequency :math:`\hbar\omega/\Delta_0`.
    T
        Temperature :math:`k_B T/\Delta_0`.
    s
        Pair-breaking parameter of the dc field, :math:`s = (H_0/2H_c)^2` (units of
        :math:`\Delta_0`).  ``omega``, ``T``, ``s`` broadcast together.
    n
        Number of energy nodes (static).

    Returns
    -------
    Array of the broadcast shape.  Relative accuracy better than 1e-10 against SciPy ``quad`` over
    :math:`10^{-3} \le \omega \le 0.1`, :math:`0.03 \le T \le 0.3`,
    :math:`0 \le s \le 0.25` (tested).

    Valid for
        :math:`0 \le s \le 0.25`, :math:`10^{-12} \le \omega < 2\epsilon_g(s)` (Eq. 9; no
        pair-breaking absorption; ``OMEGA_MIN = 1e-12``: the theory needs
        :math:`\omega\tau \gg 1`), :math:`0 < T < T_c = 0.567`, all in units of
        :math:`\Delta_0`; ``n >= 2``.  Below :math:`T \approx \epsilon_g(s)/745` (1/745 at
        :math:`s = 0`) the Boltzmann factor underflows: sigma1 = 0 exactly, gradient 0.
        The model (Boltzmann factors) assumes
        :math:`\omega, T \ll \Delta_0`.  Outside (or NaN, inf, complex, non-broadcasting
        shapes): ``DomainError`` naming ``omega``, ``T`` or ``s`` with the expected units;
        under ``jit``/``vmap`` run-time guards on each, including
        :math:`\omega < 2\epsilon_g(s)`.
    """
    check_broadcast(omega=omega, T=T, s=s)
    s = check_s(s)
    omega, T = check_omega_T(omega, T)
    omega = check_below_pair_breaking(omega, s)
    n = _v.nodes("n", n)
    return broadcast_apply(bind(_dc_point, n=n), omega, T, s)


def check_below_pair_breaking(omega, s, name_s: str = "s"):
    """Reject ``omega >= 2 eps_g(s)``, where Eqs. (4), (10) omit pair-breaking absorption.

    Returns ``omega``: unchanged for concrete input, with a run-time guard when ``omega`` or
    ``s`` is traced.

    Valid for
        ``s`` already checked (``0 <= s <= 0.25``), any ``omega``.  Concrete
        ``omega >= 2 eps_g(s)`` raises ``DomainError`` naming ``omega``, the bound and
        ``name_s``; traced input gets a run-time guard.
    """
    return _v.below_pair_breaking(omega, s, name_s)
