r"""Independent float64 SciPy reference for :mod:`dissipax.rf` (tests and benchmarks; slow).

Nothing here shares code with the JAX implementation:

* :func:`uv_tracked` solves the complex Usadel equation (33) directly: with
  :math:`w = e^{u+iv}` it is the quartic :math:`isw^4 + 2(\epsilon-\Delta)w^3 -
  2(\epsilon+\Delta)w - is = 0`; the retarded root is followed by continuation from
  :math:`\epsilon = 30` (where :math:`G^R \to 1`) down to the requested energies.
* :func:`uv_real` solves the real cubic in :math:`\sinh 2u` with ``brentq`` (one real
  root above :math:`\epsilon_g`) and picks the root of the quadratic for :math:`\sin v`
  that satisfies the real part of Eq. (33),
  :math:`\epsilon\sinh u - \Delta\cosh u = s\cosh 2u\sin v` (no branch assumed).
* the conductivities are ``scipy.integrate.quad`` integrals in :math:`\epsilon = \epsilon_g
  + z^2`, with break points at the physical scales; Eq. (12) uses ``solve_ivp``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import integrate, optimize

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
    """(cosh u, sinh u, sin v, cos v) at one energy eps > eps_g(s).

    ``x = sinh 2u`` is the single real root of the cubic (``brentq`` on a bracket);
    ``sin v`` is the root of the quadratic (Eq. 8, solved in the cancellation-free form
    ``q = -(b + sign(b) sqrt(disc))/2``, roots ``q/a`` and ``c/q``) that satisfies the
    real part of Eq. (33), ``eps sinh u - Delta cosh u = s cosh 2u sin v``, best.
    """
    d = gap(s)
    lin = eps * eps - d * d + s * s

    def cubic(x):
        return s * s * x**3 + lin * x - 2 * eps * d

    if s == 0.0:
        # BCS: the cubic is linear, x = 2 eps Delta/(eps^2 - Delta^2); the bracket search
        # below would overflow x**3 next to the edge (lin -> 0)
        x = 2 * eps * d / lin
    else:
        hi = 1.0
        while cubic(hi) <= 0:
            hi *= 2.0
        x = optimize.brentq(cubic, 0.0, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)
    ch2 = math.sqrt(1 + x * x)
    cu = math.sqrt((1 + ch2) / 2)
    su = x / (2 * cu)
    if s == 0.0:
        return cu, su, 0.0, 1.0
    a_, b_, c_ = s * cu, d, s * su * su * cu
    disc = max(b_ * b_ - 4 * a_ * c_, 0.0)
    qq = -0.5 * (b_ + math.sqrt(disc))
    candidates = [qq / a_, c_ / qq]
    resid = [abs(eps * su - d * cu - s * ch2 * y) for y in candidates]
    sv = candidates[int(np.argmin(resid))]
    sv = min(max(sv, -1.0), 1.0)
    cv = math.sqrt(max((1 - sv) * (1 + sv), 0.0))
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


def _quad_z(fun, z_max: float, scales, epsrel: float = QUAD["epsrel"]) -> float:
    pts = sorted({min(max(p, 0.0), z_max) for p in scales if 0 < p < z_max})
    edges = [0.0, *pts, z_max]
    opts = dict(QUAD, epsrel=epsrel)
    with warnings.catch_warnings():
        # At epsrel ~ 1e-12 QUADPACK may report that roundoff limits the tolerance: the
        # result is then at the rounding floor, which is what a reference should give.
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        pieces = [integrate.quad(fun, a, b, **opts)[0] for a, b in zip(edges[:-1], edges[1:])]
    return sum(pieces)


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
        if s == 0.0:
            # BCS, M = [e(e+w) + 1]/sqrt((e^2-1)((e+w)^2-1)) with e^2 - 1 = z^2 (2 + z^2):
            # e rounds to 1 for z < 1e-8, where the general path would divide by 0
            e2 = e + omega
            m = (e * e2 + 1) / (z * math.sqrt(2 + z * z) * math.sqrt((e2 - 1) * (e2 + 1)))
            return 2 * z * math.exp(-(z * z) / T) * m
        return 2 * z * math.exp(-(z * z) / T) * _m(e, omega, s)

    z_max = math.sqrt(45 * T)
    scales = [math.sqrt(omega), s ** (1 / 3), math.sqrt(1.5) * s ** (1 / 3), math.sqrt(T)]
    integral = _quad_z(f, z_max, scales)
    return 2 / omega * (-math.expm1(-omega / T)) * math.exp(-eg / T) * integral


def _sigma_rf_at_s(
    omega: float, T: float, s: float, nonequilibrium: bool, epsrel: float = QUAD["epsrel"]
) -> float:
    """Compute the energy integral of Eq. (10) at one s: int [f(eps) - f(eps+omega)] M d eps."""
    if s < 1e-14:
        # The edge structure (width s^(2/3) < 1e-9) changes the integral by < 1e-8 relative
        # (it scales as s^(2/3)); BCS avoids resolving a 1e-9-wide spike adaptively.
        s = 0.0
    eg = eps_gap(s)
    z_max = math.sqrt(45 * T + 1.0 - eg + omega)
    if nonequilibrium:

        def rhs(z, y):
            if s == 0.0:  # BCS: 2 z N(1 + z^2) = 2 (1 + z^2) / sqrt(2 + z^2)
                return [2 * (1 + z * z) / math.sqrt(2 + z * z)]
            return [2 * z * dos(eg + z * z, s)] if z > 0 else [0.0]

        sol = integrate.solve_ivp(
            rhs,
            (0.0, z_max + 0.1),
            [0.0],
            method="DOP853",
            rtol=max(min(epsrel, 1e-9), 1e-12),
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
    return _quad_z(f, z_max, scales, epsrel)


def sigma1_rf(
    omega: float, T: float, beta_a: float, nonequilibrium: bool = True, epsrel: float = 1e-9
) -> float:
    """Eqs. (10), (12): (2/omega) <int [f - f'] M d eps> over the rf period, by nested quad.

    The period average over phi = omega t in [0, pi/2] with s = beta_a cos^2(phi) (the
    integrand is even about pi/2) is an outer ``quad`` with tolerance ``epsrel``; the energy
    integrals run 100 times tighter.
    """
    inner = max(1e-2 * epsrel, 1e-12)

    def g(tau):
        # phi = pi/2 - (pi/2) tau^3 makes the s^(2/3) kink at phi = pi/2 smooth for QAGS
        s = beta_a * math.sin(math.pi / 2 * tau**3) ** 2
        return _sigma_rf_at_s(omega, T, s, nonequilibrium, inner) * 1.5 * math.pi * tau**2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        avg = integrate.quad(g, 0.0, 1.0, epsabs=0.0, epsrel=epsrel, limit=200)[0]
    return 2 / omega * avg * 2 / math.pi


# --- complex conductivity with Delta(T) (issue 16) ---------------------------------------
# Independent of the JAX code: the gap from the Fermi-function form of the gap equation,
# the conductivity integrals in Tinkham's variables with sin^2 / z^2 substitutions.

T_C_BCS = math.exp(float(np.euler_gamma)) / math.pi  # k_B Tc / Delta0, weak coupling


def _fermi(e: float, T: float) -> float:
    if e >= 0:
        return 1.0 / (math.exp(min(e / T, 700.0)) + 1.0)
    return 1.0 - 1.0 / (math.exp(min(-e / T, 700.0)) + 1.0)


def _quad_pieces(fun, edges, epsrel: float = 1e-13) -> float:
    edges = sorted(set(edges))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        total = 0.0
        for a, b in zip(edges[:-1], edges[1:]):
            if b > a:
                total += integrate.quad(fun, a, b, epsabs=0.0, epsrel=epsrel, limit=500)[0]
    return total


def bcs_gap(t: float) -> float:
    """Delta(T)/Delta0 by brentq on ln(1/delta) = 2 int_0^inf f(delta cosh u / T) du.

    The Fermi-function form of the BCS gap equation (xi = delta sinh u; Tinkham §3.6 with
    the cutoff eliminated through Delta0), a different formula from the JAX solver's.
    """
    if t >= 1.0:
        return 0.0
    if t == 0.0:
        return 1.0
    T = t * T_C_BCS

    def F(d):
        u_max = math.acosh(max(60.0 * T / d, 1.0)) + 1.0
        f = lambda u: 1.0 / (math.exp(min(d * math.cosh(u) / T, 700.0)) + 1.0)  # noqa: E731
        u_step = math.acosh(max(T / d, 1.0))
        integral = _quad_pieces(f, [0.0, u_step, u_step + 1.0, u_max], 2e-14)
        return math.log(1.0 / d) - 2.0 * integral

    return optimize.brentq(F, 1e-12, 1.0 + 1e-9, xtol=1e-16, rtol=4 * np.finfo(float).eps)


def sigma_mattis_bardeen(omega: float, T: float, Delta: float) -> tuple[float, float]:
    """(sigma1, sigma2)/sigma_n, Mattis-Bardeen (Tinkham Eqs. 3.125) at a given gap Delta.

    sigma1 thermal term in E = Delta + z^2; pair-breaking term (omega > 2 Delta) and sigma2
    in E = a + (b - a) sin^2(phi) (both endpoint square roots removed).
    """
    D = Delta

    def th(z):
        E = D + z * z
        d = z * z
        den = math.sqrt(d * (d + omega) * (2 * D + d) * (2 * D + d + omega))
        return 2 * z * (E * (E + omega) + D * D) * (_fermi(E, T) - _fermi(E + omega, T)) / den

    z_max = math.sqrt(45 * T + 10 * omega)
    s1 = 2 / omega * _quad_pieces(th, [0.0, math.sqrt(omega), math.sqrt(T), math.sqrt(D), z_max])
    s1 = s1 if z_max > 0 else 0.0
    if omega > 2 * D:
        L = omega - 2 * D

        def pb(ph):
            s2, c2 = math.sin(ph) ** 2, math.cos(ph) ** 2
            E, E2 = D + L * s2, D + L * c2
            occ = 1 - _fermi(E, T) - _fermi(E2, T)
            num = D * L + L * L * s2 * c2  # E E2 - D^2 without cancellation near threshold
            return 2 * num * occ / math.sqrt((E + D) * (E2 + D))

        s1 += 1 / omega * _quad_pieces(pb, [0.0, math.pi / 4, math.pi / 2])
    a = max(D - omega, -D)
    L = D - a

    def s2f(ph):
        E = a + L * math.sin(ph) ** 2
        rem = (D + E) * (E + omega + D) if omega <= 2 * D else (E + omega - D) * (E + omega + D)
        return 2 * math.tanh((E + omega) / (2 * T)) * (E * E + D * D + omega * E) / math.sqrt(rem)

    s2 = 1 / omega * _quad_pieces(s2f, [0.0, math.pi / 4, math.pi / 2])
    return s1, s2


def sigma_T0_elliptic(omega: float, Delta: float = 1.0) -> tuple[float, float]:
    """T = 0 closed forms with complete elliptic integrals (Mattis & Bardeen 1958).

    k = |omega - 2 Delta|/(omega + 2 Delta), k'^2 = 1 - k^2 (scipy's parameter m = k^2):
    sigma1 = (1 + 2D/w) E(k) - (4D/w) K(k) for w > 2D (else 0),
    sigma2 = (1/2)(1 + 2D/w) E(k') - (1/2)(1 - 2D/w) K(k').
    """
    from scipy import special

    k = abs(omega - 2 * Delta) / (omega + 2 * Delta)
    m = k * k
    r = 2 * Delta / omega
    s1 = (1 + r) * special.ellipe(m) - 2 * r * special.ellipk(m) if omega > 2 * Delta else 0.0
    s2 = 0.5 * (1 + r) * special.ellipe(1 - m) - 0.5 * (1 - r) * special.ellipk(1 - m)
    return float(s1), float(s2)


def _dynes_gf(e: float, D: float, G: float):
    import cmath

    z = complex(e, G)
    s = cmath.sqrt(z - D) * cmath.sqrt(z + D)
    return z / s, D / s


def sigma_dynes(omega: float, T: float, Delta: float, Gamma: float) -> tuple[float, float]:
    """(sigma1, sigma2)/sigma_n of the Dynes superconductor by quad on the real axis.

    Direct complex-energy quadrature of the Kubo formulas in :mod:`dissipax.rf.dynes`
    (Green functions evaluated in complex arithmetic at eps + i Gamma, no maps), over
    [-omega/2, inf) with break points at the gap edges and the Fermi step.
    """
    D, G = Delta, Gamma

    def i1(e):
        g1, f1 = _dynes_gf(e, D, G)
        g2, f2 = _dynes_gf(e + omega, D, G)
        fd = _fermi(e, T) - _fermi(e + omega, T)
        return fd * (g1.real * g2.real + f1.real * f2.real)

    def i2(e):
        g1, f1 = _dynes_gf(e, D, G)
        g2, f2 = _dynes_gf(e + omega, D, G)
        h1, h2 = math.tanh(e / (2 * T)), math.tanh((e + omega) / (2 * T))
        prr = -(g1 * g2 + f1 * f2).imag
        par = -(g1.conjugate() * g2 + f1.conjugate() * f2).imag
        return (h1 + h2) * prr + (h1 - h2) * par

    pts = [-omega / 2, D - omega, -D, 0.0, D]
    pts = [p for p in pts if p >= -omega / 2]
    edges = [*pts, D + G, D + 3, D + 100, D + 1e4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        tail1 = integrate.quad(i1, edges[-1], np.inf, epsabs=0.0, epsrel=1e-12, limit=200)[0]
        tail2 = integrate.quad(i2, edges[-1], np.inf, epsabs=0.0, epsrel=1e-12, limit=200)[0]
    s1 = _quad_pieces(i1, edges, 1e-12) + tail1
    s2 = _quad_pieces(i2, edges, 1e-12) + tail2
    return 2 / omega * s1, s2 / (2 * omega)
