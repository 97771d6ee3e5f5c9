"""Files the emulator writes to a service owner's outbound folder (docs/behaviour/batch.md).

Archived submissions: for each form task submitted on a service with ``batch_delivery: true``, one
genericbatch.2013.06 file (the push's batch, ``altinn_so.services.push``) with its attachments inline in base64,
and with ``batch_pdf: true`` the form set's PDF as a ``formtask_pdf`` attachment; written inside the submission's
transaction, named ``<owner>_<service code>_<edition>_<n>.xml`` with n the owner's count of such files (from 1),
which is also the batch's ``batchReference`` (``previousReference`` n-1).

Read and confirmation receipts: for each correspondence of a service with ``confirmation_batches: true`` that an
end user reads or confirms, one ``correspondence.confirmations`` file (namespace 2010/10) holding that one
Confirmation, written inside the change's transaction (no change, no file). Files are numbered per service owner:
``<owner>_confirmations_<n>.xml`` with ``SequenceNo`` n (from 1) and ``PreviousSequenceNo`` n-1.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from lxml import etree

from altinn_so.domain.clock import local_time
from altinn_so.domain.elements import ElementAttachment
from altinn_so.services.push import BatchFacts, build_batch, internal_file_name

from .rules import OutboundFile

CONFIRMATIONS_NS = "http://schemas.altinn.no/services/intermediary/correspondence/confirmations/2010/10"
CONFIRMATIONS = "confirmations"
GENERICBATCH = "genericbatch"
_PDF_ID = -1  # the form set's PDF, which is no attachment of the task: its id in the batch's attachments only
_READ, _CONFIRMED = "Read", "Confirmed"


def _time(moment) -> str:
    return local_time(moment).isoformat(timespec="seconds")


def _status_time(correspondence, status: str):
    return next((c.at for c in reversed(correspondence.status_changes) if c.status.value == status), None)


def confirmations_file(correspondence, sequence: int, now) -> bytes:
    """One read (and, once confirmed, confirmation) of ``correspondence`` as a confirmations file."""
    def add(parent, name: str, text: str):
        etree.SubElement(parent, f"{{{CONFIRMATIONS_NS}}}{name}").text = text

    root = etree.Element(f"{{{CONFIRMATIONS_NS}}}CorrespondenceConfirmations", nsmap={None: CONFIRMATIONS_NS})
    add(root, "SequenceNo", str(sequence))
    add(root, "PreviousSequenceNo", str(sequence - 1))
    # 3 to 15 characters, as the format wants: the message's system user code, else its owner's code
    code = (correspondence.system_user_code or correspondence.owner)[:15]
    add(root, "SystemUserCode", code if len(code) >= 3 else code.ljust(3, "_"))
    add(root, "ShipmentDateTime", _time(now))
    add(root, "CountConfirmationsInShipment", "1")
    confirmation = etree.SubElement(root, f"{{{CONFIRMATIONS_NS}}}Confirmation")
    add(confirmation, "ServiceCode", correspondence.service_code)
    add(confirmation, "ServiceEdition", str(correspondence.service_edition))
    add(confirmation, "Reportee", correspondence.reportee)
    add(confirmation, "CorrespondenceReference", correspondence.senders_reference or "")
    read = etree.SubElement(confirmation, f"{{{CONFIRMATIONS_NS}}}Read")
    add(read, "ReadDateTime", _time(_status_time(correspondence, _READ) or now))
    confirmed_at = _status_time(correspondence, _CONFIRMED)
    if confirmed_at is not None:
        confirmed = etree.SubElement(confirmation, f"{{{CONFIRMATIONS_NS}}}Confirmed")
        # The emulator's end user is not identified: a person reportee confirms for themself
        reportee = correspondence.reportee
        add(confirmed, "UserSSN", reportee if len(reportee) == 11 and reportee.isdigit() else "")
        add(confirmed, "ConfirmedDateTime", _time(confirmed_at))
        add(confirmed, "ConfirmedRoleList", "")
        add(confirmed, "AuthenticationMethod", "0")
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def on_correspondence_status(emulator, correspondence, status) -> None:
    """The correspondence package's listener: a read or a confirmation of a service that asks for them."""
    if status.value not in (_READ, _CONFIRMED):
        return
    service = emulator.catalog.get_service(correspondence.service_code, correspondence.service_edition)
    if service is None or not service.confirmation_batches:
        return
    owner = correspondence.owner
    sequence = _next(emulator, owner, CONFIRMATIONS)
    now = emulator.clock.now()
    _write(emulator, owner, f"{owner}_confirmations_{sequence:06d}.xml", CONFIRMATIONS,
           confirmations_file(correspondence, sequence, now), now)


