"""Batched fits of Eqs. (1), (2), law="auto", the power laws and H*, on the synthetic table."""

import numpy as np
import pytest

from dissipax import units
from dissipax._checks import DomainError
from dissipax.saturation import analysis, field, fitting, laws, synthetic


@pytest.fixture(scope="module")
def sweep():
    return synthetic.generate(seed=0)


@pytest.fixture(scope="module")
def auto(sweep):
    T, rho, sigma, _ = sweep.padded()
    return fitting.fit(T, rho, "auto", sigma=sigma, H=sweep.H)


def test_auto_law_matches_the_labels(sweep, auto):
    assert np.asarray(auto.law).tolist() == sweep.truth.law.tolist()
    assert np.all(auto.success)
    # the wrong law is far worse (the data's temperature coefficient has the other sign)
    wrong = np.where(auto.law == "insulator", auto.superconductor.redchi, auto.insulator.redchi)
    assert np.all(wrong > 50 * auto.redchi)
    # row access gives the chosen law's single fit
    first, last = auto[0], auto[len(auto) - 1]
    assert set(first.params) == {"rho_QF", "rho_0", "E_a"}
    assert first.extra["law"] == "superconductor"
    assert set(last.params) == {"sigma_QF", "sigma_0", "E_a"} and "sign" not in last.names
    assert "[[Crossover]]" in auto.report()


def test_recovery_of_known_parameters(sweep, auto):
    truth = sweep.truth.params
    for name in ("sigma_QF", "sigma_0", "rho_QF", "rho_0", "E_a"):
        sel = np.isfinite(truth[name])
        pull = (auto.params[name][sel] - truth[name][sel]) / auto.stderr[name][sel]
        # 42 Gaussian pulls in all: |pull| < 4 fails by chance with probability ~3e-3
        assert np.all(np.abs(pull) < 4), (name, pull)
    # with sigma = the true noise, redchi ~ 1 (40 - 3 dof: 99.9% interval ~[0.45, 1.8])
    assert np.all((auto.redchi > 0.4) & (auto.redchi < 1.9))


def test_exponents_recovered_within_3_stderr(auto):
    a = auto.power_laws["sigma_QF"]
    b = auto.power_laws["rho_QF_inv"]
    assert abs(a.params["exponent"] - (-4.7)) < 3 * a.stderr["exponent"]
    assert abs(b.params["exponent"] - (-0.45)) < 3 * b.stderr["exponent"]
    # and the error bars are informative (0.5 % noise on 40 points per field)
    assert a.stderr["exponent"] < 0.02 and b.stderr["exponent"] < 0.005


def test_auto_finds_the_true_crossover(auto):
    c = auto.crossover
    assert (c.H_below, c.H_above) == (300.0, 350.0)
    assert c.method == "power-law intersection"
    assert abs(c.H_star - 300.0) < 3 * c.H_star_stderr
    assert abs(c.R_star - units.R_Q) < 3 * c.R_star_stderr
    assert c.R_star_over_R_Q == pytest.approx(1.0, abs=0.01)


def test_batched_equals_per_field(sweep, auto):
    T, rho, sigma, _ = sweep.padded()
    for i in (0, 9):
        law = str(auto.law[i])
        single = fitting.fit(T[i], rho[i], law, sigma=sigma[i])
        batch = getattr(auto, law)
        assert single.success
        for n in laws.PARAM_NAMES[law]:
            # both stop at the LM tolerance rtol = atol = 1e-10 on the internal coordinates
            assert single.params[n] == pytest.approx(batch.params[n][i], rel=1e-7)
            assert single.stderr[n] == pytest.approx(batch.stderr[n][i], rel=1e-6)
        assert single.chi2 == pytest.approx(float(batch.chi2[i]), rel=1e-9)


def test_initial_guess_is_close_to_truth(sweep):
    T, rho, _, _ = sweep.padded()
    truth = sweep.truth.params
    for law in laws.LAWS:
        sel = sweep.truth.law == law
        g = fitting.initial_guess(T, rho, law)
        for n, v in g.items():
            # the plateau scan + Arrhenius regression lands within 10 % on 0.5 %-noise data
            np.testing.assert_allclose(v[sel], truth[n][sel], rtol=0.1)


def test_initial_guess_compiled_equals_numpy(sweep, monkeypatch):
    # from _GUESS_JIT_ROWS curves on the scan runs compiled, on bucketed (padded, masked)
    # shapes: the same starts as the NumPy scan, with masked points too
    T, rho, _, _ = sweep.padded()
    rows = np.resize(np.arange(rho.shape[0]), 70)  # 70 curves: the compiled path
    T2 = np.broadcast_to(T, rho.shape)[rows]
    mask = np.ones((70, rho.shape[1]), bool)
    mask[::3, -4:] = False
    for law in laws.LAWS:
        fast = fitting.initial_guess(T2, rho[rows], law, mask)
        monkeypatch.setattr(fitting, "_GUESS_JIT_ROWS", 10**9)
        ref = fitting.initial_guess(T2, rho[rows], law, mask)
        monkeypatch.undo()
        for n in ref:
            np.testing.assert_allclose(fast[n], ref[n], rtol=1e-12)


