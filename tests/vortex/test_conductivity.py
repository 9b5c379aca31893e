"""Eqs. (6)-(7): against the linear solve of Eqs. (4)-(5), sum rules, Kramers-Kronig, gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.test_util import check_grads
from scipy.integrate import quad

import dissipax.vortex as vx
from dissipax import DomainError

# Closed forms vs a LAPACK solve of a well-conditioned 4x4 system: both are exact up to
# rounding, so agreement to 1e-12 relative (~5000 ulp) leaves room only for rounding.
RTOL_SOLVE = 1e-12
# scipy.quad with epsabs/epsrel = 1e-11 on smooth integrands: 1e-9 covers its error estimate.
RTOL_QUAD = 1e-9


def random_params(rng, n):
    """Random hydrodynamic parameters spanning several decades, obeying the entropy bound."""
    f_s = 10 ** rng.uniform(-1, 1, n)
    Omega = 10 ** rng.uniform(-2, 1, n)
    Omega_H = rng.choice([-1, 1], n) * 10 ** rng.uniform(-3, 1, n)
    sigma_o = 10 ** rng.uniform(-2, 0.5, n)
    alpha_max = np.sqrt(sigma_o * Omega / f_s)
    alpha_v = rng.uniform(-1, 1, n) * alpha_max
    sigma_oH = rng.normal(0, 0.1, n)
    omega = rng.choice([-1, 1], n) * 10 ** rng.uniform(-3, 1.5, n)
    return omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH


def test_closed_forms_solve_hydrodynamic_equations(ref):
    rng = np.random.default_rng(20180626)
    omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH = random_params(rng, 300)
    xx = np.asarray(vx.sigma_xx(omega, f_s, Omega, Omega_H, alpha_v, sigma_o))
    xy = np.asarray(vx.sigma_xy(omega, f_s, Omega, Omega_H, alpha_v, sigma_oH))
    tensor = np.asarray(
        vx.conductivity_tensor(omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH)
    )
    for i in range(omega.size):
        S = ref.hydro_sigma(
            omega[i], f_s[i], Omega[i], Omega_H[i], alpha_v[i], sigma_o[i], sigma_oH[i]
        )
        scale = np.abs(S).max()
        assert abs(xx[i] - S[0, 0]) <= RTOL_SOLVE * scale
        assert abs(xy[i] - S[0, 1]) <= RTOL_SOLVE * scale
        # isotropy of the solution: sigma_yy = sigma_xx, sigma_yx = -sigma_xy
        np.testing.assert_allclose(tensor[i], S, rtol=0, atol=RTOL_SOLVE * scale)


def test_resistivity_and_hall_angle_invert_the_tensor(ref):
    rng = np.random.default_rng(1)
    args = random_params(rng, 50)
    rho_xx, rho_yx = map(np.asarray, vx.resistivity(*args))
    tan = np.asarray(vx.tan_hall_angle(*args))
    for i in range(args[0].size):
        R = np.linalg.inv(ref.hydro_sigma(*(a[i] for a in args)))
        scale = np.abs(R).max()
        assert abs(rho_xx[i] - R[0, 0]) <= RTOL_SOLVE * scale
        assert abs(rho_yx[i] - R[1, 0]) <= RTOL_SOLVE * scale
        np.testing.assert_allclose(tan[i], R[1, 0] / R[0, 0], rtol=1e-11)


def test_poles_are_normal_modes(ref):
    rng = np.random.default_rng(2)
    for _ in range(20):
        Omega, Omega_H = 10 ** rng.uniform(-2, 1), rng.normal(0, 3)
        poles = np.asarray(vx.supercyclotron_poles(Omega, Omega_H))
        np.testing.assert_allclose(poles, [Omega_H - 1j * Omega, -Omega_H - 1j * Omega])
        for w in poles:
            # det of the homogeneous system (4)-(5) vanishes; scale: |det| ~ |w|^2 + Omega^2
            scale = abs(w) ** 2 + Omega**2 + Omega_H**2
            assert abs(ref.hydro_det(w, Omega, Omega_H)) <= 1e-13 * scale
            assert w.imag < 0  # causal: both poles in the lower half plane


def test_resonance_is_accurate_when_omega_much_smaller_than_omega_h(ref):
    # at w = Omega_H >> Omega the expanded denominator would lose (Omega/Omega_H)^2
    f_s, Omega, Omega_H = 1.0, 1e-7, 1.0
    w = Omega_H
    S = ref.hydro_sigma(w, f_s, Omega, Omega_H, 0.0, 0.0, 0.0)
    np.testing.assert_allclose(vx.sigma_xx(w, f_s, Omega, Omega_H), S[0, 0], rtol=1e-9)
    np.testing.assert_allclose(vx.sigma_xy(w, f_s, Omega, Omega_H), S[0, 1], rtol=1e-9)


@pytest.mark.parametrize("alpha_v", [0.0, 0.05])
def test_f_sum_rule_sigma_xx(alpha_v):
    # (2/pi) int_0^inf Re sigma_xx dw = f_s (1 - alpha_v^2) (sigma_o = 0): the coefficient of
    # i/w at large w, by analyticity.  Here alpha_v != 0 with sigma_o = 0 violates the entropy
    # bound on purpose: the sum rule is pure analyticity and holds regardless.
    f_s, Omega, Omega_H = 1.7, 0.3, 0.8

    # jit: quad calls this thousands of times; the parameters are traced arguments, so no
    # warning is raised (the bound is violated on purpose, see above)
    sxx = jax.jit(lambda w, *p: jnp.real(vx.sigma_xx(w, *p)))

    def re(w):
        return float(sxx(w, f_s, Omega, Omega_H, alpha_v))

    total = 0.0
    edges = [0.0, Omega_H, 10.0, 1e3, np.inf]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        total += quad(re, a, b, epsabs=1e-12, epsrel=1e-11, limit=500)[0]
    np.testing.assert_allclose(2 / np.pi * total, f_s * (1 - alpha_v**2), rtol=RTOL_QUAD)


def kk_imag_from_real(re, w, upper=50.0):
    """Im sigma(w) = (2w/pi) P int_0^inf Re sigma(w') / (w^2 - w'^2) dw' (Re even in w)."""
    # P int_0^U R(x)/((w-x)(w+x)) dx = -P int R(x)/(x+w) / (x-w) dx: quad's Cauchy weight
    pv = quad(
        lambda x: -re(x) / (x + w),
        0.0,
        upper,
        weight="cauchy",
        wvar=w,
        epsabs=1e-13,
        epsrel=1e-12,
        limit=500,
    )[0]
    tail = quad(
        lambda x: re(x) / (w**2 - x**2), upper, np.inf, epsabs=1e-14, epsrel=1e-12, limit=500
    )[0]
    return 2 * w / np.pi * (pv + tail)


