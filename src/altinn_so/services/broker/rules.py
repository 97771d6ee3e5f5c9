"""The broker's rules (docs/behaviour/broker.md): a sender initiates a shipment, uploads one ZIP for it, and its
recipients poll, list, download and confirm, each step gated by the service owner's rights register (SRR).

Plain Python: the rights come from a ``RightsRegister``, the file bytes from a ``FileStore``, the receipts from
the core's ``ReceiptService``; what is kept is the ``BrokerRepository`` (``store.SqlBroker``).
"""

from __future__ import annotations

import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable, Protocol

from altinn_so.domain.auth import Caller
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.files import FileRef, FileStore
from altinn_so.domain.receipts import OWNER_PARTY, PARTY, Reference, ReceiptStatus
from altinn_so.domain.values import evolve

from .model import DOWNLOADED, FILE_STATUSES, UPLOADED, Shipment, ShipmentRecipient

RECEIPT_TYPE = "BrokerService"
DEFAULT_RETENTION_DAYS = 30  # a broker service that names no retention_days (D74)
MAX_FILE_BYTES = 1024 ** 3  # Altinn's documented limit for a streamed upload
_PARTY_NUMBER = re.compile(r"\d{9}|\d{11}")  # an organisation number or a national identity number

READ, WRITE = "Read", "Write"
SENDER, RECIPIENT = "sender", "recipient"  # the broker's SRR conditions


class Rule(Protocol):
    right: str  # "Read" or "Write"
    condition: str | None
    valid_to: datetime | None


class RightsRegister(Protocol):
    """The service owner's rights register, as the broker asks it (the SRR service implements it)."""

    def rules_for(self, service_code: str, service_edition: int, reportee: str, at: datetime) -> list[Rule]: ...


class NoRights:
    """The register when no SRR service is installed: nobody has a right, so every broker step is refused."""

    def rules_for(self, service_code: str, service_edition: int, reportee: str, at: datetime) -> list[Rule]:
        return []


class BrokerRepository(Protocol):
    def add(self, shipment: Shipment) -> Shipment: ...  # assigns the id
    def get(self, reference: str) -> Shipment | None: ...
    def save(self, shipment: Shipment) -> None: ...
    def available(self) -> list[Shipment]: ...  # uploaded, not removed by retention, oldest first
    def expired(self, now: datetime) -> list[Shipment]: ...  # available, whose retention has run out
    def refers_to(self, sha256: str) -> bool: ...  # does any shipment still keep this file?
    def list(self, newest: int | None = None) -> list[Shipment]: ...


@dataclass(frozen=True)
class Initiation:
    service_code: str | None
    service_edition: int | None
    senders_reference: str | None
    reportee: str | None
    recipients: tuple[str, ...]
    files: tuple[tuple[str, str | None], ...] = ()
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Search:
    reportee: str | None
    file_status: str | None
    service_code: str | None = None
    service_edition: int | None = None
    min_sent: datetime | None = None
    max_sent: datetime | None = None


@dataclass(frozen=True)
class AvailableFile:
    shipment: Shipment
    recipient: ShipmentRecipient


def upload_receipt_text(file_name: str) -> str:
    return f"Upload of file {file_name} was successful. Recipients can now download the file."


