"""Sweep throughput: dissipax.sweep on large grids against NumPy broadcasting and direct jit.

Workloads
---------
* ``vortex.sigma_xx`` (Delacrétaz–Hartnoll Eq. (6)) on an ω × Ω_H × α_v grid of 10⁶ points
  (10⁴ with ``--quick``), against the same closed form broadcast in NumPy;
* the same grid cut into 16 chunks (cost of chunking: one compile, 16 calls);
* ``rf.sigma1_mattis_bardeen`` on an ω × T grid against one direct jitted broadcast call of
  the same function (the overhead of the sweep machinery), when ``dissipax.rf`` is present;
* scaling: ``rf.sigma1_dc_biased`` (Eq. (4), 96 nodes) on an ω × T × s grid of 10⁶ points
  over 1, 2, 4 and 8 forced host devices (10³ points on 1 and 8 with ``--quick``), in one
  subprocess with ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` (the device count
  is fixed when JAX starts); the reference of each row is the one-device sweep of the same
  grid, its error the max relative difference to it.  With fewer cores than devices this
  measures the partitioning overhead, not a speed-up; on a GPU host the rows run on the GPUs.
  ``DISSIPAX_BENCH_SWEEP_SCALING=0`` skips these rows.

The NumPy reference is Eq. (6) written out independently below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np

from benchmarks import best_time, is_quick, main, row
from dissipax.sweep import evaluate, observables

F_S, OMEGA, SIGMA_O = 1.0, 0.2, 0.05


def _sigma_xx_numpy(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0):
    """NumPy reference of Eq. (6).

    σ_xx = f_s[(1−α_v²)(−iω+Ω) + 2α_vΩ_H] / [(−iω+Ω)² + Ω_H²] + σ_o.
    """
    z = -1j * omega + Omega
    return f_s * ((1 - alpha_v**2) * z + 2 * alpha_v * Omega_H) / (z**2 + Omega_H**2) + sigma_o


def _vortex_rows(quick: bool, repeat: int) -> list[dict]:
    fn, which = observables.resolve("vortex.sigma_xx"), "dissipax.vortex.sigma_xx"
    n_w, n_h, n_a = (100, 20, 5) if quick else (1000, 100, 10)
    axes = {
        "omega": np.geomspace(1e-2, 1e2, n_w),
        "Omega_H": np.linspace(0.0, 2.0, n_h),
        "alpha_v": np.linspace(0.0, 0.09, n_a),
    }
    fixed = {"f_s": F_S, "Omega": OMEGA, "sigma_o": SIGMA_O}
    w, h, a = np.meshgrid(*axes.values(), indexing="ij")
    ref_s, ref = best_time(lambda: _sigma_xx_numpy(w, F_S, OMEGA, h, a, SIGMA_O), repeat)
    n = w.size
    rows = []
    for label, limits in (("one chunk", {}), ("16 chunks", {"chunk_size": -(-n // 16)})):
        runs = [evaluate(fn, fixed=fixed, progress=False, **limits, **axes) for _ in range(repeat)]
        best = min(runs, key=lambda r: r.attrs["eval_s"])
        out = next(iter(best.data.values()))
        err = float(np.max(np.abs(out - ref)) / np.max(np.abs(ref)))
        t = best.attrs["eval_s"]
        rows.append(
            row(
                f"sweep sigma_xx, {n_w}x{n_h}x{n_a} = {n:.0e} points, {label}",
                t,
                ref_s,
                err,
                best.attrs["compile_s"],
                notes=f"{n / t:.3g} points/s; {which}; reference: NumPy broadcast of Eq. (6); "
                f"error: max abs diff / max abs ref; {best.attrs['n_chunks']} call(s)",
            )
        )
    return rows


def _rf_rows(quick: bool, repeat: int) -> list[dict]:
    name = "rf.sigma1_mattis_bardeen"
    try:
        fn = observables.resolve(name)
    except observables.ObservableError as exc:
        return [row(f"sweep {name}", None, notes=f"skipped: {exc}")]
    n_w, n_t = (20, 10) if quick else (200, 100)
    axes = {"omega": np.geomspace(1e-3, 0.5, n_w), "T": np.linspace(0.05, 0.3, n_t)}
    runs = [evaluate(fn, progress=False, **axes) for _ in range(repeat)]
    best = min(runs, key=lambda r: r.attrs["eval_s"])
    w, t = (jnp.asarray(x) for x in np.meshgrid(*axes.values(), indexing="ij"))
    direct = jax.jit(fn)
    direct(w, t).block_until_ready()  # compile outside the timing
    ref_s, ref = best_time(lambda: direct(w, t), repeat)
    out = next(iter(best.data.values()))
    err = float(np.max(np.abs(out - np.asarray(ref)) / np.abs(np.asarray(ref))))
    n, s = w.size, best.attrs["eval_s"]
    return [
        row(
            f"sweep {name}, {n_w}x{n_t} = {n:.0e} points",
            s,
            ref_s,
            err,
            best.attrs["compile_s"],
            notes=f"{n / s:.3g} points/s; reference: one jitted broadcast call of the same "
            "function (sweep overhead); error: max relative",
        )
    ]


_SCALING = textwrap.dedent(
    """
    import json, sys
    import jax, numpy as np
    import dissipax as dx
    from dissipax.sweep import evaluate
    n_w, n_t, n_s = [int(v) for v in sys.argv[1:4]]
    repeat = int(sys.argv[4])
    axes = dict(omega=np.geomspace(1e-3, 0.05, n_w), T=np.linspace(0.06, 0.2, n_t),
                s=np.linspace(0.0, 0.15, n_s))
    devs = jax.devices()
    counts = [k for k in ((1, 8) if n_w * n_t * n_s < 10**5 else (1, 2, 4, 8)) if k <= len(devs)]
    rows, ref = [], None
    for k in counts:
        runs = [evaluate(dx.rf.sigma1_dc_biased, devices=devs[:k], progress=False, **axes)
                for _ in range(repeat)]
        best = min(runs, key=lambda r: r.attrs["eval_s"])
        out = best.data["sigma1_dc_biased"]
        ref = out if ref is None else ref
        rows.append({"n_devices": k, "eval_s": best.attrs["eval_s"],
                     "compile_s": best.attrs["compile_s"], "n_chunks": best.attrs["n_chunks"],
                     "err": float(np.max(np.abs(out - ref) / np.abs(ref))),
                     "device": f"{devs[0].device_kind} ({devs[0].platform})"})
    print("RESULT" + json.dumps(rows))
    """
)


def _scaling_rows(quick: bool, repeat: int) -> list[dict]:
    n_w, n_t, n_s = (10, 10, 10) if quick else (100, 100, 100)  # quick: 1 and 8 devices
    n = n_w * n_t * n_s
    env = dict(os.environ, DISSIPAX_QUIET="1")
    if jax.default_backend() == "cpu":
        env["XLA_FLAGS"] = (
            env.get("XLA_FLAGS", "") + " --xla_force_host_platform_device_count=8"
        ).strip()
        env["JAX_PLATFORMS"] = "cpu"
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.run(
        [sys.executable, "-c", _SCALING, str(n_w), str(n_t), str(n_s), str(repeat)],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return [
            row(
                f"sweep rf.sigma1_dc_biased scaling, {n:.0e} points",
                None,
                notes=f"failed: {proc.stderr[-300:]}",
            )
        ]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT"))
    res = json.loads(line[len("RESULT") :])
    t1 = res[0]["eval_s"]
    cores = os.cpu_count()
    return [
        {
            **row(
                f"sweep rf.sigma1_dc_biased (96 nodes), {n_w}x{n_t}x{n_s} = {n:.0e} points, "
                f"{r['n_devices']} device(s)",
                r["eval_s"],
                t1,
                r["err"],
                r["compile_s"],
                notes=f"{n / r['eval_s']:.3g} points/s; reference: the same sweep on 1 device "
                f"(ratio = speed-up); error: max relative vs 1 device; {r['n_chunks']} "
                f"chunk(s) of the default 256 MiB/device budget; {cores} CPU cores"
                + (" shared by forced host devices" if "cpu" in r["device"] else "")
                + "; command: python -m benchmarks --only sweep",
            ),
            "device": f"{r['device']} x{r['n_devices']}",
        }
        for r in res
    ]


def run(quick: bool | None = None) -> list[dict]:
    """Rows of the sweep benchmarks (see the module docstring)."""
    quick = is_quick() if quick is None else quick
    repeat = 1 if quick else 3
    rows = _vortex_rows(quick, repeat) + _rf_rows(quick, repeat)
    if os.environ.get("DISSIPAX_BENCH_SWEEP_SCALING", "1") != "0":  # 0: skip (runner tests)
        rows += _scaling_rows(quick, 1 if quick else 2)
    return rows


if __name__ == "__main__":
    main(run)
