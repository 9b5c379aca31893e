"""Evaluate dissipax's public functions on fixed inputs; print JSON (run in a subprocess).

``DISSIPAX_X64`` in the environment decides the precision (``0``: float32).  The test
compares the float32 run with the float64 run of this same script.
"""

from __future__ import annotations

import json
import sys
import warnings

import jax
import numpy as np

import dissipax._precision as prec
import dissipax.saturation as sat
import dissipax.vortex as vx
from dissipax import units


def _c(z):
    z = np.asarray(z)
    return np.stack([z.real, z.imag], -1).tolist() if np.iscomplexobj(z) else z.tolist()


def main(fits: bool = False) -> dict:
    out = {"x64": prec.x64_enabled()}
    w = np.geomspace(1e-3, 1e2, 41)
    hp = dict(f_s=1.0, Omega=0.3, Omega_H=1.0, alpha_v=0.05, sigma_o=0.2)
    out["vortex.sigma_xx"] = _c(vx.sigma_xx(w, **hp))
    out["vortex.sigma_xy"] = _c(
        vx.sigma_xy(w, **{**{k: hp[k] for k in hp if k != "sigma_o"}, "sigma_oH": 0.01})
    )
    out["vortex.sigma_xx (narrow resonance, Omega=1e-3)"] = _c(
        vx.sigma_xx(np.linspace(0.99, 1.01, 41), 1.0, 1e-3, 1.0)
    )
    out["vortex.sigma_pinned"] = _c(vx.sigma_pinned(w, 1.0, 0.5, 0.1))
    out["vortex.superfluid_weight"] = _c(
        vx.superfluid_weight(1.0, np.geomspace(1e-3, 1e3, 13), 0.1)
    )
    out["vortex.flux_flow"] = [
        float(v) for v in vx.flux_flow(0.05, 1.0, 0.4, 0.004, 0.5, 1.0).values()
    ]
    T = np.geomspace(0.01, 10.0, 41)
    out["saturation.failed_insulator"] = _c(sat.failed_insulator(T, 1e-6, 1e-4, 0.3))
    out["saturation.failed_superconductor"] = _c(sat.failed_superconductor(T, 3e3, 1e4, 1.4))
    out["saturation laws at E_a/T = 700"] = _c(sat.failed_superconductor(1.0, 1.0, 1e30, 700.0))
    out["saturation.curvature"] = _c(
        sat.curvature(T, "insulator", sigma_QF=1e-6, sigma_0=1e-4, E_a=0.3)
    )
    out["saturation.curvature_zero"] = _c(
        sat.curvature_zero("insulator", sigma_QF=1e-6, sigma_0=np.geomspace(1e-6, 1e-2, 9), E_a=0.3)
    )
    out["units.frequency_to_gap_units"] = _c(
        units.frequency_to_gap_units(np.geomspace(1e6, 1e12, 7), 17.0)
    )
    if not fits:
        return out
    # fits (parameters relative to float64's fit of the same data)
    wf = np.linspace(0.02, 4.0, 60)
    truth = dict(f_s=1.0, Omega=0.3, Omega_H=1.0, alpha_v=0.05, sigma_o=0.2, sigma_oH=0.01)
    sp = vx.synthetic_spectrum(jax.random.PRNGKey(1), wf, **truth, noise_rel=0.01)
    # the same data in both precisions: noise drawn in float64 is not reproducible in float32,
    # so the data are rebuilt from numbers rounded to 6 digits
    sxx = np.round(np.asarray(sp.sigma_xx, complex), 6)
    sxy = np.round(np.asarray(sp.sigma_xy, complex), 6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = vx.fit(wf, sxx, sxy, sigma=0.01, scale_covar=False)
    out["vortex.fit"] = [float(r.params[k]) for k in sorted(r.params)]
    out["vortex.fit stderr"] = [float(r.stderr[k]) for k in sorted(r.params)]
    out["vortex.fit chi2"] = float(r.chi2)
    out["vortex.fit success"] = bool(r.success)
    sw = sat.generate(seed=3)
    rho = np.round(sw.rho[0], 3)
    rs = sat.fit(sw.T[0], rho, "superconductor", sigma=np.round(sw.sigma[0], 3))
    out["saturation.fit"] = [float(rs.params[k]) for k in sorted(rs.params)]
    out["saturation.fit stderr"] = [float(rs.stderr[k]) for k in sorted(rs.params)]
    out["saturation.fit chi2"] = float(rs.chi2)
    out["saturation.fit success"] = bool(rs.success)
    return out


if __name__ == "__main__":
    json.dump(main(fits="--fits" in sys.argv), sys.stdout)
