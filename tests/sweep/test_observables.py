import sys
import types

import numpy as np
import pytest

from dissipax.sweep import observables as obs
from dissipax.sweep import sweep


def test_unknown_name_lists_the_allow_list():
    with pytest.raises(
        obs.ObservableError, match="unknown observable 'os.system'.*vortex.sigma_xx"
    ):
        obs.resolve("os.system")


def test_missing_module_says_what_is_available(monkeypatch):
    monkeypatch.setitem(sys.modules, "dissipax.vortex", None)  # import fails like an absent module
    fake = types.ModuleType("dissipax.saturation")
    fake.failed_insulator = lambda T, sigma_QF, sigma_0, E_a: (
        1 / (sigma_QF + sigma_0 * np.exp(-E_a / T))
    )
    monkeypatch.setitem(sys.modules, "dissipax.saturation", fake)
    with pytest.raises(
        obs.ObservableError, match="not available.*available: .*saturation.failed_insulator"
    ):
        obs.resolve("vortex.sigma_xx")
    assert "saturation.failed_insulator" in obs.available()
    assert "vortex.sigma_xx" not in obs.available()


def test_missing_function_in_present_module(monkeypatch):
    monkeypatch.setitem(sys.modules, "dissipax.vortex", types.ModuleType("dissipax.vortex"))
    with pytest.raises(obs.ObservableError, match="no function 'sigma_xx'"):
        obs.resolve("vortex.sigma_xx")


def test_resolve_and_sweep(vortex_module, eq6):
    fn = obs.resolve("vortex.sigma_xx")
    assert fn is vortex_module.sigma_xx
    ds = sweep(
        fn,
        omega=np.geomspace(0.01, 10, 50),
        Omega_H=np.array([0.0, 0.5]),
        fixed={"f_s": 1.0, "Omega": 0.3, "alpha_v": 0.05, "sigma_o": 0.02},
        name="sigma_xx",
        progress=False,
    )
    w, h = np.meshgrid(np.geomspace(0.01, 10, 50), [0.0, 0.5], indexing="ij")
    # the observable against an independent copy of Eq. (6): rounding only
    np.testing.assert_allclose(ds["sigma_xx"].values, eq6(w, 1.0, 0.3, h, 0.05, 0.02), rtol=1e-12)


def test_tuple_outputs_become_named_outputs(monkeypatch):
    rf = types.ModuleType("dissipax.rf")
    rf.surface_resistance_ratio = lambda b, omega, T0, alpha: (1 + alpha * b**2, T0 + b)
    monkeypatch.setitem(sys.modules, "dissipax.rf", rf)
    fn = obs.resolve("rf.surface_resistance_ratio")
    ds = sweep(
        fn, b=np.linspace(0, 0.5, 6), fixed={"omega": 0.01, "T0": 0.1, "alpha": 2.0}, progress=False
    )
    assert list(ds.data_vars) == ["rs_ratio", "T"]
    np.testing.assert_allclose(ds["rs_ratio"].values, 1 + 2 * np.linspace(0, 0.5, 6) ** 2)


def test_check_arguments(eq6):
    obs.check_arguments("x", eq6, ["omega", "f_s", "Omega", "Omega_H"])
    with pytest.raises(obs.ObservableError, match="no parameter.*Omega_h"):
        obs.check_arguments("x", eq6, ["omega", "f_s", "Omega", "Omega_h"])
    with pytest.raises(obs.ObservableError, match="needs Omega_H"):
        obs.check_arguments("x", eq6, ["omega", "f_s", "Omega"])
