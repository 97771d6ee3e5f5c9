"""DownloadQueue, declared once for Basic, WS, EC and EC2 (docs/behaviour/download-queue.md).

Names follow the real contracts (namespace ``…/Archive/DownloadQueue/2012/08`` on every binding, interface
``IDownloadQueueExternal`` + the binding's suffix, endpoints ``/ArchiveExternal/DownloadQueueExternal{Basic,,EC,
EC2}.svc``). ``GetDownloadQueueItems`` and ``PurgeItem`` carry no binding suffix; the archived form task is
``GetArchivedFormTaskBasicDQ``, ``…ExternalDQ`` (WS) and ``…ECDQ``; the PDF ``GetFormSetPdfBasic``,
``GetFormSetPdf`` (WS) and ``GetFormSetPdfEc``, whose credentials Altinn named ``systemName``/``systemPassword``
on Basic and ``userName``/``userPassword`` on EC and EC2, and declared required where the other operations'
are optional. WS has no real WSDL: ours is inferred from Basic. The real contracts declare MTOM: an MTOM request
is answered in MTOM, the attachments and the PDF as binary parts.

EC takes the superset of requests (EC2's ``includeXmlNamespace`` and PDF filters), but answers with its own
contract's queue item, which has no ``ShipmentMetadataList`` (a client built from the EC file would reject it).
"""

from __future__ import annotations

from spyne import Boolean, ByteArray, ComplexModel, Integer32, Unicode

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.types import repeated

from . import wire_types as types
from .rules import DownloadedFormTask, DownloadQueueItem

NAMESPACE = "http://www.altinn.no/services/Archive/DownloadQueue/2012/08"
_value = codec.value
_REQUIRED = {"min_occurs": 1, "nillable": False}


class _ItemWithoutMetadata(ComplexModel):
    """The EC contract's DownloadQueueItemBE: the same type before shipment metadata came (2019)."""

    __type_name__ = "DownloadQueueItemBE"
    __namespace__ = types.NS_DOWNLOAD_QUEUE_2012_08
    _type_info = [member for member in types.DownloadQueueItemBE._type_info.items()
                  if member[0] != "ShipmentMetadataList"]


class _ItemListWithoutMetadata(ComplexModel):
    __type_name__ = "DownloadQueueItemBEList"
    __namespace__ = types.NS_DOWNLOAD_QUEUE_2012_08
    _type_info = [("DownloadQueueItemBE", repeated(_ItemWithoutMetadata))]


def _item(item: DownloadQueueItem) -> dict:
    return {
        "ArchiveReference": item.archive_reference, "ArchivedDate": item.archived_at, "ReporteeID": item.reportee,
        "ReporteeType": item.reportee_type, "ServiceCode": item.service_code,
        "ServiceEditionCode": item.service_edition,
        # nil when the service defines no metadata keys (D54)
        "ShipmentMetadataList": {"ArchivedShipmentMetadata": [{"Key": k, "Value": v}
                                                              for k, v in item.shipment_metadata]}
        if item.has_metadata else None,
    }


def get_items(call, args) -> dict:
    items = call.emulator.download_queue.items(call.caller, args.get("serviceCode"))
    return {"DownloadQueueItemBE": [_item(i) for i in items]}


def purge_item(call, args) -> str:
    return call.emulator.download_queue.purge(call.caller, args.get("archiveReference"))


