"""A real SMTP server on loopback for the notice tests: Python's aiosmtpd (from PyPI, installed into
a venv under .build/ when missing), keeping every message it accepts in a folder and in memory.

`SMTPSink(tls=...)` can also require STARTTLS with a throwaway self-signed certificate (made with
openssl) and a login; it records whether each message came over TLS and after a login.
"""
import email
import email.policy
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import warnings

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def ensure_aiosmtpd(venv, packages=("aiosmtpd",)):
    """Re-runs the calling script inside `venv` (made once, packages from PyPI) unless importable."""
    try:
        for package in packages:
            __import__(package)
        return
    except ImportError:
        pass
    python = os.path.join(venv, "bin", "python")
    if os.environ.get("CLEARANCE_TEST_VENV") == venv:
        sys.exit("%s still missing inside %s" % (", ".join(packages), venv))
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", *packages], check=True)
    os.environ["CLEARANCE_TEST_VENV"] = venv
    os.execv(python, [python] + sys.argv)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    def __init__(self, raw, mail_from, rcpt_tos, tls, authenticated):
        self.raw = raw
        self.mail_from = mail_from
        self.rcpt_tos = rcpt_tos
        self.tls = tls
        self.authenticated = authenticated
        self.message = email.message_from_bytes(raw, policy=email.policy.default)

    @property
    def subject(self):
        return str(self.message["Subject"])

    @property
    def to(self):
        return str(self.message["To"])

    def part(self, subtype):
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else None


class SMTPSink:
    USER = "clearance"
    PASSWORD = "s3cret-Pässword"

    def __init__(self, folder, tls=False):
        self.folder = folder
        self.tls = tls
        # When set, the server keeps each message and hangs up instead of answering the end of
        # DATA: the sender cannot know whether it was delivered.
        self.hang_up_after_data = False
        self.port = free_port()
        self.messages = []
        self.lock = threading.Lock()
        self.controller = None
        self.cert = None
        os.makedirs(folder, exist_ok=True)
        if tls:
            self.cert = os.path.join(folder, "cert.pem")
            self.key = os.path.join(folder, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", self.key, "-out", self.cert,
                            "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                           check=True, capture_output=True)

    def start(self):
        # The refusals the tests provoke (an untrusted certificate, a wrong password) are logged
        # by aiosmtpd with tracebacks; the tests check their outcome instead.
        logging.getLogger("mail.log").setLevel(logging.CRITICAL)
        warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                received = Received(envelope.content, envelope.mail_from, list(envelope.rcpt_tos),
                                    bool(getattr(session, "ssl", None)), bool(session.authenticated))
                with sink.lock:
                    sink.messages.append(received)
                    name = os.path.join(sink.folder, "%03d.eml" % len(sink.messages))
                with open(name, "wb") as out:
                    out.write(envelope.content)
                if sink.hang_up_after_data:
                    server.transport.abort()
                    return "421 closing"  # never reaches the client: the connection is gone
                return "250 Message accepted for delivery"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login == self.USER.encode() \
                and auth_data.password == self.PASSWORD.encode("utf-8")
            return AuthResult(success=ok)

        options = dict(hostname="127.0.0.1", port=self.port)
        if self.tls:
            import ssl
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(self.cert, self.key)
            options.update(tls_context=context, require_starttls=True, authenticator=authenticator,
                           auth_required=True, auth_require_tls=True, server_hostname="localhost")
        self.controller = Controller(Handler(), **options)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def url(self):
        return "smtp://%s:%d" % ("localhost" if self.tls else "127.0.0.1", self.port)

    def take(self):
        with self.lock:
            taken, self.messages = self.messages, []
        return taken
