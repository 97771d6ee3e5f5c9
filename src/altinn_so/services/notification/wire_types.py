"""Notification contracts: standalone notifications (V1-V4) and the receiver end points
that correspondence and prefill notifications reuse."""

from spyne import Boolean, ComplexModel, DateTime, Integer32, Unicode

from altinn_so.soap.types import enumeration, repeated

NS_FORMSENGINE = "http://schemas.altinn.no/serviceengine/formsengine/2009/10"
NS_NOTIFICATION_2009_10 = "http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10"
NS_NOTIFICATION_2015_06 = "http://schemas.altinn.no/services/ServiceEngine/Notification/2015/06"
NS_NOTIFICATION_2022_11 = "http://schemas.altinn.no/services/ServiceEngine/Notification/2022/11"
NS_NOTIFICATION_ENUMS_2022_11 = "http://schemas.altinn.no/serviceengine/notification/2022/11"
NS_STANDALONE_BE_2009_10 = "http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2009/10"
NS_STANDALONE_BE_2015_06 = "http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2015/06"
NS_STANDALONE_BE_2022_11 = "http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2022/11"

_TRANSPORTS = ["SMS", "Email", "IM", "Both", "SMSPreferred", "EmailPreferred"]

# formsengine/2009/10
TransportType = enumeration("TransportType", NS_FORMSENGINE, _TRANSPORTS)

# notification/2022/11 (lower-case namespace, as on the wire)
TransportTypeV2 = enumeration("TransportTypeV2", NS_NOTIFICATION_ENUMS_2022_11,
                              _TRANSPORTS + ["PriorityEmailSMSReminder"])

_Int = Integer32(nillable=False)
_DateTime = DateTime(nillable=False)


# -- StandaloneNotificationBE/2015/06 -------------------------------------------------------------

class Roles(ComplexModel):
    __namespace__ = NS_STANDALONE_BE_2015_06
    _type_info = [("RoleName", repeated(Unicode))]


class Service(ComplexModel):
    __namespace__ = NS_STANDALONE_BE_2015_06
    _type_info = [
        ("ServiceCode", Unicode(min_occurs=1)),
        ("ServiceEdition", Integer32(min_occurs=1, nillable=False)),
    ]


# -- Notification/2009/10 -------------------------------------------------------------------------

class ReceiverEndPoint(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = [
        ("TransportType", TransportType()),
        ("ReceiverAddress", Unicode),
    ]


class ReceiverEndPointBEList(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = [("ReceiverEndPoint", repeated(ReceiverEndPoint))]


class TextToken(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = [
        ("TokenNum", _Int),
        ("TokenValue", Unicode),
    ]


class TextTokenSubstitutionBEList(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = [("TextToken", repeated(TextToken))]


def _standalone_notification_members(receiver_end_points) -> list:
    """StandaloneNotification (2009/10) and StandaloneNotificationV2 (2022/11) differ only in their end points."""
    return [
        ("FromAddress", Unicode),
        ("IsReservable", Boolean),
        ("LanguageID", _Int),
        ("NotificationType", Unicode),
        ("ReceiverEndPoints", receiver_end_points),
        ("ReporteeNumber", Unicode),
        ("Roles", Roles),
        ("Service", Service),
        ("ShipmentDateTime", _DateTime),
        ("TextTokens", TextTokenSubstitutionBEList),
        ("UseServiceOwnerShortNameAsSenderOfSms", Boolean),
    ]


class StandaloneNotification(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = _standalone_notification_members(ReceiverEndPointBEList)


# -- StandaloneNotificationBE/2009/10 -------------------------------------------------------------

class StandaloneNotificationBEList(ComplexModel):
    __namespace__ = NS_STANDALONE_BE_2009_10
    _type_info = [("StandaloneNotification", repeated(StandaloneNotification))]


# -- Notification/2015/06: what V3 and V4 return ----------------------------------------------------

class EndPointResult(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2015_06
    _type_info = [
        ("Name", Unicode),
        ("ReceiverAddress", Unicode),
        ("RetrieveFromProfile", Boolean),
        ("TransportType", TransportType(nillable=False)),
    ]


class EndPointResultList(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2015_06
    _type_info = [("EndPointResult", repeated(EndPointResult))]


class NotificationResult(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2015_06
    _type_info = [
        ("EndPoints", EndPointResultList),
        ("NotificationType", Unicode),
        ("ReporteeNumber", Unicode),
    ]


class SendNotificationResultList(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2015_06
    _type_info = [("NotificationResult", repeated(NotificationResult))]


# -- Notification/2022/11 and StandaloneNotificationBE/2022/11: V4 input ------------------------------

class ReceiverEndPointV2(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2022_11
    __type_name__ = "ReceiverEndPoint"
    _type_info = [
        ("TransportType", TransportTypeV2(min_occurs=1)),
        ("ReceiverAddress", Unicode),
    ]


class ReceiverEndPointBEListV2(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2022_11
    __type_name__ = "ReceiverEndPointBEList"
    _type_info = [("ReceiverEndPoint", repeated(ReceiverEndPointV2))]


class StandaloneNotificationV2(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2022_11
    _type_info = _standalone_notification_members(ReceiverEndPointBEListV2)


class StandaloneNotificationBEListV2(ComplexModel):
    __namespace__ = NS_STANDALONE_BE_2022_11
    _type_info = [("StandaloneNotificationV2", repeated(StandaloneNotificationV2))]
