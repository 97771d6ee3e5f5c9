"""RegisterSRRAgencyExternal, declared once for Basic, WS, EC and EC2 (docs/behaviour/srr.md).

Only Basic has a real WSDL (interface ``IRegisterSRRAgencyExternalBasic``, namespace ``…/Register/SRR/2015/06``,
service ``RegisterSRRAgencyExternalBasicSF``, operations ending in ``Basic``). WS, EC and EC2 are inferred from it
(D63): the same namespace, types and parameters; WS drops "Basic" from the names and carries the credentials in a
UsernameToken; EC and EC2 end their operations in ``EC`` and keep the body credentials beside the certificate.
Endpoints under ``/RegisterExternal/``: ``RegisterSRRAgencyExternalBasic.svc``, ``RegisterSRRAgencyExternal.svc``,
``RegisterSRRAgencyExternalEC.svc`` and ``RegisterSRRAgencyExternalEC2.svc``.
"""

from __future__ import annotations

from spyne import Integer32, Unicode

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from .rules import RightRequest, RightResult, RightRule

NAMESPACE = "http://www.altinn.no/services/Register/SRR/2015/06"
_REQUIRED = {"min_occurs": 1, "nillable": False}
_SERVICE = (("serviceCode", Unicode(**_REQUIRED)), ("serviceEditionCode", Integer32(**_REQUIRED)))


def _requests(data: dict | None, item_key: str) -> list[RightRequest]:
    return [RightRequest(reportee=item.get("Reportee"), right=codec.value(item, "Right"),
                         condition=item.get("Condition"), valid_to=codec.optional_time(item, "ValidTo"))
            for item in (data or {}).get(item_key) or () if item is not None]


def _right(request: RightRequest) -> dict:
    return {"Condition": request.condition, "Reportee": request.reportee, "Right": request.right or "None"}


def _answered(results: list[RightResult], *, with_valid_to: bool) -> list[dict]:
    items = []
    for result in results:
        item = _right(result.request) | {"OperationResult": result.result}
        if with_valid_to:
            item["ValidTo"] = result.request.valid_to
        items.append(item)
    return items


def _rule(rule: RightRule) -> dict:
    return {"Condition": rule.condition, "Reportee": rule.reportee, "Right": rule.right, "ValidTo": rule.valid_to}


def get_rights(call, args) -> dict:
    rules = call.emulator.srr.get_rights(call.caller, args.get("serviceCode"), codec.value(args, "serviceEditionCode"),
                                         args.get("reportee"))
    return {"GetRightResponse": [_rule(rule) for rule in rules]}


def add_rights(call, args) -> dict:
    results = call.emulator.srr.add_rights(call.caller, args.get("serviceCode"),
                                           codec.value(args, "serviceEditionCode"),
                                           _requests(args.get("insertRightList"), "AddRightRequest"))
    return {"AddRightResponse": _answered(results, with_valid_to=True)}


def delete_rights(call, args) -> dict:
    results = call.emulator.srr.delete_rights(call.caller, args.get("serviceCode"),
                                              codec.value(args, "serviceEditionCode"),
                                              _requests(args.get("deleteRightList"), "DeleteRightRequest"))
    return {"DeleteRightResponse": _answered(results, with_valid_to=False)}


SRR = ServiceContract(
    name="RegisterSRRAgencyExternal",
    area="RegisterExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    operations=(
        Operation("GetRights", get_rights, params=_SERVICE + (("reportee", Unicode),),
                  returns=types.GetRightResponseList),
        Operation("AddRights", add_rights,
                  params=_SERVICE + (("insertRightList", types.AddRightRequestList.customize(**_REQUIRED)),),
                  returns=types.AddRightResponseList),
        Operation("DeleteRights", delete_rights,
                  params=_SERVICE + (("deleteRightList", types.DeleteRightRequestList.customize(**_REQUIRED)),),
                  returns=types.DeleteRightResponseList),
    ),
)
