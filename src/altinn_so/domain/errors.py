"""Domain errors carry Altinn's ``ErrorID``; the wire layer renders them as AltinnFault.

Codes and names are Altinn's (docs/behaviour/faults-and-auth.md lists them). Only codes the emulator
actually raises are listed; their conditions are documented where they are raised.
"""

from __future__ import annotations

from enum import IntEnum


class ErrorCode(IntEnum):
    GENERAL_ERROR = 0
    NULL_OBJECT_REFERENCE = 1  # also "missing notification data" (docs/behaviour/notifications.md)
    NOT_AUTHORIZED = 5  # certificate / wrong service owner (docs/behaviour/faults-and-auth.md)
    EXTERNAL_SYSTEM_AUTHENTICATION = 989

    NOT_A_VALID_SERVICE = 30003
    ARGUMENT_NULL_EXCEPTION = 30004
    FILE_NOT_EXIST = 30007  # no such archived form task in the download queue (docs/behaviour/download-queue.md)
    NO_RECEIPT = 30008
    RECEIVER_ADDRESS_NOT_ALLOWED = 30009
    INVALID_EMAIL_ADDRESS = 30010
    RECEIPT_TYPE_NOT_SET = 30101
    RECEIPT_DATE_ORDER = 30102
    NO_MOBILE_NUMBER = 30301
    INVALID_COUNTRY_CODE = 30302
    INVALID_NORWEGIAN_MOBILE = 30303
    ORGANISATION_HAS_NO_ADDRESS = 30304
    REPORTEE_HAS_NO_ADDRESS = 30306
    SMS_PREFERRED_NO_ENDPOINT = 30307
    EMAIL_PREFERRED_NO_ENDPOINT = 30308
    BOTH_REQUIRES_EMAIL_AND_SMS = 30309
    PRIORITY_EMAIL_SMS_NO_ENDPOINT = 30312

    INVALID_LANGUAGE_CODE = 40001
    MESSAGE_BODY_CANNOT_BE_NULL = 40002
    MESSAGE_TITLE_CANNOT_BE_NULL = 40003
    MESSAGE_SUMMARY_CANNOT_BE_NULL = 40004
    EXTERNAL_REFERENCE_CANNOT_BE_NULL = 40005
    EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL = 40006
    REPORTEE_CANNOT_BE_NULL = 40007
    SYSTEM_USER_CODE_CANNOT_BE_NULL = 40008
    PERSON_HAS_STRICTLY_CONFIDENTIAL_ADDRESS = 40011
    FORM_DATA_IS_NOT_VALID = 40012
    SERVICE_IS_NOT_VALID = 40013
    INVALID_NUMBER_OF_RECEIPENTS = 40014
    INVALID_FORMAT_SMS_AND_EMAIL = 40015
    INVALID_SSN = 40016
    INVALID_SERVICE_TYPE = 40019
    INVALID_FROM_ADDRESS = 40020
    # The broker's (docs/behaviour/broker.md); its 40216, security level too low, is never raised (D71)
    BROKER_SENDER_LACKS_RIGHTS = 40201
    BROKER_RECIPIENT_LACKS_RIGHTS = 40202
    BROKER_FILE_TOO_LARGE = 40204
    BROKER_NO_DATA = 40205
    BROKER_NOT_A_ZIP = 40206
    BROKER_NOTHING_TO_DOWNLOAD = 40207
    BROKER_ALREADY_UPLOADED = 40208
    BROKER_VIRUS_FOUND = 40209
    BROKER_NOT_A_BROKER_SERVICE = 40210
    BROKER_NOT_AUTHORIZED = 40211
    BROKER_UNKNOWN_REFERENCE = 40212
    BROKER_REPORTEE_MISMATCH = 40213
    BROKER_INVALID_REPORTEE = 40214
    BROKER_RECIPIENT_LACKS_READ = 40215

    # Collaboration cases (docs/behaviour/cases.md)
    INVALID_CASE_ID = 60001
    INVALID_CASE_IDENTIFIER = 60002  # no service and edition (or not a collaboration service)
    INVALID_REPORTEE_ELEMENT = 60005
    INVALID_NOTICE_TEMPLATE_ID = 60011
    INVALID_REPORTEE_NUMBER = 60012
    ARCHIVED_CASE_ID = 60014
    DELETED_CASE_ID = 60015
    INVALID_ELEMENT = 60016
    UNASSOCIATED_ELEMENT = 60017
    DELETED_ELEMENT = 60018
    ARCHIVED_ELEMENT = 60019
    INVALID_NOTICE_TOKEN_ID = 60020
    INVALID_NOTICE_TOKEN_VALUE = 60021
    INVALID_EVENT_IDENTIFIER = 60022
    INVALID_EVENT_NAME = 60023
    UNAUTHORIZED_SERVICE_OWNER = 60024
    MISSING_NOTICE_TOKENS = 60025
    UNAVAILABLE_STATE_MACHINE_EVENTS = 60032

    SRR_INVALID_REPORTEE = 450210  # GetRights: not an organisation or national number (docs/behaviour/srr.md)
    SRR_INVALID_CONDITION = 450211  # AddRights: a condition outside the register's grammar (docs/behaviour/srr.md)


NO_INFORMATION = "No information available"


class AltinnError(Exception):
    """A documented Altinn failure: becomes an AltinnFault with this ErrorID."""

    def __init__(self, error_id: int, message: str, *, extended: str | None = None,
                 localized: str | None = None, guid: str | None = None):
        super().__init__(message)
        self.error_id = int(error_id)
        self.message = message
        self.extended = extended or NO_INFORMATION
        self.localized = localized or message
        self.guid = guid  # ErrorGuid; a fresh one is made when the fault is written

    def __repr__(self) -> str:
        return f"AltinnError({self.error_id}, {self.message!r})"
