"""Benchmark: cavity surface-resistance models (issue "Real SRF cavities").

Workloads (side by side in one process unless said otherwise)
-------------------------------------------------------------
* Gurevich's Rs(B_a)/Rs0 with overheating on a 64-field curve (Fig. 4b parameters): the
  loss term's node counts chosen from ``tol=3e-3`` (24 × 12) against the 96 × 40 rule;
* ``fit_cavity`` on the three TRIUMF HWR ramps (389, 778, 1167 MHz) with the default model,
  in a fresh process (import + compile + fit, targets ≤ 10 s) and warm (target ≤ 1 s);
* ``compare_models`` with four candidates (incl. leave-one-ramp-out) in a fresh process
  (target ≤ 30 s).

Each fresh process gets its own empty persistent compilation cache (``DISSIPAX_JAX_CACHE``
set to a new temporary directory), so its time includes every compilation.

Needs ``$DISSIPAX_DATA_DIR`` with ``triumf_nb_hwr_rs_vs_bp`` for the fit rows.
Run alone with ``python -m benchmarks --only cavity``.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from benchmarks import main, row, warm_time

_FIT = """
import time; t0 = time.perf_counter()
import dissipax
from dissipax.rf import fit_cavity, load_rs_vs_bp
rs = load_rs_vs_bp({csv!r})
sel = [next(r for r in rs if r.f_Hz == f) for f in (389e6, 778e6, 1167e6)]
res = fit_cavity(sel, f_ref_Hz=389e6); fresh = time.perf_counter() - t0
w = []
for _ in range(5):
    t = time.perf_counter()
    res = fit_cavity(sel, f_ref_Hz=389e6)
    w.append(time.perf_counter() - t)
w.sort()
print(fresh, w[2], int(res.all_converged))
"""

_CMP = """
import time; t0 = time.perf_counter()
import dissipax
from dissipax.rf import compare_models, load_rs_vs_bp
from dissipax.rf.losses import BCS, QSlope, Residual, TrappedFlux
rs = load_rs_vs_bp({csv!r})
sel = [next(r for r in rs if r.f_Hz == f) for f in (389e6, 778e6, 1167e6)]
c = {{"BCS + Residual": BCS() + Residual(), "TrappedFlux": TrappedFlux(),
      "QSlope + Residual": QSlope() + Residual(), "QSlope + TrappedFlux": QSlope() + TrappedFlux()}}
t = compare_models(sel, c, f_ref_Hz=389e6)
print(time.perf_counter() - t0, t.best.replace(" ", "_"))
"""


def _kernel_row():
    import jax
    import jax.numpy as jnp

    import dissipax  # noqa: F401  (x64)
    from dissipax import units
    from dissipax.rf.losses.gurevich import _ratio_kernel, nodes_for_tolerance

    b = np.linspace(0.02, 0.42, 64)
    omega = float(units.frequency_to_gap_units(1.75e9, 17.5))
    args = tuple(jnp.asarray(v) for v in (b, np.full(64, omega), np.full(64, 2 / 17.5)))
    args = (*args, jnp.full(64, 0.91))
    n_e, n_d = nodes_for_tolerance(3e-3)
    fast = jax.jit(jax.vmap(_ratio_kernel("fig4b", "nonequilibrium", n_e, n_d)))
    full = jax.jit(jax.vmap(_ratio_kernel("fig4b", "nonequilibrium", 96, 40)))
    fast_s, compile_fast, r_fast = warm_time(lambda: fast(*args), 5)
    full_s, _, r_full = warm_time(lambda: full(*args), 5)
    err = float(np.max(np.abs(np.asarray(r_fast) / np.asarray(r_full) - 1.0)))
    return row(
        f"Rs(Ba)/Rs0 with overheating, 64 fields: {n_e} x {n_d} nodes (tol 3e-3) vs 96 x 40",
        fast_s,
        full_s,
        err,
        compile_fast,
        "GurevichBCS node counts from tol=3e-3 vs the full rule (the same kernel, best of 5 "
        "warm runs each); error = max relative difference of Rs/Rs0",
    )


def run(quick: bool | None = None) -> list[dict]:
    """Rows: the tolerance-chosen kernel, fit_cavity fresh/warm, the comparison table."""
    rows = [_kernel_row()]
    csv = Path(os.environ.get("DISSIPAX_DATA_DIR", "")) / "triumf_nb_hwr_rs_vs_bp/sf_data.csv"
    if not csv.is_file():
        return rows

    cpu = {}

    def run_(code):
        # a fresh process with its own EMPTY persistent compilation cache: compile included
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with tempfile.TemporaryDirectory(prefix="dissipax-bench-cavity-") as cache:
            env = dict(os.environ, DISSIPAX_JAX_CACHE=cache)
            out = subprocess.run(
                [sys.executable, "-c", code.format(csv=str(csv))],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout.split()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of the child (user + sys): less sensitive to other load than wall time
        cpu[code] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return out

    fresh, warm, ok = (float(v) for v in run_(_FIT))
    load = os.getloadavg()[0]
    rows.append(
        row(
            "fit_cavity, 3 TRIUMF ramps, default model: warm vs fresh process",
            warm,
            fresh,
            None,
            None,
            f"dissipax_s = warm call (median of 5; target 1 s), reference_s = fresh process "
            f"incl. import and compile, empty cache (target 10 s; {cpu[_FIT]:.1f} CPU s, the "
            f"warm calls included); all converged: {bool(ok)}; load "
            f"average {load:.1f} on {os.cpu_count()} cores",
        )
    )
    out = run_(_CMP)
    rows.append(
        row(
            "compare_models, 4 candidates x 3 TRIUMF ramps incl. LORO, fresh process",
            float(out[0]),
            None,
            None,
            None,
            f"target 30 s; empty cache ({cpu[_CMP]:.1f} CPU s); per-ramp + LORO fits in one "
            f"batched call per model; best "
            f"(lowest BIC): {out[1].replace('_', ' ')}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        )
    )
    return rows


if __name__ == "__main__":
    main(run)
