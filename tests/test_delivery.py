"""Real delivery: e-mail notifications to a real SMTP server, SMS notifications to a webhook.

Without configuration nothing leaves the machine; with it, a message goes out once its scheduled time
has come on the emulator's clock, exactly once, and the outbox records when (or why it failed).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from altinn_so.delivery import Deliverer, DeliverySettings
from altinn_so.domain.auth import AuthMode
from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.messages = []
        self.sessions = []  # one per SMTP connection that delivered something
        self.refuse = 0  # refuse this many messages first

    async def handle_DATA(self, server, session, envelope):
        if not any(seen is session for seen in self.sessions):
            self.sessions.append(session)
        if self.refuse:
            self.refuse -= 1
            return "554 Transaction failed: refused by the test"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content.decode("utf-8")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()  # aiosmtpd checks its server by connecting to the port it was given, so not 0
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield received, f"http://127.0.0.1:{server.server_port}/sms"
    finally:
        server.shutdown()


def send(emulator, template="VarselDPVMedRevarsel", transport="Both", tokens=("Testdepartementet",)):
    caller = emulator.authenticator.authenticate("ttd-system", "ttd-password", mode=AuthMode.PASSWORD)
    request = NotificationRequest(reportee_number="23917710120", notification_type=template, language=1044,
                                  endpoints=[EndPointRequest(transport)], text_tokens=list(tokens))
    return emulator.standalone_notifications.send(caller, [request], allow_priority_transport=False)


def test_e_mail_goes_to_the_smtp_server_and_sms_to_the_webhook(emulator, clock, smtp, webhook):
    inbox, port = smtp
    posts, url = webhook
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port,
                                                                   sms_webhook=url))
    send(emulator)
    assert deliverer.deliver_due() == {"sent": 2, "failed": 0}  # the two reminders are not due yet

    ((mail_from, recipients, content),) = inbox.messages
    assert recipients == ["ola.nordmann@example.no"]
    assert "Subject: Ny melding i Altinn" in content and "Ola Testmann Nordmann har mottatt" in content
    assert "X-Altinn-Template: VarselDPVMedRevarsel" in content
    (sms,) = posts
    assert (sms["to"], sms["from"], sms["text"]) == ("+4791234567", "Altinn",
                                                     "Du har mottatt en melding fra Testdepartementet i Altinn.")

    sent = [m for m in emulator.outbox.list_messages() if m.sent_at is not None]
    assert {m.channel.value for m in sent} == {"Email", "SMS"} and all(m.sent_at == clock.now() for m in sent)
    assert deliverer.deliver_due() == {"sent": 0, "failed": 0}  # exactly once

    clock.advance(timedelta(days=7, minutes=1))
    assert deliverer.deliver_due() == {"sent": 2, "failed": 0}  # the reminders, when their time comes
    assert len(inbox.messages) == 2 and len(posts) == 2


def test_html_bodies_go_as_html_with_a_text_alternative(emulator, clock, smtp):
    inbox, port = smtp
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port))
    send(emulator, template="TokenTextOnly", transport="Email", tokens=("Emne", "<p>Hei <b>Ola</b></p>"))
    deliverer.deliver_due()
    ((_, _, content),) = inbox.messages
    assert "Content-Type: text/html" in content and "Content-Type: text/plain" in content


def test_only_configured_channels_leave(emulator, clock, smtp):
    inbox, port = smtp
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port))
    send(emulator, template="VarselDPVUtenRevarsel")
    assert deliverer.deliver_due() == {"sent": 1, "failed": 0}
    sms = [m for m in emulator.outbox.list_messages() if m.channel.value == "SMS"]
    assert sms and sms[0].sent_at is None  # no webhook: the SMS stays in the outbox


def test_nothing_leaves_without_configuration(emulator, clock):
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings())
    send(emulator)
    assert deliverer.deliver_due() == {"sent": 0, "failed": 0}
    deliverer.start()  # no thread without a channel
    assert deliverer._thread is None


def test_a_failing_server_is_recorded_not_fatal(emulator, clock, webhook):
    posts, url = webhook
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(
        smtp_host="127.0.0.1", smtp_port=1, sms_webhook=url, timeout_seconds=2))  # nothing listens on port 1
    send(emulator, template="VarselDPVUtenRevarsel")
    assert deliverer.deliver_due() == {"sent": 1, "failed": 1}
    (email,) = [m for m in emulator.outbox.list_messages() if m.channel.value == "Email"]
    assert email.sent_at is None and "ConnectionRefusedError" in email.delivery_error
    assert deliverer.deliver_due() == {"sent": 0, "failed": 0}  # a failed message is not retried forever


def test_a_login_the_server_refuses_fails_each_message_and_leaves_nothing_open(emulator, clock, smtp):
    inbox, port = smtp  # aiosmtpd without authentication: every login is refused
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port,
                                                                   smtp_username="u", smtp_password="p"))
    for _ in range(2):
        send(emulator, template="VarselDPVUtenRevarsel", transport="Email")
    assert deliverer.deliver_due() == {"sent": 0, "failed": 2}  # each message tried on a fresh connection
    assert all("SMTP" in m.delivery_error for m in emulator.outbox.list_messages())
    assert inbox.messages == []


def test_a_round_sends_its_e_mails_over_one_connection(emulator, clock, smtp):
    inbox, port = smtp
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port))
    for _ in range(5):
        send(emulator, template="VarselDPVUtenRevarsel", transport="Email")
    assert deliverer.deliver_due() == {"sent": 5, "failed": 0}
    assert len(inbox.messages) == 5 and len(inbox.sessions) == 1


def test_after_a_refused_e_mail_the_next_goes_on_a_fresh_connection(emulator, clock, smtp):
    inbox, port = smtp
    inbox.refuse = 1
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port))
    for _ in range(3):
        send(emulator, template="VarselDPVUtenRevarsel", transport="Email")
    assert deliverer.deliver_due() == {"sent": 2, "failed": 1}
    first, *rest = sorted(emulator.outbox.list_messages(), key=lambda m: m.id)
    assert "SMTPDataError" in first.delivery_error and all(m.sent_at is not None for m in rest)
    assert len(inbox.messages) == 2 and len(inbox.sessions) == 2


def test_the_background_thread_delivers_due_messages(emulator, clock, smtp):
    inbox, port = smtp
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port,
                                                                   interval_seconds=0.05))
    deliverer.start()
    try:
        send(emulator, template="VarselDPVUtenRevarsel", transport="Email")
        deadline = time.monotonic() + 5
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        deliverer.stop()
    assert len(inbox.messages) == 1


def test_admin_deliver_runs_one_round(base_url, emulator, clock, smtp):
    import requests
    from altinn_so.app import EmulatorApp
    from altinn_so.soap.wsgi import WireSettings

    inbox, port = smtp
    response = requests.post(base_url + "/_admin/outbox/deliver")
    assert response.status_code == 409  # not configured in the shared test server
    deliverer = Deliverer(emulator.outbox, clock, DeliverySettings(smtp_host="127.0.0.1", smtp_port=port))
    app = EmulatorApp(emulator, wire=WireSettings(), deliver=deliverer.deliver_due)
    send(emulator, template="VarselDPVUtenRevarsel", transport="Email")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/_admin/outbox/deliver", "wsgi.input": None}
    body = b"".join(app(environ, lambda status, headers: None))
    assert json.loads(body) == {"sent": 1, "failed": 0} and len(inbox.messages) == 1
