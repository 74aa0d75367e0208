"""Tables: which sheet is which table, and its cells as typed columns with provenance.

``fields`` holds the canonical tables and fields with their header aliases;
``detect`` finds tables and header rows in a workbook; ``normalize`` turns raw
cells into numbers, dates and keys a whole column at a time (``columns`` is the
reader's compact column form); ``table`` is the typed table with its sheet rows
and cells; ``register`` loads every configured or recognised table from the
sources; ``cells`` reads a register's cells the way the notices need them;
``scaffold`` writes a config.toml from what was recognised.
"""