class BrokerService:
    def __init__(self, store: BrokerRepository, files: FileStore, receipts, catalog, clock, transaction,
                 rights: RightsRegister, max_file_bytes: int = MAX_FILE_BYTES):
        self.store = store
        self.files = files
        self.receipts = receipts
        self.catalog = catalog
        self.clock = clock
        self.rights = rights
        self.max_file_bytes = max_file_bytes
        self._transaction = transaction

    # -- rights -------------------------------------------------------------------------------------------

    def _rules(self, code: str, edition: int, party: str, right: str) -> list[Rule]:
        now = self.clock.now()
        return [rule for rule in self.rights.rules_for(code, edition, party, now)
                if rule.right == right and (rule.valid_to is None or rule.valid_to > now)]

    def _sender_conditions(self, code: str, edition: int, sender: str) -> set[str | None]:
        """The conditions of the sender's Write rules: None (any recipient with Read) and/or "recipient"."""
        conditions = {rule.condition or None for rule in self._rules(code, edition, sender, WRITE)}
        allowed = conditions & {None, RECIPIENT}
        if not allowed:
            raise AltinnError(ErrorCode.BROKER_SENDER_LACKS_RIGHTS,
                              f"The reportee {sender} has no right to send on the broker service {code}/{edition}.")
        return allowed

    def _may_receive(self, code: str, edition: int, recipient: str, sender_conditions: set[str | None]) -> bool:
        """Unconditioned Write reaches every party with Read; Write on condition "recipient" only those whose
        Read has the condition "sender" (D72)."""
        conditions = {rule.condition or None for rule in self._rules(code, edition, recipient, READ)}
        if None in sender_conditions:
            return bool(conditions & {None, SENDER})
        return SENDER in conditions

    def _may_read(self, shipment: Shipment, party: str) -> bool:
        conditions = {rule.condition or None
                      for rule in self._rules(shipment.service_code, shipment.service_edition, party, READ)}
        return bool(conditions & {None, SENDER})

    # -- checks shared by the steps -------------------------------------------------------------------------

    @staticmethod
    def _acting_for(caller: Caller, reportee: str | None) -> str:
        """A system acts for its own organisation only (D70)."""
        if not reportee or reportee != caller.owner.orgno:
            raise AltinnError(ErrorCode.BROKER_NOT_AUTHORIZED,
                              f"The caller is not authorized to act for the reportee {reportee or '(none)'}.")
        return reportee

    def _broker_service(self, code: str | None, edition: int | None):
        service = self.catalog.get_service(code, edition) if code and edition else None
        if service is None or service.kind != "broker":
            raise AltinnError(ErrorCode.BROKER_NOT_A_BROKER_SERVICE,
                              f"The service code {code or '(none)'} and edition {edition or 0} do not name a "
                              "broker service.")
        return service

    def _shipment(self, reference: str | None) -> Shipment:
        shipment = self.store.get(reference) if reference else None
        if shipment is None:
            raise AltinnError(ErrorCode.BROKER_UNKNOWN_REFERENCE,
                              f"The reference {reference or '(none)'} is not a broker service shipment.")
        return shipment

    def _as_recipient(self, caller: Caller, reference: str | None, reportee: str | None) -> Shipment:
        party = self._acting_for(caller, reportee)
        shipment = self._shipment(reference)
        if shipment.recipient(party) is None:
            raise AltinnError(ErrorCode.BROKER_REPORTEE_MISMATCH,
                              f"The reportee {party} is not a recipient of the shipment {shipment.reference}.")
        if not self._may_read(shipment, party):
            raise AltinnError(ErrorCode.BROKER_RECIPIENT_LACKS_READ,
                              f"The reportee {party} has no right to read the broker service "
                              f"{shipment.service_code}/{shipment.service_edition}.")
        return shipment

    # -- InitiateBrokerService ------------------------------------------------------------------------------

    def initiate(self, caller: Caller, initiation: Initiation) -> Shipment:
        code, edition = initiation.service_code, initiation.service_edition
        self._broker_service(code, edition)
        sender = self._acting_for(caller, initiation.reportee)
        conditions = self._sender_conditions(code, edition, sender)
        recipients = tuple(dict.fromkeys(r.strip() for r in initiation.recipients if r and r.strip()))
        if not recipients:
            raise AltinnError(ErrorCode.BROKER_RECIPIENT_LACKS_RIGHTS, "The shipment names no recipient.")
        for party in recipients:
            if not self._may_receive(code, edition, party, conditions):
                raise AltinnError(ErrorCode.BROKER_RECIPIENT_LACKS_RIGHTS,
                                  f"The recipient {party} is unknown or has no right to receive on the broker "
                                  f"service {code}/{edition}.")
        return self.store.add(Shipment(
            id=0, reference=str(uuid.uuid4()), owner=caller.owner.code, sender=sender, service_code=code,
            service_edition=edition, senders_reference=initiation.senders_reference or "",
            initiated_at=self.clock.now(), recipients=tuple(ShipmentRecipient(p) for p in recipients),
            manifest_files=initiation.files, properties=initiation.properties))

    # -- UploadFileStreamed ---------------------------------------------------------------------------------

    def upload(self, caller: Caller, reference: str | None, reportee: str | None, file_name: str | None,
               chunks: Iterable[bytes]):
        """Keep the body (a ZIP) for the shipment and write the receipts; returns the sender's main receipt.
        Every check that needs no byte of the body comes first, so a refused call reads none into the store."""
        sender = self._acting_for(caller, reportee)
        shipment = self._shipment(reference)
        if shipment.sender != sender:
            raise AltinnError(ErrorCode.BROKER_REPORTEE_MISMATCH,
                              f"The reportee {sender} is not the sender of the shipment {shipment.reference}.")
        self._sender_conditions(shipment.service_code, shipment.service_edition, sender)
        if shipment.uploaded:
            raise AltinnError(ErrorCode.BROKER_ALREADY_UPLOADED,
                              f"A file has already been uploaded for the reference {shipment.reference}.")
        stored = self.files.put(chunks)
        try:
            self._check_file(stored, shipment)
            return self._register(shipment.reference, file_name or "", stored)
        except BaseException:
            self._forget(stored.sha256)
            raise

    def _check_file(self, stored: FileRef, shipment: Shipment) -> None:
        if stored.size == 0:
            raise AltinnError(ErrorCode.BROKER_NO_DATA, "The upload carried no data.")
        if stored.size > self.max_file_bytes:
            raise AltinnError(ErrorCode.BROKER_FILE_TOO_LARGE,
                              f"The file is larger than {self.max_file_bytes} bytes: send it over SFTP.")
        if not self._is_zip(stored.sha256):
            raise AltinnError(ErrorCode.BROKER_NOT_A_ZIP, "The file is not a ZIP archive.")
        if shipment.infected_next:
            with self._transaction():
                current = self.store.get(shipment.reference)
                self.store.save(evolve(current, infected_next=False))
            raise AltinnError(ErrorCode.BROKER_VIRUS_FOUND, "A virus was found in the file.")

    def _is_zip(self, sha256: str) -> bool:
        """A ZIP's central directory can be read and lists only well-formed entries (the entries are not
        decompressed: a 1 GiB upload is not read twice)."""
        with self.files.open(sha256) as handle:
            try:
                with zipfile.ZipFile(handle) as archive:
                    archive.infolist()
                return True
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                return False

    def _register(self, reference: str, file_name: str, stored: FileRef):
        now = self.clock.now()
        with self._transaction():
            shipment = self.store.get(reference)
            if shipment.uploaded:  # another upload of the same reference registered first
                raise AltinnError(ErrorCode.BROKER_ALREADY_UPLOADED,
                                  f"A file has already been uploaded for the reference {reference}.")
            text = upload_receipt_text(file_name)
            main = self.receipts.create(
                RECEIPT_TYPE, ReceiptStatus.OK, text,
                [Reference(OWNER_PARTY, shipment.sender), Reference("SendersReference", shipment.senders_reference),
                 Reference("ExternalShipmentReference", reference)])
            recipients = tuple(evolve(r, status=UPLOADED, receipt_id=self.receipts.create(
                RECEIPT_TYPE, ReceiptStatus.OK, f"The file {file_name} is available to {r.party}.",
                [Reference(OWNER_PARTY, shipment.sender), Reference(PARTY, r.party)], parent_id=main.id).id)
                for r in shipment.recipients)
            service = self.catalog.get_service(shipment.service_code, shipment.service_edition)
            days = getattr(service, "retention_days", None) or DEFAULT_RETENTION_DAYS
            self.store.save(evolve(shipment, file=stored, file_name=file_name, uploaded_at=now,
                                   expires_at=now + timedelta(days=days), receipt_id=main.id,
                                   recipients=recipients))
        return main

    def _forget(self, sha256: str) -> None:
        """Remove a file no shipment keeps (content shared with a kept upload stays)."""
        if not self.store.refers_to(sha256):
            self.files.delete(sha256)

    # -- CheckIfAvailableFiles, GetAvailableFiles -----------------------------------------------------------

    def _waiting(self, party: str, status: str) -> list[AvailableFile]:
        found = []
        for shipment in self.store.available():
            recipient = shipment.recipient(party)
            if recipient is not None and recipient.status == status and self._may_read(shipment, party):
                found.append(AvailableFile(shipment, recipient))
        return found

    def check_available(self, caller: Caller, recipients: Iterable[str | None], service_code: str | None = None,
                        service_edition: int | None = None) -> bool:
        # Altinn documents the recipients as a comma-separated list, its contract as a list of strings: both
        parties = [p.strip() for value in recipients if value for p in value.split(",") if p.strip()]
        if not parties:
            raise AltinnError(ErrorCode.BROKER_INVALID_REPORTEE, "No recipient to poll for.")
        for party in parties:
            self._acting_for(caller, party)
        return any(
            (not service_code or f.shipment.service_code == service_code)
            and (not service_edition or f.shipment.service_edition == service_edition)
            for party in parties for f in self._waiting(party, UPLOADED))

    def available_files(self, caller: Caller, search: Search) -> list[AvailableFile]:
        """The files the reportee may read in the given state; what it may not read is silently left out."""
        if not search.reportee or not _PARTY_NUMBER.fullmatch(search.reportee):
            raise AltinnError(ErrorCode.BROKER_INVALID_REPORTEE,
                              f"The reportee {search.reportee or '(none)'} is not an organisation or identity "
                              "number.")
        party = self._acting_for(caller, search.reportee)
        if search.service_code or search.service_edition:
            self._broker_service(search.service_code, search.service_edition)
        status = search.file_status if search.file_status in FILE_STATUSES else UPLOADED
        return [f for f in self._waiting(party, status)
                if (not search.service_code or f.shipment.service_code == search.service_code)
                and (not search.service_edition or f.shipment.service_edition == search.service_edition)
                and (search.min_sent is None or f.shipment.uploaded_at >= search.min_sent)
                and (search.max_sent is None or f.shipment.uploaded_at <= search.max_sent)]

    # -- DownloadFileStreamed, ConfirmDownloaded ------------------------------------------------------------

    def download(self, caller: Caller, reference: str | None, reportee: str | None) -> Shipment:
        """The shipment whose file the recipient may download now (the handler streams ``shipment.file``)."""
        shipment = self._as_recipient(caller, reference, reportee)
        if not shipment.available or not self.files.exists(shipment.file.sha256):
            raise AltinnError(ErrorCode.BROKER_NOTHING_TO_DOWNLOAD,
                              f"No file is ready to download for the reference {shipment.reference}.")
        return shipment

    def confirm_downloaded(self, caller: Caller, reference: str | None, reportee: str | None) -> Shipment:
        shipment = self._as_recipient(caller, reference, reportee)
        if not shipment.uploaded:
            raise AltinnError(ErrorCode.BROKER_UNKNOWN_REFERENCE,
                              f"No file has been uploaded for the reference {shipment.reference}.")
        party = reportee
        with self._transaction():
            current = self.store.get(shipment.reference)
            recipient = current.recipient(party)
            if recipient.status == DOWNLOADED:
                return current  # confirming twice changes nothing
            self.receipts.force_status(recipient.receipt_id, ReceiptStatus.OK.value,
                                       f"The file {current.file_name} was downloaded by {party}.")
            updated = evolve(current, recipients=tuple(
                evolve(r, status=DOWNLOADED, downloaded_at=self.clock.now()) if r.party == party else r
                for r in current.recipients))
            self.store.save(updated)
        return updated

    # -- retention and the admin API ------------------------------------------------------------------------

    def expire(self) -> int:
        """Remove the files whose retention has run out, downloaded or not; returns how many (due work)."""
        removed = 0
        for shipment in self.store.expired(self.clock.now()):
            with self._transaction():
                current = self.store.get(shipment.reference)
                if not current.available:
                    continue
                self.store.save(evolve(current, deleted_at=self.clock.now(), file=None))
            self._forget(shipment.file.sha256)
            removed += 1
        return removed

    def mark_infected(self, reference: str) -> Shipment:
        """The next upload for ``reference`` is refused with 40209, as if a virus had been found."""
        with self._transaction():
            shipment = self._shipment(reference)
            updated = evolve(shipment, infected_next=True)
            self.store.save(updated)
        return updated
