"""``python -m wardrobe_app.cli``: the CLI without an installed entry point (a bare GPU box)."""

from . import main

raise SystemExit(main())
