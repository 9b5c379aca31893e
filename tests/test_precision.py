import os
import subprocess
import sys

import jax.numpy as jnp
import numpy as np

import dissipax
from dissipax import _precision


def test_x64_on_by_default():
    assert dissipax.x64_enabled()
    assert dissipax.float_dtype() == np.float64
    assert _precision.complex_dtype() == np.complex128
    assert _precision.eps() == np.finfo(np.float64).eps
    assert jnp.asarray(1.0).dtype == jnp.float64
    assert _precision.asarray(1).dtype == jnp.float64
    assert _precision.asarray(1j).dtype == jnp.complex128


def test_opt_out_keeps_float32():
    code = (
        "import dissipax, jax.numpy as jnp, numpy as np;"
        "assert not dissipax.x64_enabled();"
        "assert dissipax.float_dtype() == np.float32;"
        "assert jnp.asarray(1.0).dtype == jnp.float32;"
        "print('ok')"
    )
    env = dict(os.environ, DISSIPAX_X64="0", JAX_ENABLE_X64="0")
    r = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
