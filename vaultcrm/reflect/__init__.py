"""Vault + today -> reflections: the kinds, their rules and every word a user reads. Pure."""
