"""What can go wrong on the way out, each error knowing whether to try again.

smtplib and socket errors are translated at the boundary (``sync.delivery.smtp``)
into these, chained ``from exc``. The queue only asks ``retryable`` and
``slow``: a server that is down or busy (connection refused, timeout, 4xx) is
tried again soon; a login that fails is tried again slowly, because somebody
has to fix the password first; a permanent refusal (5xx) ends the message as
``failed``, kept in the queue for everyone to see.
"""

from __future__ import annotations

from sync.errors import UserError


class DeliveryError(UserError):
    """A message could not be handed over."""

    retryable: bool = True
    slow: bool = False


class ServerUnavailable(DeliveryError):
    """Connection refused, reset, timed out, or a 4xx answer: try again soon."""

    hint = "The mail server is unreachable or busy; messages stay queued and are retried with backoff."


class AuthFailed(DeliveryError):
    """The server refused our login: retried slowly until the password is fixed."""

    slow = True
    hint = ("Check [mail] username and the password in the environment variable named by "
            "[mail] password_env; queued messages are retried hourly meanwhile.")


class MailSetupError(DeliveryError):
    """The mail settings cannot work as written (no password in the environment, bad CA file)."""

    slow = True
    hint = "Fix the [mail] section of config.toml (see `ordersync doctor`); queued messages wait meanwhile."


class Rejected(DeliveryError):
    """A permanent refusal (5xx): sending the same message again would fail again."""

    retryable = False
    hint = "The server refused this message for good; it is kept in the queue as failed."


class MaybeDelivered(DeliveryError):
    """The whole message went and the server went silent (or away) before confirming it: it may have arrived."""

    retryable = False
    hint = ("It may have been delivered: ask the recipient. Kept as failed, never sent again by itself; "
            "`ordersync queue --retry ID` sends it again on purpose.")


class BadRecipient(UserError):
    """An address that is not one, or that is not in config or the people master."""
