"""The bound-enforcing maps of dissipax.fit.parameters, and the lazy [bayes] import."""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dissipax.fit import Parameter, least_squares
from dissipax.fit import parameters as P

CASES = [
    (P.IDENTITY, -np.inf, np.inf, [-3e-9, 0.7, 1e6]),
    (P.LOWER, 0.0, np.inf, [1e-9, 0.3, 5e3]),
    (P.UPPER, -np.inf, 2.0, [-1e4, 1.0, 2.0 - 1e-9]),
    (P.BOTH, -1.0, 3.0, [-1.0 + 1e-9, 0.0, 3.0 - 1e-6]),
    (P.LOG, 1.0, np.inf, [1.0 + 1e-9, 2.0, 1e8]),
]


@pytest.mark.parametrize("kind, lo, hi, values", CASES)
def test_maps_round_trip_and_derivative(kind, lo, hi, values):
    p0 = jnp.asarray(values[1])
    ref = P.reference(kind, p0, lo, hi)
    for v in values:
        u = P.u_of_p(kind, jnp.asarray(v), lo, hi, ref)
        back = P.p_of_u(kind, u, lo, hi, ref)
        # round trip to a few ulp of the larger of |p| and the map's scale
        assert abs(float(back) - v) <= 1e-12 * max(abs(v), float(ref), 1.0), (v, float(back))
        assert lo <= float(back) <= hi
        # the analytic derivative used for the covariance against a central difference
        d = jax.grad(lambda t: P.p_of_u(kind, t, lo, hi, ref))(u)
        h = 1e-6
        fd = (P.p_of_u(kind, u + h, lo, hi, ref) - P.p_of_u(kind, u - h, lo, hi, ref)) / (2 * h)
        # central difference error: rounding eps*|p|/h ~ 2e-10*|p|, plus h^2*|p'''|/6
        bnd = max(abs(b) for b in (v, lo, hi, float(ref)) if np.isfinite(b))
        np.testing.assert_allclose(d, fd, rtol=1e-6, atol=1e-9 * bnd)
    # the start maps to the middle of the map's well-conditioned range
    assert (
        abs(float(P.p_of_u(kind, P.u_of_p(kind, p0, lo, hi, ref), lo, hi, ref)) - values[1]) < 1e-12
    )


def test_parameter_kinds():
    assert Parameter(1.0).kind == P.IDENTITY
    assert Parameter(1.0, min=0).kind == P.LOWER
    assert Parameter(1.0, max=2).kind == P.UPPER
    assert Parameter(1.0, min=0, max=2).kind == P.BOTH
    assert Parameter(1.0, min=0, transform="log").kind == P.LOG
    assert Parameter(1.0, min=-np.inf, max=np.inf).kind == P.IDENTITY
    assert Parameter(1.0, min=0).bounds == (0.0, np.inf)


def test_log_transform_reaches_same_optimum_as_softplus():
    # a prefactor 1e3 times its start: both maps must land on the same least-squares optimum
    x = np.linspace(0.0, 2.0, 30)
    y = 2e3 * np.exp(-1.3 * x) * (1 + 0.01 * np.sin(7 * x))

    def decay(x, A, k):
        return A * jnp.exp(-k * x)

    r_log = least_squares(decay, {"A": Parameter(2.0, min=0, transform="log"), "k": 1.0}, x, y)
    r_sp = least_squares(decay, {"A": Parameter(2.0, min=0), "k": 1.0}, x, y)
    assert r_log.success and r_sp.success, (r_log.message, r_sp.message)
    for k in ("A", "k"):
        np.testing.assert_allclose(r_log.params[k], r_sp.params[k], rtol=1e-8)
        # the physical-space covariance does not depend on the internal map
        np.testing.assert_allclose(r_log.stderr[k], r_sp.stderr[k], rtol=1e-6)


def test_core_does_not_import_numpyro():
    code = (
        "import sys, dissipax.fit as f; "
        "assert 'numpyro' not in sys.modules and 'arviz' not in sys.modules; print('ok')"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={
            **__import__("os").environ,
            "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[2] / "src"),
        },
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
