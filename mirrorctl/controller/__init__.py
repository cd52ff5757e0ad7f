"""mirrorctl.controller."""
