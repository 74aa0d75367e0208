"""The outbox backend (the default): each message as NAME.eml plus NAME.html.

The .eml opens in any mail program; the .html preview shows the headers and
the body in a browser, inline images included. Each file is written to a
temporary name and moved into place with ``os.replace``, so a reader never sees
half a file. The name comes from the message's own Date, subject and
Message-ID, all fixed when it was queued: delivering it again after a crash
overwrites the same files instead of adding a copy.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from sync.delivery.errors import DeliveryError

_SLUG = re.compile(r"[^\w]+", re.UNICODE)
_CID_SRC = re.compile(r"""(src\s*=\s*["'])cid:([^"']+)(["'])""", re.I)


class OutboxBackend:
    name = "outbox"

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeliveryError(f"cannot create the outbox folder {self.folder}: {exc.strerror or exc}",
                                hint="Check [mail] outbox in config.toml and the folder's permissions.") from exc

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> list[str]:
        msg = message_from_bytes(raw, policy=policy.default)
        stem = file_stem(msg)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            _write_atomic(self.folder / f"{stem}.html", preview_html(msg, recipients).encode("utf-8"))
            _write_atomic(self.folder / f"{stem}.eml", raw)
        except OSError as exc:
            raise DeliveryError(f"cannot write to the outbox folder {self.folder}: {exc.strerror or exc}",
                                hint="Check free space and permissions of the outbox folder.") from exc
        return []

    def close(self) -> None:
        return None


def file_stem(msg: EmailMessage) -> str:
    """``20261126-083000-逾期提醒-PO-1234-3f2a9c1d``: sorts by time, readable, unique by Message-ID."""
    try:
        when = parsedate_to_datetime(str(msg["Date"])).strftime("%Y%m%d-%H%M%S")
    except (TypeError, ValueError):
        when = "00000000-000000"
    slug = _SLUG.sub("-", str(msg["Subject"] or "")).strip("-_")[:40].strip("-_") or "message"
    ident = hashlib.sha256(str(msg["Message-ID"] or "").encode()).hexdigest()[:8]
    return f"{when}-{slug}-{ident}"


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def preview_html(msg: EmailMessage, recipients: list[str]) -> str:
    """Headers on top, the body below in a sandboxed frame (no scripts, ever), attachments listed."""
    rows = [(name, str(msg[name])) for name in ("From", "To", "Cc", "Subject", "Date", "Message-ID") if msg[name]]
    rows.append(("Envelope-To", ", ".join(recipients)))
    head = "\n".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in rows)
    files = [html.escape(p.get_filename() or "attachment") for p in msg.iter_attachments()]
    listing = f"<p class=files>📎 {' · '.join(files)}</p>" if files else ""
    return (f"<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(str(msg['Subject'] or ''))}"
            "</title><style>body{font-family:sans-serif;margin:1em}th{text-align:left;padding-right:1em;"
            "color:#555}iframe{width:100%;height:80vh;border:1px solid #ccc}</style></head><body>\n"
            f"<table>{head}</table>{listing}\n{_body(msg)}\n</body></html>\n")


def _body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html", "plain"))
    if part is None:
        return "<p>(no body)</p>"
    content = part.get_content()
    if part.get_content_subtype() != "html":
        return f"<pre>{html.escape(content)}</pre>"
    images = _inline_images(msg)
    content = _CID_SRC.sub(lambda m: m.group(1) + images.get(m.group(2), "cid:" + m.group(2)) + m.group(3), content)
    return f'<iframe sandbox srcdoc="{html.escape(content, quote=True)}"></iframe>'


def _inline_images(msg: EmailMessage) -> dict[str, str]:
    """cid -> data: URI, so the preview shows the charts a mail program would show."""
    out = {}
    for part in msg.walk():
        cid = str(part["Content-ID"] or "").strip("<> ")
        if cid and part.get_content_maintype() == "image":
            data = base64.b64encode(part.get_payload(decode=True) or b"").decode("ascii")
            out[cid] = f"data:{part.get_content_type()};base64,{data}"
    return out
