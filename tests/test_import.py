import subprocess
import sys


def test_import_does_no_jax_computation():
    # jax.distributed.initialize() must run before the XLA backend starts, so importing
    # dissipax (all subpackages) must not compute anything with JAX at import time.
    code = (
        "import jax._src.xla_bridge as xb, dissipax, dissipax.rf, dissipax.fit;"
        "assert not xb._backends, 'the XLA backend was initialised at import';"
        "assert dissipax.x64_enabled(); print('ok')"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
