"""The SMTP backend: STARTTLS or implicit TLS with certificate checks, AUTH, timeouts.

The password never lives in config.toml: ``[mail] password_env`` names the
environment variable that holds it. smtplib, ssl and socket errors are
translated here, chained ``from exc``, into errors that say whether to retry
(``sync.delivery.errors``): connection trouble and 4xx answers are temporary
(a 421 to EHLO too: "try later"), a failed login is retried slowly and
reported, 5xx is permanent.

RFC 5321 4.5.3.2.6 gives the server 10 minutes to answer the end of the data:
that wait is ``data_timeout``, apart from the per-step ``timeout``. A
connection lost or silent after the whole message went is "maybe delivered"
(``MaybeDelivered``): sending it again could be a second copy, so it is not
retried by itself.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import socket
import re
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sync.delivery.errors import (AuthFailed, DeliveryError, MailSetupError, MaybeDelivered, Rejected,
                                  ServerUnavailable)

SECURITY = ("starttls", "tls", "none")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
DATA_TIMEOUT = 600.0     # RFC 5321: the end-of-data reply may take 10 minutes


class _Patient:
    """smtplib's DATA, waiting ``data_timeout`` for the final reply and noting when the whole message went."""

    data_timeout: float = DATA_TIMEOUT
    data_sent: bool = False
    sock: socket.socket | None
    timeout: float

    def data(self, msg: bytes) -> tuple[int, bytes]:
        self.putcmd("data")                                     # type: ignore[attr-defined]
        code, repl = self.getreply()                            # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, repl)
        payload = re.sub(rb"(?m)^\.", b"..", msg)
        payload += (b"" if payload.endswith(b"\r\n") else b"\r\n") + b".\r\n"
        self.send(payload)                                      # type: ignore[attr-defined]
        self.data_sent = True
        if self.sock is not None:
            self.sock.settimeout(self.data_timeout)
        try:
            return self.getreply()                              # type: ignore[attr-defined]
        finally:
            if self.sock is not None:
                self.sock.settimeout(self.timeout)


class _SMTP(_Patient, smtplib.SMTP):
    pass


class _SMTP_SSL(_Patient, smtplib.SMTP_SSL):
    pass


