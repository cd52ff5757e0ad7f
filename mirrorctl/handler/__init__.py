"""mirrorctl.handler."""
