"""The BCS amplitude of real ramps against Nb's BCS range (issue 17's "Rs0 within the BCS range").

One ramp at one bath temperature cannot separate a field-independent R_BCS from R_res.
The ramps of one block of the TRIUMF file (one cool-down, one mode) were taken at bath
temperatures 0.08–0.17 K apart, over which R_BCS changes by 30–100 % (e^{-Δ/kT}) and R_res
not at all: fitted jointly, with every parameter shared and the Mattis–Bardeen
temperature dependence of the BCS and Q-slope terms, they identify R_BCS(T_ref = 2 K, f).
That fitted value is compared with the BCS range of Nb computed from physics
(:func:`dissipax.rf.losses.bcs_range_nohm`: the local Mattis–Bardeen Re Z_s for mean free
paths 2–38 nm), itself checked here against SciPy.
"""

import math

import numpy as np
import pytest

from dissipax import units
from dissipax.rf import scipy_reference as ref
from dissipax.rf.cavity_data import load_rs_vs_bp
from dissipax.rf.cavity_fit import fit_cavity
from dissipax.rf.losses import BCS, QSlope, Residual, bcs_range_nohm
from dissipax.rf.losses.trapped_flux import NB_RHO_L


def _rs_low_T_reference(f_Hz, T_K, mfp_nm, Tc_K=9.2, Delta0_K=17.5):
    """R_s = ½ μ0² ω² λ³ σ_n σ1 with λ = (μ0 ω σ_n σ2)^{-1/2}, σ from SciPy quad [nΩ].

    (Re √(−iμ0ω/σ) to O((σ1/σ2)²) ~ 1e-10 at 2 K.)
    """
    w = float(units.hz_to_kelvin(f_Hz)) / Delta0_K
    s1, s2 = ref.sigma_mattis_bardeen(w, T_K / Delta0_K, ref.bcs_gap(T_K / Tc_K))
    sigma_n = mfp_nm * 1e-9 / NB_RHO_L
    w_si = 2.0 * math.pi * f_Hz
    lam = 1.0 / math.sqrt(units.mu_0 * w_si * sigma_n * s2)
    return 1e9 * 0.5 * units.mu_0**2 * w_si**2 * lam**3 * sigma_n * s1


@pytest.mark.parametrize("f_Hz", [389e6, 1167e6])
def test_bcs_range_matches_scipy_and_scales_as_mfp_to_minus_half(f_Hz):
    lo, hi = bcs_range_nohm(f_Hz, 2.0, mfp_nm=(5.0, 20.0))
    assert float(lo) == pytest.approx(_rs_low_T_reference(f_Hz, 2.0, 20.0), rel=1e-7)
    assert float(hi) == pytest.approx(_rs_low_T_reference(f_Hz, 2.0, 5.0), rel=1e-7)
    # local limit: λ³σ_n ∝ ρ_n^{1/2}, so R_BCS ∝ ℓ^{-1/2} (λ from σ2: exact here)
    assert float(hi / lo) == pytest.approx(2.0, rel=1e-9)


def test_bcs_range_bad_input():
    from dissipax._checks import DomainError

    with pytest.raises(DomainError, match="mfp_nm"):
        bcs_range_nohm(1e9, 2.0, mfp_nm=(40.0, 2.0))
    with pytest.raises(DomainError, match="f_Hz"):
        bcs_range_nohm(1.3, 2.0)  # GHz passed as Hz


def _blocks(dataset):
    """Blocks (one cool-down, one mode) of the TRIUMF file with at least 3 ramps."""
    ramps = load_rs_vs_bp(dataset("triumf_nb_hwr_rs_vs_bp", "sf_data.csv"))
    blocks = {}
    for r in ramps:
        blocks.setdefault((r.f_Hz, r.block), []).append(r)
    return {k: v for k, v in blocks.items() if len(v) >= 3}


def _check_block(key, group):
    """Joint fit converges, R_BCS(2 K, f) resolved and within 2σ of Nb's BCS range."""
    spread = np.ptp([r.T0_K for r in group])
    assert spread > 0.07, (key, spread)
    model = BCS() + QSlope() + Residual()
    fit = fit_cavity(group, model=model, shared=("Rs0_nOhm", "Rq_nOhm", "R_res_nOhm"))
    assert fit.all_converged, (key, fit.message[0])
    rs0, err = fit.params["Rs0_nOhm"][0], fit.stderr["Rs0_nOhm"][0]
    assert 0 < err < 0.6 * rs0, (key, rs0, err)  # the BCS amplitude is identified
    lo, hi = (float(v) for v in bcs_range_nohm(key[0], 2.0))
    # within two standard errors of the range [R_BCS(ℓ = 38 nm), R_BCS(ℓ = 2 nm)]
    dist = max(lo - rs0, rs0 - hi, 0.0)
    assert dist < 2 * err, (key, rs0, err, lo, hi)
    assert 0 < fit.params["R_res_nOhm"][0] < 30  # a few to ~25 nOhm


def test_triumf_bcs_part_of_the_lowest_and_highest_mode_within_the_nb_bcs_range(dataset):
    """Default run: one block at 389 MHz and the 1167 MHz block (all six: ``--slow``)."""
    blocks = _blocks(dataset)
    for key in ((389e6, 3), (1167e6, 9)):
        _check_block(key, blocks[key])


@pytest.mark.slow
def test_triumf_bcs_part_of_every_block_within_the_nb_bcs_range(dataset):
    blocks = _blocks(dataset)
    assert len(blocks) == 6  # 389 MHz: 3 blocks, 778 MHz: 2, 1167 MHz: 1
    for key, group in blocks.items():
        _check_block(key, group)
