"""Domain checks and run-time guards of dissipax.rf (issue #10).

(a) invalid concrete input -> DomainError naming the argument (hypothesis over invalid values);
(b) values known only at run time (inside jit / vmap) -> the eqx.error_if guard fires with
    "argument 'NAME' out of its domain at run time";
(c) a frequency in Hz or GHz passed as omega (or kelvin as T, GHz as f_Hz) -> a message that
    names the expected unit;
(d) complex and non-broadcasting input rejected.

Every invalid call fails in the validation layer, before anything is compiled, so (a), (c), (d)
are cheap.  (b) compiles each kernel once (small node counts) and reuses the compiled function
for every bad argument; the slowest kernels (physical front ends) are under ``--slow``.
"""

from __future__ import annotations

import re

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dissipax.rf as rf
from dissipax._checks import DomainError
from dissipax.rf import surface
from dissipax.rf.cavity_data import Ramp
from dissipax.rf.overheating import status_message

from ._strategies import NON_FINITE, log_uniform

T_C = rf.T_C
NEG = log_uniform(-3, 3).map(lambda v: -v)  # strictly negative


def _above(x, top=1e6):
    """Values >= x (x itself included: the bound is exclusive where this is used)."""
    return st.one_of(st.just(float(x)), st.floats(float(x), float(top), allow_nan=False))


def _bad(*extra):
    return st.one_of(NON_FINITE, *extra)


# --- natural-unit arguments ------------------------------------------------------------------

OMEGA_BAD = _bad(NEG, st.just(0.0), _above(2.0, 1e10))
T_BAD = _bad(NEG, st.just(0.0), _above(T_C, 1e4))
S_BAD = _bad(NEG, st.floats(0.25, 1e3, exclude_min=True))
NONNEG_BAD = _bad(NEG)  # x >= 0 and finite
POS_BAD = _bad(NEG, st.just(0.0))  # x > 0 and finite


def _bad_b(b_max):
    return _bad(NEG, st.floats(b_max, 1e3, exclude_min=True))


def _ramp(**kw):
    base = dict(
        source="/x/a_389MHz_cooldown_2K.txt",
        f_Hz=389e6,
        condition="2K",
        date="",
        cavity="HWR",
        block=0,
        ramp=0,
        Bp_mT=np.array([10.0, 20.0, 30.0]),
        Rs_ohm=np.array([1e-8, 1.1e-8, 1.2e-8]),
        T_K=np.array([2.0, 2.0, 2.0]),
    )
    return Ramp(**{**base, **kw})


def _ramp_with(field):
    """Strategy: a bad value of one Ramp array, as a fit_cavity ramps list."""
    bad = {
        "Bp_mT": _bad(NEG, st.floats(200.0, 1e5, exclude_min=True)),
        "T_K": _bad(NEG, st.just(0.0), _above(T_C * 17.5, 1e4)),
        "Rs_ohm": _bad(NEG, st.just(0.0)),
    }[field]
    return bad.map(lambda v: [_ramp(**{field: np.array([10.0, 20.0, v])})])


def _cavity_kw():
    return dict(
        B_mT=50.0,
        T_K=2.0,
        f_Hz=389e6,
        alpha=0.3,
        Rs0_nOhm=10.0,
        R_res_nOhm=5.0,
        Delta0_K=17.5,
        Bc_mT=200.0,
        T_ref_K=2.0,
        f_ref_Hz=389e6,
    )


def _ratio_fn(T, p):
    return jnp.exp(1.0 / 0.1 - 1.0 / T)


