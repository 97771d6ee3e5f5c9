"""ServiceOwnerArchiveExternal, declared once for Basic, WS, EC and EC2 (docs/behaviour/archive.md).

Names follow the real contracts: namespace ``…/Archive/ServiceOwnerArchive/2009/10`` on Basic (and WS),
``…/2010/10`` on EC and EC2; endpoints ``/ArchiveExternal/ServiceOwnerArchiveExternal{Basic,,EC,EC2}.svc``.
Basic has ``GetArchivedFormTaskBasic`` (V1) and ``…BasicV2`` and both shipment status searches; EC has only
``GetArchivedFormTaskEC`` (which answers the V2 task); EC2 adds ``GetArchiveShipmentStatusExternalEC`` and
``…ECV2``. WS has no real WSDL: its names drop Basic's suffix (D85).
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timezone

from spyne import Integer32

from altinn_so.domain.archive import CORRELATED, ArchivedFormTask
from altinn_so.soap import codec
from altinn_so.soap.bodies import Blob
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from .rules import ServiceSearch, ShipmentStatusResult

_value = codec.value
_REQUIRED = {"min_occurs": 1, "nillable": False}
_MIME_TYPES = {"application/pdf": "application_pdf", "application/msword": "application_msword",
               "application/vnd.ms-excel": "application_vnd_ms_excel", "application/rtf": "application_rtf",
               "application/zip": "application_zip", "text/plain": "text_plain", "text/html": "text_html",
               "text/xml": "text_xml", "application/xml": "text_xml", "image/jpeg": "image_jpeg",
               "image/gif": "image_gif", "image/bmp": "image_bmp"}
# A ReporteeID and a signer's user id: Altinn's internal party ids, which the emulator does not keep (D86)
_NO_INTERNAL_ID = 0


def _mime(attachment_type: str) -> str:
    return _MIME_TYPES.get((attachment_type or "").lower(), "binary_octet_stream")


def _forms(task: ArchivedFormTask) -> dict:
    return {"ArchivedFormBE": [{
        "DataFormatId": f.data_format_id, "DataFormatVersion": f.data_format_version,
        "FormDataXML": f.form_data_xml, "FormID": f.reference, "FormName": f.name,
        "ParentReference": f.parent_reference or 0} for f in task.forms]}


def _signing_step(task: ArchivedFormTask, signature, v2: bool) -> dict:
    step = {"AuthenticationLevelID": signature.security_level, "AuthenticationMethod": 0,
            "CertificateValidFrom": signature.signed_at, "CertificateValidTo": signature.signed_at,
            "CreatedDateTime": signature.signed_at, "RequiresGroupSigning": False, "SignatureID": 0,
            "SignatureText": signature.text or None, "SignedByUser": _NO_INTERNAL_ID,
            "SignedByUserSSN": signature.signer,
            "SignedAttachmentList": {"int": [a.id for a in task.attachments]},
            "SignedFromList": {"int": [f.reference for f in task.forms]}}
    if v2:
        del step["RequiresGroupSigning"]
        step.update(IsSigningAllRequired="NO", ProcessStepID=0)
    return step


def _common(task: ArchivedFormTask, v2: bool) -> dict:
    steps = [_signing_step(task, s, v2) for s in task.approvers]
    return {
        "ArchivedDateTime": task.archived_at, "ArchivedFormList": _forms(task),
        "ArchivedFormTaskSigningStepList": {("ArchivedFormTaskSigningStepBEV2" if v2
                                             else "ArchivedFormTaskSigningStepBE"): steps},
        "ExternalServiceCode": task.service_code, "ExternalServiceEditionCode": task.service_edition,
        "InvoiceInformation": 0.0, "LastChanged": task.archived_at, "ReporteeElementID": task.element_id,
        "ReporteeID": _NO_INTERNAL_ID, "ServiceOwner": task.owner, "ssnOrgNumber": task.reportee,
    }


def form_task_v1(task: ArchivedFormTask) -> dict:
    return {**_common(task, v2=False), "ArchivedAttachmentList": {"ArchivedAttachmentBE": [{
        "AttachmentFunctionType": "Unspecified", "AttachmentID": a.id, "AttachmentName": a.name,
        "MimeTypeName": _mime(a.attachment_type)} for a in task.attachments]}}


def form_task_v2(task: ArchivedFormTask) -> dict:
    return {
        **_common(task, v2=True),
        "ArchiveTaskList": {"ArchiveTaskV2": []},
        "ArchivedAttachmentList": {"ArchivedAttachmentBEV2": [{
            "AttachmentFunctionType": "Unspecified", "AttachmentID": a.id, "AttachmentName": a.name,
            "CreatedByUserID": _NO_INTERNAL_ID, "CreatedDateTime": a.added_at,
            "IsAddedAfterFormFillin": a.added_by != "prefill", "IsEncrypted": task.encrypted,
            "MimeTypeName": _mime(a.attachment_type)} for a in task.attachments]},
        # the owner-sealed key of an encrypted task belongs to the download queue's download (D86)
        "PasswordEncryptedSymmetricKey": None, "SOEncryptedSymmetricdKey": None,
    }


def get_form_task_v1(call, args) -> dict:
    return form_task_v1(call.emulator.archive_service.archived_form_task(call.caller,
                                                                         _value(args, "reporteeElementID")))


def get_form_task_v2(call, args) -> dict:
    return form_task_v2(call.emulator.archive_service.archived_form_task(call.caller,
                                                                         _value(args, "reporteeElementID")))


def _utc(moment: datetime | None) -> datetime | None:
    """A search bound: a time without an offset is UTC; .NET's unset DateTime.MinValue is no bound."""
    if moment is None or codec.is_unset_time(moment):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _search(call, args) -> ShipmentStatusResult:
    search = args.get("searchArchiveShipmentStatus") or {}
    service = search.get("ServiceReference") if isinstance(search, dict) else None
    by_service = None
    if isinstance(service, dict):
        by_service = ServiceSearch(_value(service, "ServiceCode") or "", _value(service, "ServiceEditionCode"),
                                   _utc(_value(service, "DateFrom")), _utc(_value(service, "DateTo")))
    return call.emulator.archive_service.shipment_status(call.caller, _value(search, "ArchiveReference"),
                                                        by_service)


