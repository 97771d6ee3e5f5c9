"""Error codes as Altinn numbers them (docs/behaviour/faults-and-auth.md), the AltinnError shape, and BLANK."""

from __future__ import annotations

import pytest

from altinn_so.domain.errors import NO_INFORMATION, AltinnError, ErrorCode
from altinn_so.domain.values import BLANK, _Blank


@pytest.mark.parametrize("code, number", [
    (ErrorCode.GENERAL_ERROR, 0),
    (ErrorCode.NULL_OBJECT_REFERENCE, 1),
    (ErrorCode.NOT_AUTHORIZED, 5),
    (ErrorCode.EXTERNAL_SYSTEM_AUTHENTICATION, 989),
    (ErrorCode.NOT_A_VALID_SERVICE, 30003),
    (ErrorCode.RECEIVER_ADDRESS_NOT_ALLOWED, 30009),
    (ErrorCode.INVALID_EMAIL_ADDRESS, 30010),
    (ErrorCode.NO_MOBILE_NUMBER, 30301),
    (ErrorCode.INVALID_COUNTRY_CODE, 30302),
    (ErrorCode.INVALID_NORWEGIAN_MOBILE, 30303),
    (ErrorCode.ORGANISATION_HAS_NO_ADDRESS, 30304),
    (ErrorCode.REPORTEE_HAS_NO_ADDRESS, 30306),
    (ErrorCode.SMS_PREFERRED_NO_ENDPOINT, 30307),
    (ErrorCode.EMAIL_PREFERRED_NO_ENDPOINT, 30308),
    (ErrorCode.BOTH_REQUIRES_EMAIL_AND_SMS, 30309),
    (ErrorCode.PRIORITY_EMAIL_SMS_NO_ENDPOINT, 30312),
    (ErrorCode.INVALID_LANGUAGE_CODE, 40001),
    (ErrorCode.INVALID_NUMBER_OF_RECEIPENTS, 40014),
    (ErrorCode.INVALID_FORMAT_SMS_AND_EMAIL, 40015),
    (ErrorCode.INVALID_SSN, 40016),
    (ErrorCode.INVALID_FROM_ADDRESS, 40020),
    (ErrorCode.INVALID_REPORTEE_NUMBER, 60012),
    (ErrorCode.NO_RECEIPT, 30008),
    (ErrorCode.RECEIPT_TYPE_NOT_SET, 30101),
    (ErrorCode.RECEIPT_DATE_ORDER, 30102),
    (ErrorCode.MESSAGE_BODY_CANNOT_BE_NULL, 40002),
    (ErrorCode.MESSAGE_TITLE_CANNOT_BE_NULL, 40003),
    (ErrorCode.MESSAGE_SUMMARY_CANNOT_BE_NULL, 40004),
    (ErrorCode.EXTERNAL_REFERENCE_CANNOT_BE_NULL, 40005),
    (ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, 40006),
    (ErrorCode.REPORTEE_CANNOT_BE_NULL, 40007),
    (ErrorCode.SYSTEM_USER_CODE_CANNOT_BE_NULL, 40008),
    (ErrorCode.PERSON_HAS_STRICTLY_CONFIDENTIAL_ADDRESS, 40011),
    (ErrorCode.SERVICE_IS_NOT_VALID, 40013),
    (ErrorCode.INVALID_SERVICE_TYPE, 40019),
    (ErrorCode.INVALID_CASE_ID, 60001),
    (ErrorCode.INVALID_CASE_IDENTIFIER, 60002),
    (ErrorCode.INVALID_REPORTEE_ELEMENT, 60005),
    (ErrorCode.INVALID_NOTICE_TEMPLATE_ID, 60011),
    (ErrorCode.ARCHIVED_CASE_ID, 60014),
    (ErrorCode.DELETED_CASE_ID, 60015),
    (ErrorCode.INVALID_ELEMENT, 60016),
    (ErrorCode.UNASSOCIATED_ELEMENT, 60017),
    (ErrorCode.DELETED_ELEMENT, 60018),
    (ErrorCode.ARCHIVED_ELEMENT, 60019),
    (ErrorCode.INVALID_NOTICE_TOKEN_ID, 60020),
    (ErrorCode.INVALID_NOTICE_TOKEN_VALUE, 60021),
    (ErrorCode.INVALID_EVENT_IDENTIFIER, 60022),
    (ErrorCode.INVALID_EVENT_NAME, 60023),
    (ErrorCode.UNAUTHORIZED_SERVICE_OWNER, 60024),
    (ErrorCode.MISSING_NOTICE_TOKENS, 60025),
    (ErrorCode.UNAVAILABLE_STATE_MACHINE_EVENTS, 60032),
    (ErrorCode.ARGUMENT_NULL_EXCEPTION, 30004),
    (ErrorCode.FORM_DATA_IS_NOT_VALID, 40012),
    (ErrorCode.FILE_NOT_EXIST, 30007),
    (ErrorCode.SRR_INVALID_REPORTEE, 450210),
    (ErrorCode.SRR_INVALID_CONDITION, 450211),
    (ErrorCode.BROKER_SENDER_LACKS_RIGHTS, 40201),
    (ErrorCode.BROKER_RECIPIENT_LACKS_RIGHTS, 40202),
    (ErrorCode.BROKER_FILE_TOO_LARGE, 40204),
    (ErrorCode.BROKER_NO_DATA, 40205),
    (ErrorCode.BROKER_NOT_A_ZIP, 40206),
    (ErrorCode.BROKER_NOTHING_TO_DOWNLOAD, 40207),
    (ErrorCode.BROKER_ALREADY_UPLOADED, 40208),
    (ErrorCode.BROKER_VIRUS_FOUND, 40209),
    (ErrorCode.BROKER_NOT_A_BROKER_SERVICE, 40210),
    (ErrorCode.BROKER_NOT_AUTHORIZED, 40211),
    (ErrorCode.BROKER_UNKNOWN_REFERENCE, 40212),
    (ErrorCode.BROKER_REPORTEE_MISMATCH, 40213),
    (ErrorCode.BROKER_INVALID_REPORTEE, 40214),
    (ErrorCode.BROKER_RECIPIENT_LACKS_READ, 40215),
])
def test_error_numbers_are_altinns(code, number):
    assert int(code) == number


def test_every_error_code_is_listed_above():
    # A new code needs a row in the table above (and tests for where it is raised).
    assert len(ErrorCode) == 71


def test_altinn_error_defaults():
    error = AltinnError(ErrorCode.INVALID_SSN, "bad ssn")
    assert error.error_id == 40016 and type(error.error_id) is int
    assert error.message == "bad ssn" == str(error)
    assert error.extended == NO_INFORMATION == "No information available"
    assert error.localized == "bad ssn"
    assert repr(error) == "AltinnError(40016, 'bad ssn')"


def test_altinn_error_extended_and_localized():
    error = AltinnError(5, "m", extended="more", localized="lokal")
    assert (error.error_id, error.extended, error.localized) == (5, "more", "lokal")


def test_blank_is_a_falsy_singleton_distinct_from_none_and_empty():
    assert _Blank() is BLANK
    assert not BLANK
    assert BLANK is not None and BLANK != ""
    assert repr(BLANK) == "BLANK"
