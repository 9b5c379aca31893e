"""The whole SIT analysis of a 30-field x 60-temperature table, and the collapse vs SciPy.

The table is the synthetic default of ``dissipax.saturation.generate_sit`` (H_c = 400 Oe,
zν = 1.3, saturation below 0.1 K, 1 % noise), written to CSV.  "The whole analysis" is:
load the CSV (validation), the isotherm crossing, the collapse quality against the lowest
temperature with the saturation onset (``scaling_breakdown``: about 16 collapse fits sharing one
compiled executable, and its reference collapse with the full covariance), and the duality test.

Rows:

* the whole analysis in a *fresh process* (``python -c`` subprocess), timed inside the
  child after ``import dissipax.saturation`` (the import is reported apart, in the notes:
  it is not part of the analysis), with an *empty* private compilation cache
  (``DISSIPAX_JAX_CACHE`` = a new empty directory per process: everything compiles) and
  with a *warm* one (filled by one earlier process); median of 3 of each, alternating.
  Wall and CPU time of the child are both given: on a shared 2-core machine the CPU time
  is the steadier number.  The issue's target is <= 5 s on 2 cores;
* the collapse (``scaling_collapse`` on T >= the onset) warm, against a SciPy reference:
  ``scipy.optimize.least_squares`` (TRF, 2-point Jacobian) on the full problem with the
  same spline master curves in NumPy (15 parameters), from the same start.  ``error`` is
  the largest difference of H_c, zν in units of dissipax's stderr.

``--quick``: one fresh process.  Run alone with ``python -m benchmarks.bench_sit [--quick]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks import best_time, is_quick, main, row, warm_time

CMD = "measured with: PYTHONPATH=$PWD/src python -m benchmarks --only sit"

FRESH = r"""
import json, sys, time
T = lambda: (time.perf_counter(), time.process_time())
t0 = T()
import dissipax.saturation as sat
t1 = T()
sw = sat.load_sit_csv(sys.argv[1])
t2 = T()
cross = sat.crossing_point(sw)
t3 = T()
bd = sat.scaling_breakdown(sw)
t4 = T()
dual = sat.duality(sw, center=bd.reference, T_min=bd.T_onset)
t5 = T()
d = lambda a, b: [b[0] - a[0], b[1] - a[1]]  # [wall, cpu] seconds
print(json.dumps({"import": d(t0, t1), "analysis": d(t1, t5), "load_csv": d(t1, t2),
                  "crossing": d(t2, t3), "breakdown": d(t3, t4), "duality": d(t4, t5),
                  "T_onset": bd.T_onset, "H_c": bd.reference.params["H_c"],
                  "z_nu": bd.reference.params["z_nu"], "n_fits": len(bd.T_lo)}))
