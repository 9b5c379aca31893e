"""Fixtures of the sweep tests: dissipax.vortex and an independent Eq. (6) reference."""

import importlib

import pytest


def sigma_xx_eq6(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0):
    """Delacrétaz–Hartnoll Eq. (6), written independently of dissipax.vortex."""
    z = -1j * omega + Omega
    return f_s * ((1 - alpha_v**2) * z + 2 * alpha_v * Omega_H) / (z**2 + Omega_H**2) + sigma_o


@pytest.fixture
def vortex_module():
    """The dissipax.vortex module whose sigma_xx the sweep tests evaluate."""
    return importlib.import_module("dissipax.vortex")


@pytest.fixture
def eq6():
    """The independent Eq. (6) reference."""
    return sigma_xx_eq6
