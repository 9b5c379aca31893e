r"""Hydrodynamic conductivity of a superfluid with mobile vortices (Delacrétaz & Hartnoll 2018).

Units ħ = e* = 2e = 1, time dependence :math:`e^{-i\omega t}`; all rates (ω, Ω, Ω_H) in one
common unit of frequency, conductivities in units of e*²/ħ (or any unit, consistently: f_s has
the units of conductivity × frequency).

The linearised hydrodynamics of L. V. Delacrétaz and S. A. Hartnoll, Phys. Rev. B 97, 220506
(2018), is the Josephson relation, Eq. (4),

.. math:: \dot u_\phi^i = E^i + \epsilon^{ij} j_v^j ,

and the generalised Ohm's law, Eq. (5) (with the Hall part α_v^H dropped as in the paper),

.. math::
    j_o^i = \hat\sigma_o^{ij} E^j + \alpha_v f_s \epsilon^{ij} u_\phi^j ,\qquad
    j_v^i = \alpha_v E^i + \hat\Omega^{ij} \epsilon^{jk} u_\phi^k ,

with :math:`j = j_o + f_s u_\phi`, :math:`\hat\sigma_o = \sigma_o + \sigma_o^H\epsilon`,
:math:`\hat\Omega = \Omega + \Omega_H \epsilon`, :math:`\epsilon^{xy} = 1`.  Solving them gives
Eqs. (6)-(7), implemented here.  Every 2×2 tensor in the problem is of the form
:math:`A\,\mathbb 1 + B\,\epsilon`, so :math:`\sigma^{ij} = \sigma_{xx}\delta^{ij} +
\sigma_{xy}\epsilon^{ij}`, i.e. :math:`\sigma_{yx} = -\sigma_{xy}` and
:math:`\sigma_{yy} = \sigma_{xx}`.

Entropy production (positivity of the symmetric part of the Onsager matrix in Eq. (5)) requires
:math:`\alpha_v^2 \le \sigma_o\Omega/f_s`.  A violation is reported as a **warning flag**, not an
error: see :class:`EntropyBoundWarning` for the reasons.
"""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .._checks import check_result
from .._precision import eps
from . import _validate as v


class EntropyBoundWarning(UserWarning):
    r"""Parameters violating the entropy-production bound :math:`\alpha_v^2 \le \sigma_o\Omega/f_s`.

    Why a warning and not an error:

    * :func:`sigma_xy` does not receive σ_o, so the bound cannot be checked consistently by
      every function of the contract;
    * the flux-flow closure, Eqs. (2) and (17), with σ_o = 0 gives
      :math:`\alpha_v^2 f_s/\Omega = x (\sigma_n^H)^2/(2\sigma_n) > 0`, i.e. it violates the
      bound at O(x), beyond the accuracy of the leading-order hydrodynamic expansion; an error
      would reject the paper's own parameter sets;
    * inside ``jit``/``grad``/``vmap`` (every fit) values are not known, so an error could never
      be raised there anyway.

    What a violation means physically: the symmetric part of the Onsager matrix in Eq. (5) is
    not positive, and at frequencies :math:`\omega \gtrsim \Omega` one circular polarisation
    absorbs negative power, :math:`\mathrm{Re}\,\sigma_\pm(\omega) < 0`.  Use
    :func:`entropy_bound_margin` to test parameter sets programmatically (it works under jit).
    """


def entropy_bound_margin(f_s, Omega, alpha_v, sigma_o):
    r"""Margin of the entropy-production bound, :math:`\sigma_o\Omega - \alpha_v^2 f_s`.

    Delacrétaz & Hartnoll (2018), after Eq. (7): positivity of entropy production requires
    :math:`\alpha_v^2 \le \sigma_o\Omega/f_s`, i.e. a margin ``>= 0`` (the form multiplied by
    f_s stays finite at f_s = 0).

    Parameters
    ----------
    f_s, Omega, alpha_v, sigma_o
        Superfluid stiffness (≥ 0), phase-relaxation rate (≥ 0), vorto-electric conductivity
        and normal-component conductivity (≥ 0); broadcast together.

    Returns
    -------
    Array
        :math:`\sigma_o\Omega - \alpha_v^2 f_s` (units of f_s); negative where the bound is
        violated.  Works under jit, grad and vmap.

    Valid for
        all real inputs (the sign is the physical statement).
    """
    for name, x in (("f_s", f_s), ("Omega", Omega), ("alpha_v", alpha_v), ("sigma_o", sigma_o)):
        v.real(name, x)
    v.broadcast(f_s=f_s, Omega=Omega, alpha_v=alpha_v, sigma_o=sigma_o)
    f_s, Omega, alpha_v, sigma_o = map(v.as_float, (f_s, Omega, alpha_v, sigma_o))
    return sigma_o * Omega - alpha_v**2 * f_s


