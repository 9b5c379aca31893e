r"""R(T, H) across the field-tuned SIT: one long-format table, two views.

A measurement of the field-tuned superconductor–insulator transition comes either as
R(T) cooling curves at many fields (each field with its own temperatures: *ragged*) or
as R(H) isotherms (field sweeps at fixed temperatures), or a mixture.  :class:`SITSweep`
holds any of them as long-format columns (field [Oe], T [K], R [Ω/□], optional 1-σ error)
and transposes between the two views:

* :meth:`SITSweep.field_curves` — ρ(T) per field, a ragged :class:`.data.FieldSweep`
  (what the per-field fits of Eqs. (1)–(2) of Zhang, Palevski & Kapitulnik (2022) need;
  :meth:`SITSweep.fit_fields` runs them on the ragged table directly);
* :meth:`SITSweep.isotherms` — R(H) at fixed temperatures, an :class:`Isotherms`
  (what the crossing point and the duality test need).  Where the table is not measured
  on common temperatures, each field's curve is interpolated *linearly in (log T, log R)*
  between its two bracketing points (never extrapolated); :meth:`Isotherms.to_field_curves`
  goes back, interpolating linearly in (H, log R).

The CSV format is the one of :func:`.data.load_csv` (same reader, same checks, same unit
handling: :func:`load_sit_csv`).  Repeated (H, T) points are a policy choice
(``duplicates=``): kept with a :class:`DuplicatePointsWarning` that says what to do,
averaged, or an error.
"""

from __future__ import annotations

import dataclasses
import warnings
from pathlib import Path

import numpy as np

from .._checks import DomainError, check, check_choice
from .data import DataError, FieldSweep, read_long_csv, sweep_from_arrays

DUPLICATES = ("warn", "mean", "error")


class DuplicatePointsWarning(UserWarning):
    """(H, T) points that occur more than once in a table (kept as repeated measurements)."""