# name -> (callable taking keyword arguments, valid keywords, {argument: invalid strategy}).
# The message must name the argument as the key spells it.
CASES = {
    "pairbreaking_gap": (rf.pairbreaking_gap, dict(s=0.1), {"s": S_BAD}),
    "spectral_gap": (rf.spectral_gap, dict(s=0.1), {"s": S_BAD}),
    "dos": (rf.dos, dict(eps=1.2, s=0.1), {"eps": NONNEG_BAD, "s": S_BAD}),
    "usadel_uv": (
        rf.usadel_uv,
        dict(eps=1.2, s=0.1),
        # below eps_g(0.1) = 0.6256 (Eq. 9) or negative
        {"eps": _bad(NEG, st.floats(0.0, 0.6255)), "s": S_BAD},
    ),
    "coherence_factor": (
        rf.coherence_factor,
        dict(delta=0.1, omega=0.01, s=0.1),
        {"delta": NONNEG_BAD, "omega": NONNEG_BAD, "s": S_BAD},
    ),
    "sigma1_mattis_bardeen": (
        rf.sigma1_mattis_bardeen,
        dict(omega=0.01, T=0.1),
        {"omega": OMEGA_BAD, "T": T_BAD},
    ),
    "sigma1_closed_form": (
        rf.sigma1_closed_form,
        dict(omega=0.01, T=0.1),
        {"omega": OMEGA_BAD, "T": T_BAD},
    ),
    "sigma1_low_frequency": (
        rf.sigma1_low_frequency,
        dict(omega=0.01, T=0.1),
        # also omega >= C*T = 0.2246 at T = 0.1 (Eq. 1 turns negative)
        {"omega": _bad(OMEGA_BAD, st.floats(0.2246, 1.99)), "T": T_BAD},
    ),
    "sigma1_dc_biased": (
        rf.sigma1_dc_biased,
        dict(omega=0.01, T=0.1, s=0.2),
        # 2 eps_g(0.2) = 0.8165: pair-breaking absorption
        {"omega": _bad(OMEGA_BAD, st.floats(0.8166, 1.99)), "T": T_BAD, "s": S_BAD},
    ),
    "sigma1_rf": (
        rf.sigma1_rf,
        dict(omega=0.01, T=0.1, beta_a=0.1),
        {"omega": OMEGA_BAD, "T": T_BAD, "beta_a": S_BAD},
    ),
    "surface_beta": (surface.surface_beta, dict(b=0.1), {"b": NONNEG_BAD}),
    "rs_ratio": (
        rf.rs_ratio,
        dict(b=0.1, omega=0.01, T=0.1, T0=0.1),
        {"b": _bad_b(1.0), "omega": OMEGA_BAD, "T": T_BAD, "T0": T_BAD},
    ),
    "solve_overheating": (
        rf.solve_overheating,
        dict(b=0.1, omega=0.01, T0=0.1, alpha=0.5),
        {"b": _bad_b(1.0), "omega": OMEGA_BAD, "T0": T_BAD, "alpha": NONNEG_BAD},
    ),
    "surface_resistance_ratio": (
        rf.surface_resistance_ratio,
        dict(b=0.1, omega=0.01, T0=0.1, alpha=0.5, reading="fig4b"),
        {"b": _bad_b(0.5), "omega": OMEGA_BAD, "T0": T_BAD, "alpha": NONNEG_BAD},
    ),
    "surface_resistance_ohm": (
        rf.surface_resistance_ohm,
        dict(B_mT=50.0, f_Hz=1.3e9, T0_K=2.0, alpha=0.5, R_res_ohm=1e-9, Rs0_ohm=1e-8),
        {
            "B_mT": _bad(NEG, st.floats(200.0, 1e5, exclude_min=True)),
            "f_Hz": _bad(NEG, st.floats(0.0, 999.0), _above(7.3e11, 1e15)),
            "T0_K": _bad(NEG, st.just(0.0), _above(T_C * 17.5, 1e4)),
            "alpha": NONNEG_BAD,
            "R_res_ohm": NONNEG_BAD,
            "Rs0_ohm": NONNEG_BAD,
        },
    ),
    "overheating_alpha": (
        rf.overheating_alpha,
        dict(T0_K=2.0, tau1_s=3e-12, f_Hz=1.75e9, Delta0_K=17.5, Tc_K=9.2),
        {
            "T0_K": _bad(NEG, st.just(0.0), st.floats(9.2, 1e3)),  # also T0 >= Tc
            "tau1_s": POS_BAD,
            "f_Hz": _bad(NEG, st.floats(0.0, 999.0), st.floats(9.4e10, 1e15)),  # log <= 0
            "Delta0_K": POS_BAD,
            "Tc_K": _bad(NEG, st.just(0.0)),
        },
    ),
    "solve_temperature": (
        lambda **kw: rf.solve_temperature(_ratio_fn, (), **kw),
        dict(T0=0.1, k=0.01),
        {
            "T0": POS_BAD,
            "k": NONNEG_BAD,
            "T_max_over_T0": st.one_of(NON_FINITE, st.floats(-10.0, 1.0)),
            "max_steps": st.integers(-5, 0),
        },
    ),
    "runaway_threshold": (
        lambda **kw: rf.runaway_threshold(lambda b: b < 0.3, **kw),
        dict(b_lo=0.0, b_hi=1.0),
        {"b_lo": NONNEG_BAD, "b_hi": _bad(st.floats(-1e3, 0.0)), "n_grid": st.integers(-3, 2)},
    ),
    "cavity_rs_ohm": (
        rf.cavity_rs_ohm,
        _cavity_kw(),
        {
            "B_mT": _bad(NEG, st.floats(200.0, 1e5, exclude_min=True)),
            "T_K": _bad(NEG, st.just(0.0), _above(T_C * 17.5, 1e4)),
            "f_Hz": _bad(NEG, st.floats(0.0, 999.0), _above(7.3e11, 1e15)),
            "alpha": NONNEG_BAD,
            "Rs0_nOhm": NONNEG_BAD,
            "R_res_nOhm": NONNEG_BAD,
            "Delta0_K": POS_BAD,
            "Bc_mT": POS_BAD,
            "T_ref_K": _bad(NEG, st.just(0.0), _above(T_C * 17.5, 1e4)),
            "f_ref_Hz": _bad(NEG, st.floats(0.0, 999.0)),
        },
    ),
    "fit_alpha": (
        rf.fit_alpha,
        dict(b=np.linspace(0.0, 0.3, 5), rs_ratio=np.ones(5), omega=0.01, T0=0.1),
        {
            "b": _bad(NEG, st.floats(1.0, 1e3, exclude_min=True)).map(
                lambda v: np.array([0.0, 0.1, v, 0.2, 0.3])
            ),
            "rs_ratio": POS_BAD.map(lambda v: np.array([1.0, 1.0, v, 1.0, 1.0])),
            "omega": OMEGA_BAD,
            "T0": T_BAD,
            "sigma": POS_BAD,
            "alpha": NONNEG_BAD,
        },
    ),
    "fit_cavity": (
        rf.fit_cavity,
        dict(ramps=[_ramp()]),
        {
            "ramps[0].Bp_mT": _ramp_with("Bp_mT"),
            "ramps[0].T_K": _ramp_with("T_K"),
            "ramps[0].Rs_ohm": _ramp_with("Rs_ohm"),
            "rel_error": POS_BAD,
            "alpha": _bad(NEG, st.floats(20.0, 1e3, exclude_min=True)),
            "T_ref_K": _bad(NEG, st.just(0.0), _above(T_C * 17.5, 1e4)),
            "f_ref_Hz": _bad(NEG, st.floats(0.0, 999.0)),
        },
    ),
    "niobium": (
        rf.niobium,
        dict(),
        {k: POS_BAD for k in ("Delta0_K", "Tc_K", "Bc_T", "lambda_m", "sigma_n_S_m")},
    ),
    "Superconductor.omega": (rf.NIOBIUM.omega, dict(f_Hz=1e9), {"f_Hz": NONNEG_BAD}),
    "Superconductor.temperature": (
        rf.NIOBIUM.temperature,
        dict(T_K=2.0),
        {"T_K": NONNEG_BAD},
    ),
    "Superconductor.field": (rf.NIOBIUM.field, dict(B_mT=50.0), {"B_mT": NONNEG_BAD}),
    "Superconductor.rs_prefactor_ohm": (
        rf.NIOBIUM.rs_prefactor_ohm,
        dict(f_Hz=1e9),
        {"f_Hz": NONNEG_BAD},
    ),
    "load_rs_vs_bp": (
        rf.load_rs_vs_bp,
        dict(path="unused.csv"),
        {"min_points": st.integers(-5, 0), "path": st.sampled_from((None, 3, 1.5))},
    ),
}


