"""mirrorctl.mirroring."""
