"""``python -m surveys`` runs the ``baustein`` command line."""

import sys

from .cli import main

sys.exit(main())