@pytest.mark.parametrize("fname", sorted(CASES))
@given(data=st.data())
def test_invalid_input_names_the_argument(fname, data):
    fn, valid, bad = CASES[fname]
    name = data.draw(st.sampled_from(sorted(bad)), label="argument")
    kw = dict(valid)
    key = name.split("[")[0]  # "ramps[0].Bp_mT" is drawn as the whole ramps list
    kw[key] = data.draw(bad[name], label=name)
    with pytest.raises(DomainError, match=f"'{re.escape(name)}'"):
        fn(**kw)


def test_other_invalid_arguments_are_named():
    with pytest.raises(DomainError, match="'nonequilibrium'"):
        rf.sigma1_rf(0.01, 0.1, 0.1, nonequilibrium="yes")
    for call, name in (
        (lambda: rf.sigma1_mattis_bardeen(0.01, 0.1, n=1), "n"),
        (lambda: rf.sigma1_rf(0.01, 0.1, 0.1, n_phase=2.5), "n_phase"),
        (lambda: rf.rs_ratio(0.1, 0.01, 0.1, 0.1, n_depth=np.int64(1)), "n_depth"),
        (lambda: rf.rs_ratio(0.1, 0.01, 0.1, 0.1, reading="other"), "reading"),
        (lambda: rf.solve_overheating(0.1, 0.01, 0.1, 0.5, model="x"), "model"),
        (lambda: rf.solve_overheating(0.1, 0.01, 0.1, 0.5, T_max_over_T0=1.0), "T_max_over_T0"),
        (lambda: rf.solve_overheating(0.1, 0.01, 0.1, 0.5, threshold=None), "threshold"),
        (lambda: rf.surface_resistance_ohm(50.0, 1.3e9, 2.0, 0.5, material=17.5), "material"),
        (lambda: rf.solve_temperature(None, (), 0.1, 0.01), "ratio_fn"),
        (lambda: rf.solve_temperature(_ratio_fn, (), jnp.ones(2), 0.01), "T0"),
        (lambda: rf.runaway_threshold(None, 0.0, 1.0), "ok_fn"),
        (lambda: rf.fit_alpha([0.1, 0.2], [1.0, 1.0], 0.01, 0.1, max_steps=0), "max_steps"),
        (lambda: rf.fit_alpha([0.1, 0.2], [1.0, 1.0], 0.01, 0.2, vary_T0=True), "T0"),
        (lambda: rf.fit_alpha([0.1, 0.2], [1.0, 1.0], [0.01, 0.02], 0.1), "omega"),
        (lambda: rf.fit_cavity([]), "ramps"),
        (lambda: rf.fit_cavity([_ramp(f_Hz=1.3)]), "ramps[0].f_Hz"),
        (lambda: rf.fit_cavity([_ramp()], material="Nb"), "material"),
        (
            lambda: rf.fit_cavity([_ramp()], vary_Delta0=True, material=rf.niobium(Delta0_K=30)),
            "material.Delta0_K",
        ),
        (lambda: rf.pad_ramps([_ramp(), "x"]), "ramps[1]"),
        (lambda: rf.load_rs_vs_bp("unused.csv", drop_repeated="yes"), "drop_repeated"),
        (lambda: rf.niobium(Tc_K="9.2"), "Tc_K"),
        (lambda: rf.niobium(Tc_K=np.ones(2)), "Tc_K"),
        (lambda: rf.Superconductor(17.5, 9.2, 0.2, float("nan"), 2e9), "Superconductor.lambda_m"),
        (lambda: status_message(7), "status"),
        (lambda: status_message(1.5), "status"),
    ):
        with pytest.raises(DomainError, match=f"'{re.escape(name)}'"):
            call()
    with pytest.raises(DomainError, match="unknown parameter"):
        rf.niobium(Tc=9.2)


