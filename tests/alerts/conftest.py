"""Alert tests: a real SMTP server (aiosmtpd) on a free local port, started and stopped by the test."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received: each message parsed, with its envelope recipients."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


class SmtpServer:
    """A real SMTP server on a port of its own; `stop()` and `start()` take it down and bring it back."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp(app, monkeypatch):
    """The app mails through a local SMTP server that is not started yet (the test starts it when it wants)."""
    server = SmtpServer()
    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", server.port)
    monkeypatch.setitem(app.config, "SMTP_TIMEOUT_SECONDS", 5)
    monkeypatch.setitem(app.config, "BASE_URL", "https://stockpile.example.nl")
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _inline_runs(request, monkeypatch):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "FORECAST_HEARTBEAT_SECONDS", 3600)
        monkeypatch.setitem(app.config, "FORECAST_WORKERS", 1)
        monkeypatch.setitem(app.config, "FORECAST_HISTORY_DAYS", 60)
        monkeypatch.setitem(app.config, "FORECAST_HORIZON_DAYS", 30)
