r"""Eqs. (1) and (2) of Zhang, Palevski & Kapitulnik (2022), evaluated stably in log space.

Both empirical laws are "a temperature-independent plateau plus an activated term",

.. math::

    g(T) = P + B\,e^{-E_a/T},

with :math:`g = 1/\rho` (failed insulator, Eq. (1): :math:`P=\sigma_{QF}`,
:math:`B=\sigma_0`) or :math:`g = \rho` (failed superconductor, Eq. (2): :math:`P=\rho_{QF}`,
:math:`B=\rho_0`).  One kernel, :func:`log_plateau_plus_activated`, evaluates
:math:`\log g = \log P + \operatorname{softplus}(\log B - \log P - E_a/T)`; it never
overflows or underflows (``E_a/T`` of 700 and more is fine) and its gradients stay finite as
``T → 0`` and at ``T = 0`` (a double ``where`` switches to the exact limit ``log P`` once the
activated term is below the smallest float, so no ``0·∞`` reaches the chain rule).

Units: T in K, activation energies as :math:`E_a/k_B` in K, ρ in Ω/□, σ in S (= 1/(Ω/□)).

The curvature :math:`d^2\rho/dT^2` (Fig. 4a) is taken by automatic differentiation
(:func:`curvature`).  Its zero is unique for both laws (see :func:`curvature_zero`):

* Eq. (2): :math:`\rho'' = \rho_0 e^{-y}(y^2 - 2y)/T^2` with :math:`y = E_a/T`, zero at
  :math:`T^* = E_a/2` for any :math:`\rho_{QF}, \rho_0`.
* Eq. (1): :math:`\rho'' = (2g'^2 - g g'')/g^3` vanishes where
  :math:`\sigma_0 e^{-y}(y+2) = \sigma_{QF}(y-2)`, i.e.
  :math:`h(y) = y + \log\frac{y-2}{y+2} - \log\frac{\sigma_0}{\sigma_{QF}} = 0`; ``h`` is
  increasing and concave on :math:`(2, \infty)` and runs from :math:`-\infty` to
  :math:`+\infty`, so there is exactly one root :math:`y^* > 2`, :math:`T^* = E_a/y^*`.
  Below :math:`T^*` the curve bends over into the plateau (ρ'' < 0), above it the
  insulating divergence is convex (ρ'' > 0).
"""

import jax
import jax.numpy as jnp
from jaxtyping import Array, ArrayLike, Float

from .._checks import check, check_broadcast, check_choice, check_result, guard

LAWS = ("insulator", "superconductor")
PARAM_NAMES = {
    "insulator": ("sigma_QF", "sigma_0", "E_a"),
    "superconductor": ("rho_QF", "rho_0", "E_a"),
}

# exp(-Z_CUT) is below the smallest positive float64 (~4.9e-324): past it the activated term
# is exactly zero in floating point and the kernel returns the limit log P.
_Z_CUT = 745.2


