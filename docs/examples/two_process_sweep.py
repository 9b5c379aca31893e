"""A sweep over two processes on one machine with ``jax.distributed`` (localhost only).

Run it as ``python docs/examples/two_process_sweep.py``: it starts two copies of itself,
process 0 and process 1, each with two CPU devices, that join one JAX job through a
coordinator on ``127.0.0.1``.  Both run the same ``sweep`` of the Mattis–Bardeen σ1(ω, T)
over the 4-device global mesh; each evaluates the points of its own devices and both end
with the full grid.  Process 0 writes ``two_process_sweep.npz`` (``--out DIR``) and checks
the result against a direct call.  ``--bad`` puts one temperature above T_c: both processes
then raise the same ``DomainError`` (no hang, no NaN).

On a cluster the worker part is all you need: start it once per host (``srun``, ``mpirun``)
and call ``distributed.initialize()`` without arguments.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys


def worker(rank: int, n_processes: int, port: int, out: str, bad: bool) -> None:
    """One process of the job: join, sweep, (process 0) write and check."""
    from dissipax.sweep import distributed

    distributed.initialize(f"127.0.0.1:{port}", num_processes=n_processes, process_id=rank)

    import jax
    import numpy as np

    import dissipax as dx
    from dissipax.sweep import evaluate, write_npz

    omega = np.geomspace(1e-3, 0.05, 37)
    T = np.linspace(0.05, 0.9 if bad else 0.2, 11)  # 0.9 > T_c = 0.567 Delta0 with --bad
    try:
        res = evaluate(dx.rf.sigma1_mattis_bardeen, omega=omega, T=T, chunk_size=128)
    except dx.DomainError as exc:
        print(f"process {rank}: DomainError: {exc}", flush=True)
        distributed.shutdown()
        sys.exit(3)
    sigma1 = res.data["sigma1_mattis_bardeen"]
    print(
        f"process {rank}/{jax.process_count()}: {res.attrs['n_devices']} devices, "
        f"{res.attrs['n_chunks']} chunks, grid {sigma1.shape}",
        flush=True,
    )
    if distributed.is_main_process():
        write_npz(res, os.path.join(out, "two_process_sweep.npz"))
        direct = np.asarray(dx.rf.sigma1_mattis_bardeen(omega[:, None], T[None, :]))
        err = float(np.max(np.abs(sigma1 - direct) / np.abs(direct)))
        print(f"max relative difference to a direct call: {err:.2e}", flush=True)
        assert err <= 1e-12, err
    distributed.shutdown()


def launch(n_processes: int, devices: int, out: str, bad: bool, timeout: float) -> int:
    """Start ``n_processes`` workers on 127.0.0.1 with ``devices`` CPU devices each.

    Prints every process's exit code and returns the largest (0: all succeeded).
    """
    with socket.socket() as s:  # a free port for the coordinator
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(
        os.environ,
        JAX_PLATFORMS="cpu",
        XLA_FLAGS=f"--xla_force_host_platform_device_count={devices}",
        DISSIPAX_QUIET="1",
    )
    cmd = [sys.executable, __file__, "--out", out] + (["--bad"] if bad else [])
    procs = [
        subprocess.Popen(
            [*cmd, "--rank", str(r), "--processes", str(n_processes), "--port", str(port)], env=env
        )
        for r in range(n_processes)
    ]
    codes = []
    try:
        for p in procs:
            codes.append(p.wait(timeout=timeout))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    print(f"launcher: exit codes {codes}", flush=True)  # one per process, in rank order
    return max(codes)


def main() -> None:
    """Launch the workers (no --rank) or be one of them."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--devices", type=int, default=2, help="CPU devices per process")
    ap.add_argument("--out", default=".", help="directory of two_process_sweep.npz")
    ap.add_argument("--bad", action="store_true", help="one grid point out of the domain")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per process")
    ap.add_argument("--rank", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rank is None:
        sys.exit(launch(args.processes, args.devices, args.out, args.bad, args.timeout))
    worker(args.rank, args.processes, args.port, args.out, args.bad)


if __name__ == "__main__":
    main()
