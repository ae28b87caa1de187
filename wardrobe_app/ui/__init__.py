"""The desktop app (PySide6). The only package that imports Qt."""

from .qt_compat import protect_singletons

# PySide6 6.12.0 on Python 3.11 drops references to None and True (see qt_compat).
protect_singletons()