"""


def _table(tmp: Path) -> Path:
    import dissipax.saturation as sat

    sw = sat.generate_sit()  # 30 fields x 60 temperatures
    return sw.to_csv(tmp / "sit_synthetic.csv", comments=(sw.source,))


def _fresh(csv: Path, cache: Path) -> tuple[float, dict]:
    """(wall s of one fresh analysis process, its report); compilation cache at ``cache``."""
    env = dict(os.environ, DISSIPAX_JAX_CACHE=str(cache), PYTHONUNBUFFERED="1")
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", FRESH, str(csv)], capture_output=True, text=True, env=env, check=True
    )
    wall = time.perf_counter() - t0
    return wall, json.loads(out.stdout.strip().splitlines()[-1])


def _scipy_collapse(sw, T_min, H_c0, z0, n):
    """The same collapse (spline master curves, full problem) with SciPy least_squares."""
    from scipy.optimize import least_squares as sp_ls

    sel = sw.select(T_min=T_min)
    H, T, y = sel.H, sel.T, np.log(sel.R)
    sw_ = sel.R / sel.sigma  # 1/sigma of ln R

    def basis(t):
        s = t[:, None] * n - (np.arange(n + 3) - 1.0)
        a = np.abs(s)
        return np.where(a < 1, 2 / 3 - a**2 + 0.5 * a**3, (2 - np.minimum(a, 2)) ** 3 / 6)

    B0 = basis(np.zeros(1))

    def design(hc, zn):
        x = np.abs(H - hc) * T ** (-1 / zn)
        side = H > hc
        t = np.where(side, x / x[side].max(), x / x[~side].max())
        Bb = (basis(t) - B0)[:, 1:]
        s = side[:, None]
        return np.concatenate([np.ones((len(x), 1)), np.where(s, Bb, 0), np.where(s, 0, Bb)], 1)

    A0 = design(H_c0, z0)
    c0 = np.linalg.lstsq(A0 * sw_[:, None], y * sw_, rcond=None)[0]

    def resid(p):
        return sw_ * (design(p[0], p[1]) @ p[2:] - y)

    lo = np.r_[H.min(), 0.05, np.full(len(c0), -np.inf)]
    hi = np.r_[H.max(), 50.0, np.full(len(c0), np.inf)]
    return sp_ls(resid, np.r_[H_c0, z0, c0], bounds=(lo, hi), x_scale="jac")


def run(quick: bool | None = None) -> list[dict]:
    """Three rows: the whole analysis in fresh processes (cold, cached), the collapse vs SciPy."""
    import dissipax.saturation as sat

    quick = is_quick() if quick is None else quick
    rows = []
    load0 = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as d:
        csv = _table(Path(d))
        n = 1 if quick else 3
        warm = Path(d) / "cache_warm"
        _fresh(csv, warm)  # fills the warm cache
        cold_runs, warm_runs = [], []
        for i in range(n):  # alternating: an empty private cache, then the warm one
            cold_runs.append(_fresh(csv, Path(d) / f"cache_empty{i}"))
            warm_runs.append(_fresh(csv, warm))
        for label, runs in (("empty cache", cold_runs), ("warm persistent cache", warm_runs)):

            def med(key, j=0, runs=runs):
                return float(np.median([r[key][j] for _, r in runs]))

            info = runs[len(runs) // 2][1]
            load1 = os.getloadavg()[0]
            stages = ", ".join(
                f"{k} {med(k):.3g}" for k in ("load_csv", "crossing", "breakdown", "duality")
            )
            rows.append(
                row(
                    f"SIT whole analysis, 30 fields x 60 T, fresh process, {label} (load CSV, "
                    "crossing, breakdown vs T_lo + collapse, duality; import excluded)",
                    med("analysis"),
                    None,
                    None,
                    None,
                    f"median of {n} fresh processes (DISSIPAX_JAX_CACHE: "
                    f"{'a new empty directory each' if 'empty' in label else 'one filled dir'}):"
                    f" analysis {med('analysis'):.3g} s wall, {med('analysis', 1):.3g} s CPU "
                    f"({stages} s wall); import dissipax.saturation {med('import'):.3g} s wall, "
                    f"{med('import', 1):.3g} s CPU; whole process "
                    f"{float(np.median([w for w, _ in runs])):.3g} s wall; "
                    f"{info['n_fits']} collapse fits sharing one executable; onset "
                    f"{info['T_onset']:.4g} K (truth 0.1), H_c {info['H_c']:.5g} Oe (400), "
                    f"z_nu {info['z_nu']:.4g} (1.3); target <= 5 s on 2 cores; load average "
                    f"{load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores; {CMD}",
                )
            )
        sw = sat.load_sit_csv(csv)
    T_min = 0.1045  # the onset found above (a measured temperature of the table)
    start = sat.scaling_collapse(sw, T_min=T_min)
    H_c0, z0 = start.start["H_c"], start.start["z_nu"]
    dx_s, comp_s, col = warm_time(
        lambda: sat.scaling_collapse(sw, T_min=T_min, H_c=H_c0, z_nu=z0), 3
    )
    ref_s, ref = best_time(lambda: _scipy_collapse(sw, T_min, H_c0, z0, col.n_intervals), 3)
    err = max(
        abs(col.params["H_c"] - ref.x[0]) / col.stderr["H_c"],
        abs(col.params["z_nu"] - ref.x[1]) / col.stderr["z_nu"],
    )
    rows.append(
        row(
            "SIT scaling collapse, 30 fields x 60 T (T >= 0.1 K), vs SciPy least_squares",
            dx_s,
            ref_s,
            float(err),
            comp_s,
            f"dissipax: variable projection (2 nonlinear parameters, dissipax.fit.least_squares)"
            f" + full covariance, {col.fit.extra.get('nsteps', '?')} LM steps; SciPy: TRF on the "
            f"full problem (15 parameters, 2-point Jacobian, nfev {ref.nfev}); error = max "
            "|difference| of H_c, z_nu in dissipax stderr; best of 3 warm calls each; load "
            f"average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {CMD}",
        )
    )
    return rows


if __name__ == "__main__":
    main(run)
