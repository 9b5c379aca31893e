"""vortex.fit: parameter recovery from SYNTHETIC noisy spectra, joint/batched fits, bad input."""

import jax
import numpy as np
import pytest

import dissipax.vortex as vx
from dissipax import DomainError
from dissipax.fit import Parameter

N_DRAWS = 200
OMEGA = np.linspace(0.02, 5.0, 150)


def random_truth(rng, n):
    """Random hydrodynamic parameters well inside the entropy bound (alpha^2 <= 0.09 bound)."""
    f_s = 10 ** rng.uniform(-0.3, 0.3, n)
    Omega = rng.uniform(0.2, 1.0, n)
    Omega_H = rng.choice([-1, 1], n) * rng.uniform(0.1, 1.5, n) * Omega
    sigma_o = rng.uniform(0.02, 0.2, n)
    alpha_v = rng.uniform(-0.3, 0.3, n) * np.sqrt(sigma_o * Omega / f_s)
    sigma_oH = rng.normal(0.0, 0.02, n)
    return dict(
        f_s=f_s, Omega=Omega, Omega_H=Omega_H, alpha_v=alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )


def coverage(res, truth, names):
    """Fraction of fits whose estimate lies within 3 stderr of the truth, per parameter."""
    out = {}
    for n in names:
        z = np.abs(np.asarray(res.params[n]) - truth[n]) / np.asarray(res.stderr[n])
        out[n] = float(np.mean(z <= 3.0))
    return out


def test_joint_recovery_200_draws_in_one_batched_fit():
    rng = np.random.default_rng(4)
    truth = random_truth(rng, N_DRAWS)
    spec = vx.synthetic_spectrum(jax.random.key(4), OMEGA, **truth, noise_rel=0.01)
    res = vx.fit(
        OMEGA,
        spec.sigma_xx,
        spec.sigma_xy,
        sigma=(spec.sigma_xx_err, spec.sigma_xy_err),
        scale_covar=False,
    )
    assert res.batched and len(res) == N_DRAWS
    assert np.all(res.success)
    # the noise is Gaussian with the given sigma: chi2_red ~ 1 within its spread
    # (600 real residuals -> sd of chi2_red ~ sqrt(2/594) = 0.058; 5 sd)
    assert np.all(np.abs(np.asarray(res.redchi) - 1) < 5 * np.sqrt(2 / 594))
    cov = coverage(res, truth, vx.fitting.PARAMS["joint"])
    # within 3 stderr for >= 95% of the draws (Gaussian expectation 99.7%)
    assert all(c >= 0.95 for c in cov.values()), cov
    assert np.all(res.extra["entropy_margin"] > 0)


def test_xx_only_fit_recovers_magnitude_of_omega_h():
    truth = dict(f_s=1.3, Omega=0.4, Omega_H=-0.7, alpha_v=0.0, sigma_o=0.05, sigma_oH=0.0)
    spec = vx.synthetic_spectrum(jax.random.key(7), OMEGA, **truth, noise_rel=0.01)
    res = vx.fit(OMEGA, spec.sigma_xx, sigma=spec.sigma_xx_err, scale_covar=False)
    assert res.success and res.vary["alpha_v"] is False
    for n, t in dict(f_s=1.3, Omega=0.4, Omega_H=0.7, sigma_o=0.05).items():
        assert abs(res.params[n] - t) <= 4 * res.stderr[n], (n, res.params[n], t)


def test_pinned_recovery_across_the_transition():
    # batch over omega_o from the superconductor (0.3) to the anomalous metal (~0): same width
    omega_o = np.array([0.3, 0.1, 0.03, 0.01])
    truth = dict(
        f_s=np.full(4, 1.1), Omega=np.full(4, 0.5), omega_o=omega_o, sigma_o=np.full(4, 0.05)
    )
    spec = vx.synthetic_spectrum(jax.random.key(9), OMEGA, **truth, noise_rel=0.01)
    res = vx.fit(OMEGA, spec.sigma_xx, sigma=spec.sigma_xx_err, model="pinned", scale_covar=False)
    assert np.all(res.success)
    for n in ("f_s", "Omega", "omega_o", "sigma_o"):
        z = np.abs(res.params[n] - truth[n]) / res.stderr[n]
        assert np.all(z <= 4), (n, z)


def per_spectrum_data():
    rng = np.random.default_rng(5)
    truth = random_truth(rng, 3)
    n = OMEGA.size
    grids = np.stack(
        [np.linspace(0.02, 4.0, n), np.linspace(0.05, 5.0, n), np.geomspace(0.01, 6.0, n)]
    )
    specs = [
        vx.synthetic_spectrum(jax.random.key(i), grids[i], **{k: v[i] for k, v in truth.items()})
        for i in range(3)
    ]
    stack = {
        k: np.stack([s[k] for s in specs])
        for k in ("sigma_xx", "sigma_xy", "sigma_xx_err", "sigma_xy_err")
    }
    return truth, grids, stack