@dataclasses.dataclass(frozen=True, eq=False)
class SITSweep:
    """R(T, H) in long format: one entry per measured point (Oe, K, Ω/□).

    Attributes
    ----------
    H, T, R
        Field [Oe], temperature [K] (> 0) and sheet resistance [Ω/□] (> 0), 1-D arrays of
        one length, sorted by field then temperature.
    sigma
        1-σ uncertainty of R [Ω/□] (> 0) or ``None``.
    source
        Where the data came from (synthetic tables say so).
    truth
        For synthetic data, the generating parameters (see :mod:`.sit_synthetic`).
    """

    H: np.ndarray
    T: np.ndarray
    R: np.ndarray
    sigma: np.ndarray | None = None
    source: str = ""
    truth: object | None = None

    @property
    def n_points(self) -> int:
        """Number of measured points."""
        return len(self.R)

    @property
    def fields(self) -> np.ndarray:
        """Distinct fields [Oe], increasing."""
        return np.unique(self.H)

    @property
    def temperatures(self) -> np.ndarray:
        """Distinct temperatures [K], increasing."""
        return np.unique(self.T)

    def select(self, *, T_min=None, T_max=None, H_min=None, H_max=None) -> SITSweep:
        """Return the points with ``T_min ≤ T ≤ T_max`` and ``H_min ≤ H ≤ H_max`` (None: open).

        Valid for
            any bounds; an empty selection is a :class:`DataError` naming the bounds.
        """
        keep = np.ones(self.n_points, bool)
        for arr, lo, hi in ((self.T, T_min, T_max), (self.H, H_min, H_max)):
            if lo is not None:
                keep &= arr >= lo
            if hi is not None:
                keep &= arr <= hi
        if not keep.any():
            raise DataError(
                f"{self.source or 'sweep'}: no points with T in [{T_min}, {T_max}] K and H in "
                f"[{H_min}, {H_max}] Oe (the table has T {self.T.min():g}..{self.T.max():g} K, "
                f"H {self.H.min():g}..{self.H.max():g} Oe)"
            )
        return dataclasses.replace(
            self,
            H=self.H[keep],
            T=self.T[keep],
            R=self.R[keep],
            sigma=None if self.sigma is None else self.sigma[keep],
        )

    def field_curves(self, *, min_points: int = 1) -> FieldSweep:
        """ρ(T) per field: a ragged :class:`FieldSweep` (fields with < ``min_points`` skipped).

        Valid for
            any SITSweep; exact (no interpolation).
        """
        return sweep_from_arrays(
            self.H,
            self.T,
            self.R,
            self.sigma,
            min_points=min_points,
            source=self.source,
            truth=self.truth,
        )

    def fit_fields(self, law: str = "auto", *, min_points: int = 4, **kwargs):
        r"""Fit Eq. (1), Eq. (2) or ``"auto"`` per field on the ragged table (no padding by hand).

        Calls :func:`dissipax.saturation.fit` with one temperature array and one resistance
        array per field (``[T_1, T_2, ...], [rho_1, rho_2, ...]``, ``sigma=[...]``), the
        ragged form of the fit pipeline.  Extra keyword arguments go to ``fit``.

        Returns
        -------
        tuple
            ``(H, result)``: the fields fitted [Oe] (those with ≥ ``min_points`` points) and
            the fit result (batched over them).

        Valid for
            fields with ≥ 4 points each (Eq. (1)/(2) have three parameters).
        """
        from .fitting import fit

        fs = self.field_curves(min_points=min_points)
        if law == "auto":
            kwargs.setdefault("H", fs.H)
        res = fit(
            list(fs.T),
            list(fs.rho),
            law,
            sigma=None if fs.sigma is None else list(fs.sigma),
            **kwargs,
        )
        return fs.H, res

    def isotherms(self, T=None, *, min_fields: int = 3) -> Isotherms:
        r"""R(H) at fixed temperatures.

        Parameters
        ----------
        T
            Temperatures [K] of the isotherms.  ``None``: the measured temperatures when the
            table is measured on common temperatures (every temperature that occurs at
            ≥ ``min_fields`` fields, covering at least half of the points); otherwise a
            log-spaced grid over the measured range with the median number of points per
            field.
        min_fields
            Isotherms with fewer fields are dropped.

        Returns
        -------
        Isotherms
            ``interpolated=False`` when every value is measured.  Interpolated values use
            each field's two bracketing points, linearly in (log T, log R) (error
            O(Δ(log T)²·∂²log R/∂(log T)²)); fields whose measured range does not cover a
            temperature are left out of that isotherm (no extrapolation).  ``sigma`` is
            interpolated as a relative error.

        Valid for
            T > 0 [K]; a :class:`DataError` when no isotherm has ``min_fields`` fields.
        """
        Ts, counts = np.unique(self.T, return_counts=True)
        on_grid = counts >= min_fields
        if T is None and on_grid.any() and counts[on_grid].sum() >= 0.5 * self.n_points:
            T_iso, exact = Ts[on_grid], True
        else:
            if T is None:
                per_field = [np.sum(self.H == h) for h in self.fields]
                n = max(int(np.median(per_field)), 2)
                T_iso = np.geomspace(self.T.min(), self.T.max(), n)
            else:
                T_iso = np.unique(np.asarray(check("T", T, gt=0, valid="temperatures in K"), float))
            exact = False
        Hs, Rs, Ss, T_kept = [], [], [], []
        curves = self.field_curves()
        for t in T_iso:
            h_row, r_row, s_row = [], [], []
            for h, tf, rf, sf in curves:
                if exact:
                    sel = tf == t
                    if not sel.any():
                        continue
                    h_row += [h] * int(sel.sum())
                    r_row += list(rf[sel])
                    s_row += [] if sf is None else list(sf[sel])
                    continue
                if not tf[0] <= t <= tf[-1]:
                    continue
                lt = np.log(tf)
                lr = np.interp(np.log(t), lt, np.log(rf))
                h_row.append(h)
                r_row.append(np.exp(lr))
                if sf is not None:
                    s_row.append(np.exp(lr) * np.interp(np.log(t), lt, sf / rf))
            if len(np.unique(h_row)) < min_fields:
                continue
            T_kept.append(t)
            Hs.append(np.asarray(h_row, float))
            Rs.append(np.asarray(r_row, float))
            Ss.append(np.asarray(s_row, float))
        if not T_kept:
            raise DataError(
                f"{self.source or 'sweep'}: no isotherm has {min_fields} or more fields "
                f"(fields {self.fields.min():g}..{self.fields.max():g} Oe, "
                f"T {self.T.min():g}..{self.T.max():g} K); measure more fields per temperature"
            )
        return Isotherms(
            T=np.asarray(T_kept),
            H=tuple(Hs),
            R=tuple(Rs),
            sigma=None if self.sigma is None else tuple(Ss),
            interpolated=not exact,
            source=self.source,
        )

    def to_csv(self, path: str | Path, *, comments: tuple[str, ...] = ()) -> Path:
        """Write the long-format CSV read by :func:`load_sit_csv` (Oe, K, Ohm in the header).

        Valid for
            any SITSweep (10 significant digits).
        """
        return self.field_curves().to_csv(path, comments=comments)


