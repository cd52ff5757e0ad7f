"""mirrorctl.reconcile."""
