"""The ``dissipax`` command line: ``reproduce``, ``fit``, ``sweep`` and ``info``.

Exit codes: 0 success; 1 a run failed (the others still ran); 2 a user error (bad
arguments, a missing or malformed config) reported in one line without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from . import _progress, config

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """An error in what the user asked for; printed without a traceback."""


def _configs_dir(arg: str | None) -> Path:
    """``--configs DIR``; by default ./configs, else the configs installed with dissipax."""
    if arg is None:
        d = Path("configs")
        if d.is_dir():
            return d
        from importlib.resources import files

        d = Path(str(files("dissipax.reproduce") / "configs"))
        if d.is_dir():
            return d
        raise UserError("no ./configs directory and no installed configs (use --configs DIR)")
    d = Path(arg)
    if not d.is_dir():
        raise UserError(f"config directory {d} does not exist (use --configs DIR)")
    return d


def _resolve(names: list[str], cdir: Path) -> list[Path]:
    available = sorted(cdir.glob("*.toml"))
    if not names:
        return available
    by_name = {p.stem: p for p in available}
    out = []
    for n in names:
        p = Path(n)
        if p.suffix == ".toml" and p.is_file():
            out.append(p)
        elif n in by_name:
            out.append(by_name[n])
        else:
            known = ", ".join(by_name) or "(none)"
            raise UserError(f"no config named {n!r} in {cdir}; available: {known}")
    return out


def _run_configs(paths: list[Path], out: Path, category: str | None, quiet: bool) -> int:
    cfgs = []
    for p in paths:
        cfg = config.load(p)
        cat = config.kind_module(cfg.kind).CATEGORY
        if category is not None and cat != category:
            raise UserError(
                f"{p}: kind {cfg.kind!r} is a {cat} config, not a {category} config "
                f"(run it with 'dissipax {cat}')"
            )
        cfgs.append(cfg)
    if not cfgs:
        print("nothing to run: no configs found")
        return EXIT_OK
    rows, failed = [], 0
    bar = _progress.progress(cfgs, desc="dissipax", total=len(cfgs), enabled=not quiet)
    for cfg in bar:
        bar.set_postfix_str(cfg.name)
        t0 = time.perf_counter()
        target = out / cfg.name
        try:
            summary = config.kind_module(cfg.kind).run(cfg, target)
            ok = summary.ok
            lines = summary.lines
            nfiles = len(summary.files)
        except Exception as exc:  # noqa: BLE001 - one failing target must not stop the rest
            ok, nfiles = False, 0
            lines = [f"FAILED: {type(exc).__name__}: {exc}"]
            if not quiet:
                traceback.print_exc()
        dt = time.perf_counter() - t0
        failed += not ok
        rows.append((cfg.name, "ok" if ok else "FAILED", dt, nfiles, lines))
    print(f"\ndissipax: {len(rows)} config(s) -> {out}/")
    for name, status, dt, nfiles, lines in rows:
        print(f"  {name:<28s} {status:<6s} {dt:7.1f} s  {nfiles} file(s)")
        for line in lines:
            print(f"      {line}")
    return EXIT_FAILED if failed else EXIT_OK


def _info() -> int:
    import importlib.metadata as md
    import platform

    import jax

    from . import _precision

    print(f"dissipax {md.version('dissipax') if _installed() else '(not installed)'}")
    print(f"python   {platform.python_version()} ({sys.executable})")
    for pkg in (
        "jax",
        "jaxlib",
        "equinox",
        "optimistix",
        "optax",
        "lineax",
        "jaxtyping",
        "numpy",
        "scipy",
        "matplotlib",
        "numpyro",
        "arviz",
        "xarray",
    ):
        try:
            v = md.version(pkg)
        except md.PackageNotFoundError:
            v = "not installed"
        print(f"  {pkg:<11s} {v}")
    print(f"backend  {jax.default_backend()}")
    for d in jax.devices():
        print(f"  device {d.id}: {d.device_kind} ({d.platform})")
    print(
        f"precision: x64 {'on' if _precision.x64_enabled() else 'off'}, "
        f"working dtype {_precision.float_dtype()} (DISSIPAX_X64=0 opts out)"
    )
    from . import _cache

    cache = _cache.current_dir()
    print(
        f"compilation cache: {cache if cache else 'off'} "
        "(DISSIPAX_JAX_CACHE=DIR moves it, DISSIPAX_JAX_CACHE=0 turns it off)"
    )
    from . import datasets

    d = datasets.data_dir()
    print(f"data     {datasets.DATA_DIR_VAR}={d if d is not None else '(unset)'}")
    print(f"  cache  {datasets.cache_dir()} ({datasets.CACHE_DIR_VAR} overrides)")
    for name in datasets.REGISTRY:
        try:
            where = datasets.locate(name)
        except datasets.ChecksumError as e:
            where = f"checksum mismatch: {e}"
        print(f"  {name:<25s} {where if where is not None else 'not local (fetch downloads it)'}")
    return EXIT_OK


def _installed() -> bool:
    import importlib.metadata as md

    try:
        md.version("dissipax")
        return True
    except md.PackageNotFoundError:
        return False


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (exposed for tests and documentation)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--out", default="out", help="output directory (default: out/)")
    common.add_argument("--quiet", action="store_true", help="no progress bars")
    common.add_argument(
        "--jax-cache",
        metavar="DIR",
        default=None,
        help="persistent JAX compilation cache directory (reused across runs)",
    )
    p = argparse.ArgumentParser(
        prog="dissipax", description="Differentiable dissipation in superconductors."
    )
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser(
        "reproduce",
        parents=[common],
        help="regenerate paper figures and example fits from configs/",
    )
    r.add_argument("names", nargs="*", help="config names (default: all in --configs)")
    r.add_argument(
        "--configs",
        default=None,
        help="config directory (default: ./configs if present, else the installed ones)",
    )
    r.add_argument("--list", action="store_true", help="list the available configs and exit")
    f = sub.add_parser("fit", parents=[common], help="run the fit described by a config")
    f.add_argument("config", help="path to a fit config (.toml)")
    s = sub.add_parser("sweep", parents=[common], help="run the sweep described by a config")
    s.add_argument("config", help="path to a sweep config (.toml)")
    sub.add_parser("info", help="versions, devices and precision")
    return p


def _enable_cache(path: str | None) -> None:
    if path:
        from . import _cache

        _cache.enable(path, min_compile_secs=0.0)  # an explicit cache keeps everything


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dissipax`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "info":
            return _info()
        _progress.set_quiet(args.quiet)
        _enable_cache(args.jax_cache)
        out = Path(args.out)
        if args.command == "reproduce":
            cdir = _configs_dir(args.configs)
            paths = _resolve(args.names, cdir)
            if args.list:
                for p in paths:
                    cfg = config.load(p)
                    print(f"{p.stem:<28s} {cfg.kind:<20s} {cfg.title}")
                return EXIT_OK
            return _run_configs(paths, out, None, args.quiet)
        path = Path(args.config)
        return _run_configs([path], out, args.command, args.quiet)
    except (UserError, config.ConfigError) as exc:
        print(f"dissipax: error: {exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
