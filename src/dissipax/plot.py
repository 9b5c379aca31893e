"""Shared figure helpers: one style and one way to save, used by every reproduction.

Without a display matplotlib falls back to its non-interactive ``Agg`` backend, so
reproductions run headless (CI, clusters).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

STYLE = {
    "figure.dpi": 110,
    "savefig.dpi": 130,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "font.size": 10,
}


def subplots(*args, **kwargs):
    """``plt.subplots`` under the dissipax style (constrained layout by default)."""
    kwargs.setdefault("layout", "constrained")
    with plt.rc_context(STYLE):
        return plt.subplots(*args, **kwargs)


def save_figure(fig, path: str | Path) -> Path:
    """Save ``fig`` as PNG at ``path`` (parents created) and close it; return the path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with plt.rc_context(STYLE):
        fig.savefig(p)
    plt.close(fig)
    return p
