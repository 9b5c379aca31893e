"""Time to the first fit: fresh processes, empty and warm compilation cache, vs lmfit.

What a new user meets first (issue "One fit pipeline"): the first ``saturation.fit`` of one
40-point ρ(T) curve in a fresh Python process (import excluded), the next fit of a
41-point curve in the same process (a new length in the same bucket: no recompilation),
the first fit of a fresh process whose persistent compilation cache is warm, and the first
``vortex.fit`` of the README's spectrum.  Each is measured in its own fresh process
(``subprocess``), ``REPEATS`` times, alternating with the reference, and the median is
reported.  Reference: the same curve fitted by lmfit (``lmfit.minimize``, MINPACK, its
default tolerances) in a fresh process, the same way (import excluded, first call).

The workload's process CPU time is in the notes beside the wall time (a shared 2-core
machine inflates wall times unevenly).

Run alone: ``python -m benchmarks.bench_first_fit [--quick]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

from benchmarks import is_quick, main, row

REPEATS, REPEATS_QUICK = 5, 2

_CURVE = """
import numpy as np
def curve(n):
    T = np.linspace(0.05, 2.0, n)
    rho = 1 / (1e-4 + 1e-3 * np.exp(-0.5 / T))
    return T, rho * (1 + 0.01 * np.random.default_rng(n).standard_normal(n))
"""

SATURATION = (
    _CURVE
    + """
import json, time
import dissipax as dx
import dissipax.fit, dissipax.saturation, dissipax.vortex  # import excluded from the timings
T, rho = curve(40)
t, c = time.perf_counter(), time.process_time()
r = dx.saturation.fit(T, rho, law="insulator", sigma=0.01 * rho)
first = (time.perf_counter() - t, time.process_time() - c)
T, rho = curve(41)
t, c = time.perf_counter(), time.process_time()
r2 = dx.saturation.fit(T, rho, law="insulator", sigma=0.01 * rho)
second = (time.perf_counter() - t, time.process_time() - c)
assert r.success and r2.success
print(json.dumps(dict(first=first, second=second, E_a=r.params["E_a"])))
"""
)

VORTEX = """
import json, time
import jax, jax.numpy as jnp
import dissipax as dx
import dissipax.fit, dissipax.saturation, dissipax.vortex  # import excluded from the timings
omega = jnp.linspace(0.01, 2.0, 200)
spec = dx.vortex.synthetic_spectrum(jax.random.PRNGKey(0), omega, f_s=1.0, Omega=0.25,
                                    Omega_H=0.5, sigma_o=0.01)
jax.block_until_ready(spec.sigma_xx)
t, c = time.perf_counter(), time.process_time()
res = dx.vortex.fit(omega, spec.sigma_xx, spec.sigma_xy,
                    sigma=(spec.sigma_xx_err, spec.sigma_xy_err))
assert bool(res.success)
print(json.dumps(dict(first=(time.perf_counter() - t, time.process_time() - c))))
"""

LMFIT = (
    _CURVE
    + """
import json, time
import lmfit
T, rho = curve(40)
def resid(p):
    v = p.valuesdict()
    return (1 / (v["sigma_QF"] + v["sigma_0"] * np.exp(-v["E_a"] / T)) - rho) / (0.01 * rho)
p = lmfit.Parameters()
p.add("sigma_QF", 2e-4, min=0); p.add("sigma_0", 5e-4, min=0); p.add("E_a", 0.3, min=0)
t, c = time.perf_counter(), time.process_time()
r = lmfit.minimize(resid, p)
first = (time.perf_counter() - t, time.process_time() - c)
assert r.success
print(json.dumps(dict(first=first)))
"""
)


#: prepended to a workload: every solve with XLA's optimised code generation (the engine
#: before the fast-compile rule of dissipax.fit._codegen), for the side-by-side rows
FAST_RUN = "import dissipax.fit._codegen as _cg\n_cg.FAST_COMPILE_MAX_JOBS = 0\n"


def _run(code: str, cache: str | None) -> dict:
    env = dict(os.environ, DISSIPAX_JAX_CACHE=cache or "0", PYTHONUNBUFFERED="1")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    """Fresh-process first-fit rows."""
    n = REPEATS_QUICK if is_quick() else REPEATS
    empty, warm, vortex, ref, empty_opt, vortex_opt = [], [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        cache = os.path.join(tmp, "warm")
        _run(SATURATION, cache)  # fills the warm cache
        for i in range(n):
            empty.append(_run(SATURATION, os.path.join(tmp, f"empty{i}")))
            empty_opt.append(_run(FAST_RUN + SATURATION, os.path.join(tmp, f"opt{i}")))
            warm.append(_run(SATURATION, cache))
            vortex.append(_run(VORTEX, os.path.join(tmp, f"vortex{i}")))
            vortex_opt.append(_run(FAST_RUN + VORTEX, os.path.join(tmp, f"vortex_opt{i}")))
            ref.append(_run(LMFIT, None))

    def med(rows, key, j):
        return float(np.median([r[key][j] for r in rows]))

    ref_s = med(ref, "first", 0)
    load = os.getloadavg()[0]
    side = (
        "side by side, alternating: reference_s = the same workload with XLA's optimised "
        "code generation for every solve (FAST_COMPILE_MAX_JOBS = 0), ratio = the speed-up "
        "of dissipax.fit._codegen's fast-compile rule; median of {n} fresh processes each; "
        "cpu {a:.3f} s vs {b:.3f} s; load average {load:.1f} on {cores} cores"
    )
    note = f"median of {n} fresh processes; cpu {{:.3f}} s; lmfit first fit {ref_s:.4f} s"
    return [
        row(
            "first saturation.fit, fresh process, empty cache",
            med(empty, "first", 0),
            ref_s,
            notes=note.format(med(empty, "first", 1)),
        ),
        row(
            "next saturation.fit, new length (41) in the same bucket",
            med(empty, "second", 0),
            ref_s,
            notes=note.format(med(empty, "second", 1)),
        ),
        row(
            "first saturation.fit, fresh process, warm persistent cache",
            med(warm, "first", 0),
            ref_s,
            notes=note.format(med(warm, "first", 1)),
        ),
        row(
            "first vortex.fit of the README spectrum, empty cache",
            med(vortex, "first", 0),
            notes=f"median of {n} fresh processes; cpu {med(vortex, 'first', 1):.3f} s",
        ),
    ] + [
        row(
            f"first {fn}, empty cache: fast-compile rule vs optimised code",
            med(fast, "first", 0),
            med(opt, "first", 0),
            notes=side.format(
                n=n,
                a=med(fast, "first", 1),
                b=med(opt, "first", 1),
                load=load,
                cores=os.cpu_count(),
            ),
        )
        for fn, fast, opt in (
            ("saturation.fit", empty, empty_opt),
            ("vortex.fit", vortex, vortex_opt),
        )
    ]


if __name__ == "__main__":
    main(run)
