"""ordersync: keeps watch over the spreadsheets order followers use as their register.

Data flows one way: sources -> tables -> checks / changes -> notices -> delivery.
"""

__version__ = "0.1.0"
