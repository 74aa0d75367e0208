"""Delivery: the mail queue in the state, and the backends that send from it.

The notices hand over ``Outgoing`` messages (``message.py``); ``MailQueue``
(``queue.py``) stores each once under its dedupe key and ``deliver_due`` sends
them through a backend: ``outbox`` (files, the default) or ``smtp``.
Who may get mail is decided before, by ``sync.notices.recipients``.
Group bots (WeCom, DingTalk, Feishu) share the queue: ``channels`` is their way in.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sync.config import MailConfig
from sync.delivery.base import Backend
from sync.delivery.errors import (AuthFailed, BadRecipient, DeliveryError, MailSetupError, MaybeDelivered, Rejected,
                                  ServerUnavailable)
from sync.delivery.message import Outgoing, build_email, clean_header_text, message_id_for
from sync.delivery.outbox import OutboxBackend
from sync.delivery.queue import DeliveryResult, MailQueue, Problem, QueueEntry, RetryPolicy
from sync.delivery.smtp import SmtpBackend


def make_backend(mail: MailConfig, base_dir: str | Path, environ: Mapping[str, str] | None = None) -> Backend:
    """The backend [mail] asks for; relative paths (outbox, cafile) are relative to ``base_dir``."""
    base = Path(base_dir)
    if mail.backend == "smtp":
        return SmtpBackend.from_config(mail, base, environ)
    outbox = Path(mail.outbox).expanduser()
    return OutboxBackend(outbox if outbox.is_absolute() else base / outbox)


__all__ = [
    "AuthFailed", "BadRecipient", "Backend", "DeliveryError", "DeliveryResult", "MailQueue", "MailSetupError",
    "MaybeDelivered",
    "OutboxBackend", "Outgoing", "Problem", "QueueEntry", "Rejected", "RetryPolicy",
    "ServerUnavailable", "SmtpBackend", "build_email", "clean_header_text", "make_backend", "message_id_for",
]
