"""Hypothesis strategies shared by the robustness tests (physical parameter ranges)."""

from __future__ import annotations

from hypothesis import strategies as st


def log_uniform(lo_exp: float, hi_exp: float):
    """Positive floats 10**u, u uniform in [lo_exp, hi_exp] (decades weighted equally)."""
    return st.floats(lo_exp, hi_exp, allow_nan=False).map(lambda u: 10.0**u)


def signed_log(lo_exp: float, hi_exp: float):
    """±10**u or 0."""
    return st.one_of(
        st.just(0.0),
        st.tuples(st.sampled_from((-1.0, 1.0)), log_uniform(lo_exp, hi_exp)).map(
            lambda t: t[0] * t[1]
        ),
    )


#: values that no physical argument accepts
NON_FINITE = st.sampled_from((float("nan"), float("inf"), float("-inf")))


@st.composite
def hydro_params(draw, entropy_bound: bool = True):
    """Parameters of Eqs. (6)-(7); with ``entropy_bound`` σ_o ≥ α_v² f_s/Ω (physical)."""
    f_s = draw(log_uniform(-3, 3))
    Omega = draw(log_uniform(-3, 3))
    Omega_H = draw(signed_log(-3, 3))
    alpha_v = draw(st.floats(-0.9, 0.9))
    floor = alpha_v**2 * f_s / Omega if entropy_bound else 0.0
    sigma_o = floor * (1 + draw(st.floats(0, 2))) + draw(st.sampled_from((0.0, 1e-3, 1.0)))
    sigma_oH = draw(signed_log(-3, 1))
    return dict(
        f_s=f_s, Omega=Omega, Omega_H=Omega_H, alpha_v=alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )


# --- dissipax.rf (Gurevich 2014; energies, T, omega, s in units of Delta0) -------------------

#: supported pair breaking s, beta_a (dissipax.rf.S_MAX)
RF_S_MAX = 0.25
#: temperatures T/Delta0 of the rf property tests (Boltzmann factors down to e^-100)
RF_T = st.floats(0.01, 0.5)


def rf_spectral_gap(s: float) -> float:
    """Eq. (9) in NumPy float64, the expression dissipax.rf's validators use (bit-identical)."""
    import numpy as np

    s = np.asarray(s, dtype=float)  # a 0-d array: the ufunc path (NumPy scalar pow may differ)
    return float(((1.0 - np.pi * s / 4.0) ** (2.0 / 3.0) - s ** (2.0 / 3.0)) ** 1.5)


#: pair breaking with weight on the branch point s = 0 and on tiny s (the s^(2/3) edge)
#: (no subnormals: XLA on CPU flushes them to 0, so s = 1e-310 IS s = 0 inside the kernels)
RF_S = st.one_of(
    st.just(0.0),
    log_uniform(-12, -3),
    st.floats(0.0, RF_S_MAX, allow_subnormal=False),
    st.just(RF_S_MAX),
)


@st.composite
def rf_omega(draw, s: float = 0.0, lo_exp: float = -8.0):
    """omega log-uniform in [10**lo_exp, 0.999 * 2 eps_g(s)) (below pair-breaking absorption)."""
    import math

    hi = math.log10(0.999 * 2.0 * rf_spectral_gap(s))
    return 10.0 ** draw(st.floats(lo_exp, hi))


@st.composite
def rf_points(draw, k: int, s_max: float = RF_S_MAX, lo_exp: float = -8.0):
    """``k`` valid points (omega, T, s) of Eqs. (4), (10) as three float lists."""
    pts = []
    for _ in range(k):
        s = min(draw(RF_S), s_max)
        pts.append((draw(rf_omega(s, lo_exp)), draw(RF_T), s))
    return tuple(list(c) for c in zip(*pts))
