"""JAX's persistent compilation cache, on by default for dissipax users.

A fit or an observable compiles once per model and problem structure (seconds on a laptop
CPU); the persistent cache keeps the compiled executables on disk, so the first fit of a
*new process* (a notebook kernel restart, a script, a CI job) loads them instead of
compiling again.

Where: ``$DISSIPAX_JAX_CACHE`` if set (``0``, ``off`` or ``none`` turns the cache off),
else ``$XDG_CACHE_HOME/dissipax/jax`` (``~/.cache/dissipax/jax``; on macOS
``~/Library/Caches/dissipax/jax``).  A cache directory that the user configured in JAX
before importing dissipax (``jax.config.update("jax_compilation_cache_dir", ...)`` or
``JAX_COMPILATION_CACHE_DIR``) is left alone.  ``dissipax info`` prints the one in use.
Entries are keyed by the compiled program and the JAX/XLA versions, so a stale entry is
never used; deleting the directory is always safe.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: executables that took less than this long to compile are not written to the cache
MIN_COMPILE_SECS = 0.1

_OFF = {"0", "off", "none", "false", "no"}


def default_dir() -> Path | None:
    """Return the cache directory dissipax uses (``None``: off by ``DISSIPAX_JAX_CACHE``)."""
    env = os.environ.get("DISSIPAX_JAX_CACHE")
    if env is not None:
        return None if env.strip().lower() in _OFF or not env.strip() else Path(env).expanduser()
    if sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "dissipax" / "jax"


def enable(
    path: str | os.PathLike | None = None, min_compile_secs: float = MIN_COMPILE_SECS
) -> Path | None:
    """Turn JAX's persistent compilation cache on at ``path`` (default: :func:`default_dir`).

    ``min_compile_secs``: executables that compiled faster are not written (0: all).

    Returns the directory in use, or ``None`` when the cache is off or cannot be created
    (a read-only home directory: dissipax then simply compiles in every process).
    """
    import jax

    if path is None:
        if jax.config.jax_compilation_cache_dir:  # the user's own choice wins
            return Path(jax.config.jax_compilation_cache_dir)
        path = default_dir()
        if path is None:
            return None
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    jax.config.update("jax_compilation_cache_dir", str(path))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", float(min_compile_secs))
    return path


def current_dir() -> Path | None:
    """Return the persistent cache directory JAX uses now (``None``: off)."""
    import jax

    d = jax.config.jax_compilation_cache_dir
    return Path(d) if d else None
