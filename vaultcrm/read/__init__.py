"""Files -> records -> a `Vault`: walking the folders, parsing notes, resolving names."""
