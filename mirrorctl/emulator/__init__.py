"""mirrorctl.emulator."""
