"""Flags read from prose: "she told me her parents are splitting up" reads as `#heard`.

A leaf package (it imports nothing else of vaultcrm): the rules are data per language
(`english`), `match` applies them to one line. docs/flags.md says what they catch.
"""
