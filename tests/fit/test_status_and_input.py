"""Failure reporting, multistart, input validation, and the result's text/HTML/JSON forms."""

import json

import jax.numpy as jnp
import numpy as np
import pytest

from dissipax import DomainError, io
from dissipax.fit import FitError, Parameter, least_squares


def line(x, a, b):
    return a + b * x


def sqrt_model(x, a, b):
    return b * jnp.sqrt(a - x)


def product(x, a, b):
    return a * b * x


def wave(x, w):
    return jnp.sin(w * x)


X = np.linspace(0.0, 1.0, 20)


def test_max_steps_failure_is_reported_not_raised():
    y = np.sqrt(1.5 - X) * 2
    r = least_squares(sqrt_model, {"a": Parameter(30.0, min=1.0), "b": 0.1}, X, y, max_steps=2)
    assert r.success is False
    assert "max_steps=2" in r.message and "raise max_steps" in r.message
    assert np.isfinite(r.chi2)  # the last iterate, not a silent NaN
    with pytest.raises(FitError, match="max_steps=2"):
        least_squares(
            sqrt_model, {"a": Parameter(30.0, min=1.0), "b": 0.1}, X, y, max_steps=2, throw=True
        )


def test_nonfinite_start_reported():
    # sqrt(a - x) is NaN for x > a: the start a = 0.5 is outside the model's domain
    y = np.sqrt(1.5 - X) * 2
    r = least_squares(sqrt_model, {"a": 0.5, "b": 1.0}, X, y)
    assert r.success is False
    assert "not finite at the starting values" in r.message and "bounds" in r.message
    # the same model from a start inside its domain converges to the exact answer
    r = least_squares(sqrt_model, {"a": 1.2, "b": 1.0}, X, y)
    assert r.success, r.message
    np.testing.assert_allclose([r.params["a"], r.params["b"]], [1.5, 2.0], rtol=1e-8)


def test_batch_reports_failures_per_fit():
    y = np.sqrt(1.5 - X) * 2
    Y = np.stack([y, y, y])
    a0 = np.array([1.2, 0.5, 1.3])  # the middle fit starts outside the domain
    r = least_squares(sqrt_model, {"a": Parameter(a0), "b": 1.0}, X, Y, batched=True)
    np.testing.assert_array_equal(r.success, [True, False, True])
    assert "not finite" in r.message[1] and "converged" in r.message[0]
    assert "fit 1:" in r.report() and "[[Failed fits]] (1)" in r.report()
    with pytest.raises(FitError, match="1 of 3 fits failed"):
        least_squares(sqrt_model, {"a": Parameter(a0), "b": 1.0}, X, Y, batched=True, throw=True)


def test_degenerate_parameters_give_singular_covariance_message():
    y = 2 * X + 0.01 * np.sin(30 * X)
    r = least_squares(product, {"a": 1.0, "b": 1.0}, X, y)
    assert r.success  # the minimum is found (a whole valley of them)
    np.testing.assert_allclose(r.params["a"] * r.params["b"], 2.0, rtol=1e-2)
    assert np.all(np.isnan(r.covariance))
    assert "singular" in r.message and "a" in r.message and "b" in r.message


def test_no_degrees_of_freedom_message():
    r = least_squares(line, {"a": 1.0, "b": 1.0}, X[:2], 2 * X[:2])
    assert r.success and np.isnan(r.redchi) and "no degrees of freedom" in r.message
    r = least_squares(line, {"a": 1.0, "b": 1.0}, X[:2], 2 * X[:2], sigma=0.1, scale_covar=False)
    assert np.all(np.isfinite(r.covariance))


