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