def _warn_if_entropy_violated(f_s, Omega, alpha_v, sigma_o) -> None:
    """Emit :class:`EntropyBoundWarning` for concrete inputs that violate the bound."""
    if not v.concrete(f_s, Omega, alpha_v, sigma_o):
        return
    lhs = np.asarray(alpha_v, dtype=float) ** 2 * np.asarray(f_s, dtype=float)
    rhs = np.asarray(sigma_o, dtype=float) * np.asarray(Omega, dtype=float)
    # a violation beyond rounding: relative slack of a few ulps of the larger side
    bad = lhs - rhs > 8 * eps() * np.maximum(np.abs(lhs), np.abs(rhs))
    if np.any(bad):
        lhs_b, rhs_b = np.broadcast_arrays(lhs, rhs)
        i = np.unravel_index(int(np.argmax(bad)), np.shape(bad)) if np.ndim(bad) else ()
        need = lhs_b[i] / np.broadcast_to(np.asarray(Omega, dtype=float), lhs_b.shape)[i]
        warnings.warn(
            "entropy-production bound alpha_v**2 <= sigma_o*Omega/f_s violated "
            f"({int(np.sum(bad))} of {np.size(bad)} parameter sets; first: alpha_v**2*f_s = "
            f"{float(lhs_b[i]):.6g} > sigma_o*Omega = {float(rhs_b[i]):.6g}; sigma_o >= "
            f"{float(need):.6g} would satisfy it). One circular polarisation then absorbs "
            "negative power at high frequency (Delacretaz & Hartnoll 2018, after Eq. (7)).",
            EntropyBoundWarning,
            stacklevel=3,
        )


_OVERFLOW_HINT = (
    "f_s/Omega or the rates are beyond the float range; rescale the units of frequency or "
    "conductivity"
)


def _check_hydro(omega, f_s, Omega, Omega_H, alpha_v, **extra):
    """Validate the arguments of Eqs. (6)-(7) and return them as float arrays."""
    v.broadcast(omega=omega, f_s=f_s, Omega=Omega, Omega_H=Omega_H, alpha_v=alpha_v, **extra)
    omega = v.real(
        "omega", omega, valid="real angular frequency (any sign; sigma(-w) = conj sigma(w))"
    )
    f_s = v.real("f_s", f_s, ge=0)
    Omega = v.real("Omega", Omega, gt=0)
    Omega_H = v.real("Omega_H", Omega_H)
    alpha_v = v.real("alpha_v", alpha_v)
    extra = {
        name: v.real(name, x, **({"ge": 0} if name == "sigma_o" else {}))
        for name, x in extra.items()
    }
    return [v.as_float(x) for x in (omega, f_s, Omega, Omega_H, alpha_v, *extra.values())]


def _complex(re, im):
    """``re + i im`` without mixed real/complex arithmetic (valid under strict promotion)."""
    return jax.lax.complex(*jnp.broadcast_arrays(re, im))


def _denominator(omega, Omega, Omega_H):
    r""":math:`(-i\omega+\Omega)^2 + \Omega_H^2` in factorised form.

    :math:`(\Omega - i(\omega-\Omega_H))(\Omega - i(\omega+\Omega_H))` has no cancellation at
    the resonance ω ≈ ±Ω_H even when Ω ≪ |Ω_H| (the expanded form loses Ω²/Ω_H² there).
    """
    return _complex(Omega, Omega_H - omega) * _complex(Omega, -(omega + Omega_H))


def _sigma_xx(omega, f_s, Omega, Omega_H, alpha_v, sigma_o):
    """Eq. (6) on validated float arrays (pure kernel; broadcasts)."""
    c = 1 - alpha_v**2
    num = _complex(c * Omega + 2 * alpha_v * Omega_H, -c * omega)
    z = num / _denominator(omega, Omega, Omega_H)
    return f_s.astype(z.dtype) * z + sigma_o.astype(z.dtype)


def _sigma_xy(omega, f_s, Omega, Omega_H, alpha_v, sigma_oH):
    """Eq. (7) on validated float arrays (pure kernel; broadcasts)."""
    c = 1 - alpha_v**2
    num = _complex(2 * alpha_v * Omega - c * Omega_H, -2 * alpha_v * omega)
    z = num / _denominator(omega, Omega, Omega_H)
    return f_s.astype(z.dtype) * z + sigma_oH.astype(z.dtype)


