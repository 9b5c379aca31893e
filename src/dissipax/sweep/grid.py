"""The outer-product grid of named 1-D axes, and the map from flat indices to grid points.

A sweep over axes ``a`` (length ``n_a``), ``b`` (``n_b``), ``c`` (``n_c``) has shape
``(n_a, n_b, c)`` with the dims in the order given (the first axis varies slowest, C order).
Point ``k`` of the flattened grid has multi-index ``(k // (n_b n_c), (k // n_c) % n_b,
k % n_c)``; :func:`points` computes it inside compiled code, so only the 1-D axes ever travel
to a device, never the grid.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping

import jax.numpy as jnp
import numpy as np

from .._precision import float_dtype


@dataclasses.dataclass(frozen=True)
class Grid:
    """Named 1-D axes whose outer product is swept.

    Attributes
    ----------
    names
        Axis names, in the order of the dims of the result.
    values
        One 1-D NumPy array per axis (float or integer dtype).
    """

    names: tuple[str, ...]
    values: tuple[np.ndarray, ...]

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the grid: one length per axis."""
        return tuple(len(v) for v in self.values)

    @property
    def size(self) -> int:
        """Number of grid points."""
        return math.prod(self.shape)

    @property
    def strides(self) -> tuple[int, ...]:
        """Flat-index stride of each axis (C order: the last axis varies fastest)."""
        out, s = [], 1
        for n in reversed(self.shape):
            out.append(s)
            s *= n
        return tuple(reversed(out))


def make_grid(axes: Mapping[str, object]) -> Grid:
    """Validate the named axes of a sweep and return a :class:`Grid`.

    Parameters
    ----------
    axes
        ``name -> 1-D array-like`` (at least one element each, finite, real).  Float axes are
        converted to the working float dtype; integer axes keep their integer dtype.

    Raises
    ------
    ValueError
        Naming the axis: no axes, a name that is not an identifier, a scalar or an array of
        more than one dimension, an empty axis, complex/boolean/non-numeric or non-finite values.

    Valid for
        identifier names and 1-D, finite, real, non-empty axes.
    """
    if not axes:
        raise ValueError(
            "sweep needs at least one axis, e.g. sweep(fn, omega=np.linspace(0, 1, 11))"
        )
    names, values = [], []
    for name, raw in axes.items():
        if not name.isidentifier():
            raise ValueError(f"axis name {name!r} is not a valid Python identifier")
        arr = np.asarray(raw)
        if arr.ndim != 1:
            hint = (
                (
                    " (a scalar is a fixed parameter: bind it with functools.partial or pass it "
                    "in fixed=)"
                )
                if arr.ndim == 0
                else ""
            )
            raise ValueError(f"axis {name!r} must be a 1-D array; got shape {arr.shape}{hint}")
        if arr.size == 0:
            raise ValueError(f"axis {name!r} is empty")
        if arr.dtype.kind in "iu":
            pass
        elif arr.dtype.kind == "f":
            arr = arr.astype(float_dtype())
        else:
            raise ValueError(f"axis {name!r} must hold real numbers; got dtype {arr.dtype}")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            bad = int(np.argmax(~np.isfinite(arr)))
            raise ValueError(f"axis {name!r} must be finite; got {arr[bad]!r} at index {bad}")
        names.append(name)
        values.append(arr)
    return Grid(tuple(names), tuple(values))


def axis_values(start: float, stop: float, num: int, spacing: str = "linear") -> np.ndarray:
    """Values of one axis: ``num`` points from ``start`` to ``stop`` inclusive.

    ``spacing="linear"`` is :func:`numpy.linspace`; ``spacing="log"`` is geometric
    (:func:`numpy.geomspace`, so ``start`` and ``stop`` are the end values themselves, not
    their logarithms) and needs ``start`` and ``stop`` of the same sign, both non-zero.

    Valid for
        num ≥ 1; spacing='log' needs non-zero start and stop of the same sign.
    """
    if num < 1:
        raise ValueError(f"num must be >= 1; got {num}")
    if spacing == "linear":
        return np.linspace(start, stop, num)
    if spacing == "log":
        if start == 0 or stop == 0 or (start > 0) != (stop > 0):
            raise ValueError(
                f"log spacing needs non-zero start and stop of the same sign; "
                f"got start={start!r}, stop={stop!r}"
            )
        return np.geomspace(start, stop, num)
    raise ValueError(f"spacing must be 'linear' or 'log'; got {spacing!r}")


def points(idx: jnp.ndarray, grid: Grid, axes: tuple[jnp.ndarray, ...]) -> dict[str, jnp.ndarray]:
    """Coordinates of the grid points with flat indices ``idx`` (traceable).

    Parameters
    ----------
    idx
        Integer array of flat indices into the grid (C order), any shape.
    grid
        The grid (static: only its shape and names are used).
    axes
        The axis values as (device) arrays, in ``grid.names`` order.

    Returns
    -------
    dict
        ``name -> array`` of the shape of ``idx``.

    Valid for
        integer indices in [0, grid.size); traceable.
    """
    return {
        name: ax[(idx // stride) % n]
        for name, ax, stride, n in zip(grid.names, axes, grid.strides, grid.shape, strict=True)
    }
