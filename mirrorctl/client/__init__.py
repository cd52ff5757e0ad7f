"""mirrorctl.client."""
