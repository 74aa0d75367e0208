"""The SMTP backend: STARTTLS or implicit TLS with certificate checks, AUTH, timeouts.

The password never lives in config.toml: ``[mail] password_env`` names the
environment variable that holds it. smtplib, ssl and socket errors are
translated here, chained ``from exc``, into errors that say whether to retry
(``sync.delivery.errors``): connection trouble and 4xx answers are temporary,
a failed login is retried slowly and reported, 5xx is permanent.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sync.delivery.errors import AuthFailed, DeliveryError, MailSetupError, Rejected, ServerUnavailable

SECURITY = ("starttls", "tls", "none")
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class SmtpBackend:
    name = "smtp"

    def __init__(self, host: str, port: int, *, security: str = "starttls", username: str | None = None,
                 password: str | None = None, password_env: str = "", timeout: float = 30.0,
                 cafile: str | Path | None = None, local_hostname: str | None = None) -> None:
        if security not in SECURITY:
            raise MailSetupError(f"[mail] security = {security!r}: expected starttls, tls or none")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.password_env = username, password, password_env
        self.timeout, self.cafile, self.local_hostname = timeout, cafile, local_hostname
        self.conn: smtplib.SMTP | None = None

    @classmethod
    def from_config(cls, mail, base_dir: Path, environ: Mapping[str, str] | None = None) -> SmtpBackend:
        env = os.environ if environ is None else environ
        cafile = getattr(mail, "cafile", None)
        return cls(mail.host, mail.port, security=mail.security, username=mail.username,
                   password=env.get(mail.password_env) if mail.username else None,
                   password_env=mail.password_env, timeout=mail.timeout,
                   cafile=(base_dir / cafile) if cafile else None)

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

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

    def _connect(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, local_hostname=self.local_hostname,
                                    timeout=self.timeout, context=self._context())
        conn = smtplib.SMTP(self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout)
        try:
            conn.ehlo()
            if self.security == "starttls":
                conn.starttls(context=self._context())
                conn.ehlo()
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
        try:
            with self._translated("send"):
                refused = self.conn.sendmail(sender, recipients, raw)
        except DeliveryError as exc:
            if exc.retryable:
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
        except (smtplib.SMTPException, socket.timeout, OSError) as exc:
            hint = ""
            if step == "connect" and self.security != "tls" and "timed out" in _describe(exc):
                hint = " (a server that expects implicit TLS, usually port 465, waits silently: security = \"tls\"?)"
            raise ServerUnavailable(f"{self.where}: {step} failed: {_describe(exc)}{hint}") from exc


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