# --- (c) wrong units ---------------------------------------------------------------------

OMEGA_FUNCS = {
    "sigma1_mattis_bardeen": lambda w: rf.sigma1_mattis_bardeen(w, 0.1),
    "sigma1_closed_form": lambda w: rf.sigma1_closed_form(w, 0.1),
    "sigma1_low_frequency": lambda w: rf.sigma1_low_frequency(w, 0.1),
    "sigma1_dc_biased": lambda w: rf.sigma1_dc_biased(w, 0.1, 0.2),
    "sigma1_rf": lambda w: rf.sigma1_rf(w, 0.1, 0.2),
    "rs_ratio": lambda w: rf.rs_ratio(0.8, w, 0.1, 0.1),
    "solve_overheating": lambda w: rf.solve_overheating(0.8, w, 0.1, 0.5),
    "surface_resistance_ratio": lambda w: rf.surface_resistance_ratio(
        0.4, w, 0.1, 0.5, reading="fig4b"
    ),
    "fit_alpha": lambda w: rf.fit_alpha([0.1, 0.8], [1.0, 1.1], w, 0.1),
}
UNIT_HINT = r"not a frequency in Hz or GHz.*frequency_to_gap_units"


# omega = 1.3 (GHz typed as omega) lies inside the domain 0 < omega < 2 of Eq. (35) and Eq. (37)
# (it is 475 GHz in Nb, a valid Mattis-Bardeen input), so only the Hz and rad/s values are wrong
# there; every other function rejects 1.3 (above 2 eps_g at the pair breaking used, or C*T).
IN_DOMAIN_AT_1_3 = {"sigma1_mattis_bardeen", "sigma1_closed_form"}


