"""Memory-bounded chunking: how many grid points one compiled call evaluates.

The flattened grid is cut into equal chunks (the last one padded by repeating the final
point, its padding discarded), so every chunk runs the same compiled program.  A chunk is a
multiple of the device count: each device evaluates ``chunk // n_devices`` points per call.

The user fixes the chunk either directly (``chunk_size=`` points) or through a memory budget
(``memory_budget=`` bytes per device).  For a budget, the bytes one point needs are measured,
not guessed: a probe chunk is compiled and XLA's own memory analysis of it (arguments +
outputs + temporaries, per device) divided by its points per device.  That includes every
intermediate of the function (quadrature nodes × points, say), and it over-estimates slightly
because fixed costs are spread over the probe's points, so the budget is kept.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

#: Default memory budget per device when neither ``chunk_size`` nor ``memory_budget`` is given.
DEFAULT_MEMORY_BUDGET = 256 * 2**20
#: Points per device in the probe compiled to measure the memory one point needs.
PROBE_POINTS_PER_DEVICE = 1024


@dataclasses.dataclass(frozen=True)
class ChunkPlan:
    """How a grid of ``n_points`` is evaluated.

    Attributes
    ----------
    n_points
        Points in the grid.
    chunk
        Points per compiled call (a multiple of ``n_devices``).
    n_devices
        Devices the chunk is sharded over.
    bytes_per_point
        Measured device memory per point (``None`` when ``chunk_size`` was given directly).
    """

    n_points: int
    chunk: int
    n_devices: int
    bytes_per_point: float | None = None

    @property
    def n_chunks(self) -> int:
        """Number of compiled calls."""
        return math.ceil(self.n_points / self.chunk)

    @property
    def per_device(self) -> int:
        """Points each device evaluates per call."""
        return self.chunk // self.n_devices

    def bounds(self, k: int) -> tuple[int, int]:
        """Flat-index range ``[start, stop)`` of the valid points of chunk ``k``."""
        start = k * self.chunk
        return start, min(start + self.chunk, self.n_points)


def _round_up(n: int, m: int) -> int:
    return -(-n // m) * m


def full_chunk(n_points: int, n_devices: int) -> int:
    """Return the smallest multiple of ``n_devices`` holding the whole grid."""
    return _round_up(n_points, n_devices)


def validate_limits(chunk_size: int | None, memory_budget: float | None) -> None:
    """Check the user's ``chunk_size`` / ``memory_budget`` (at most one, each positive)."""
    if chunk_size is not None and memory_budget is not None:
        raise ValueError("give chunk_size= or memory_budget=, not both")
    if chunk_size is not None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ValueError(
                f"chunk_size must be a positive integer (points per call); got {chunk_size!r}"
            )
    if memory_budget is not None:
        if isinstance(memory_budget, bool) or not (
            isinstance(memory_budget, (int, float))
            and math.isfinite(memory_budget)
            and memory_budget > 0
        ):
            raise ValueError(
                f"memory_budget must be a positive number of bytes per device; "
                f"got {memory_budget!r}"
            )


def plan_from_chunk_size(n_points: int, n_devices: int, chunk_size: int) -> ChunkPlan:
    """Plan with ``chunk_size`` points per call, rounded up to a multiple of the device count."""
    chunk = min(_round_up(chunk_size, n_devices), full_chunk(n_points, n_devices))
    return ChunkPlan(n_points, chunk, n_devices)


def plan_from_budget(
    n_points: int, n_devices: int, memory_budget: float, bytes_per_point: float
) -> ChunkPlan:
    """Plan the largest chunk whose per-device memory fits in ``memory_budget`` bytes.

    Raises
    ------
    ValueError
        If not even one point per device fits in the budget.
    """
    per_device = int(memory_budget // bytes_per_point)
    if per_device < 1:
        raise ValueError(
            f"memory_budget={memory_budget:.4g} bytes is smaller than one grid "
            f"point needs ({bytes_per_point:.4g} bytes per point per device)"
        )
    chunk = min(per_device * n_devices, full_chunk(n_points, n_devices))
    return ChunkPlan(n_points, chunk, n_devices, bytes_per_point)


def bytes_per_point(compiled, points_per_device: int) -> float:
    """Device memory per point of a compiled chunk, from XLA's memory analysis.

    ``compiled`` is a :class:`jax.stages.Compiled` evaluating ``points_per_device`` points on
    each device.  Arguments, outputs and temporaries count; generated code does not.
    """
    stats = compiled.memory_analysis()
    if stats is None:  # pragma: no cover - backends without memory analysis
        raise RuntimeError(
            "this JAX backend reports no memory analysis; give chunk_size= "
            "instead of memory_budget="
        )
    total = (
        stats.argument_size_in_bytes
        + stats.output_size_in_bytes
        + stats.temp_size_in_bytes
        - stats.alias_size_in_bytes
    )
    return max(float(total), 1.0) / points_per_device


def plan(
    n_points: int,
    n_devices: int,
    *,
    chunk_size: int | None,
    memory_budget: float | None,
    compile_chunk: Callable[[int], object],
) -> tuple[ChunkPlan, dict[int, object]]:
    """Choose the chunk for a grid; return the plan and the programs compiled on the way.

    Parameters
    ----------
    n_points, n_devices
        Grid size and device count.
    chunk_size, memory_budget
        The user's limit (at most one; neither means ``memory_budget=DEFAULT_MEMORY_BUDGET``).
    compile_chunk
        ``chunk -> Compiled``; called for the probe when a budget must be measured.

    Returns
    -------
    (ChunkPlan, dict)
        The plan, and ``{chunk: Compiled}`` for programs already compiled (the probe), so the
        caller does not compile the same chunk twice.
    """
    validate_limits(chunk_size, memory_budget)
    if chunk_size is not None:
        return plan_from_chunk_size(n_points, n_devices, chunk_size), {}
    budget = DEFAULT_MEMORY_BUDGET if memory_budget is None else memory_budget
    probe = PROBE_POINTS_PER_DEVICE * n_devices
    if full_chunk(n_points, n_devices) <= probe and memory_budget is None:
        # the whole grid is smaller than the probe: one call, nothing to measure
        return ChunkPlan(n_points, full_chunk(n_points, n_devices), n_devices), {}
    probe = min(probe, full_chunk(n_points, n_devices))
    compiled = compile_chunk(probe)
    bpp = bytes_per_point(compiled, probe // n_devices)
    return plan_from_budget(n_points, n_devices, budget, bpp), {probe: compiled}
