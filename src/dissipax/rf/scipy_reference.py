r"""Independent float64 SciPy reference for :mod:`dissipax.rf` (tests and benchmarks; slow).

Nothing here shares code with the JAX implementation:

* :func:`uv_tracked` solves the complex Usadel equation (33) directly: with
  :math:`w = e^{u+iv}` it is the quartic :math:`isw^4 + 2(\epsilon-\Delta)w^3 -
  2(\epsilon+\Delta)w - is = 0`; the retarded root is followed by continuation from
  :math:`\epsilon = 30` (where :math:`G^R \to 1`) down to the requested energies.
* :func:`uv_real` solves the real cubic in :math:`\sinh 2u` with ``numpy.roots`` (one real
  root above :math:`\epsilon_g`, Newton-polished) and takes :math:`\sin v` from the real part
  of Eq. (33), :math:`\sin v = (\epsilon\sinh u - \Delta\cosh u)/(s\cosh 2u)`, which needs no
  branch choice.
* the conductivities are ``scipy.integrate.quad`` integrals in :math:`\epsilon = \epsilon_g
  + z^2`, with break points at the physical scales; Eq. (12) uses ``solve_ivp``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

QUAD = dict(epsabs=0.0, epsrel=1e-12, limit=400)


def gap(s: float) -> float:
    """Eq. (9): Delta = 1 - pi s / 4."""
    return 1.0 - math.pi * s / 4.0


def eps_gap(s: float) -> float:
    """Eq. (9): eps_g^(2/3) = Delta^(2/3) - s^(2/3)."""
    return (gap(s) ** (2 / 3) - s ** (2 / 3)) ** 1.5


def _quartic_roots(eps: float, s: float) -> np.ndarray:
    d = gap(s)
    return np.roots([1j * s, 2 * (eps - d), 0.0, -2 * (eps + d), -1j * s])


def uv_tracked(eps, s: float, eps_start: float = 30.0, steps_per_unit: int = 4000):
    """(u, v) from the complex quartic, following the retarded root down from eps_start."""
    eps = np.atleast_1d(np.asarray(eps, dtype=float))
    order = np.argsort(eps)[::-1]
    d = gap(s)
    w = np.exp(np.arctanh(d / eps_start))  # BCS-like start, G -> 1 at high energy
    current = eps_start
    out = np.empty((eps.size, 2))
    for k in order:
        target = eps[k]
        n = max(2, int((current - target) * steps_per_unit))
        for e in np.linspace(current, target, n)[1:]:
            roots = _quartic_roots(e, s) if s > 0 else np.array([np.sqrt((e + d) / (e - d) + 0j)])
            w = roots[np.argmin(np.abs(roots - w))]
        current = target
        theta = np.log(w)
        out[k] = theta.real, theta.imag
    return out[:, 0], out[:, 1]


def uv_real(eps: float, s: float):
    """(cosh u, sinh u, sin v, cos v) at one energy eps > eps_g(s), branch-free."""
    d = gap(s)
    if s == 0.0:
        x = 2 * eps * d / (eps * eps - d * d)
    else:
        roots = np.roots([s * s, 0.0, eps * eps - d * d + s * s, -2 * eps * d])
        real = roots[np.abs(roots.imag) <= 1e-7 * (1 + np.abs(roots))].real
        x = float(real.max())
        for _ in range(3):  # Newton polish on the cubic
            p = s * s * x**3 + (eps * eps - d * d + s * s) * x - 2 * eps * d
            dp = 3 * s * s * x * x + eps * eps - d * d + s * s
            x -= p / dp
    ch2 = math.sqrt(1 + x * x)
    cu = math.sqrt((1 + ch2) / 2)
    su = x / (2 * cu)
    if s == 0.0:
        sv = 0.0
    else:
        sv = (eps * su - d * cu) / (s * ch2)
        sv = min(max(sv, -1.0), 1.0)
    cv = math.sqrt(max(1 - sv * sv, 0.0))
    return cu, su, sv, cv


def dos(eps: float, s: float) -> float:
    """N/N0 at one energy (0 below the gap)."""
    if eps <= eps_gap(s):
        return 0.0
    cu, _, _, cv = uv_real(eps, s)
    return cu * cv


def _m(eps: float, omega: float, s: float) -> float:
    c1, s1, _, v1 = uv_real(eps, s)
    c2, s2, _, v2 = uv_real(eps + omega, s)
    return v1 * v2 * (c1 * c2 + s1 * s2)


def _quad_z(fun, z_max: float, scales) -> float:
    pts = sorted({min(max(p, 0.0), z_max) for p in scales if 0 < p < z_max})
    edges = [0.0, *pts, z_max]
    return sum(integrate.quad(fun, a, b, **QUAD)[0] for a, b in zip(edges[:-1], edges[1:]) if b > a)


def sigma1_mattis_bardeen(omega: float, T: float) -> float:
    """Eq. (35) with Fermi functions, Delta = 1, by quad in eps = 1 + z^2."""

    def fermi(e):
        return 1.0 / (math.exp(min(e / T, 700.0)) + 1.0)

    def f(z):
        e = 1.0 + z * z
        d1 = z * math.sqrt(2 + z * z)
        d2 = math.sqrt((e + omega) ** 2 - 1)
        return 2 * z * (e * (e + omega) + 1) * (fermi(e) - fermi(e + omega)) / (d1 * d2)

    z_max = math.sqrt(45 * T)
    return 2 / omega * _quad_z(f, z_max, [math.sqrt(omega), math.sqrt(T)])


def sigma1_dc_biased(omega: float, T: float, s: float) -> float:
    """Eqs. (4)-(5) by quad in eps = eps_g + z^2."""
    eg = eps_gap(s)

    def f(z):
        if z == 0.0:
            return 0.0
        e = eg + z * z
        return 2 * z * math.exp(-(z * z) / T) * _m(e, omega, s)

    z_max = math.sqrt(45 * T)
    scales = [math.sqrt(omega), s ** (1 / 3), math.sqrt(1.5) * s ** (1 / 3), math.sqrt(T)]
    integral = _quad_z(f, z_max, scales)
    return 2 / omega * (-math.expm1(-omega / T)) * math.exp(-eg / T) * integral


def _sigma_rf_at_s(omega: float, T: float, s: float, nonequilibrium: bool) -> float:
    """Compute the energy integral of Eq. (10) at one s: int [f(eps) - f(eps+omega)] M d eps."""
    eg = eps_gap(s)
    z_max = math.sqrt(45 * T + 1.0 - eg + omega)
    if nonequilibrium:

        def rhs(z, y):
            return [2 * z * dos(eg + z * z, s)] if z > 0 else [0.0]

        sol = integrate.solve_ivp(
            rhs,
            (0.0, z_max + 0.1),
            [0.0],
            method="DOP853",
            rtol=1e-12,
            atol=1e-14,
            dense_output=True,
        )

        def excess(e):  # eps~ - 1 of Eq. (12)
            psi = float(sol.sol(math.sqrt(max(e - eg, 0.0)))[0])
            return psi * psi / (math.sqrt(1 + psi * psi) + 1)

        def fdiff(e):
            a, b = excess(e), excess(e + omega)
            return math.exp(-1 / T) * math.exp(-a / T) * (-math.expm1(-(b - a) / T))
    else:

        def fdiff(e):
            return math.exp(-e / T) * (-math.expm1(-omega / T))

    def f(z):
        if z == 0.0:
            return 0.0
        e = eg + z * z
        return 2 * z * fdiff(e) * _m(e, omega, s)

    scales = [math.sqrt(omega), s ** (1 / 3), math.sqrt(1.5) * s ** (1 / 3), math.sqrt(T)]
    return _quad_z(f, z_max, scales)


def sigma1_rf(
    omega: float, T: float, beta_a: float, nonequilibrium: bool = True, epsrel: float = 1e-9
) -> float:
    """Eqs. (10), (12): (2/omega) <int [f - f'] M d eps> over the rf period, by nested quad.

    The period average over phi = omega t in [0, pi/2] with s = beta_a cos^2(phi) (the
    integrand is even about pi/2) is an outer ``quad``.
    """

    def g(phi):
        return _sigma_rf_at_s(omega, T, beta_a * math.cos(phi) ** 2, nonequilibrium)

    avg = integrate.quad(g, 0.0, math.pi / 2, epsabs=0.0, epsrel=epsrel, limit=200)[0]
    return 2 / omega * avg * 2 / math.pi
