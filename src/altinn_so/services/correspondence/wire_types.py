"""Correspondence contracts: InsertCorrespondence (V1, V2 and our inferred V3), its attachments,
notifications and reply options, CreateSimpleCorrespondenceService's result, and the
status searches (GetCorrespondenceStatusDetails V1-V3, GetCorrespondenceStatusHistory).

The receipt InsertCorrespondence returns is ``types.receipt.ReceiptExternal``.
"""

from spyne import Boolean, ByteArray, ComplexModel, DateTime, Integer32, Unicode, UnsignedInteger32

from altinn_so.soap.namespaces import MS_ARRAYS
from altinn_so.soap.types import enumeration, repeated
from altinn_so.services.notification.wire_types import (NS_NOTIFICATION_2009_10, NS_NOTIFICATION_2022_11,
                                                        ReceiverEndPointBEList, ReceiverEndPointBEListV2,
                                                        TextTokenSubstitutionBEList, TransportType)

_SE = "http://schemas.altinn.no/services/ServiceEngine"
NS_CORRESPONDENCE_2009_10 = f"{_SE}/Correspondence/2009/10"
NS_CORRESPONDENCE_2010_10 = f"{_SE}/Correspondence/2010/10"
NS_CORRESPONDENCE_2013_06 = f"{_SE}/Correspondence/2013/06"
NS_CORRESPONDENCE_2013_11 = f"{_SE}/Correspondence/2013/11"
NS_CORRESPONDENCE_2014_10 = f"{_SE}/Correspondence/2014/10"
NS_CORRESPONDENCE_2016_02 = f"{_SE}/Correspondence/2016/02"
NS_CORRESPONDENCE_2022_11 = f"{_SE}/Correspondence/2022/11"  # inferred, see InsertCorrespondenceV3
NS_SUBSCRIPTION_2009_10 = f"{_SE}/Subscription/2009/10"
NS_SERVICE_ENTITY_2013_11 = "http://schemas.altinn.no/services/serviceEntity/2013/11"
NS_SERVICE_ENTITY_2014_10 = "http://schemas.altinn.no/services/serviceEntity/2014/10"
# The attachment lists live under www.altinn.no, not schemas.altinn.no.
NS_REPORTEE_ELEMENT_LIST_2009_10 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2009/10"
NS_REPORTEE_ELEMENT_LIST_2010_10 = "http://www.altinn.no/services/ServiceEngine/ReporteeElementList/2010/10"

# Subscription/2009/10
AttachmentFunctionType = enumeration("AttachmentFunctionType", NS_SUBSCRIPTION_2009_10, ["Unspecified", "Invoice"])

# Correspondence/2010/10
UserTypeRestriction = enumeration("UserTypeRestriction", NS_CORRESPONDENCE_2010_10,
                                  ["Default", "PortalOnly", "EndUserSystemOnly", "ShowToAll"])

# serviceEntity/2013/11 and serviceEntity/2014/10
CorrespondenceStatusType = enumeration("CorrespondenceStatusType", NS_SERVICE_ENTITY_2013_11,
                                       ["Created", "Read", "Confirmed"])
CorrespondenceStatusTypeV2 = enumeration("CorrespondenceStatusTypeV2", NS_SERVICE_ENTITY_2014_10,
                                         ["NotSet", "Created", "Read", "Confirmed", "Reserved"])

# Correspondence/2016/02
SdpStatusType = enumeration("SdpStatusType", NS_CORRESPONDENCE_2016_02, [
    "Unknown", "Sent_Meldingsformidler", "Delivered_EndUser", "Delivery_EndUser_Failed", "Reserved", "NoMailBox"])
SdpSetting = enumeration("SdpSetting", NS_CORRESPONDENCE_2016_02, ["ForwardOnly", "CopyAltinn"])

_Int = Integer32(nillable=False)
_DateTime = DateTime(nillable=False)
_Boolean = Boolean(nillable=False)


# -- http://schemas.microsoft.com/2003/10/Serialization/Arrays ----------------------------------------

class ArrayOfstring(ComplexModel):
    """WCF's ``string[]`` (GetCorrespondenceStatusHistory's senders' references)."""
    __namespace__ = MS_ARRAYS
    _type_info = [("string", repeated(Unicode))]


# -- ReporteeElementList/2009/10 (www.altinn.no) ---------------------------------------------------------

class BinaryAttachment(ComplexModel):
    __namespace__ = NS_REPORTEE_ELEMENT_LIST_2009_10
    _type_info = [
        ("FunctionType", AttachmentFunctionType(nillable=False)),
        ("FileName", Unicode),
        ("Name", Unicode),
        ("Encrypted", _Boolean),
        ("Data", ByteArray),
        ("SendersReference", Unicode),
    ]


