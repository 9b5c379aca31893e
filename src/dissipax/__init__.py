"""dissipax: differentiable physics of dissipation and transport in superconductors.

Three theories, each as jit-compiled, differentiable JAX functions, and one fitting engine:

* :mod:`dissipax.vortex` — vortex hydrodynamics (Delacrétaz & Hartnoll, PRB 97, 220506 (2018));
* :mod:`dissipax.saturation` — saturating resistance of failed insulators / superconductors
  (Zhang, Palevski & Kapitulnik 2022);
* :mod:`dissipax.rf` — nonlinear microwave conductivity and surface resistance
  (Gurevich, PRL 113, 087001 (2014));
* :mod:`dissipax.fit` — least squares, uncertainties, batched fits and posteriors;
* :mod:`dissipax.sweep` — grids over field × frequency × temperature on all devices;
* :mod:`dissipax.datasets` — the measured data sets, checksum-verified (pooch).

Importing dissipax turns on JAX's float64 mode (the physics needs it).  Set the
environment variable ``DISSIPAX_X64=0`` before the import to keep float32.  It also turns
on JAX's persistent compilation cache (``~/.cache/dissipax/jax``; ``DISSIPAX_JAX_CACHE``
moves it, ``DISSIPAX_JAX_CACHE=0`` turns it off): compiled fits are reused across
processes.  The subpackages are imported on first use (``dx.rf``, ``import dissipax.rf``,
``from dissipax import rf``), so a saturation fit does not pay for importing the rf physics.
"""

from . import _cache, _precision

_precision.configure()
_cache.enable()

import importlib  # noqa: E402

from ._checks import DomainError  # noqa: E402
from ._precision import float_dtype, x64_enabled  # noqa: E402

__version__ = "0.1.0"

#: subpackages, imported on first use (``dx.rf``, ``import dissipax.rf``): a saturation
#: fit does not pay for importing the rf physics, SciPy's optimisers or the posteriors
_SUBMODULES = frozenset(
    {"config", "datasets", "fit", "io", "plot", "rf", "saturation", "sweep", "units", "vortex"}
)


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'dissipax' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES)


__all__ = [
    "DomainError",
    "config",
    "datasets",
    "fit",
    "float_dtype",
    "io",
    "rf",
    "saturation",
    "sweep",
    "units",
    "vortex",
    "x64_enabled",
]
