"""The BrokerService and the streamed broker, declared once for Basic, WS, EC and EC2 (docs/behaviour/broker.md).

Two contracts, as Altinn has them: ``BrokerServiceExternal`` (initiate, list, poll, confirm) on
``BrokerServiceExternal{Basic,,EC,EC2}.svc``, and the streamed one (upload, download; MTOM declared) whose names
put the binding before "Streamed": ``BrokerServiceExternalBasicStreamed.svc``, interface
``IBrokerServiceExternalBasicStreamed``. EC and EC2 name their body credentials ``userName``/``password``. The
upload is a WCF message contract: its body element is ``StreamedPayload{Basic,External,EC}BE`` with the
``DataStream``, its SOAP headers ``FileName``, ``Reference`` and ``Reportee`` (plus the credentials on Basic,
EC and EC2), its reply ``ReceiptExternalStreamedBE`` with the receipt's members. Every binding takes the superset
(WS's real contract has no CheckIfAvailableFiles; EC2's poll parameters only the recipients).
"""

from __future__ import annotations

from spyne import Boolean, Integer32, Unicode

from altinn_so.domain.clock import local_time
from altinn_so.soap import codec
from altinn_so.soap.bodies import Blob
from altinn_so.soap.contract import STREAMED_MAX_BODY_BYTES, Operation, ServiceContract

from . import wire_types as types
from .rules import RECEIPT_TYPE, Initiation, Search

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/Broker/2015/06"
NAMESPACES = {"basic": NAMESPACE, "ec": NAMESPACE}
_value = codec.value
_REQUIRED = {"min_occurs": 1, "nillable": False}
_EC_CREDENTIALS = ("userName", "password")


def _items(data: dict | None, list_key: str, item_key: str) -> list[dict]:
    return [item for item in ((data or {}).get(list_key) or {}).get(item_key) or () if item is not None]


def initiate(call, args) -> str:
    data = args.get("brokerServiceInitiation") or {}
    manifest = data.get("Manifest") or {}
    shipment = call.emulator.broker.initiate(call.caller, Initiation(
        service_code=manifest.get("ExternalServiceCode"),
        service_edition=_value(manifest, "ExternalServiceEditionCode"),
        senders_reference=manifest.get("SendersReference"), reportee=manifest.get("Reportee"),
        recipients=tuple(r.get("PartyNumber") or "" for r in _items(data, "RecipientList", "Recipient")),
        files=tuple((f.get("FileName") or "", f.get("CheckSum")) for f in _items(manifest, "FileList", "File")),
        properties=tuple((p.get("PropertyKey") or "", p.get("PropertyValue") or "")
                         for p in _items(manifest, "PropertyList", "Property"))))
    return shipment.reference


def _available_file(found) -> dict:
    shipment, recipient = found.shipment, found.recipient
    return {"FileReference": shipment.reference, "FileName": shipment.file_name, "FileSize": shipment.file.size,
            "ReceiptID": recipient.receipt_id, "FileStatus": recipient.status, "Reportee": shipment.sender,
            "SentDate": local_time(shipment.uploaded_at), "ExternalServiceCode": shipment.service_code,
            "ExternalServiceEditionCode": shipment.service_edition, "SendersReference": shipment.senders_reference,
            "IsSftpDownloadOnly": False}


def available_files(call, args) -> dict:
    data = args.get("searchParameters") or {}
    found = call.emulator.broker.available_files(call.caller, Search(
        reportee=data.get("Reportee"), file_status=_value(data, "FileStatus"),
        service_code=data.get("ExternalServiceCode"), service_edition=_value(data, "ExternalServiceEditionCode"),
        min_sent=codec.optional_time(data, "MinSentDateTime"), max_sent=codec.optional_time(data, "MaxSentDateTime")))
    return {"BrokerServiceAvailableFile": [_available_file(f) for f in found]}


def check_available(call, args) -> bool:
    data = args.get("pollParameters") or {}
    recipients = (data.get("Recipients") or {}).get("string") or ()
    return call.emulator.broker.check_available(call.caller, recipients, data.get("ExternalServiceCode"),
                                                _value(data, "ExternalServiceEditionCode"))


def confirm_downloaded(call, args) -> None:
    call.emulator.broker.confirm_downloaded(call.caller, args.get("fileReference"), args.get("reportee"))


