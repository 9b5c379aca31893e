"""Independent references for the vortex tests: Eqs. (4)-(5) solved as a linear system.

Nothing here uses the closed forms (6)-(7) or (20): the hydrodynamic equations are written as a
4×4 complex linear system in (u_phi^x, u_phi^y, j_v^x, j_v^y) and solved with NumPy.
"""

import numpy as np

EPS = np.array([[0.0, 1.0], [-1.0, 0.0]])  # epsilon^{ij}, epsilon^{xy} = +1
ONE = np.eye(2)


def hydro_sigma(omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH):
    """Conductivity tensor sigma^{ij} at one frequency from Eqs. (4)-(5).

    Eq. (4): -i w u = E + eps j_v.  Eq. (5): j_o = s_o E + alpha f_s eps u,
    j_v = alpha E + Omega_hat eps u.  Then j = j_o + f_s u.  ``Omega`` may be complex
    (the frequency-dependent pinned form).
    """
    s_o = sigma_o * ONE + sigma_oH * EPS
    Om = Omega * ONE + Omega_H * EPS
    # unknowns y = (u, j_v): rows 1-2 Eq. (4), rows 3-4 the vortex row of Eq. (5)
    A = np.block([[-1j * omega * ONE, -EPS], [-Om @ EPS, ONE]]).astype(complex)
    sigma = np.zeros((2, 2), complex)
    for j in range(2):
        E = ONE[:, j]
        y = np.linalg.solve(A, np.concatenate([E, alpha_v * E]).astype(complex))
        u = y[:2]
        j_o = s_o @ E + alpha_v * f_s * (EPS @ u)
        sigma[:, j] = j_o + f_s * u
    return sigma


def hydro_det(omega, Omega, Omega_H):
    """Determinant of the homogeneous system (4)-(5) (E = 0): zero at the normal modes."""
    Om = Omega * ONE + Omega_H * EPS
    A = np.block([[-1j * omega * ONE, -EPS], [-Om @ EPS, ONE]]).astype(complex)
    return np.linalg.det(A)
