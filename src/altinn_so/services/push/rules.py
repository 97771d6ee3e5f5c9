"""The push of archived form tasks to their service owner's own OnlineBatchReceiver (docs/behaviour/push.md).

A form service whose seed names a receiver (``Service.push``) has each submission queued for that receiver in the
submission's own transaction, with the receiver's next sequence number. The clock's due work then pushes, one
receiver at a time and in queue order: the head of a receiver's queue is sent, and the next only once the head
is done. The receiver's answer decides:

- ``OK``: sent. The shipment status says ``Sent`` and an ``Outbound`` receipt is written.
- ``FAILED``: tried again after ``retry_seconds``, up to ``failed_attempts`` attempts in all, then an ``Error``.
- ``FAILED_DO_NOT_RETRY``: an ``Error`` at once.
- A SOAP fault, a connection that fails, or an HTTP answer that is no reply: the receiver is in queue mode, and
  its head is tried every ``queue_retry_seconds`` until it is answered, while everything behind it waits.

The times are the emulator's clock, so a test moves the clock to have a retry made. Nothing is sent anywhere a
seed did not name. This module sends nothing itself: it is handed the function that calls a receiver.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Callable, Protocol

from altinn_so.domain.archive import (ARCHIVE_REFERENCE_PREFIX, ERROR, NOT_SENT, SENT, ArchivedFormTask,
                                     ArchiveRepository, ShipmentStatusEntry)
from altinn_so.domain.catalog import ATTACHMENTS_INLINE, PushReceiver
from altinn_so.domain.clock import Clock
from altinn_so.domain.receipts import ARCHIVE_REFERENCE, OWNER_PARTY, ReceiptService, ReceiptStatus, Reference


WAITING, PUSHED, GIVEN_UP = "waiting", "sent", "error"
ONLINE, QUEUE_MODE = "online", "queue"

# What an attempt came to: the receiver's resultCode, or that it could not be had
OK, FAILED, FAILED_DO_NOT_RETRY = "OK", "FAILED", "FAILED_DO_NOT_RETRY"
FAULT, UNREACHABLE = "fault", "unreachable"
# The shipment status log's name for the push, as the download queue's is DownloadQueue
SHIPMENT_DEFINITION = "OnlineBatchReceiver"
RECEIPT_TYPE = "Outbound"
PUSHES_PER_RECEIVER_AND_ROUND = 100  # a round ends for a receiver after this many, so that a big queue shares time


@dataclass(frozen=True)
class Push:
    """One archived form task queued for one receiver, and how far its push has come."""

    id: int  # also the batch's batchReference
    receiver: str  # the receiver's key: its owner and URL (``receiver_key``)
    owner: str
    archive_reference: str
    sequence_number: int  # the receiver's own count of pushes, from 1
    previous_reference: int  # the batchReference of the receiver's push before this one (0: none)
    receivers_reference: str
    queued_at: datetime
    config: PushReceiver  # the receiver as the seed gave it when this was queued
    internal_file_names: tuple[str, ...]
    state: str = WAITING
    next_attempt_at: datetime | None = None
    attempts: int = 0
    failed_answers: int = 0  # how many attempts the receiver answered FAILED
    mode: str = ONLINE  # QUEUE_MODE after a fault or an unreachable receiver, until it answers again
    last_outcome: str = ""
    finished_at: datetime | None = None
    receipt_id: int = 0

    @property
    def facts(self) -> BatchFacts:
        return BatchFacts(self.id, self.previous_reference, self.receivers_reference, self.queued_at,
                          self.internal_file_names)

    def to_dict(self) -> dict:
        return {
            "id": self.id, "receiver": self.receiver, "owner": self.owner,
            "archive_reference": self.archive_reference, "sequence_number": self.sequence_number,
            "previous_reference": self.previous_reference, "receivers_reference": self.receivers_reference,
            "queued_at": self.queued_at.isoformat(), "config": self.config.to_dict(),
            "internal_file_names": list(self.internal_file_names), "state": self.state,
            "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
            "attempts": self.attempts, "failed_answers": self.failed_answers, "mode": self.mode,
            "last_outcome": self.last_outcome,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None, "receipt_id": self.receipt_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Push":
        return cls(
            id=int(data.get("id") or 0), receiver=data["receiver"], owner=data["owner"],
            archive_reference=data["archive_reference"], sequence_number=int(data["sequence_number"]),
            previous_reference=int(data["previous_reference"]), receivers_reference=data["receivers_reference"],
            queued_at=datetime.fromisoformat(data["queued_at"]), config=PushReceiver.from_dict(data["config"]),
            internal_file_names=tuple(data["internal_file_names"]), state=data["state"],
            next_attempt_at=_time(data.get("next_attempt_at")), attempts=int(data["attempts"]),
            failed_answers=int(data["failed_answers"]), mode=data["mode"], last_outcome=data.get("last_outcome", ""),
            finished_at=_time(data.get("finished_at")), receipt_id=int(data.get("receipt_id") or 0))


@dataclass(frozen=True)
class Reply:
    """What calling the receiver came to: an outcome (OK ... UNREACHABLE), and for the admin page the request as
    sent (its base64 left out) and the reply as received, or what went wrong."""

    outcome: str
    text: str  # the receipt's free text, the fault's string, or the error
    http_status: int | None = None
    request: str = ""
    reply: str = ""


@dataclass(frozen=True)
class Attempt:
    id: int
    push_id: int
    at: datetime
    outcome: str
    text: str
    http_status: int | None
    request: str
    reply: str
    sequence_number: int = 0
    receiver: str = ""

    def to_dict(self) -> dict:
        return {"id": self.id, "push_id": self.push_id, "at": self.at.isoformat(), "outcome": self.outcome,
                "text": self.text, "http_status": self.http_status, "request": self.request, "reply": self.reply,
                "sequence_number": self.sequence_number, "receiver": self.receiver}

    @classmethod
    def from_dict(cls, data: dict) -> "Attempt":
        return cls(int(data.get("id") or 0), int(data["push_id"]), datetime.fromisoformat(data["at"]),
                   data["outcome"], data["text"], data.get("http_status"), data.get("request", ""),
                   data.get("reply", ""), int(data.get("sequence_number") or 0), data.get("receiver", ""))


class PushRepository(Protocol):
    def next_sequence_number(self, receiver: str) -> int: ...  # gapless per receiver, in the caller's transaction
    def last_push_id(self, receiver: str) -> int: ...  # 0 for none
    def add_push(self, push: Push) -> Push: ...  # assigns the id
    def save_push(self, push: Push) -> None: ...
    def get_push(self, push_id: int) -> Push | None: ...
    def heads(self) -> list[Push]: ...  # the oldest waiting push of each receiver that has one
    def head(self, receiver: str) -> Push | None: ...
    def take(self, push_id: int, now: float, until: float) -> bool: ...  # a lease (wall-clock seconds), if free
    def release(self, push_id: int) -> None: ...
    def add_attempt(self, attempt: Attempt) -> Attempt: ...
    def attempts_of(self, push_id: int) -> list[Attempt]: ...
    def list_pushes(self, newest: int | None = None) -> list[Push]: ...
    def list_attempts(self, newest: int | None = None) -> list[Attempt]: ...


# (the receiver, what to send) -> what the call came to
CallReceiver = Callable[[PushReceiver, "Outgoing"], Reply]


@dataclass(frozen=True)
class Outgoing:
    """One call to make: the parameters of ReceiveOnlineBatchExternalAttachment."""

    receivers_reference: str
    sequence_number: int
    batch: object  # a ``batch.Batch``


@dataclass(frozen=True)
class BatchFacts:
    """What a push fixes when it is queued, so that every attempt sends the same batch (``batch.build_batch``)."""

    batch_reference: int
    previous_reference: int  # the batch_reference of the receiver's batch before this one (0 for its first)
    receivers_reference: str  # a GUID: the batch's receiverReference and the call's receiversReference
    time_stamp: datetime
    internal_file_names: tuple[str, ...]  # one per attachment of the task, in its order


def internal_file_name(archive_reference: str, attachment, guid: str) -> str:
    """As Altinn named a pushed attachment's ZIP entry: the archive number, a GUID and the file's extension."""
    number = archive_reference.removeprefix(ARCHIVE_REFERENCE_PREFIX)
    name = attachment.file_name or attachment.name or ""
    extension = name.rsplit(".", 1)[1] if "." in name else ""
    extension = "".join(c for c in extension if c.isalnum())[:10]
    return f"{number}_{guid}" + (f".{extension}" if extension else "")


@dataclass(frozen=True)
class PushTools:
    """What the rules are handed: building a task's batch, and calling a receiver with it."""

    # (task, facts, attachment id -> bytes, inline?) -> the batch (``batch.Batch``)
    build_batch: Callable[..., object]
    call: "CallReceiver"


