import h5netcdf
import numpy as np
import pytest

from dissipax.sweep import evaluate, load, output, write_netcdf, write_npz


@pytest.fixture(scope="module")
def result():
    def f(omega, T, flag, a):
        return {"chi": 1.0 / (1.0 - 1j * omega * T), "rho": a * omega + T if flag else 0.0}

    return evaluate(
        f,
        omega=np.geomspace(0.1, 10, 9),
        T=np.array([1.0, 2.0, 3.0]),
        units={"omega": "rad/s", "T": "K", "chi": "S", "rho": "Ohm"},
        fixed={"flag": True, "a": 2.0},
        progress=False,
    )


def test_netcdf_roundtrip_splits_complex(result, tmp_path):
    p = write_netcdf(result.to_xarray(), tmp_path / "s.nc")
    with h5netcdf.File(p, "r") as f:  # the raw file: real and imaginary parts, no complex type
        assert {"chi_real", "chi_imag", "rho"} <= set(f.variables)
        assert f.variables["chi_real"].attrs["units"] == "S"
    ds = load(p)
    assert set(ds.data_vars) == {"rho", "chi"}
    np.testing.assert_array_equal(ds["chi"].values, result.data["chi"])
    np.testing.assert_array_equal(ds["rho"].values, result.data["rho"])
    assert ds["chi"].attrs == {"units": "S"} and ds["omega"].attrs["units"] == "rad/s"
    assert ds.attrs["fixed_flag"] == 1 and ds.attrs["fixed_a"] == 2.0


def test_npz_roundtrip(result, tmp_path):
    r = load(write_npz(result, tmp_path / "s.npz"))
    assert r.dims == ("omega", "T") and r.units == result.units
    np.testing.assert_array_equal(r.data["chi"], result.data["chi"])
    np.testing.assert_array_equal(r.coords["omega"], result.coords["omega"])
    assert r.attrs["fixed_flag"] is True and r.attrs["n_points"] == 27


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_plot(tmp_path, ndim):
    axes = {"x": np.linspace(0, 1, 5), "y": np.geomspace(1, 10, 4), "z": np.arange(3)}
    axes = dict(list(axes.items())[:ndim])
    r = evaluate(lambda **p: {"v": sum(p.values()) * (1 + 1j)}, progress=False, **axes)
    p = output.plot(r, tmp_path / "p.png", title="t", log_axes=("y",))
    assert p.stat().st_size > 1000