def _form_task(downloaded: DownloadedFormTask) -> dict:
    task = downloaded.task
    key = None
    if downloaded.encrypted_key is not None:
        key = {"CertificateThumbprint": downloaded.certificate_thumbprint, "EncryptedKey": downloaded.encrypted_key}
    return {
        "Approvers": {"ApproverDQBE": [{"ApprovedTimeStamp": a.signed_at, "ApproverID": a.signer,
                                        "SecurityLevel": a.security_level_name} for a in task.approvers]},
        "ArchiveReference": task.archive_reference, "ArchiveTimeStamp": task.archived_at,
        "Attachments": {"ArchivedAttachmentDQBE": [{
            "ArchiveReference": a.archive_reference, "AttachmentData": a.data, "AttachmentType": a.attachment_type,
            "FileName": a.file_name, "IsEncrypted": a.encrypted, "AttachmentId": a.attachment_id,
            "AttachmentTypeName": a.type_name, "AttachmentTypeNameLanguage": None} for a in downloaded.attachments]},
        "AttachmentsInResponse": downloaded.attachments_in_response,
        "CaseID": task.case_id or 0, "CorrelationReference": 0,
        "Forms": {"ArchivedFormDQBE": [{
            "DataFormatID": f.data_format_id, "DataFormatVersionID": f.data_format_version, "FormData": f.form_data,
            "ParentReference": str(f.parent_reference) if f.parent_reference is not None else None,
            "Reference": str(f.reference)} for f in downloaded.forms]},
        "FormsInResponse": len(downloaded.forms),
        "Reportee": task.reportee, "SOEncryptedSymmetricKey": key, "ServiceCode": task.service_code,
        "ServiceEditionCode": str(task.service_edition),
    }


def get_archived_form_task(call, args) -> dict:
    downloaded = call.emulator.download_queue.archived_form_task(
        call.caller, args.get("archiveReference"), _value(args, "languageID"),
        bool(_value(args, "includeXmlNamespace")))
    return _form_task(downloaded)


def get_form_set_pdf(call, args) -> bytes:
    return call.emulator.download_queue.form_set_pdf(
        call.caller, args.get("archiveReference"), _value(args, "languageId"), args.get("dataFormatId"),
        _value(args, "dataFormatVersion"))


_SAME_NAME = ("basic", "ws", "ec", "ec2")


def _queue_operations(bindings: frozenset[str], item_list) -> tuple[Operation, ...]:
    return (
        Operation("GetDownloadQueueItems", get_items, bindings=bindings, optional_credentials=True,
                  wire_names={key: "GetDownloadQueueItems" for key in _SAME_NAME},
                  params=(("serviceCode", Unicode),), returns=item_list),
        Operation("PurgeItem", purge_item, bindings=bindings, optional_credentials=True,
                  wire_names={key: "PurgeItem" for key in _SAME_NAME},
                  params=(("archiveReference", Unicode),), returns=Unicode),
    )


_PDF_PARAMS = (("archiveReference", Unicode(**_REQUIRED)), ("languageId", Integer32(**_REQUIRED)),
               ("dataFormatId", Unicode), ("dataFormatVersion", Integer32))


OPERATIONS = (
    _queue_operations(frozenset({"basic", "ws", "ec2"}), types.DownloadQueueItemBEList)
    + _queue_operations(frozenset({"ec"}), _ItemListWithoutMetadata)
    + (
        Operation("GetArchivedFormTaskDQ", get_archived_form_task, optional_credentials=True,
                  wire_names={"basic": "GetArchivedFormTaskBasicDQ", "ws": "GetArchivedFormTaskExternalDQ",
                              "ec": "GetArchivedFormTaskECDQ", "ec2": "GetArchivedFormTaskECDQ"},
                  params=(("archiveReference", Unicode), ("languageID", Integer32),
                          ("includeXmlNamespace", Boolean(nillable=False))),
                  returns=types.ArchivedFormTaskDQBE),
        Operation("GetFormSetPdf", get_form_set_pdf, bindings=frozenset({"basic", "ws"}),
                  credential_names=("systemName", "systemPassword"),
                  wire_names={"basic": "GetFormSetPdfBasic", "ws": "GetFormSetPdf"},
                  params=_PDF_PARAMS, returns=ByteArray),
        Operation("GetFormSetPdf", get_form_set_pdf, bindings=frozenset({"ec", "ec2"}),
                  credential_names=("userName", "userPassword"),
                  wire_names={"ec": "GetFormSetPdfEc", "ec2": "GetFormSetPdfEc"},
                  params=_PDF_PARAMS, returns=ByteArray),
    )
)

DOWNLOAD_QUEUE = ServiceContract(
    name="DownloadQueueExternal",
    area="ArchiveExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    service_names={"basic": "DownloadQueueExternalBasic", "ws": "DownloadQueueExternal",
                   "ec": "DownloadQueueExternalEC", "ec2": "DownloadQueueExternalEC2"},
    operations=OPERATIONS,
    mtom=True,
)
