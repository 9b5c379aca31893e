r"""Field dependence of the saturation parameters (Zhang et al. 2022, Fig. 4 and Fig. S2).

* :func:`power_law` / :func:`fit_power_law` — σ_QF ∝ H^a (insulating side, paper: a = −4.7
  for S1) and ρ_QF⁻¹ ∝ H^b (superconducting side, b = −0.45), fitted in log space with the
  per-field standard errors as weights, so the exponents come with uncertainties;
* :func:`crossover` — the field H* where the two branches meet, i.e. where the saturation
  resistance of the failed superconductor (ρ_QF) equals that of the failed insulator
  (1/σ_QF), with its uncertainty propagated from both power-law fits (paper: H* ≈ 300 Oe,
  saturation resistance there ≈ R_Q = h/4e² ≈ 6.45 kΩ/□);
* :func:`magnetoresistance` / :func:`fit_magnetoresistance` — the low-field
  magnetoresistance ρ_xx = ρ_0 + A|H|^p (supplement, Fig. S2).

Fields in Oe, resistivities in Ω/□, conductivities in S.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
from jaxtyping import Array, ArrayLike, Float

from .. import units
from .._checks import DomainError, check, check_same_shape
from ..fit import FitResult, Parameter, least_squares


def power_law(
    H: Float[ArrayLike, "..."],
    amplitude: Float[ArrayLike, "..."],
    exponent: Float[ArrayLike, "..."],
    H_ref: Float[ArrayLike, "..."] = 1.0,
) -> Float[Array, "..."]:
    r"""Power law :math:`y = A\,(H/H_\mathrm{ref})^{e}` (Fig. 4b: σ_QF ∝ H^a, ρ_QF⁻¹ ∝ H^b).

    Parameters
    ----------
    H
        Field [Oe], > 0.
    amplitude
        A: the value at ``H_ref`` (units of y).
    exponent
        e (dimensionless).
    H_ref
        Reference field [Oe], > 0.

    Returns
    -------
    Array
        y, broadcast over the arguments.  Valid for H, H_ref > 0.

    Valid for
        H > 0, H_ref > 0, amplitude > 0, any real exponent.
    """
    check("H", H, gt=0, valid="field in Oe")
    check("H_ref", H_ref, gt=0, valid="reference field in Oe")
    return _power_law(jnp.asarray(H, float), amplitude, exponent, H_ref)


def _power_law(H, amplitude, exponent, H_ref):
    return amplitude * jnp.exp(exponent * jnp.log(H / H_ref))


def _log_power_law(log_H_rel, amplitude, exponent):
    """Log y of the power law, with ``log_H_rel = log(H/H_ref)``: the fitted model."""
    return jnp.log(amplitude) + exponent * log_H_rel


def fit_power_law(
    H, y, y_err=None, *, H_ref: float | None = None, scale_covar: bool | None = None
) -> FitResult:
    r"""Fit :math:`y = A (H/H_r)^e` in log space, :math:`\log y = \log A + e\log(H/H_r)`.

    Parameters
    ----------
    H
        Fields [Oe], shape ``(n,)``, > 0, at least 2 (3 for a scatter-based error).
    y
        Values > 0 at those fields (e.g. σ_QF [S] or 1/ρ_QF [S]).
    y_err
        1-σ errors of ``y`` (e.g. the per-field fit stderr); used as ``σ_log = y_err/y``
        (first-order propagation).  ``None``: equal relative weights.
    H_ref
        Reference field of the amplitude [Oe]; default the geometric mean of ``H``, which
        decorrelates ``amplitude`` from ``exponent``.
    scale_covar
        Scale the covariance by redchi; default ``True`` without ``y_err`` (the scatter sets
        the error bars) and ``False`` with it (``y_err`` are taken as true standard errors).

    Returns
    -------
    FitResult
        Parameters ``amplitude`` (value at ``H_ref``) and ``exponent`` with stderr;
        ``result.extra["H_ref"]`` holds ``H_ref``.

    Notes
    -----
    Being linear in (log A, e), the fit converges in a couple of
    Levenberg–Marquardt steps and equals weighted linear regression in log–log axes.

    Valid for
        H > 0, y > 0, finite, ≥ 2 points; sigma > 0.
    """
    H = np.asarray(H, dtype=float)
    y = np.asarray(y, dtype=float)
    check_same_shape(H=H, y=y)
    if H.ndim != 1 or H.size < 2:
        raise DomainError(f"fit_power_law needs at least 2 fields in a 1-D array; got {H.shape}")
    check("H", H, gt=0, valid="field in Oe")
    check("y", y, gt=0, valid="a power law fits positive values")
    if y_err is not None:
        y_err = np.asarray(y_err, dtype=float)
        check_same_shape(H=H, y_err=y_err)
        check("y_err", y_err, gt=0)
    if H_ref is None:
        H_ref = float(np.exp(np.mean(np.log(H))))
    check("H_ref", H_ref, gt=0)
    x = np.log(H / H_ref)
    ly = np.log(y)
    slope, intercept = np.polyfit(x, ly, 1) if np.ptp(x) > 0 else (0.0, float(np.mean(ly)))
    sig = None if y_err is None else y_err / y
    if scale_covar is None:
        scale_covar = y_err is None
    params = {
        "amplitude": Parameter(float(np.exp(intercept)), min=0.0, transform="log"),
        "exponent": Parameter(float(slope)),
    }
    return least_squares(
        _log_power_law, params, x, ly, sig, scale_covar=scale_covar, extras={"H_ref": H_ref}
    )


@dataclasses.dataclass(frozen=True)
class Crossover:
    """Where the failed-superconductor and failed-insulator branches meet (Fig. 4b).

    Attributes
    ----------
    H_star, H_star_stderr
        Crossover field [Oe] (intersection of ρ_QF⁻¹(H) and σ_QF(H)) and its 1-σ error.
    R_star, R_star_stderr
        Saturation resistance at H* [Ω/□] and its 1-σ error.
    R_star_over_R_Q
        R_star in units of R_Q = h/4e².
    H_below, H_above
        The highest field fitted by Eq. (2) and the lowest fitted by Eq. (1) [Oe].
    method
        ``"power-law intersection"`` or, with fewer than two fields on a side,
        ``"bracket"`` (geometric mean of H_below and H_above; R* from the nearer field).
    """

    H_star: float
    H_star_stderr: float
    R_star: float
    R_star_stderr: float
    R_star_over_R_Q: float
    H_below: float
    H_above: float
    method: str

    def summary(self) -> str:
        """One line: H* ± err, R* ± err and R*/R_Q.

        Valid for
            any Crossover (formatting only).
        """
        return (
            f"H* = {self.H_star:.4g} ± {self.H_star_stderr:.2g} Oe "
            f"(between {self.H_below:g} and {self.H_above:g} Oe; {self.method}), "
            f"saturation resistance there {self.R_star:.4g} ± {self.R_star_stderr:.2g} "
            f"Ohm/sq = {self.R_star_over_R_Q:.3f} R_Q"
        )


def _intersection(theta, H_ref_b, H_ref_a):
    """Log H* and log R* from (log A_b, b, log A_a, a): A_b (H/H_rb)^b = A_a (H/H_ra)^a."""
    log_Ab, b, log_Aa, a = theta
    log_H = (log_Aa - log_Ab - a * jnp.log(H_ref_a) + b * jnp.log(H_ref_b)) / (b - a)
    log_R = -(log_Ab + b * (log_H - jnp.log(H_ref_b)))
    return jnp.stack([log_H, log_R])


def crossover(
    H_below: float,
    H_above: float,
    rho_QF_inv_law: FitResult | None = None,
    sigma_QF_law: FitResult | None = None,
    R_below: float | None = None,
    R_above: float | None = None,
) -> Crossover:
    r"""Crossover field H* and saturation resistance there, from the two power laws.

    Parameters
    ----------
    H_below, H_above
        Highest Eq.-(2) field and lowest Eq.-(1) field [Oe].
    rho_QF_inv_law, sigma_QF_law
        :func:`fit_power_law` results for ρ_QF⁻¹(H) and σ_QF(H).  When both are given, H*
        solves :math:`A_b (H/H_{rb})^b = A_a (H/H_{ra})^a` (equal saturation resistance on
        both branches) and its error is propagated (delta method, the two fits independent)
        through the closed form by ``jax.jacfwd``.
    R_below, R_above
        Saturation resistances at H_below and H_above [Ω/□], used (``method="bracket"``)
        when a power law is missing.

    Returns
    -------
    Crossover

    Notes
    -----
    Valid when the two power laws have different exponents (b ≠ a) and the crossover lies
    near the fitted fields; an intersection far outside [H_below, H_above] is an
    extrapolation of the power laws.

    Valid for
        H_below < H_above (Oe, > 0) and power laws fitted on each side; without them the
        crossover is bracketed by the two fields.
    """
    if rho_QF_inv_law is not None and sigma_QF_law is not None:
        Hb, Ha = rho_QF_inv_law.extra["H_ref"], sigma_QF_law.extra["H_ref"]
        pb, pa = rho_QF_inv_law.params, sigma_QF_law.params
        theta = jnp.array(
            [np.log(pb["amplitude"]), pb["exponent"], np.log(pa["amplitude"]), pa["exponent"]]
        )
        out = np.asarray(_intersection(theta, Hb, Ha))
        jac = np.asarray(jax.jacfwd(_intersection)(theta, Hb, Ha))
        cov = np.zeros((4, 4))
        for k, res in ((0, rho_QF_inv_law), (2, sigma_QF_law)):
            c = np.asarray(res.covariance)
            amp = res.params["amplitude"]
            # covariance of (log A, e): d log A = dA/A
            scale = np.array([1.0 / amp, 1.0])
            cov[k : k + 2, k : k + 2] = c * scale[:, None] * scale[None, :]
        err = np.sqrt(np.diag(jac @ cov @ jac.T))
        H_star, R_star = float(np.exp(out[0])), float(np.exp(out[1]))
        return Crossover(
            H_star,
            H_star * float(err[0]),
            R_star,
            R_star * float(err[1]),
            R_star / units.R_Q,
            float(H_below),
            float(H_above),
            "power-law intersection",
        )
    if R_below is None or R_above is None:
        raise DomainError("crossover needs both power laws, or R_below and R_above")
    H_star = float(np.sqrt(H_below * H_above))
    R_star = float(np.sqrt(R_below * R_above))
    return Crossover(
        H_star,
        float(H_above - H_below) / 2,
        R_star,
        abs(float(R_above - R_below)) / 2,
        R_star / units.R_Q,
        float(H_below),
        float(H_above),
        "bracket",
    )


def magnetoresistance(
    H: Float[ArrayLike, "..."],
    rho_0: Float[ArrayLike, "..."],
    A: Float[ArrayLike, "..."],
    p: Float[ArrayLike, "..."],
) -> Float[Array, "..."]:
    r"""Low-field magnetoresistance :math:`\rho_{xx} = \rho_0 + A|H|^p` (supplement, Fig. S2).

    Parameters
    ----------
    H
        Field [Oe] (either sign).
    rho_0
        Zero-field resistivity [Ω/□].
    A
        Amplitude [Ω/□/Oe^p].
    p
        Exponent, > 0.

    Returns
    -------
    Array
        ρ_xx [Ω/□].

    Notes
    -----
    ``|H|^p`` is evaluated as ``exp(p log|H|)`` behind a double ``where``, so at H = 0 the
    value is ρ_0 and the gradients with respect to ``A`` and ``p`` are 0 (their limits);
    d/dH at H = 0 is returned as 0 (the one-sided limit for p > 1; for p ≤ 1 the
    derivative does not exist).  Valid for p > 0.

    Valid for
        H real, ρ_0 > 0, p > 0.
    """
    check("H", H, valid="field in Oe")
    check("p", p, gt=0, valid="exponent of |H|^p")
    return _magnetoresistance(jnp.asarray(H, float), rho_0, A, p)


def _magnetoresistance(H, rho_0, A, p):
    absH = jnp.abs(H)
    nz = absH > 0
    safe = jnp.where(nz, absH, 1.0)
    return rho_0 + A * jnp.where(nz, jnp.exp(p * jnp.log(safe)), 0.0)


def fit_magnetoresistance(H, rho, sigma=None, *, p0: float = 1.5) -> FitResult:
    r"""Fit :math:`\rho_{xx} = \rho_0 + A|H|^p` to a field sweep at fixed temperature.

    Parameters
    ----------
    H
        Fields [Oe], shape ``(n,)``, ``n >= 4``, not all zero.
    rho
        ρ_xx [Ω/□].
    sigma
        1-σ errors of ρ (``None``: equal weights, error bars from the scatter).
    p0
        Starting exponent (> 0) when the data cannot give one (fewer than two points above
        the zero-field value); otherwise the start is the log–log slope of ρ − ρ(H≈0).

    Returns
    -------
    FitResult
        ``rho_0``, ``A``, ``p`` with stderr.  A is started from a log–log regression of
        ρ − ρ_min, ρ_0 from the value nearest H = 0.  Valid for p > 0.

    Valid for
        H ≥ 0, ρ > 0, finite, ≥ 4 points; the power p > 0.
    """
    H = np.asarray(H, dtype=float)
    rho = np.asarray(rho, dtype=float)
    check_same_shape(H=H, rho=rho)
    check("H", H)
    check("rho", rho)
    if H.ndim != 1 or H.size < 4 or not np.any(H != 0):
        raise DomainError("fit_magnetoresistance needs at least 4 points with some H != 0")
    check("p0", p0, gt=0)
    i0 = int(np.argmin(np.abs(H)))
    rho0 = float(rho[i0])
    sel = (np.abs(H) > 0) & (rho > rho0)
    if sel.sum() >= 2:
        p_s, logA = np.polyfit(np.log(np.abs(H[sel])), np.log(rho[sel] - rho0), 1)
        p_s = float(np.clip(p_s, 0.2, 4.0))
        A0 = float(np.exp(logA))
    else:
        p_s = p0
        A0 = float(np.ptp(rho) / max(np.max(np.abs(H)) ** p_s, 1e-300)) or 1e-12
    params = {"rho_0": Parameter(rho0), "A": Parameter(A0), "p": Parameter(p_s, min=0.0)}
    if sigma is not None:
        sigma = np.asarray(sigma, dtype=float)
        check("sigma", sigma, gt=0)
    return least_squares(_magnetoresistance, params, H, rho, sigma, scale_covar=sigma is None)
