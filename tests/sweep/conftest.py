"""Fixtures of the sweep tests: a tiny inline physics module standing in for dissipax.vortex."""

import importlib
import sys
import types

import pytest


def sigma_xx_eq6(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0):
    """Delacrétaz–Hartnoll Eq. (6), written independently of dissipax.vortex."""
    z = -1j * omega + Omega
    return f_s * ((1 - alpha_v**2) * z + 2 * alpha_v * Omega_H) / (z**2 + Omega_H**2) + sigma_o


@pytest.fixture
def vortex_module(monkeypatch):
    """dissipax.vortex if this build has it, else an inline module with Eq. (6) as sigma_xx."""
    try:
        return importlib.import_module("dissipax.vortex")
    except ImportError:
        mod = types.ModuleType("dissipax.vortex")
        mod.sigma_xx = sigma_xx_eq6
        monkeypatch.setitem(sys.modules, "dissipax.vortex", mod)
        return mod


@pytest.fixture
def eq6():
    """The independent Eq. (6) reference."""
    return sigma_xx_eq6
