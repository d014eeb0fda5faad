"""The disposable index: one store, one codec, one plan of what to redo."""
