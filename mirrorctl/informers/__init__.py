"""mirrorctl.informers."""