def sigma_xx(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0):
    r"""Longitudinal optical conductivity σ_xx(ω), Eq. (6) of Delacrétaz & Hartnoll (2018).

    .. math::
        \sigma_{xx}(\omega) = f_s\,\frac{(1-\alpha_v^2)(-i\omega+\Omega) + 2\alpha_v\Omega_H}
        {(-i\omega+\Omega)^2 + \Omega_H^2} + \sigma_o

    Eq. (6) follows from Eqs. (4)-(5) (checked against a direct 2×2 solve of those equations in
    the tests); the denominator is evaluated in the factorised form
    :math:`(\Omega - i(\omega-\Omega_H))(\Omega - i(\omega+\Omega_H))`, exact at the
    supercyclotron resonance.

    Parameters
    ----------
    omega
        Angular frequency (real; σ(−ω) = σ(ω)*), same unit as Ω.
    f_s
        Superfluid stiffness n_s/m⋆ (≥ 0), units of conductivity × frequency.
    Omega
        Phase-relaxation rate Ω (> 0), the longitudinal vortex conductivity of Eq. (5).
    Omega_H
        Supercyclotron frequency Ω_H (real; its sign follows the field direction).
    alpha_v
        Vorto-electric conductivity α_v (real, dimensionless).
    sigma_o
        Conductivity of the normal component σ_o (≥ 0).

    Returns
    -------
    Array
        Complex σ_xx with the broadcast shape of the inputs.

    Warns
    -----
    EntropyBoundWarning
        On concrete input with :math:`\alpha_v^2 > \sigma_o\Omega/f_s` (see the class).

    Raises
    ------
    DomainError
        Complex, non-finite or out-of-range arguments (f_s < 0, Ω ≤ 0, σ_o < 0), or shapes
        that do not broadcast.

    Valid for
        the hydrodynamic regime ω, Ω, |Ω_H| ≪ the quasiparticle relaxation rate; Ω > 0
        (Ω = 0 is a clean superfluid whose δ(ω) response this regular function does not carry).
    """
    args = _check_hydro(omega, f_s, Omega, Omega_H, alpha_v, sigma_o=sigma_o)
    _warn_if_entropy_violated(f_s, Omega, alpha_v, sigma_o)
    return check_result("sigma_xx", _sigma_xx(*args), hint=_OVERFLOW_HINT)


def sigma_xy(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_oH=0.0):
    r"""Hall optical conductivity σ_xy(ω), Eq. (7) of Delacrétaz & Hartnoll (2018).

    .. math::
        \sigma_{xy}(\omega) = f_s\,\frac{2\alpha_v(-i\omega+\Omega) - (1-\alpha_v^2)\Omega_H}
        {(-i\omega+\Omega)^2 + \Omega_H^2} + \sigma_o^H

    with :math:`j^x = \sigma_{xx}E^x + \sigma_{xy}E^y` (:math:`\sigma_{yx} = -\sigma_{xy}`).
    Follows from Eqs. (4)-(5) with :math:`\epsilon^{xy} = +1` (checked in the tests).

    Parameters
    ----------
    omega, f_s, Omega, Omega_H, alpha_v
        As in :func:`sigma_xx`.
    sigma_oH
        Hall conductivity of the normal component σ_o^H (real).

    Returns
    -------
    Array
        Complex σ_xy with the broadcast shape of the inputs.

    Raises
    ------
    DomainError
        As :func:`sigma_xx`.

    Valid for
        as :func:`sigma_xx`.  The entropy bound involves σ_o, which this function does not
        receive: check it with :func:`entropy_bound_margin`.
    """
    args = _check_hydro(omega, f_s, Omega, Omega_H, alpha_v, sigma_oH=sigma_oH)
    return check_result("sigma_xy", _sigma_xy(*args), hint=_OVERFLOW_HINT)


def conductivity_tensor(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0, sigma_oH=0.0):
    r"""Full 2×2 conductivity tensor :math:`\sigma^{ij}(\omega)`, Eqs. (6)-(7).

    .. math:: \sigma = \begin{pmatrix} \sigma_{xx} & \sigma_{xy} \\ -\sigma_{xy} & \sigma_{xx}
              \end{pmatrix},\qquad j^i = \sigma^{ij} E^j .

    Parameters
    ----------
    omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH
        As in :func:`sigma_xx` and :func:`sigma_xy` (broadcast together).

    Returns
    -------
    Array
        Complex array of shape ``broadcast_shape + (2, 2)``.

    Warns
    -----
    EntropyBoundWarning
        As :func:`sigma_xx`.

    Valid for
        as :func:`sigma_xx`.
    """
    om, fs, Om, OmH, al, so, soH = _check_hydro(
        omega, f_s, Omega, Omega_H, alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )
    _warn_if_entropy_violated(f_s, Omega, alpha_v, sigma_o)
    xx = _sigma_xx(om, fs, Om, OmH, al, so)
    xy = _sigma_xy(om, fs, Om, OmH, al, soH)
    return jnp.stack([jnp.stack([xx, xy], -1), jnp.stack([-xy, xx], -1)], -2)


