"""Vortex hydrodynamics: σ_xx, σ_xy on 1e6 frequencies and their parameter gradient vs NumPy.

Workloads (Delacrétaz & Hartnoll 2018, Eqs. (6)-(7); f_s = 1.3, Ω = 0.4, Ω_H = 0.9,
α_v = 0.05, σ_o = 0.3, σ_o^H = 0.1; ω = linspace(0, 10, N), N = 1e6 (1e5 with --quick)):

* ``sigma_xx`` / ``sigma_xy``: ``jax.jit`` of the public function vs the same closed form
  written in NumPy complex128;
* ``grad``: gradient of ``L = Σ_ω |σ_xx|² + |σ_xy|²`` with respect to the six parameters:
  reverse-mode autodiff under ``jit`` vs NumPy central finite differences (12 evaluations of
  the NumPy forms, step 1e-6 relative), the way one gets a gradient without autodiff.

Timings: best of 5 after compilation (``compile_s`` is the first call minus a warm call).
``ratio`` = reference_s / dissipax_s (> 1: dissipax faster).  ``error``: max relative
difference of the values (sigma rows) or of the gradient components (grad row).

Run alone: ``python -m benchmarks.bench_vortex [--quick]``.
"""

from __future__ import annotations

import numpy as np

from benchmarks import best_time, is_quick, main, row, warm_time

P = dict(f_s=1.3, Omega=0.4, Omega_H=0.9, alpha_v=0.05, sigma_o=0.3, sigma_oH=0.1)
NAMES = tuple(P)
REPEAT = 5  # best of REPEAT warm runs (the finite-difference reference: best of 2)


def np_sigma(w, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH):
    """Eqs. (6)-(7) in NumPy complex128 (the reference)."""
    a = Omega - 1j * w
    den = a**2 + Omega_H**2
    c = 1 - alpha_v**2
    sxx = f_s * (c * a + 2 * alpha_v * Omega_H) / den + sigma_o
    sxy = f_s * (2 * alpha_v * a - c * Omega_H) / den + sigma_oH
    return sxx, sxy


def np_loss(w, p):
    sxx, sxy = np_sigma(w, *p)
    return float(np.sum(np.abs(sxx) ** 2 + np.abs(sxy) ** 2))


def np_grad(w, p, rel=1e-6):
    g = np.empty(len(p))
    for i in range(len(p)):
        h = rel * max(abs(p[i]), 1.0)
        up, dn = list(p), list(p)
        up[i] += h
        dn[i] -= h
        g[i] = (np_loss(w, up) - np_loss(w, dn)) / (2 * h)
    return g


def run(quick: bool | None = None) -> list[dict]:
    """Run the benchmark (``quick``: default :func:`benchmarks.is_quick`); one row a workload."""
    import jax
    import jax.numpy as jnp

    import dissipax.vortex as vx

    quick = is_quick() if quick is None else quick
    n = 100_000 if quick else 1_000_000
    w_np = np.linspace(0.0, 10.0, n)
    w = jnp.asarray(w_np)
    p = tuple(P[k] for k in NAMES)
    rows = []

    sxx_ref, sxy_ref = np_sigma(w_np, *p)
    f_xx = jax.jit(lambda w, *a: vx.sigma_xx(w, *a[:5]))
    f_xy = jax.jit(lambda w, *a: vx.sigma_xy(w, *a[:4], a[5]))
    for name, f, ref, ref_fn in (
        ("sigma_xx", f_xx, sxx_ref, lambda: np_sigma(w_np, *p)[0]),
        ("sigma_xy", f_xy, sxy_ref, lambda: np_sigma(w_np, *p)[1]),
    ):
        t, c, out = warm_time(lambda f=f: f(w, *p), REPEAT)
        t_ref, _ = best_time(ref_fn, REPEAT)
        err = float(np.max(np.abs(np.asarray(out) - ref)) / np.max(np.abs(ref)))
        rows.append(
            row(
                f"{name}, {n:.0e} frequencies",
                t,
                t_ref,
                err,
                c,
                notes="jit vs NumPy complex128 closed form",
            )
        )

    def loss(pv, w):
        sxx = vx.sigma_xx(w, *pv[:5])
        sxy = vx.sigma_xy(w, *pv[:4], pv[5])
        return jnp.sum(jnp.abs(sxx) ** 2 + jnp.abs(sxy) ** 2)

    g = jax.jit(jax.grad(loss))
    pv = jnp.asarray(p)
    t, c, out = warm_time(lambda: g(pv, w), REPEAT)
    t_ref, ref = best_time(lambda: np_grad(w_np, p), 2)
    err = float(np.max(np.abs(np.asarray(out) - ref) / np.abs(ref)))
    rows.append(
        row(
            f"grad of sum |sigma|^2 wrt 6 parameters, {n:.0e} frequencies",
            t,
            t_ref,
            err,
            c,
            notes="reverse-mode autodiff vs NumPy central differences (12 evaluations)",
        )
    )
    return rows


if __name__ == "__main__":
    main(run)