class UnknownPush(LookupError):
    pass


def receiver_key(owner: str, url: str) -> str:
    return f"{owner} {url}"


class PushService:
    def __init__(self, store: PushRepository, archive: ArchiveRepository, attachment_data, catalog,
                 receipts: ReceiptService, clock: Clock, transaction, tools: PushTools):
        self.store = store
        self.archive = archive
        self._attachment_data = attachment_data  # attachment id -> its bytes
        self.catalog = catalog
        self.receipts = receipts
        self.clock = clock
        self._transaction = transaction
        self._tools = tools
        self._round = threading.Lock()  # one round at a time in this process: a test's round waits for the timer's

    # -- queueing, in the submission's transaction ------------------------------------------------------

    def queue(self, task: ArchivedFormTask) -> Push | None:
        """Queue ``task`` for its service's receiver, if the service has one."""
        service = self.catalog.get_service(task.service_code, task.service_edition)
        if service is None or service.push is None:
            return None
        key = receiver_key(task.owner, service.push.url)
        now = self.clock.now()
        names = tuple(internal_file_name(task.archive_reference, attachment, str(uuid.uuid4()))
                      for attachment in task.attachments)
        push = self.store.add_push(Push(
            id=0, receiver=key, owner=task.owner, archive_reference=task.archive_reference,
            sequence_number=self.store.next_sequence_number(key), previous_reference=self.store.last_push_id(key),
            receivers_reference=str(uuid.uuid4()), queued_at=now, config=service.push,
            internal_file_names=names, next_attempt_at=now))
        self.archive.log_shipment(ShipmentStatusEntry(task.archive_reference, now, NOT_SENT, self._described(push)))
        return push

    # -- the rounds -------------------------------------------------------------------------------------

    def run_round(self, receiver: str | None = None) -> list[Attempt]:
        """Push what is due, receiver by receiver, each in queue order (the clock's due work; the admin API's
        round). The attempts made."""
        with self._round:
            made: list[Attempt] = []
            heads = self.store.heads() if receiver is None else [h for h in [self.store.head(receiver)] if h]
            for head in heads:
                made += self._drain(head.receiver)
            return made

    def retry_now(self, push_id: int) -> list[Attempt]:
        """Make the head of ``push_id``'s receiver due now (a push waits for those before it), then push."""
        push = self.store.get_push(push_id)
        if push is None:
            raise UnknownPush(f"no push {push_id}")
        if push.state != WAITING:
            return []
        with self._transaction():
            head = self.store.head(push.receiver)
            if head is not None:
                self.store.save_push(replace(head, next_attempt_at=self.clock.now()))
        return self.run_round(push.receiver)

    def pushes(self, newest: int | None = None) -> list[Push]:
        return self.store.list_pushes(newest)

    def push_with_attempts(self, push_id: int) -> tuple[Push, list[Attempt]]:
        push = self.store.get_push(push_id)
        if push is None:
            raise UnknownPush(f"no push {push_id}")
        return push, self.store.attempts_of(push_id)

    def _drain(self, receiver: str) -> list[Attempt]:
        made = []
        while len(made) < PUSHES_PER_RECEIVER_AND_ROUND:
            head = self.store.head(receiver)
            if head is None or head.next_attempt_at > self.clock.now():
                break
            wall = time.time()  # (leases are wall-clock time: the emulator's clock may stand still)
            if not self.store.take(head.id, wall, wall + head.config.timeout_seconds + 60):
                break  # another worker is pushing to this receiver
            try:
                attempt, head = self._attempt(head)
            finally:
                self.store.release(head.id)
            made.append(attempt)
            if head.state == WAITING:
                break  # the receiver did not take it: what is behind it waits
        return made

    def _attempt(self, push: Push) -> tuple[Attempt, Push]:
        task = self.archive.get_archived(push.archive_reference)
        if task is None:  # (the archive is kept as long as the queue: only a reset empties both)
            reply = Reply(FAILED_DO_NOT_RETRY, f"archived form task {push.archive_reference} no longer exists")
        else:
            batch = self._tools.build_batch(task, push.facts, self._attachment_data,
                                            inline=push.config.attachments == ATTACHMENTS_INLINE)
            reply = self._tools.call(push.config, Outgoing(push.receivers_reference, push.sequence_number, batch))
        with self._transaction():
            now = self.clock.now()
            attempt = self.store.add_attempt(Attempt(0, push.id, now, reply.outcome, reply.text, reply.http_status,
                                                     reply.request, reply.reply, push.sequence_number,
                                                     push.receiver))
            push = self._after(replace(push, attempts=push.attempts + 1, last_outcome=reply.outcome), reply, now)
            self.store.save_push(push)
        return attempt, push

    def _after(self, push: Push, reply: Reply, now: datetime) -> Push:
        config = push.config
        if reply.outcome == OK:
            return self._finish(push, PUSHED, ReceiptStatus.OK, now, f"Pushed to {config.url} as batch "
                                f"{push.sequence_number}; the receiver answered OK. {reply.text}".strip())
        if reply.outcome == FAILED_DO_NOT_RETRY:
            return self._finish(push, GIVEN_UP, ReceiptStatus.REJECTED, now, f"Pushed to {config.url} as batch "
                                f"{push.sequence_number}; the receiver answered FAILED_DO_NOT_RETRY and it will not "
                                f"be sent again. {reply.text}".strip())
        if reply.outcome == FAILED:
            push = replace(push, failed_answers=push.failed_answers + 1, mode=ONLINE)
            if push.failed_answers >= config.failed_attempts:
                return self._finish(push, GIVEN_UP, ReceiptStatus.UNEXPECTED_ERROR, now,
                                    f"Pushed to {config.url} as batch {push.sequence_number}; the receiver answered "
                                    f"FAILED {push.failed_answers} times and it will not be sent again. "
                                    f"{reply.text}".strip())
            return replace(push, next_attempt_at=now + timedelta(seconds=config.retry_seconds))
        # a fault, or no answer: the receiver is down, and waits in queue mode with no limit to the attempts
        return replace(push, mode=QUEUE_MODE, next_attempt_at=now + timedelta(seconds=config.queue_retry_seconds))

    def _finish(self, push: Push, state: str, status: ReceiptStatus, now: datetime, text: str) -> Push:
        owner = self.catalog.get_owner(push.owner)
        references = [Reference(ARCHIVE_REFERENCE, push.archive_reference),
                      Reference("BatchReference", str(push.id)),
                      Reference("OutboundShipmentReference", push.receivers_reference)]
        if owner is not None:
            references.insert(0, Reference(OWNER_PARTY, owner.orgno))
        receipt = self.receipts.create(RECEIPT_TYPE, status, text, references)
        self.archive.log_shipment(ShipmentStatusEntry(push.archive_reference, now,
                                                      SENT if state == PUSHED else ERROR, self._described(push)))
        return replace(push, state=state, mode=ONLINE, finished_at=now, next_attempt_at=None, receipt_id=receipt.id)

    @staticmethod
    def _described(push: Push) -> str:
        return f"{SHIPMENT_DEFINITION}|{push.sequence_number}"


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None
