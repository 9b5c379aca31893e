r"""Flux-flow closure of the hydrodynamic coefficients, dc limits and the Hall resistivity.

Delacrétaz & Hartnoll (2018), units ħ = e* = 1.  Evaluating the Kubo formulae for dilute
mobile vortex cores (area fraction x ≪ 1) gives Eqs. (2) and (17):

.. math::
    \Omega = \frac{2x}{\sigma_n} f_s,\qquad \Omega_H = \frac{n_v^\mathrm{eff}}{m_\star},
    \qquad \alpha_v = x\,\frac{\sigma_n^H}{\sigma_n},

with σ_n, σ_n^H the normal-state (core) conductivity and Hall conductivity and f_s = n_s/m⋆.

**Sign of the co-motion term (documented deviation from the printed Eqs. (1) and (19)).**
Inserting this closure into Eqs. (6)-(7) at ω = 0 (Eqs. (6)-(7) are themselves derived from
Eqs. (4)-(5); the tests check both steps independently) gives, to leading order in x (with
Ω_H/Ω = O(x)),

.. math::
    \sigma_{xx} = \frac{\sigma_n}{2x},\qquad
    \sigma_{xy} = \sigma_n^H + \sigma_o^H - \sigma_{xx}^2\,\frac{n_v^\mathrm{eff}}{n_s},\qquad
    \rho_{yx} = (\sigma_n^H + \sigma_o^H)\,\rho_{xx}^2 - \frac{n_v^\mathrm{eff}}{n_s},

i.e. a **minus** sign in front of the co-motion term, where the printed Eqs. (19) and (1) have
a plus.  The paper changed its sign convention for Ω_H relative to its ref. 33 (footnote 38);
the printed (1) and (19) correspond to Ω_H = −n_v^eff/m⋆.  dissipax follows the
self-consistent Eqs. (2), (4)-(7): users of the printed convention pass ``-n_v_eff``.  Only
the relative sign of the vortex-core and co-motion terms is physical here (n_v^eff and
Ω_H change sign with the field direction), so n_v_eff may have either sign.
"""

from __future__ import annotations

from . import _validate as v

_X = "area fraction of mobile vortex cores, 0 < x < 1 (the theory needs x << 1)"


def flux_flow(x, f_s, sigma_n, sigma_nH, n_v_eff, m_star):
    r"""Hydrodynamic coefficients from vortex flux flow, Eqs. (2) and (17).

    .. math::
        \Omega = \frac{2x}{\sigma_n} f_s \;\text{(Bardeen–Stephen)},\qquad
        \Omega_H = \frac{n_v^\mathrm{eff}}{m_\star},\qquad \alpha_v = x\frac{\sigma_n^H}{\sigma_n}

    Parameters
    ----------
    x
        Area fraction of mobile vortex cores, 0 < x < 1.
    f_s
        Superfluid stiffness n_s/m⋆ (> 0), units of e*²/ħ × frequency.
    sigma_n
        Normal-state conductivity of the vortex cores (> 0), units of e*²/ħ.
    sigma_nH
        Normal-state Hall conductivity of the cores (real), units of e*²/ħ.
    n_v_eff
        Density of vortices co-moving with the supercurrent (real; sign = field direction).
    m_star
        Mass scale m⋆ with f_s = n_s/m⋆ (> 0).

    Returns
    -------
    dict
        ``{"Omega", "Omega_H", "alpha_v"}``, arrays with the broadcast shape of the inputs;
        ready for ``sigma_xx(omega, f_s, **flux_flow(...))``.  With σ_o = 0 these violate the
        entropy bound at O(x) (see :class:`EntropyBoundWarning`).

    Valid for
        dilute mobile vortices, x ≪ 1, cores large compared to the core mean free path.
    """
    v.real("x", x, gt=0, lt=1, valid=_X)
    v.real("f_s", f_s, gt=0)
    v.real("sigma_n", sigma_n, gt=0, valid="normal-state core conductivity, > 0")
    v.real("sigma_nH", sigma_nH)
    v.real("n_v_eff", n_v_eff)
    v.real("m_star", m_star, gt=0, valid="mass scale, > 0")
    v.broadcast(x=x, f_s=f_s, sigma_n=sigma_n, sigma_nH=sigma_nH, n_v_eff=n_v_eff, m_star=m_star)
    x, f_s, sigma_n, sigma_nH, n_v_eff, m_star = map(
        v.as_float, (x, f_s, sigma_n, sigma_nH, n_v_eff, m_star)
    )
    return {
        "Omega": 2 * x * f_s / sigma_n,
        "Omega_H": n_v_eff / m_star,
        "alpha_v": x * sigma_nH / sigma_n,
    }