def test_masked_padding_is_ignored(sweep, auto):
    T, rho, sigma, _ = sweep.padded()
    mask = np.ones(rho.shape, bool)
    mask[:, -6:] = False
    rho_bad = rho.copy()
    rho_bad[~mask] = 1e9  # garbage where masked
    # law="auto" stacks the rows of both laws like the fixture does: no new compilation
    full = fitting.fit(T, rho_bad, "auto", sigma=sigma, mask=mask).insulator
    assert np.all(full.ndata == 34)  # masked points are not data
    # redchi counts only the real points: chi2/(34 - 3)
    np.testing.assert_allclose(full.redchi, np.asarray(full.chi2) / 31, rtol=1e-14)
    sel = sweep.truth.law == "insulator"
    truth = sweep.truth.params
    pull = (full.params["sigma_QF"][sel] - truth["sigma_QF"][sel]) / full.stderr["sigma_QF"][sel]
    assert np.all(np.abs(pull) < 4)


def test_power_law_fit_equals_weighted_linear_regression():
    rng = np.random.default_rng(1)
    H = np.array([350.0, 400.0, 500.0, 600.0, 800.0])
    y = 2e-5 * (H / 450.0) ** -4.7 * (1 + 0.02 * rng.standard_normal(H.size))
    y_err = 0.02 * y
    res = field.fit_power_law(H, y, y_err, H_ref=450.0)
    X = np.stack([np.ones_like(H), np.log(H / 450.0)], axis=1)
    W = np.diag((y / y_err) ** 2)
    cov = np.linalg.inv(X.T @ W @ X)
    beta = cov @ X.T @ W @ np.log(y)
    # linear model: LM lands on the normal-equation solution to its tolerance (1e-10)
    assert res.params["exponent"] == pytest.approx(beta[1], rel=1e-8)
    assert np.log(res.params["amplitude"]) == pytest.approx(beta[0], rel=1e-8, abs=1e-9)
    assert res.stderr["exponent"] == pytest.approx(np.sqrt(cov[1, 1]), rel=1e-8)
    assert np.asarray(field.power_law(450.0, res.params["amplitude"], -4.7, 450.0)) == (
        pytest.approx(res.params["amplitude"])
    )


def test_crossover_bracket_fallback():
    c = field.crossover(300.0, 350.0, R_below=6000.0, R_above=13000.0)
    assert c.method == "bracket" and c.H_star == pytest.approx(np.sqrt(300 * 350))
    with pytest.raises(DomainError):
        field.crossover(300.0, 350.0)


def test_analyze_summarises_the_sweep(sweep, auto):
    a = analysis.analyze(sweep)
    assert a.law.tolist() == sweep.truth.law.tolist()
    np.testing.assert_allclose(a.saturation_resistance, auto.saturation_resistance)
    # curvature zeros of the fitted curves: E_a/2 for Eq. (2), 0.05-0.25 K for Eq. (1)
    sc = a.law == "superconductor"
    np.testing.assert_allclose(a.T_curvature_zero[sc], a.params["E_a"][sc] / 2)
    assert np.all((a.T_curvature_zero[~sc] > 0.05) & (a.T_curvature_zero[~sc] < 0.25))
    assert "H* = " in "\n".join(a.summary_lines()) and a.report().startswith("# synthetic")
    assert set(a.to_dict()) >= {"params", "crossover", "power_laws"}


def test_fit_validation():
    T = np.linspace(0.05, 1, 10)
    with pytest.raises(DomainError, match="'rho'"):
        fitting.fit(T, -np.ones(10))
    with pytest.raises(DomainError, match="'T'"):
        fitting.fit(T[:5], np.ones(10))
    with pytest.raises(DomainError, match="at least 4 points"):
        fitting.fit(T[:3], np.ones(3))
    with pytest.raises(DomainError, match="'law'"):
        fitting.fit(T, np.ones(10), "metal")
    with pytest.raises(DomainError, match="'H'"):
        fitting.fit(T, np.ones(10), "insulator", H=np.ones(1))


def test_magnetoresistance_kernel_is_safe_at_zero_field():
    import jax

    g = jax.grad(field.magnetoresistance, argnums=(0, 1, 2, 3))(0.0, 100.0, 2.0, 1.5)
    assert all(np.isfinite(float(x)) for x in g)
    assert float(field.magnetoresistance(0.0, 100.0, 2.0, 1.5)) == 100.0
    assert float(field.magnetoresistance(-4.0, 100.0, 2.0, 1.5)) == pytest.approx(116.0)


