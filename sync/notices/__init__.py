"""Notices: what to tell whom, as finished ``Outgoing`` messages.

``plan`` decides the mails of a cycle (reminders, entry errors, digests);
``reminders`` and ``digests`` build their content; ``recipients`` is the closed
list of who may get mail; ``render`` holds the Jinja2 templates; ``charts`` and
``report_xlsx`` are what a digest or a check attaches.
"""
