"""Per-field fits of Eqs. (1)-(2) on *ragged* SIT tables (one array per field).

These need the ragged form of ``dx.saturation.fit([T_1, T_2, ...], [rho_1, ...],
sigma=[...])`` from the "One fit pipeline" work; they run once that is merged.  The
reference for the ragged call is the same fit done field by field (1-D calls).
"""

import numpy as np
import pytest

import dissipax.saturation as sat

FIELDS = np.linspace(250.0, 550.0, 13)


@pytest.fixture(scope="module")
def ragged():
    sw = sat.generate_sit(fields=FIELDS, n_T=40, ragged=True, seed=7)
    lengths = {int(np.sum(sw.H == h)) for h in sw.fields}
    assert len(lengths) > 1  # really ragged
    return sw


def test_fit_fields_ragged_equals_field_by_field(ragged):
    insulating = ragged.select(H_min=425.0)
    H, res = insulating.fit_fields("insulator")
    assert len(H) == len(insulating.fields)
    for i in (0, len(H) // 2, len(H) - 1):
        sel = insulating.H == H[i]
        one = sat.fit(
            insulating.T[sel], insulating.R[sel], "insulator", sigma=insulating.sigma[sel]
        )
        for k in ("sigma_QF", "sigma_0", "E_a"):
            assert np.asarray(res.params[k])[i] == pytest.approx(one.params[k], rel=1e-6)


def test_link_saturation_on_ragged_table(ragged):
    T_sat = ragged.truth.sample.T_sat
    c = sat.scaling_collapse(ragged, T_min=T_sat)
    T_on = c.T_range[0]  # the lowest temperature collapsed (just above T_sat)
    link = sat.link_saturation(ragged, c, T_on)
    ok = link.success & np.isfinite(link.ratio)
    # fields right at H_c have no visible activation (Eqs. (1)-(2) degenerate there): most,
    # not all, per-field fits converge (the rectangular table of the same size: 10 of 13)
    assert ok.mean() >= 0.6
    # the plateaus of Eqs. (1)-(2) are the collapse frozen at T_sat (the table's truth);
    # on the rectangular table of the same size the median is 0.02
    assert np.median(np.abs(np.log(link.ratio[ok]))) < 0.05
    assert set(link.law) == {"superconductor", "insulator"}