def test_per_spectrum_frequency_grids_with_a_fixed_parameter():
    truth, grids, d = per_spectrum_data()
    fixed = {"alpha_v": Parameter(np.asarray(truth["alpha_v"]), vary=False)}
    res = vx.fit(
        grids,
        d["sigma_xx"],
        d["sigma_xy"],
        sigma=(d["sigma_xx_err"], d["sigma_xy_err"]),
        params=fixed,
    )
    assert np.all(res.success)
    assert res.vary["alpha_v"] is False and "alpha_v" not in res.param_names
    np.testing.assert_array_equal(res.params["alpha_v"], truth["alpha_v"])
    np.testing.assert_array_equal(res.stderr["alpha_v"], 0.0)
    for n in ("f_s", "Omega", "Omega_H", "sigma_o", "sigma_oH"):
        z = np.abs(res.params[n] - truth[n]) / res.stderr[n]
        assert np.all(z <= 4), (n, z)


def test_ragged_spectra_equal_separate_fits():
    # spectra of different lengths as lists (one grid each): packed with a mask inside
    # vortex.fit; each equals its own single fit (values, stderr, chi2 to 1e-10)
    truth, grids, d = per_spectrum_data()
    keep = (150, 120, 97)
    cut = lambda a: [np.asarray(a[i][:k]) for i, k in enumerate(keep)]  # noqa: E731
    res = vx.fit(
        cut(grids),
        cut(d["sigma_xx"]),
        cut(d["sigma_xy"]),
        sigma=(cut(d["sigma_xx_err"]), cut(d["sigma_xy_err"])),
    )
    assert np.all(res.success) and list(res.ndata) == [4 * k for k in keep]
    for i, k in enumerate(keep):
        one = vx.fit(
            grids[i][:k],
            d["sigma_xx"][i][:k],
            d["sigma_xy"][i][:k],
            sigma=(d["sigma_xx_err"][i][:k], d["sigma_xy_err"][i][:k]),
        )
        for n in one.params:
            np.testing.assert_allclose(res[i].params[n], one.params[n], rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(res[i].stderr[n], one.stderr[n], rtol=1e-10)
        np.testing.assert_allclose(res[i].chi2, one.chi2, rtol=1e-10)


@pytest.mark.slow
def test_batch_member_equals_single_fit_from_another_start():
    truth, grids, d = per_spectrum_data()
    res = vx.fit(grids, d["sigma_xx"], d["sigma_xy"], sigma=(d["sigma_xx_err"], d["sigma_xy_err"]))
    one = vx.fit(
        grids[1],
        d["sigma_xx"][1],
        d["sigma_xy"][1],
        sigma=(d["sigma_xx_err"][1], d["sigma_xy_err"][1]),
        params={"Omega": Parameter(2 * truth["Omega"][1], min=0.0)},
    )
    assert one.init_params["Omega"] == 2 * truth["Omega"][1]
    # both converge to the same optimum (LM tolerance 1e-10; the minimum is well defined)
    for k in vx.fitting.PARAMS["joint"]:
        np.testing.assert_allclose(one.params[k], res[1].params[k], rtol=1e-6, atol=1e-9)


def test_entropy_violating_best_fit_warns():
    # data generated with alpha_v^2 f_s > sigma_o Omega (unphysical on purpose)
    truth = dict(f_s=1.0, Omega=0.5, Omega_H=0.3, alpha_v=0.3, sigma_o=0.01, sigma_oH=0.0)
    spec = vx.synthetic_spectrum(jax.random.key(3), OMEGA, **truth, noise_rel=0.001)
    with pytest.warns(vx.EntropyBoundWarning, match="entropy_margin"):
        res = vx.fit(
            OMEGA, spec.sigma_xx, spec.sigma_xy, sigma=(spec.sigma_xx_err, spec.sigma_xy_err)
        )
    assert res.extra["entropy_margin"] < 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(omega=OMEGA, sigma_xx=np.ones(149, complex)), "'omega' of shape"),
        (
            dict(omega=OMEGA, sigma_xx=np.ones(150, complex), sigma_xy=np.ones(149, complex)),
            "same shape",
        ),
        (dict(omega=OMEGA, sigma_xx=np.full(150, np.nan + 0j)), "'sigma_xx' must be finite"),
        (dict(omega=OMEGA, sigma_xx=np.ones((2, 3, 150), complex)), "1-D .* or 2-D"),
        (dict(omega=OMEGA, sigma_xx=np.ones(150, complex), model="drude"), "'model' must be"),
        (
            dict(omega=OMEGA - 1.0, sigma_xx=np.ones(150, complex), model="pinned"),
            "'omega' must be > 0",
        ),
        (
            dict(
                omega=OMEGA,
                sigma_xx=np.ones(150, complex),
                sigma_xy=np.ones(150, complex),
                model="pinned",
            ),
            "sigma_xx only",
        ),
        (
            dict(omega=OMEGA, sigma_xx=np.ones(150, complex), params={"omega_o": 0.1}),
            "unknown parameter",
        ),
        (dict(omega=OMEGA, sigma_xx=np.ones(150, complex), sigma=-1.0), "'sigma' must be > 0"),
        (
            dict(
                omega=OMEGA,
                sigma_xx=np.ones(150, complex),
                sigma_xy=np.ones(150, complex),
                sigma=(1.0, 1.0, 1.0),
            ),
            "tuple of 2",
        ),
        (dict(omega=OMEGA + 0j, sigma_xx=np.ones(150, complex)), "'omega' must be real"),
    ],
)
def test_bad_input(kwargs, match):
    kwargs = dict(kwargs)
    with pytest.raises(DomainError, match=match):
        vx.fit(kwargs.pop("omega"), kwargs.pop("sigma_xx"), kwargs.pop("sigma_xy", None), **kwargs)
