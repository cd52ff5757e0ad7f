"""mirrorctl.envtest."""
