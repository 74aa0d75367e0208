"""The service: one cycle (read, check, remember, notify, deliver) and the daemon around it.

``cycle`` runs one pass; ``daemon`` is ``ordersync run``; ``watch`` sees saves
the way programs really make them; ``schedule`` decides when digests are due.
"""