@pytest.mark.parametrize("fname", sorted(OMEGA_FUNCS))
@pytest.mark.parametrize("omega", [1.3e9, 1.3e9 * 2 * np.pi, 1.3])
def test_frequency_passed_as_omega_names_the_units(fname, omega):
    """1.3 GHz passed as 1.3e9 (Hz), 2*pi*1.3e9 (rad/s) or 1.3 (GHz) as hbar*omega/Delta0."""
    call = OMEGA_FUNCS[fname]
    if omega == 1.3 and fname in IN_DOMAIN_AT_1_3:
        assert np.isfinite(np.asarray(call(omega))).all()  # a valid (475 GHz) input
        return
    with pytest.raises(DomainError, match="'omega'") as err:
        call(omega)
    assert re.search(UNIT_HINT, str(err.value)), str(err.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: rf.sigma1_mattis_bardeen(0.01, 2.0),  # 2 K passed as T
        lambda: rf.sigma1_dc_biased(0.01, 1.8, 0.1),
        lambda: rf.rs_ratio(0.1, 0.01, 0.1, 2.0),
    ],
)
def test_kelvin_passed_as_T_names_the_units(call):
    with pytest.raises(DomainError, match=r"'T0?'.*not kelvin.*temperature_to_gap_units"):
        call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: rf.surface_resistance_ohm(50.0, 1.3, 2.0, 0.5),  # GHz passed as Hz
        lambda: rf.surface_resistance_ohm(50.0, 389.0, 2.0, 0.5),  # MHz passed as Hz
        lambda: rf.overheating_alpha(2.0, 3e-12, 1.75, 17.5, 9.2),
        lambda: rf.cavity_rs_ohm(
            50.0, 2.0, 1.3, alpha=0.3, Rs0_nOhm=10.0, R_res_nOhm=5.0, f_ref_Hz=3.89e8
        ),
    ],
)
def test_ghz_passed_as_hz_names_the_units(call):
    with pytest.raises(DomainError, match=r"'f_Hz'.*not GHz or MHz"):
        call()


# --- (d) complex and non-broadcasting input ----------------------------------------------

REAL_ARGS = [
    (fname, name)
    for fname, (_, valid, bad) in sorted(CASES.items())
    for name in sorted(bad)
    if name in valid and isinstance(valid[name], float)
]


@pytest.mark.parametrize("fname, name", REAL_ARGS)
def test_complex_argument_rejected(fname, name):
    fn, valid, _ = CASES[fname]
    kw = {**valid, name: complex(valid[name], 1e-3)}
    with pytest.raises(DomainError, match=f"'{re.escape(name)}'.*real"):
        fn(**kw)


@pytest.mark.parametrize(
    "call",
    [
        lambda: rf.dos(np.ones(3), np.full(2, 0.1)),
        lambda: rf.usadel_uv(np.ones(3), np.full(2, 0.1)),
        lambda: rf.coherence_factor(np.ones(3), 0.01, np.full(2, 0.1)),
        lambda: rf.sigma1_mattis_bardeen(np.full(3, 0.01), np.full(2, 0.1)),
        lambda: rf.sigma1_closed_form(np.full(3, 0.01), np.full(2, 0.1)),
        lambda: rf.sigma1_low_frequency(np.full(3, 0.01), np.full(2, 0.1)),
        lambda: rf.sigma1_dc_biased(np.full(3, 0.01), 0.1, np.full(2, 0.1)),
        lambda: rf.sigma1_rf(0.01, np.full(3, 0.1), np.full(2, 0.1)),
        lambda: rf.rs_ratio(np.full(3, 0.1), 0.01, np.full(2, 0.1), 0.1),
        lambda: rf.solve_overheating(np.full(3, 0.1), 0.01, 0.1, np.full(2, 0.5)),
        lambda: rf.surface_resistance_ratio(np.full(3, 0.1), np.full(2, 0.01), 0.1, 0.5),
        lambda: rf.surface_resistance_ohm(np.full(3, 50.0), 1.3e9, np.full(2, 2.0), 0.5),
        lambda: rf.overheating_alpha(np.full(3, 2.0), 3e-12, np.full(2, 1e9), 17.5, 9.2),
        lambda: rf.cavity_rs_ohm(
            np.full(3, 50.0),
            np.full(2, 2.0),
            3.89e8,
            alpha=0.3,
            Rs0_nOhm=10.0,
            R_res_nOhm=5.0,
            f_ref_Hz=3.89e8,
        ),
        lambda: rf.fit_alpha(np.full(3, 0.1), np.ones((2, 4)), 0.01, 0.1),
        lambda: rf.fit_alpha(np.full(4, 0.1), np.ones(4), 0.01, 0.1, sigma=np.ones(3)),
    ],
)
def test_shapes_that_do_not_broadcast(call):
    with pytest.raises(DomainError, match="do not broadcast"):
        call()


@pytest.mark.parametrize("bad", ["0.1", None, [0.1, "x"], True, np.array(["a"])])
def test_non_numeric_input_rejected(bad):
    with pytest.raises(DomainError, match="'omega'"):
        rf.sigma1_mattis_bardeen(bad, 0.1)
    with pytest.raises(DomainError, match="'s'"):
        rf.spectral_gap(bad)


