"""mirrorctl.queue."""
