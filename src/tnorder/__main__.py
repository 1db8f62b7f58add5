"""``python -m tnorder``: the same as the ``tnorder`` command."""

from .cli import main

raise SystemExit(main())