def log_plateau_plus_activated(
    T: Float[ArrayLike, "..."],
    log_P: Float[ArrayLike, "..."],
    log_B: Float[ArrayLike, "..."],
    E_a: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Stable :math:`\log(P + B e^{-E_a/T})` — the common kernel of Eqs. (1) and (2).

    Parameters
    ----------
    T
        Temperature [K], ``T >= 0`` (``T = 0`` returns the limit ``log_P``).
    log_P
        Natural log of the plateau ``P`` (σ_QF [S] or ρ_QF [Ω/□]).
    log_B
        Natural log of the activated prefactor ``B`` (σ_0 or ρ_0).
    E_a
        Activation energy E_a/k_B [K], ``E_a >= 0``.

    Returns
    -------
    Array
        ``log g`` broadcast over the arguments.  No argument checks (a traced kernel).

    Notes
    -----
    At T = 0 the gradients are exactly the limits: d/dT = d/dE_a = 0.

    Valid for
        T ≥ 0, E_a ≥ 0, finite log_P, log_B; no argument checks (a traced kernel). Any
        E_a/T (700 and far beyond: the exact limit log P once the term is below the
        smallest float); gradients finite everywhere there, including T → 0 and T = 0.
    """
    T, log_P, log_B, E_a = jnp.broadcast_arrays(*map(jnp.asarray, (T, log_P, log_B, E_a)))
    # z = log(B e^{-E_a/T} / P); negligible <=> z < -Z_CUT <=> E_a > (log B - log P + Z_CUT) T
    negligible = (T <= 0) | (E_a > (log_B - log_P + _Z_CUT) * T)
    T_safe = jnp.where(negligible, jnp.ones_like(T), T)
    z = log_B - log_P - E_a / T_safe
    return jnp.where(negligible, log_P, log_P + jax.nn.softplus(z))


def log_failed_insulator(
    T: Float[ArrayLike, "..."],
    log_sigma_QF: Float[ArrayLike, "..."],
    log_sigma_0: Float[ArrayLike, "..."],
    E_a: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Natural log of Eq. (1), :math:`\log\rho = -\log[\sigma_{QF} + \sigma_0 e^{-E_a/T}]`.

    The log-parametrised form used inside fits (``log_sigma_QF = log σ_QF`` with σ in S);
    no argument checks.  Valid for T ≥ 0 [K], E_a ≥ 0 [K].

    Valid for
        T ≥ 0 [K], E_a ≥ 0 [K], finite logs; no argument checks (a traced kernel); never
        overflows (log space), finite gradients at T = 0.
    """
    return -log_plateau_plus_activated(T, log_sigma_QF, log_sigma_0, E_a)


def log_failed_superconductor(
    T: Float[ArrayLike, "..."],
    log_rho_QF: Float[ArrayLike, "..."],
    log_rho_0: Float[ArrayLike, "..."],
    E_a: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Natural log of Eq. (2), :math:`\log\rho = \log[\rho_{QF} + \rho_0 e^{-E_a/T}]`.

    The log-parametrised form used inside fits (ρ in Ω/□); no argument checks.
    Valid for T ≥ 0 [K], E_a ≥ 0 [K].

    Valid for
        T ≥ 0 [K], E_a ≥ 0 [K], finite logs; no argument checks (a traced kernel); never
        overflows (log space), finite gradients at T = 0.
    """
    return log_plateau_plus_activated(T, log_rho_QF, log_rho_0, E_a)


_OVERFLOW_HINT = (
    "the parameters are beyond the float range (e.g. sigma_QF ~ 1e-310 S, rho_0 ~ 1e308); "
    "use S and Ohm/sq with physical magnitudes, or the log_* kernels"
)


def _check_law_args(T, plateau, prefactor, E_a, names):
    """Validate (and, when traced, guard at run time) the arguments of Eqs. (1)-(2)."""
    check_broadcast(**{"T": T, names[0]: plateau, names[1]: prefactor, "E_a": E_a})
    return (
        guard("T", T, ge=0, valid="temperature in K; T = 0 gives the T → 0 limit"),
        guard(names[0], plateau, gt=0, valid="the temperature-independent saturation term"),
        guard(names[1], prefactor, gt=0, valid="the prefactor of the activated term"),
        guard("E_a", E_a, ge=0, valid="activation energy E_a/k_B in K"),
    )


def failed_insulator(
    T: Float[ArrayLike, "..."],
    sigma_QF: Float[ArrayLike, "..."],
    sigma_0: Float[ArrayLike, "..."],
    E_a: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Failed-insulator resistivity, Eq. (1): :math:`\rho=[\sigma_{QF}+\sigma_0 e^{-E_a/T}]^{-1}`.

    Parameters
    ----------
    T
        Temperature [K].
    sigma_QF
        Temperature-independent quantum-fluctuation conductivity σ_QF [S] (per square).
    sigma_0
        Prefactor of the thermally activated conductivity σ_0 [S].
    E_a
        Activation energy E_aI/k_B [K].

    Returns
    -------
    Array
        ρ [Ω/□], broadcast over the arguments.  ρ → 1/σ_QF as T → 0.

    Notes
    -----
    Evaluated as ``exp(log ρ)`` with the stable kernel :func:`log_plateau_plus_activated`:
    no overflow for E_a/T up to and beyond 700, finite gradients as T → 0.

    Valid for
        T ≥ 0, σ_QF > 0, σ_0 > 0, E_a ≥ 0; works under ``jit``, ``grad``, ``vmap``.
    """
    T, sigma_QF, sigma_0, E_a = _check_law_args(T, sigma_QF, sigma_0, E_a, ("sigma_QF", "sigma_0"))
    rho = jnp.exp(log_failed_insulator(T, jnp.log(sigma_QF), jnp.log(sigma_0), E_a))
    return check_result("rho", rho, hint=_OVERFLOW_HINT)


def failed_superconductor(
    T: Float[ArrayLike, "..."],
    rho_QF: Float[ArrayLike, "..."],
    rho_0: Float[ArrayLike, "..."],
    E_a: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Failed-superconductor resistivity, Eq. (2): :math:`\rho = \rho_{QF} + \rho_0 e^{-E_a/T}`.

    Parameters
    ----------
    T
        Temperature [K].
    rho_QF
        Temperature-independent quantum-fluctuation resistivity ρ_QF [Ω/□].
    rho_0
        Prefactor of the thermally activated resistivity ρ_0 [Ω/□].
    E_a
        Activation energy E_aS/k_B [K].

    Returns
    -------
    Array
        ρ [Ω/□], broadcast over the arguments.  ρ → ρ_QF as T → 0.

    Notes
    -----
    Evaluated as ``exp(log ρ)`` with the stable kernel :func:`log_plateau_plus_activated`.

    Valid for
        T ≥ 0, ρ_QF > 0, ρ_0 > 0, E_a ≥ 0; works under ``jit``, ``grad``, ``vmap``.
    """
    T, rho_QF, rho_0, E_a = _check_law_args(T, rho_QF, rho_0, E_a, ("rho_QF", "rho_0"))
    rho = jnp.exp(log_failed_superconductor(T, jnp.log(rho_QF), jnp.log(rho_0), E_a))
    return check_result("rho", rho, hint=_OVERFLOW_HINT)


LAW_FUNCTIONS = {"insulator": failed_insulator, "superconductor": failed_superconductor}


def _law_params(law: str, params: dict) -> tuple:
    check_choice("law", law, LAWS)
    names = PARAM_NAMES[law]
    missing = [n for n in names if n not in params]
    extra = [n for n in params if n not in names]
    if missing or extra:
        raise TypeError(
            f"law {law!r} takes parameters {', '.join(names)}; "
            + (f"missing {', '.join(missing)}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unexpected {', '.join(extra)}" if extra else "")
        )
    return tuple(params[n] for n in names)


def resistivity(T: Float[ArrayLike, "..."], law: str, **params) -> Float[Array, "..."]:
    """ρ(T) of ``law`` = ``"insulator"`` (Eq. (1)) or ``"superconductor"`` (Eq. (2)).

    ``params`` are the law's keyword parameters (``sigma_QF, sigma_0, E_a`` or
    ``rho_QF, rho_0, E_a``); units and domain as in :func:`failed_insulator` /
    :func:`failed_superconductor`.

    Valid for
        T ≥ 0, positive plateau and prefactor, E_a ≥ 0.
    """
    args = _law_params(law, params)
    return LAW_FUNCTIONS[law](T, *args)


def curvature(T: Float[ArrayLike, "..."], law: str, **params) -> Float[Array, "..."]:
    r"""Curvature :math:`d^2\rho/dT^2` [Ω/□/K²] of Eq. (1) or (2) by automatic differentiation.

    Parameters
    ----------
    T
        Temperature [K], T ≥ 0.
    law
        ``"insulator"`` (Eq. (1)) or ``"superconductor"`` (Eq. (2)).
    **params
        The law's parameters (``sigma_QF, sigma_0, E_a`` or ``rho_QF, rho_0, E_a``),
        broadcasting with ``T``.

    Returns
    -------
    Array
        d²ρ/dT², broadcast over ``T`` and the parameters (Fig. 4a: its sign change marks
        where saturation takes over).  Finite as T → 0 (it tends to 0).

    Valid for
        T ≥ 0, positive plateau and prefactor, E_a ≥ 0; finite as T → 0 (tends to 0) and
        for E_a/T past 745 (the activated term is exactly 0 there).
    """
    args = _law_params(law, params)
    T, *args = _check_law_args(T, args[0], args[1], args[2], PARAM_NAMES[law][:2])
    log_fn = log_failed_insulator if law == "insulator" else log_failed_superconductor

    def rho(t, log_p, log_b, e_a):
        return jnp.exp(log_fn(t, log_p, log_b, e_a))

    d2 = jnp.vectorize(jax.grad(jax.grad(rho)))
    T = jnp.asarray(T, dtype=jnp.result_type(float))
    return d2(T, jnp.log(args[0]), jnp.log(args[1]), jnp.asarray(args[2], dtype=T.dtype))


def _insulator_curvature_root(c: Array) -> Array:
    r"""Root :math:`y^* > 2` of :math:`h(y) = y + \log\frac{y-2}{y+2} - c` (elementwise).

    Solved for :math:`v = \log(y - 2)` (so that :math:`y^* \to 2^+` for :math:`c \to -\infty`
    keeps its full relative precision): :math:`H(v) = e^v + 2 + v - \log(e^v + 4) - c` is
    increasing with :math:`H' = e^v + 4/(e^v + 4) > 0`; the bracket
    :math:`[\min(c, 0) - 10, \log\max(1, c)]` has ``H < 0`` at its bottom and ``H > 0`` at its
    top (module notes).  Bisection to machine precision, then one Newton step taken with
    gradients, which gives the exact implicit derivative :math:`dv^*/dc = 1/H'(v^*)` (implicit
    function theorem) without differentiating through the iterations.
    """
    c = jnp.asarray(c)
    cs = jax.lax.stop_gradient(c)
    lo = jnp.minimum(cs, 0.0) - 10.0
    hi = jnp.log(jnp.maximum(cs, 1.0))

    def H(v, c):
        return jnp.exp(v) + 2.0 + v - jnp.log(jnp.exp(v) + 4.0) - c

    def body(_, bracket):
        a, b = bracket
        m = 0.5 * (a + b)
        pos = H(m, cs) > 0
        return jnp.where(pos, a, m), jnp.where(pos, m, b)

    # the bracket is at most |c| + 10 + log(max(1, c)) wide: 200 halvings reach float64
    # resolution for any finite c
    lo, hi = jax.lax.fori_loop(0, 200, body, (lo, hi))
    v = 0.5 * (lo + hi)
    dH = jnp.exp(v) + 4.0 / (jnp.exp(v) + 4.0)
    v = v - H(v, c) / dH
    return 2.0 + jnp.exp(v)


def curvature_zero(law: str, **params) -> Float[Array, "..."]:
    r"""Temperature T* [K] where d²ρ/dT² of Eq. (1) or (2) changes sign (Fig. 4a).

    Parameters
    ----------
    law
        ``"insulator"`` or ``"superconductor"``.
    **params
        ``sigma_QF, sigma_0, E_a`` (Eq. (1)) or ``rho_QF, rho_0, E_a`` (Eq. (2)); arrays
        broadcast.

    Returns
    -------
    Array
        T* [K].  Eq. (2): ``E_a/2`` exactly.  Eq. (1): ``E_a/y*`` with ``y* > 2`` the unique
        root of :math:`\sigma_0 e^{-y}(y+2) = \sigma_{QF}(y-2)` (module notes); below T* the
        curve bends into the plateau, above it the activated rise is convex.

    Notes
    -----
    Differentiable (implicit derivative of the root).  E_a = 0 has no curvature.

    Valid for
        σ_QF, σ_0 (or ρ_QF, ρ_0) > 0 and E_a ≥ 0 (E_a = 0 returns T* = 0); accurate to
        float64 rounding for any finite log(σ_0/σ_QF) (bisection + one Newton step).
    """
    plateau, prefactor, E_a = _law_params(law, params)
    check(PARAM_NAMES[law][0], plateau, gt=0)
    check(PARAM_NAMES[law][1], prefactor, gt=0)
    check("E_a", E_a, ge=0, valid="activation energy E_a/k_B in K")
    E_a = jnp.asarray(E_a, dtype=jnp.result_type(float))
    if law == "superconductor":
        return jnp.broadcast_to(
            0.5 * E_a, jnp.broadcast_shapes(*map(jnp.shape, (plateau, prefactor, E_a)))
        )
    c = jnp.log(prefactor) - jnp.log(plateau)
    c, E_a = jnp.broadcast_arrays(c, E_a)
    return E_a / _insulator_curvature_root(c)