class BinaryAttachmentBEList(ComplexModel):
    __namespace__ = NS_REPORTEE_ELEMENT_LIST_2009_10
    _type_info = [("BinaryAttachment", repeated(BinaryAttachment))]


class XmlAttachment(ComplexModel):
    __namespace__ = NS_REPORTEE_ELEMENT_LIST_2009_10
    _type_info = [
        ("SendersReference", Unicode),
        ("FormDataXml", Unicode),
    ]


# -- ReporteeElementList/2010/10 (www.altinn.no) ---------------------------------------------------------

class BinaryAttachmentV2(ComplexModel):
    __namespace__ = NS_REPORTEE_ELEMENT_LIST_2010_10
    _type_info = [
        ("DestinationType", UserTypeRestriction(nillable=False)),
        ("FunctionType", AttachmentFunctionType(nillable=False)),
        ("FileName", Unicode),
        ("Name", Unicode),
        ("Encrypted", _Boolean),
        ("Data", ByteArray),
        ("SendersReference", Unicode),
    ]


class BinaryAttachmentExternalBEV2List(ComplexModel):
    __namespace__ = NS_REPORTEE_ELEMENT_LIST_2010_10
    _type_info = [("BinaryAttachmentV2", repeated(BinaryAttachmentV2))]


# -- Notification/2009/10: a correspondence's notifications ------------------------------------------------

def _correspondence_notification_members(receiver_end_points) -> list:
    """Notification (2009/10) and the inferred NotificationV2 (2022/11) differ only in their end points."""
    return [
        ("FromAddress", Unicode),
        ("ShipmentDateTime", _DateTime),
        ("LanguageCode", Unicode),
        ("NotificationType", Unicode),
        ("TextTokens", TextTokenSubstitutionBEList),
        ("ReceiverEndPoints", receiver_end_points),
    ]


class Notification(ComplexModel):
    """A correspondence's notification (not the status search's ``StatusNotification``)."""
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = _correspondence_notification_members(ReceiverEndPointBEList)


