import numpy as np
import pytest

from dissipax.sweep import chunking
from dissipax.sweep import grid as G


def test_points_match_numpy_meshgrid():
    axes = {"a": np.array([0.5, 1.5]), "b": np.arange(3), "c": np.linspace(-1, 1, 4)}
    g = G.make_grid(axes)
    assert g.shape == (2, 3, 4) and g.size == 24 and g.strides == (12, 4, 1)
    idx = np.arange(g.size)
    pts = G.points(idx, g, tuple(g.values))
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    for name, m in zip(g.names, mesh, strict=True):
        np.testing.assert_array_equal(np.asarray(pts[name]), m.ravel())


def test_axis_dtypes():
    g = G.make_grid({"n": np.arange(3), "x": [1, 2.5]})
    assert g.values[0].dtype.kind == "i"  # integer axes keep their dtype
    assert g.values[1].dtype == np.float64


@pytest.mark.parametrize(
    ("axes", "match"),
    [
        ({}, "at least one axis"),
        ({"x": 1.0}, "1-D array.*fixed parameter"),
        ({"x": np.ones((2, 2))}, "1-D array"),
        ({"x": []}, "empty"),
        ({"x": [1.0, np.nan]}, "finite.*index 1"),
        ({"x": [1j, 2j]}, "real numbers"),
        ({"x": ["a", "b"]}, "real numbers"),
    ],
)
def test_make_grid_rejects(axes, match):
    with pytest.raises(ValueError, match=match):
        G.make_grid(axes)


def test_axis_values():
    np.testing.assert_allclose(G.axis_values(1, 100, 3, "log"), [1, 10, 100], rtol=1e-15)
    np.testing.assert_allclose(G.axis_values(-1, 1, 3), [-1, 0, 1])
    with pytest.raises(ValueError, match="same sign"):
        G.axis_values(0, 1, 3, "log")
    with pytest.raises(ValueError, match="spacing"):
        G.axis_values(0, 1, 3, "cubic")


def test_chunk_plans():
    p = chunking.plan_from_chunk_size(100, 8, 10)
    assert p.chunk == 16 and p.n_chunks == 7 and p.per_device == 2
    assert p.bounds(6) == (96, 100)
    assert chunking.plan_from_chunk_size(10, 8, 1000).chunk == 16  # capped at the padded grid
    p = chunking.plan_from_budget(10_000, 4, 1000.0, 10.0)
    assert p.per_device == 100 and p.chunk == 400
    with pytest.raises(ValueError, match="smaller than one grid point"):
        chunking.plan_from_budget(10, 1, 5.0, 10.0)
    with pytest.raises(ValueError, match="not both"):
        chunking.validate_limits(10, 1e6)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="chunk_size"):
            chunking.validate_limits(bad, None)
    with pytest.raises(ValueError, match="memory_budget"):
        chunking.validate_limits(None, -1.0)
