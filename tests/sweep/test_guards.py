"""Run-time guards as a sweep uses them (one device, in process; 8 devices: the matrix test).

Deferred guards (dissipax._checks.deferred_guards) record a violation on the host instead of
raising inside the compiled program; the sweep raises it as DomainError.  Ordinary traces of
the same functions keep equinox's raising guard.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dissipax.vortex as vx
from dissipax import _checks
from dissipax._checks import DomainError
from dissipax.sweep import evaluate, sharded_vmap


def _guarded(x):
    return jnp.sqrt(_checks.guard("x", x, ge=0.0, le=4.0, valid="a test range")) + 1.0


def test_deferred_guard_records_instead_of_raising():
    with _checks.deferred_guards():
        f = jax.jit(jax.vmap(_guarded)).lower(jnp.zeros(5)).compile()
    with _checks.collect_guard_failures() as failures:
        out = np.asarray(f(jnp.array([0.0, 1.0, 4.0, 2.0, 0.25])))
        jax.effects_barrier()
        assert failures == []
        np.testing.assert_allclose(out, [1.0, 2.0, 3.0, np.sqrt(2.0) + 1.0, 1.5], rtol=1e-15)
        out = np.asarray(f(jnp.array([0.0, 9.0, 1.0, 16.0, np.nan])))
        jax.effects_barrier()
        # one record per guard and call: the largest offending value (NaN here: non-finite)
        assert len(failures) == 1
        msg, value = failures[0]
        assert msg.startswith("argument 'x' out of its domain at run time: valid range [0, 4]")
        assert np.isnan(value)
        # the guarded value is NaN at the offending points only, never a silent number
        assert np.isnan(out[[1, 3, 4]]).all() and np.isfinite(out[[0, 2]]).all()
        with pytest.raises(DomainError, match=r"argument 'x' out of its domain.*; got nan at"):
            _checks.raise_guard_failures(failures, " at somewhere")
    assert failures == []  # emptied on exit


def test_ordinary_traces_keep_raising_after_a_deferred_trace():
    f = jax.jit(_guarded)
    with _checks.deferred_guards():
        jax.jit(jax.vmap(f)).lower(jnp.zeros(3)).compile()  # traces f in deferred mode
    assert float(f(1.0)) == 2.0
    with pytest.raises(Exception, match="argument 'x' out of its domain at run time"):
        jax.block_until_ready(f(9.0))  # equinox's guard, not the deferred one


def test_sweep_raises_domain_error_naming_the_value():
    w = np.geomspace(1e-2, 1e2, 7)
    with pytest.raises(DomainError, match=r"argument 'Omega' out of its domain.*got -0.1 at a"):
        evaluate(
            vx.sigma_xx,
            omega=w,
            Omega=np.array([0.2, -0.1]),
            fixed={"f_s": 1.0, "Omega_H": 0.5},
            chunk_size=4,
            progress=False,
        )
    # the next sweep starts clean
    r = evaluate(
        vx.sigma_xx,
        omega=w,
        Omega=np.array([0.2]),
        fixed={"f_s": 1.0, "Omega_H": 0.5},
        progress=False,
    )
    assert np.isfinite(r.data["sigma_xx"]).all()


def test_sharded_vmap_one_device_equals_vmap_and_guards():
    x = jnp.linspace(0.0, 3.0, 7)
    f = sharded_vmap(lambda v, a: a * _guarded(v), in_axes=(0, None))
    np.testing.assert_allclose(f(x, 2.0), jax.vmap(lambda v: 2.0 * _guarded(v))(x), rtol=1e-15)
    g = jax.grad(lambda a: jnp.sum(f(x, a)))(2.0)
    np.testing.assert_allclose(g, jnp.sum(jax.vmap(_guarded)(x)), rtol=1e-15)
    with pytest.raises(DomainError, match=r"argument 'x'.*got 5.0 \(sharded_vmap\)"):
        f(x.at[3].set(5.0), 2.0)
    with pytest.raises(ValueError, match="in_axes"):
        f2 = sharded_vmap(_guarded, in_axes=(1,))
        f2(x)