def on_archived(emulator, task) -> None:
    """The batch service's ``on_archived``: a genericbatch file of ``task`` if its service delivers by batch."""
    service = emulator.catalog.get_service(task.service_code, task.service_edition)
    if service is None or not service.batch_delivery:
        return
    owner = task.owner
    sequence = _next(emulator, owner, GENERICBATCH)
    now = emulator.clock.now()
    data = {attachment.id: None for attachment in task.attachments}  # read when the batch is built
    if service.batch_pdf:
        pdf = _form_set_pdf(service, task)
        attachment = ElementAttachment(_PDF_ID, "Skjema som PDF", f"{task.archive_reference}.pdf", "formtask_pdf",
                                       len(pdf), now, type_name="formtask_pdf")
        task = _with_attachment(task, attachment)
        data[_PDF_ID] = pdf
    names = tuple(internal_file_name(task.archive_reference, attachment, str(uuid.uuid4()))
                  for attachment in task.attachments)
    facts = BatchFacts(sequence, sequence - 1, str(uuid.uuid4()), now, names)

    def data_of(attachment_id: int) -> bytes:
        known = data.get(attachment_id)
        return known if known is not None else emulator.reportee_elements.attachment_data(attachment_id) or b""

    batch = build_batch(task, facts, data_of, inline=True)
    content = ('<?xml version="1.0" encoding="utf-8"?>' + "".join(
        _base64(part.data) if not isinstance(part, str) else part for part in batch.parts())).encode("utf-8")
    _write(emulator, owner, f"{owner}_{task.service_code}_{task.service_edition}_{sequence:06d}.xml", GENERICBATCH,
           content, now)


def _write(emulator, owner: str, name: str, kind: str, content: bytes, now) -> None:
    """Put ``content`` in the file store and in the owner's outbound folder as ``name``."""
    ref = emulator.files.put([content])
    emulator.batch_store.add_outbound(OutboundFile(0, owner, name, ref.sha256, ref.size, now, kind))


def _next(emulator, owner: str, kind: str) -> int:
    """The owner's next number of ``kind`` files, from 1, without gaps (inside the caller's transaction)."""
    return emulator.db.next_value(f"outbound {owner} {kind}")


def _base64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _with_attachment(task, attachment):
    return replace(task, attachments=(*task.attachments, attachment))


@dataclass(frozen=True)
class _FormSetDocument:
    """What ``formpdf.render_form_set`` draws: a title, facts and each form's fields."""

    title: str
    facts: tuple[tuple[str, str], ...]
    forms: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]


def _form_set_pdf(service, task) -> bytes:
    from altinn_so.formpdf import render_form_set
    from altinn_so.formxml import leaf_values

    archived: datetime = task.archived_at
    document = _FormSetDocument(
        title=service.name or task.service_code,
        facts=(("Tjeneste", f"{task.service_code}/{task.service_edition} {service.name}"),
               ("Arkivreferanse", task.archive_reference), ("Avgiver", task.reportee),
               ("Arkivert", f"{local_time(archived):%Y-%m-%d %H:%M:%S}")),
        forms=tuple((f"Skjema {f.data_format_id}/{f.data_format_version}" + (f" {f.name}" if f.name else ""),
                     tuple(leaf_values(f.form_data_xml))) for f in task.forms))
    return render_form_set(document)
