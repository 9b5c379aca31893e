"""Temperature sweeps: the Chebyshev table against the direct impedance, joint-fit recovery."""

import jax
import numpy as np
import pytest

from dissipax._checks import DomainError
from dissipax.rf import resonator as rs
from dissipax.rf.impedance import surface_impedance_ohm
from dissipax.rf.resonator import chebyshev, temperature

F0 = 5.3e9
T = np.linspace(0.08, 0.5, 14)
TRUE = dict(Tc_K=1.18, alpha_k=0.04, fr0_Hz=F0, Q_other=3.0e5)
CFG = dict(impedance="thin", rho_n_ohm_m=1e-8, thickness_m=None)


def test_bulk_ratios_from_surface_impedance():
    """The bulk ratios equal those of the public surface_impedance_ohm (same physics)."""
    Tq = np.array([0.1, 0.3, 0.6])
    z = np.asarray(surface_impedance_ohm(F0, Tq, Tc_K=1.2, rho_n_ohm_m=2e-8))
    z0 = np.asarray(surface_impedance_ohm(F0, 1.2e-3, Tc_K=1.2, rho_n_ohm_m=2e-8))
    r, dx = rs.impedance_ratios(
        F0, Tq, 1.2, temperature.ALPHA_BCS, impedance="bulk", rho_n_ohm_m=2e-8, thickness_m=None
    )
    np.testing.assert_allclose(np.asarray(r), z.real / z0.imag, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(dx), z.imag / z0.imag - 1, rtol=1e-10, atol=1e-15)


def test_thin_limit_of_the_coth_form():
    """d << lambda: the coth film form tends to the thin limit 1/(sigma d) the fit uses."""
    Tq = np.array([0.2, 0.4])
    thin = rs.impedance_ratios(F0, Tq, 1.2, temperature.ALPHA_BCS, **CFG)
    film = rs.impedance_ratios(
        F0, Tq, 1.2, temperature.ALPHA_BCS, impedance="thin", rho_n_ohm_m=1e-8, thickness_m=1e-9
    )
    # corrections O((d/lambda)^2) ~ 1e-4 at d = 1 nm, lambda ~ 90 nm
    np.testing.assert_allclose(np.asarray(film[0]), np.asarray(thin[0]), rtol=1e-3)
    np.testing.assert_allclose(np.asarray(film[1]), np.asarray(thin[1]), rtol=1e-3)


def _direct(tc, t, g):
    return temperature.tabulate_ratios(F0, t, tc, g, **CFG)


def test_chebyshev_table_matches_direct():
    tab = chebyshev.build_ratios(_direct, T, 0.75, 2.4, 1.764, 1.764, vary_g=False, tol=1e-9)
    assert tab.error <= 1e-9
    for tc in (0.76, 0.97, 1.16, 1.333, 2.39):
        r_true, dx_true = _direct(tc, T, 1.764)
        r, dx = tab.ratios(tc, 1.764)
        np.testing.assert_allclose(np.asarray(r), r_true, rtol=1e-8)
        np.testing.assert_allclose(np.asarray(dx), dx_true, rtol=0, atol=1e-9)
    g = jax.grad(lambda t: tab.ratios(t, 1.764)[0].sum())(1.1)
    assert np.isfinite(float(g)) and float(g) < 0  # a larger gap lowers the loss


def test_chebyshev_table_through_tc():
    """Through Tc: two pieces per temperature; the gap onset (pair-breaking threshold
    2 Delta = h f just below Tc) is not analytic, so 128 nodes reach ~3e-2 there only;
    1 % of Tc away from every kink the table is within 5e-4 (measured 1.5e-4: the onset slows the
    convergence of the whole superconducting piece)."""
    Tq = np.array([0.3, 0.9, 1.15, 1.4])
    tab = chebyshev.build_ratios(_direct, Tq, 0.75, 2.4, 1.764, 1.764, vary_g=False, tol=1e-9)
    assert tab.error < 5e-2
    for tc in (0.8, 1.0, 1.3, 1.7, 2.3):
        far = np.abs(tc / Tq - 1) > 0.01
        r_true, dx_true = _direct(tc, Tq, 1.764)
        r, dx = (np.asarray(a) for a in tab.ratios(tc, 1.764))
        np.testing.assert_allclose(np.log(r[far]), np.log(r_true[far]), rtol=0, atol=5e-4)
        np.testing.assert_allclose(dx[far], dx_true[far], rtol=0, atol=5e-4)
    for tc in (1.1, 1.15, 1.1501):  # finite gradients, also at the kink Tc = T_i
        g = jax.grad(lambda t: tab.ratios(t, 1.764)[0].sum())(tc)
        assert np.isfinite(float(g)), tc


