"""The notch S21 model against an independent NumPy form of Probst et al. (2015), Eq. (1)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from dissipax._checks import DomainError
from dissipax.rf import resonator as rs

P = dict(fr=7.7182e9, Ql=6.0e4, Qc=9.0e4, phi=0.35, a=0.3, alpha=-1.2, tau=55e-9)
F_REF = 7.7e9


def probst_numpy(f, fr, Ql, Qc, phi, a, alpha, tau, f_ref):
    """Eq. (1) written with the complex Qc_hat = |Qc| e^{-i phi}, over a common denominator."""
    qc_hat = Qc * np.exp(-1j * phi)
    x = 2j * Ql * (f - fr) / fr
    env = a * np.exp(1j * alpha) * np.exp(-2j * np.pi * (f - f_ref) * tau)
    return env * (1.0 + x - Ql / qc_hat) / (1.0 + x)


def test_model_matches_independent_numpy():
    f = np.linspace(7.71e9, 7.726e9, 1001)
    got = np.asarray(rs.notch_s21(f, **P, f_ref_Hz=F_REF))
    want = probst_numpy(f, **P, f_ref=F_REF)
    # the same expression in a different algebraic form: rounding only (1e-13 relative)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_on_resonance_closed_form():
    """phi = 0, no environment: S21(fr) = 1 - Ql/Qc = Ql/Qi (the textbook notch depth)."""
    Ql, Qc = 4e4, 1e5
    s = complex(rs.notch_s21(5e9, fr=5e9, Ql=Ql, Qc=Qc))
    Qi = float(rs.internal_q(Ql, Qc, 0.0))
    assert abs(s - Ql / Qi) < 1e-14 and abs(s - (1 - Ql / Qc)) < 1e-14


def test_qi_convention_round_trip():
    Qi = float(rs.internal_q(P["Ql"], P["Qc"], P["phi"]))
    assert Qi == pytest.approx(1 / (1 / P["Ql"] - np.cos(P["phi"]) / P["Qc"]), rel=1e-15)
    assert float(rs.loaded_q(Qi, P["Qc"], P["phi"])) == pytest.approx(P["Ql"], rel=1e-13)
    assert float(rs.coupling_q_real(P["Qc"], P["phi"])) == pytest.approx(
        P["Qc"] / np.cos(P["phi"]), rel=1e-15
    )


def _loss(p, f):
    # distance to a fixed trace (other parameters): depends on every parameter, phases too
    ref = probst_numpy(np.asarray(f), **dict(P, fr=P["fr"] + 4e4, alpha=-1.0), f_ref=F_REF)
    return jnp.sum(jnp.abs(rs.notch_s21(f, **p, f_ref_Hz=F_REF) - ref) ** 2)


def test_gradients_finite_and_match_finite_differences():
    f = np.linspace(P["fr"] - 3e5, P["fr"] + 3e5, 61)
    p = {k: jnp.asarray(v) for k, v in P.items()}
    g = jax.grad(_loss)(p, f)
    for k in P:
        assert np.isfinite(float(g[k])), k
        # steps well inside the linewidth fr/Ql (2e-5 fr) and the span of phases
        h = (1e-10 if k == "fr" else 1e-6) * abs(P[k])
        up = dict(p, **{k: p[k] + h})
        dn = dict(p, **{k: p[k] - h})
        fd = (float(_loss(up, f)) - float(_loss(dn, f))) / (2 * h)
        # central differences: truncation ~h^2 (1e-12 relative), rounding ~1e-10
        assert float(g[k]) == pytest.approx(fd, rel=1e-5, abs=1e-9 * abs(fd) + 1e-12), k


def test_vmap_over_parameters():
    f = jnp.linspace(7.71e9, 7.726e9, 11)
    frs = jnp.array([7.717e9, 7.718e9, 7.719e9])
    out = jax.vmap(lambda fr: rs.notch_s21(f, **dict(P, fr=fr)))(frs)
    ref = np.stack([probst_numpy(np.asarray(f), **dict(P, fr=float(x)), f_ref=0.0) for x in frs])
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-12)


@pytest.mark.parametrize("name", ["fr", "Ql", "Qc", "a"])
def test_non_positive_parameters_rejected(name):
    with pytest.raises(DomainError, match=f"argument '{name}'"):
        rs.notch_s21(7.7e9, **dict(P, **{name: -1.0}))


def test_jit_matches_eager():
    f = jnp.linspace(7.71e9, 7.726e9, 21)
    fn = jax.jit(lambda fr, Ql: rs.notch_s21(f, **dict(P, fr=fr, Ql=Ql)))
    np.testing.assert_allclose(
        np.asarray(fn(P["fr"], P["Ql"])), np.asarray(rs.notch_s21(f, **P)), rtol=1e-14
    )
