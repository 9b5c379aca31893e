r"""A labelled synthetic R(T, H) table with the trends of sample S1 in Zhang et al. (2022).

:class:`SyntheticSample` holds the field dependence of the parameters of Eqs. (1) and (2),
chosen to follow the paper's §"Results" and Fig. 4(b):

* Eq. (2) (failed superconductor) for H ≤ H*, Eq. (1) (failed insulator) above, with
  H* = 300 Oe where the saturation resistance equals R_Q = h/4e² ≈ 6.45 kΩ/□;
* power laws ρ_QF⁻¹ ∝ H^b with b = −0.45 and σ_QF ∝ H^a with a = −4.7, both anchored at
  1/R_Q at H*: ρ_QF grows from ≈ 2.9 kΩ at 50 Oe, 1/σ_QF reaches ≈ 1 MΩ near 900 Oe;
* activation on the superconducting side ≈ 1.5 K at low field, decreasing linearly (to
  1.2 K at H*); on the insulating side a drop by a factor ≈ 2–4 to a peak just below 0.6 K
  near H* that relaxes to 0.3 K at high field (the 0.3–0.6 K of Fig. 4a).

The prefactors ρ_0, σ_0 are field independent.  These are *synthetic* numbers shaped like the
paper's figures, not the paper's data; every table made here says so (``FieldSweep.source``
and the CSV header).
"""

from __future__ import annotations

import dataclasses

import equinox as eqx
import numpy as np

from .. import units
from .data import FieldSweep
from .laws import failed_insulator, failed_superconductor

DEFAULT_FIELDS = (
    50.0,
    100.0,
    150.0,
    200.0,
    250.0,
    300.0,
    350.0,
    400.0,
    450.0,
    500.0,
    600.0,
    700.0,
    800.0,
    900.0,
)


class SyntheticSample(eqx.Module):
    """Field dependence of the saturation laws for a synthetic sample (defaults: S1-like).

    Attributes
    ----------
    H_star
        Crossover field H* [Oe]: Eq. (2) for H ≤ H*, Eq. (1) above.
    R_star
        Saturation resistance at H* [Ω/□] (default R_Q = h/4e²).
    a
        Exponent of σ_QF ∝ H^a on the insulating side (paper: −4.7).
    b
        Exponent of ρ_QF⁻¹ ∝ H^b on the superconducting side (paper: −0.45).
    E_aS_0, E_aS_star
        Activation E_aS/k_B [K] at H → 0 and at H* (linear in between).
    E_aI_peak, E_aI_inf, E_aI_scale
        Insulating activation E_aI/k_B [K]: ``E_aI_inf + (E_aI_peak − E_aI_inf)·exp(−(H−H*)/
        E_aI_scale)`` with E_aI_scale in Oe.
    rho_0
        Prefactor of Eq. (2) [Ω/□].
    sigma_0
        Prefactor of Eq. (1) [S].
    """

    H_star: float = 300.0
    R_star: float = units.R_Q
    a: float = -4.7
    b: float = -0.45
    E_aS_0: float = 1.5
    E_aS_star: float = 1.2
    E_aI_peak: float = 0.58
    E_aI_inf: float = 0.3
    E_aI_scale: float = 200.0
    rho_0: float = 1.0e4
    sigma_0: float = 1.0e-4

    def __check_init__(self):
        for name in (
            "H_star",
            "R_star",
            "E_aS_0",
            "E_aS_star",
            "E_aI_peak",
            "E_aI_inf",
            "E_aI_scale",
            "rho_0",
            "sigma_0",
        ):
            if not getattr(self, name) > 0:
                raise ValueError(f"SyntheticSample.{name} must be > 0; got {getattr(self, name)}")

    def law(self, H) -> np.ndarray:
        """``"superconductor"`` for H ≤ H*, ``"insulator"`` above (array of str).

        Valid for
            H > 0 [Oe].
        """
        return np.where(np.asarray(H) <= self.H_star, "superconductor", "insulator")

    def saturation_resistance(self, H) -> np.ndarray:
        """ρ(T → 0) [Ω/□]: ρ_QF below H*, 1/σ_QF above.

        Valid for
            H > 0 [Oe].
        """
        H = np.asarray(H, dtype=float)
        x = H / self.H_star
        below = self.R_star * x ** (-self.b)
        return np.where(H <= self.H_star, below, self.R_star * x ** (-self.a))

    def activation(self, H) -> np.ndarray:
        """E_a/k_B [K] (E_aS below H*, E_aI above).

        Valid for
            H > 0 [Oe].
        """
        H = np.asarray(H, dtype=float)
        e_s = self.E_aS_0 + (self.E_aS_star - self.E_aS_0) * H / self.H_star
        e_i = self.E_aI_inf + (self.E_aI_peak - self.E_aI_inf) * np.exp(
            -(H - self.H_star) / self.E_aI_scale
        )
        return np.where(H <= self.H_star, e_s, e_i)

    def params(self, H) -> dict[str, np.ndarray]:
        """Return the true parameters per field (both laws' names; NaN where one does not apply).

        Valid for
            H > 0 [Oe].
        """
        H = np.asarray(H, dtype=float)
        sc = H <= self.H_star
        r_sat = self.saturation_resistance(H)
        nan = np.full(H.shape, np.nan)
        return {
            "rho_QF": np.where(sc, r_sat, nan),
            "rho_0": np.where(sc, self.rho_0, nan),
            "sigma_QF": np.where(sc, nan, 1.0 / r_sat),
            "sigma_0": np.where(sc, nan, self.sigma_0),
            "E_a": self.activation(H),
        }

    def resistivity(self, T, H) -> np.ndarray:
        """Noise-free ρ(T, H) [Ω/□] broadcast over T [K] and H [Oe].

        Valid for
            T ≥ 0 [K], H > 0 [Oe]; finite for E_a/T up to and beyond 700 (log-space
            laws).
        """
        T, H = np.broadcast_arrays(np.asarray(T, dtype=float), np.asarray(H, dtype=float))
        p = self.params(H)
        sc = H <= self.H_star
        r_s = failed_superconductor(
            T, np.where(sc, p["rho_QF"], 1.0), np.where(sc, p["rho_0"], 1.0), p["E_a"]
        )
        r_i = failed_insulator(
            T, np.where(sc, 1.0, p["sigma_QF"]), np.where(sc, 1.0, p["sigma_0"]), p["E_a"]
        )
        return np.where(sc, np.asarray(r_s), np.asarray(r_i))


