"""`python -m bench SCENARIO [options]`, the same as `python -m bench.cli` and `oms bench`."""
import sys

from .cli import main

sys.exit(main())