def _correlated_at(log) -> datetime | None:
    return next((e.at for e in reversed(log) if e.status == CORRELATED), None)


def get_status_v1(call, args) -> dict:
    """V1: one row per log entry (a task never handed over: one NotSet row)."""
    result = _search(call, args)
    rows = []
    for status in result.statuses:
        task, correlated = status.task, _correlated_at(status.log)
        entries = status.log or (None,)
        for entry in entries:
            rows.append({"ArchiveReference": task.archive_reference, "CorrespondenceCorrelatedDateTime": correlated,
                         "ServiceCode": task.service_code, "ServiceEditionCode": task.service_edition,
                         "ShipmentDate": entry.at if entry else task.archived_at,
                         "ShipmentSequenceID": entry.description if entry else None,
                         "ShipmentStatus": entry.status if entry else "NotSet",
                         "TimeOfArchiving": task.archived_at})
    return {"ArchiveShipmentStatusList": {"ArchiveShipmentStatusExternal": rows},
            "LimitReached": result.limit_reached}


def get_status_v2(call, args) -> dict:
    result = _search(call, args)
    return {"ArchiveShipmentStatusList": {"ArchiveShipmentStatusExternalV2": [{
        "ArchiveReference": s.task.archive_reference, "ServiceCode": s.task.service_code,
        "ServiceEditionCode": s.task.service_edition, "TimeOfArchiving": s.task.archived_at,
        "ShipmentStatusLog": {"ShipmentStatusLogEntry": [{
            "ShipmentDescription": e.description, "ShipmentStatus": e.status, "ShipmentStatusDateTime": e.at}
            for e in s.log]}} for s in result.statuses]},
        "LimitReached": result.limit_reached}


