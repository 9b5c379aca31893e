r"""Quasi-static Usadel equation under a uniform supercurrent (Gurevich 2014, Eqs. 2, 6-9, 33).

Energies in units of :math:`\Delta_0 = \Delta(T=0, Q=0)`; the pair-breaking parameter
:math:`s = DQ^2/2 = \beta\Delta_0` with :math:`\beta = (H/2H_c)^2`.

The retarded Green function :math:`G^R = \cosh(u + iv)` solves Eq. (33),
:math:`\epsilon + i s\cosh\theta = \Delta\coth\theta`.  Its real part gives
:math:`\epsilon\sinh u - \Delta\cosh u = s\cosh 2u\,\sin v` (for :math:`\cos v \ne 0`), its
imaginary part the quadratic :math:`s\cosh u\sin^2 v + \Delta\sin v + s\sinh^2 u\cosh u = 0`
(Eq. 8), and eliminating :math:`v` the cubic
:math:`s^2 x^3 + (\epsilon^2 - \Delta^2 + s^2)x - 2\epsilon\Delta = 0` for :math:`x = \sinh 2u`
whose Cardano root is Eqs. (6)-(7).  Numerically stable forms used here:

* **Eq. (6)** is evaluated as :math:`x = 2\epsilon\Delta / (a^2 + ab + b^2)`,
  :math:`a = (r + \epsilon\Delta s)^{1/3}`, :math:`b = (r - \epsilon\Delta s)^{1/3}` (real,
  sign-preserving cube roots; :math:`a^3 - b^3 = 2\epsilon\Delta s` divides out).  The
  printed difference :math:`[a - b]/s` cancels catastrophically for small :math:`s`
  (all digits lost at :math:`s \lesssim 10^{-8}`); this form is exact at :math:`s = 0`
  (BCS: :math:`x = 2\epsilon\Delta/(\epsilon^2 - \Delta^2)`).
* **Eq. (7)**: :math:`r^2` vanishes at the spectral gap.  With :math:`w = \epsilon^{2/3}`,
  :math:`a = \Delta^{2/3}`, :math:`b = s^{2/3}` it factorises exactly as
  :math:`27 r^2 = (w + b - a)\,Q\,R`, :math:`Q = w^2 + a^2 + b^2 - wb + ab + aw > 0`,
  :math:`R = X^2 - 3wabX + 9w^2a^2b^2 > 0`, :math:`X = \epsilon^2 + s^2 - \Delta^2`, and
  :math:`w + b - a = \epsilon^{2/3} - \epsilon_g^{2/3}` is computed from
  :math:`\delta = \epsilon - \epsilon_g` without cancellation.  Internally all energies are
  carried as :math:`(\delta, s)`.
* **Eq. (8)**: the printed '+' root, rationalised,
  :math:`\sin v = -2s\sinh^2 u\cosh u / [\Delta + (\Delta^2 - s^2\sinh^2 2u)^{1/2}]`
  (no cancellation at small :math:`s`).  *Branch:* the physical root is the one that also
  satisfies the real part of Eq. (33).  At the gap edge :math:`s\cosh^3 u = \Delta` and
  :math:`\sin v = -1`; the '+' root reaches :math:`-1` there only if
  :math:`\Delta \ge 2s\cosh u`, i.e. for :math:`s < s^* = 1/(2^{3/2} + \pi/4) \approx
  0.277`.  Above :math:`s^*` the '+' root is unphysical near :math:`\epsilon_g` (it gives a
  finite DOS at the edge).  :math:`s^*` lies above the superheating field
  (:math:`\beta_{sh} = (0.84/2)^2 \approx 0.176`), where the Meissner state does not
  exist, so dissipax supports :math:`0 \le s \le` :data:`S_MAX` :math:`= 0.25` (covering
  Fig. 2 at :math:`s = 0.2` with a margin to :math:`s^*`) and rejects larger :math:`s`.
* :math:`\cos v = [(1 + \sin v)(1 - \sin v)]^{1/2}`.  Near the edge :math:`1 + \sin v
  \propto \delta` would be a difference of O(1) numbers; there (:math:`\sin v < -1/2`) it is
  rewritten as :math:`2(\Delta - s\cosh^3 u)/(\sqrt{D} + \Delta - 2s\cosh u)` with
  :math:`\Delta - s\cosh^3 u` expressed through :math:`r^2` and :math:`\delta` as a product of
  non-vanishing factors (:func:`_one_plus_sin_v_edge`), so :math:`N/\sqrt{\delta}` keeps full
  precision down to :math:`\delta = 10^{-14}s^{2/3}` (tested).
* Derivatives of :math:`x` are taken by implicit differentiation of the cubic (a
  ``custom_jvp``), so they stay finite where a cube-root argument crosses zero.

The spectral gap (Eq. 9): :math:`\epsilon_g^{2/3} = \Delta^{2/3} - s^{2/3}`,
:math:`\Delta = \Delta_0 - \pi s/4`.  Eq. (9) gives :math:`\epsilon_g \approx 0.454\Delta_0`
at the superheating field :math:`H = 0.84H_c` (:math:`s = 0.1764`), not the
":math:`\simeq 0.3\Delta_0`" of the text.  :math:`d\epsilon_g/ds \propto -s^{-1/3}`
diverges at :math:`s = 0`; at :math:`s = 0` exactly the :math:`s^{2/3}` terms are given a zero
derivative (double-where), so gradients are finite everywhere and exact for
:math:`s > 0`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from .._checks import check_broadcast, guard
from .._precision import eps as working_eps
from . import _validate as _v

#: Largest pair-breaking parameter where the '+' root of Eq. (8) is physical.
S_STAR = _v.S_STAR
#: Largest supported pair-breaking parameter s = beta * Delta0 (and beta_a).
S_MAX = _v.S_MAX
#: beta at the superheating field H_sh = 0.84 H_c (beta = (H/2H_c)^2).
BETA_SUPERHEATING = _v.BETA_SUPERHEATING


def check_s(s, name: str = "s"):
    """Validate a pair-breaking parameter (``0 <= s <= S_MAX``); return it.

    Valid for
        any input.  Concrete values outside 0 <= s <= 0.25 (:data:`S_MAX`), NaN, inf,
        complex or non-numeric input raise ``DomainError`` naming ``name``; a traced value
        comes back with a run-time guard of the same range (use the returned value).
    """
    return _v.pair_breaking(s, name)


def _pow_safe(s, p):
    """``s**p`` for ``s >= 0`` with a zero (finite) derivative at ``s = 0``."""
    pos = s > 0
    return jnp.where(pos, jnp.where(pos, s, 1.0) ** p, 0.0)


def _gap(s):
    return 1.0 - jnp.pi * s / 4.0


def _spectral_gap(s):
    delta_ = _gap(s)
    return (delta_ ** (2.0 / 3.0) - _pow_safe(s, 2.0 / 3.0)) ** 1.5


def pairbreaking_gap(s):
    r"""Order parameter under current, :math:`\Delta(s) = \Delta_0 - \pi s/4` (Eq. 9).

    First order in :math:`s`, from the T = 0 gap equation (Eqs. 38-39).

    Parameters
    ----------
    s
        Pair-breaking parameter :math:`s = \beta\Delta_0` (units of :math:`\Delta_0`), any shape.

    Returns
    -------
    Array of the shape of ``s``, in units of :math:`\Delta_0`.

    Valid for
        :math:`0 \le s \le 0.25` (:data:`S_MAX`, dimensionless, units of :math:`\Delta_0`).
        Outside (or NaN, inf, complex): ``DomainError`` naming ``s``; under ``jit``/``vmap``
        a run-time guard.  Exact (one rounding).
    """
    s = check_s(s)
    return _gap(jnp.asarray(s, dtype=float))


def spectral_gap(s):
    r"""Quasiparticle (spectral) gap :math:`\epsilon_g(s)`, Eq. (9).

    :math:`\epsilon_g^{2/3} = \Delta^{2/3} - s^{2/3}`, the energy below which
    :math:`N(\epsilon) = 0`.  At the superheating field (:math:`s = 0.1764`) it is
    :math:`\approx 0.454\Delta_0`.

    Parameters
    ----------
    s
        Pair-breaking parameter (units of :math:`\Delta_0`), any shape.

    Returns
    -------
    Array of the shape of ``s``.  The derivative is exact for :math:`s > 0` and set to the
    finite value :math:`-\pi/4` (the :math:`s^{2/3}` term's diverging slope dropped) at
    :math:`s = 0`.

    Valid for
        :math:`0 \le s \le 0.25` (units of :math:`\Delta_0`); :math:`\epsilon_g` falls from 1
        to 0.320 there.  Outside: ``DomainError`` naming ``s`` (run-time guard under
        ``jit``/``vmap``).
    """
    s = check_s(s)
    return _spectral_gap_jit(jnp.asarray(s, dtype=float))


_spectral_gap_jit = jax.jit(_spectral_gap)


@jax.custom_jvp
def _sinh2u(eps, gap, s, rsq, big_x):
    """Root x = sinh 2u of the cubic (Eqs. 6-7) in the cancellation-free form.

    ``rsq`` = r^2 and ``big_x`` = eps^2 + s^2 - gap^2 are passed precomputed (from delta,
    without cancellation); they are functions of (eps, gap, s) and carry no own tangent.
    """
    r = jnp.sqrt(rsq)
    m = eps * gap * s
    a = jnp.cbrt(r + m)
    b = jnp.cbrt(r - m)
    return 2.0 * eps * gap / (a * a + a * b + b * b)


@_sinh2u.defjvp
def _sinh2u_jvp(primals, tangents):
    # Implicit differentiation of P(x) = s^2 x^3 + (eps^2 - gap^2 + s^2) x - 2 eps gap = 0.
    eps, gap, s, rsq, big_x = primals
    d_eps, d_gap, d_s, _, _ = tangents
    x = _sinh2u(eps, gap, s, rsq, big_x)
    p_x = 3.0 * s**2 * x**2 + big_x
    p_eps = 2.0 * eps * x - 2.0 * gap
    p_gap = -2.0 * gap * x - 2.0 * eps
    p_s = 2.0 * s * x**3 + 2.0 * s * x
    return x, -(p_eps * d_eps + p_gap * d_gap + p_s * d_s) / p_x


def _rsq(eps, eps_g, delta, gap, s):
    """``(r^2, X)`` of Eq. (7) from delta: r^2 factorised, proportional to eps^(2/3) - eps_g^(2/3).

    ``X = eps^2 + s^2 - gap^2 = -3 gap^(2/3) s^(2/3) eps_g^(2/3) + delta (2 eps_g + delta)``
    (Eq. 9 gives the first term exactly), so neither vanishing factor is a difference.
    """
    w = eps ** (2.0 / 3.0)
    wg = eps_g ** (2.0 / 3.0)
    a = gap ** (2.0 / 3.0)
    b = _pow_safe(s, 2.0 / 3.0)
    big_x = -3.0 * a * b * wg + delta * (2.0 * eps_g + delta)
    wab = w * a * b
    q = w * w + a * a + b * b - w * b + a * b + a * w
    r = big_x**2 - 3.0 * wab * big_x + 9.0 * wab**2
    dw = delta * (eps + eps_g) / (w * w + w * wg + wg * wg)
    return dw * q * r / 27.0, big_x


def _sqrt_safe(x):
    pos = x > 0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, x, 1.0)), 0.0)


def spectral_terms(delta, s):
    r"""Green-function factors at :math:`\epsilon = \epsilon_g(s) + \delta`, :math:`\delta \ge 0`.

    Internal pointwise kernel (broadcasts).  Returns ``(cosh_u, sinh_u, sin_v, cos_v)``.

    Valid for
        :math:`\delta \ge 0`, :math:`0 \le s \le 0.25` (units of :math:`\Delta_0`); no
        argument checks (a traced kernel: garbage in, garbage out).  Use :func:`usadel_uv`
        or :func:`dos` for checked input.
    """
    gap = _gap(s)
    eps_g = _spectral_gap(s)
    eps = eps_g + delta
    rsq, big_x = _rsq(eps, eps_g, delta, gap, s)
    x = _sinh2u(eps, gap, s, jnp.maximum(rsq, 0.0), big_x)
    ch2 = jnp.hypot(1.0, x)
    cosh_u = jnp.sqrt((1.0 + ch2) / 2.0)
    sinh_u = x / (2.0 * cosh_u)
    root_d = jnp.sqrt(jnp.maximum(gap**2 - (s * x) ** 2, 0.0))
    sin_v = -2.0 * s * sinh_u**2 * cosh_u / (gap + root_d)
    # Near the edge 1 + sin v -> 0: take it from the cancellation-free chain (double where).
    use = (s > 0) & (sin_v < -0.5)
    eta_edge = _one_plus_sin_v_edge(
        jnp.where(use, delta, 0.0),
        jnp.where(use, s, 0.1),
        jnp.where(use, eps, 1.0),
        jnp.where(use, eps_g, 0.5),
        jnp.where(use, gap, 0.9),
        jnp.where(use, rsq, 0.0),
        jnp.where(use, x, 1.0),
        jnp.where(use, cosh_u, 1.5),
        jnp.where(use, root_d, 0.5),
    )
    eta = jnp.where(use, eta_edge, 1.0 + sin_v)
    cos_v = _sqrt_safe(eta * (2.0 - eta))
    return cosh_u, sinh_u, eta - 1.0, cos_v


def _one_plus_sin_v_edge(delta, s, eps, eps_g, gap, rsq, x, cosh_u, root_d):
    r""":math:`1 + \sin v` near :math:`\epsilon_g` as products of non-vanishing factors (s > 0).

    With :math:`1 + \sin v = 2(\Delta - s c^3)/(\sqrt{D} + \Delta - 2sc)`, :math:`c = \cosh u`,
    and :math:`c_g^3 = \Delta/s` at the edge: :math:`\Delta - s c^3 = s(c_g - c)(c_g^2 + c_g c +
    c^2)`, :math:`c_g - c` from :math:`x_g - x` (:math:`x = \sinh 2u`) through
    :math:`\cosh 2u = (1 + x^2)^{1/2}`, and, with :math:`p, q = (\epsilon\Delta s \pm r)^{1/3}`,
    :math:`k = (\epsilon_g\Delta s)^{1/3}`, :math:`x = (p + q)/s`, :math:`x_g = 2k/s`:
    :math:`x_g - x = [2r^2(p + q + k)/(p^2 + pq + q^2) - \delta\Delta s(P + Q)]/(sPQ)`,
    :math:`P = p^2 + pk + k^2`, :math:`Q = q^2 + qk + k^2` (the two terms differ by a factor
    >= 1.8 on the supported range, so nothing cancels).
    """
    r = jnp.sqrt(rsq)
    m = eps * gap * s
    k = jnp.cbrt(eps_g * gap * s)
    p = jnp.cbrt(m + r)
    q = jnp.cbrt(m - r)
    big_p = p * p + p * k + k * k
    big_q = q * q + q * k + k * k
    a = p * p + p * q + q * q
    xg_minus_x = (2.0 * rsq * (p + q + k) / a - delta * gap * s * (big_p + big_q)) / (
        s * big_p * big_q
    )
    xg = 2.0 * k / s
    ch2, ch2g = jnp.hypot(1.0, x), jnp.hypot(1.0, xg)
    cg = jnp.sqrt((1.0 + ch2g) / 2.0)
    cg_minus_c = xg_minus_x * (xg + x) / (ch2g + ch2) / 2.0 / (cg + cosh_u)
    gap_minus_sc3 = s * cg_minus_c * (cg * cg + cg * cosh_u + cosh_u * cosh_u)
    return 2.0 * gap_minus_sc3 / (root_d + gap - 2.0 * s * cosh_u)


def density_terms(delta, s):
    r"""``(N, P) = (cosh u cos v, sinh u cos v)`` at :math:`\epsilon_g + \delta` (internal).

    :math:`N` is the density of states, :math:`P` the anomalous spectral factor; the
    coherence factor of Eq. (5) is :math:`M = N N' + P P'`.

    Valid for
        as :func:`spectral_terms` (no argument checks; a traced kernel).
    """
    cosh_u, sinh_u, _, cos_v = spectral_terms(delta, s)
    return cosh_u * cos_v, sinh_u * cos_v


def _check_eps(eps, s, *, allow_gap: bool):
    """Validate (and guard when traced) ``eps >= 0`` (or ``>= eps_g(s)``) and ``s``."""
    check_broadcast(eps=eps, s=s)
    eps = guard("eps", eps, ge=0.0, valid="quasiparticle energy in units of Delta0")
    s = check_s(s)
    if not allow_gap:
        # eps_g from NumPy (concrete) or JAX (guard) may differ from the kernel's by a few ulp
        # of the working dtype (float32 under DISSIPAX_X64=0)
        slack = 1.0 - _v.GAP_SLACK_ULP * working_eps()
        eps = _v.bound(
            "eps",
            eps,
            lambda s_: slack * _v.spectral_gap_np(s_),
            lambda s_: slack * _v.spectral_gap_jnp(s_),
            (s,),
            op=">=",
            what="eps_g(s)",
            valid="the spectral gap of Eq. (9), where the Cardano solution (Eqs. 6-8) applies; "
            "below it use dos(), which is 0 there",
        )
    return eps, s


def usadel_uv(eps, s):
    r"""Spectral angles :math:`(u, v)` of :math:`G^R = \cosh(u + iv)`, Eqs. (6)-(8).

    Parameters
    ----------
    eps
        Energy :math:`\epsilon \ge \epsilon_g(s)` in units of :math:`\Delta_0`.
    s
        Pair-breaking parameter, broadcasting with ``eps``.

    Returns
    -------
    (u, v)
        Arrays of the broadcast shape; :math:`u \ge 0`, :math:`-\pi/2 \le v \le 0`
        (:math:`v = -\pi/2` at the edge, :math:`v = 0` for :math:`s = 0`).  Physical
        retarded branch (see the module docstring for the branch of Eq. 8).

    Valid for
        :math:`0 \le s \le 0.25`, :math:`\epsilon \ge \epsilon_g(s)` (Eq. 9; a relative
        slack of 16 ulp of the working dtype is accepted), both in units of
        :math:`\Delta_0`.  Below the gap the solution is not given by Eqs. (6)-(8) (use
        :func:`dos`, which is 0 there).  At :math:`s = 0` the edge :math:`\epsilon = 1` is
        the BCS singularity (:math:`u = \infty`).  Outside
        (or NaN, inf, complex, shapes that do not broadcast): ``DomainError`` naming ``eps``
        or ``s``; under ``jit``/``vmap`` run-time guards on both.
    """
    eps, s = _check_eps(eps, s, allow_gap=False)
    return _usadel_uv(jnp.asarray(eps, dtype=float), jnp.asarray(s, dtype=float))


@jax.jit
def _usadel_uv(eps, s):
    delta = eps - _spectral_gap(s)
    above = delta > 0
    cosh_u, sinh_u, sin_v, cos_v = spectral_terms(jnp.where(above, delta, 1.0), s)
    u = jnp.arcsinh(2.0 * sinh_u * cosh_u) / 2.0
    v = jnp.arctan2(sin_v, cos_v)
    # At the edge (double where; finite gradient, the diverging eps-slope dropped as in dos):
    # cosh^3 u = Delta/s and v = -pi/2 for s > 0; the BCS edge s = 0 has u = +inf, v = 0
    # (the Cardano form would give inf/inf = NaN there).
    pos = s > 0
    s_pos = jnp.where(pos, s, 1.0)
    # arccosh c, c^3 = Delta/s, in logs: finite value and gradient down to s = 1e-300
    log_c = (jnp.log(_gap(s_pos)) - jnp.log(s_pos)) / 3.0
    u_g = log_c + jnp.log1p(jnp.sqrt(-jnp.expm1(-2.0 * log_c)))
    u_edge = jnp.where(pos, u_g, jnp.inf)
    v_edge = jnp.where(pos, -jnp.pi / 2.0, 0.0)
    return jnp.where(above, u, u_edge), jnp.where(above, v, v_edge)


def dos(eps, s):
    r"""Density of states under current, :math:`N/N_0 = \cosh u\cos v` (Eqs. 6-9, Fig. 2).

    Parameters
    ----------
    eps
        Energy :math:`\epsilon \ge 0` in units of :math:`\Delta_0`.
    s
        Pair-breaking parameter, broadcasting with ``eps``.

    Returns
    -------
    Array of the broadcast shape: 0 for :math:`\epsilon < \epsilon_g(s)`, the BCS
    :math:`\epsilon/\sqrt{\epsilon^2 - 1}` at :math:`s = 0` (infinite at the BCS edge).

    Valid for
        :math:`0 \le s \le 0.25`, :math:`\epsilon \ge 0` (units of :math:`\Delta_0`, finite).
        Outside (or NaN, inf, complex, shapes that do not broadcast): ``DomainError`` naming
        ``eps`` or ``s``; under ``jit``/``vmap`` run-time guards.
    """
    eps, s = _check_eps(eps, s, allow_gap=True)
    return _dos(jnp.asarray(eps, dtype=float), jnp.asarray(s, dtype=float))


@jax.jit
def _dos(eps, s):
    delta = eps - _spectral_gap(s)
    above = delta > 0
    n, _ = density_terms(jnp.where(above, delta, 1.0), s)
    return jnp.where(above, n, 0.0)