def synthetic(seed=0):
    fr, qi = (np.asarray(a) for a in rs.sweep_model(T, **TRUE, **CFG))
    rng = np.random.default_rng(seed)
    fr_err = np.full(T.shape, 30.0)
    qi_err = 3e-3 * qi
    return (
        fr + fr_err * rng.standard_normal(T.shape),
        qi + qi_err * rng.standard_normal(T.shape),
        fr_err,
        qi_err,
    )


def test_joint_fit_recovers_parameters():
    fr, qi, fr_err, qi_err = synthetic()
    res = rs.fit_temperature_sweep(T, fr, qi, fr_err=fr_err, Qi_err=qi_err, Tc_K=1.0)
    assert res.success, res.message
    for k in ("Tc_K", "alpha_k", "fr0_Hz", "Q_other"):
        pull = (res.params[k] - TRUE[k]) / res.stderr[k]
        assert abs(pull) < 4, (k, res.params[k], res.stderr[k])
    assert 0.3 < res.chi2_red < 2.2  # 28 - 4 dof
    fr_m, qi_m = res.model(T)
    assert np.all(np.abs(fr_m - fr) < 5 * fr_err) and np.all(np.abs(qi_m - qi) < 5 * qi_err)
    assert "Tc_K" in res.report() and res.to_dict()["fit_kind"] == "joint"


@pytest.mark.slow
def test_fr_only_and_qi_only_agree_on_synthetic_data():
    fr, qi, fr_err, qi_err = synthetic(1)
    c = rs.compare_sweep_fits(T, fr, qi, fr_err=fr_err, Qi_err=qi_err, Tc_K=1.0)
    assert c.fr.success and c.Qi.success and c.agree, c.report()
    assert abs(c.fr.params["Tc_K"] - TRUE["Tc_K"]) < 4 * c.fr.stderr["Tc_K"]


@pytest.mark.slow  # grad through the direct Mattis-Bardeen model compiles for minutes
def test_model_gradients_finite():
    def loss(tc, a):
        fr, qi = rs.sweep_model(
            T, Tc_K=tc, alpha_k=a, fr0_Hz=F0, Q_other=3e5, F_delta_tls=1e-6, **CFG
        )
        return (fr / F0).sum() + (1 / qi).sum()

    g = jax.grad(loss, argnums=(0, 1))(1.2, 0.05)
    assert all(np.isfinite(float(v)) for v in g)


def test_bad_input():
    fr, qi, fr_err, qi_err = synthetic()
    with pytest.raises(DomainError, match=r"'T_K'.*mK"):
        rs.fit_temperature_sweep(T * 1e3, fr, qi)
    with pytest.raises(DomainError, match=r"'fr_Hz'.*GHz"):
        rs.fit_temperature_sweep(T, fr / 1e9, qi)
    bad = qi.copy()
    bad[3] = -bad[3]
    with pytest.raises(DomainError, match=r"'Qi' must be > 0.*negative.*index 3"):
        rs.fit_temperature_sweep(T, fr, bad)
    nan = fr.copy()
    nan[[2, 5]] = np.nan
    with pytest.raises(DomainError, match=r"'fr_Hz' has NaN.*2, 5"):
        rs.fit_temperature_sweep(T, nan, qi)
    with pytest.raises(DomainError, match=r"'impedance'"):
        rs.fit_temperature_sweep(T, fr, qi, impedance="thick")
    with pytest.raises(DomainError, match=r"'Qi_err'"):
        rs.fit_temperature_sweep(T, fr, qi, Qi_err=-qi_err)
    with pytest.raises(DomainError, match=r"shape of T_K"):
        rs.fit_temperature_sweep(T, fr[:-1], qi)


