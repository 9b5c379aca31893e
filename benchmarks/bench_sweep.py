"""Sweep throughput: dissipax.sweep on large grids against NumPy broadcasting and direct jit.

Workloads
---------
* ``vortex.sigma_xx`` (Delacrétaz–Hartnoll Eq. (6)) on an ω × Ω_H × α_v grid of 10⁶ points
  (10⁴ with ``--quick``), against the same closed form broadcast in NumPy;
* the same grid cut into 16 chunks (cost of chunking: one compile, 16 calls);
* ``rf.sigma1_mattis_bardeen`` on an ω × T grid against one direct jitted broadcast call of
  the same function (the overhead of the sweep machinery), when ``dissipax.rf`` is present.

The NumPy reference is Eq. (6) written out independently below.
"""

from __future__ import annotations

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


def run(quick: bool | None = None) -> list[dict]:
    """Rows of the sweep benchmarks (see the module docstring)."""
    quick = is_quick() if quick is None else quick
    repeat = 1 if quick else 3
    return _vortex_rows(quick, repeat) + _rf_rows(quick, repeat)


if __name__ == "__main__":
    main(run)
