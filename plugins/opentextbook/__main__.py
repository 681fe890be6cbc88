"""``python -m opentextbook ...``: the same command line as the ``opentextbook`` script."""

from __future__ import annotations

import sys

from opentextbook.cli import main

sys.exit(main())
