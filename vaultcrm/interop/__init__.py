"""Contacts in and dates out: vCard and CSV files → `Contact`s → a plan; people → vCard, ICS.

Everything here is pure: text in, values out, problems as `Problem`s. Reading the vault and
writing notes happen in `vaultcrm.importing`, through the edit engine. vobject and
icalendar are imported inside the functions that need them (start-up time).
"""
