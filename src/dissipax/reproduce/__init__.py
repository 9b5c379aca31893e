"""Paper figures, example fits and sweeps driven by TOML configs: one module per ``kind``.

A config ``configs/NAME.toml`` with ``kind = "K"`` is run by module
``dissipax.reproduce.K``, which defines

``SCHEMA``
    a :class:`dissipax.config.Schema` for the config's settings;
``CATEGORY``
    ``"reproduce"`` (a paper figure), ``"fit"`` (an example fit) or ``"sweep"``;
``run(cfg, out) -> Summary``
    computes, writes PNG + JSON files under the directory ``out`` and returns a
    :class:`Summary`.

``dissipax reproduce`` runs every config in ``configs/``; ``dissipax fit CONFIG`` and
``dissipax sweep CONFIG`` run one config of the matching category.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass
class Summary:
    """What a run produced: short result lines for the terminal and the files written."""

    name: str
    lines: list[str] = dataclasses.field(default_factory=list)
    files: list[Path] = dataclasses.field(default_factory=list)
    ok: bool = True
