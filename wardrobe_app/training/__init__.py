"""Training and evaluation (no Qt; never imported when the app starts)."""
