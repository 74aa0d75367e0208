"""The backend contract: hand one finished message to the world, or say why not.

A backend gets the message exactly as queued (bytes, with its Message-ID and
Date fixed at queueing time) plus the envelope. ``send`` returns only once the
message is accepted (the SMTP server answered 250 to DATA, the outbox file is
in place); anything else raises a ``DeliveryError`` that says whether to retry.
The queue calls ``open`` once per batch and ``close`` at the end, so one SMTP
connection carries a whole batch.
"""

from __future__ import annotations

from typing import Protocol


class Backend(Protocol):
    name: str          # "outbox" | "smtp": also the [mail] backend value

    def open(self) -> None:
        """Get ready for a batch (connect, log in); raise DeliveryError if that fails."""

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> list[str]:
        """Deliver one message; return the recipients refused while others were accepted."""

    def close(self) -> None:
        """End the batch; never raises."""
