r"""An inhomogeneous film: a Gaussian distribution of Tc, averaged in the surface impedance.

A real film's transition is broadened: grain size, thickness and strain vary along the
strip, and with them the local Tc.  Model: the film is made of patches, each a uniform
BCS superconductor of its own :math:`T_c`, distributed as a Gaussian of mean
:math:`\bar T_c` and width :math:`\sigma_{T_c}` (``Tc_spread_K``); every patch has the same
normal-state conductivity :math:`\sigma_n` and the same gap ratio :math:`\Delta_0/k_BT_c`.

**What is averaged.**  The resonator probes the film through its surface impedance: to
first order the complex frequency shift is the surface integral

.. math::

    \frac{\delta f}{f} - \frac{i}{2}\,\delta\frac{1}{Q} = -\frac{\alpha_k}{2}\,
    \frac{\int \delta Z_s\,|H_t|^2\,dA}{i X_s(0) \int |H_t|^2\,dA}

(Slater's cavity perturbation with the Leontovich surface-impedance boundary condition;
Gao, PhD thesis, Caltech (2008), Sec. 2; Zmuidzinas, Annu. Rev. Condens. Matter Phys. 3,
169 (2012), Eq. (10)): dissipated power :math:`\tfrac12\int R_s|H|^2dA` and kinetic energy
:math:`\propto\int X_s|H|^2dA` are local.  Patches much larger than λ and ξ0 but much
smaller than the resonator (so that :math:`|H_t|^2` does not correlate with Tc) therefore
enter through the area-weighted mean of the complex :math:`Z_s`, i.e. of :math:`R_s` and
:math:`X_s` separately.  This is also the series rule of circuit theory: patches following
each other along the current path carry the same current, their impedances (kinetic
inductances and resistances) add.  The opposite rule, averaging the admittance :math:`1/Z_s`
(patches side by side across the strip, which would redistribute the current towards the
lower-inductance patches), and effective-medium mixtures between the two (Bruggeman,
Ann. Phys. 416, 636 (1935); Landauer, AIP Conf. Proc. 40, 2 (1978)) are not used: for a
strip much longer than it is wide, a random patch pattern is seen mostly in series, and to
first order in the perturbation the field pattern is that of the unperturbed resonator.

In the ratios the fit uses (:func:`~dissipax.rf.resonator.impedance_ratios`, normalised by
each Tc's own :math:`X_s(0)`), with :math:`X_{0,k} = X_s(0; T_{c,k})` in Tc-independent
units (:func:`~dissipax.rf.resonator.temperature.reference_reactance`),

.. math::

    \frac{\langle R_s(T)\rangle}{\langle X_s(0)\rangle}
        = \frac{\sum_k w_k X_{0,k}\,\rho_k}{\sum_k w_k X_{0,k}}, \qquad
    \frac{\langle X_s(T)\rangle}{\langle X_s(0)\rangle} - 1
        = \frac{\sum_k w_k X_{0,k}\,\xi_k}{\sum_k w_k X_{0,k}},

:math:`\rho_k = R_s/X_s(0)`, :math:`\xi_k = X_s/X_s(0) - 1` of patch k, :math:`w_k` its area
fraction (sums become integrals over the Gaussian: :func:`series_average`, with the
quadrature below).
Where every patch is normal, :math:`X_{0,k}\rho_k = R_n` and :math:`X_{0,k}(1+\xi_k) = X_n`
for all k, so the average is exactly the normal state :math:`Z_n/\langle X_s(0)\rangle`.

**Quadrature.**  As a function of a patch's Tc, the ratios at a fixed temperature
:math:`T_i` have a kink at :math:`T_c = T_i` (the gap opens as :math:`\sqrt{1 - T_i/T_c}`).
A fixed Gauss–Hermite rule over the whole Gaussian converges only algebraically across it
(measured at 48 nodes: 1e-2 in :math:`R_s/X_s(0)` in the transition), and worse, its sum
has a kink each time a node crosses :math:`T_i`, so the model's Jacobian jumps with Tc and
σ and Levenberg–Marquardt stalls.  The average is therefore split at the kink of each
temperature (:func:`series_average`):

* normal patches (:math:`T_c < T_i`) all have the same :math:`Z_n`: their part is
  :math:`Z_n\,\Phi((T_i - \bar T_c)/\sigma)` in closed form;
* superconducting patches (:math:`T_c > T_i`): Gauss–Legendre (:data:`N_SC` nodes) in
  :math:`s = \sqrt{T_c - T_i}`, the variable in which the ratios are smooth down to the
  onset (as in :mod:`.chebyshev`), over :math:`T_c \in [\max(T_i, \bar T_c - X\sigma),
  \bar T_c + X\sigma]`, :math:`X` = :data:`X_MAX` (tails beyond carry < 1e-15);
* the denominator :math:`\langle X_s(0)\rangle` (smooth in Tc) by Gauss–Hermite
  (probabilists' weight, ``numpy.polynomial.hermite_e.hermegauss``, :data:`N_GH` nodes).

Nodes and weights move smoothly with :math:`\bar T_c` and σ, so the model stays one
jit/grad-compatible expression with a continuous Jacobian.  σ = 0 is the single-Tc model
exactly (a ``where`` branch, NaN-safe in the gradient).  Accuracy against SciPy's adaptive
quadrature: ``tests/rf_resonator/test_tc_spread.py`` (the node counts are its measured
choice).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.special
import numpy as np

from ..._checks import DomainError

__all__ = [
    "N_GH",
    "N_SC",
    "X_MAX",
    "check_spread",
    "gauss_hermite",
    "normal_fraction",
    "series_average",
    "superconducting_nodes",
]

#: Gauss-Hermite nodes of <X_s(0)> (a smooth function of Tc: converged to rounding)
N_GH = 32
#: Gauss-Legendre nodes in s = sqrt(Tc - T) over the superconducting patches
N_SC = 48
#: the Gaussian is cut at Tc_mean ± X_MAX sigma (tail mass 1.2e-15)
X_MAX = 8.0


def gauss_hermite(n: int = N_GH):
    """Nodes x_k and weights w_k of ∫ g(x) e^{-x²/2}/√(2π) dx ≈ Σ w_k g(x_k) (Σ w_k = 1).

    Valid for
        n >= 1 (NumPy float64 arrays of shape (n,)).
    """
    x, w = np.polynomial.hermite_e.hermegauss(int(n))
    return x, w / np.sqrt(2.0 * np.pi)


def check_spread(Tc_spread_K) -> None:
    """Raise :class:`DomainError` unless the Tc spread is a finite number >= 0 [K].

    Valid for
        concrete scalars (traced values are not checked: the fit's bounds hold them).
    """
    try:
        v = float(Tc_spread_K)
    except (TypeError, ValueError, jax.errors.ConcretizationTypeError):
        return
    if not np.isfinite(v) or v < 0:
        raise DomainError(
            f"argument 'Tc_spread_K' must be a finite standard deviation of Tc >= 0 in "
            f"kelvin; got {Tc_spread_K!r}"
        )


def _safe_sqrt(a):
    """sqrt(max(a, 0)) with a finite gradient at 0 (double where)."""
    pos = a > 0
    return jnp.where(pos, jnp.sqrt(jnp.where(pos, a, 1.0)), 0.0)


def normal_fraction(T_K, Tc_K, sigma):
    r"""Fraction of normal patches, :math:`P(T_c < T) = \Phi((T - \bar T_c)/\sigma)`.

    Valid for
        sigma > 0 [K]; jnp.
    """
    return 0.5 * jax.scipy.special.erfc((Tc_K - T_K) / (np.sqrt(2.0) * sigma))


def superconducting_nodes(T_K, Tc_K, sigma, n: int = N_SC):
    r"""Nodes and weights of :math:`\int_{T_c > T} g(T_c)\,p(T_c)\,dT_c` per temperature.

    Gauss–Legendre in :math:`s = \sqrt{T_c - T}` over :math:`T_c \in [\max(T, \bar T_c -
    X\sigma), \bar T_c + X\sigma]` (module docstring), Gaussian density
    :math:`p = \varphi((T_c - \bar T_c)/\sigma)/\sigma` and Jacobian :math:`2s` in the
    weights.

    Parameters
    ----------
    T_K
        Temperatures [K], shape (n_T,).
    Tc_K, sigma
        Mean and standard deviation of the Gaussian [K] (sigma > 0).
    n
        Gauss–Legendre node count.

    Returns
    -------
    (Tc_ij, W_ij)
        Shapes (n_T, n); W = 0 where every patch is normal at T.

    Valid for
        sigma > 0; jnp (jit, grad: finite also where the range closes).
    """
    T = jnp.asarray(T_K)[:, None]
    u, v = np.polynomial.legendre.leggauss(int(n))
    lo = jnp.maximum(T, Tc_K - X_MAX * sigma)
    a = _safe_sqrt(lo - T)
    b = _safe_sqrt(Tc_K + X_MAX * sigma - T)
    half = 0.5 * jnp.maximum(b - a, 0.0)
    s = 0.5 * (a + b) + half * u
    tc = T + s * s
    z = (tc - Tc_K) / sigma
    w = v * half * 2.0 * s * jnp.exp(-0.5 * z * z) / (np.sqrt(2.0 * np.pi) * sigma)
    return tc, w


def series_average(T_K, Tc_K, Tc_spread_K, ratios, reactance, normal_tc):
    r"""Series (surface-impedance) average of the ratios over a Gaussian Tc distribution.

    .. math::

        \frac{\langle R_s\rangle}{\langle X_s(0)\rangle} = \frac{\Phi_i R_n +
            \sum_j W_{ij} X_{0}(T_{c,ij})\,\rho(T_i; T_{c,ij})}{\sum_k w_k X_0(\bar T_c +
            \sigma x_k)},

    likewise :math:`\langle X_s\rangle/\langle X_s(0)\rangle - 1` with :math:`X_n` and
    :math:`1 + \xi` (module docstring).

    Parameters
    ----------
    T_K
        Temperatures [K], shape (n_T,).
    Tc_K, Tc_spread_K
        Mean Tc and its standard deviation σ >= 0 [K] (scalars).
    ratios
        ``ratios(tc) -> (rho, xi)``: the single-Tc ratios :math:`R_s/X_s(0)`,
        :math:`X_s/X_s(0) - 1` at the temperatures, ``tc`` of shape (n_T, m) (column i at
        ``T_K[i]``), results of the same shape.
    reactance
        ``reactance(tc) -> X_s(0)`` in Tc-independent units, any shape.
    normal_tc
        (n_T,) a Tc below each temperature (a normal patch) at which ``ratios`` gives
        the normal state; where it is not below T_K the normal patches are left out
        (their fraction must then be negligible).

    Returns
    -------
    (rs, dx)
        Shapes (n_T,); σ = 0: ``ratios`` at Tc_K exactly.

    Valid for
        Tc_spread_K >= 0 and below Tc_K / 8 (every node at a positive Tc); jnp (jit, grad
        in Tc_K and σ, also at σ = 0).
    """
    check_spread(Tc_spread_K)
    T = jnp.asarray(T_K)
    spread = Tc_spread_K > 0
    # sigma = 0 takes the single-Tc branch; the other is evaluated (and discarded) at a
    # harmless width, so that its nodes stay at valid Tc and its gradient finite
    sig = jnp.where(spread, Tc_spread_K, 1e-3 * Tc_K)
    # the single-Tc model (the sigma = 0 branch)
    rho1, xi1 = ratios(jnp.broadcast_to(Tc_K, T.shape)[:, None])
    # normal patches: one value per temperature, the same for every normal Tc
    tn = jnp.asarray(normal_tc)[:, None]
    rho_n, xi_n = ratios(tn)
    x0_n = reactance(tn)
    frac = jnp.where(jnp.asarray(normal_tc) < T, normal_fraction(T, Tc_K, sig), 0.0)
    # superconducting patches
    tc, w = superconducting_nodes(T, Tc_K, sig, N_SC)
    rho, xi = ratios(tc)
    q = w * reactance(tc)
    x, wh = gauss_hermite(N_GH)
    x0_mean = jnp.sum(wh * reactance(Tc_K + sig * jnp.asarray(x)))
    num_r = frac * (x0_n * rho_n)[:, 0] + jnp.sum(q * rho, axis=-1)
    num_x = frac * (x0_n * (1.0 + xi_n))[:, 0] + jnp.sum(q * (1.0 + xi), axis=-1)
    rs = num_r / x0_mean
    dx = (num_x - x0_mean) / x0_mean
    return jnp.where(spread, rs, rho1[:, 0]), jnp.where(spread, dx, xi1[:, 0])
