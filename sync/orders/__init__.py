"""Orders: the one per-order view every later stage reads.

``view`` joins the orders tab with every department tab by order number and
holds the status words; ``progress`` works out each order's stage, projected
finish and risk; ``facts`` is what the notices know of each order and each
person (the people directory).
"""
