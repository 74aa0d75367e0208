"""Google's side of the gsheets source: addresses, HTTP with a budget, error hints, read plans.

``sync.sources.gsheets`` is the source; the modules here are what it is made of:

- ``addresses``: every URL form a user pastes, A1 ranges, grids re-anchored at A1;
- ``http``:      one request at a time, within the poll's time budget, counted;
- ``errors``:    Google's error bodies as our errors, each reason with its own hint;
- ``plan``:      which batchGets read which tabs and rows, each answer kept small.
"""
