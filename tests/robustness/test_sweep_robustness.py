"""dissipax.sweep at the edges: invalid axes are named; out-of-domain points raise, not NaN."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dissipax.vortex as vx
from dissipax.sweep import evaluate

from ._strategies import NON_FINITE

BAD_AXES = st.one_of(
    st.just(np.array([])),  # empty
    st.just(np.ones((2, 2))),  # 2-D
    st.just(np.float64(1.0)),  # scalar
    st.just(np.array([1 + 1j, 2.0])),  # complex
    st.just(np.array(["a", "b"])),  # not numeric
    NON_FINITE.map(lambda v: np.array([0.1, v, 0.3])),
)


@given(bad=BAD_AXES, name=st.sampled_from(["omega", "Omega_H"]))
def test_invalid_axis_is_named(bad, name):
    axes = {"omega": np.linspace(0.1, 1, 3), "Omega_H": np.linspace(0, 1, 2), name: bad}
    with pytest.raises(ValueError, match=f"axis '{name}'"):
        evaluate(vx.sigma_xx, fixed={"f_s": 1.0, "Omega": 0.2}, progress=False, **axes)


def test_sweep_matches_direct_evaluation_and_guards_the_domain():
    w, H = np.geomspace(1e-2, 1e2, 7), np.linspace(-2.0, 2.0, 5)
    out = evaluate(
        vx.sigma_xx, omega=w, Omega_H=H, fixed={"f_s": 1.0, "Omega": 0.2}, progress=False
    )
    ref = np.asarray(vx.sigma_xx(w[:, None], 1.0, 0.2, H[None, :]))
    np.testing.assert_allclose(out.data["sigma_xx"], ref, rtol=1e-15)  # same kernel, vmapped
    # an axis value outside sigma_xx's domain (Omega <= 0) raises the run-time guard
    with pytest.raises(Exception, match="argument 'Omega' out of its domain"):
        evaluate(
            vx.sigma_xx,
            omega=w,
            Omega=np.array([0.2, -0.1]),
            fixed={"f_s": 1.0, "Omega_H": 0.5},
            progress=False,
        )