def upload(call, args) -> dict:
    data = _value(args, "DataStream") or b""
    chunks = data.chunks() if isinstance(data, Blob) else [data]
    receipt = call.emulator.broker.upload(call.caller, args.get("Reference"), args.get("Reportee"),
                                          args.get("FileName"), chunks)
    return {"LastChanged": local_time(receipt.last_changed).isoformat(), "ParentReceiptId": receipt.parent_id,
            "ReceiptHistory": receipt.history, "ReceiptId": receipt.id, "ReceiptStatusCode": receipt.status.value,
            "ReceiptText": receipt.text, "ReceiptTypeName": RECEIPT_TYPE}


def download(call, args) -> Blob:
    shipment = call.emulator.broker.download(call.caller, args.get("fileReference"), args.get("reportee"))
    return Blob.from_file(call.emulator.files.open(shipment.file.sha256))


def _broker_operations(bindings: frozenset[str], credentials: tuple[str, str], required: dict) -> tuple[Operation, ...]:
    """``required``: how ConfirmDownloaded's parameters are declared (required on Basic, optional on EC2)."""
    common = {"bindings": bindings, "credential_names": credentials}
    reference = (("fileReference", Unicode(**required)), ("reportee", Unicode(**required)))
    return (
        Operation("InitiateBrokerService", initiate, **common,
                  params=(("brokerServiceInitiation", types.BrokerServiceInitiation.customize(**_REQUIRED)),),
                  returns=Unicode),
        Operation("GetAvailableFiles", available_files, **common,
                  params=(("searchParameters", types.BrokerServiceSearch.customize(**_REQUIRED)),),
                  returns=types.BrokerServiceAvailableFileList),
        Operation("CheckIfAvailableFiles", check_available, **common,
                  params=(("pollParameters", types.BrokerServicePoll.customize(**_REQUIRED)),),
                  returns=Boolean(nillable=False)),
        Operation("ConfirmDownloaded", confirm_downloaded, **common, params=reference),
    )


_RECEIPT_MEMBERS = (
    ("LastChanged", Unicode), ("ParentReceiptId", Integer32(nillable=False)), ("ReceiptHistory", Unicode),
    ("ReceiptId", Integer32(nillable=False)), ("ReceiptStatusCode", Unicode), ("ReceiptText", Unicode),
    ("ReceiptTypeName", Unicode))
_UPLOAD_HEADERS = ("FileName", "Reference", "Reportee")


def _streamed_operations(bindings: frozenset[str], payload: str, credentials: tuple[str, str],
                         header_credentials: tuple[str, str] | None) -> tuple[Operation, ...]:
    return (
        Operation("UploadFileStreamed", upload, bindings=bindings, request_element=payload,
                  response_element="ReceiptExternalStreamedBE", header_credentials=header_credentials,
                  headers=_UPLOAD_HEADERS, params=(("DataStream", types.StreamBody(**_REQUIRED)),),
                  results=_RECEIPT_MEMBERS, max_body_bytes=STREAMED_MAX_BODY_BYTES),
        Operation("DownloadFileStreamed", download, bindings=bindings, credential_names=credentials,
                  params=(("fileReference", Unicode(**_REQUIRED)), ("reportee", Unicode(**_REQUIRED))),
                  returns=types.StreamBody(**_REQUIRED)),
    )


_BASIC, _WS, _EC = frozenset({"basic"}), frozenset({"ws"}), frozenset({"ec", "ec2"})

BROKER = ServiceContract(
    name="BrokerServiceExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces=NAMESPACES,
    operations=(_broker_operations(_BASIC | _WS, ("systemUserName", "systemPassword"), _REQUIRED)
                + _broker_operations(_EC, _EC_CREDENTIALS, {})),
)

BROKER_STREAMED = ServiceContract(
    name="BrokerServiceExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces=NAMESPACES,
    interface_suffix="Streamed",
    endpoint_names={"basic": "BrokerServiceExternalBasicStreamed", "ws": "BrokerServiceExternalStreamed",
                    "ec": "BrokerServiceExternalECStreamed", "ec2": "BrokerServiceExternalEC2Streamed"},
    service_names={"basic": "BrokerServiceExternalBasicStreamedSF", "ws": "BrokerServiceExternalStreamedSF",
                   "ec": "BrokerServiceExternalECStreamedSF", "ec2": "BrokerServiceExternalEC2StreamedSF"},
    mtom=True,
    operations=(_streamed_operations(_BASIC, "StreamedPayloadBasicBE", ("systemUserName", "systemPassword"),
                                     ("SystemUserName", "SystemPassword"))
                + _streamed_operations(_WS, "StreamedPayloadExternalBE", ("systemUserName", "systemPassword"), None)
                + _streamed_operations(_EC, "StreamedPayloadECBE", _EC_CREDENTIALS, ("UserName", "Password"))),
)