class SmtpBackend:
    name = "smtp"

    def __init__(self, host: str, port: int, *, security: str = "starttls", username: str | None = None,
                 password: str | None = None, password_env: str = "", timeout: float = 30.0,
                 cafile: str | Path | None = None, local_hostname: str | None = None,
                 data_timeout: float = DATA_TIMEOUT) -> None:
        if security not in SECURITY:
            raise MailSetupError(f"[mail] security = {security!r}: expected starttls, tls or none")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.password_env = username, password, password_env
        self.timeout, self.cafile, self.local_hostname = timeout, cafile, local_hostname
        self.data_timeout = data_timeout
        self.conn: _SMTP | _SMTP_SSL | None = None

    @classmethod
    def from_config(cls, mail, base_dir: Path, environ: Mapping[str, str] | None = None) -> SmtpBackend:
        env = os.environ if environ is None else environ
        cafile = getattr(mail, "cafile", None)
        return cls(mail.host, mail.port, security=mail.security, username=mail.username,
                   password=env.get(mail.password_env) if mail.username else None,
                   password_env=mail.password_env, timeout=mail.timeout,
                   cafile=(base_dir / cafile) if cafile else None,
                   data_timeout=getattr(mail, "data_timeout", DATA_TIMEOUT))

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def fingerprint(self) -> str:
        """What a login depends on: when it changes (config edited, password set anew), retry at once."""
        parts = (self.host, self.port, self.security, self.username, self.password, str(self.cafile or ""))
        return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()[:16]

    def open(self) -> None:
        self.close()
        self._check_login_setup()
        with self._translated("connect"):
            conn = self._connect()
        self.conn = conn
        if self.username:
            with self._translated("login"):
                conn.login(self.username, self.password or "")

    def _check_login_setup(self) -> None:
        if not self.username:
            return
        if not self.password:
            raise MailSetupError(f"[mail] username is set but the environment variable {self.password_env} "
                                 "(named by [mail] password_env) holds no password")
        if self.security == "none" and self.host not in _LOOPBACK:
            raise MailSetupError(f"{self.where}: refusing to send the password unencrypted; "
                                 "set [mail] security to starttls or tls")

    def _connect(self) -> _SMTP | _SMTP_SSL:
        if self.security == "tls":
            conn: _SMTP | _SMTP_SSL = _SMTP_SSL(self.host, self.port, local_hostname=self.local_hostname,
                                                timeout=self.timeout, context=self._context())
        else:
            conn = _SMTP(self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout)
        conn.data_timeout = self.data_timeout
        try:
            _greet(conn)
            if self.security == "starttls":
                conn.starttls(context=self._context())
                _greet(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=str(self.cafile) if self.cafile else None)
        except (OSError, ssl.SSLError) as exc:
            raise MailSetupError(f"[mail] cafile {self.cafile}: cannot load it ({exc})") from exc

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> list[str]:
        if self.conn is None:
            self.open()
        assert self.conn is not None
        self.conn.data_sent = False
        try:
            with self._translated("send"):
                refused = self.conn.sendmail(sender, recipients, raw)
        except DeliveryError as exc:
            if exc.retryable or isinstance(exc, MaybeDelivered):
                self.close()     # the connection's state is unknown: the next message starts afresh
            raise
        return sorted(refused)

    def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()

    @contextmanager
    def _translated(self, step: str) -> Iterator[None]:
        try:
            yield
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise AuthFailed(f"{self.where}: login as {self.username!r} refused: {_answer(exc)}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailSetupError(f"{self.where}: {exc} Check [mail] security and port") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise _refused(self.where, exc) from exc
        except smtplib.SMTPResponseException as exc:
            raise _by_code(exc.smtp_code, step, f"{self.where}: {step} refused: {_answer(exc)}") from exc
        except UnicodeEncodeError as exc:
            raise MailSetupError(f"{self.where}: {step}: the user name and password must be plain ASCII "
                                 "(smtplib cannot send other characters)") from exc
        except ssl.SSLCertVerificationError as exc:
            raise MailSetupError(f"{self.where}: the server's certificate is not trusted "
                                 f"({exc.verify_message}); set [mail] cafile for a private CA") from exc
        except ssl.SSLError as exc:
            raise MailSetupError(f"{self.where}: TLS failed ({exc.reason or exc}); with port 465 use "
                                 "security = \"tls\", with 587 or 25 use \"starttls\"") from exc
        except (smtplib.SMTPException, OSError) as exc:
            if step == "send" and self.conn is not None and self.conn.data_sent:
                raise MaybeDelivered(f"{self.where}: the whole message went but the server did not confirm it "
                                     f"({_describe(exc)}, waited up to {self.data_timeout:g} s): it may have "
                                     "been delivered") from exc
            raise self._unavailable(step, exc) from exc

    def _unavailable(self, step: str, exc: BaseException) -> ServerUnavailable:
        hint = ""
        if step == "connect" and self.security != "tls" and "timed out" in _describe(exc):
            hint = " (a server that expects implicit TLS, usually port 465, waits silently: security = \"tls\"?)"
        return ServerUnavailable(f"{self.where}: {step} failed: {_describe(exc)}{hint}")


def _greet(conn: smtplib.SMTP) -> None:
    """EHLO, then HELO if EHLO is unknown; a 4xx answer (421 "busy, closing") is "try later", not a setup fault."""
    code, answer = conn.ehlo()
    if 400 <= code < 500:
        raise smtplib.SMTPResponseException(code, answer)
    if code != 250:
        code, answer = conn.helo()
        if code != 250:
            raise smtplib.SMTPResponseException(code, answer)


def _by_code(code: int, step: str, message: str) -> DeliveryError:
    if not 500 <= code < 600:
        return ServerUnavailable(message)          # 4xx, or no proper answer at all
    # a 5xx before any message was offered is about us (host, relay, policy), not about a message
    return Rejected(message) if step == "send" else MailSetupError(message)


def _refused(where: str, exc: smtplib.SMTPRecipientsRefused) -> DeliveryError:
    answers = {addr: f"{code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()}
    detail = "; ".join(f"{a}: {m}" for a, m in answers.items())
    temporary = all(400 <= code < 500 for code, _ in exc.recipients.values())
    return (ServerUnavailable if temporary else Rejected)(f"{where}: every recipient refused ({detail})")


def _answer(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_text(exc.smtp_error)}"


def _text(msg: bytes | str) -> str:
    return msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout) or "timed out" in str(exc):
        return "no answer in time (timed out)"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the server running? is the port right?)"
    if isinstance(exc, socket.gaierror):
        return f"host name not found ({exc.strerror})"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
