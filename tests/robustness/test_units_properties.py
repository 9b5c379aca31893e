"""Round trips and domain checks of dissipax.units (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dissipax import units as u

from ._strategies import NON_FINITE

# normal floats: subnormal inputs (< 2.2e-308) carry fewer significant bits, so "4 ulp" is moot
REAL = st.floats(-1e30, 1e30, allow_nan=False, allow_subnormal=False)
POS = st.floats(0, 1e30, allow_nan=False, allow_subnormal=False)
PAIRS = [
    (u.kelvin_to_joule, u.joule_to_kelvin, POS),
    (u.kelvin_to_ev, u.ev_to_kelvin, POS),
    (u.joule_to_ev, u.ev_to_joule, REAL),
    (u.hz_to_rad_s, u.rad_s_to_hz, REAL),
    (u.ghz_to_rad_s, u.rad_s_to_ghz, REAL),
    (u.hz_to_kelvin, u.kelvin_to_hz, POS),
    (u.oe_to_tesla, u.tesla_to_oe, REAL),
    (u.mT_to_tesla, u.tesla_to_mT, REAL),
    (u.siemens_to_e2_over_h, u.e2_over_h_to_siemens, REAL),
    (u.siemens_to_estar2_over_hbar, u.estar2_over_hbar_to_siemens, REAL),
    (u.e2_over_h_to_estar2_over_hbar, u.estar2_over_hbar_to_e2_over_h, REAL),
    (u.ohm_to_R_Q, u.R_Q_to_ohm, REAL),
]


@pytest.mark.parametrize("fwd,back,dom", PAIRS, ids=[p[0].__name__ for p in PAIRS])
@given(data=st.data())
def test_round_trip(fwd, back, dom, data):
    x = data.draw(dom)
    # two roundings (multiply, divide) of a factor computed once: 4 ulps
    np.testing.assert_allclose(back(fwd(x)), x, rtol=4 * np.finfo(float).eps, atol=1e-300)


# T/Δ0 and h f/k_B must stay normal floats: T, f above ~1e-280 (or exactly 0)
@given(T=st.one_of(st.just(0.0), st.floats(1e-280, 1e30)), D=st.floats(1e-6, 1e6))
def test_gap_units_round_trip(T, D):
    np.testing.assert_allclose(
        u.gap_units_to_temperature(u.temperature_to_gap_units(T, D), D),
        T,
        rtol=4 * np.finfo(float).eps,
    )
    f = T  # as a frequency in Hz
    np.testing.assert_allclose(
        u.gap_units_to_frequency(u.frequency_to_gap_units(f, D), D), f, rtol=8 * np.finfo(float).eps
    )


@given(bad=NON_FINITE, fn=st.sampled_from([p[0] for p in PAIRS]))
def test_non_finite_rejected(bad, fn):
    with pytest.raises(ValueError, match="must be finite"):
        fn(bad)


@given(T=st.floats(1e-9, 1e9).map(lambda v: -v))
def test_negative_temperature_rejected(T):
    for fn in (u.kelvin_to_joule, u.kelvin_to_ev, u.kelvin_to_hz):
        with pytest.raises(ValueError, match="'T'"):
            fn(T)
    with pytest.raises(ValueError, match="'T_K'"):
        u.temperature_to_gap_units(T, 10.0)
    with pytest.raises(ValueError, match="'Delta0_K'"):
        u.temperature_to_gap_units(1.0, T)
