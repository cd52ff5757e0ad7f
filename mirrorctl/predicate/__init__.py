"""mirrorctl.predicate."""
