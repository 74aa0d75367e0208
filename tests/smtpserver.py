"""A real SMTP server on 127.0.0.1 for the delivery tests (aiosmtpd).

``MailServer`` speaks STARTTLS (or implicit TLS, or plain) with a certificate
made here by a throw-away CA, requires AUTH (PLAIN/LOGIN) over TLS, and keeps
every accepted message. It can refuse recipients (550), answer DATA with 451,
and *hold* a transaction at RCPT or at DATA until told to go on, so a test can
kill a sender at a known point of the conversation.

Run as ``python -m tests.smtpserver send STATE PORT CAFILE [LEASE_SECONDS_AHEAD]``
it is the sender: a separate process that delivers a state's mail queue over
SMTP, so the tests can SIGKILL it mid-send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
import sys
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

USER, PASSWORD = "robot", "s3cret-pw"
SENDER = "ordersync <ordersync@factory.example>"
#: config.toml's [mail] for a server here: format with port, user (USER) and cafile (the server's)
MAIL_SECTION = """[mail]
backend = "smtp"
host = "127.0.0.1"
port = {port}
security = "starttls"
username = "{user}"
cafile = "{cafile}"
timeout = 10
sender = "ordersync@factory.example"
"""


def make_certs(folder: Path) -> tuple[Path, Path, Path]:
    """(ca.pem, server.pem, server.key): a CA and a server certificate for localhost / 127.0.0.1."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ordersync test CA")])
    ca = (_builder(ca_name, ca_name, ca_key.public_key(), now)
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (_builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_name, key.public_key(), now)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


def _builder(subject, issuer, public_key, now) -> x509.CertificateBuilder:
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=2)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


class Gate:
    """Holds a transaction at one SMTP step until ``release``: the test acts meanwhile."""

    def __init__(self, step: str, nth: int = 1) -> None:
        self.step, self.nth, self.seen = step, nth, 0
        self.reached, self.released = threading.Event(), threading.Event()

    async def wait_here(self, step: str) -> None:
        if step != self.step:
            return
        self.seen += 1
        if self.seen == self.nth:
            self.reached.set()
            while not self.released.is_set():
                await asyncio.sleep(0.01)

    def release(self) -> None:
        self.released.set()


class Handler:
    def __init__(self, server: MailServer) -> None:
        self.server = server

    async def handle_EHLO(self, smtp, session, envelope, hostname, responses):
        if self.server.ehlo_answer:
            return [self.server.ehlo_answer]
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, smtp, session, envelope, address, options):
        if self.server.gate:
            await self.server.gate.wait_here("rcpt")
        if address in self.server.refuse:
            return "550 5.1.1 no such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.busy:
            return "451 4.3.0 try again later"
        login = session.auth_data if session.authenticated else None
        self.server.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content, login))
        if self.server.gate:
            await self.server.gate.wait_here("data")
        return "250 2.0.0 queued"


class MailServer:
    """``with MailServer(tmp, tls="starttls") as server:`` ... ``server.received``."""

    def __init__(self, folder: Path, *, tls: str = "starttls", port: int | None = None,
                 users: dict[str, str] | None = None) -> None:
        self.cafile, certfile, keyfile = make_certs(folder)
        self.tls = tls
        self.port = port or free_port()
        self.users = users if users is not None else {USER: PASSWORD}
        self.received: list[Received] = []
        self.refuse: set[str] = set()
        self.busy = False
        self.ehlo_answer = ""             # e.g. "421 4.3.2 busy, try later": the answer to every EHLO
        self.gate: Gate | None = None
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(certfile, keyfile)
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        kwargs = dict(authenticator=self._authenticate, auth_required=bool(self.users))
        if self.tls == "starttls":
            kwargs.update(tls_context=self.ctx, require_starttls=True, auth_require_tls=True)
        else:
            kwargs.update(auth_require_tls=False)
        self.controller = Controller(Handler(self), hostname="127.0.0.1", port=self.port,
                                     ssl_context=self.ctx if self.tls == "tls" else None,
                                     server_hostname="localhost", **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.gate:
            self.gate.release()
        if self.controller:
            self.controller.stop()
            self.controller = None

    def __enter__(self) -> MailServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    def by_message_id(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.received:
            counts[r.message_id] = counts.get(r.message_id, 0) + 1
        return counts


def _send_main(argv: list[str]) -> int:
    """The sender process: deliver a state's queue over SMTP, print a summary."""
    from sync.delivery import MailQueue, SmtpBackend
    from sync.state import State

    state_path, port, cafile = argv[0], int(argv[1]), argv[2]
    ahead = float(argv[3]) if len(argv) > 3 else 0.0
    backend = SmtpBackend("127.0.0.1", port, security="starttls", username=USER, password=PASSWORD,
                          timeout=30, cafile=cafile, local_hostname="ordersync.test")
    with State(state_path) as state:
        queue = MailQueue(state, SENDER)
        now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=ahead)
        result = queue.deliver_due(backend, now)
        print(f"sent={len(result.sent)} resent={len(result.resent)} deferred={len(result.deferred)}", flush=True)
    return 0


if __name__ == "__main__" and sys.argv[1:2] == ["send"]:
    sys.exit(_send_main(sys.argv[2:]))
