"""``python -m glassml`` is the ``glassml`` command."""

from glassml.cli import main

raise SystemExit(main())
