"""``python -m cli``: the ``baustein`` command without the console script."""

import sys

from . import main

sys.exit(main())
