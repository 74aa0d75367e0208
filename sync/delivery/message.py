"""The seam between the notices and delivery: ``Outgoing`` in, an email out.

The notices (reminders, digests) hand over finished content as an ``Outgoing``;
``build_email`` turns it into a standard message and is the only place headers
are written. Sheet text reaches headers only through here: control characters
(CR, LF, NUL, Unicode line separators) are replaced by spaces and addresses are
built with ``email.headerregistry.Address``, so a subject typed into a cell as
``"late\\r\\nBcc: x@evil"`` stays one harmless subject line. The HTML body is
the notices' (autoescaped templates); nothing here adds text to it.

The Message-ID is derived from ``dedupe_key``: the same notice always carries
the same id, so a resend after a crash can be recognised by the receiving side.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sync.addresses import is_address
from sync.delivery.errors import BadRecipient

#: C0/C1 controls and the Unicode line/paragraph separators some mail software treats as line breaks
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]+")
_SPACES = re.compile(r"\s{2,}")
_CID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,100}$")
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")
MAX_SUBJECT = 200
#: CRLF line ends, 7-bit transfer encodings: passes any SMTP server, 8BITMIME or not
MAIL_POLICY = policy.SMTP.clone(cte_type="7bit")


@dataclass
class Outgoing:
    """One finished notice, ready to send.

    ``dedupe_key`` says *what* this notice is, stably (e.g.
    ``"digest:daily:2026-11-26:zhang@x"``): queueing the same key twice is a
    no-op, and the Message-ID is derived from it.
    """

    to: list[tuple[str, str]]                      # (display name, address)
    subject: str
    text: str
    dedupe_key: str
    html: str | None = None
    cc: list[tuple[str, str]] = field(default_factory=list)
    inline_images: dict[str, bytes] = field(default_factory=dict)      # cid -> image bytes (html: src="cid:...")
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)  # (filename, bytes, "type/subtype")

    def recipients(self) -> list[str]:
        """The envelope: every address the message goes to, once each."""
        seen: dict[str, None] = {}
        for _, addr in [*self.to, *self.cc]:
            seen.setdefault(check_address(addr), None)
        return list(seen)


def clean_header_text(value: object, limit: int = MAX_SUBJECT) -> str:
    """One line of printable text: controls become spaces, runs of space collapse."""
    text = _SPACES.sub(" ", _CONTROL.sub(" ", str(value or ""))).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def check_address(addr: str) -> str:
    """The address itself (trimmed), or BadRecipient: never a guess, never a second header."""
    text = str(addr or "").strip()
    if not is_address(text):
        raise BadRecipient(f"{addr!r} is not an email address")
    return text


def make_address(name: str, addr: str) -> Address:
    username, domain = check_address(addr).split("@", 1)
    return Address(display_name=clean_header_text(name, 100), username=username, domain=domain)


def sender_address(sender: str) -> Address:
    """``"ordersync@x"`` or ``"ordersync <ordersync@x>"`` from [mail] sender."""
    name, addr = parseaddr(sender)
    return make_address(name, addr)


def message_id_for(dedupe_key: str, sender: str) -> str:
    digest = hashlib.sha256(dedupe_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}.ordersync@{sender_address(sender).domain}>"


def build_email(outgoing: Outgoing, sender: str, message_id: str | None = None,
                date: datetime | None = None) -> EmailMessage:
    """text (+ html with inline images as multipart/related) (+ attachments as multipart/mixed)."""
    if not outgoing.to:
        raise BadRecipient(f"{outgoing.dedupe_key}: a message needs at least one recipient")
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = sender_address(sender)
    msg["To"] = [make_address(n, a) for n, a in outgoing.to]
    if outgoing.cc:
        msg["Cc"] = [make_address(n, a) for n, a in outgoing.cc]
    msg["Subject"] = clean_header_text(outgoing.subject)
    msg["Date"] = format_datetime(date or datetime.now(timezone.utc))
    msg["Message-ID"] = message_id or message_id_for(outgoing.dedupe_key, sender)
    msg["Auto-Submitted"] = "auto-generated"      # RFC 3834: no vacation replies back to the robot
    msg.set_content(outgoing.text or "", subtype="plain")
    if outgoing.html is not None:
        _add_html(msg, outgoing.html, outgoing.inline_images)
    elif outgoing.inline_images:
        raise ValueError(f"{outgoing.dedupe_key}: inline images need an html body")
    for filename, data, mime in outgoing.attachments:
        _attach(msg, filename, data, mime)
    return msg


def _add_html(msg: EmailMessage, html: str, images: dict[str, bytes]) -> None:
    msg.add_alternative(html, subtype="html")
    if not images:
        return
    html_part = msg.get_payload()[-1]
    for cid, data in images.items():
        if not _CID.match(cid):
            raise ValueError(f"inline image id {cid!r}: use letters, digits, '.', '_', '-', '@'")
        html_part.add_related(data, maintype="image", subtype=image_subtype(data), cid=f"<{cid}>",
                              disposition="inline", filename=f"{cid}.{image_subtype(data)}")


def image_subtype(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data.lstrip()[:5] in (b"<?xml", b"<svg ") or b"<svg" in data[:200]:
        return "svg+xml"
    return "png"


def _attach(msg: EmailMessage, filename: str, data: bytes, mime: str) -> None:
    mime = (mime or "application/octet-stream").strip().lower()
    if not _MIME.match(mime):
        raise ValueError(f"attachment {filename!r}: {mime!r} is not a MIME type like application/pdf")
    maintype, subtype = mime.split("/", 1)
    safe_name = clean_header_text(filename, 120).replace("/", "_").replace("\\", "_") or "attachment"
    params = {"charset": "utf-8"} if maintype == "text" and _is_utf8(data) else None
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=safe_name, params=params)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --- group-bot notes: what the notices hand the channels (sync.delivery.channels) ---------------------

@dataclass(frozen=True)
class Mention:
    """Someone a group message @-mentions, with every id a platform might mention them by."""

    name: str
    mobile: str | None = None
    wecom_id: str | None = None
    dingtalk_id: str | None = None
    feishu_id: str | None = None
    email: str | None = None


@dataclass
class ChatNote:
    """One short group message, before it is put in a platform's format.

    ``key`` says what it is, stably, like ``Outgoing.dedupe_key``: each channel
    sends a key once. ``lines`` are plain text with ``**bold**`` at most; the
    channels escape nothing else and cut them to the platform's size. ``path``
    is where on the status page the whole story is (``/order/SO-1``).
    ``followers`` and ``departments`` are what [[channels]] filters on.
    """

    key: str
    kind: str                      # entry_errors | reminders | digests | change_requests
    title: str
    lines: list[str]
    mentions: list[Mention] = field(default_factory=list)
    path: str = "/"
    followers: list[str] = field(default_factory=list)
    departments: list[str] = field(default_factory=list)
    urgent: bool = False
    more: str = "…"                # the last line when the lines do not all fit ("…more in the report")
