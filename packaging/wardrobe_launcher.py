"""Entry point of the frozen app (PyInstaller): the same as ``wardrobe``."""

import sys

from wardrobe_app.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