def test_anomalous_limits():
    """Extreme anomalous limit, Z_s ∝ σ^{-1/3} (Mattis & Bardeen 1958; Pippard): in the
    normal state X_s/R_s = √3 (the anomalous skin effect), and at T ≪ Tc
    R_s/X_s = σ1/(3σ2) to first order in σ1/σ2, and δX_s/X_s = -(1/3) δσ2/σ2."""
    from dissipax.rf import sigma_mattis_bardeen

    g, tc = temperature.ALPHA_BCS, 1.2
    cfg = dict(impedance="anomalous", rho_n_ohm_m=1e-8, thickness_m=None)
    r, dx = (np.asarray(a) for a in rs.impedance_ratios(F0, np.array([1.3, 1.9]), tc, g, **cfg))
    np.testing.assert_allclose((1 + dx) / r, np.sqrt(3.0), rtol=1e-12)
    Tq = np.array([0.15, 0.2, 0.25])
    r, dx = (np.asarray(a) for a in rs.impedance_ratios(F0, Tq, tc, g, **cfg))
    omega = 6.62607015e-34 * F0 / (1.380649e-23 * g * tc)
    s = np.asarray(sigma_mattis_bardeen(omega, Tq / (g * tc), Tc=1 / g))
    s0 = np.asarray(sigma_mattis_bardeen(omega, temperature.T_REF_OVER_TC / g, Tc=1 / g))
    eps = s.real / s.imag
    np.testing.assert_allclose(r / (1 + dx), eps / 3, rtol=3 * eps.max())
    np.testing.assert_allclose(dx, (s.imag / s0.imag) ** (-1 / 3) - 1, rtol=3 * eps.max())


def test_temperature_error_floor():
    """T_err: the errors become sqrt(σ² + (∂y/∂T)² σ_T²) with the slope of the fitted model,
    and with temperatures jittered by that σ_T the fit is good again (chi2_red ~ 1)."""
    Tt = np.linspace(0.25, 0.55, 16)
    sT = 0.004 * Tt
    rng = np.random.default_rng(3)
    T_meas = Tt + sT * rng.standard_normal(Tt.shape)
    fr, qi = (np.asarray(a) for a in rs.sweep_model(Tt, **TRUE, **CFG))
    fr_err, qi_err = np.full(Tt.shape, 3.0), 3e-4 * qi
    fr = fr + fr_err * rng.standard_normal(Tt.shape)
    qi = qi + qi_err * rng.standard_normal(Tt.shape)
    kw = dict(fr_err=fr_err, Qi_err=qi_err, Tc_K=1.0)
    plain = rs.fit_temperature_sweep(T_meas, fr, qi, **kw)
    res = rs.fit_temperature_sweep(T_meas, fr, qi, T_err=sT, **kw)
    assert res.success and plain.chi2_red > 5 * res.chi2_red and res.chi2_red < 2.5
    for k in ("Tc_K", "alpha_k"):
        assert abs(res.params[k] - TRUE[k]) < 4 * res.stderr[k], (k, res.params[k])
    h = 1e-5
    up, down = res.model(T_meas + h), res.model(T_meas - h)
    slope = (up[1] - down[1]) / (2 * h)
    np.testing.assert_allclose(res.errors["Qi"], np.hypot(qi_err, slope * sT), rtol=1e-3)
    np.testing.assert_array_equal(res.config["T_err"], sT)
    with pytest.raises(DomainError, match=r"'T_err'.*kelvin"):
        rs.fit_temperature_sweep(T_meas, fr, qi, T_err=sT * 1e3, **kw)


@pytest.mark.slow  # ~1 min (the table through Tc); notebook 05 asserts the same by default
def test_levkrayzman_below_the_transition(dataset):
    t = rs.load_resonator_table(dataset("levkrayzman_al_resonator", "fitresults_temp.csv"))
    m = t.T_K <= 1.145
    res = rs.fit_temperature_sweep(
        t.T_K[m],
        t.fr_Hz[m],
        t.Qi[m],
        fr_err=t.fr_err[m],
        Qi_err=t.Qi_err[m],
        impedance="anomalous",
        tls=True,
        T_err=0.01 * t.T_K[m],
        Tc_K=1.2,
    )
    assert res.success, res.message
    assert 1.1 < res.params["Tc_K"] < 1.4 and 1e-5 < res.params["alpha_k"] < 1e-2
    assert res.chi2_red < 4, res.chi2_red  # 43 dof; measured 2.1
