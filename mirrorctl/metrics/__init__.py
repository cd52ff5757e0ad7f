"""mirrorctl.metrics."""
