"""mirrorctl.leaderelection."""
