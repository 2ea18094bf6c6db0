"""``python -m ragart_desktop.cli`` is the ``ragart`` command."""
import sys

from ragart_desktop.cli import main

sys.exit(main())
