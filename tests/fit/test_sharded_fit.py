"""Batched fits sharded over 8 host devices equal the one-device fit (subprocess: the
device count is fixed when JAX starts)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import numpy as np, jax, jax.numpy as jnp
    import dissipax as dx
    from dissipax.fit import Parameter, least_squares
    assert len(jax.devices()) == 8

    def model(T, lp, lb, E):
        return -jnp.logaddexp(lp, lb - E / T)

    rng = np.random.default_rng(0)
    n = 100  # bucketed to 128, a multiple of 8 (and uneven: 100 = 12.5 per device)
    T = np.linspace(0.08, 2.0, 37)
    E = rng.uniform(0.3, 0.8, n)
    y = np.asarray(jax.vmap(lambda e: model(T, -9.2, -6.9, e))(E))
    y = y + 0.01 * rng.standard_normal(y.shape)
    p = {"lp": Parameter(-8.5), "lb": Parameter(-7.6), "E": Parameter(0.3, min=0.0)}
    one = least_squares(model, p, T, y, 0.01, batched=True, devices=1)
    auto = least_squares(model, p, T, y, 0.01, batched=True)  # default: all 8 devices
    three = least_squares(model, p, T, y, 0.01, batched=True, devices=3)
    for r in (auto, three):
        assert np.array_equal(r.success, one.success)
        for k in p:
            np.testing.assert_allclose(r.params[k], one.params[k], rtol=1e-10, atol=0)
            np.testing.assert_allclose(r.stderr[k], one.stderr[k], rtol=1e-10, atol=0)
        np.testing.assert_allclose(r.chi2, one.chi2, rtol=1e-10)
    # the physics wrapper shards the same way (ragged rows included)
    rho = [np.exp(row[: 30 + i % 7]) for i, row in enumerate(y[:64])]
    Ts = [T[: 30 + i % 7] for i in range(64)]
    s1 = dx.saturation.fit(Ts, rho, "insulator", devices=1)
    s8 = dx.saturation.fit(Ts, rho, "insulator")
    for k in s1.params:
        np.testing.assert_allclose(s8.params[k], s1.params[k], rtol=1e-10, atol=0)

    # rf.fit_cavity shards its per-ramp fits the same way
    from dissipax.rf.cavity_data import Ramp
    Bp = np.linspace(5.0, 100.0, 20)
    Tb = np.full(Bp.size, 2.0)
    ramps = []
    for i in range(16):
        rs = 1e-9 * (5.0 + i + (20.0 + i) * (Bp / 200.0) ** 2)
        rs = rs * (1 + 0.02 * rng.standard_normal(Bp.size))
        ramps.append(Ramp("synthetic", 389e6, "syn", "", "HWR", 0, i, Bp, rs, Tb))
    c1 = dx.rf.fit_cavity(ramps, devices=1)
    c4 = dx.rf.fit_cavity(ramps, devices=4)
    assert np.all(c1.success) and np.array_equal(c1.success, c4.success)
    for k in c1.params:
        np.testing.assert_allclose(c4.params[k], c1.params[k], rtol=1e-10, atol=0)

    # a run-time guard of the model that fires inside a sharded fit: the guard's clear
    # error (the same text as on one device), not a hang or an abort
    from dissipax._checks import guard

    def guarded(T, lp, lb, E):
        return model(T, lp, lb, guard("E", E, ge=0.1, valid="activation energy"))

    bad = {**p, "E": Parameter(0.05, min=0.0)}  # the start is outside the guard's domain
    try:
        least_squares(guarded, bad, T, y, 0.01, batched=True)
    except dx.DomainError as err:
        assert "'E'" in str(err) and "sharded over 8 devices" in str(err), str(err)
    else:
        raise AssertionError("the sharded guard did not raise")
    try:
        least_squares(guarded, bad, T, y, 0.01, batched=True, devices=1)
    except Exception as err:  # one device: equinox's run-time error, the same message
        assert "'E'" in str(err), str(err)
    else:
        raise AssertionError("the one-device guard did not raise")
    print("OK")
    """
)


def test_sharded_batched_fit_equals_one_device():
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS="cpu",
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=900
    )
    assert out.returncode == 0, out.stderr[-4000:]
    assert out.stdout.strip().endswith("OK")
