"""mirrorctl.cache."""
