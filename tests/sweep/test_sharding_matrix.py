"""The sharding matrix on 8 forced CPU devices, in ONE subprocess (the XLA flag that creates
the devices must be set before JAX is imported; one process keeps the compile cost low).

* every allow-listed observable of ``dissipax.sweep.observables``: sharded sweep over 8
  devices vs a direct broadcast call of the same function, <= 1e-12 relative;
* uneven splits: 1, 2, 3 and 8 devices, grids and chunks that are not multiples of them;
* guards under sharding: an out-of-domain grid point raises the same DomainError on 1, 3 and
  8 devices (not a crash, not NaN); jit caches keep ordinary and sweep traces apart;
* a guarded rf function inside the user's own ``jax.shard_map`` (default check_vma=True);
* ``jax.grad`` of a loss summed over a sharded grid (``sharded_vmap``) == one-device vmap.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

SCRIPT = textwrap.dedent(
    """
    import json
    import jax, jax.numpy as jnp, numpy as np
    import dissipax
    from dissipax._checks import DomainError
    from dissipax.sweep import evaluate, observables, sharded_vmap

    assert len(jax.devices()) == 8, jax.devices()
    out = {}

    def rel(a, b):
        a, b = np.asarray(a), np.asarray(b)
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))

    # axes (sweep) and fixed parameters of every allow-listed observable; 3..20 points each,
    # never a multiple of 8
    w = np.geomspace(2e-3, 0.05, 3)
    CASES = {
        "vortex.sigma_xx": (dict(omega=np.geomspace(0.01, 10, 5), Omega_H=np.array([0.0, 0.7])),
                            dict(f_s=1.0, Omega=0.3, alpha_v=0.05, sigma_o=0.02)),
        "vortex.sigma_xy": (dict(omega=np.geomspace(0.01, 10, 5), Omega_H=np.array([0.1, 0.7])),
                            dict(f_s=1.0, Omega=0.3, alpha_v=0.05, sigma_oH=0.01)),
        "vortex.sigma_pinned": (dict(omega=np.geomspace(0.01, 10, 7)),
                                dict(f_s=1.0, Omega=0.3, omega_o=0.5)),
        "saturation.failed_insulator": (dict(T=np.linspace(0.05, 2.0, 9)),
                                        dict(sigma_QF=1e-4, sigma_0=1e-2, E_a=0.3)),
        "saturation.failed_superconductor": (dict(T=np.linspace(0.05, 2.0, 9)),
                                             dict(rho_QF=50.0, rho_0=10.0, E_a=0.3)),
        "rf.sigma1_mattis_bardeen": (dict(omega=w, T=np.array([0.08, 0.15])), {}),
        "rf.sigma1_closed_form": (dict(omega=w, T=np.array([0.08, 0.15])), {}),
        "rf.sigma1_dc_biased": (dict(omega=w, T=np.array([0.1]), s=np.array([0.01, 0.05])),
                                dict(n=24)),
        "rf.sigma1_rf": (dict(omega=w, T=np.array([0.1]), beta_a=np.array([0.05, 0.15])),
                         dict(n=24, n_phase=8)),
        "rf.dos": (dict(eps=np.linspace(1.1, 3.0, 5), s=np.array([0.01, 0.05])), {}),
        "rf.pairbreaking_gap": (dict(s=np.linspace(0.0, 0.2, 5)), {}),
        "rf.spectral_gap": (dict(s=np.linspace(0.0, 0.2, 5)), {}),
        "rf.surface_resistance_ratio": (dict(b=np.linspace(0.0, 0.4, 5), T0=np.array([0.1])),
                                        dict(omega=0.005, alpha=0.5, n=24, n_depth=8)),
    }
    assert sorted(CASES) == sorted(observables.OBSERVABLES), "a new observable needs a case"
    out["observables"] = {}
    for name, (axes, fixed) in CASES.items():
        fn = observables.resolve(name)
        r = evaluate(fn, fixed=fixed, progress=False, **axes)
        grids = np.meshgrid(*axes.values(), indexing="ij")
        direct = observables._load(name)(**dict(zip(axes, grids)), **fixed)
        direct = direct if isinstance(direct, tuple) else (direct,)
        errs = [rel(r.data[k], d) for k, d in zip(r.data, direct)]
        out["observables"][name] = {"n_devices": r.attrs["n_devices"], "err": max(errs),
                                    "finite": all(np.isfinite(v).all() for v in r.data.values())}

    # uneven splits: 1, 2, 3, 8 devices; 37 x 3 = 111 points; one chunk and chunks of 10
    axes = dict(omega=np.geomspace(1e-3, 0.05, 37), T=np.array([0.05, 0.1, 0.2]))
    fn = dissipax.rf.sigma1_closed_form
    ref = evaluate(fn, devices=jax.devices()[:1], progress=False, **axes).data
    ref = ref["sigma1_closed_form"]
    out["uneven"] = []
    for n_dev in (1, 2, 3, 8):
        for limits in ({}, {"chunk_size": 10}):
            r = evaluate(fn, devices=jax.devices()[:n_dev], progress=False, **limits, **axes)
            out["uneven"].append({"n_devices": r.attrs["n_devices"], "chunk": r.attrs["chunk_size"],
                                  "n_chunks": r.attrs["n_chunks"],
                                  "err": rel(r.data["sigma1_closed_form"], ref)})

    # guards: T above T_c = 0.567 at one grid point; the same error on 1, 3 and 8 devices
    bad = dict(omega=axes["omega"], T=np.array([0.05, 0.9, 0.2]))
    out["guard"] = {}
    for n_dev in (1, 3, 8):
        try:
            evaluate(fn, devices=jax.devices()[:n_dev], progress=False, **bad)
            out["guard"][n_dev] = None
        except DomainError as e:
            out["guard"][n_dev] = str(e)
    # a second guard (rf._validate.bound: omega >= 2 eps_g(s) is out of Eq. (4)'s domain)
    try:
        evaluate(dissipax.rf.sigma1_dc_biased, progress=False, omega=np.array([0.01, 1.9]),
                 T=np.array([0.1]), s=np.array([0.05]), fixed={"n": 24})
        out["guard_bound"] = None
    except DomainError as e:
        out["guard_bound"] = str(e)

    # jit caches: a user-jitted point function traced normally, swept, then called again
    f = jax.jit(lambda omega, T: dissipax.rf.sigma1_closed_form(omega, T))
    before = float(f(0.01, 0.1))
    evaluate(f, progress=False, omega=np.array([0.01, 0.02]), T=np.array([0.1]))
    try:
        jax.block_until_ready(f(0.01, 0.9))
        out["jit_after_sweep"] = "no error"
    except Exception as e:  # the ordinary (equinox) run-time guard still raises
        out["jit_after_sweep"] = str(e)
    out["jit_value"] = rel(float(f(0.01, 0.1)), before)

    # the guards inside a user's own shard_map (check_vma=True by default)
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    mesh = Mesh(np.array(jax.devices()), ("i",))
    sm = jax.jit(jax.shard_map(lambda o, t: jax.vmap(dissipax.rf.sigma1_mattis_bardeen)(o, t),
                               mesh=mesh, in_specs=P("i"), out_specs=P("i")))
    o16, t16 = np.geomspace(1e-3, 0.05, 16), np.full(16, 0.1)
    put = lambda x: jax.device_put(x, NamedSharding(mesh, P("i")))
    out["shard_map_err"] = rel(sm(put(o16), put(t16)),
                               dissipax.rf.sigma1_mattis_bardeen(o16, t16))
    try:
        jax.block_until_ready(sm(put(o16), put(np.where(np.arange(16) == 11, 0.9, 0.1))))
        out["shard_map_guard"] = "no error"
    except Exception as e:
        out["shard_map_guard"] = str(e)

    # gradients through a sharded grid: 37 points (uneven on 8 devices), replicated params
    def point(omega, T, p):
        s1 = dissipax.rf.sigma1_closed_form(omega, T * p["scale"])
        return p["a"] * s1 + jnp.sin(p["a"] * omega)

    wg, tg = np.geomspace(1e-3, 0.05, 37), np.linspace(0.06, 0.2, 37)
    params = {"a": jnp.asarray(1.3), "scale": jnp.asarray(0.9)}
    loss = lambda mapper: lambda p, wv: jnp.sum(mapper(wv, tg, p) ** 2)
    sharded = sharded_vmap(point, in_axes=(0, 0, None))
    direct = jax.vmap(point, in_axes=(0, 0, None))
    g8 = jax.jit(jax.grad(loss(sharded), argnums=(0, 1)))(params, wg)
    g1 = jax.grad(loss(direct), argnums=(0, 1))(params, wg)
    out["grad"] = max(rel(a, b) for a, b in zip(jax.tree.leaves(g8), jax.tree.leaves(g1)))
    out["value"] = rel(sharded(wg, tg, params), direct(wg, tg, params))
    try:
        sharded(wg, np.where(np.arange(37) == 30, 0.9, tg), params)
        out["vmap_guard"] = None
    except DomainError as e:
        out["vmap_guard"] = str(e)
    print("RESULT" + json.dumps(out))
    """
)


def test_sharding_matrix_on_8_devices():
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
        DISSIPAX_QUIET="1",
        JAX_PLATFORMS="cpu",
    )
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=400
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    res = json.loads(line[len("RESULT") :])

    # every observable: sharded over 8 devices == direct call, to 1e-12 (same kernels)
    for name, r in res["observables"].items():
        assert r["n_devices"] == 8, name
        assert r["finite"], name
        assert r["err"] <= 1e-12, (name, r)

    # uneven splits: chunk a multiple of the device count, results independent of it
    assert [u["n_devices"] for u in res["uneven"]] == [1, 1, 2, 2, 3, 3, 8, 8]
    for u in res["uneven"]:
        assert u["chunk"] % u["n_devices"] == 0
        assert u["err"] <= 1e-12, u
    assert {u["n_chunks"] for u in res["uneven"]} >= {1, 12}

    # guards: the same clear DomainError whatever the number of devices
    msgs = res["guard"]
    assert msgs["1"] is not None
    assert msgs["1"] == msgs["3"] == msgs["8"]
    assert "argument 'T' out of its domain at run time" in msgs["8"]
    assert "valid range (0, 0.566933)" in msgs["8"] and "got 0.9" in msgs["8"]
    assert "argument 'omega' out of its domain at run time" in res["guard_bound"]
    assert "2*eps_g(s)" in res["guard_bound"] and "got 1.9" in res["guard_bound"]
    assert "argument 'T' out of its domain at run time" in res["jit_after_sweep"]
    assert res["jit_value"] == 0.0

    # a guarded function in the user's own shard_map: runs, and its guard fires
    assert res["shard_map_err"] <= 1e-12
    assert "argument 'T' out of its domain at run time" in res["shard_map_guard"]

    # gradient of a loss over a sharded (uneven) grid == the one-device gradient
    assert res["grad"] <= 1e-12
    assert res["value"] <= 1e-12
    assert "argument 'T' out of its domain at run time" in res["vmap_guard"]
    assert "got 0.81" in res["vmap_guard"]  # T * scale = 0.9 * 0.9