def test_eps_at_the_gap_is_accepted():
    """eps = eps_g(s) from JAX passes the NumPy boundary check (a few-ulp slack).

    s > 0 only: at s = 0 the gap edge eps = 1 is the BCS singularity (u = +inf).
    """
    s = np.linspace(0.025, 0.25, 10)
    eg = np.asarray(rf.spectral_gap(s))
    u, v = rf.usadel_uv(eg, s)
    assert np.all(np.isfinite(np.asarray(u))) and np.all(np.isfinite(np.asarray(v)))
    with pytest.raises(DomainError, match="'eps'.*eps_g"):
        rf.usadel_uv(eg * (1 - 1e-12), s)


# --- (b) run-time guards under jit and vmap ----------------------------------------------

RUNTIME = "argument '{}' out of its domain at run time"
SMALL = dict(n=8)  # node counts: the guards do not depend on them; compile faster
SMALL_SURF = dict(n=8, n_depth=4)


def _raises_at_run_time(fn, args, name):
    with pytest.raises(Exception, match=re.escape(RUNTIME.format(name))):
        jax.block_until_ready(fn(*args))


def _check_guards(fn, good, bad):
    """``fn`` compiled once: finite on ``good``; each ``bad`` (name, args) trips its guard."""
    out = jax.tree.leaves(jax.block_until_ready(fn(*good)))
    assert all(np.all(np.isfinite(np.asarray(o))) for o in out)
    for name, args in bad:
        _raises_at_run_time(fn, args, name)


def _a(*xs):
    return tuple(jnp.asarray(x, dtype=float) for x in xs)


JIT_CASES = {
    "pairbreaking_gap": (rf.pairbreaking_gap, _a(0.1), [("s", _a(-0.1)), ("s", _a(np.nan))]),
    "spectral_gap": (rf.spectral_gap, _a(0.1), [("s", _a(0.3))]),
    "dos": (rf.dos, _a(1.2, 0.1), [("eps", _a(-1.0, 0.1)), ("s", _a(1.2, 0.26))]),
    "usadel_uv": (
        rf.usadel_uv,
        _a(1.2, 0.1),
        [("eps", _a(0.5, 0.1)), ("s", _a(1.2, -0.01))],
    ),
    "coherence_factor": (
        rf.coherence_factor,
        _a(0.1, 0.01, 0.1),
        [("delta", _a(-0.1, 0.01, 0.1)), ("omega", _a(0.1, -0.01, 0.1)), ("s", _a(0.1, 0.01, 0.3))],
    ),
    "sigma1_mattis_bardeen": (
        lambda w, t: rf.sigma1_mattis_bardeen(w, t, **SMALL),
        _a(0.01, 0.1),
        [
            ("omega", _a(0.0, 0.1)),
            ("omega", _a(2.5, 0.1)),
            ("T", _a(0.01, 0.6)),
            ("T", _a(0.01, np.inf)),
        ],
    ),
    "sigma1_closed_form": (
        rf.sigma1_closed_form,
        _a(0.01, 0.1),
        [("omega", _a(-0.01, 0.1)), ("T", _a(0.01, -0.1))],
    ),
    "sigma1_low_frequency": (
        rf.sigma1_low_frequency,
        _a(0.01, 0.1),
        [("omega", _a(0.3, 0.1)), ("T", _a(0.01, 0.0))],
    ),
    "sigma1_dc_biased": (
        lambda w, t, s: rf.sigma1_dc_biased(w, t, s, **SMALL),
        _a(0.01, 0.1, 0.1),
        [("omega", _a(0.9, 0.1, 0.2)), ("T", _a(0.01, 0.7, 0.1)), ("s", _a(0.01, 0.1, 0.3))],
    ),
    "overheating_alpha": (
        rf.overheating_alpha,
        _a(2.0, 3e-12, 1.75e9, 17.5, 9.2),
        [
            ("T0_K", _a(10.0, 3e-12, 1.75e9, 17.5, 9.2)),
            ("f_Hz", _a(2.0, 3e-12, 1e12, 17.5, 9.2)),
            ("tau1_s", _a(2.0, -3e-12, 1.75e9, 17.5, 9.2)),
        ],
    ),
    "solve_temperature": (
        lambda T0, k: rf.solve_temperature(_ratio_fn, (), T0, k).T,
        _a(0.1, 0.01),
        [("T0", _a(-0.1, 0.01)), ("k", _a(0.1, -0.01))],
    ),
    "surface_beta": (surface.surface_beta, _a(0.1), [("b", _a(-0.1))]),
}

