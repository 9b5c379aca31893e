"""The LM loop never evaluates the model's linearisation at a placeholder point.

optimistix's ``LevenbergMarquardt.init`` (round 1's engine) filled the state's
linearisation with zeros and its first step predicted a reduction with it.  A model whose
JVP checks its input at run time — here the implicit adjoint of an
``optimistix.root_find``, whose linear solve raises on a singular system — raised
``EquinoxRuntimeError`` from that discarded prediction (``rf.fit_alpha(vary_T0=True)``).
:class:`dissipax.fit.LevenbergMarquardt` evaluates the start itself in its first
iteration, so the model is only ever linearised at real points.
"""

import jax.numpy as jnp
import numpy as np
import optimistix as optx

from dissipax.fit import Parameter, least_squares


def root_model(x, a, c):
    # y = a x + c, found by a Newton root solve (implicitly differentiated); the log(c)
    # term is zero in value, but its tangent divides by c: at the all-zero placeholder
    # linearisation the implicit JVP's linear solve gets 0·inf = NaN and raises
    def g(yy, args):
        a_, c_ = args
        return yy - (a_ * x + c_) + 0.0 * jnp.log(c_)

    solver = optx.Newton(rtol=1e-12, atol=1e-12)
    return optx.root_find(g, solver, jnp.zeros_like(x), args=(a, c), throw=False).value


X = np.linspace(0.0, 1.0, 10)
Y = 2.0 * X + 1.0


def test_root_solve_model_fits_without_raising():
    res = least_squares(root_model, {"a": 1.0, "c": Parameter(0.5, min=0.1)}, X, Y)
    assert res.success, res.message
    np.testing.assert_allclose([res.params["a"], res.params["c"]], [2.0, 1.0], rtol=1e-8)


def test_root_solve_model_batched():
    # 12 fits in one batch (padded to its bucket with copies of the first fit)
    c_true = np.linspace(0.5, 2.0, 12)
    ys = 2.0 * X[None, :] + c_true[:, None]
    params = {"a": 1.0, "c": Parameter(np.full(12, 0.7), min=0.1)}
    res = least_squares(root_model, params, X, ys, batched=True)
    assert np.all(res.success), res.message
    np.testing.assert_allclose(res.params["c"], c_true, rtol=1e-8)


def test_nonfinite_trial_point_is_rejected():
    # the model is +inf beyond a = 1.5; the undamped first step from a = 0.1 lands far
    # beyond it (the model is nonlinear in a): such trial points count as rejected steps
    def model(x, a):
        return jnp.where(a < 1.5, jnp.exp(a * x), jnp.inf)

    x = np.linspace(0.0, 3.0, 20)
    res = least_squares(model, {"a": 0.1}, x, np.exp(1.2 * x))
    assert res.success, res.message
    np.testing.assert_allclose(res.params["a"], 1.2, rtol=1e-8)
    assert np.isfinite(res.chi2)


def test_nonfinite_start_is_reported_not_raised():
    def model(x, a):
        return jnp.where(a < 1.5, jnp.exp(a * x), jnp.inf)

    x = np.linspace(0.0, 3.0, 20)
    res = least_squares(model, {"a": 2.0}, x, np.exp(1.2 * x))
    assert not res.success
    assert isinstance(res.message, str) and res.message
