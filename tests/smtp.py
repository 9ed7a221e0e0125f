"""A real SMTP server on a free local port (aiosmtpd), and an app whose mails go to it.

Import the fixtures where they are used: ``from tests.smtp import mail_app, smtp_server  # noqa: F401``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass

import pytest
from aiosmtpd.controller import Controller


@dataclass
class Received:
    """One mail as the SMTP server received it."""

    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def language(self) -> str:
        return str(self.message["Content-Language"])


class Inbox:
    """The aiosmtpd handler: keeps every mail it accepts."""

    def __init__(self):
        self.mails: list[Received] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.mails.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The mails once there are ``count`` (the SMTP dialogue has ended when the request returns)."""
        deadline = time.monotonic() + timeout
        while len(self.mails) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return list(self.mails)

    def to(self, address: str) -> list[Received]:
        return [m for m in self.mails if address in m.rcpt_tos]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SMTPServer:
    host: str
    port: int
    inbox: Inbox


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SMTPServer(controller.hostname, controller.port, inbox)
    finally:
        controller.stop()


@pytest.fixture
def mail_app(settings, session_factory, smtp_server):
    """The app (``TestApp``), sending its mails over SMTP to ``smtp_server``."""
    from pbengine import main
    from tests.helpers import TestApp

    app = main({}, **settings | {"mail.delivery": "smtp", "mail.host": smtp_server.host,
                                 "mail.port": str(smtp_server.port),
                                 "mail.default_sender": "Town budget <pb@town.example>"})
    return TestApp(app, extra_environ={"REMOTE_ADDR": "198.51.100.7"})