_BASIC = frozenset({"basic", "ws"})
_ELEMENT_ID = ("reporteeElementID", Integer32(nillable=False))
_LANGUAGE = ("languageID", Integer32)
_SEARCH = (("searchArchiveShipmentStatus", types.SearchArchiveShipmentStatusBE),)

OPERATIONS = (
    Operation("GetArchivedFormTask", get_form_task_v1, bindings=_BASIC, optional_credentials=True,
              wire_names={"basic": "GetArchivedFormTaskBasic", "ws": "GetArchivedFormTask"},
              params=(_ELEMENT_ID, _LANGUAGE), returns=types.ArchivedFormTaskBE),
    Operation("GetArchivedFormTaskV2", get_form_task_v2, bindings=_BASIC, optional_credentials=True,
              wire_names={"basic": "GetArchivedFormTaskBasicV2", "ws": "GetArchivedFormTaskV2"},
              params=(_ELEMENT_ID, _LANGUAGE), returns=types.ArchivedFormTaskV2),
    Operation("GetArchivedFormTaskV2", get_form_task_v2, bindings=frozenset({"ec", "ec2"}),
              wire_names={"ec": "GetArchivedFormTaskEC", "ec2": "GetArchivedFormTaskEC"},
              params=(("reporteeElementID", Integer32(**_REQUIRED)), _LANGUAGE),
              returns=types.ArchivedFormTaskV2),
    Operation("GetArchiveShipmentStatus", get_status_v1, bindings=_BASIC | {"ec2"}, optional_credentials=True,
              wire_names={"basic": "GetArchiveShipmentStatusExternalBasic", "ws": "GetArchiveShipmentStatusExternal",
                          "ec2": "GetArchiveShipmentStatusExternalEC"},
              params=_SEARCH, returns=types.ArchiveShipmentStatusExternalBEList),
    Operation("GetArchiveShipmentStatusV2", get_status_v2, bindings=_BASIC | {"ec2"}, optional_credentials=True,
              wire_names={"basic": "GetArchiveShipmentStatusExternalBasicV2",
                          "ws": "GetArchiveShipmentStatusExternalV2", "ec2": "GetArchiveShipmentStatusExternalECV2"},
              params=_SEARCH, returns=types.ArchiveShipmentStatusExternalBEV2List),
)

SERVICE_OWNER_ARCHIVE = ServiceContract(
    name="ServiceOwnerArchiveExternal",
    area="ArchiveExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": "http://www.altinn.no/services/Archive/ServiceOwnerArchive/2009/10",
                "ec": "http://www.altinn.no/services/Archive/ServiceOwnerArchive/2010/10"},
    operations=OPERATIONS,
)


def get_attachment_data(call, args) -> Blob:
    """The attachment as a file-backed value, which the reply streams (an MTOM part to an MTOM request). Its bytes
    are the core's, kept in the store; they are written to a temporary file, gone when the reply is sent."""
    data = call.emulator.archive_service.attachment_data(call.caller, _value(args, "attachmentId"))
    spool = tempfile.TemporaryFile()
    spool.write(data)
    spool.flush()
    return Blob(spool, 0, len(data))


STREAMED_NAMESPACE = "http://www.altinn.no/services/Archive/ServiceOwnerArchive/2013/06"

SERVICE_OWNER_ARCHIVE_STREAMED = ServiceContract(
    name="ServiceOwnerArchiveExternalStreamed",
    area="ArchiveExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": STREAMED_NAMESPACE, "ec": STREAMED_NAMESPACE},
    mtom=True,
    operations=(
        Operation("GetAttachmentDataStreamed", get_attachment_data, optional_credentials=True,
                  wire_names={"basic": "GetAttachmentDataStreamedBasic", "ws": "GetAttachmentDataStreamed",
                              "ec": "GetAttachmentDataStreamedEC", "ec2": "GetAttachmentDataStreamedEC"},
                  params=(("attachmentId", Integer32(nillable=False)),), returns=types.StreamBody(**_REQUIRED)),
    ),
)
