"""Tables: which sheet is which table, and its cells as typed columns with provenance.

Finding tables: ``fields`` holds the canonical tables and fields with their
header aliases; ``labels`` folds a header cell the way people type it
(Traditional Chinese, spaces, units, abbreviations); ``detect`` finds the
header row and says which table a sheet is (``header.HeaderMatch``), and
``reading`` says how sure that is, sheet by sheet.

Reading values: ``normalize`` turns raw cells into numbers, dates and keys a
whole column at a time, with ``dates`` and ``quantities`` for how those are
typed; ``columns`` is the reader's compact column form.

Rows and tables: ``rows`` decides which rows are data (totals, footers,
guidance, repeated headers, merged keys); ``table`` is the typed table with
its sheet rows, cells and parts; ``register`` loads every configured or
recognised table from the sources, joining same-layout tabs and workbooks;
``cells`` reads a register's cells the way the notices need them;
``scaffold`` writes a config.toml from what was recognised.
"""
