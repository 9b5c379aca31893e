"""A 4096-curve batched fit sharded over 1, 2, 4 and 8 host devices (issue "Scale-out").

Workload: 4096 failed-insulator curves (Eq. (1) of Zhang, Palevski & Kapitulnik 2022, in
log space as ``saturation`` fits it), 40 temperatures each, one batched
``least_squares`` call with ``devices=N``.  Each device count runs in its own fresh process
(``XLA_FLAGS=--xla_force_host_platform_device_count=8``; the device count is fixed when
JAX starts), warm (after one compiling call); ``ratio`` is the one-device time over the
N-device time.  On a 2-core CPU the point is correctness and overhead, not speed-up:
``error`` is the largest relative difference of any fitted parameter from the one-device
fit (the contract: <= 1e-10).

Run alone: ``python -m benchmarks.bench_fit_sharded [--quick]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from benchmarks import is_quick, main, row

N_CURVES, N_QUICK = 4096, 512

SCRIPT = """
import json, sys, time
import numpy as np, jax, jax.numpy as jnp
from dissipax.fit import Parameter, least_squares
n, ndev = int(sys.argv[1]), int(sys.argv[2])
def model(T, lp, lb, E):
    return -jnp.logaddexp(lp, lb - E / T)
rng = np.random.default_rng(0)
T = np.linspace(0.08, 2.0, 40)
E = rng.uniform(0.3, 0.8, n)
y = np.asarray(jax.vmap(lambda e: model(T, -9.2, -6.9, e))(E))
y = y + 0.01 * rng.standard_normal(y.shape)
p = {"lp": Parameter(-8.5), "lb": Parameter(-7.6), "E": Parameter(0.3, min=0.0)}
least_squares(model, p, T, y, 0.01, batched=True, devices=ndev)
times = []
for _ in range(3):
    t = time.perf_counter()
    r = least_squares(model, p, T, y, 0.01, batched=True, devices=ndev)
    times.append(time.perf_counter() - t)
print(json.dumps(dict(t=min(times), ok=float(np.mean(r.success)),
                      params={k: np.asarray(v).tolist() for k, v in r.params.items()})))
"""


def _run(n: int, ndev: int) -> dict:
    env = dict(
        os.environ,
        XLA_FLAGS="--xla_force_host_platform_device_count=8",
        JAX_PLATFORMS="cpu",
        DISSIPAX_JAX_CACHE="0",
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(n), str(ndev)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    """One row per device count."""
    import numpy as np

    n = N_QUICK if is_quick() else N_CURVES
    ref = _run(n, 1)
    rows = []
    for ndev in (1, 2, 4, 8):
        r = ref if ndev == 1 else _run(n, ndev)
        err = max(
            float(np.max(np.abs(np.subtract(r["params"][k], ref["params"][k]) / ref["params"][k])))
            for k in ref["params"]
        )
        rows.append(
            row(
                f"batched least_squares, {n} curves x 40 points, {ndev} host device(s)",
                r["t"],
                ref["t"],
                error=err,
                notes=f"{n / r['t']:.3g} fits/s; {r['ok']:.1%} converged; ratio = speed-up vs "
                "1 device; forced host devices on a 2-core CPU (overhead, not speed-up)",
                device=f"cpu (cpu) x{ndev}",
            )
        )
    return rows


if __name__ == "__main__":
    main(run)
