"""Changes: what every row looked like, and what changed since.

``change`` is one change seen; ``snapshot`` is a table as the ledger sees it (key, values, hash per row);
``ledger`` diffs a register against the stored snapshot and records each change;
``requests`` turns changes to an order under way into change requests.
"""
