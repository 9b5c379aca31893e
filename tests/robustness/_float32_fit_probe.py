"""Fit the datasets of an ``.npz`` file; print JSON (run in a subprocess by test_float32_fits).

``DISSIPAX_X64`` in the environment decides the working precision (``0``: float32).  The
data come from the file, written once in float64 by the test, so that both precisions fit
*the same numbers* (noise drawn by JAX differs between float32 and float64 runs).
"""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np

import dissipax._precision as prec
import dissipax.saturation as sat
import dissipax.vortex as vx
from dissipax.fit import least_squares

#: x ranges [off, off + 1] of the quadratic fits: cond(J) grows as off²
OFFSETS = (0, 100, 1000)


def _quadratic(x, a, b, c):
    return a + b * x + c * x**2


def _summary(res) -> dict:
    names = sorted(res.params)
    return {
        "params": [float(res.params[k]) for k in names],
        "stderr": [float(res.stderr[k]) for k in names],
        "chi2": float(res.chi2),
        "success": bool(res.success),
        "message": res.message,
        "nsteps": int(res.extra["nsteps"]),
        "relative_offset": float(res.extra.get("relative_offset", np.nan)),
    }


def quadratic_fit(x, y):
    """The quadratic fit of the test's data on ``x`` (start: the line through the data)."""
    off = float(np.round(x[0]))
    return least_squares(_quadratic, {"a": 1.5 - 2 * off, "b": 2.5, "c": 1e-3}, x, y, sigma=0.01)


def main(path: str, physics: bool) -> dict:
    d = np.load(path)
    out = {"x64": prec.x64_enabled()}
    for off in OFFSETS:
        r = quadratic_fit(d[f"quad_x{off}"], d[f"quad_y{off}"])
        out[f"quadratic, x in [{off}, {off + 1}]"] = _summary(r)
    if not physics:
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the entropy-bound warning is not under test here
        r = vx.fit(d["omega"], d["sxx"], d["sxy"], sigma=float(d["vx_sigma"]), scale_covar=False)
    out["vortex.fit"] = _summary(r)
    r = sat.fit(d["T"], d["rho"], "superconductor", sigma=d["rho_sigma"])
    out["saturation.fit"] = _summary(r)
    return out


if __name__ == "__main__":
    json.dump(main(sys.argv[1], physics="--physics" in sys.argv), sys.stdout)