@dataclasses.dataclass(frozen=True, eq=False)
class Isotherms:
    """R(H) at fixed temperatures (Oe, K, Ω/□).

    Attributes
    ----------
    T
        Temperatures [K], increasing, shape ``(n_T,)``.
    H, R, sigma
        Per temperature, fields [Oe] (increasing), resistances and 1-σ errors [Ω/□]
        (``sigma`` is ``None`` when the table has none).
    interpolated
        Whether values were interpolated from R(T) curves (see :meth:`SITSweep.isotherms`).
    source
        Where the data came from.
    """

    T: np.ndarray
    H: tuple[np.ndarray, ...]
    R: tuple[np.ndarray, ...]
    sigma: tuple[np.ndarray, ...] | None
    interpolated: bool
    source: str = ""

    def __len__(self) -> int:
        return len(self.T)

    def to_field_curves(self, H=None, *, min_points: int = 1) -> FieldSweep:
        r"""Transpose back to ρ(T) per field.

        Parameters
        ----------
        H
            Fields [Oe].  ``None``: the fields of the isotherms when they share them (exact),
            else a linear grid over the common range with the median number of fields per
            isotherm.  Values are interpolated linearly in (H, log R) between the two
            bracketing fields of each isotherm (no extrapolation).
        min_points
            Fields with fewer temperatures are skipped (with a warning).

        Valid for
            any Isotherms; exact where the fields are measured ones.
        """
        shared = all(np.array_equal(self.H[0], h) for h in self.H)
        if H is None and shared:
            fields = self.H[0]
        elif H is None:
            n = max(int(np.median([len(h) for h in self.H])), 2)
            fields = np.linspace(max(h[0] for h in self.H), min(h[-1] for h in self.H), n)
        else:
            fields = np.asarray(check("H", H, valid="fields in Oe"), float).ravel()
        cols = {"H": [], "T": [], "R": [], "sigma": []}
        for i, t in enumerate(self.T):
            h, r = self.H[i], self.R[i]
            hu, iu = np.unique(h, return_index=True)  # interpolation needs distinct fields
            inside = (fields >= hu[0]) & (fields <= hu[-1])
            lr = np.interp(fields[inside], hu, np.log(r[iu]))
            cols["H"].append(fields[inside])
            cols["T"].append(np.full(inside.sum(), t))
            cols["R"].append(np.exp(lr))
            if self.sigma is not None:
                rel = np.interp(fields[inside], hu, self.sigma[i][iu] / r[iu])
                cols["sigma"].append(rel * np.exp(lr))
        cat = {k: np.concatenate(v) if v else np.empty(0) for k, v in cols.items()}
        return sweep_from_arrays(
            cat["H"],
            cat["T"],
            cat["R"],
            None if self.sigma is None else cat["sigma"],
            min_points=min_points,
            source=self.source,
        )


def _duplicates(H, T):
    """Return the distinct (H, T) pairs, the inverse index and the counts."""
    keys = np.stack([H, T], axis=1)
    uniq, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    return uniq, inverse.ravel(), counts


