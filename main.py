"""Start RagArt Desktop."""
from ragart_desktop.app import main

raise SystemExit(main())
