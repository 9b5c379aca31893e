r"""Complex conductivity of a Dynes superconductor from complex-energy Green functions.

The Dynes superconductor (Herman & Hlubina, Phys. Rev. B 94, 144508 (2016)) has the retarded
quasiclassical Green functions

.. math:: G^R(\epsilon) = \frac{\epsilon + i\Gamma}{\sqrt{(\epsilon + i\Gamma)^2 - \Delta^2}},
   \qquad F^R(\epsilon) = \frac{\Delta}{\sqrt{(\epsilon + i\Gamma)^2 - \Delta^2}},

(the root :math:`\sqrt{z - \Delta}\sqrt{z + \Delta}`, analytic off :math:`[-\Delta, \Delta]`,
:math:`\to z` at infinity), :math:`G^A = \overline{G^R}`, :math:`F^A = \overline{F^R}`; in
Matsubara form :math:`\omega_n \to \omega_n + \Gamma\,\mathrm{sgn}\,\omega_n`.  The local
(dirty-limit) kernel :math:`Q(i\nu_m) = \pi T\sigma_n\sum_n [1 - g_ng_{n+m} + f_nf_{n+m}]`
(which gives :math:`\sigma = 1` in the normal state and the London kernel
:math:`\pi\Delta\tanh(\Delta/2T)` at :math:`\nu \to 0`), continued to real frequency by
deforming the Matsubara sum onto the branch cuts at :math:`\operatorname{Im}\epsilon = 0,
-\nu`, gives :math:`\sigma = iQ/\omega` in :math:`e^{-i\omega t}`:

.. math::
   \sigma_1 &= \frac{1}{\omega}\int_{-\infty}^{\infty} [f(\epsilon) - f(\epsilon+\omega)]
   \,[N N' + M M']\,d\epsilon,\\
   \sigma_2 &= \frac{1}{4\omega}\int_{-\infty}^{\infty}\Big\{[h(\epsilon) + h(\epsilon+\omega)]
   \operatorname{Im}P^{RR} + [h(\epsilon) - h(\epsilon+\omega)]\operatorname{Im}P^{AR}\Big\}
   d\epsilon,

with :math:`N = \operatorname{Re}G^R`, :math:`M = \operatorname{Re}F^R`, primes at
:math:`\epsilon + \omega`, :math:`h = \tanh(\epsilon/2T)`, :math:`P^{RR} = 1 - G^RG'^R -
F^RF'^R`, :math:`P^{AR} = 1 - G^AG'^R - F^AF'^R`.  :math:`\sigma_1` is the formula of
Gurevich & Kubo, Phys. Rev. B 96, 184515 (2017); at :math:`\Gamma = 0` both reduce
to the Mattis-Bardeen integrals (Tinkham 3.125, including the pair-breaking term: the
:math:`h(\epsilon)` terms cancel inside the gap).  This is not Mattis-Bardeen with
:math:`E \to E + i\Gamma` in the real-axis integrand.

Both integrands are even about :math:`\epsilon = -\omega/2`, so the integrals run over
:math:`[-\omega/2, \infty)`, split at the gap edges :math:`\max(\Delta - \omega, -\Delta)`,
:math:`\Delta` and the Fermi step at 0; each half-interval is mapped from its end by
:math:`\delta = c\sinh^2 t` (:func:`dissipax.rf.quadrature.sinh_map`, :math:`c \le \Gamma,
T`), and the algebraic tail of :math:`\sigma_2` (:math:`\propto \Gamma/\epsilon^3`) by
:math:`\epsilon = \Delta + L/u`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from . import quadrature as q

__all__ = ["dynes_point", "green_functions"]

_FLOOR = 1e-12  # smallest map scale relative to the piece length


def green_functions(eps, D, Gamma, offsets=None):
    r"""Retarded :math:`(G^R, F^R)` of the Dynes superconductor at real energies ``eps``.

    ``offsets``, if given, are ``(eps - D, eps + D)`` computed without cancellation (near a
    gap edge ``eps - D`` from the node offset, not by subtraction).

    Valid for
        real ``eps``, ``D > 0``, ``Gamma >= 0`` (units of Delta0); internal, no checks.  At
        ``Gamma = 0`` the +0 imaginary part selects the retarded side of the cut.
    """
    lo, hi = (eps - D, eps + D) if offsets is None else offsets
    s = jnp.sqrt(lo + 1j * Gamma) * jnp.sqrt(hi + 1j * Gamma)
    return (eps + 1j * Gamma) / s, D / s


def _fermi_difference(x, y):
    r""":math:`f(x) - f(y)` for :math:`y \ge x` (arguments in units of T), overflow-free."""
    d = y - x
    return (
        -jnp.expm1(-d)
        * jnp.exp(0.5 * (d - jnp.abs(x) - jnp.abs(y)))
        / ((1.0 + jnp.exp(-jnp.abs(x))) * (1.0 + jnp.exp(-jnp.abs(y))))
    )


def _piece(rule, start, offsets, sign, length, scale):
    """Nodes ``start + sign * delta`` of one half-interval, with their edge offsets."""
    on = length > 0.0
    ell = jnp.where(on, length, 1.0)
    c = jax.lax.stop_gradient(jnp.maximum(jnp.minimum(ell, scale), _FLOOR * ell))
    grid = q.sinh_map(rule, c, ell)
    sd = sign * grid.delta
    return start + sd, [o + sd for o in offsets], jnp.where(on, grid.weight, 0.0)


def dynes_point(omega, T, D, Gamma, *, n):
    """Return sigma/sigma_n (complex) at one (omega, T, Delta, Gamma) point, Dynes model.

    Valid for
        ``omega > 0``, ``T > 0``, ``Gamma >= 0`` (units of Delta0), ``D >= 0`` (``D = 0``:
        the normal metal, 1); internal kernel of :func:`dissipax.rf.sigma_mattis_bardeen`.
    """
    rule = q.gauss_legendre(n)
    T = q.clamp_temperature(T)
    sc = D > 0.0
    D = jnp.where(sc, D, 1.0)
    b = jnp.maximum(D - omega, -D)
    p0 = -0.5 * omega
    pa = jnp.minimum(b, 0.0)
    pb = jnp.maximum(b, 0.0)
    l1 = 0.5 * (pa - p0)
    l2 = 0.5 * (pb - pa)
    l3 = 0.5 * (D - pb)
    L = q.CUTOFF * T + 4.0 * (omega + D)
    # smallest scale near any breakpoint: Fermi step T, broadening Gamma, the distances
    # between neighbouring singular points (omega, 2D, the half-lengths)
    scale = jnp.minimum(jnp.minimum(T, jnp.where(Gamma > 0.0, Gamma, jnp.inf)), omega)
    for ell in (2.0 * D, l1, l2, l3):
        scale = jnp.minimum(scale, jnp.where(ell > 0.0, ell, jnp.inf))
    # offsets (eps - D, eps + D, eps + omega - D, eps + omega + D) of each breakpoint,
    # exact zeros where a breakpoint is that edge (no cancellation next to the edges)
    off_d = [0.0 * D, 2.0 * D, omega, 2.0 * D + omega]
    off_b = [
        -jnp.minimum(omega, 2.0 * D),
        jnp.maximum(2.0 * D - omega, 0.0),
        jnp.maximum(omega - 2.0 * D, 0.0),
        jnp.maximum(2.0 * D, omega),
    ]
    off_0 = [-D, D, omega - D, omega + D]
    off_p0 = [p0 - D, p0 + D, -p0 - D, -p0 + D]
    b_low = b <= 0.0
    off_a = [jnp.where(b_low, ob, o0) for ob, o0 in zip(off_b, off_0)]
    off_bb = [jnp.where(b_low, o0, ob) for ob, o0 in zip(off_b, off_0)]
    pieces = [
        (p0, off_p0, 1.0, l1),
        (pa, off_a, -1.0, l1),
        (pa, off_a, 1.0, l2),
        (pb, off_bb, -1.0, l2),
        (pb, off_bb, 1.0, l3),
        (D, off_d, -1.0, l3),
        (D, off_d, 1.0, L),
    ]
    nodes = [_piece(rule, st, off, sg, ln, scale) for st, off, sg, ln in pieces]
    u = jnp.asarray(rule.x)
    tail = L / u
    nodes.append((D + tail, [o + tail for o in off_d], L / u**2 * jnp.asarray(rule.w)))
    eps = jnp.concatenate([e for e, _, _ in nodes])
    offs = [jnp.concatenate([o[k] for _, o, _ in nodes]) for k in range(4)]
    w = jnp.concatenate([wt for _, _, wt in nodes])

    g1, f1 = green_functions(eps, D, Gamma, (offs[0], offs[1]))
    g2, f2 = green_functions(eps + omega, D, Gamma, (offs[2], offs[3]))
    x, y = eps / T, (eps + omega) / T
    fd = _fermi_difference(x, y)
    coh = jnp.real(g1) * jnp.real(g2) + jnp.real(f1) * jnp.real(f2)
    s1 = 2.0 / omega * jnp.sum(w * fd * coh)
    hp = jnp.tanh(0.5 * x) + jnp.tanh(0.5 * y)
    im_rr = -jnp.imag(g1 * g2 + f1 * f2)
    im_ar = -jnp.imag(jnp.conj(g1) * g2 + jnp.conj(f1) * f2)
    s2 = 0.5 / omega * jnp.sum(w * (hp * im_rr - 2.0 * fd * im_ar))
    return jnp.where(sc, s1, 1.0) + 1j * jnp.where(sc, s2, 0.0)