SLOW_JIT_CASES = {
    "sigma1_rf": (
        lambda w, t, b: rf.sigma1_rf(w, t, b, n=8, n_phase=4),
        _a(0.01, 0.1, 0.1),
        [("beta_a", _a(0.01, 0.1, 0.3)), ("omega", _a(0.9, 0.1, 0.2)), ("T", _a(0.01, 0.6, 0.1))],
    ),
    "rs_ratio": (
        lambda b, w, t, t0: rf.rs_ratio(b, w, t, t0, **SMALL_SURF),
        _a(0.1, 0.01, 0.1, 0.1),
        [
            ("b", _a(1.1, 0.01, 0.1, 0.1)),
            ("omega", _a(0.9, 0.9, 0.1, 0.1)),
            ("T", _a(0.1, 0.01, 0.6, 0.1)),
            ("T0", _a(0.1, 0.01, 0.1, 0.0)),
        ],
    ),
    "surface_resistance_ohm": (
        lambda B, f, T0, a: rf.surface_resistance_ohm(B, f, T0, a, **SMALL_SURF),
        _a(50.0, 1.3e9, 2.0, 0.5),
        [
            ("B_mT", _a(250.0, 1.3e9, 2.0, 0.5)),
            ("f_Hz", _a(50.0, 1.3, 2.0, 0.5)),
            ("T0_K", _a(50.0, 1.3e9, 11.0, 0.5)),
            ("alpha", _a(50.0, 1.3e9, 2.0, -0.5)),
        ],
    ),
    "cavity_rs_ohm": (
        lambda B, T, f, a: rf.cavity_rs_ohm(
            B, T, f, alpha=a, Rs0_nOhm=10.0, R_res_nOhm=5.0, f_ref_Hz=3.89e8
        ),
        _a([50.0], [2.0], [3.89e8], 0.3),
        [
            ("B_mT", _a([-5.0], [2.0], [3.89e8], 0.3)),
            ("alpha", _a([50.0], [2.0], [3.89e8], -1.0)),
            ("T_K", _a([50.0], [20.0], [3.89e8], 0.3)),
        ],
    ),
}


@pytest.mark.parametrize("fname", sorted(JIT_CASES))
def test_runtime_guard_under_jit(fname):
    fn, good, bad = JIT_CASES[fname]
    _check_guards(jax.jit(fn), good, bad)


@pytest.mark.slow
@pytest.mark.parametrize("fname", sorted(SLOW_JIT_CASES))
def test_runtime_guard_under_jit_slow_kernels(fname):
    fn, good, bad = SLOW_JIT_CASES[fname]
    _check_guards(jax.jit(fn), good, bad)


def test_runtime_guard_surface_solver_under_jit():
    """One compiled self-consistent solve; every argument's guard (and omega < 2 eps_g)."""
    f = jax.jit(lambda b, w, t0, a: rf.surface_resistance_ratio(b, w, t0, a, **SMALL_SURF))
    _check_guards(
        f,
        _a(0.1, 0.01, 0.1, 0.5),
        [
            ("b", _a(1.5, 0.01, 0.1, 0.5)),
            ("omega", _a(0.9, 0.9, 0.1, 0.5)),  # 2 eps_g(beta0 = 0.2025) = 0.78
            ("T0", _a(0.1, 0.01, 0.7, 0.5)),
            ("alpha", _a(0.1, 0.01, 0.1, -0.5)),
        ],
    )