def test_magnetoresistance_fit_recovers_parameters():
    rng = np.random.default_rng(4)
    H = np.linspace(-100, 100, 81)
    true = dict(rho_0=6200.0, A=0.8, p=1.4)
    rho = np.asarray(field.magnetoresistance(H, **true)) + 2.0 * rng.standard_normal(H.size)
    res = field.fit_magnetoresistance(H, rho, np.full(H.size, 2.0))
    assert res.success
    for k, v in true.items():
        assert abs(res.params[k] - v) < 4 * res.stderr[k], k  # Gaussian pulls, 4 sigma


def test_fit_is_stable_from_mK_to_K():
    """E_a/T up to 700 inside the data: the fit converges and its curve stays finite."""
    T = np.geomspace(1e-3, 1.5, 40)  # same shape as the per-field fits above: no new compile
    p = dict(sigma_QF=2e-6, sigma_0=1e-3, E_a=0.7)
    rng = np.random.default_rng(7)
    true = np.asarray(laws.failed_insulator(T, **p))
    rho = true * (1 + 0.005 * rng.standard_normal(T.size))
    res = fitting.fit(T, rho, "insulator", sigma=0.005 * true)
    assert res.success and np.isfinite(res.chi2)
    for k, v in p.items():
        assert abs(res.params[k] - v) < 4 * res.stderr[k], k  # Gaussian pulls, 4 sigma


@pytest.mark.slow
def test_exponent_errors_are_calibrated_over_seeds():
    """Pulls (fit - truth)/stderr of a and b over 40 noise seeds: mean ~0, spread ~1."""
    pulls = {"sigma_QF": [], "rho_QF_inv": []}
    for seed in range(40):
        s = synthetic.generate(seed=100 + seed)
        T, rho, sigma, _ = s.padded()
        res = fitting.fit(T, rho, "auto", sigma=sigma, H=s.H)
        for k, true in (("sigma_QF", -4.7), ("rho_QF_inv", -0.45)):
            r = res.power_laws[k]
            pulls[k].append((r.params["exponent"] - true) / r.stderr["exponent"])
    for k, v in pulls.items():
        v = np.asarray(v)
        # 40 draws: the mean of unit Gaussians within 3/sqrt(40), the std within ~[0.65, 1.35]
        assert abs(v.mean()) < 3 / np.sqrt(v.size), (k, v)
        assert 0.65 < v.std() < 1.35, (k, v)


@pytest.mark.slow
def test_failed_rows_are_retried_with_multistart(sweep):
    T, rho, sigma, _ = sweep.padded()
    res = fitting.fit(T[:4], rho[:4], "superconductor", sigma=sigma[:4], max_steps=2)
    assert not np.any(res.success)  # two LM steps cannot reach rtol = 1e-10
    assert all(m.startswith("(retried with multistart=8)") for m in res.message)
    assert res.params["rho_QF"].shape == (4,) and res.covariance.shape == (4, 3, 3)
    ok = fitting.fit(T[:4], rho[:4], "superconductor", sigma=sigma[:4])
    assert np.all(ok.success) and not any(m.startswith("(retried") for m in ok.message)


def test_ragged_lists_equal_separate_fits():
    # one array per field, of different lengths: no padding by hand, and each field's fit
    # equals its own single fit (values, stderr, chi2 to 1e-10)
    s = synthetic.generate(seed=2)
    keep = [len(s.T[0]), len(s.T[1]) - 9, len(s.T[2]) - 4]
    T = [s.T[i][:k] for i, k in enumerate(keep)]
    rho = [s.rho[i][:k] for i, k in enumerate(keep)]
    sig = [s.sigma[i][:k] for i, k in enumerate(keep)]
    law = s.truth.law[0]
    joint = fitting.fit(T, rho, law, sigma=sig)
    assert joint.batched and list(joint.ndata) == keep
    for i in range(3):
        one = fitting.fit(T[i], rho[i], law, sigma=sig[i])
        assert one.ndata == keep[i]
        for k in one.params:
            np.testing.assert_allclose(joint[i].params[k], one.params[k], rtol=1e-10)
            np.testing.assert_allclose(joint[i].stderr[k], one.stderr[k], rtol=1e-10)
        np.testing.assert_allclose(joint[i].chi2, one.chi2, rtol=1e-10)


def test_ragged_lists_must_match_point_by_point():
    with pytest.raises(DomainError, match="'rho\\[1\\]' has 5 points but 'T\\[1\\]' has 6"):
        fitting.fit([np.linspace(1, 2, 6)] * 2, [np.ones(6), np.ones(5)])
