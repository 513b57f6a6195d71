"""Real servers on loopback for the notification tests: SMTP (aiosmtpd with STARTTLS and AUTH),
rsyslogd (RFC 5424 over TCP and TLS) and an HTTP receiver that checks the HMAC."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Certs:
    ca: Path
    cert: Path
    key: Path


def make_certs(folder: Path) -> Certs:
    """A private CA and a server certificate for 127.0.0.1 / localhost, made now."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kyojin test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = Certs(ca=folder / "ca.pem", cert=folder / "server.pem", key=folder / "server.key")
    paths.ca.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


# -- SMTP -----------------------------------------------------------------------------------


@dataclass
class SmtpBehaviour:
    """What the SMTP server does with the next DATA: accept, or answer with ``reject``."""

    reject: str | None = None
    messages: list[bytes] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)


class SmtpServer:
    """aiosmtpd on loopback requiring STARTTLS and AUTH (PLAIN/LOGIN) with one account."""

    def __init__(self, certs: Certs, *, user: str, password: str, port: int | None = None) -> None:
        self.certs = certs
        self.user = user
        self.password = password
        self.port = port or free_port()
        self.behaviour = SmtpBehaviour()
        self._controller: Any = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        behaviour = self.behaviour
        expected = (self.user.encode(), self.password.encode())

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if behaviour.reject:
                    return behaviour.reject
                behaviour.messages.append(envelope.original_content or envelope.content)
                return "250 2.0.0 queued"

        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any):
            if isinstance(data, LoginPassword) and (data.login, data.password) == expected:
                behaviour.logins.append(data.login.decode())
                return AuthResult(success=True)
            return AuthResult(success=False, handled=False)

        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certs.cert, self.certs.key)
        self._controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            authenticator=authenticator,
            auth_required=True,
            auth_require_tls=True,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


# -- rsyslog --------------------------------------------------------------------------------

RSYSLOG_TEMPLATE = "%PRI%|%HOSTNAME%|%APP-NAME%|%MSGID%|%STRUCTURED-DATA%|%msg%\\n"


class Rsyslogd:
    """A private ``rsyslogd -n`` with plain TCP (imptcp), TLS (imtcp + gtls) and UDP (imudp)
    inputs."""

    def __init__(self, folder: Path, certs: Certs) -> None:
        self.folder = folder
        self.certs = certs
        self.tcp_port = free_port()
        self.tls_port = free_port()
        self.udp_port = free_udp_port()
        self.output = folder / "received.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
        work = self.folder / "work"
        work.mkdir(parents=True, exist_ok=True)
        config = self.folder / "rsyslog.conf"
        config.write_text(
            f"""
global(workDirectory="{work}"
       DefaultNetstreamDriver="gtls"
       DefaultNetstreamDriverCAFile="{self.certs.ca}"
       DefaultNetstreamDriverCertFile="{self.certs.cert}"
       DefaultNetstreamDriverKeyFile="{self.certs.key}")
module(load="imptcp")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1"
       StreamDriver.AuthMode="anon")
input(type="imptcp" port="{self.tcp_port}" address="127.0.0.1")
input(type="imtcp" port="{self.tls_port}" address="127.0.0.1")
module(load="imudp")
input(type="imudp" port="{self.udp_port}" address="127.0.0.1")
template(name="fields" type="string" string="{RSYSLOG_TEMPLATE}")
*.* action(type="omfile" file="{self.output}" template="fields" flushOnTXEnd="on"
           asyncWriting="off")
""",
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [binary, "-n", "-f", str(config), "-i", str(self.folder / "rsyslogd.pid")],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        for port in (self.tcp_port, self.tls_port):
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        output = self.process.stdout.read() if self.process.stdout else b""
                        raise RuntimeError(f"rsyslogd did not start: {output!r}") from None
                    time.sleep(0.02)

    def wait_for_udp(self, timeout: float = 20) -> None:
        """UDP has no handshake: send probes until one is written, so the input is listening.

        Probe lines carry the app name ``probe``; :meth:`lines` leaves them out.
        """
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            while True:
                sender.sendto(b"<14>1 - - probe - ready - ready", ("127.0.0.1", self.udp_port))
                text = self.output.read_text(encoding="utf-8") if self.output.exists() else ""
                if "|probe|" in text:
                    return
                if time.monotonic() > deadline:
                    raise RuntimeError("rsyslogd's UDP input never wrote a probe")
                time.sleep(0.05)

    def lines(self, count: int, timeout: float = 20) -> list[str]:
        """Wait for ``count`` received lines (by content, never by elapsed time assertions)."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.output.read_text(encoding="utf-8") if self.output.exists() else ""
            lines = [line for line in text.splitlines() if line.strip() and "|probe|" not in line]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()


# -- HTTP -----------------------------------------------------------------------------------


class WebhookReceiver:
    """http.server in a thread; records each POST and whether its HMAC was valid."""

    def __init__(self, secret: str, *, fail_first: int = 0, status: int = 204) -> None:
        self.secret = secret.encode()
        self.received: list[dict[str, Any]] = []
        self.fail_first = fail_first
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                signature = self.headers.get("X-Kyojin-Signature", "")
                good = "sha256=" + hmac.new(receiver.secret, body, hashlib.sha256).hexdigest()
                if receiver.fail_first > 0:
                    receiver.fail_first -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.received.append(
                    {
                        "valid": hmac.compare_digest(signature, good),
                        "body": json.loads(body),
                        "delivery": self.headers.get("X-Kyojin-Delivery"),
                    }
                )
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        # shutdown() waits for the loop to look at its flag: every 20 ms, not the default 0.5 s.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def credentials_dir(folder: Path, **values: str) -> Path:
    """A ``$CREDENTIALS_DIRECTORY`` with one file per credential."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in values.items():
        path = folder / name.replace("_", "-")
        path.write_text(value + "\n", encoding="utf-8")
        os.chmod(path, 0o600)
    return folder
