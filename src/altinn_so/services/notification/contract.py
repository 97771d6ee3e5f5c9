"""NotificationAgencyExternal (standalone notifications), declared once for Basic, WS, EC and EC2.

Versions V1-V4 are offered on every binding (docs/behaviour/notifications.md; decision D2): V1
returns nothing, V2 a status text, V3 and V4 a ``SendNotificationResultList``;
V4 takes the 2022/11 list, which allows ``PriorityEmailSMSReminder``.
"""

from __future__ import annotations

from spyne import Unicode

from altinn_so.domain.notifications.model import NotificationOutcome, NotificationRequest, ServiceRef
from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract
from altinn_so.soap.notifications import endpoints_of, shipment_time_of, tokens_of

from . import wire_types as types
from .rules import summary_message

NAMESPACE = "http://www.altinn.no/services/ServiceEngine/Notification/2010/10"

_V1_LIST = types.StandaloneNotificationBEList.customize(min_occurs=1, nillable=False)
_V4_LIST = types.StandaloneNotificationBEListV2.customize(min_occurs=1, nillable=False)


_value = codec.value


def to_request(item: dict) -> NotificationRequest:
    """A decoded StandaloneNotification (V1-V3) or StandaloneNotificationV2 (V4) as a domain request."""
    service = item.get("Service")
    roles = (item.get("Roles") or {}).get("RoleName") or []
    return NotificationRequest(
        reportee_number=item.get("ReporteeNumber"),
        notification_type=item.get("NotificationType"),
        language=_value(item, "LanguageID"),
        endpoints=endpoints_of(item),
        text_tokens=tokens_of(item),
        from_address=item.get("FromAddress"),
        shipment_time=shipment_time_of(item),
        is_reservable=_value(item, "IsReservable"),
        service=ServiceRef(service.get("ServiceCode") or "", _value(service, "ServiceEdition") or 0)
        if service else None,
        roles=[r for r in roles if r],
        use_owner_short_name_for_sms=_value(item, "UseServiceOwnerShortNameAsSenderOfSms"),
    )


def result_list(outcomes: list[NotificationOutcome]) -> dict:
    return {"NotificationResult": [
        {
            "EndPoints": {"EndPointResult": [
                {"Name": r.name, "ReceiverAddress": r.address, "RetrieveFromProfile": r.from_profile,
                 "TransportType": r.channel.value}
                for r in outcome.recipients
            ]},
            "NotificationType": outcome.notification_type,
            "ReporteeNumber": outcome.reportee_number,
        }
        for outcome in outcomes
    ]}


def _sender(list_item: str, allow_priority: bool):
    def send(call, args) -> list[NotificationOutcome]:
        items = (args.get("standaloneNotifications") or {}).get(list_item) or []
        requests = [to_request(item) for item in items if item is not None]
        return call.emulator.standalone_notifications.send(call.caller, requests,
                                                            allow_priority_transport=allow_priority)
    return send


_send_v1_v3 = _sender("StandaloneNotification", allow_priority=False)
_send_v4 = _sender("StandaloneNotificationV2", allow_priority=True)


def send_v1(call, args) -> None:
    _send_v1_v3(call, args)


def send_v2(call, args) -> str:
    return summary_message(_send_v1_v3(call, args))


def send_v3(call, args) -> dict:
    return result_list(_send_v1_v3(call, args))


def send_v4(call, args) -> dict:
    return result_list(_send_v4(call, args))


NOTIFICATION_AGENCY_EXTERNAL = ServiceContract(
    name="NotificationAgencyExternal",
    area="ServiceEngineExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    service_names={"ec": "NotificationAgencyExternalEC"},
    operations=(
        Operation("SendStandaloneNotification", send_v1, params=(("standaloneNotifications", _V1_LIST),)),
        Operation("SendStandaloneNotification", send_v2, params=(("standaloneNotifications", _V1_LIST),),
                  returns=Unicode, version=2),
        Operation("SendStandaloneNotification", send_v3, params=(("standaloneNotifications", _V1_LIST),),
                  returns=types.SendNotificationResultList, version=3),
        Operation("SendStandaloneNotification", send_v4, params=(("standaloneNotifications", _V4_LIST),),
                  returns=types.SendNotificationResultList, version=4),
    ),
)
