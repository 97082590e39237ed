"""`python -m app ...`: the command line in app/cli/."""

import sys

from app.cli import main

sys.exit(main())