def test_kramers_kronig_sigma_xx_and_sigma_xy():
    p = dict(f_s=1.3, Omega=0.4, Omega_H=0.9, alpha_v=0.05)
    sigma_o, sigma_oH = 0.02, 0.03  # bound: 0.05^2 * 1.3 = 0.00325 <= 0.02 * 0.4 = 0.008

    sxx = jax.jit(lambda w: jnp.real(vx.sigma_xx(w, **p, sigma_o=sigma_o)))
    sxy = jax.jit(lambda w: jnp.real(vx.sigma_xy(w, **p, sigma_oH=sigma_oH)))

    def re_xx(x):  # KK holds for sigma - sigma(inf): subtract the constant sigma_o
        return float(sxx(x)) - sigma_o

    def re_xy(x):
        return float(sxy(x)) - sigma_oH

    for w in [0.05, 0.5, 0.9, 1.7, 6.0]:
        im_xx = float(jnp.imag(vx.sigma_xx(w, **p, sigma_o=sigma_o)))
        im_xy = float(jnp.imag(vx.sigma_xy(w, **p, sigma_oH=sigma_oH)))
        scale = float(jnp.abs(vx.sigma_xx(w, **p, sigma_o=sigma_o)))
        assert abs(kk_imag_from_real(re_xx, w) - im_xx) <= RTOL_QUAD * scale
        assert abs(kk_imag_from_real(re_xy, w) - im_xy) <= RTOL_QUAD * scale


