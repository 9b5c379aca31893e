r"""Nonlinear :math:`\sigma_1` under a strong rf field, Gurevich 2014 Eqs. (10), (12) (Fig. 4a).

The field :math:`H(t) = H_a\cos\omega t` gives :math:`s(t) = \beta_a\Delta_0\cos^2\omega t`,
:math:`\beta_a = (H_a/2H_c)^2`.  Units: :math:`\omega`, :math:`T`, :math:`\beta_a` in units
of :math:`\Delta_0`; :math:`\sigma_1` in units of :math:`\sigma_n`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._checks import check_broadcast, check_choice
from . import _validate as _v
from . import quadrature as q
from ._batch import bind, broadcast_apply
from .dc_biased import check_below_pair_breaking
from .mattis_bardeen import check_omega_T
from .usadel import _spectral_gap, check_s, density_terms


def _excess_energy(psi):
    r""":math:`\tilde\epsilon - \Delta_0 = \sqrt{1 + \Psi^2} - 1` without cancellation."""
    return psi * psi / (jnp.sqrt(1.0 + psi * psi) + 1.0)


def energy_integral(omega, T, s, *, nonequilibrium: bool, n: int):
    r"""Inner integral of Eq. (10) at one instant, :math:`\int [f(\epsilon)-f(\epsilon+\omega)]M`.

    Scalar kernel.  ``nonequilibrium=True``: :math:`f` of Eq. (12),
    :math:`f = \exp(-[\Delta_0^2 + \Psi(\epsilon)^2]^{1/2}/T)` with the cumulative density of
    states :math:`\Psi(\epsilon) = \int_{\epsilon_g}^\epsilon N d\epsilon'` computed on the
    same nodes (:func:`dissipax.rf.quadrature.cumulative`); ``False``: the equilibrium
    :math:`f = e^{-\epsilon/T}`.

    Valid for
        scalar :math:`10^{-12} \le \omega < 2\epsilon_g(s)`, :math:`0 < T < T_c` (exactly 0,
        gradient 0, below :math:`T \approx \epsilon_g(s)/745`),
        :math:`0 \le s \le 0.25` (units of :math:`\Delta_0`); no argument checks (a traced
        kernel: garbage in, garbage out).  Use :func:`sigma1_rf` for checked input.
    """
    T = q.clamp_temperature(T)  # the integral is 0 exactly below the floor (no NaN)
    rule = q.gauss_legendre(n)
    eps_g = _spectral_gap(s)
    # f decays like exp(-(eps~ - 1)/T) and eps~ >= eps: cover the gap reduction 1 - eps_g too.
    delta_max = q.CUTOFF * T + (1.0 - eps_g)
    grid = q.sinh_map(rule, q.smallest_scale(omega, T, s), delta_max)
    n1, p1 = density_terms(grid.delta, s)
    n2, p2 = density_terms(grid.delta + omega, s)
    m = n1 * n2 + p1 * p2
    if nonequilibrium:
        psi1, _ = q.cumulative(rule, grid, n1)
        dpsi = q.increment_at_nodes(rule, grid, psi1, omega)  # Ψ(ε+ω) − Ψ(ε)
        psi2 = psi1 + dpsi
        x1 = _excess_energy(psi1)
        # x2 - x1 = (psi2^2 - psi1^2) / (sqrt(1 + psi2^2) + sqrt(1 + psi1^2)), no cancellation
        dx = dpsi * (psi2 + psi1) / (jnp.sqrt(1.0 + psi2**2) + jnp.sqrt(1.0 + psi1**2))
        fdiff = jnp.exp(-(1.0 + x1) / T) * (-jnp.expm1(-dx / T))
    else:
        fdiff = jnp.exp(-(eps_g + grid.delta) / T) * (-jnp.expm1(-omega / T))
    return jnp.sum(grid.weight * fdiff * m)


def _rf_point(omega, T, beta_a, *, nonequilibrium, n, n_phase):
    # Period average (2/pi) int_0^{pi/2} d psi, s = beta_a sin^2 psi (psi = pi/2 - omega t),
    # with psi = (pi/2) tau^3: s^(1/3) becomes smooth in tau at the zero of s (tau = 0).
    rule = q.gauss_legendre(n_phase)
    tau = jnp.asarray(rule.x)
    weight = 3.0 * tau**2 * jnp.asarray(rule.w)
    s = beta_a * jnp.sin(jnp.pi / 2.0 * tau**3) ** 2

    def inner(s_k):
        return energy_integral(omega, T, s_k, nonequilibrium=nonequilibrium, n=n)

    values = jax.vmap(inner)(s)
    return 2.0 / omega * jnp.sum(weight * values)


def sigma1_rf(
    omega, T, beta_a, nonequilibrium=True, *, n: int = q.N_ENERGY, n_phase: int = q.N_PHASE
):
    r"""Nonlinear :math:`\sigma_1/\sigma_n` in a strong rf field :math:`H_a\cos\omega t`, Eq. 10.

    .. math:: \frac{\sigma_1}{\sigma_n} = \frac{2}{\pi}\int_0^{\pi/\omega} dt
       \int_{\epsilon_g(t)}^\infty [f(\epsilon, s) - f(\epsilon+\omega, s)]
       M(\epsilon, \omega, s)\, d\epsilon, \qquad s(t) = \beta_a\cos^2\omega t,

    with the nonequilibrium distribution of Eq. (12) (quasiparticle number conserved over the
    rf cycle, :math:`\tau_s^{-1}, \tau_r^{-1} \ll \omega \ll T`) or, with
    ``nonequilibrium=False``, the equilibrium :math:`f = e^{-\epsilon/T}` for comparison.  At
    :math:`\beta_a = 0` both reduce to :func:`~dissipax.rf.sigma1_dc_biased` at
    :math:`s = 0` (Mattis-Bardeen with Boltzmann factors).

    Parameters
    ----------
    omega
        Frequency :math:`\hbar\omega/\Delta_0`.
    T
        Quasiparticle temperature :math:`k_B T/\Delta_0`.
    beta_a
        Rf amplitude :math:`\beta_a = (H_a/2H_c)^2` (peak pair-breaking parameter in units of
        :math:`\Delta_0`).  ``omega``, ``T``, ``beta_a`` broadcast together.
    nonequilibrium
        Eq. (12) distribution (default) or equilibrium Boltzmann.  Static.
    n, n_phase
        Energy and phase node counts (static).

    Returns
    -------
    Array of the broadcast shape.  Relative accuracy ~1e-7 against nested SciPy ``quad``
    (tested).

    Valid for
        :math:`0 \le \beta_a \le 0.25`, :math:`10^{-12} \le \omega < 2\epsilon_g(\beta_a)`
        (Eq. 9; ``OMEGA_MIN = 1e-12``: the theory needs :math:`\omega\tau \gg 1`),
        :math:`0 < T < T_c = 0.567`, all in units of :math:`\Delta_0`; ``n, n_phase >= 2``.
        Below :math:`T \approx 1/745` the Boltzmann factor underflows: sigma1 = 0 exactly,
        gradient 0 (the energy integrals run at :math:`\max(T, 10^{-4})`, never NaN).
        The theory assumes :math:`\tau_s^{-1}, \tau_r^{-1} \ll \omega \ll T \ll \Delta_0`
        (not checked: the formula stays finite and accurate outside).  Outside the ranges
        (or NaN, inf, complex, non-broadcasting shapes, a non-bool ``nonequilibrium``):
        ``DomainError`` naming the argument with the expected units; under ``jit``/``vmap``
        run-time guards on ``omega``, ``T``, ``beta_a`` (including
        :math:`\omega < 2\epsilon_g(\beta_a)`).
    """
    check_broadcast(omega=omega, T=T, beta_a=beta_a)
    beta_a = check_s(beta_a, "beta_a")
    omega, T = check_omega_T(omega, T)
    omega = check_below_pair_breaking(omega, beta_a, "beta_a")
    check_choice("nonequilibrium", nonequilibrium, (True, False))
    n, n_phase = _v.nodes("n", n), _v.nodes("n_phase", n_phase)
    kernel = bind(_rf_point, nonequilibrium=bool(nonequilibrium), n=n, n_phase=n_phase)
    return broadcast_apply(kernel, omega, T, beta_a)
