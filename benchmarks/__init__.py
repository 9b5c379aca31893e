"""dissipax benchmarks: dissipax against SciPy / NumPy / lmfit references, side by side.

Run them all with ``python -m benchmarks`` (or ``make bench``); ``--only NAME`` runs one
module (``--only sweep`` or ``--only bench_sweep``), ``--quick`` shrinks every workload.

Writing a benchmark
-------------------
Add a module ``benchmarks/bench_<name>.py`` with a function ``run() -> list[dict]`` (it may
also accept ``quick: bool``; the runner passes it when it does, and sets the environment
variable ``DISSIPAX_BENCH_QUICK=1`` either way).  Each dict is one row of the table:

``workload``     what was computed (size included), e.g. ``"sigma_xx, 1e6 frequencies"``;
``dissipax_s``   wall time of the dissipax computation after compilation [s];
``reference_s``  wall time of the reference (SciPy quad / NumPy / lmfit) on the same work [s];
``ratio``        ``reference_s / dissipax_s`` (> 1: dissipax is faster);
``error``        max deviation from the reference (say which norm in ``notes``);
``compile_s``    compilation time of the dissipax computation [s];
``device``       the device it ran on (:func:`device_name`);
``notes``        anything a reader needs (norm of the error, sizes, what the reference is).

Missing keys are filled with ``None``; :func:`row` builds a complete dict (extra keys a
module adds are kept by the module, dropped from the table).  Helpers here: :func:`is_quick`,
:func:`best_time`, :func:`warm_time`, :func:`alternating`, :func:`compile_time`,
:func:`device_name`, and :func:`main`, which makes a module runnable alone
(``python -m benchmarks.bench_<name> [--quick]``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

KEYS = ("workload", "dissipax_s", "reference_s", "ratio", "error", "compile_s", "device", "notes")


def is_quick() -> bool:
    """Whether the runner asked for the small (``--quick``) workloads."""
    return os.environ.get("DISSIPAX_BENCH_QUICK", "0") == "1"


def device_name() -> str:
    """The JAX device(s) in use, e.g. ``"NVIDIA H100 80GB HBM3 (gpu) x1"`` or ``"cpu (cpu) x1"``."""
    import jax

    devs = jax.devices()
    return f"{devs[0].device_kind} ({devs[0].platform}) x{len(devs)}"


def _block(x: Any) -> Any:
    import jax

    return jax.block_until_ready(x)


def best_time(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    """Best wall time of ``fn()`` over ``repeat`` calls (JAX results awaited); and its result."""
    best, out = float("inf"), None
    for _ in range(max(repeat, 1)):
        t0 = time.perf_counter()
        out = _block(fn())
        best = min(best, time.perf_counter() - t0)
    return best, out


def warm_time(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Time a first (compiling) call of ``fn()``, then the best of ``repeat`` warm calls.

    Returns (best warm seconds, compile seconds = first call minus the best warm call, the
    result).  For work that is not one jitted function (validation, dispatch and internal
    ``jit`` caches included); a jitted function can use :func:`compile_time` instead.
    """
    first, _ = best_time(fn, 1)
    best, out = best_time(fn, repeat)
    return best, max(first - best, 0.0), out


def alternating(ours: Callable[[], Any], theirs: list[Callable[[], Any]]) -> dict[str, Any]:
    """Side by side on a loaded machine: one call of ``ours``, then one reference chunk, in turn.

    ``theirs`` are the reference's chunks (round ``k`` runs ``ours()`` then ``theirs[k]()``).
    Returns ``ours_s``, ``theirs_s`` (lists of wall seconds per round), ``ours_cpu``,
    ``theirs_cpu`` (process CPU seconds, all threads), ``ours_out`` (the last result) and
    ``theirs_out`` (the chunks' results), and the load average before and after.
    """
    res: dict[str, Any] = {"ours_s": [], "theirs_s": [], "ours_cpu": [], "theirs_cpu": []}
    res["load"] = [os.getloadavg()[0]]
    res["theirs_out"] = []
    for chunk in theirs:
        c0, t0 = time.process_time(), time.perf_counter()
        res["ours_out"] = _block(ours())
        res["ours_s"].append(time.perf_counter() - t0)
        res["ours_cpu"].append(time.process_time() - c0)
        c0, t0 = time.process_time(), time.perf_counter()
        res["theirs_out"].append(chunk())
        res["theirs_s"].append(time.perf_counter() - t0)
        res["theirs_cpu"].append(time.process_time() - c0)
    res["load"].append(os.getloadavg()[0])
    return res


def compile_time(jitted, *args, **kwargs) -> tuple[float, Any]:
    """Time ``jitted.lower(*args, **kwargs).compile()``; return (seconds, compiled)."""
    t0 = time.perf_counter()
    compiled = jitted.lower(*args, **kwargs).compile()
    return time.perf_counter() - t0, compiled


def row(
    workload: str,
    dissipax_s: float | None,
    reference_s: float | None = None,
    error: float | None = None,
    compile_s: float | None = None,
    notes: str = "",
    device: str | None = None,
) -> dict[str, Any]:
    """One table row with ``ratio = reference_s / dissipax_s`` and the current device."""
    ratio = (
        reference_s / dissipax_s
        if reference_s is not None and dissipax_s not in (None, 0)
        else None
    )
    return {
        "workload": workload,
        "dissipax_s": dissipax_s,
        "reference_s": reference_s,
        "ratio": ratio,
        "error": error,
        "compile_s": compile_s,
        "device": device or device_name(),
        "notes": notes,
    }


def main(run: Callable[..., list[dict[str, Any]]], argv: list[str] | None = None) -> None:
    """Run one benchmark module's ``run`` from the command line and print its rows.

    ``--quick`` (in ``argv``, default ``sys.argv[1:]``) asks for the small workloads, as
    ``python -m benchmarks --quick`` does.  Extra keys a module adds are listed under the
    table, one line a row.
    """
    import sys

    from benchmarks.__main__ import table

    argv = sys.argv[1:] if argv is None else argv
    if "--quick" in argv:
        os.environ["DISSIPAX_BENCH_QUICK"] = "1"
    os.environ.setdefault("DISSIPAX_QUIET", "1")
    rows = run(quick=is_quick())
    print(f"{device_name()}{' (quick)' if is_quick() else ''}")
    print(table(rows))
    for r in rows:
        extra = {k: v for k, v in r.items() if k not in KEYS}
        if extra:
            print(f"{r['workload']}: " + ", ".join(f"{k}={v}" for k, v in extra.items()))
