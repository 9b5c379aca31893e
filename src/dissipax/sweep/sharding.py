"""Sharding a chunk of grid points over devices with ``jax.sharding``.

The devices form a 1-D :class:`jax.sharding.Mesh` with axis ``"points"``.  A chunk of
``chunk`` consecutive flat indices is split into equal contiguous blocks, one per device
(``NamedSharding(mesh, P("points"))``); the 1-D axes and the chunk's start index are
replicated (``NamedSharding(mesh, P())``).  Each device computes its own flat indices from
:func:`jax.lax.axis_index` under :func:`jax.shard_map`, so the points never cross devices
and the function runs without any collective communication.  With ``jax.distributed``
initialised the mesh spans the devices of every process and the same program runs on all of
them (single program, multiple data); results are gathered with
:func:`jax.experimental.multihost_utils.process_allgather`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding
from jax.sharding import PartitionSpec as P

from .grid import Grid, points

AXIS = "points"


def make_mesh(devices: Sequence[jax.Device] | None = None) -> Mesh:
    """Build a 1-D mesh ``"points"`` over ``devices`` (default: all devices of all processes)."""
    devs = list(jax.devices() if devices is None else devices)
    if not devs:
        raise ValueError("no devices to sweep on")
    return Mesh(np.array(devs), (AXIS,))


def replicate(x: np.ndarray, mesh: Mesh) -> jax.Array:
    """Put host array ``x`` on every device of ``mesh`` (works across processes)."""
    x = np.asarray(x)
    sharding = NamedSharding(mesh, P())
    return jax.make_array_from_callback(x.shape, sharding, lambda index: x[index])


def chunk_program(fn: Callable, grid: Grid, mesh: Mesh, chunk: int) -> Callable:
    """Build the jitted program evaluating ``fn`` on ``chunk`` consecutive grid points.

    The program maps ``(start, *axes) -> pytree of (chunk,) arrays``: the outputs of ``fn`` at
    flat indices ``start, start + 1, ...``; indices past the grid are clamped to its last
    point (padding, discarded by the caller).  The outputs are sharded over ``mesh``.
    """
    n_dev = mesh.devices.size
    if chunk % n_dev:
        raise ValueError(f"chunk {chunk} is not a multiple of the {n_dev} devices")
    local = chunk // n_dev
    last = grid.size - 1

    def block(start, offset, axes):
        idx = start + offset + jnp.arange(local, dtype=start.dtype)
        idx = jnp.minimum(idx, last)
        return jax.vmap(lambda p: fn(**p))(points(idx, grid, axes))

    if n_dev == 1:

        def program(start, *axes):
            return block(start, jnp.zeros((), start.dtype), axes)

        return jax.jit(program, out_shardings=NamedSharding(mesh, P(AXIS)))

    def per_device(start, *axes):
        offset = jax.lax.axis_index(AXIS).astype(start.dtype) * local
        return block(start, offset, axes)

    sharded = jax.shard_map(per_device, mesh=mesh, in_specs=P(), out_specs=P(AXIS))
    return jax.jit(sharded, out_shardings=NamedSharding(mesh, P(AXIS)))


def index_dtype(n_points: int) -> np.dtype:
    """Integer dtype of flat indices: int32 when the grid allows (faster), else int64.

    Grids of 2**31 points or more need x64 (on by default in dissipax).
    """
    if n_points < 2**31:
        return np.dtype(np.int32)
    if not jax.config.read("jax_enable_x64"):
        raise ValueError(
            f"a grid of {n_points} points needs 64-bit indices: "
            "turn on x64 (unset DISSIPAX_X64=0) or sweep in parts"
        )
    return np.dtype(np.int64)


def to_host(x: jax.Array) -> np.ndarray:
    """Gather a (possibly multi-process) sharded array into one NumPy array on this host."""
    if x.is_fully_addressable:
        return np.asarray(x)
    from jax.experimental import multihost_utils

    return np.asarray(multihost_utils.process_allgather(x, tiled=True))
