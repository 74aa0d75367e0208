"""``python -m sync`` is ``ordersync``."""

from sync.cli import main

main()