def dc_limits(x, sigma_n, sigma_nH, n_v_eff, n_s, sigma_oH=0.0):
    r"""Leading-order dc conductivities of flux flow, Eqs. (18)-(19) with the derived sign.

    .. math::
        \sigma_{xx} = \frac{\sigma_n}{2x},\qquad
        \sigma_{xy} = \sigma_n^H + \sigma_o^H - \sigma_{xx}^2\frac{n_v^\mathrm{eff}}{n_s}

    derived from Eqs. (6)-(7) at ω = 0 with the closure of :func:`flux_flow`; the co-motion
    term has the opposite sign to the printed Eq. (19) (see the module docstring).  The exact
    ω = 0 values differ by a relative O(x) when Ω_H/Ω = σ_n n_v^eff/(2 x n_s) = O(x) and σ_o
    is O(1) (tested).

    Parameters
    ----------
    x, sigma_n, sigma_nH, n_v_eff
        As in :func:`flux_flow`.
    n_s
        Superfluid density (> 0), same unit as n_v_eff.
    sigma_oH
        Normal-component Hall conductivity (real).

    Returns
    -------
    dict
        ``{"sigma_xx", "sigma_xy"}`` (real arrays).

    Valid for
        x ≪ 1 and |Ω_H| ≪ Ω.
    """
    v.real("x", x, gt=0, lt=1, valid=_X)
    v.real("sigma_n", sigma_n, gt=0, valid="normal-state core conductivity, > 0")
    v.real("sigma_nH", sigma_nH)
    v.real("n_v_eff", n_v_eff)
    v.real("n_s", n_s, gt=0, valid="superfluid density, > 0")
    v.real("sigma_oH", sigma_oH)
    v.broadcast(
        x=x, sigma_n=sigma_n, sigma_nH=sigma_nH, n_v_eff=n_v_eff, n_s=n_s, sigma_oH=sigma_oH
    )
    x, sigma_n, sigma_nH, n_v_eff, n_s, sigma_oH = map(
        v.as_float, (x, sigma_n, sigma_nH, n_v_eff, n_s, sigma_oH)
    )
    sxx = sigma_n / (2 * x)
    return {"sigma_xx": sxx, "sigma_xy": sigma_nH + sigma_oH - sxx**2 * n_v_eff / n_s}


def hall_resistivity(rho_xx, sigma_nH, sigma_oH, n_v_eff, n_s):
    r"""Hall resistivity of flux flow, Eq. (1) with the sign derived from Eqs. (4)-(7).

    .. math::
        \rho_{yx} = (\sigma_n^H + \sigma_o^H)\,\rho_{xx}^2 - \frac{n_v^\mathrm{eff}}{n_s}

    (ħ = e* = 1; in SI the last term is n_v^eff ħ/(n_s e*²)).  The terms are the vortex-core
    Hall current, the Bogoliubov-quasiparticle Hall current and the co-motion of vortices with
    the supercurrent.  Obtained from the dc limits (:func:`dc_limits`) with σ_xy ≪ σ_xx,
    :math:`\rho_{yx} = \sigma_{xy}/(\sigma_{xx}^2+\sigma_{xy}^2) \approx \sigma_{xy}/\sigma_{xx}^2`.
    The printed Eq. (1) has ``+ n_v_eff/n_s``: it uses the opposite sign convention for Ω_H
    (footnote 38); pass ``-n_v_eff`` to evaluate the printed form.

    Parameters
    ----------
    rho_xx
        Longitudinal resistivity (≥ 0), units of ħ/e*² (or any unit with σ in its inverse).
    sigma_nH, sigma_oH
        Vortex-core and quasiparticle Hall conductivities (real).
    n_v_eff
        Density of co-moving vortices (real; sign = field direction).
    n_s
        Superfluid density (> 0).

    Returns
    -------
    Array
        ρ_yx (real), broadcast shape of the inputs.

    Valid for
        x ≪ 1, σ_xy ≪ σ_xx (dc flux flow).
    """
    v.real("rho_xx", rho_xx, ge=0, valid="longitudinal resistivity, >= 0")
    v.real("sigma_nH", sigma_nH)
    v.real("sigma_oH", sigma_oH)
    v.real("n_v_eff", n_v_eff)
    v.real("n_s", n_s, gt=0, valid="superfluid density, > 0")
    v.broadcast(rho_xx=rho_xx, sigma_nH=sigma_nH, sigma_oH=sigma_oH, n_v_eff=n_v_eff, n_s=n_s)
    rho_xx, sigma_nH, sigma_oH, n_v_eff, n_s = map(
        v.as_float, (rho_xx, sigma_nH, sigma_oH, n_v_eff, n_s)
    )
    return (sigma_nH + sigma_oH) * rho_xx**2 - n_v_eff / n_s


# --- the paper's worked estimates ------------------------------------------------------


