import subprocess
import sys


def _prints_ok(code: str) -> None:
    """Run ``code`` in a fresh interpreter; it must exit 0 and print ``ok``."""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_import_does_no_jax_computation():
    # jax.distributed.initialize() must run before the XLA backend starts, so importing
    # dissipax (all subpackages) must not compute anything with JAX at import time.
    code = (
        "import jax._src.xla_bridge as xb, dissipax, dissipax.rf, dissipax.fit;"
        "assert not xb._backends, 'the XLA backend was initialised at import';"
        "assert dissipax.x64_enabled(); print('ok')"
    )
    _prints_ok(code)


def test_subpackages_are_imported_on_first_use():
    # `import dissipax` alone does not import the physics subpackages (a saturation fit
    # does not pay for the rf physics); attribute access and `from dissipax import rf`
    # import them; unknown names raise AttributeError.
    code = (
        "import sys, dissipax as dx;"
        "assert 'dissipax.rf' not in sys.modules and 'dissipax.saturation' not in sys.modules;"
        "assert callable(dx.saturation.fit) and 'dissipax.rf' not in sys.modules;"
        "from dissipax import rf; assert rf is dx.rf and callable(rf.sigma1_mattis_bardeen);"
        "assert callable(dx.fit.minimize) and 'rf' in dir(dx);"
        "import pytest;"
        "pytest.raises(AttributeError, getattr, dx, 'nonexistent'); print('ok')"
    )
    _prints_ok(code)
