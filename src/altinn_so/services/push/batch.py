"""The ``batch`` of a push: one archived form task as a genericbatch.2013.06 ``DataBatch`` (docs/behaviour/push.md).

The batch is built again for every attempt from the archived task and what was fixed when it was queued (its
references, time stamp and the attachments' internal file names), so that a retry sends the same bytes. With
attachments in a ZIP, each ``Attachment`` element is empty and names its ZIP entry by ``internalFileName``; inline,
it carries the bytes as base64. Either way it carries the bytes' SHA-256 as ``checksum``. The inline bytes are not
put in the tree: the batch text holds a marker for each, which the request writer replaces with the base64 as it
streams (``Batch.parts``), so a large attachment is never held as text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from altinn_so.domain.archive import ArchivedFormTask
from altinn_so.domain.clock import local_time
from altinn_so.domain.elements import ElementAttachment

from .rules import BatchFacts

SCHEMA_VERSION = "2013.06"
# genericbatch's securityLevel: the authentication levels 1-4 (a self-identified signer, level 0, has none)
_SECURITY_LEVELS = {1: "notSensitive", 2: "lessSensitive", 3: "sensitive", 4: "verySensitive"}
# The AttachmentType spelling of the MIME types it names; any other is binary_octet_stream
_ATTACHMENT_TYPES = {
    "application/pdf": "application_pdf", "application/msword": "application_msword",
    "application/vnd.ms-excel": "application_vnd_ms_excel", "application/vnd.ms-powerpoint":
    "application_vnd_ms_powerpoint", "application/rtf": "application_rtf", "application/zip": "application_zip",
    "text/plain": "text_plain", "text/html": "text_html", "text/xml": "text_xml", "application/xml": "text_xml",
    "image/jpeg": "image_jpeg", "image/gif": "image_gif", "image/bmp": "image_bmp",
    "formtask_pdf": "formtask_pdf",  # (the form set's own PDF, which the batch interface adds: not a MIME type)
}


@dataclass(frozen=True)
class BatchAttachment:
    attachment: ElementAttachment
    internal_file_name: str
    data: bytes
    checksum: str  # SHA-256 of ``data``, as lowercase hex


@dataclass(frozen=True)
class Batch:
    """A built batch: its text, with a marker where each inline attachment's base64 goes (``parts``)."""

    text: str
    attachments: tuple[BatchAttachment, ...]
    inline: bool

    def parts(self):
        """The text in pieces: strings of XML, and between them (inline only) the attachments whose bytes go
        there as base64."""
        if not self.inline:
            yield self.text
            return
        rest = self.text
        for attachment in self.attachments:
            before, rest = rest.split(_marker(attachment.internal_file_name), 1)
            yield before
            yield attachment
        yield rest


def attachment_type(mime_type: str | None) -> str:
    return _ATTACHMENT_TYPES.get((mime_type or "").lower(), "binary_octet_stream")


def build_batch(task: ArchivedFormTask, facts: BatchFacts, data_of, *, inline: bool) -> Batch:
    """The batch of ``task``; ``data_of(attachment_id)`` gives an attachment's bytes."""
    attachments = tuple(_with_data(attachment, name, data_of(attachment.id) or b"")
                        for attachment, name in zip(task.attachments, facts.internal_file_names))
    root = etree.Element("DataBatch", schemaVersion=SCHEMA_VERSION, batchReference=str(facts.batch_reference),
                         previousReference=str(facts.previous_reference),
                         receiverReference=facts.receivers_reference, timeStamp=_time(facts.time_stamp),
                         formTasksInBatch="1", formsInBatch=str(len(task.forms)))
    units = etree.SubElement(root, "DataUnits")
    unit = etree.SubElement(units, "DataUnit", reportee=task.reportee, archiveReference=task.archive_reference,
                            archiveTimeStamp=_time(task.archived_at))
    if task.shipment_metadata:
        metadata = etree.SubElement(unit, "MetadataList")
        for key, value in task.shipment_metadata:
            if value:  # the schema wants 1-255 characters of content
                etree.SubElement(metadata, "Metadata", name=key[:255], content=value[:255])
    if task.approvers:
        approvers = etree.SubElement(unit, "Approvers")
        for signature in task.approvers:
            approver = etree.SubElement(approvers, "Approver", approverId=signature.signer,
                                        approvedTimeStamp=_time(signature.signed_at))
            if signature.security_level in _SECURITY_LEVELS:
                approver.set("securityLevel", _SECURITY_LEVELS[signature.security_level])
    form_task = etree.SubElement(unit, "FormTask")
    etree.SubElement(form_task, "ServiceCode").text = task.service_code
    etree.SubElement(form_task, "ServiceEditionCode").text = str(task.service_edition)
    if task.case_id is not None:
        etree.SubElement(form_task, "CaseID").text = str(task.case_id)
    for form in task.forms:
        element = etree.SubElement(form_task, "Form")
        etree.SubElement(element, "DataFormatId").text = form.data_format_id
        etree.SubElement(element, "DataFormatVersion").text = str(form.data_format_version)
        etree.SubElement(element, "Reference").text = str(form.reference)
        etree.SubElement(element, "ParentReference").text = str(form.parent_reference or 0)
        # in CDATA, as Altinn sent it, unless the form's text could not be (it holds the CDATA end itself)
        xml = form.form_data_xml
        etree.SubElement(element, "FormData").text = etree.CDATA(xml) if "]]>" not in xml else xml
    if attachments:
        listed = etree.SubElement(root, "Attachments")
        for item in attachments:
            attachment = item.attachment
            element = etree.SubElement(listed, "Attachment", archiveReference=task.archive_reference,
                                       fileName=(attachment.file_name or attachment.name or "attachment")[:255],
                                       internalFileName=item.internal_file_name,
                                       attachmentType=attachment_type(attachment.attachment_type),
                                       isEncrypted="false", checksum=item.checksum)
            if attachment.type_name:
                element.set("attachmentTypeName", attachment.type_name[:255])
            if inline:
                element.text = _marker(item.internal_file_name)
    return Batch(etree.tostring(root, encoding="unicode"), attachments, inline)


def _with_data(attachment: ElementAttachment, name: str, data: bytes) -> BatchAttachment:
    return BatchAttachment(attachment, name, data, hashlib.sha256(data).hexdigest())


def _marker(internal_file_name: str) -> str:
    return f"@@altinn-so:{internal_file_name}@@"


def _time(moment: datetime) -> str:
    """Norwegian wall-clock time without an offset, as Altinn wrote the batch's times."""
    return local_time(moment).replace(tzinfo=None).isoformat(timespec="milliseconds")
