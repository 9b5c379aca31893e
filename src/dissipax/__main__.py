"""``python -m dissipax`` runs the command line (see :mod:`dissipax.cli`)."""

import sys

from .cli import main

sys.exit(main())
