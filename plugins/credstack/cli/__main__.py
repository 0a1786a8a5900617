"""``python -m credstack.cli``."""

import sys

from credstack.cli import main

sys.exit(main())