def omega_h_over_omega(x, sigma_n, n_v_eff, n_s):
    r"""Ratio of supercyclotron frequency to width, :math:`\Omega_H/\Omega`, from Eq. (2).

    .. math:: \frac{\Omega_H}{\Omega} = \frac{\sigma_n\,n_v^\mathrm{eff}}{2\,x\,n_s}

    (Eq. (2) with f_s = n_s/m⋆; the paper's "Experiments on anomalous metals").

    Parameters
    ----------
    x
        Area fraction of mobile vortex cores, 0 < x < 1.
    sigma_n
        Core conductivity in units of e*²/ħ (> 0); 10 e²/h ≈ 0.4 e*²/ħ
        (:func:`dissipax.units.e2_over_h_to_estar2_over_hbar`).
    n_v_eff, n_s
        Co-moving vortex density (real) and superfluid density (> 0), same unit.

    Returns
    -------
    Array
        Ω_H/Ω (dimensionless).

    Valid for
        x ≪ 1 (flux flow).
    """
    v.real("x", x, gt=0, lt=1, valid=_X)
    v.real("sigma_n", sigma_n, gt=0, valid="normal-state core conductivity, > 0")
    v.real("n_v_eff", n_v_eff)
    v.real("n_s", n_s, gt=0, valid="superfluid density, > 0")
    v.broadcast(x=x, sigma_n=sigma_n, n_v_eff=n_v_eff, n_s=n_s)
    x, sigma_n, n_v_eff, n_s = map(v.as_float, (x, sigma_n, n_v_eff, n_s))
    return sigma_n * n_v_eff / (2 * x * n_s)


def comotion_fraction_from_resonance(omega_h_over_omega, sigma_n):
    r"""Co-moving vortex fraction :math:`n_v^\mathrm{eff}/n_v` from a measured Ω_H/Ω, Eq. (3).

    With :math:`x \sim n_v/n_s` in :func:`omega_h_over_omega`,

    .. math:: \frac{n_v^\mathrm{eff}}{n_v} \sim \frac{2}{\sigma_n}\,\frac{\Omega_H}{\Omega} .

    The paper's numbers, Ω_H/Ω ≲ 1e-5 (InOx, its ref. 3) and σ_n ≈ 0.4 e*²/ħ, give 5e-5,
    quoted as Eq. (3) :math:`n_v^\mathrm{eff}/n_v \lesssim 10^{-5}` (an order-of-magnitude
    statement; the factor 2/σ_n ≈ 5 is dropped there).

    Parameters
    ----------
    omega_h_over_omega
        Measured (bound on) Ω_H/Ω (real).
    sigma_n
        Core conductivity in units of e*²/ħ (> 0).

    Returns
    -------
    Array
        Estimate of n_v^eff/n_v (an upper bound when Ω_H/Ω is one).

    Valid for
        order-of-magnitude estimates, x ∼ n_v ξ² ∼ n_v/n_s.
    """
    v.real("omega_h_over_omega", omega_h_over_omega)
    v.real("sigma_n", sigma_n, gt=0, valid="normal-state core conductivity, > 0")
    v.broadcast(omega_h_over_omega=omega_h_over_omega, sigma_n=sigma_n)
    r, sigma_n = v.as_float(omega_h_over_omega), v.as_float(sigma_n)
    return 2 * r / sigma_n


def comotion_fraction_from_hall_angle(tan_theta_H, sigma_n):
    r"""Bound on the co-moving vortex fraction from the dc Hall angle (the paper's second route).

    Where ρ_yx ∼ ρ_xx² the co-motion term of Eq. (1) is negligible, so
    :math:`n_v^\mathrm{eff}/n_s \lesssim \rho_{yx}` and, with x ∼ n_v/n_s and ρ_xx ∼ x/σ_n,

    .. math:: \frac{n_v^\mathrm{eff}}{n_v} \lesssim \frac{\rho_{yx}}{x}
              \sim \frac{\rho_{yx}}{\rho_{xx}\sigma_n} = \frac{\tan\theta^H}{\sigma_n}.

    The paper's numbers, tan θ^H ≈ 1e-4 (its ref. 1) and σ_n ≈ 0.4 e*²/ħ, give 2.5e-4, quoted as
    :math:`n_v^\mathrm{eff}/n_v \lesssim 10^{-4}`.

    Parameters
    ----------
    tan_theta_H
        Measured dc Hall angle tan θ^H = ρ_yx/ρ_xx (real).
    sigma_n
        Core conductivity in units of e*²/ħ (> 0).

    Returns
    -------
    Array
        Upper estimate of n_v^eff/n_v.

    Valid for
        order-of-magnitude estimates in the regime ρ_yx ∝ ρ_xx².
    """
    v.real("tan_theta_H", tan_theta_H)
    v.real("sigma_n", sigma_n, gt=0, valid="normal-state core conductivity, > 0")
    v.broadcast(tan_theta_H=tan_theta_H, sigma_n=sigma_n)
    return v.as_float(tan_theta_H) / v.as_float(sigma_n)
