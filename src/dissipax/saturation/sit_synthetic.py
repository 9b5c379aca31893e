r"""Synthetic R(T, H) across a field-tuned SIT with a known critical point and a known saturation.

:class:`SITSample` follows the scaling form of a field-tuned SIT (Fisher 1990; Shahar et al.,
Science 274, 589 (1996)) down to a saturation temperature, below which the resistance
levels off on both sides ("failed superconductor" and "failed insulator", Zhang,
Palevski & Kapitulnik 2022):

.. math::

    R(T, H) = R_c\,\exp G_\pm(x), \qquad
    x = \frac{|H - H_c|}{H_0}\,\Bigl(\frac{T_\mathrm{eff}}{1\,\mathrm{K}}\Bigr)^{-1/z\nu},
    \qquad T_\mathrm{eff} = \max(T, T_\mathrm{sat}),

    G_\pm(x) = \pm\,\frac{\operatorname{asinh}(\kappa x)}{\kappa} + b\,x^2

(+ on the insulating side H > H_c).  Above T_sat the table obeys scaling exactly, with a
smooth (non-polynomial) master curve per side; below it R(T) is flat at its T_sat value,
so the onset of saturation is sharp and known.  ``b`` breaks the self-duality exactly:
:math:`\ln[R(H_c+\delta)R(H_c-\delta)/R_c^2] = 2 b x^2` (``b = 0``: self-dual).

These are *synthetic* numbers (every table made here says so in ``source`` and in the CSV
header), shaped like the In/InOx data (R_c ≈ h/4e², zν ≈ 1.3, a decade of R each way at the
lowest temperatures), not measured data.
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import numpy as np

from .. import units
from .sweeps import SITSweep, sit_sweep


class SITSample(eqx.Module):
    """Critical point, exponent, master curve and saturation of a synthetic SIT.

    Attributes
    ----------
    H_c
        Critical field [Oe].
    z_nu
        Exponent product zν.
    R_c
        Critical resistance [Ω/□] (default h/4e²).
    H_0
        Field scale of the scaling variable [Oe] (x = |H − H_c|/H_0 at T = 1 K).
    kappa
        Curvature of the master curve (asinh(κx)/κ → x for κx ≪ 1).
    b
        Duality-breaking term b·x² of both branches (0: self-dual).
    T_sat
        Saturation temperature [K]: R(T < T_sat, H) = R(T_sat, H).
    """

    H_c: float = 400.0
    z_nu: float = 1.3
    R_c: float = units.R_Q
    H_0: float = 500.0
    kappa: float = 0.5
    b: float = 0.05
    T_sat: float = 0.1

    def __check_init__(self):
        for name in ("H_c", "z_nu", "R_c", "H_0", "kappa"):
            if not getattr(self, name) > 0:
                raise ValueError(f"SITSample.{name} must be > 0; got {getattr(self, name)}")
        if not self.T_sat >= 0:
            raise ValueError(f"SITSample.T_sat must be >= 0 K; got {self.T_sat}")

    def scaling_variable(self, T, H) -> np.ndarray:
        """Return x = |H − H_c|/H_0 · T_eff^{−1/zν} (T in K, H in Oe; broadcast).

        Valid for
            T > 0 [K].
        """
        T_eff = np.maximum(np.asarray(T, float), self.T_sat)
        return np.abs(np.asarray(H, float) - self.H_c) / self.H_0 * T_eff ** (-1.0 / self.z_nu)

    def log_master(self, x, side) -> np.ndarray:
        """G_±(x) = ±asinh(κx)/κ + b x² (``side`` = +1 insulating, −1 superconducting).

        Valid for
            x ≥ 0.
        """
        x = np.asarray(x, float)
        return np.asarray(side) * np.arcsinh(self.kappa * x) / self.kappa + self.b * x**2

    def duality_deviation(self, T, delta) -> np.ndarray:
        """Exact ln[R(H_c+δ)·R(H_c−δ)/R_c²] = 2 b x(T, δ)² (δ in Oe, T in K).

        Valid for
            T > 0 [K], δ ≥ 0 [Oe].
        """
        x = self.scaling_variable(T, self.H_c + np.asarray(delta, float))
        return 2.0 * self.b * x**2

    def resistance(self, T, H) -> np.ndarray:
        """Noise-free R(T, H) [Ω/□] (module formula), broadcast over T [K] and H [Oe].

        Valid for
            T > 0 [K].
        """
        x = self.scaling_variable(T, H)
        side = np.where(np.asarray(H, float) > self.H_c, 1.0, -1.0)
        return self.R_c * np.exp(self.log_master(x, side))


@dataclasses.dataclass(frozen=True)
class SITTruth:
    """What generated a synthetic SIT table: the sample, the noise, the seed and the grids."""

    sample: SITSample
    noise: float
    seed: int
    ragged: bool


DEFAULT_FIELDS = tuple(np.linspace(250.0, 550.0, 30))


def generate_sit(
    sample: SITSample | None = None,
    *,
    fields=DEFAULT_FIELDS,
    T_min: float = 0.03,
    T_max: float = 1.0,
    n_T: int = 60,
    noise: float = 0.01,
    ragged: bool = False,
    seed: int = 0,
) -> SITSweep:
    r"""Generate a labelled synthetic R(T, H) table across an SIT (module formula).

    Parameters
    ----------
    sample
        Critical point, master curve and saturation (default :class:`SITSample` ``()``).
    fields
        Fields [Oe] (default 30 fields, 250–550 Oe, around H_c = 400 Oe).
    T_min, T_max, n_T
        ``n_T`` log-spaced temperatures [K] per field.
    noise
        Relative 1-σ Gaussian noise: R = R_true·(1 + noise·N(0, 1)); the table's σ is
        ``noise·R_true``.
    ragged
        ``True``: every field has its own temperatures (a random subset of 60–100 % of
        ``n_T`` log-uniform draws in [T_min, T_max], as cooling curves are), so the table is
        ragged and isotherms need interpolation.
    seed
        Seed of NumPy's ``default_rng``.

    Returns
    -------
    SITSweep
        ``source`` says it is synthetic; ``truth`` is an :class:`SITTruth`.

    Valid for
        distinct fields [Oe], 0 < T_min < T_max, n_T ≥ 2, noise ≥ 0 (ValueError otherwise).
    """
    sample = SITSample() if sample is None else sample
    H = np.asarray(fields, dtype=float)
    if H.ndim != 1 or len(H) == 0 or len(np.unique(H)) != len(H) or not np.all(np.isfinite(H)):
        raise ValueError("fields must be distinct finite values in Oe")
    if not 0 < T_min < T_max:
        raise ValueError(f"need 0 < T_min < T_max; got T_min={T_min}, T_max={T_max}")
    if n_T < 2:
        raise ValueError(f"n_T must be >= 2; got {n_T}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0; got {noise}")
    rng = np.random.default_rng(seed)
    if ragged:
        Ts = []
        for _ in H:
            n = int(rng.integers(max(2, int(0.6 * n_T)), n_T + 1))
            Ts.append(np.sort(np.exp(rng.uniform(np.log(T_min), np.log(T_max), n))))
    else:
        Ts = [np.geomspace(T_min, T_max, n_T) for _ in H]
    HH = np.concatenate([np.full(len(t), h) for h, t in zip(H, Ts)])
    TT = np.concatenate(Ts)
    true = sample.resistance(TT, HH)
    R = true * (1.0 + noise * rng.standard_normal(true.shape))
    source = (
        f"synthetic: dissipax.saturation.sit_synthetic.generate_sit(seed={seed}, noise={noise}, "
        f"T={T_min}..{T_max} K x {n_T}{' ragged' if ragged else ''}, {len(H)} fields; "
        f"H_c={sample.H_c} Oe, z_nu={sample.z_nu}, R_c={sample.R_c:.6g} Ohm, "
        f"T_sat={sample.T_sat} K, b={sample.b})"
    )
    return sit_sweep(
        HH,
        TT,
        R,
        noise * true if noise > 0 else None,
        source=source,
        truth=SITTruth(sample=sample, noise=noise, seed=seed, ragged=ragged),
    )
