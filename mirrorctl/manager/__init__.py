"""mirrorctl.manager."""