def test_multistart_escapes_local_minimum():
    # sin(w x) on [0, 10]: chi2(w) has many local minima; from w = 0.5 LM stops in one
    x = np.linspace(0, 10, 200)
    y = np.sin(2.3 * x)
    single = least_squares(wave, {"w": Parameter(0.5, min=0.1, max=5.0)}, x, y)
    assert abs(single.params["w"] - 2.3) > 0.1  # trapped (documents why multistart exists)
    multi = least_squares(wave, {"w": Parameter(0.5, min=0.1, max=5.0)}, x, y, multistart=24)
    assert multi.success, multi.message
    np.testing.assert_allclose(multi.params["w"], 2.3, rtol=1e-8)
    assert multi.chi2 < 1e-12 and "of 25 starts converged" in multi.message
    # deterministic given the key
    again = least_squares(wave, {"w": Parameter(0.5, min=0.1, max=5.0)}, x, y, multistart=24)
    assert again.params["w"] == multi.params["w"]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(y=np.r_[np.nan, np.ones(19)]), "argument 'y' must be finite"),
        (dict(y=np.r_[np.inf, np.ones(19)]), "argument 'y' must be finite"),
        (dict(sigma=0.0), "argument 'sigma' must be > 0"),
        (dict(sigma=-np.ones(20)), "argument 'sigma' must be > 0"),
        (dict(sigma=np.ones(7)), "'sigma' of shape \\(7,\\) does not broadcast"),
        (dict(y=np.ones(21)), "model output has shape \\(20,\\) but y"),
        (dict(x=np.r_[np.nan, X[1:]]), "argument 'x' must be finite"),
        (dict(params={"a": 1.0, "c": 1.0}), "model\\(x, \\*\\*params\\) failed"),
        (
            dict(params={"a": Parameter(1.0, vary=False), "b": Parameter(1.0, vary=False)}),
            "no parameter varies",
        ),
        (dict(params={"a": Parameter(np.ones(3)), "b": 1.0}), "need batched=True"),
        (dict(max_steps=0), "max_steps"),
        (dict(multistart=-1), "multistart"),
        (dict(rtol=-1.0), "rtol"),
        (dict(batch_x=True), "batch_x=True needs batched=True"),
    ],
)
def test_bad_input_raises_domain_error_before_tracing(kwargs, match):
    args = dict(params={"a": 1.0, "b": 1.0}, x=X, y=1 + 2 * X)
    args.update(kwargs)
    with pytest.raises(DomainError, match=match):
        least_squares(line, **{k: args.pop(k) for k in ("params", "x", "y")}, **args)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Parameter(1.0, min=2.0, max=1.0), "min < max"),
        (lambda: Parameter(1.0, min=1.0, max=1.0), "min < max"),
        (lambda: Parameter(3.0, min=0.0, max=1.0), "above max"),
        (lambda: Parameter(-1.0, min=0.0), "below min"),
        (lambda: Parameter(np.array([1.0, -1.0]), min=0.0), "below min"),
        (lambda: Parameter(0.0, min=0.0), "strictly inside"),
        (lambda: Parameter(np.nan), "must be finite"),
        (lambda: Parameter(1.0, min=np.nan), "NaN"),
        (lambda: Parameter(np.ones((2, 2))), "1-D array"),
        (lambda: Parameter(1.0, transform="log"), "needs a lower bound"),
        (lambda: Parameter(1.0, transform="sqrt"), "transform must be"),
    ],
)
def test_bad_parameter_raises_domain_error(make, match):
    with pytest.raises(DomainError, match=match):
        make()
    # fixed parameters may sit on a bound
    assert Parameter(0.0, min=0.0, vary=False).value == 0.0


def test_bad_batched_input():
    Y = np.ones((3, 20))
    with pytest.raises(DomainError, match="per-fit starts but y holds 3 fits"):
        least_squares(line, {"a": Parameter(np.ones(4)), "b": 1.0}, X, Y, batched=True)
    with pytest.raises(DomainError, match="leading axis 5 but y has 3"):
        least_squares(line, {"a": 1.0, "b": 1.0}, np.ones((5, 20)), Y, batched=True, batch_x=True)
    with pytest.raises(DomainError, match="sigma"):
        least_squares(line, {"a": 1.0, "b": 1.0}, X, Y, sigma=np.ones((2, 20)), batched=True)
    with pytest.raises(DomainError, match="cannot determine"):
        least_squares(line, {"a": 1.0, "b": 1.0}, X[:1], Y[0, :1])


def test_report_html_dict_and_indexing():
    rng = np.random.default_rng(0)
    y = 1 + 2 * X + 0.1 * rng.standard_normal(20)
    r = least_squares(line, {"a": Parameter(0.5, min=-5, max=5), "b": 1.0}, X, y, sigma=0.1)
    text = r.report()
    for piece in (
        "[[Fit Statistics]]",
        "[[Variables]]",
        "[[Correlations]]",
        "chi-square",
        "a:",
        "b:",
        "+/-",
        "init = 0.5",
        "[-5, 5]",
        "C(a, b)",
    ):
        assert piece in text, piece
    html = r._repr_html_()
    assert html.startswith("<div>") and "<table>" in html and "stderr" in html
    d = r.to_dict()
    assert d["param_names"] == ["a", "b"] and d["success"] is True
    # JSON round trip through the project's writer
    path = io.write_json(__import__("pathlib").Path(__file__).parent / "_tmp_fit.json", r)
    try:
        back = json.loads(path.read_text())
    finally:
        path.unlink()
    assert back["params"]["a"] == pytest.approx(r.params["a"])
    assert len(back["covariance"]) == 2
    with pytest.raises(TypeError):
        r[0]
    # batched: indexing gives the single fits
    Y = np.stack([y, y + 0.5])
    rb = least_squares(
        line, {"a": Parameter(0.5, min=-5, max=5), "b": 1.0}, X, Y, sigma=0.1, batched=True
    )
    assert len(rb) == 2 and rb[1].params["a"] == pytest.approx(r.params["a"] + 0.5)
    assert rb[-1].chi2 == rb[1].chi2
    assert "[[Batch Fit Statistics]]" in rb.report() and "converged        = 2" in rb.report()
    assert isinstance(rb.to_dict()["message"], list)
    with pytest.raises(IndexError):
        rb[2]


def test_same_model_compiles_once():
    # the model is traced for the shape check and by the compiled fit on the first call
    # only: a second fit of the same shapes with new data and tolerances traces nothing.
    calls = []

    def model(x, a, b):
        calls.append(1)
        return a + b * x

    least_squares(model, {"a": 1.0, "b": 1.0}, X, 1 + 2 * X)
    n_first = len(calls)
    least_squares(model, {"a": 2.0, "b": 0.0}, X, 3 - X, sigma=0.3, rtol=1e-8)
    assert len(calls) == n_first
