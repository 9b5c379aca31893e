"""mkdocs hooks: render the executed notebooks, and serve MathJax from the site itself.

* ``on_config`` fills the "Examples" section of the navigation with every
  ``notebooks/*.ipynb`` (so a new notebook appears without editing mkdocs.yml).
* ``on_files`` adds ``build/notebooks/*.ipynb`` -- the copies with outputs that ``make test``
  writes while nbmake executes the notebooks (``notebooks/conftest.py``) -- as
  ``notebooks/<name>.ipynb`` pages for mkdocs-jupyter, which renders them without executing
  anything.  A notebook in the navigation without an executed copy is a broken link, so
  ``mkdocs build --strict`` fails (``make docs`` executes missing copies first).
* ``on_post_build`` copies MathJax 3 (from the ``django-static-mathjax`` wheel, no Django
  needed) into ``site/assets/mathjax`` so equations render without a CDN.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
EXECUTED = ROOT / "build" / "notebooks"


def on_config(config):
    """Fill the navigation's "Examples" section with every notebooks/*.ipynb."""
    for section in config["nav"]:
        if isinstance(section, dict) and "Examples" in section:
            section["Examples"] = [
                {nb.stem.replace("_", " "): f"notebooks/{nb.name}"}
                for nb in sorted((ROOT / "notebooks").glob("*.ipynb"))
            ]
    return config


@event_priority(100)  # before mkdocs-jupyter turns .ipynb files into pages
def on_files(files, config):
    """Add the executed notebooks of build/notebooks as notebooks/<name>.ipynb."""
    for nb in sorted(EXECUTED.glob("*.ipynb")):
        files.append(
            File(
                f"notebooks/{nb.name}",
                src_dir=str(EXECUTED.parent),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files


def on_post_build(config):
    """Copy MathJax's tex-mml-chtml bundle and its fonts into site/assets/mathjax."""
    import mathjax  # the django-static-mathjax distribution

    src = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    dst = Path(config["site_dir"]) / "assets" / "mathjax"
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src / "tex-mml-chtml.js", dst / "tex-mml-chtml.js")
    fonts = src / "output" / "chtml" / "fonts" / "woff-v2"
    shutil.copytree(fonts, dst / "output" / "chtml" / "fonts" / "woff-v2", dirs_exist_ok=True)
