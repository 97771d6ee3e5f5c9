"""BatchLoggingAgencyExternal, declared once for Basic, WS, EC and EC2 (docs/behaviour/batch-logging.md).

Only EC and EC2 have real WSDLs (interface ``IBatchLoggingAgencyExternalEC``/``…EC2``, namespace
``…/Intermediary/BatchLogging/2016/02``, the operations named alike on both, credentials ``agencyUserName`` and
``agencyPassword``, MTOM declared). Basic and WS are inferred from them: the same namespace, types, operation
names and parameters; Basic keeps the body credentials under the same names, WS takes a UsernameToken. Endpoints
under ``/IntermediaryExternal/``: ``BatchLoggingAgencyExternalBasic.svc``, ``BatchLoggingAgencyExternal.svc``,
``BatchLoggingAgencyExternalEC.svc`` and ``BatchLoggingAgencyExternalEC2.svc``.
"""

from __future__ import annotations

from spyne import Integer64

from altinn_so.domain.clock import as_aware
from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from .rules import LogPage, LogRequest

NAMESPACE = "http://www.altinn.no/services/Intermediary/BatchLogging/2016/02"
CREDENTIALS = ("agencyUserName", "agencyPassword")
_REQUIRED = {"min_occurs": 1, "nillable": False}
_SAME_NAME = ("basic", "ws", "ec", "ec2")
DATA_BATCH_TYPES = tuple(types.DataBatchType().Attributes.values)  # the real contract's enumeration


def _text(data: dict, key: str) -> str | None:
    found = codec.value(data, key)
    return found if isinstance(found, str) and found.strip() else None


def _time(data: dict, key: str):
    found = codec.optional_time(data, key)
    return as_aware(found) if found is not None else None


def request_of(data: dict | None) -> LogRequest:
    """A decoded BatchLoggingRequestExternal as the rules' request; blank strings and .NET's unset DateTime are
    fields not given."""
    data = data or {}
    time_range = codec.value(data, "TimeRange") or {}
    return LogRequest(system_user_code=_text(data, "SystemUserCode"), kind=_text(data, "DataBatchType"),
                      date_from=_time(time_range, "DateFrom"), date_to=_time(time_range, "DateTo"),
                      file_name=_text(data, "FileName"), batch_id=codec.value(data, "DataBatchId"),
                      sequence=codec.value(data, "Sequence"), from_issue_id=codec.value(data, "FromIssueId"))


def _batch(batch) -> dict:
    # A .NET int cannot be left out: a batch without a sequence or shipment number has 0 (D114)
    return {"DataBatchId": batch.id, "EndDate": batch.finished_at, "FileName": batch.file_name,
            "NumberOfIssues": batch.issues, "Sequence": batch.sequence or 0, "ShipmentId": batch.shipment_id or 0,
            "StartDate": batch.received_at}


def _item(item, *, with_data: bool) -> dict:
    return {"Data": item.data if with_data else None, "DataBatchId": item.batch_id, "DataItemId": item.id,
            "Line": item.line, "Position": item.position, "ServiceCode": item.service_code,
            "ServiceEditionCode": item.service_edition, "State": item.state}


def _issue(issue) -> dict:
    return {"DataBatchId": issue.batch_id, "DataItemId": issue.item_id, "ErrorDateTime": issue.at,
            "IssueType": {"Code": issue.code, "Description": issue.description, "Level": issue.level}}


def _overview(page: LogPage) -> dict:
    return {"DataBatches": {"DataBatch": [_batch(b) for b in page.batches]}, "NumberOfIssues": page.number_of_issues}


def get_status_overview(call, args) -> dict:
    return _overview(call.emulator.batch_logging.overview(call.caller, request_of(args.get("request"))))


def get_detailed_status(call, args) -> dict:
    page = call.emulator.batch_logging.detailed(call.caller, request_of(args.get("request")))
    return {**_overview(page), "DataItems": {"DataItem": [_item(i, with_data=False) for i in page.items]},
            "Issues": {"IssueExternal": [_issue(i) for i in page.issues]}}


def get_data_item(call, args) -> dict:
    return _item(call.emulator.batch_logging.data_item(call.caller, codec.value(args, "dataItemId") or 0),
                 with_data=True)


_REQUEST = (("request", types.BatchLoggingRequestExternal.customize(**_REQUIRED)),)

BATCH_LOGGING = ServiceContract(
    name="BatchLoggingAgencyExternal",
    area="IntermediaryExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    # the real EC and EC2 services are named without the "SF" other contracts have; Basic and WS keep it
    service_names={"ec": "BatchLoggingAgencyExternalEC", "ec2": "BatchLoggingAgencyExternalEC2"},
    # Both real WSDLs declare MTOM (wsoma:OptimizedMimeSerialization): an MTOM request is answered in MTOM
    mtom=True,
    operations=(
        Operation("GetStatusOverview", get_status_overview, params=_REQUEST,
                  credential_names=CREDENTIALS,
                  wire_names={key: "GetStatusOverview" for key in _SAME_NAME},
                  returns=types.BatchLoggingStatusOverview),
        Operation("GetDetailedStatus", get_detailed_status, params=_REQUEST,
                  credential_names=CREDENTIALS,
                  wire_names={key: "GetDetailedStatus" for key in _SAME_NAME},
                  returns=types.BatchLoggingDetailedStatus),
        Operation("GetDataItem", get_data_item, params=(("dataItemId", Integer64(**_REQUIRED)),),
                  credential_names=CREDENTIALS,
                  wire_names={key: "GetDataItem" for key in _SAME_NAME},
                  returns=types.DataItem),
    ),
)
