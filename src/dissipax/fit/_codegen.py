"""How the fit pipeline's compiled solve is generated: fast to compile, or fast to run.

A first fit is dominated by XLA's code generation, not by running it: the 40-point
saturation fit of ``benchmarks/bench_first_fit.py`` runs in about 1 ms once compiled, and
its solve (one ``lax.while_loop``, ~90 fused kernels on CPU) took 1.2–1.4 s to compile with
XLA's default CPU pipeline.  Two XLA options trade run speed for compile speed:

``xla_backend_optimization_level = 0``
    LLVM without its optimisation passes;
``xla_cpu_use_fusion_emitters = False``
    XLA's classic elemental kernel emitter instead of the MLIR fusion emitters.

Measured on this project's 2-core CPU (benchmarks/RESULTS.md, ``python -m benchmarks
--only first_fit``: fresh processes, empty caches, alternating, median of 5, load ≈ 2.5):
the first ``saturation.fit`` takes 0.66 s instead of 1.95 s, the first ``vortex.fit`` of
the README spectrum 1.07 s instead of 2.77 s.  A compiled fit then runs 2–4× slower (the
warm single saturation fit: ~10 → ~20 ms; in an experiment with the same options set
through ``XLA_FLAGS``, a warm 1000-curve batched fit took 0.41 s instead of 0.08 s).
Neither option changes the arithmetic's semantics (no fast-math): the results agree to
rounding.

:func:`choose` therefore picks by the amount of work: on CPU, a solve of at most
:data:`FAST_COMPILE_MAX_JOBS` (fit, start) jobs of a model without loops of its own is
compiled fast (``"fast-compile"``); a larger batch, or a model that iterates (an inner
Newton solve, a quadrature ``scan``: its run time, not its compile time, dominates), gets
XLA's defaults (``"fast-run"``).  So does a solve of more than
:data:`FAST_COMPILE_MAX_RESIDUALS` residuals in all: 20 S21 traces of 2002 complex points
(80k residuals, :func:`dissipax.rf.resonator.fit_s21`) ran in 339 ms warm with fast-compile
code and in 117 ms with XLA's (first call 3.7 s vs 6.4 s; one process each, median of 5).
On GPU and other accelerators the defaults are always used.
``least_squares(..., codegen=...)`` overrides the choice.

A large batch on CPU runs in consecutive chunks of at most :data:`CHUNK_JOBS` jobs (a
``lax.map`` over ``vmap``-ed chunks, :func:`chunk_size`), so that each chunk stops with its
own slowest fit and the per-step working set stays bounded.  Since the solver's loop
carries only a few numbers per fit (:class:`~.solvers.LevenbergMarquardt`: the Gram matrix
of ``[J | r]``, not ``J`` and ``r``), small chunks no longer pay: on the 1000-curve
benchmark (padded to 1024 fits; one process, compiled solve alone, median of 15 calls)
the solve took 35 ms in chunks of 64, 28-32 ms in chunks of 128, 20-23 ms in chunks of
256 and 21-22 ms in one piece; with 4096 fits, chunks of 1024 and one piece were equal
within the noise (87-96 vs 96-104 ms).  Batches up to 1024 jobs therefore run whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import equinox as eqx
import jax

from .._checks import DomainError
from .._precision import x64_enabled

#: XLA options of a fast-compiling (slower-running) executable, CPU only
FAST_COMPILE_OPTIONS = {
    "xla_backend_optimization_level": 0,
    "xla_cpu_use_fusion_emitters": False,
}

#: on CPU, solves of at most this many (fit, start) jobs are compiled fast (module notes)
FAST_COMPILE_MAX_JOBS = 64

#: ... and of at most this many residuals in all (module notes)
FAST_COMPILE_MAX_RESIDUALS = 16384

#: accepted values of the ``codegen`` argument
CODEGEN = ("auto", "fast-compile", "fast-run")


class Compiled:
    """A function jitted twice (lazily): with XLA's defaults and with fast-compile options.

    ``Compiled(fn)(codegen_choice)`` returns the ``eqx.filter_jit`` version to call.  Each
    version keeps its own compilation cache, so alternating between them never recompiles.
    """

    def __init__(self, fn: Callable):
        self.fn = fn
        self.fast_run = eqx.filter_jit(fn)
        self.fast_compile = eqx.filter_jit(fn, compiler_options=FAST_COMPILE_OPTIONS)

    def __call__(self, choice: str) -> Callable:
        """Return the jitted function for ``choice`` (``"fast-compile"`` or ``"fast-run"``)."""
        return self.fast_compile if choice == "fast-compile" else self.fast_run


def _platform(devices) -> str:
    """Platform of the devices a solve runs on (``None``: the default device)."""
    return devices[0].platform if devices else jax.default_backend()


def check_codegen(codegen: str) -> str:
    """Validate the ``codegen`` argument of the fit front ends."""
    if codegen not in CODEGEN:
        raise DomainError(f"argument 'codegen' must be one of {CODEGEN}; got {codegen!r}")
    return codegen


def choose(
    codegen: str, n_jobs: int, devices=None, iterative: bool = False, n_residuals: int = 0
) -> str:
    """Resolve ``codegen`` (``"auto"`` by the module's rule) for ``n_jobs`` jobs on ``devices``.

    ``devices``: the devices the solve is sharded over (``None``: the default device);
    ``iterative``: the model runs loops of its own (:func:`._problem.has_loops`);
    ``n_residuals``: the (padded) residuals of all jobs together — above
    :data:`FAST_COMPILE_MAX_RESIDUALS` the run time of a solve outweighs its compile time.
    """
    if codegen != "auto":
        return codegen
    if (
        _platform(devices) == "cpu"
        and n_jobs <= FAST_COMPILE_MAX_JOBS
        and n_residuals <= FAST_COMPILE_MAX_RESIDUALS
        and not iterative
    ):
        return "fast-compile"
    return "fast-run"


def choose_step(solver, codegen: str, iterative: bool):
    """Resolve ``LevenbergMarquardt(step="auto")`` for a solve compiled as ``codegen``.

    ``"normal"`` (one pass over the data per step, but three evaluations of the model in
    the graph: :class:`~.solvers.LevenbergMarquardt`) where the solve's run time matters
    more than its compile time — optimised code (``"fast-run"``) of a model without loops
    of its own — and in float64 only: the normal equations' rounding grows as
    ``cond(J)²·eps``, already ~1e-1 at ``cond(J) = 1e3`` in float32, where the damped
    loop would end far from the optimum and leave the work to the linearly converging
    polish.  ``"qr"`` otherwise (a small solve, compiled fast; a model whose own loops
    dominate both its run and its compile time; float32).  Solvers without a ``step``
    pass as they are.
    """
    if getattr(solver, "step", None) != "auto":
        return solver
    fast = codegen == "fast-run" and not iterative and x64_enabled()
    step = "normal" if fast else "qr"
    return dataclasses.replace(solver, step=step)


#: (fit, start) jobs per chunk of a large batch on CPU (0: no chunking); see chunk_size
CHUNK_JOBS = 1024


def chunk_size(n_fit: int, n_start: int, devices=None) -> int:
    """Fits per chunk of a batched solve on CPU (0: the whole batch in one vmapped loop).

    The largest power of two that divides ``n_fit`` with at most :data:`CHUNK_JOBS` jobs, when
    the batch is larger; 0 on accelerators, for sharded solves and for small batches.
    """
    if not CHUNK_JOBS or devices or _platform(devices) != "cpu" or n_fit * n_start <= CHUNK_JOBS:
        return 0
    c = max(1, CHUNK_JOBS // n_start)
    c = 1 << (c.bit_length() - 1)  # a power of two
    while n_fit % c:
        c //= 2
    return c if c > 1 else 0


__all__ = [
    "CODEGEN",
    "FAST_COMPILE_MAX_JOBS",
    "FAST_COMPILE_MAX_RESIDUALS",
    "FAST_COMPILE_OPTIONS",
    "CHUNK_JOBS",
    "Compiled",
    "chunk_size",
    "check_codegen",
    "choose",
    "choose_step",
]
