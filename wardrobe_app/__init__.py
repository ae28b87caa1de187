"""Wardrobe: find the garments in your photos, file them, find similar items."""

__version__ = "0.1.0"
