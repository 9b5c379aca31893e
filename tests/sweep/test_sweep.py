import jax
import jax.numpy as jnp
import numpy as np
import pytest
import xarray as xr

from dissipax import _progress
from dissipax.sweep import evaluate, sweep


def drude(omega, tau, sigma0=1.0):
    """A tiny physics function: Drude conductivity sigma0 / (1 - i omega tau)."""
    return sigma0 / (1 - 1j * omega * tau)


OMEGA = np.linspace(0.0, 10.0, 37)
TAU = np.array([0.1, 0.5, 1.0, 2.0, 4.0])


def test_dataset_coords_units_and_values():
    ds = sweep(
        drude,
        omega=OMEGA,
        tau=TAU,
        units={"omega": "rad/s", "tau": "s", "drude": "S/m"},
        progress=False,
    )
    assert isinstance(ds, xr.Dataset)
    assert list(ds.dims) == ["omega", "tau"] and ds["drude"].dims == ("omega", "tau")
    np.testing.assert_array_equal(ds["omega"].values, OMEGA)
    np.testing.assert_array_equal(ds["tau"].values, TAU)
    assert ds["omega"].attrs["units"] == "rad/s" and ds["tau"].attrs["units"] == "s"
    assert ds["drude"].attrs["units"] == "S/m"
    assert ds["drude"].dtype == np.complex128
    ref = 1.0 / (1 - 1j * OMEGA[:, None] * TAU[None, :])
    # same float64 operations as NumPy; only XLA's complex division may differ by ~1 ulp
    np.testing.assert_allclose(ds["drude"].values, ref, rtol=4e-16, atol=0)
    assert ds.attrs["n_points"] == OMEGA.size * TAU.size and ds.attrs["compile_s"] > 0


def test_dims_follow_the_order_given():
    ds = sweep(drude, tau=TAU, omega=OMEGA, progress=False)
    assert ds["drude"].dims == ("tau", "omega") and ds["drude"].shape == (5, 37)
    np.testing.assert_allclose(
        ds["drude"].values.T,
        sweep(drude, omega=OMEGA, tau=TAU, progress=False)["drude"].values,
        rtol=0,
    )


def test_dict_output_fixed_parameters_and_name():
    def f(omega, tau, sigma0):
        s = drude(omega, tau, sigma0)
        return {"sigma1": s.real, "sigma2": s.imag, "abs": jnp.abs(s)}

    ds = sweep(f, omega=OMEGA, tau=TAU, fixed={"sigma0": 3.0}, progress=False)
    assert list(ds.data_vars) == ["sigma1", "sigma2", "abs"]  # the order fn returns them in
    assert ds.attrs["fixed_sigma0"] == 3.0
    ref = 3.0 / (1 - 1j * OMEGA[:, None] * TAU[None, :])
    np.testing.assert_allclose(ds["sigma1"].values, ref.real, rtol=4e-16)
    np.testing.assert_allclose(ds["sigma2"].values, ref.imag, rtol=4e-16, atol=1e-300)
    named = sweep(lambda omega: omega**2, omega=OMEGA, name="w2", progress=False)
    assert list(named.data_vars) == ["w2"]
    assert list(sweep(lambda omega: omega, omega=OMEGA, progress=False).data_vars) == ["value"]


def test_numpy_output_without_xarray():
    arr = sweep(drude, omega=OMEGA, tau=TAU, as_xarray=False, progress=False)
    assert isinstance(arr, np.ndarray) and arr.shape == (37, 5)
    d = sweep(
        lambda omega, tau: {"a": omega * tau, "b": omega + tau},
        omega=OMEGA,
        tau=TAU,
        as_xarray=False,
        progress=False,
    )
    assert set(d) == {"a", "b"}
    np.testing.assert_array_equal(d["b"], OMEGA[:, None] + TAU[None, :])


