"""Eqs. (2), (17)-(19), (1): closure, dc limits (sign derived from Eqs. (4)-(7)), estimates."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads

import dissipax.vortex as vx
from dissipax import DomainError, units

# a flux-flow state in units hbar = e* = 1: sigma_n ~ 10 e^2/h, a small Hall angle
SIGMA_N, SIGMA_NH, SIGMA_OH, SIGMA_O = 0.4, 0.03, 0.01, 0.05
N_S, M_STAR = 2.0, 0.5
F_S = N_S / M_STAR


def exact_dc(x, nu, ref):
    """Exact omega = 0 response from the 4x4 solve of Eqs. (4)-(5) with the closure (2), (17).

    n_v_eff = nu x^2 n_s makes Omega_H/Omega = sigma_n nu x/2 = O(x), the regime of Eq. (18).
    """
    n_v_eff = nu * x**2 * N_S
    ff = vx.flux_flow(x, F_S, SIGMA_N, SIGMA_NH, n_v_eff, M_STAR)
    S = ref.hydro_sigma(
        0.0, F_S, float(ff["Omega"]), float(ff["Omega_H"]), float(ff["alpha_v"]), SIGMA_O, SIGMA_OH
    )
    return S[0, 0].real, S[0, 1].real, n_v_eff


def test_closure_values():
    ff = vx.flux_flow(0.01, F_S, SIGMA_N, SIGMA_NH, 1e-3, M_STAR)
    np.testing.assert_allclose(ff["Omega"], 2 * 0.01 * F_S / SIGMA_N, rtol=1e-15)
    np.testing.assert_allclose(ff["Omega_H"], 1e-3 / M_STAR, rtol=1e-15)
    np.testing.assert_allclose(ff["alpha_v"], 0.01 * SIGMA_NH / SIGMA_N, rtol=1e-15)


@pytest.mark.parametrize("nu", [0.0, 3.0, -3.0])
def test_dc_limits_are_leading_order_in_x(ref, nu):
    errs = []
    for x in [1e-2, 1e-3, 1e-4]:
        sxx, sxy, n_v_eff = exact_dc(x, nu, ref)
        lead = vx.dc_limits(x, SIGMA_N, SIGMA_NH, n_v_eff, N_S, SIGMA_OH)
        # Eq. (18): relative error O(x)
        rel_xx = abs(float(lead["sigma_xx"]) - sxx) / sxx
        # Eq. (19) (derived sign): sigma_xy = O(1), absolute error O(x)
        abs_xy = abs(float(lead["sigma_xy"]) - sxy)
        assert rel_xx <= 5 * x  # O(x): the O(1) part of sigma_xx is sigma_o + ..., / sigma_n/2x
        assert abs_xy <= 5 * x
        errs.append(abs_xy)
    if nu != 0.0:
        # the co-motion term is O(1) here: the printed '+' sign of Eq. (19) misses by O(1)
        sxx, sxy, n_v_eff = exact_dc(1e-4, nu, ref)
        printed = SIGMA_NH + SIGMA_OH + sxx**2 * n_v_eff / N_S
        assert abs(printed - sxy) > 0.1 * abs(sxx**2 * n_v_eff / N_S)
    # the residual of sigma_xy shrinks linearly with x (O(x), not O(1))
    assert errs[2] < 0.2 * errs[0] or errs[0] < 1e-12


def test_hall_resistivity_is_the_inverse_at_small_x(ref):
    for nu in [0.0, 3.0]:
        for x in [1e-3, 1e-4]:
            n_v_eff = nu * x**2 * N_S
            ff = vx.flux_flow(x, F_S, SIGMA_N, SIGMA_NH, n_v_eff, M_STAR)
            S = ref.hydro_sigma(
                0.0,
                F_S,
                float(ff["Omega"]),
                float(ff["Omega_H"]),
                float(ff["alpha_v"]),
                SIGMA_O,
                SIGMA_OH,
            )
            R = np.linalg.inv(S).real
            rho_xx, rho_yx = R[0, 0], R[1, 0]
            eq1 = float(vx.hall_resistivity(rho_xx, SIGMA_NH, SIGMA_OH, n_v_eff, N_S))
            # all three terms of Eq. (1) are O(x^2) here; Eq. (1) is good to relative O(x)
            assert abs(eq1 - rho_yx) <= 10 * x * x**2
            # and through vx.resistivity (the closed-form inverse)
            rxx, ryx = vx.resistivity(
                0.0, F_S, ff["Omega"], ff["Omega_H"], ff["alpha_v"], SIGMA_O, SIGMA_OH
            )
            np.testing.assert_allclose([rxx.real, ryx.real], [rho_xx, rho_yx], rtol=1e-11)


def test_flux_flow_closure_violates_entropy_bound_without_sigma_o():
    # documented in EntropyBoundWarning: alpha_v^2 f_s/Omega = x sigma_nH^2/(2 sigma_n) > 0
    x = 0.01
    ff = vx.flux_flow(x, F_S, SIGMA_N, SIGMA_NH, 0.0, M_STAR)
    margin = vx.entropy_bound_margin(F_S, ff["Omega"], ff["alpha_v"], 0.0)
    np.testing.assert_allclose(-margin / ff["Omega"], x * SIGMA_NH**2 / (2 * SIGMA_N), rtol=1e-14)
    with pytest.warns(vx.EntropyBoundWarning):
        vx.sigma_xx(0.0, F_S, **ff)
    vx.sigma_xx(0.0, F_S, **ff, sigma_o=SIGMA_O)  # a physical sigma_o restores it


def test_paper_worked_estimates():
    # "sigma_n ~ 10 e^2/h ~ 0.4 e*^2/hbar"
    sigma_n = units.e2_over_h_to_estar2_over_hbar(10.0)
    np.testing.assert_allclose(sigma_n, 10 / (8 * np.pi), rtol=1e-12)
    assert round(sigma_n, 1) == 0.4
    # Omega_H/Omega = sigma_n n_v_eff / (2 x n_s), Eq. (2) with f_s = n_s/m*
    r = vx.omega_h_over_omega(0.02, sigma_n, 1e-4, 3.0)
    ff = vx.flux_flow(0.02, 3.0 / 0.7, sigma_n, 0.0, 1e-4, 0.7)
    np.testing.assert_allclose(r, ff["Omega_H"] / ff["Omega"], rtol=1e-14)
    # Omega_H <~ 1e-5 Omega (ref. 3) -> n_v_eff/n_v = 2e-5/0.398 = 5.0e-5; the paper quotes the
    # order of magnitude, Eq. (3): n_v_eff/n_v <~ 1e-5 (it drops the factor 2/sigma_n ~ 5)
    est = float(vx.comotion_fraction_from_resonance(1e-5, sigma_n))
    np.testing.assert_allclose(est, 2e-5 / sigma_n, rtol=1e-14)
    assert 1e-5 <= est < 1e-4
    # tan theta_H ~ 1e-4 (ref. 1) -> n_v_eff/n_v <~ tan/sigma_n = 2.5e-4, quoted "<~ 1e-4"
    est2 = float(vx.comotion_fraction_from_hall_angle(1e-4, sigma_n))
    np.testing.assert_allclose(est2, 1e-4 / sigma_n, rtol=1e-14)
    assert 1e-4 <= est2 < 1e-3
    # rho_yx/rho_xx^2 = sigma_n^H ~ 2e-6 1/Ohm and rho_yx ~ 0.01 Ohm at 5 T (SI units; the
    # co-motion term negligible): Eq. (1) gives back rho_yx at rho_xx = sqrt(0.01/2e-6) ~ 71 Ohm
    rho_xx = np.sqrt(0.01 / 2e-6)
    np.testing.assert_allclose(vx.hall_resistivity(rho_xx, 2e-6, 0.0, 0.0, 1.0), 0.01, rtol=1e-14)


def test_check_grads():
    def ff(*a):
        d = vx.flux_flow(*a)
        return jnp.stack([d["Omega"], d["Omega_H"], d["alpha_v"]])

    def dc(*a):
        d = vx.dc_limits(*a)
        return jnp.stack([d["sigma_xx"], d["sigma_xy"]])

    check_grads(ff, (0.01, 4.0, 0.4, 0.03, 1e-3, 0.5), order=2, modes=("fwd", "rev"), eps=1e-6)
    # step 1e-6: central differences at x = 0.01 need h << x (error ~ (h/x)^2)
    check_grads(dc, (0.01, 0.4, 0.03, 1e-3, 2.0, 0.01), order=2, modes=("fwd", "rev"), eps=1e-6)
    check_grads(vx.hall_resistivity, (0.05, 0.03, 0.01, 1e-3, 2.0), order=2, modes=("fwd", "rev"))
    check_grads(
        vx.omega_h_over_omega, (0.01, 0.4, 1e-3, 2.0), order=1, modes=("fwd", "rev"), eps=1e-6
    )
    check_grads(vx.comotion_fraction_from_resonance, (1e-5, 0.4), order=1, modes=("rev",))
    check_grads(vx.comotion_fraction_from_hall_angle, (1e-4, 0.4), order=1, modes=("rev",))


def test_zero_hall_and_comotion_are_regular():
    g = jax.grad(lambda a: vx.hall_resistivity(a[0], a[1], a[2], a[3], a[4]))(
        jnp.array([0.0, 0.0, 0.0, 0.0, 1.0])
    )
    assert np.all(np.isfinite(g))
    d = jax.jit(vx.flux_flow)(0.01, 4.0, 0.4, 0.0, 0.0, 0.5)
    assert float(d["Omega_H"]) == 0.0 and float(d["alpha_v"]) == 0.0


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: vx.flux_flow(0.0, 1.0, 0.4, 0.0, 0.0, 1.0), "'x' must be > 0"),
        (lambda: vx.flux_flow(1.0, 1.0, 0.4, 0.0, 0.0, 1.0), "'x' must be < 1"),
        (lambda: vx.flux_flow(0.1, -1.0, 0.4, 0.0, 0.0, 1.0), "'f_s' must be > 0"),
        (lambda: vx.flux_flow(0.1, 1.0, 0.0, 0.0, 0.0, 1.0), "'sigma_n' must be > 0"),
        (lambda: vx.flux_flow(0.1, 1.0, 0.4, 0.1j, 0.0, 1.0), "'sigma_nH' must be real"),
        (lambda: vx.flux_flow(0.1, 1.0, 0.4, 0.0, 0.0, -1.0), "'m_star' must be > 0"),
        (
            lambda: vx.flux_flow(jnp.ones(2) * 0.1, 1.0, 0.4, 0.0, jnp.ones(3), 1.0),
            "do not broadcast",
        ),
        (lambda: vx.hall_resistivity(-1.0, 0.0, 0.0, 0.0, 1.0), "'rho_xx' must be >= 0"),
        (lambda: vx.hall_resistivity(1.0, 0.0, 0.0, 0.0, 0.0), "'n_s' must be > 0"),
        (lambda: vx.dc_limits(0.1, 0.4, 0.0, 0.0, -2.0), "'n_s' must be > 0"),
        (lambda: vx.comotion_fraction_from_hall_angle(1e-4, 0.0), "'sigma_n' must be > 0"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DomainError, match=match):
        call()