def test_entropy_bound_warning_flag():
    # satisfied: no warning (filterwarnings=error would turn one into a failure)
    vx.sigma_xx(1.0, 1.0, 0.5, 0.2, alpha_v=0.1, sigma_o=0.02)
    vx.sigma_xx(1.0, 1.0, 0.5, 0.2, alpha_v=0.1, sigma_o=0.1 * 0.1 * 1.0 / 0.5)  # equality
    with pytest.warns(vx.EntropyBoundWarning, match="sigma_o >= 0.02"):
        vx.sigma_xx(1.0, 1.0, 0.5, 0.2, alpha_v=0.1, sigma_o=0.01)
    with pytest.warns(vx.EntropyBoundWarning, match="1 of 3"):
        vx.conductivity_tensor(
            1.0, 1.0, 0.5, 0.2, alpha_v=jnp.array([0.0, 0.1, 0.01]), sigma_o=0.01
        )
    margin = vx.entropy_bound_margin(1.0, 0.5, jnp.array([0.0, 0.1]), 0.01)
    np.testing.assert_allclose(margin, [0.005, -0.005], rtol=1e-14)
    # under jit no warning can be raised; the margin is the programmatic flag
    jax.jit(vx.sigma_xx)(1.0, 1.0, 0.5, 0.2, 0.1, 0.0)


def real_imag(f):
    def g(*a):
        z = f(*a)
        return jnp.stack([jnp.real(z), jnp.imag(z)])

    return g


def test_check_grads_hydro():
    args = (0.7, 1.3, 0.4, 0.9, 0.05, 0.3)
    check_grads(real_imag(vx.sigma_xx), args, order=2, modes=("fwd", "rev"))
    check_grads(real_imag(vx.sigma_xy), args, order=2, modes=("fwd", "rev"))
    check_grads(real_imag(vx.conductivity_tensor), args + (0.1,), order=1, modes=("fwd", "rev"))
    check_grads(
        (lambda *a: jnp.stack([jnp.real(r) for r in vx.resistivity(*a)])),
        args + (0.1,),
        order=1,
        modes=("fwd", "rev"),
    )
    check_grads(real_imag(vx.tan_hall_angle), args + (0.1,), order=1, modes=("fwd", "rev"))
    check_grads(real_imag(vx.supercyclotron_poles), (0.4, 0.9), order=1, modes=("fwd", "rev"))
    check_grads(vx.entropy_bound_margin, (1.0, 0.5, 0.1, 0.3), order=1, modes=("fwd", "rev"))


@pytest.mark.parametrize(
    "point",
    [
        dict(omega=0.0, Omega_H=0.7, alpha_v=0.05),  # dc
        dict(omega=1e-300, Omega_H=0.7, alpha_v=0.05),  # omega -> 0
        dict(omega=0.4, Omega_H=0.0, alpha_v=0.05),  # no Hall response
        dict(omega=0.4, Omega_H=0.7, alpha_v=0.0),  # no vorto-electric term
        dict(omega=0.0, Omega_H=0.0, alpha_v=0.0),  # all together
    ],
)
def test_finite_values_and_gradients_at_special_points(point):
    base = dict(f_s=1.2, Omega=0.3, sigma_o=0.1)
    names = ("omega", "f_s", "Omega", "Omega_H", "alpha_v", "sigma_o")
    p = {**base, **point}
    x = jnp.array([p[n] for n in names])

    def f(x):
        z = vx.sigma_xx(*x) + vx.sigma_xy(*x[:5], x[5])
        return jnp.real(z) + jnp.imag(z)

    assert np.isfinite(f(x))
    g = jax.grad(f)(x)
    assert np.all(np.isfinite(g))
    # gradient against central differences in float64 (step 1e-6: error ~1e-10 relative)
    h = 1e-6
    for k in range(len(names)):
        if names[k] == "omega" and p["omega"] == 0.0:
            continue  # a one-sided point of the tested domain is fine, but skip the +-h pair
        e = jnp.zeros(len(names)).at[k].set(h)
        fd = (f(x + e) - f(x - e)) / (2 * h)
        np.testing.assert_allclose(g[k], fd, rtol=1e-7, atol=1e-9)


