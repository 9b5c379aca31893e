"""fit_s21: recovery of known parameters from noisy synthetic traces, from automatic starts."""

import numpy as np
import pytest

from dissipax._checks import DomainError
from dissipax.rf import resonator as rs

N, NF = 4, 600
F = np.linspace(5.2e9 - 2.5e6, 5.2e9 + 2.5e6, NF)
NOISE = 3e-3


def synthetic(seed=1):
    rng = np.random.default_rng(seed)
    true = {
        "fr": 5.2e9 + rng.uniform(-3e5, 3e5, N),
        "Ql": rng.uniform(2e4, 5e4, N),
        "Qc": rng.uniform(4e4, 8e4, N),
        "phi": rng.uniform(-0.5, 0.5, N),
        "a": rng.uniform(0.05, 0.5, N),
        "alpha": rng.uniform(-3, 3, N),
        "tau": rng.uniform(20e-9, 90e-9, N),
    }
    s = np.asarray(rs.notch_s21(F, **{k: v[:, None] for k, v in true.items()}))
    noise = NOISE * true["a"][:, None]
    s = s + noise * (rng.standard_normal(s.shape) + 1j * rng.standard_normal(s.shape))
    true["Qi"] = np.asarray(rs.internal_q(true["Ql"], true["Qc"], true["phi"]))
    return s, true, noise[:, 0]


@pytest.fixture(scope="module")
def fitted():
    s, true, noise = synthetic()
    return rs.fit_s21(F, s), true, noise


def test_recovers_parameters_within_errors(fitted):
    res, true, noise = fitted
    assert res.success.all(), res.message
    for k, t in (("fr_Hz", "fr"), ("Qi", "Qi"), ("Qc", "Qc"), ("phi", "phi"), ("Ql", "Ql")):
        pull = (getattr(res, k) - true[t]) / res.stderr[k]
        # 4 traces x 5 quantities: |pull| < 4.5 fails with probability < 1e-4 under the model
        assert np.all(np.abs(pull) < 4.5), (k, pull)
        assert np.all(res.stderr[k] > 0)
    tau_pull = (res.tau_s - true["tau"]) / res.stderr["tau_s"]
    assert np.all(np.abs(tau_pull) < 4.5)
    # environment: amplitude, and the phase at f_ref (modulo 2 pi) to their stderr
    want = true["alpha"] - 2 * np.pi * res.f_ref_Hz * true["tau"]
    dphase = np.angle(np.exp(1j * (res.alpha - want)))
    assert np.all(np.abs(dphase / res.stderr["alpha"]) < 4.5), dphase
    assert np.all(np.abs((res.a - true["a"]) / res.stderr["a"]) < 4.5)


def test_noise_estimate_and_chi2(fitted):
    res, _, noise = fitted
    # the second-difference estimator sees the white noise to ~5 % at 600 points
    np.testing.assert_allclose(res.sigma, noise, rtol=0.1)
    # chi2_red of 1188 dof: 1 +- 0.04 (1 sigma), +- the 10 % noise estimate squared
    assert np.all(np.abs(res.chi2_red - 1) < 0.25), res.chi2_red


def test_model_method_reproduces_data_scale(fitted):
    res, _, noise = fitted
    s, _, _ = synthetic()
    resid = s - res.model(F)
    assert np.all(np.std(resid, axis=-1) < 2 * noise * np.sqrt(2))
    assert res.model(F, 0).shape == (NF,)
    d = res.to_dict()
    assert {"fr_Hz", "Qi_stderr", "chi2_red"} <= set(d)
    assert "Qi" in res.report()


def test_starts_close_to_truth():
    s, true, _ = synthetic()
    st = rs.estimate_starts(np.broadcast_to(F, s.shape), s)
    np.testing.assert_allclose(st.fr, true["fr"], rtol=2 / true["Ql"].min())
    np.testing.assert_allclose(st.tau, true["tau"], rtol=0.05)
    np.testing.assert_allclose(st.Ql, true["Ql"], rtol=0.3)
    np.testing.assert_allclose(st.a, true["a"], rtol=0.05)


def test_circle_fit_exact_circle():
    t = np.linspace(0, 5, 50)
    z = (0.3 - 0.7j) + 0.25 * np.exp(1j * t)
    zc, r, rms = rs.circle_fit(z)
    assert abs(zc - (0.3 - 0.7j)) < 1e-12 and abs(r - 0.25) < 1e-12 and rms < 1e-12


# --- bad input: one clear DomainError each, raised before any fit -------------------------
S_OK = np.asarray(rs.notch_s21(F, fr=5.2e9, Ql=3e4, Qc=5e4, phi=0.1, a=0.2, tau=5e-8))


def test_frequencies_in_ghz():
    with pytest.raises(DomainError, match=r"'f_Hz'.*Hz.*GHz"):
        rs.fit_s21(F / 1e9, S_OK)


def test_nan_rows_named():
    s = np.stack([S_OK, S_OK, S_OK])
    s[1, 10] = np.nan
    with pytest.raises(DomainError, match=r"'s21'.*NaN.*row\(s\) 1"):
        rs.fit_s21(F, s)


