r"""The notch-type resonator transmission S21 with the diameter correction.

Khalil et al., J. Appl. Phys. 111, 054510 (2012) (the "diameter correction method", DCM);
Probst et al., Rev. Sci. Instrum. 86, 024706 (2015), Eq. (1) for the notch geometry:

.. math::

    S_{21}(f) = a\,e^{i\alpha}\,e^{-2\pi i (f - f_\mathrm{ref})\tau}
        \left[1 - \frac{(Q_l/|Q_c|)\,e^{i\phi}}{1 + 2 i Q_l (f/f_r - 1)}\right],

with the environment (amplitude ``a``, phase ``alpha``), the cable delay ``tau`` [s], the
resonance frequency ``fr`` [Hz], the loaded quality factor ``Ql`` and the complex coupling
quality factor :math:`Q_c = |Q_c| e^{-i\phi}` (the impedance mismatch rotates the
resonance circle by φ about the off-resonant point).

Convention (Khalil's DCM, Probst Eq. (2)): the internal quality factor is

.. math::

    \frac{1}{Q_i} = \frac{1}{Q_l} - \mathrm{Re}\,\frac{e^{i\phi}}{|Q_c|}
                  = \frac{1}{Q_l} - \frac{\cos\phi}{|Q_c|},

i.e. only the real part of :math:`1/Q_c` is a coupling loss; taking :math:`1/|Q_c|` instead
("the φ-blind estimate") overestimates Qi when φ ≠ 0.

The cable delay multiplies :math:`e^{-2\pi i (f - f_\mathrm{ref})\tau}`: the constant phase
:math:`2\pi f_\mathrm{ref}\tau` is absorbed into ``alpha``, so that ``alpha`` is the
environment's phase *at* ``f_ref_Hz`` (Probst writes :math:`f_\mathrm{ref} = 0`; at GHz
frequencies and τ ~ 100 ns that makes α and τ almost perfectly correlated in a fit).
The time dependence of the circuit is :math:`e^{+i\omega t}` (engineering convention) as in
both papers.
"""

from __future__ import annotations

import jax.numpy as jnp

from ..._checks import guard

__all__ = ["notch_s21", "internal_q", "loaded_q", "coupling_q_real"]


def _kernel(f, *, fr, Ql, Qc, phi, a, alpha, tau, f_ref):
    """Eq. (1) of Probst et al. for arrays that broadcast (no validation)."""
    detuning = (f - fr) / fr  # not f/fr - 1: that loses digits, amplified by 2 Ql
    env = a * jnp.exp(1j * (alpha - 2.0 * jnp.pi * (f - f_ref) * tau))
    return env * (1.0 - (Ql / Qc) * jnp.exp(1j * phi) / (1.0 + 2j * Ql * detuning))


def notch_s21(f_Hz, *, fr, Ql, Qc, phi=0.0, a=1.0, alpha=0.0, tau=0.0, f_ref_Hz=0.0):
    r"""Notch-type S21 of a resonator with environment and cable delay (Probst Eq. (1)).

    Parameters
    ----------
    f_Hz
        Probe frequencies [Hz], any shape.
    fr
        Resonance frequency [Hz] (> 0).
    Ql
        Loaded quality factor (> 0).
    Qc
        Modulus of the complex coupling quality factor, :math:`|Q_c|` (> 0).
    phi
        Impedance-mismatch angle φ [rad] of :math:`Q_c = |Q_c| e^{-i\phi}`.
    a, alpha
        Environment: amplitude (> 0) and phase [rad] at ``f_ref_Hz``.
    tau
        Cable delay [s].
    f_ref_Hz
        Reference frequency of the cable-delay phase [Hz] (default 0, Probst's form).

    Returns
    -------
    complex array
        S21, the broadcast shape of the arguments.

    Notes
    -----
    Pure ``jnp``: works under ``jit``, ``grad`` (with respect to any real parameter; use
    ``jax.grad`` of a real function of S21, e.g. ``|S21|²``) and ``vmap``.  Qi follows
    from :func:`internal_q` (the DCM convention of the module docstring).

    Valid for
        fr, Ql, Qc, a > 0 (checked on concrete input; a run-time guard when traced); any
        real f_Hz, phi, alpha, tau, f_ref_Hz.
    """
    fr = guard("fr", fr, gt=0.0, valid="resonance frequency in Hz")
    Ql = guard("Ql", Ql, gt=0.0, valid="loaded quality factor")
    Qc = guard("Qc", Qc, gt=0.0, valid="|Qc|, modulus of the coupling quality factor")
    a = guard("a", a, gt=0.0, valid="environment amplitude")
    return _kernel(
        jnp.asarray(f_Hz, float),
        fr=fr,
        Ql=Ql,
        Qc=Qc,
        phi=phi,
        a=a,
        alpha=alpha,
        tau=tau,
        f_ref=f_ref_Hz,
    )


def internal_q(Ql, Qc, phi):
    r"""Qi from the DCM convention :math:`1/Q_i = 1/Q_l - \cos\phi/|Q_c|` (Khalil 2012).

    Valid for
        Ql, Qc > 0 and 1/Ql > cos(phi)/Qc (else Qi is not positive: returned as is).
    """
    return 1.0 / (1.0 / Ql - jnp.cos(phi) / Qc)


def loaded_q(Qi, Qc, phi):
    r"""Ql from :math:`1/Q_l = 1/Q_i + \cos\phi/|Q_c|` (the inverse of :func:`internal_q`).

    Valid for
        Qi, Qc > 0 and |phi| < pi/2 (then Ql > 0).
    """
    return 1.0 / (1.0 / Qi + jnp.cos(phi) / Qc)


def coupling_q_real(Qc, phi):
    r""":math:`1/\mathrm{Re}(1/Q_c) = |Q_c|/\cos\phi`: the coupling Q that limits Ql.

    Valid for
        Qc > 0, |phi| < pi/2.
    """
    return Qc / jnp.cos(phi)
