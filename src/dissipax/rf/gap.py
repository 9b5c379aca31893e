r"""Temperature dependence of the BCS gap, :math:`\Delta(T)/\Delta_0` (weak coupling).

The weak-coupling BCS gap equation (Tinkham, *Introduction to Superconductivity*, 2nd ed.,
§3.6, with the cutoff eliminated through :math:`T_c`) reads

.. math::  \ln\frac{T_c}{T} = \int_0^\infty \left[\frac{\tanh(\xi/2T)}{\xi}
           - \frac{\tanh(E/2T)}{E}\right] d\xi \equiv H(\Delta^2, T),
           \qquad E = \sqrt{\xi^2 + \Delta^2},

in units of :math:`\Delta_0 = \Delta(0)` with :math:`k_B T_c = (e^\gamma/\pi)\Delta_0`
(:data:`T_C`; :math:`\Delta_0/k_BT_c = \pi e^{-\gamma} \approx 1.764`).  :math:`H` is an
analytic, increasing function of :math:`x = \Delta^2` with :math:`H(0, T) = 0`, so the
equation is solved for :math:`x` (Newton in :math:`\ln x`): the root is regular at
:math:`T \to T_c`, where :math:`\Delta \approx 1.7367\,\Delta_0\sqrt{1 - t}`.

Numerics: the integrand is written without cancellation,

.. math::  \frac{(E - \xi)\tanh a - \xi\,\sinh(b - a)/(\cosh a\cosh b)}{\xi E},
           \quad a = \frac{\xi}{2T},\ b = \frac{E}{2T},\ E - \xi = \frac{x}{E + \xi},

integrated by Gauss-Legendre on :math:`[0, L]`, :math:`L = 40T` (node count from the
requested tolerance, :func:`dissipax.rf.quadrature.nodes_for_tolerance`: the nearest
singularity is the pole of :math:`\tanh(\xi/2T)` at :math:`\xi = i\pi T`), plus the exact tail
:math:`\int_L^\infty (1/\xi - 1/E)\,d\xi = \ln(1 + x/[2L(L + E_L)])` (the hyperbolic
tangents are 1 there to :math:`2e^{-40}`).

Derivatives: implicit function theorem on the converged root, :math:`dx/dt =
-\partial_t F/\partial_x F` (a ``jax.custom_jvp``), never through the iterations.

Strong coupling enters through :math:`\Delta_0/k_BT_c` only where temperatures are converted
(the :math:`\alpha` model of Padamsee, Schwarz & Halbritter, J. Low Temp. Phys. 12, 387
(1973)): :math:`\Delta(T)/\Delta_0` is taken as the BCS function of :math:`t = T/T_c`, and
:math:`T_c/\Delta_0 = 1/\alpha` with :math:`\alpha = \Delta_0/k_BT_c` a parameter of the
callers (``Tc`` of :func:`dissipax.rf.sigma_mattis_bardeen`, ``Delta0_K`` of the physical
front ends).
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import DomainError, guard
from . import _validate as _v
from . import quadrature as q

__all__ = ["T_C", "T_LOW", "T_REDUCED_MAX", "bcs_gap", "gap_equation_residual"]

#: Weak-coupling critical temperature in units of Delta0: k_B Tc = e^gamma/pi Delta0.
T_C = _v.T_C
#: Below this reduced temperature Delta/Delta0 = 1 to better than 3e-20 (1 - Delta ~
#: sqrt(2 pi T) e^{-1/T}): the gap is returned as exactly 1 with zero gradient.
T_LOW = 0.04
#: Largest accepted reduced temperature t = T/Tc: a larger value is almost surely a
#: temperature in kelvin (or in units of Delta0) passed as t.
T_REDUCED_MAX = 2.0
#: Upper limit of the xi integral in units of T (tanh = 1 beyond it to 2e^{-40}).
CUTOFF_XI = 40.0
#: Default relative tolerance of the gap equation's integral.
TOL_GAP = 1e-15
#: Newton steps (in ln Delta^2) from the tanh start: quadratic convergence reaches the
#: rounding floor in 3 for every t (measured on 4000 t in [0.04, 1 - 1e-9]: 3 and 8 steps
#: agree to 9e-16 absolute, 5e-14 relative); 4 leaves a margin.
NEWTON_STEPS = 4

T_UNITS = (
    "t is the reduced temperature T/Tc, dimensionless, 0 <= t <= "
    f"{T_REDUCED_MAX:g} (Delta = 0 for t >= 1): a value above {T_REDUCED_MAX:g} is almost surely "
    "a temperature in kelvin; divide by Tc"
)


@functools.cache
def _gap_nodes(tol: float) -> int:
    # Interval [0, L = 40 T] -> [-1, 1]; the pole of tanh(xi/2T) at xi = i pi T sits at
    # z = -1 + i pi / (CUTOFF_XI / 2).
    return q.nodes_for_tolerance(tol, complex(-1.0, math.pi / (CUTOFF_XI / 2.0)))


@functools.cache
def _h_nodes(n: int):
    # Nodes on [0, 1] and the T-independent factors of a = xi/2T = (CUTOFF_XI/2) x.
    rule = q.gauss_legendre(n)
    a = 0.5 * CUTOFF_XI * rule.x
    return rule.x, rule.w, np.tanh(a), 1.0 / np.cosh(a) ** 2


def _h_integral(x, T, n):
    r""":math:`H(x, T)` of the gap equation (module docstring), cancellation-free.

    With :math:`b = a + d`, :math:`\sinh d/(\cosh a\cosh b) = \operatorname{sech}^2 a\,
    \tanh d/(1 + \tanh a\tanh d)`; :math:`a = \xi/2T` is the same at every ``T`` on the
    scaled nodes, so one square root and one ``tanh`` per node remain.
    """
    x01, w01, th_a, sech2_a = _h_nodes(n)
    L = CUTOFF_XI * T
    xi = L * jnp.asarray(x01)
    w = L * jnp.asarray(w01)
    th_a = jnp.asarray(th_a)
    E = jnp.sqrt(xi * xi + x)
    e_minus_xi = x / (E + xi)
    td = jnp.tanh(e_minus_xi / (2.0 * T))
    integrand = (e_minus_xi * th_a - xi * jnp.asarray(sech2_a) * td / (1.0 + th_a * td)) / (xi * E)
    EL = jnp.sqrt(L * L + x)
    tail = jnp.log1p(x / (2.0 * L * (L + EL)))
    return jnp.sum(w * integrand) + tail


def gap_equation_residual(x, t, *, n: int):
    r"""Residual :math:`F(x, t) = \ln t + H(x, tT_c)` of the gap equation (0 at the root).

    Valid for
        :math:`x = \Delta^2/\Delta_0^2 \ge 0`, :math:`0 < t < 1` (scalars, traced kernel, no
        checks).
    """
    return jnp.log(t) + _h_integral(x, t * T_C, n)


def _start(t):
    # Delta/Delta0 ~ tanh(1.74 sqrt(1/t - 1)): a few 1e-3 off everywhere, exact limits.
    return jnp.tanh(1.74 * jnp.sqrt(1.0 / t - 1.0)) ** 2


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _solve_x(t, n):
    # Unrolled (a fori_loop around these small vmapped steps cost ~5x more on CPU); the
    # residual and its x-derivative from one forward-mode pass.
    y = jnp.log(_start(t))
    for _ in range(NEWTON_STEPS):
        x = jnp.exp(y)
        f, fx = jax.jvp(lambda xx: gap_equation_residual(xx, t, n=n), (x,), (jnp.ones_like(x),))
        y = y - jnp.clip(f / (fx * x), -2.0, 2.0)  # never leaves the basin on a far start
    return jnp.exp(y)


@_solve_x.defjvp
def _solve_x_jvp(n, primals, tangents):
    (t,) = primals
    (dt,) = tangents
    x = _solve_x(t, n)
    fx, ft = jax.grad(gap_equation_residual, argnums=(0, 1))(x, t, n=n)
    return x, -ft / fx * dt


def _gap_point(t, n):
    inside = t < 1.0
    t_in = jnp.clip(jnp.where(inside, t, 0.5), T_LOW, 1.0)
    low = t < T_LOW
    t_in = jnp.where(low, 0.5, t_in)
    delta = jnp.sqrt(_solve_x(t_in, n))
    return jnp.where(low, 1.0, jnp.where(inside, delta, 0.0))


def _check_t(t, name="t"):
    return guard(name, t, ge=0.0, le=T_REDUCED_MAX, valid=T_UNITS)


def bcs_gap(t, *, tol: float = TOL_GAP):
    r"""BCS gap :math:`\Delta(T)/\Delta_0` at the reduced temperature :math:`t = T/T_c`.

    Solves the weak-coupling gap equation (module docstring; Tinkham §3.6)

    .. math:: \ln\frac{1}{t} = \int_0^\infty \left[\frac{\tanh(\xi/2T)}{\xi}
       - \frac{\tanh(\sqrt{\xi^2+\Delta^2}/2T)}{\sqrt{\xi^2+\Delta^2}}\right] d\xi,
       \quad T = t\,T_c,\ T_c = \frac{e^\gamma}{\pi}\Delta_0,

    by Newton's method in :math:`\ln\Delta^2`, differentiated implicitly.

    Parameters
    ----------
    t
        Reduced temperature :math:`T/T_c` (array, any shape).
    tol
        Relative accuracy of the integral (static; sets the node count).

    Returns
    -------
    Array of the shape of ``t``: :math:`\Delta/\Delta_0 \in [0, 1]`.  Within 1e-14 of a direct
    SciPy ``brentq``/``quad`` solve (tested to 1e-10; relative 1e-10 down to
    :math:`1 - t = 10^{-8}`).

    Notes
    -----
    * :math:`t < T_{low} = 0.04`: exactly 1, gradient 0 (the true deficit
      :math:`\sqrt{2\pi T}e^{-1/T}` is below 3e-20).
    * :math:`t \ge 1`: exactly 0, gradient 0.  From below, :math:`\Delta \approx
      1.7367\sqrt{1 - t}` and :math:`d\Delta/dt \approx -0.868/\sqrt{1 - t}` diverges as
      :math:`t \to 1^-`; it is finite for every float :math:`t < 1` (about -9e7 at the
      largest float below 1), and the returned gradient jumps to 0 at :math:`t = 1` itself
      (the one-sided derivative there is :math:`-\infty`).
    * Strong coupling: the reduced gap is the same function of :math:`t` (the α model);
      :math:`\Delta_0/k_BT_c` enters where :math:`t` is formed (``Tc`` / ``Delta0_K`` of the
      callers).

    Valid for
        :math:`0 \le t \le 2` (``T_REDUCED_MAX``), finite; outside (a temperature in kelvin
        passed as ``t``, NaN, inf, complex): ``DomainError`` naming ``t``; under
        ``jit``/``vmap`` a run-time guard.  ``tol`` a float in ``[1e-15, 0.1]``.
    """
    if not isinstance(tol, float):
        raise DomainError(f"argument 'tol' must be a Python float; got {tol!r}")
    t = _check_t(t)
    return _gap_array(jnp.asarray(t, dtype=float), _gap_nodes(tol))


@functools.partial(jax.jit, static_argnums=1)
def _gap_array(t, n):
    shape = t.shape
    out = jax.vmap(functools.partial(_gap_point, n=n))(t.reshape(-1))
    return out.reshape(shape)


def gap_array(t, n: int | None = None):
    """Evaluate :func:`bcs_gap` on an array without checks (internal; callers validated ``t``).

    Valid for
        ``0 <= t`` (any shape), internal.
    """
    return _gap_array(jnp.asarray(t, dtype=float), _gap_nodes(TOL_GAP) if n is None else n)


#: Pieces of t in [T_LOW, 1] of the host interpolant (:func:`gap_host`) and its degree per
#: piece.  The first piece is the narrowest: Delta^2 has an essential singularity at t = 0.
_TABLE_EDGES = (T_LOW, 0.1, 0.25, 0.5, 1.0)
_TABLE_DEGREE = 20


@functools.cache
def _gap_table():
    # Chebyshev coefficients of g(t) = Delta(t)^2 / (1 - t) on each piece (g is analytic
    # through t = 1, where Delta^2 ~ 3.016 (1 - t)), interpolated at the Chebyshev points of
    # the first kind (interior: t = 1 itself is never a node) from gap_array.
    m = _TABLE_DEGREE + 1
    k = np.arange(m)
    z = np.cos(np.pi * (k + 0.5) / m)  # Chebyshev points on [-1, 1]
    a, b = np.array(_TABLE_EDGES[:-1]), np.array(_TABLE_EDGES[1:])
    t = 0.5 * (a + b)[:, None] + 0.5 * (b - a)[:, None] * z[None, :]  # (pieces, m)
    d = np.asarray(gap_array(t.reshape(-1))).reshape(t.shape)
    g = d * d / (1.0 - t)
    # discrete cosine transform: c_j = (2/m) sum_k g_k cos(j theta_k), c_0 halved
    cos = np.cos(np.outer(k, np.pi * (k + 0.5) / m))  # (j, k)
    coef = (2.0 / m) * g @ cos.T
    coef[:, 0] *= 0.5
    coef.setflags(write=False)
    return coef


def gap_host(t):
    r""":func:`bcs_gap` on the host (NumPy, concrete ``t``), from a piecewise interpolant.

    :math:`g(t) = \Delta^2/(1 - t)` is analytic on :math:`[T_{low}, 1]` (through
    :math:`T_c`); it is interpolated by Chebyshev polynomials of degree 20 on four pieces
    (built once, from 84 solves of :func:`gap_array`), and :math:`\Delta =
    \sqrt{g(t)(1 - t)}`.  Exactly 1 below :data:`T_LOW` and 0 at :math:`t \ge 1`, as
    :func:`bcs_gap`.  Within 5e-14 (relative) of :func:`gap_array` for :math:`1 - t \ge
    10^{-4}`, 2e-13 for :math:`1 - t \ge 10^{-12}` (where :func:`gap_array` itself scatters
    at that level; measured on 20000 points, tested).  No gradient (NumPy): the traced paths
    use :func:`gap_array`.

    Valid for
        concrete real ``t`` (any shape; ``0 <= t``), checked by the callers; internal.
    """
    t = np.asarray(t, dtype=float)
    coef = _gap_table()
    edges = np.asarray(_TABLE_EDGES)
    inside = (t >= T_LOW) & (t < 1.0)
    tc = np.where(inside, t, 0.5)
    piece = np.clip(np.searchsorted(edges, tc, side="right") - 1, 0, coef.shape[0] - 1)
    a, b = edges[piece], edges[piece + 1]
    z = np.clip((2.0 * tc - (a + b)) / (b - a), -1.0, 1.0)
    # T_j(z) = cos(j arccos z) for all degrees in one array pass (a Clenshaw recurrence is
    # ~80 NumPy calls: ~170 us on 100 values against ~70 us, the same max error 2e-14)
    cheb = np.cos(np.arccos(z)[..., None] * np.arange(coef.shape[1]))
    g = np.einsum("...j,...j->...", coef[piece], cheb)
    delta = np.sqrt(np.maximum(g * (1.0 - tc), 0.0))
    return np.where(t < T_LOW, 1.0, np.where(inside, delta, 0.0))
