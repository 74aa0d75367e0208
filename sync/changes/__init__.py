"""Changes: what every row looked like, and what changed since.

``change`` is one change seen; ``snapshot`` is a table as the ledger sees it (key, values, hash per row);
``matching`` pairs stored and new rows (identity, then content); ``ledger`` diffs a register
against the stored snapshot and records each change, with who saved it where the workbook says;
``schema`` is its tables, ``history`` reads them back;
``requests`` turns changes to an order under way into change requests.
"""