def sit_sweep(
    H, T, R, sigma=None, *, duplicates: str = "warn", source: str = "arrays", truth=None
) -> SITSweep:
    r"""Validate long-format arrays (field [Oe], T [K], R [Ω/□], σ) as an :class:`SITSweep`.

    Parameters
    ----------
    H, T, R
        Equal-length 1-D arrays: field [Oe] (finite), temperature [K] (> 0) and sheet
        resistance [Ω/□] (> 0).
    sigma
        Optional 1-σ uncertainty of R [Ω/□] (> 0).
    duplicates
        What to do with (H, T) pairs that occur more than once: ``"warn"`` (default) keeps
        them as repeated measurements with a :class:`DuplicatePointsWarning`; ``"mean"``
        averages them (σ becomes the standard error of the mean,
        :math:`\sqrt{\sum\sigma_i^2}/n`); ``"error"`` raises :class:`DataError`.
    source, truth
        Provenance (synthetic data says so).

    Raises
    ------
    DomainError
        Non-finite values, T ≤ 0, R ≤ 0 (a negative resistance is a lock-in phase or
        offset error, not a property of the film), σ ≤ 0, unequal lengths.
    DataError
        With ``duplicates="error"`` when an (H, T) pair repeats.

    Valid for
        any table of measured points in Oe, K, Ω/□.
    """
    check_choice("duplicates", duplicates, DUPLICATES)
    H = np.asarray(check("H", H, valid="fields in Oe"), float).ravel()
    T = np.asarray(check("T", T, gt=0, valid="temperatures in K"), float).ravel()
    R = np.asarray(
        check(
            "R",
            R,
            gt=0,
            valid=(
                "sheet resistances in Ohm/sq; a negative or zero value is a lock-in phase "
                "or offset error: correct the phase/offset or drop those rows"
            ),
        ),
        float,
    ).ravel()
    sig = None
    if sigma is not None:
        sig = np.asarray(check("sigma", sigma, gt=0, valid="1-sigma errors of R in Ohm/sq"), float)
        sig = sig.ravel()
    lengths = {"H": len(H), "T": len(T), "R": len(R)} | ({} if sig is None else {"sigma": len(sig)})
    if len(set(lengths.values())) != 1:
        raise DomainError(f"arguments H, T, R (and sigma) must have the same length; got {lengths}")
    if len(R) == 0:
        raise DomainError("arguments H, T, R are empty; nothing to analyse")
    uniq, inverse, counts = _duplicates(H, T)
    if np.any(counts > 1):
        rep = np.flatnonzero(counts > 1)
        spread = np.array([np.ptp(R[inverse == k]) for k in rep])
        k0 = rep[np.argmax(spread)]
        vals = ", ".join(f"{v:.6g}" for v in R[inverse == k0])
        what = (
            f"{len(rep)} (H, T) pair(s) occur more than once"
            f"{' with different R' if np.any(spread > 0) else ''} (largest spread at "
            f"H={uniq[k0, 0]:g} Oe, T={uniq[k0, 1]:g} K: R = {vals} Ohm)"
        )
        if duplicates == "error":
            raise DataError(
                f"{source}: {what}; average them (duplicates='mean') or keep them as repeated "
                "measurements (duplicates='warn')"
            )
        if duplicates == "warn":
            warnings.warn(
                f"{source}: {what}; they are kept as repeated measurements (each weighs in "
                "the fits). If they are not repeats of one measurement, fix the table; pass "
                "duplicates='mean' to average them or 'error' to stop",
                DuplicatePointsWarning,
                stacklevel=2,
            )
        else:  # mean
            n = counts.astype(float)
            R = np.bincount(inverse, weights=R) / n
            if sig is not None:
                sig = np.sqrt(np.bincount(inverse, weights=sig**2)) / n
            H, T = uniq[:, 0], uniq[:, 1]
    order = np.lexsort((T, H))
    return SITSweep(
        H=H[order],
        T=T[order],
        R=R[order],
        sigma=None if sig is None else sig[order],
        source=source,
        truth=truth,
    )


def load_sit_csv(path: str | Path, *, duplicates: str = "warn", nan: str = "error") -> SITSweep:
    """Read a long-format CSV (field, T, R [, σ]; units as for load_csv) as an :class:`SITSweep`.

    Both views load from the same file: R(T) curves at fixed fields and R(H) isotherms
    are rows of one table (see the module notes).

    Raises
    ------
    DataError
        Every problem :func:`.data.load_csv` reports (with ``file:line`` and column), and
        repeated (H, T) pairs with ``duplicates="error"``.

    Valid for
        the files :func:`.data.load_csv` reads; no per-field minimum number of points (an
        isotherm table may have one temperature per field).
    """
    p = Path(path)
    cols = read_long_csv(p, nan=nan)
    return sit_sweep(
        cols["field"],
        cols["temperature"],
        cols["resistance"],
        cols.get("sigma"),
        duplicates=duplicates,
        source=str(p),
    )


def as_sweep(H, T=None, R=None, sigma=None, *, duplicates: str = "warn") -> SITSweep:
    """Return an :class:`SITSweep` from a sweep (returned as is) or from long-format arrays.

    Valid for
        an SITSweep (T, R, sigma then None) or arrays accepted by :func:`sit_sweep`.
    """
    if isinstance(H, SITSweep):
        if T is not None or R is not None or sigma is not None:
            raise DomainError("pass either an SITSweep or the arrays H, T, R (sigma), not both")
        return H
    if T is None or R is None:
        raise DomainError("arguments T and R are required with field arrays H")
    return sit_sweep(H, T, R, sigma, duplicates=duplicates)