@dataclasses.dataclass(frozen=True)
class SyntheticTruth:
    """What generated a synthetic sweep: the sample, the noise and the per-field labels."""

    sample: SyntheticSample
    noise: float
    seed: int
    law: np.ndarray
    params: dict[str, np.ndarray]


def generate(
    sample: SyntheticSample | None = None,
    *,
    fields=DEFAULT_FIELDS,
    T_min: float = 0.03,
    T_max: float = 1.5,
    n_T: int = 40,
    noise: float = 0.005,
    seed: int = 0,
) -> FieldSweep:
    """Generate a labelled synthetic field sweep ρ(T, H) with relative Gaussian noise.

    Parameters
    ----------
    sample
        The field dependence (default :class:`SyntheticSample` ``()``, S1-like).
    fields
        Fields [Oe].
    T_min, T_max, n_T
        Temperatures [K]: ``n_T`` log-spaced points (dilution-fridge range by default).
    noise
        Relative 1-σ noise: ρ = ρ_true·(1 + noise·N(0, 1)); the table's ``sigma`` column is
        ``noise·ρ_true``.
    seed
        Seed of NumPy's ``default_rng`` (the table is reproducible).

    Returns
    -------
    FieldSweep
        With ``source`` saying it is synthetic and ``truth`` a :class:`SyntheticTruth`.

    Valid for
        distinct fields > 0, 0 < T_min < T_max, n_T ≥ 4, noise ≥ 0 (ValueError otherwise);
        the values follow the module's S1-like trends, not measured data.
    """
    sample = SyntheticSample() if sample is None else sample
    H = np.asarray(fields, dtype=float)
    if H.ndim != 1 or len(H) == 0 or np.any(H <= 0) or len(np.unique(H)) != len(H):
        raise ValueError("fields must be distinct positive values in Oe")
    if not 0 < T_min < T_max:
        raise ValueError(f"need 0 < T_min < T_max; got T_min={T_min}, T_max={T_max}")
    if n_T < 4:
        raise ValueError(f"n_T must be >= 4 (three parameters per field); got {n_T}")
    if not noise >= 0:
        raise ValueError(f"noise must be >= 0; got {noise}")
    T = np.geomspace(T_min, T_max, n_T)
    rng = np.random.default_rng(seed)
    true = sample.resistivity(T[None, :], H[:, None])
    rho = true * (1.0 + noise * rng.standard_normal(true.shape))
    sigma = noise * true if noise > 0 else None
    source = (
        f"synthetic: dissipax.saturation.synthetic.generate(seed={seed}, noise={noise}, "
        f"T={T_min}..{T_max} K x {n_T}, {len(H)} fields; H*={sample.H_star} Oe, "
        f"R*={sample.R_star:.6g} Ohm, a={sample.a}, b={sample.b})"
    )
    truth = SyntheticTruth(
        sample=sample, noise=noise, seed=seed, law=sample.law(H), params=sample.params(H)
    )
    return FieldSweep(
        H,
        tuple(T.copy() for _ in H),
        tuple(rho),
        None if sigma is None else tuple(sigma),
        source=source,
        truth=truth,
    )
