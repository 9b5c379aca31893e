"""Progress bars for long work (tqdm), silenced globally by ``--quiet`` or ``DISSIPAX_QUIET=1``."""

from __future__ import annotations

import os
from collections.abc import Iterable

from tqdm.auto import tqdm

_quiet = os.environ.get("DISSIPAX_QUIET", "0").strip().lower() in {"1", "true", "yes", "on"}


def set_quiet(quiet: bool) -> None:
    """Turn all dissipax progress bars off (``True``) or on."""
    global _quiet
    _quiet = bool(quiet)


def is_quiet() -> bool:
    """Whether progress bars are silenced."""
    return _quiet


def progress(
    iterable: Iterable | None = None,
    *,
    desc: str = "",
    total: int | None = None,
    enabled: bool | None = None,
    **kwargs,
):
    """Wrap ``iterable`` in a tqdm progress bar unless progress output is silenced.

    ``enabled=None`` follows the global setting; ``True``/``False`` force it.
    """
    show = (not _quiet) if enabled is None else enabled
    return tqdm(
        iterable,
        desc=desc,
        total=total,
        disable=not show,
        leave=False,
        dynamic_ncols=True,
        **kwargs,
    )
