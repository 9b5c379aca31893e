import math

import equinox as eqx
import jax
import numpy as np
import pytest

from dissipax import DomainError, units
from dissipax.rf.materials import NIOBIUM, Superconductor, niobium
from dissipax.rf.overheating import overheating_alpha


def test_niobium_preset_numbers_and_sources():
    nb = NIOBIUM
    assert (nb.Delta0_K, nb.Tc_K, nb.Bc_T, nb.lambda_m) == (17.5, 9.2, 0.2, 39e-9)
    assert nb.sigma_n_S_m == pytest.approx(300 / 1.45e-7)
    assert set(nb.source_of) == {"Delta0_K", "Tc_K", "Bc_T", "lambda_m", "sigma_n_S_m"}
    assert all(len(v) > 10 for v in nb.source_of.values())
    assert nb.field(80.0) == pytest.approx(0.4)
    assert nb.temperature(2.0) == pytest.approx(2.0 / 17.5)
    assert nb.omega(1.75e9) == pytest.approx(units.hz_to_kelvin(1.75e9) / 17.5)


def test_niobium_overrides_and_validation():
    nb = niobium(Tc_K=9.25)
    assert nb.Tc_K == 9.25 and nb.source_of["Tc_K"] == "user value"
    with pytest.raises(ValueError, match="unknown parameter"):
        niobium(Tc=9.0)
    with pytest.raises(ValueError, match="lambda_m"):
        Superconductor(17.5, 9.2, 0.2, -1.0, 1e9)
    # a material is a pytree of floats: it can be replaced leaf-wise
    nb2 = eqx.tree_at(lambda m: m.Bc_T, nb, 0.18)
    assert nb2.Bc_T == 0.18


def test_rs_prefactor_is_eq15_prefactor():
    w = 2 * math.pi * 1.3e9
    expected = 0.5 * units.mu_0**2 * w**2 * (39e-9) ** 3 * NIOBIUM.sigma_n_S_m
    assert NIOBIUM.rs_prefactor_ohm(1.3e9) == pytest.approx(expected, rel=1e-14)


def test_eq42_reproduces_paper_alpha():
    # Gurevich 2014 after Eq. (42): Δ = 17.5 K, τ1 = 3 ps, T0 = 2 K, 1.75 GHz -> α ≃ 1.32
    a = float(overheating_alpha(2.0, 3e-12, 1.75e9, 17.5, NIOBIUM.Tc_K))
    assert a == pytest.approx(1.32, abs=0.005)  # the paper quotes two decimals


def test_eq42_against_hand_formula_and_gradient():
    k, hbar = units.k_B, units.hbar
    T0, tau, f, D, Tc = 1.8, 2e-12, 1.3e9, 17.0, 9.25
    w = 2 * math.pi * f
    ref = (
        k
        * T0
        * tau
        / (24 * hbar)
        * (hbar * w / (k * T0)) ** 2
        * math.sqrt(math.pi * Tc / (2 * D))
        * math.exp(D / T0)
        * math.log(9 * k * T0 / (4 * hbar * w))
    )
    assert float(overheating_alpha(T0, tau, f, D, Tc)) == pytest.approx(ref, rel=1e-13)
    # d ln α / d τ1 = 1/τ1 exactly (α ∝ τ1)
    g = jax.grad(lambda t: overheating_alpha(T0, t, f, D, Tc))(tau)
    assert float(g) * tau / ref == pytest.approx(1.0, rel=1e-12)
    vals = overheating_alpha(np.array([1.8, 2.0]), tau, f, D, Tc)
    assert vals.shape == (2,)


def test_eq42_domain_errors():
    with pytest.raises(DomainError, match="T0_K"):
        overheating_alpha(-2.0, 3e-12, 1.75e9, 17.5, 9.2)
    with pytest.raises(DomainError, match="ħω ≪ kT0|f_Hz"):
        overheating_alpha(0.01, 3e-12, 1.75e9, 17.5, 9.2)
