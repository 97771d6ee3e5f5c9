"""Really sending notifications: e-mail over SMTP, SMS to a webhook. Off unless configured.

Without an SMTP host or an SMS webhook nothing leaves the machine; the outbox
is the only place notifications go. When configured, a background thread
sends each pending message once its scheduled time has come on the
emulator's clock (so a reminder goes out when a test advances the clock), and
records when it was sent or why it failed. ``POST /_admin/outbox/deliver``
does one round at once.
"""

from __future__ import annotations

import json
import logging
import re
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Callable

from .domain.clock import Clock
from .domain.notifications.model import Channel, OutboxMessage, OutboxRepository

log = logging.getLogger("altinn_so.delivery")
_HTML = re.compile(r"<[a-zA-Z][^>]*>")


@dataclass(frozen=True)
class DeliverySettings:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    sms_webhook: str | None = None  # URL that receives a JSON POST per SMS
    interval_seconds: float = 1.0
    timeout_seconds: float = 10.0

    @property
    def channels(self) -> set[Channel]:
        channels = set()
        if self.smtp_host:
            channels.add(Channel.EMAIL)
        if self.sms_webhook:
            channels.add(Channel.SMS)
        return channels


def email_message(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = message.sender
    email["To"] = formataddr((message.recipient_name, message.address))
    email["Subject"] = message.subject or ""
    email["X-Altinn-Notification-Id"] = str(message.notification_id)
    email["X-Altinn-Reportee"] = message.reportee
    email["X-Altinn-Template"] = message.template
    if _HTML.search(message.body):
        email.set_content(_HTML.sub("", message.body))
        email.add_alternative(message.body, subtype="html")
    else:
        email.set_content(message.body)
    return email


class _SmtpSession:
    """One SMTP connection for a round of deliveries, opened when the first e-mail is sent: a round after a
    test's burst of calls sends hundreds, and a connection each (with STARTTLS and login) cost more than the
    mail. After a failure the connection is dropped, so that the next message starts on a fresh one."""

    def __init__(self, settings: DeliverySettings):
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, email: EmailMessage) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(email)
        except Exception:
            self.close()
            raise

    def _connect(self) -> smtplib.SMTP:
        settings = self._settings
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_seconds)
        try:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
        except Exception:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except Exception:  # already gone: nothing to say goodbye to
                smtp.close()

    def __enter__(self) -> "_SmtpSession":
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False


def sms_payload(message: OutboxMessage) -> dict:
    return {"id": message.id, "notification_id": message.notification_id, "to": message.address,
            "from": message.sender, "text": message.body, "reportee": message.reportee,
            "recipient_name": message.recipient_name, "template": message.template,
            "scheduled_at": message.scheduled_at.isoformat(), "origin": message.origin}


class Deliverer:
    def __init__(self, outbox: OutboxRepository, clock: Clock, settings: DeliverySettings,
                 sync: Callable[[], None] | None = None):
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self._sync = sync  # brings the clock up to date when other workers share it
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one round at a time in this process

    def deliver_due(self) -> dict:
        """Send every pending message whose time has come; returns counts."""
        sent = failed = 0
        with self._lock, _SmtpSession(self.settings) as mail:
            if self._sync is not None:
                self._sync()
            due = self.outbox.claim_due(self.clock.now(), self.settings.channels)
            for message in due:
                try:
                    self._send(message, mail)
                except Exception as exc:  # a broken mail server must not stop the emulator
                    log.warning("delivery of outbox message %s to %s failed: %s", message.id, message.address, exc)
                    self.outbox.finish_delivery(message, sent_at=None, error=f"{type(exc).__name__}: {exc}")
                    failed += 1
                else:
                    self.outbox.finish_delivery(message, sent_at=self.clock.now(), error=None)
                    sent += 1
        return {"sent": sent, "failed": failed}

    def _send(self, message: OutboxMessage, mail: "_SmtpSession") -> None:
        if message.channel is Channel.EMAIL:
            mail.send(email_message(message))
        else:
            self._post_sms(message)

    def _post_sms(self, message: OutboxMessage) -> None:
        request = urllib.request.Request(self.settings.sms_webhook, method="POST",
                                         data=json.dumps(sms_payload(message)).encode("utf-8"),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as response:
            if response.status >= 300:
                raise urllib.error.HTTPError(self.settings.sms_webhook, response.status, "not accepted",
                                             response.headers, None)

    # -- the background round --------------------------------------------------------------------------

    def start(self) -> None:
        if not self.settings.channels or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="altinn-so-delivery", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.timeout_seconds + 1)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.interval_seconds):
            try:
                self.deliver_due()
            except Exception:
                log.exception("delivery round failed")