def resistivity(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0, sigma_oH=0.0):
    r"""Resistivities ρ_xx(ω), ρ_yx(ω): the inverse of the tensor of Eqs. (6)-(7).

    For :math:`\sigma = \sigma_{xx}\mathbb 1 + \sigma_{xy}\epsilon` the inverse is
    :math:`\rho = (\sigma_{xx}\mathbb 1 - \sigma_{xy}\epsilon)/(\sigma_{xx}^2 + \sigma_{xy}^2)`:

    .. math:: \rho_{xx} = \frac{\sigma_{xx}}{\sigma_{xx}^2+\sigma_{xy}^2},\qquad
              \rho_{yx} = -\rho_{xy} = \frac{\sigma_{xy}}{\sigma_{xx}^2+\sigma_{xy}^2}.

    The denominator is evaluated as the product of the circular eigenvalues
    :math:`\sigma_\pm = \sigma_{xx} \pm i\sigma_{xy}`.

    Parameters
    ----------
    omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH
        As in :func:`conductivity_tensor`.

    Returns
    -------
    tuple of Array
        ``(rho_xx, rho_yx)``, complex, in units of 1/conductivity.

    Warns
    -----
    EntropyBoundWarning
        As :func:`sigma_xx`.

    Valid for
        as :func:`sigma_xx`, away from zeros of σ_+ σ_- (where the tensor is not invertible).
    """
    om, fs, Om, OmH, al, so, soH = _check_hydro(
        omega, f_s, Omega, Omega_H, alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )
    _warn_if_entropy_violated(f_s, Omega, alpha_v, sigma_o)
    xx = _sigma_xx(om, fs, Om, OmH, al, so)
    xy = _sigma_xy(om, fs, Om, OmH, al, soH)
    det = (xx + 1j * xy) * (xx - 1j * xy)
    return xx / det, xy / det


def tan_hall_angle(omega, f_s, Omega, Omega_H, alpha_v=0.0, sigma_o=0.0, sigma_oH=0.0):
    r"""Hall angle :math:`\tan\theta_H = \sigma_{xy}/\sigma_{xx} = \rho_{yx}/\rho_{xx}`.

    The two ratios are identical for the isotropic tensor of Eqs. (6)-(7); the paper uses
    :math:`\tan\theta^H \approx \rho_{yx}/\rho_{xx}` in its worked estimates.

    Parameters
    ----------
    omega, f_s, Omega, Omega_H, alpha_v, sigma_o, sigma_oH
        As in :func:`conductivity_tensor`.

    Returns
    -------
    Array
        Complex tan θ_H(ω) (real at ω = 0).

    Warns
    -----
    EntropyBoundWarning
        As :func:`sigma_xx`.

    Valid for
        as :func:`sigma_xx`, where σ_xx ≠ 0.
    """
    om, fs, Om, OmH, al, so, soH = _check_hydro(
        omega, f_s, Omega, Omega_H, alpha_v, sigma_o=sigma_o, sigma_oH=sigma_oH
    )
    _warn_if_entropy_violated(f_s, Omega, alpha_v, sigma_o)
    return _sigma_xy(om, fs, Om, OmH, al, soH) / _sigma_xx(om, fs, Om, OmH, al, so)


def supercyclotron_poles(Omega, Omega_H):
    r"""Supercyclotron poles :math:`\omega_\star = \pm\Omega_H - i\Omega` of Eqs. (6)-(7).

    The zeros of :math:`(-i\omega+\Omega)^2 + \Omega_H^2`, i.e. of the determinant of the
    hydrodynamic equations (4)-(5); both lie in the lower half plane for Ω > 0 (causality).

    Parameters
    ----------
    Omega
        Phase-relaxation rate Ω (≥ 0).
    Omega_H
        Supercyclotron frequency Ω_H (real).

    Returns
    -------
    Array
        Complex array of shape ``broadcast_shape + (2,)``: ``[+Omega_H - i Omega,
        -Omega_H - i Omega]``.

    Valid for
        Ω ≥ 0, real Ω_H.
    """
    v.real("Omega", Omega, ge=0)
    v.real("Omega_H", Omega_H)
    v.broadcast(Omega=Omega, Omega_H=Omega_H)
    Omega, Omega_H = v.as_float(Omega), v.as_float(Omega_H)
    return jnp.stack([_complex(Omega_H, -Omega), _complex(-Omega_H, -Omega)], axis=-1)
