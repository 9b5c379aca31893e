"""The batched solver's internals: the unrolled MGS linear solver and the LM job queue.

The queue must reproduce, job by job, what a plain ``vmap`` of
``optimistix.least_squares`` computes (same solver, same iterates, same step counts), and
the MGS solver what LAPACK's QR computes.
"""

import jax
import jax.numpy as jnp
import lineax as lx
import numpy as np
import optimistix as optx
import pytest

from dissipax.fit import Parameter, least_squares
from dissipax.fit import lm as LM
from dissipax.fit import parameters as P
from dissipax.fit._linsolve import SmallMGSQR


def insulator(T, sigma_QF, sigma_0, E_a):
    # failed-insulator law, Zhang, Palevski & Kapitulnik (2022) Eq. (1)
    return 1.0 / (sigma_QF + sigma_0 * jnp.exp(-E_a / T))


def _curves(n, seed=3):
    rng = np.random.default_rng(seed)
    T = np.linspace(0.05, 1.5, 60)
    sqf = 10 ** rng.uniform(np.log10(3e-5), np.log10(3e-4), n)
    s0 = 10 ** rng.uniform(-3, -2, n)
    ea = rng.uniform(0.2, 1.0, n)
    y0 = 1.0 / (sqf[:, None] + s0[:, None] * np.exp(-ea[:, None] / T))
    return T, y0 * (1 + 0.01 * rng.standard_normal(y0.shape)), 0.01 * y0


START = {"sigma_QF": 1e-4, "sigma_0": 3e-3, "E_a": 0.5}


@pytest.mark.parametrize("cond", [1e1, 1e6])
def test_mgs_solver_matches_lapack_lstsq(cond):
    # independent reference: numpy's LAPACK least squares; a backward-stable QR solve has
    # a relative error ~ cond * eps, so 1e-13 * cond is a safe bound (not cond**2 * eps,
    # which is what the normal equations would give)
    rng = np.random.default_rng(0)
    for n in (1, 3, 7):
        u, _ = np.linalg.qr(rng.standard_normal((40, n)))
        v, _ = np.linalg.qr(rng.standard_normal((n, n)))
        a = u @ np.diag(np.logspace(0, -np.log10(cond), n)) @ v.T
        b = rng.standard_normal(40)
        x = lx.linear_solve(lx.MatrixLinearOperator(jnp.asarray(a)), jnp.asarray(b), SmallMGSQR())
        ref = np.linalg.lstsq(a, b, rcond=None)[0]
        np.testing.assert_allclose(x.value, ref, rtol=1e-13 * cond, atol=1e-13 * cond)
        assert x.result == lx.RESULTS.successful


def test_mgs_solver_reports_zero_column_and_falls_back_above_max_unrolled():
    # a parameter without effect (a zero Jacobian column): a zero pivot, reported as
    # singular by lineax (as lineax.QR does)
    a = np.stack([np.linspace(0, 1, 10), np.zeros(10)], axis=1)
    for solver in (SmallMGSQR(), lx.QR()):
        sol = lx.linear_solve(
            lx.MatrixLinearOperator(jnp.asarray(a)), jnp.ones(10), solver, throw=False
        )
        assert sol.result == lx.RESULTS.singular
    # wider than MAX_UNROLLED: lineax.QR does the work, same answer as LAPACK
    rng = np.random.default_rng(1)
    a = rng.standard_normal((30, 14))
    b = rng.standard_normal(30)
    x = lx.linear_solve(lx.MatrixLinearOperator(jnp.asarray(a)), jnp.asarray(b), SmallMGSQR())
    np.testing.assert_allclose(x.value, np.linalg.lstsq(a, b, rcond=None)[0], rtol=1e-12)


def test_queue_reproduces_vmapped_optimistix(monkeypatch):
    # 40 fits through 10 lanes (each lane runs 4 jobs in turn) against a plain vmap of
    # optimistix.least_squares over the same residual (built from the same maps of
    # dissipax.fit.parameters).  Tolerances: chi2 to 1e-12 (both are at the optimum);
    # parameters to 1e-7, the float64 resolution of a least-squares optimum
    # (~sqrt(eps) relative): the last LM steps of both move only by rounding noise.
    T, y, sigma = _curves(40)
    monkeypatch.setattr(LM, "MIN_LANES", 10)
    monkeypatch.setattr(LM, "LANE_DIVISOR", 4)
    assert LM._lanes(40) == 10
    params = {k: Parameter(v, min=0.0) for k, v in START.items()}
    res = least_squares(insulator, params, T, y, sigma, batched=True)

    p0 = jnp.array(list(START.values()))
    u0 = P.u_of_p(P.LOWER, p0, 0.0, jnp.inf, p0)

    def physical(z):
        return P.p_of_u(P.LOWER, u0 + z, 0.0, jnp.inf, p0)

    def residual(z, args):
        yy, ss = args
        return (insulator(jnp.asarray(T), *physical(z)) - yy) / ss

    solver = optx.LevenbergMarquardt(rtol=1e-10, atol=1e-10, linear_solver=SmallMGSQR())

    def one(yy, ss):
        sol = optx.least_squares(residual, solver, jnp.zeros(3), (yy, ss), throw=False)
        chi2 = jnp.sum(residual(sol.value, (yy, ss)) ** 2)
        return physical(sol.value), chi2, sol.result == optx.RESULTS.successful

    p_ref, chi2_ref, ok_ref = jax.vmap(one)(jnp.asarray(y), jnp.asarray(sigma))
    assert np.all(ok_ref) and np.all(res.success)
    np.testing.assert_allclose(res.chi2, chi2_ref, rtol=1e-12)
    for j, k in enumerate(START):
        np.testing.assert_allclose(res.params[k], p_ref[:, j], rtol=1e-7)


def test_queue_width_does_not_change_results(monkeypatch):
    # the same batch through all-lanes-at-once and through 8 lanes: a job's iterates do
    # not depend on its lane or neighbours (the same operations, so equal to rounding:
    # 1e-12), and with a step limit that only some fits meet, the failures are the same
    T, y, sigma = _curves(24, seed=5)
    params = {k: Parameter(v, min=0.0) for k, v in START.items()}
    wide = least_squares(insulator, params, T, y, sigma, batched=True, max_steps=18)
    monkeypatch.setattr(LM, "MIN_LANES", 8)
    monkeypatch.setattr(LM, "LANE_DIVISOR", 3)
    narrow = least_squares(insulator, params, T, y, sigma, batched=True, max_steps=18)
    np.testing.assert_array_equal(wide.success, narrow.success)
    assert 0 < np.sum(~wide.success) < 24  # both outcomes present
    assert all("max_steps=18" in m for m, ok in zip(wide.message, wide.success) if not ok)
    np.testing.assert_allclose(wide.chi2, narrow.chi2, rtol=1e-12)
    for k in START:
        np.testing.assert_allclose(wide.params[k], narrow.params[k], rtol=1e-12)
        np.testing.assert_allclose(wide.stderr[k], narrow.stderr[k], rtol=1e-9)
