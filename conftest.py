"""Configuration of every pytest run in this repository (tests/ and notebooks/).

The suite compiles with XLA's fast-compile CPU options, the ones that
:mod:`dissipax.fit._codegen` uses for small fits (LLVM without its optimisation passes, the
classic elemental kernel emitter).  The tests check numbers and behaviour, not XLA's
optimiser, and most of their time is compilation: on ``tests/rf/test_conductivity.py`` and
``tests/rf_surface/test_alpha_fit.py`` the process CPU time falls from 73 s to 32 s.
Neither option changes the arithmetic's semantics (no fast-math), so every tolerance
stands.  The options reach the subprocesses (notebook kernels, the multi-process tests)
through ``XLA_FLAGS``; a test that sets its own ``XLA_FLAGS`` for a subprocess keeps XLA's
defaults there.  ``DISSIPAX_TEST_XLA_DEFAULT=1`` runs the suite with XLA's default
pipeline instead; the benchmarks (benchmarks/) always measure the default code.
"""

import os

_FAST_COMPILE = ("--xla_backend_optimization_level=0", "--xla_cpu_use_fusion_emitters=false")

if os.environ.get("DISSIPAX_TEST_XLA_DEFAULT", "") != "1":
    _flags = os.environ.get("XLA_FLAGS", "")
    if "xla_backend_optimization_level" not in _flags:
        os.environ["XLA_FLAGS"] = " ".join([_flags, *_FAST_COMPILE]).strip()