VMAP_CASES = {
    # name: (function of one batched argument, good batch, bad batch, argument name)
    "sigma1_mattis_bardeen": (lambda w: rf.sigma1_mattis_bardeen(w, 0.1), [0.01, 2.0], "omega"),
    "sigma1_closed_form": (lambda t: rf.sigma1_closed_form(0.01, t), [0.1, 0.6], "T"),
    "sigma1_low_frequency": (lambda w: rf.sigma1_low_frequency(w, 0.1), [0.01, 0.3], "omega"),
    "sigma1_dc_biased": (lambda s: rf.sigma1_dc_biased(0.01, 0.1, s), [0.1, 0.3], "s"),
    "sigma1_rf": (lambda w: rf.sigma1_rf(w, 0.1, 0.2), [0.01, 0.9], "omega"),
    "dos": (lambda e: rf.dos(e, 0.1), [1.2, -1.0], "eps"),
    "usadel_uv": (lambda e: rf.usadel_uv(e, 0.1), [1.2, 0.5], "eps"),  # eps_g(0.1) = 0.6256
    "rs_ratio": (lambda t: rf.rs_ratio(0.1, 0.01, t, 0.1), [0.1, 0.0], "T"),
    "solve_overheating": (
        lambda a: rf.solve_overheating(0.1, 0.01, 0.1, a).T,
        [0.5, -1.0],
        "alpha",
    ),
    "surface_resistance_ratio": (
        lambda b: rf.surface_resistance_ratio(b, 0.01, 0.1, 0.5)[0],
        [0.1, 1.2],
        "b",
    ),
    "surface_resistance_ohm": (
        lambda f: rf.surface_resistance_ohm(50.0, f, 2.0, 0.5)[0],
        [1.3e9, 1.3],
        "f_Hz",
    ),
    "overheating_alpha": (
        lambda t: rf.overheating_alpha(t, 3e-12, 1.75e9, 17.5, 9.2),
        [2.0, 10.0],
        "T0_K",
    ),
    "solve_temperature": (
        lambda k: rf.solve_temperature(_ratio_fn, (), 0.1, k).T,
        [0.01, -0.01],
        "k",
    ),
    "cavity_rs_ohm": (
        lambda a: rf.cavity_rs_ohm(
            [50.0], [2.0], [3.89e8], alpha=a, Rs0_nOhm=10.0, R_res_nOhm=5.0, f_ref_Hz=3.89e8
        ),
        [0.3, -0.3],
        "alpha",
    ),
    "coherence_factor": (lambda d: rf.coherence_factor(d, 0.01, 0.1), [0.1, -0.1], "delta"),
    "spectral_gap": (rf.spectral_gap, [0.1, np.nan], "s"),
    "pairbreaking_gap": (rf.pairbreaking_gap, [0.1, 0.3], "s"),
}


@pytest.mark.parametrize("fname", sorted(VMAP_CASES))
def test_runtime_guard_under_vmap(fname):
    """Under vmap (the fit / sweep pattern) a bad element trips the guard before any compile."""
    fn, batch, name = VMAP_CASES[fname]
    _raises_at_run_time(jax.vmap(fn), (jnp.asarray(batch, dtype=float),), name)


def test_usadel_uv_guard_is_per_element():
    """eps >= eps_g(s) is checked against each element's own gap (a cross-argument guard)."""
    f = jax.jit(jax.vmap(rf.usadel_uv))
    s = jnp.array([0.1, 0.25])
    u, _ = f(jnp.array([0.63, 0.32]), s)  # eps_g(0.1) = 0.6256, eps_g(0.25) = 0.3197: valid
    assert np.all(np.isfinite(np.asarray(u)))
    _raises_at_run_time(f, (jnp.array([0.62, 0.32]), s), "eps")  # 0.62 < eps_g(0.1) only


def test_guards_keep_gradients_finite():
    """The guards pass tangents through: gradients under jit are unchanged and finite."""
    g = jax.jit(jax.grad(lambda w, t: rf.sigma1_mattis_bardeen(w, t, **SMALL), argnums=(0, 1)))
    gw, gt = g(0.01, 0.1)
    assert np.isfinite(float(gw)) and np.isfinite(float(gt))
    gs = jax.jit(jax.grad(lambda s: rf.spectral_gap(s)))(0.0)
    assert float(gs) == pytest.approx(-np.pi / 4)  # the documented finite value at s = 0
    ga = jax.jit(jax.grad(lambda t: rf.overheating_alpha(t, 3e-12, 1.75e9, 17.5, 9.2)))(2.0)
    assert np.isfinite(float(ga))


_FLOAT32_SCRIPT = """
import jax, jax.numpy as jnp, numpy as np
import dissipax.rf as rf
from dissipax._precision import float_dtype
assert float_dtype() == np.float32
s = np.linspace(0.01, 0.25, 2000).astype(np.float32)
eg = np.asarray(rf.spectral_gap(s))
u, v = rf.usadel_uv(eg, s)  # at the float32 gap: accepted (slack in float32 ulp)
assert np.isfinite(np.asarray(u)).all() and np.isfinite(np.asarray(v)).all()
f = jax.jit(lambda w: rf.sigma1_dc_biased(w, 0.1, 0.2, n=8))
assert np.isfinite(float(f(jnp.float32(0.01))))
try:
    jax.block_until_ready(f(jnp.float32(0.9)))
    raise SystemExit("guard did not fire")
except Exception as e:  # the run-time guard, in float32
    assert "argument 'omega' out of its domain at run time" in str(e), str(e)
print("ok")
"""


def test_checks_and_guards_in_float32():
    """DISSIPAX_X64=0: the gap check's slack is in float32 ulp and the guards still fire."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "DISSIPAX_X64": "0", "PYTHONPATH": str(src)}
    p = subprocess.run(
        [sys.executable, "-c", _FLOAT32_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0 and p.stdout.strip().endswith("ok"), p.stderr[-2000:]
