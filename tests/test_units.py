import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy import constants as C

from dissipax import units as u


def test_delacretaz_hartnoll_worked_conversion():
    # The paper: sigma_n ≈ 10 e²/h ≈ 0.4 e*²/ħ (e* = 2e, ħ = 1 units); exact factor 1/(8π).
    g = u.e2_over_h_to_estar2_over_hbar(10.0)
    assert g == pytest.approx(10.0 / (8.0 * math.pi), rel=1e-14)
    assert round(g, 1) == 0.4
    # and through siemens, independently of the helper
    G = 10.0 * C.e**2 / C.h
    assert u.siemens_to_estar2_over_hbar(G) == pytest.approx(G * C.hbar / (2 * C.e) ** 2, rel=1e-14)
    assert u.estar2_over_hbar_to_e2_over_h(g) == pytest.approx(10.0, rel=1e-14)


def test_resistance_quantum():
    assert u.R_Q == pytest.approx(6453.2, abs=0.1)  # h/4e² ≈ 6.45 kΩ (Zhang et al.)
    assert u.R_Q == pytest.approx(u.R_K / 4, rel=1e-15)
    assert u.hbar_over_estar2 == pytest.approx(u.R_Q / (2 * math.pi), rel=1e-14)
    assert u.ohm_to_R_Q(u.R_Q_to_ohm(1.7)) == pytest.approx(1.7, rel=1e-15)


@pytest.mark.parametrize(
    ("fwd", "inv", "x"),
    [
        (u.kelvin_to_joule, u.joule_to_kelvin, 2.0),
        (u.kelvin_to_ev, u.ev_to_kelvin, 17.5),
        (u.joule_to_ev, u.ev_to_joule, 1e-22),
        (u.hz_to_rad_s, u.rad_s_to_hz, 1.3e9),
        (u.ghz_to_rad_s, u.rad_s_to_ghz, 1.75),
        (u.hz_to_kelvin, u.kelvin_to_hz, 1.75e9),
        (u.oe_to_tesla, u.tesla_to_oe, 300.0),
        (u.mT_to_tesla, u.tesla_to_mT, 80.0),
        (u.siemens_to_e2_over_h, u.e2_over_h_to_siemens, 1e-3),
    ],
)
def test_round_trips(fwd, inv, x):
    assert inv(fwd(x)) == pytest.approx(x, rel=1e-14)


def test_known_values():
    assert u.kelvin_to_ev(1.0) == pytest.approx(8.617333262e-5, rel=1e-9)  # k_B in eV/K
    assert u.ghz_to_rad_s(1.0) == pytest.approx(2 * math.pi * 1e9, rel=1e-15)
    assert u.oe_to_tesla(1e4) == pytest.approx(1.0)  # 10 kOe = 1 T
    # 1.75 GHz photon in units of Δ0 = 17.5 K (Gurevich Fig. 4b): ħω/Δ0 ≈ 0.0048
    w = u.frequency_to_gap_units(1.75e9, 17.5)
    assert w == pytest.approx(C.h * 1.75e9 / (C.k * 17.5), rel=1e-14)
    assert u.gap_units_to_frequency(w, 17.5) == pytest.approx(1.75e9, rel=1e-14)
    assert u.temperature_to_gap_units(2.0, 17.5) == pytest.approx(2 / 17.5)
    assert u.gap_units_to_temperature(2 / 17.5, 17.5) == pytest.approx(2.0)


def test_conversions_are_jax_traceable():
    f = jax.jit(jax.vmap(jax.grad(lambda T: u.temperature_to_gap_units(T, 17.5) ** 2)))
    T = jnp.linspace(1.0, 3.0, 5)
    np.testing.assert_allclose(f(T), 2 * T / 17.5**2, rtol=1e-14)
    assert u.kelvin_to_joule(np.array([1.0, 2.0])).shape == (2,)