def test_integer_axis_and_three_dims():
    def f(n, x, y):
        return jnp.sin(n * x) + y

    ds = sweep(f, n=np.arange(1, 4), x=np.linspace(0, 1, 7), y=np.array([0.0, 2.0]), progress=False)
    assert ds["n"].dtype.kind == "i" and ds["f"].shape == (3, 7, 2)
    n, x, y = np.meshgrid(np.arange(1, 4), np.linspace(0, 1, 7), [0.0, 2.0], indexing="ij")
    np.testing.assert_allclose(ds["f"].values, np.sin(n * x) + y, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize(
    "limits", [{"chunk_size": 1}, {"chunk_size": 7}, {"chunk_size": 64}, {"memory_budget": 2e4}]
)
def test_chunked_equals_unchunked(limits):
    def f(omega, tau):
        # a point function with an internal reduction (trapezoid integral over 64 nodes)
        t = jnp.linspace(0.0, 1.0, 64)
        return jnp.trapezoid(jnp.exp(-t / tau) * jnp.cos(omega * t), t)

    whole = evaluate(f, omega=OMEGA, tau=TAU, chunk_size=10**6, progress=False)
    assert whole.attrs["n_chunks"] == 1
    part = evaluate(f, omega=OMEGA, tau=TAU, progress=False, **limits)
    assert part.attrs["n_chunks"] > 1
    # same per-point program; only XLA's vectorisation may differ: 1e-12 relative as required
    np.testing.assert_allclose(part.data["f"], whole.data["f"], rtol=1e-12, atol=1e-15)


def test_memory_budget_is_kept():
    r = evaluate(drude, omega=np.linspace(0, 1, 3000), tau=TAU, memory_budget=64e3, progress=False)
    assert r.attrs["bytes_per_point"] > 16  # at least the complex128 output per point
    assert r.attrs["chunk_size"] * r.attrs["bytes_per_point"] <= 64e3
    assert r.attrs["n_chunks"] == -(-15000 // r.attrs["chunk_size"])


def test_compiles_once_for_all_chunks():
    traces = []

    def f(omega, tau):
        traces.append(1)
        return omega * tau

    r = evaluate(f, omega=OMEGA, tau=TAU, chunk_size=8, progress=False)
    assert r.attrs["n_chunks"] == 24
    assert len(traces) == 2  # one abstract evaluation + one compilation, not one per chunk


def test_progress_bar(monkeypatch, capsys):
    monkeypatch.setattr(_progress, "_quiet", False)
    sweep(drude, omega=OMEGA, tau=TAU, chunk_size=40, desc="drude-sweep")
    assert "drude-sweep" in capsys.readouterr().err
    sweep(drude, omega=OMEGA, tau=TAU, chunk_size=40, desc="silent", progress=False)
    assert "silent" not in capsys.readouterr().err


def test_gradient_through_a_swept_function_is_untouched():
    # sweep evaluates values; derivatives are swept by sweeping jax.grad of the function
    def dsigma1_dtau(omega, tau):
        return jax.grad(lambda t: drude(omega, t).real)(tau)

    ds = sweep(dsigma1_dtau, omega=OMEGA, tau=TAU, progress=False)
    w, t = np.meshgrid(OMEGA, TAU, indexing="ij")
    ref = -2 * w**2 * t / (1 + w**2 * t**2) ** 2  # d/dtau of 1/(1 + w^2 tau^2)
    np.testing.assert_allclose(ds["dsigma1_dtau"].values, ref, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"fn": lambda omega: jnp.ones(3)}, TypeError, "scalar"),
        ({"fn": lambda omega: {"omega": omega}}, ValueError, "name of an axis"),
        ({"fn": lambda omega: float(omega)}, TypeError, "JAX-traceable"),
        ({"fn": drude, "units": {"T": "K"}}, ValueError, "neither an axis nor an output"),
        ({"fn": drude, "units": {"omega": 1}}, TypeError, "string"),
        ({"fn": drude, "chunk_size": 4, "memory_budget": 1e6}, ValueError, "not both"),
        ({"fn": drude, "memory_budget": 1.0}, ValueError, "smaller than one grid point"),
        ({"fn": drude, "fixed": {"omega": 1.0}}, ValueError, "both an axis and a fixed"),
    ],
)
def test_errors(kwargs, exc, match):
    fn = kwargs.pop("fn")
    axes = {"omega": np.linspace(0, 1, 3000)}
    if fn is drude:
        axes["tau"] = TAU
    with pytest.raises(exc, match=match):
        sweep(fn, progress=False, **kwargs, **axes)
