"""Subscription, declared once for Basic, WS, EC and EC2 (docs/behaviour/subscription.md).

Names follow the real contracts: on Basic the interface is ``ISubscriptionExternalBasic`` (namespace
``…/ServiceEngine/Subscription/2009/10``, service ``SubscriptionExternalBasicSF``) and the operation is
``SubmitSubscriptionBasic``; on EC and EC2 ``ISubscriptionAgencyExternalEC``/``…EC2`` (namespace
``…/Subscription/2010/10``) with ``SubmitSubscriptionEC``. WS has no real WSDL: ours is inferred from Basic
(interface ``ISubscriptionExternal``, operation ``SubmitSubscription``). Endpoints: ``SubscriptionBasic.svc``,
``Subscription.svc``, ``SubscriptionAgencyExternalEC.svc`` and ``SubscriptionAgencyExternalEC2.svc``.

The Basic and the EC contracts declare the same types in one namespace with other members (``wire_types`` and
``wire_types_ec``): each binding serves its family's, and the handler reads both spellings of the lists.
"""

from __future__ import annotations

from spyne import Unicode

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.receipts import receipt_external

from . import wire_types, wire_types_ec
from .rules import SubscriptionRequest

NAMESPACES = {
    "basic": "http://www.altinn.no/services/ServiceEngine/Subscription/2009/10",
    "ec": "http://www.altinn.no/services/ServiceEngine/Subscription/2010/10",
}
_value = codec.value
_time = codec.optional_time  # .NET's DateTime.MinValue is "not set"
_REQUIRED = {"min_occurs": 1, "nillable": False}
# The identity fields' list member: SubscriptionIdentityFieldExternal on Basic, SubscriptionIdentityField on EC.
_IDENTITY_MEMBERS = ("SubscriptionIdentityFieldExternal", "SubscriptionIdentityField")


def _items(data: dict | None, list_key: str, *item_keys: str) -> list[dict]:
    listed = (data or {}).get(list_key) or {}
    return [item for key in item_keys for item in listed.get(key) or () if item is not None]


def subscription_request(data: dict | None) -> SubscriptionRequest:
    """A decoded Subscription as a domain request (EC2's ServiceEditionId, Altinn's own, is ignored)."""
    data = data or {}
    return SubscriptionRequest(
        reportee=data.get("ReporteeId"), service_code=data.get("ExternalServiceCode"),
        service_edition=_value(data, "ExternalServiceEditionCode"),
        period_type=_value(data, "SubscriptionPeriodType"), start_at=_time(data, "StartDate"),
        schedule_at=_time(data, "NextScheduleDate"), due_at=_time(data, "NextDueDate"),
        visible_at=_time(data, "VisibleDate"), expires_at=_time(data, "ExpirationDate"),
        identity_values=tuple(f.get("FieldValue") or "" for f in _items(data, "IdentityFields", *_IDENTITY_MEMBERS)),
        case_id=_value(data, "CaseId"), client_subscription_id=_value(data, "SubscriptionID"),
        user_type=_value(data, "UserType"))


def submit_subscription(call, args) -> dict:
    details = args.get("subscriptionDetails") or {}
    entries = [subscription_request(s) for s in _items(details, "Subscriptionlist", "Subscription")]
    receipt = call.emulator.subscription.submit(call.caller, args.get("externalBatchId"),
                                                details.get("SystemUserCode"), entries)
    return receipt_external(receipt)


def _operation(bindings: frozenset[str], types, required: dict) -> Operation:
    """Basic (and WS, inferred from it) declare every parameter minOccurs=0 and nillable, credentials too; EC and
    EC2 require them (required fields are checked in the rules)."""
    return Operation("SubmitSubscription", submit_subscription, bindings=bindings,
                     optional_credentials=not required,
                     params=(("externalBatchId", Unicode(**required)),
                             ("subscriptionDetails", types.SubscriptionDetails.customize(**required))),
                     returns=types.ReceiptExternal)


SUBSCRIPTION = ServiceContract(
    name="SubscriptionExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces=NAMESPACES,
    interfaces={"ec": "ISubscriptionAgencyExternal"},
    service_names={"ec": "SubscriptionAgencyExternalEC", "ec2": "SubscriptionAgencyExternalEC2"},
    endpoint_names={"basic": "SubscriptionBasic", "ws": "Subscription", "ec": "SubscriptionAgencyExternalEC",
                    "ec2": "SubscriptionAgencyExternalEC2"},
    operations=(_operation(frozenset({"basic", "ws"}), wire_types, {}),
                _operation(frozenset({"ec", "ec2"}), wire_types_ec, _REQUIRED)),
)