def test_real_s21_rejected():
    with pytest.raises(DomainError, match=r"'s21' must be complex.*s21_from_db_deg"):
        rs.fit_s21(F, np.abs(S_OK))


def test_db_passed_as_linear():
    mag_db = 20 * np.log10(np.abs(S_OK))
    fake = mag_db * np.exp(1j * np.angle(S_OK))  # |S21| in dB used as a magnitude
    with pytest.raises(DomainError, match=r"'s21'.*dB"):
        rs.fit_s21(F, fake)


def test_non_monotonic_frequencies():
    f = F.copy()
    f[100] = f[99]
    with pytest.raises(DomainError, match=r"'f_Hz' must be strictly increasing"):
        rs.fit_s21(f, S_OK)


def test_too_few_points_and_shapes_and_sigma():
    with pytest.raises(DomainError, match="at least 20 points"):
        rs.fit_s21(F[:10], S_OK[:10])
    with pytest.raises(DomainError, match="same shape"):
        rs.fit_s21(F[:-1], S_OK)
    with pytest.raises(DomainError, match="'sigma'"):
        rs.fit_s21(F, S_OK, sigma=-1.0)


def test_decreasing_traces_are_reversed():
    f, s = rs.s21_fit._as_traces(F[::-1], S_OK[::-1])
    np.testing.assert_array_equal(f[0], F)
    np.testing.assert_array_equal(s[0], S_OK)


def test_s21_from_db_deg():
    s = rs.s21_from_db_deg([-20.0, 0.0], [90.0, 180.0])
    np.testing.assert_allclose(s, [0.1j, -1.0], atol=1e-15)


def test_projected_fit_equals_full_seven_parameter_fit(fitted):
    """Variable projection finds the minimum of the full model: SciPy's MINPACK on all
    seven parameters, started at fit_s21's optimum, stays there (to 1e-3 stderr), and the
    covariance (J^T J)^-1 chi2_red of a finite-difference Jacobian there matches fit_s21's
    stderr (from the analytic Jacobian) to 1e-3."""
    from scipy.optimize import least_squares

    res, _, _ = fitted
    s, _, _ = synthetic()
    names = ("fr_Hz", "Qi", "Qc", "phi", "a", "alpha", "tau_s")
    for i in range(len(res)):
        scale = np.array([res.stderr[k][i] for k in names])
        p0 = np.array([getattr(res, k)[i] for k in names])

        def resid(u, i=i, p0=p0, scale=scale):
            fr, qi, qc, phi, a, alpha, tau = p0 + u * scale
            ql = 1.0 / (1.0 / qi + np.cos(phi) / qc)
            m = np.asarray(
                rs.notch_s21(
                    F,
                    fr=fr,
                    Ql=ql,
                    Qc=qc,
                    phi=phi,
                    a=a,
                    alpha=alpha,
                    tau=tau,
                    f_ref_Hz=res.f_ref_Hz[i],
                )
            )
            r = (m - s[i]) / res.sigma[i]
            return np.concatenate([r.real, r.imag])

        out = least_squares(resid, np.zeros(7), method="lm", xtol=1e-12)
        assert np.all(np.abs(out.x) < 1e-3), out.x  # in units of fit_s21's stderr
        chi2_red = 2 * out.cost / (2 * NF - 7)
        # central differences of 1e-2 stderr (MINPACK's forward-difference out.jac loses
        # ~2 % in fr ~ 5e9 Hz to rounding)
        h = 1e-2
        J = np.stack(
            [(resid(out.x + h * e) - resid(out.x - h * e)) / (2 * h) for e in np.eye(7)], 1
        )
        se = np.sqrt(np.diag(np.linalg.inv(J.T @ J)) * chi2_red)
        np.testing.assert_allclose(se, 1.0, rtol=1e-3)
        np.testing.assert_allclose(res.chi2_red[i], chi2_red, rtol=1e-9)


def test_notch_jacobian_matches_autodiff():
    import jax

    from dissipax.rf.resonator.notch import _kernel

    p = dict(fr=5.2e9 + 1e4, Qi=8e4, Qc=5e4, phi=0.3, a=0.2, alpha=1.1, tau=4e-8)
    f_ref = 5.2e9
    J = rs.notch_jacobian(F[None], **{k: np.array([v]) for k, v in p.items()}, f_ref_Hz=[f_ref])

    def s21(v):
        fr, qi, qc, phi, a, alpha, tau = v
        ql = 1.0 / (1.0 / qi + jax.numpy.cos(phi) / qc)
        return _kernel(F, fr=fr, Ql=ql, Qc=qc, phi=phi, a=a, alpha=alpha, tau=tau, f_ref=f_ref)

    v = jax.numpy.array(list(p.values()))
    re = jax.jacfwd(lambda v: s21(v).real)(v)
    im = jax.jacfwd(lambda v: s21(v).imag)(v)
    np.testing.assert_allclose(J[0].real, np.asarray(re), rtol=1e-9, atol=1e-12 * np.abs(re).max())
    np.testing.assert_allclose(J[0].imag, np.asarray(im), rtol=1e-9, atol=1e-12 * np.abs(im).max())
