"""The status page every notice links to: a small web application over the state (``ordersync serve``).

Server-rendered pages (Starlette, Jinja2, no JavaScript): one person's work,
an order, the findings and changes, the manager's view and the service. People
acknowledge, snooze, agree a new date and decide change requests with plain
POST forms; what they say goes to the action log (``sync.actions``), which the
reminders, escalations and digests respect. The web layer sits above the
service (it reads the daemon's last cycle) and below the command line.
"""
