"""Sharded over 8 (forced) CPU devices == one device, to 1e-12 (run in a subprocess: the
XLA flag that creates the devices must be set before JAX is imported)."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

SCRIPT = textwrap.dedent(
    """
    import json, sys
    import jax, jax.numpy as jnp, numpy as np
    import dissipax
    from jax import lax
    from dissipax.sweep import evaluate

    assert len(jax.devices()) == 8, jax.devices()

    def physics(omega, T, s):
        # fixed-node integral (a reduction) + a per-point while loop (Newton for Delta)
        eps = jnp.linspace(1.0, 8.0, 200)
        occ = jnp.exp(-eps / T) * jnp.cos(omega * eps) / (1.0 + s * eps**2)
        integral = jnp.trapezoid(occ, eps)

        def body(c):
            x, k = c
            return x - (x**3 - s - 1.0) / (3 * x**2), k + 1

        root, _ = lax.while_loop(lambda c: (jnp.abs(c[0]**3 - s - 1.0) > 1e-14) & (c[1] < 60),
                                 body, (1.0 + s, 0))
        return {"integral": integral, "root": root,
                "chi": jnp.exp(1j * omega * T) / (1.0 + s)}

    axes = dict(omega=np.linspace(0.0, 3.0, 23), T=np.geomspace(0.1, 1.0, 7),
                s=np.linspace(0.0, 0.5, 5))          # 805 points: not a multiple of 8
    one = evaluate(physics, devices=jax.devices()[:1], progress=False, **axes)
    out = {"one_devices": one.attrs["n_devices"], "cases": []}
    for limits in ({}, {"chunk_size": 16}, {"chunk_size": 100}, {"memory_budget": 2e4}):
        many = evaluate(physics, progress=False, **limits, **axes)
        # elementwise relative error (floor 1e-6 of the largest value, for zero crossings)
        err = max(float(np.max(np.abs(many.data[k] - one.data[k]) / np.maximum(
            np.abs(one.data[k]), 1e-6 * np.max(np.abs(one.data[k]))))) for k in one.data)
        out["cases"].append({"limits": limits, "n_devices": many.attrs["n_devices"],
                             "n_chunks": many.attrs["n_chunks"],
                             "chunk": many.attrs["chunk_size"], "max_rel_err": err})
    print("RESULT" + json.dumps(out))
    """
)


def test_sharded_equals_unsharded_on_8_devices():
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    res = json.loads(line[len("RESULT") :])
    assert res["one_devices"] == 1
    assert len(res["cases"]) == 4
    for case in res["cases"]:
        assert case["n_devices"] == 8
        assert case["chunk"] % 8 == 0  # padded to a multiple of the device count
        # identical per-point programs on every device: equal to 1e-12 as required
        assert case["max_rel_err"] <= 1e-12, case
    assert max(c["n_chunks"] for c in res["cases"]) > 1