def test_dc_limits_of_the_general_forms():
    # omega = 0, Omega_H = 0: sigma_xx = f_s (1 - a^2)/Omega + sigma_o, sigma_xy = 2 a f_s/Omega
    f_s, Omega, a, so = 2.0, 0.5, 0.1, 0.3
    np.testing.assert_allclose(
        vx.sigma_xx(0.0, f_s, Omega, 0.0, a, so), f_s * (1 - a**2) / Omega + so, rtol=1e-15
    )
    np.testing.assert_allclose(
        vx.sigma_xy(0.0, f_s, Omega, 0.0, a), 2 * a * f_s / Omega, rtol=1e-15
    )


def test_jit_vmap_and_strict_promotion(strict_promotion):
    w = jnp.linspace(0.0, 3.0, 7)
    ref = vx.sigma_xx(w, 1.0, 0.5, 0.2, 0.01, 0.1)
    np.testing.assert_allclose(jax.jit(vx.sigma_xx)(w, 1.0, 0.5, 0.2, 0.01, 0.1), ref, rtol=1e-15)
    vm = jax.vmap(vx.sigma_xx, in_axes=(0, None, None, None, None, None))(
        w, 1.0, 0.5, 0.2, 0.01, 0.1
    )
    np.testing.assert_allclose(vm, ref, rtol=1e-15)
    assert ref.dtype == jnp.complex128
    assert vx.sigma_xy(w, 1.0, 0.5, 0.2).dtype == jnp.complex128
    # integer input is promoted to the working float dtype
    assert vx.sigma_xx(1, 1, 1, 0).dtype == jnp.complex128


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: vx.sigma_xx(1.0, -1.0, 0.5, 0.2), "'f_s' must be >= 0"),
        (lambda: vx.sigma_xx(1.0, 1.0, -0.5, 0.2), "'Omega' must be > 0"),
        (lambda: vx.sigma_xx(1.0, 1.0, 0.0, 0.2), "'Omega' must be > 0"),
        (lambda: vx.sigma_xx(1.0, 1.0, 0.5, 0.2, sigma_o=-1.0), "'sigma_o' must be >= 0"),
        (lambda: vx.sigma_xy(1.0, 1.0, 0.5 + 0.1j, 0.2), "'Omega' must be real"),
        (lambda: vx.sigma_xy(1.0, 1.0, 0.5, 0.2, alpha_v=0.1j), "'alpha_v' must be real"),
        (lambda: vx.sigma_xx(1.0 + 0j, 1.0, 0.5, 0.2), "'omega' must be real"),
        (lambda: vx.sigma_xx(np.nan, 1.0, 0.5, 0.2), "'omega' must be finite"),
        (lambda: vx.sigma_xx(jnp.ones(3), 1.0, jnp.ones(2), 0.2), "do not broadcast"),
        (
            lambda: vx.conductivity_tensor(jnp.ones(3), 1.0, 0.5, 0.2, sigma_oH=jnp.ones(4)),
            "do not broadcast",
        ),
        (lambda: vx.supercyclotron_poles(-1.0, 0.2), "'Omega' must be >= 0"),
        (lambda: vx.sigma_xx("1", 1.0, 0.5, 0.2), "'omega' must be a number"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(DomainError, match=match):
        call()