class NotificationBEList(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2009_10
    _type_info = [("Notification", repeated(Notification))]


# -- Correspondence/2009/10: InsertCorrespondence (V1) and the reply options V2 reuses -------------------

class Attachments(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("BinaryAttachments", BinaryAttachmentBEList),
        ("XmlAttachment", XmlAttachment),
    ]


class ExternalContent(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("LanguageCode", Unicode),
        ("MessageTitle", Unicode),
        ("MessageSummary", Unicode),
        ("MessageBody", Unicode),
        ("Attachments", Attachments),
        ("CustomMessageData", Unicode),
    ]


class InsertCorrespondenceLinkServiceCode(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("ServiceCode", Unicode),
        ("ServiceEdition", Unicode),
    ]


class InsertCorrespondenceLinkArchiveRef(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [("ArchiveRef", Unicode)]


class InsertCorrespondenceLinkServiceURL(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("LinkText", Unicode),
        ("LinkURL", Unicode),
    ]


class ReplyOption(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("Service", InsertCorrespondenceLinkServiceCode),
        ("ArchiveReference", InsertCorrespondenceLinkArchiveRef),
        ("URL", InsertCorrespondenceLinkServiceURL),
    ]


class CorrespondenceInsertLinkBEList(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [("ReplyOption", repeated(ReplyOption))]


class InsertCorrespondence(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2009_10
    _type_info = [
        ("ServiceCode", Unicode),
        ("ServiceEdition", Unicode),  # a string on the wire, unlike the status searches' int
        ("Reportee", Unicode),
        ("Content", ExternalContent),
        ("VisibleDateTime", _DateTime),
        ("AllowSystemDeleteDateTime", DateTime),
        ("DueDateTime", _DateTime),
        ("ArchiveReference", Unicode),
        ("ReplyOptions", CorrespondenceInsertLinkBEList),
        ("Notifications", NotificationBEList),
    ]


# -- Correspondence/2016/02: SDP (digital post to citizens) options and status --------------------------

class DaysDelayedList(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    # A list of uint: the repeated member is a value type, so not nillable (unlike ``repeated``).
    _type_info = [("DaysDelayed", UnsignedInteger32.customize(min_occurs=0, max_occurs="unbounded",
                                                               nillable=False))]


class SdpNotification(ComplexModel):
    """The base of SdpEmailNotification and SdpSmsNotification (xs:extension in the schema)."""
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("NotificationText", Unicode(min_occurs=1)),
        ("Repetitions", DaysDelayedList.customize(min_occurs=1)),
    ]


class SdpEmailNotification(SdpNotification):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [("EmailAddress", Unicode)]


class SdpSmsNotification(SdpNotification):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [("MobileNumber", Unicode)]


class SdpNotifications(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("EmailNotification", SdpEmailNotification),
        ("SmsNotification", SdpSmsNotification),
    ]


class SdpOptions(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("BackupAltinn", Boolean),
        ("NotSensitiveTitle", Unicode),
        ("PrimaryDocumentFileName", Unicode(min_occurs=1)),
        ("SdpNotifications", SdpNotifications),
        ("SdpSetting", SdpSetting(min_occurs=1, nillable=False)),
        ("Title", Unicode),
        ("VisibleDateTime", DateTime),
    ]


# -- Correspondence/2010/10: InsertCorrespondenceV2 ---------------------------------------------------

class XmlAttachmentV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2010_10
    _type_info = [
        ("SendersReference", Unicode),
        ("FormDataXml", Unicode),
        ("DataFormatId", Unicode),
        ("DataFormatVersion", _Int),
        ("LogicalFormInFormSetID", _Int),
    ]


class XmlAttachmentListV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2010_10
    _type_info = [("XmlAttachmentV2", repeated(XmlAttachmentV2))]


class AttachmentsV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2010_10
    _type_info = [
        ("BinaryAttachments", BinaryAttachmentExternalBEV2List),
        ("XmlAttachmentList", XmlAttachmentListV2),
    ]


class ExternalContentV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2010_10
    _type_info = [
        ("LanguageCode", Unicode),
        ("MessageTitle", Unicode),
        ("MessageSummary", Unicode),
        ("MessageBody", Unicode),
        ("Attachments", AttachmentsV2),
        ("CustomMessageData", Unicode),
    ]


def _insert_correspondence_v2_members(notifications) -> list:
    """InsertCorrespondenceV2 (2010/10) and the inferred InsertCorrespondenceV3 (2022/11) differ only in
    their notifications."""
    return [
        ("ServiceCode", Unicode),
        ("ServiceEdition", Unicode),
        ("Reportee", Unicode),
        ("Content", ExternalContentV2),
        ("VisibleDateTime", _DateTime),
        ("AllowSystemDeleteDateTime", DateTime),
        ("DueDateTime", _DateTime),
        ("ArchiveReference", Unicode),
        ("ReplyOptions", CorrespondenceInsertLinkBEList),
        ("Notifications", notifications),
        ("AllowForwarding", Boolean),
        ("CaseID", Integer32),
        ("MessageSender", Unicode),
        ("IsReservable", Boolean),
        ("SdpOptions", SdpOptions),
        ("OnBehalfOfOrgNr", Unicode),
    ]


class InsertCorrespondenceV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2010_10
    _type_info = _insert_correspondence_v2_members(NotificationBEList)


# -- Notification/2022/11 and Correspondence/2022/11: InsertCorrespondenceV3 (INFERRED) ------------------
#
# OUR INFERENCE, not a published contract: no WSDL with InsertCorrespondenceV3 is available to us.
# Altinn's 22.11 release added InsertCorrespondenceV3 so that correspondence notifications can use
# TransportType PriorityEmailSMSReminder, as SendStandaloneNotificationV4 does with the 2022/11
# notification contracts. We model it on that precedent: InsertCorrespondenceV2's members in a new
# Correspondence/2022/11 contract, whose Notifications is a 2022/11 list of notifications whose end points
# are the 2022/11 ReceiverEndPointBEList (TransportTypeV2). Replace this with the real contract if one
# turns up.

class NotificationV2(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2022_11
    _type_info = _correspondence_notification_members(ReceiverEndPointBEListV2)


class NotificationBEListV2(ComplexModel):
    __namespace__ = NS_NOTIFICATION_2022_11
    _type_info = [("Notification", repeated(NotificationV2))]


class InsertCorrespondenceV3(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2022_11
    _type_info = _insert_correspondence_v2_members(NotificationBEListV2)


# -- Correspondence/2013/06: CreateSimpleCorrespondenceService's result -----------------------------

class CorrespondenceServiceInfo(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_06
    _type_info = [
        ("ExternalServiceCode", Unicode),
        ("ExternalServiceEditionCode", _Int),
    ]


# -- Correspondence/2013/11: GetCorrespondenceStatusDetails (V1) ------------------------------------

class CorrespondenceStatusFilter(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [
        ("CreatedAfterDate", DateTime),
        ("CreatedBeforeDate", DateTime),
        ("CurrentStatus", CorrespondenceStatusType(nillable=False)),
        ("NotificationSent", Boolean),
        ("Reportee", Unicode),
        ("SendersReference", Unicode),
        ("ServiceCode", Unicode(min_occurs=1)),
        ("ServiceEditionCode", Integer32(min_occurs=1, nillable=False)),
    ]


class StatusNotification(ComplexModel):
    """A notification sent for a correspondence, as the status searches report it."""
    __namespace__ = NS_CORRESPONDENCE_2013_11
    __type_name__ = "Notification"
    _type_info = [
        ("Recipient", Unicode),
        ("SentDate", DateTime),
        ("TransportType", TransportType(nillable=False)),
    ]


class ArrayOfNotification(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [("Notification", repeated(StatusNotification))]


class StatusChange(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [
        ("StatusDate", _DateTime),
        ("StatusType", CorrespondenceStatusType(nillable=False)),
    ]


class ArrayOfStatusChange(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [("StatusChange", repeated(StatusChange))]


class Status(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [
        ("CorrespondenceID", _Int),
        ("CreatedDate", _DateTime),
        ("Notifications", ArrayOfNotification),
        ("Reportee", Unicode),
        ("SendersReference", Unicode),
        ("StatusChanges", ArrayOfStatusChange),
    ]


class ArrayOfStatus(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [("Status", repeated(Status))]


class CorrespondenceStatusResult(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2013_11
    _type_info = [
        ("LimitReached", _Boolean),
        ("ServiceCode", Unicode),
        ("ServiceEditionCode", _Int),
        ("StatusList", ArrayOfStatus),
    ]


# -- Correspondence/2014/10: GetCorrespondenceStatusDetailsV2 ---------------------------------------

class CorrespondenceStatusFilterV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [
        ("CreatedAfterDate", DateTime),
        ("CreatedBeforeDate", DateTime),
        ("CurrentStatus", CorrespondenceStatusTypeV2(nillable=False)),
        ("NotificationSent", Boolean),
        ("Reportee", Unicode),
        ("SendersReference", Unicode),
        ("ServiceCode", Unicode(min_occurs=1)),
        ("ServiceEditionCode", Integer32(min_occurs=1, nillable=False)),
    ]


class StatusChangeV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [
        ("StatusDate", _DateTime),
        ("StatusType", CorrespondenceStatusTypeV2(nillable=False)),
    ]


class ArrayOfStatusChangeV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [("StatusChangeV2", repeated(StatusChangeV2))]


class StatusV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [
        ("CorrespondenceID", _Int),
        ("CreatedDate", _DateTime),
        ("Notifications", ArrayOfNotification),  # the 2013/11 list
        ("Reportee", Unicode),
        ("SendersReference", Unicode),
        ("StatusChanges", ArrayOfStatusChangeV2),
    ]


class ArrayOfStatusV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [("StatusV2", repeated(StatusV2))]


class CorrespondenceStatusResultV2(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2014_10
    _type_info = [
        ("LimitReached", _Boolean),
        ("ServiceCode", Unicode),
        ("ServiceEditionCode", _Int),
        ("StatusList", ArrayOfStatusV2),
    ]


# -- Correspondence/2016/02: GetCorrespondenceStatusDetailsV3 and GetCorrespondenceStatusHistory ---------

class SdpStatusSearchOptions(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [("IncludeCorrespondence", Boolean(min_occurs=1, nillable=False))]


class CorrespondenceStatusFilterV3(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("CreatedAfterDate", DateTime),
        ("CreatedBeforeDate", DateTime),
        ("CurrentStatus", CorrespondenceStatusTypeV2(nillable=False)),
        ("NotificationSent", Boolean),
        ("Reportee", Unicode),
        ("SdpSearchOptions", SdpStatusSearchOptions),
        ("SendersReference", Unicode),
        ("ServiceCode", Unicode(min_occurs=1)),
        ("ServiceEditionCode", Integer32(min_occurs=1, nillable=False)),
    ]


class CorrespondenceStatusInformation(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("CorrespondenceStatusDetailsList", ArrayOfStatusV2),  # the 2014/10 list
        ("LimitReached", _Boolean),
    ]


class SdpStatusChange(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("Status", SdpStatusType(nillable=False)),
        ("StatusDateTime", _DateTime),
    ]


class ArrayOfSdpStatusChange(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [("SdpStatusChange", repeated(SdpStatusChange))]


class SdpStatusDetails(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("CorrespondenceId", Integer32),  # nillable, unlike SdpId
        ("CreatedDateTime", _DateTime),
        ("LastChangedDateTime", _DateTime),
        ("Reference", Unicode),
        ("Reportee", Unicode),
        ("SdpId", _Int),
        ("StatusHistory", ArrayOfSdpStatusChange),
    ]


class ArrayOfSdpStatusDetails(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [("SdpStatusDetails", repeated(SdpStatusDetails))]


class SdpStatusInformation(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("LimitReached", _Boolean),
        ("SdpStatusDetailsList", ArrayOfSdpStatusDetails),
    ]


class CorrespondenceStatusResultV3(ComplexModel):
    __namespace__ = NS_CORRESPONDENCE_2016_02
    _type_info = [
        ("CorrespondenceStatusInformation", CorrespondenceStatusInformation),
        ("SdpStatusInformation", SdpStatusInformation),
        ("ServiceCode", Unicode),
        ("ServiceEditionCode", _Int),
    ]
