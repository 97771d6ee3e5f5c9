"""CaseAgencySystem, declared once for Basic, WS, EC and EC2 (docs/behaviour/cases.md).

Only EC and EC2 have real WSDLs (interface ``ICaseAgencySystemEC``/``…EC2``, namespace
``http://www.altinn.no/services/ServiceEngine/Case/2010/10``, operations named ``…AgencySystemEC``). Basic and WS are
inferred from EC2: the same namespace, types and parameters, the interface ``ICaseAgencySystemExternal`` (Basic: with
"Basic"), the operations named ``…AgencySystemExternalBasic`` and ``…AgencySystemExternal``. Endpoints under
``/ServiceEngineExternal/``: ``CaseAgencySystemExternalBasic.svc``, ``CaseAgencySystemExternal.svc``,
``CaseAgencySystemEC.svc`` and ``CaseAgencySystemEC2.svc``.
"""

from __future__ import annotations

from spyne import DateTime, Integer32, Unicode

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from .rules import Case, CaseQuery, EventResult, machine_of

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/Case/2010/10"
_REQUIRED = {"min_occurs": 1, "nillable": False}


def _wire_names(name: str) -> dict:
    return {"basic": name + "ExternalBasic", "ws": name + "External"}


def _whole(data: dict | None, key: str) -> int | None:
    """An optional int: absent and 0 (what a .NET proxy sends for an int it never set) are "not given"."""
    found = codec.value(data, key)
    return found or None


def _case(call, case: Case, language: int | None) -> dict:
    service = call.emulator.catalog.get_service(case.service_code, case.service_edition)
    machine = machine_of(service) if service else None
    state = machine.state(case.state) if machine else None
    return {"CaseID": case.id, "CaseName": service.name_in(language) if service else "",
            "CurrentStateFriendlyName": machine.friendly_name(state, language) if state else case.state,
            "CurrentStateID": state.id if state else 0, "CurrentStateName": case.state, "DueDate": case.due_at,
            "IsArchived": not case.running, "NoticeTemplateID": case.notice_template,
            "VisibleDateTime": case.visible_at}


def instantiate(call, args) -> int:
    case = call.emulator.case.instantiate(
        call.caller, codec.value(args, "externalServiceCode"), codec.value(args, "externalServiceEditionCode"),
        codec.value(args, "reporteeNumber"), codec.optional_time(args, "visibleDateTime"),
        codec.optional_time(args, "dueDate"))
    return case.id


def case_list(call, args) -> dict:
    language = _whole(args, "languageID")
    cases = call.emulator.case.case_list(call.caller, CaseQuery(
        case_id=_whole(args, "caseID"), service_code=codec.value(args, "externalServiceCode"),
        service_edition=_whole(args, "externalServiceEditionCode"), reportee=codec.value(args, "reporteeNumber")))
    return {"ExternalCaseBE": [_case(call, case, language) for case in cases]}


def _result(call, result: EventResult) -> dict:
    case = result.case
    service = call.emulator.catalog.get_service(case.service_code, case.service_edition)
    machine = machine_of(service) if service else None
    state = machine.state(case.state) if machine else None
    return {"CaseID": case.id, "ConditionEvaluationResult": result.condition_result,
            "ConditionName": result.condition, "CurrentStateFriendlyName":
            machine.friendly_name(state, None) if state else case.state, "CurrentStateID": state.id if state else 0,
            "CurrentStateName": case.state, "ErrorCode": 0, "ExceptionDetail": None, "HasException": False,
            "IsStateChanged": result.changed}


def notify_event(call, args) -> dict:
    # ReporteeElementID is for Altinn's log only: the emulator keeps the event in the case's history without it
    info = args.get("notificationInfo") or {}
    results = call.emulator.case.notify(
        call.caller, codec.value(info, "Event"), case_id=_whole(info, "CaseID"),
        service_code=codec.value(info, "ExternalServiceCode"),
        service_edition=_whole(info, "ExternalServiceEditionCode"))
    return {"StateMachineNotificationResultBE": [_result(call, result) for result in results]}


def set_notice(call, args) -> None:
    notice = args.get("noticeInfo") or {}
    tokens = [(codec.value(t, "TokenKey"), codec.value(t, "TokenValue"))
              for t in ((notice.get("NoticeTokens") or {}).get("NoticeTokenBE") or ()) if t is not None]
    call.emulator.case.set_notice(call.caller, codec.value(args, "reporteeElementID"),
                                  codec.value(notice, "NoticeTemplateID"), tokens)


CASE_AGENCY_SYSTEM = ServiceContract(
    name="CaseAgencySystem",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    interfaces={"basic": "ICaseAgencySystemExternal"},
    service_names={"basic": "CaseAgencySystemExternalBasicSF", "ws": "CaseAgencySystemExternalSF"},
    endpoint_names={"basic": "CaseAgencySystemExternalBasic", "ws": "CaseAgencySystemExternal"},
    operations=(
        Operation("GetCaseListAgencySystem", case_list, wire_names=_wire_names("GetCaseListAgencySystem"),
                  params=(("caseID", Integer32(nillable=False)), ("externalServiceCode", Unicode),
                          ("externalServiceEditionCode", Integer32(nillable=False)),
                          ("languageID", Integer32(nillable=False)), ("reporteeNumber", Unicode)),
                  returns=types.ExternalCaseBEList),
        Operation("InstantiateCollaborationAgencySystem", instantiate,
                  wire_names=_wire_names("InstantiateCollaborationAgencySystem"),
                  params=(("externalServiceCode", Unicode(**_REQUIRED)),
                          ("externalServiceEditionCode", Integer32(**_REQUIRED)),
                          ("reporteeNumber", Unicode(**_REQUIRED)), ("visibleDateTime", DateTime(nillable=False)),
                          ("dueDate", DateTime(nillable=False))),
                  returns=Integer32(nillable=False)),
        Operation("NotifyEventAgencySystem", notify_event, wire_names=_wire_names("NotifyEventAgencySystem"),
                  params=(("notificationInfo", types.StateMachineEventNotificationBE.customize(**_REQUIRED)),),
                  returns=types.StateMachineNotificationResultBEList),
        Operation("SetNoticeAgencySystem", set_notice, wire_names=_wire_names("SetNoticeAgencySystem"),
                  params=(("reporteeElementID", Unicode(**_REQUIRED)),
                          ("noticeInfo", types.NoticeBE.customize(**_REQUIRED)))),
    ),
)
