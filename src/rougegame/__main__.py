"""Allow ``python -m rougegame``."""

from rougegame.cli import main

raise SystemExit(main())
