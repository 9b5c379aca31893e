"""Sweeps across several hosts with JAX's own distributed runtime (``jax.distributed``).

There is no dissipax scheduler: every host runs the *same* Python script, calls
:func:`initialize` once before any other JAX work, and then the same ``sweep(...)``.  The
mesh of :mod:`dissipax.sweep.sharding` then spans the devices of all processes, each process
evaluates the points of its own devices, and the results are all-gathered so every process
holds the full grid (write files from :func:`is_main_process` only).

On SLURM, Open MPI and Cloud TPU, :func:`jax.distributed.initialize` finds the coordinator,
process count and process id by itself; elsewhere pass them (or set ``JAX_COORDINATOR_ADDRESS``,
``JAX_NUM_PROCESSES``, ``JAX_PROCESS_ID``).  See ``docs/sweeps.md``.
"""

from __future__ import annotations

from collections.abc import Sequence

import jax


def initialize(
    coordinator_address: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
    *,
    local_device_ids: Sequence[int] | None = None,
    cpu_collectives: str | None = "gloo",
) -> None:
    """Join this process to a multi-process JAX job (call before any other JAX computation).

    A thin wrapper of :func:`jax.distributed.initialize` that also picks a collectives
    implementation for CPU-only processes (so that results can be gathered across hosts
    without GPUs).  Arguments left ``None`` are auto-detected by JAX (SLURM, Open MPI, TPU) or
    read from the ``JAX_*`` environment variables.

    Parameters
    ----------
    coordinator_address
        ``"host:port"`` of process 0, reachable from every process.
    num_processes
        Total number of processes in the job.
    process_id
        This process's rank, ``0 <= process_id < num_processes``.
    local_device_ids
        Restrict this process to these local device ids (one GPU per process, say).
    cpu_collectives
        ``"gloo"`` (default) or ``"mpi"``: how CPU devices of different processes exchange
        data; ``None`` leaves JAX's setting untouched.  Irrelevant to GPU/TPU devices.

    Valid for
        multi-host runs, called once per process before any JAX computation.
    """
    if cpu_collectives is not None:
        jax.config.update("jax_cpu_collectives_implementation", cpu_collectives)
    jax.distributed.initialize(
        coordinator_address=coordinator_address,
        num_processes=num_processes,
        process_id=process_id,
        local_device_ids=local_device_ids,
    )


def is_main_process() -> bool:
    """Whether this is process 0 (the one that writes files in a multi-process sweep).

    Valid for
        always.
    """
    return jax.process_index() == 0


def shutdown() -> None:
    """Leave the multi-process job (:func:`jax.distributed.shutdown`).

    Valid for
        after initialize(); a no-op otherwise.
    """
    jax.distributed.shutdown()
