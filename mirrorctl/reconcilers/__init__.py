"""mirrorctl.reconcilers."""
