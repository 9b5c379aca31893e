"""Surface impedance, penetration depth, sheet inductance and THz transmission (physical units)."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dissipax.rf as rf
from dissipax import DomainError, units
from dissipax.rf import impedance as imp

# An aluminium-like film: Tc = 1.2 K, rho_n = 1e-8 Ohm m (lambda(0) ~ 96 nm, dirty limit)
TC_K = 1.2
RHO = 1e-8
DELTA0_J = imp.ALPHA_BCS * TC_K * units.k_B
LAMBDA0 = math.sqrt(units.hbar * RHO / (math.pi * units.mu_0 * DELTA0_J))


def test_lambda0_dirty_limit():
    """lambda(0) = sqrt(hbar rho_n / (pi mu0 Delta0)) to 1e-10 (issue target)."""
    lam = np.asarray(rf.penetration_depth_m(np.array([0.0, 0.05]), Tc_K=TC_K, rho_n_ohm_m=RHO))
    assert abs(lam[0] / LAMBDA0 - 1) < 1e-10
    assert abs(lam[1] / LAMBDA0 - 1) < 1e-10  # Delta(0.04 Tc) = Delta0, tanh = 1
    # strong coupling: lambda(0) scales with Delta0^-1/2
    lam2 = float(rf.penetration_depth_m(0.0, Tc_K=TC_K, rho_n_ohm_m=RHO, Delta0_K=2.0 * TC_K))
    assert abs(lam2 / LAMBDA0 - math.sqrt(imp.ALPHA_BCS / 2.0)) < 1e-10
    # from sigma2 at a low frequency: the static limit (omega/Delta0 ~ 2e-7; the finite-omega
    # correction is linear in omega, ~2e-5 at 5 MHz)
    lam_f = rf.penetration_depth_m(np.array([0.3, 0.9]), Tc_K=TC_K, rho_n_ohm_m=RHO, f_Hz=1e4)
    lam_s = rf.penetration_depth_m(np.array([0.3, 0.9]), Tc_K=TC_K, rho_n_ohm_m=RHO)
    np.testing.assert_allclose(lam_f, lam_s, rtol=1e-6)
    assert np.isinf(float(rf.penetration_depth_m(1.3, Tc_K=TC_K, rho_n_ohm_m=RHO)))


def test_zs_convention_and_closed_low_T_forms():
    f = np.array([1e9, 5e9, 2e10])
    T = 0.15  # K, t = 0.125: Delta = Delta0 to 1e-9
    zs = np.asarray(rf.surface_impedance_ohm(f, T, Tc_K=TC_K, rho_n_ohm_m=RHO))
    omega = units.hz_to_kelvin(f) / (imp.ALPHA_BCS * TC_K)
    sig = np.asarray(rf.sigma_mattis_bardeen(omega, T / (imp.ALPHA_BCS * TC_K)))
    # literature Zs = Rs + iXs is the conjugate of the e^{-iwt} root sqrt(-i mu0 w / sigma)
    w = 2 * np.pi * f
    root = np.sqrt(-1j * units.mu_0 * w * RHO / sig)
    np.testing.assert_allclose(zs, np.conj(root), rtol=1e-13)
    assert np.all(zs.real > 0) and np.all(zs.imag > 0)
    # Xs = mu0 w lambda, Rs = mu0^2 w^2 lambda^3 sigma1 sigma_n / 2 at hbar w, kT << Delta
    lam = 1 / np.sqrt(units.mu_0 * w * sig.imag / RHO)
    np.testing.assert_allclose(
        zs.imag, units.mu_0 * w * lam, rtol=3 * np.max(sig.real / sig.imag) ** 2 + 1e-12
    )
    rs = 0.5 * units.mu_0**2 * w**2 * lam**3 * sig.real / RHO
    np.testing.assert_allclose(zs.real, rs, rtol=3 * np.max(sig.real / sig.imag))
    # lambda(omega -> 0) of the static formula
    np.testing.assert_allclose(lam[0], LAMBDA0, rtol=1e-4)


def test_branch_guard_at_sigma1_zero():
    """sigma1 = 0 exactly (either zero sign) gives the decaying branch, Rs = 0, Xs > 0."""
    for s in (0.0 + 7.0j, -0.0 + 7.0j, complex(0.0, 7.0) * (1 - 0j)):
        z = complex(imp.impedance_from_sigma(1e9, jnp.asarray(s), RHO))
        assert z.real == 0.0 and z.imag > 0
    zs = complex(rf.surface_impedance_ohm(5e9, 0.0, Tc_K=TC_K, rho_n_ohm_m=RHO))
    assert zs.real == 0.0 and zs.imag > 0  # T = 0 below the gap: sigma1 = 0 exactly


def test_normal_state_skin_effect():
    f = np.array([1e9, 1e10])
    zs = np.asarray(rf.surface_impedance_ohm(f, 1.5, Tc_K=TC_K, rho_n_ohm_m=RHO))
    np.testing.assert_allclose(
        zs, (1 + 1j) * np.sqrt(units.mu_0 * 2 * np.pi * f * RHO / 2), rtol=1e-14
    )


def test_thin_film_limits():
    f, T = 5e9, 0.3
    d = np.array([1e-10, 1e-3])
    zf = np.asarray(rf.surface_impedance_ohm(f, T, Tc_K=TC_K, rho_n_ohm_m=RHO, thickness_m=d))
    zb = complex(rf.surface_impedance_ohm(f, T, Tc_K=TC_K, rho_n_ohm_m=RHO))
    sig = complex(
        rf.sigma_mattis_bardeen(
            units.hz_to_kelvin(f) / (imp.ALPHA_BCS * TC_K), T / (imp.ALPHA_BCS * TC_K)
        )
    )
    # d << lambda: the sheet impedance 1/(sigma d), conjugated to Rs + iXs
    assert abs(zf[0] / np.conj(RHO / (sig * d[0])) - 1) < 1e-6
    # d >> lambda: the bulk impedance
    assert abs(zf[1] / zb - 1) < 1e-12
    # sigma = i sigma2: Zs = coth(d/lambda) mu0 w lambda
    s2 = jnp.asarray(1j * 300.0)
    lam = 1 / math.sqrt(units.mu_0 * 2 * math.pi * f * 300.0 / RHO)
    z = complex(imp.impedance_from_sigma(f, s2, RHO, 50e-9))
    assert abs(z.imag / (units.mu_0 * 2 * math.pi * f * lam / math.tanh(50e-9 / lam)) - 1) < 1e-12


def test_kinetic_inductance_thin_limit():
    """L_k = hbar R_sq / (pi Delta tanh(Delta/2kT)) for d << lambda, hbar w << Delta."""
    d = 2e-9
    lk = float(
        rf.kinetic_inductance_per_square_H(1e8, 0.1, Tc_K=TC_K, rho_n_ohm_m=RHO, thickness_m=d)
    )
    # coth(x) = 1/x + x/3 + ...: the film's field energy adds (d/lambda)^2/3 = 1.4e-4;
    # the rest is O((hbar w/Delta)^2) ~ 5e-6
    thick = 1 + (d / LAMBDA0) ** 2 / 3
    want = units.hbar * (RHO / d) / (math.pi * DELTA0_J)
    assert abs(lk / (want * thick) - 1) < 2e-5
    assert abs(lk / (units.mu_0 * LAMBDA0**2 / d * thick) - 1) < 2e-5


def test_glover_tinkham_transmission():
    f = np.array([1e11, 5e11])
    d, n = 2e-9, 3.1  # d << lambda ~ 96 nm: the sheet limit holds to (d/lambda)^2 ~ 4e-4
    Tn = np.asarray(
        rf.thin_film_transmission(f, 1.4, Tc_K=TC_K, rho_n_ohm_m=RHO, thickness_m=d, n_substrate=n)
    )
    y = units.Z_0 * d / RHO / (1 + n)
    np.testing.assert_allclose(Tn, 1 / (1 + y) ** 2, rtol=1e-14)
    # superconducting film: against an exact characteristic-matrix (Born & Wolf) solution of
    # vacuum | film (eps = 1 + i sigma/(eps0 w)) | substrate, which keeps the film's
    # displacement current and the finite d/lambda (the Glover-Tinkham sheet limit drops both)
    Ts = np.asarray(
        rf.thin_film_transmission(f, 0.2, Tc_K=TC_K, rho_n_ohm_m=RHO, thickness_m=d, n_substrate=n)
    )
    om = units.hz_to_kelvin(f) / (imp.ALPHA_BCS * TC_K)
    sig = np.asarray(rf.sigma_mattis_bardeen(om, 0.2 / (imp.ALPHA_BCS * TC_K))) / RHO
    w = 2 * np.pi * f
    eps0 = 1 / (units.mu_0 * units.c**2)
    N = np.sqrt(1 + 1j * sig / (eps0 * w))
    delta = w / units.c * N * d
    m11 = m22 = np.cos(delta)
    m12 = -1j * np.sin(delta) / N
    m21 = -1j * N * np.sin(delta)
    t = 2 / (m11 + n * m12 + m21 + n * m22)
    exact = n * np.abs(t) ** 2 / (4 * n / (1 + n) ** 2)
    np.testing.assert_allclose(Ts, exact, rtol=1e-3)


def test_zs_gradients_finite():
    def zs(T_K):
        z = rf.surface_impedance_ohm(5e9, T_K, Tc_K=TC_K, rho_n_ohm_m=RHO)
        return jnp.stack([jnp.real(z), jnp.imag(z)])

    T = jnp.array([1e-4, 0.3, TC_K * (1 - 1e-9), TC_K, 1.5])
    jac = np.asarray(jax.jit(jax.vmap(jax.jacfwd(zs)))(T))
    assert np.all(np.isfinite(jac))
    h = 1e-6
    fd = (np.asarray(zs(0.3 + h)) - np.asarray(zs(0.3 - h))) / (2 * h)
    np.testing.assert_allclose(jac[1], fd, rtol=1e-5)


@pytest.mark.parametrize(
    "kw, name",
    [
        (dict(f_Hz=5.0, T_K=0.1), "f_Hz"),  # GHz passed as Hz
        (dict(f_Hz=5e9, T_K=300.0), "T_K"),  # mK passed as K (above 2 Tc)
        (dict(f_Hz=5e9, T_K=float("nan")), "T_K"),
        (dict(f_Hz=5e9, T_K=0.1, rho_n_ohm_m=3.0), "rho_n_ohm_m"),  # micro-ohm cm
        (dict(f_Hz=5e9, T_K=0.1, thickness_m=100.0), "thickness_m"),  # nm passed as m
        (dict(f_Hz=5e9, T_K=0.1, Tc_K=-1.0), "Tc_K"),
    ],
)
def test_bad_input(kw, name):
    args = dict(Tc_K=TC_K, rho_n_ohm_m=RHO)
    args.update(kw)
    with pytest.raises(DomainError, match=f"'{name}'"):
        rf.surface_impedance_ohm(args.pop("f_Hz"), args.pop("T_K"), **args)
