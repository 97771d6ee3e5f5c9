"""ArchiveCommonAgencyExternal, declared once for Basic, WS, EC and EC2 (docs/behaviour/archive-common.md).

Only EC and EC2 have real WSDLs (interface ``IArchiveCommonAgencyExternalEC``/``…EC2``, namespace
``…/Archive/ArchiveCommon/2010/10``, operation ``GetServiceOwnerArchiveReporteeElementsEC``). Basic and WS are
inferred from them: the same namespace, types and parameters, the operation named
``GetServiceOwnerArchiveReporteeElementsBasicV2`` and ``…V2``. Endpoints under ``/ArchiveExternal/``:
``ArchiveCommonAgencyExternalBasic.svc``, ``ArchiveCommonAgencyExternal.svc``, ``ArchiveCommonAgencyExternalEC.svc``
and ``ArchiveCommonAgencyExternalEC2.svc``.
"""

from __future__ import annotations

from spyne import Integer32

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import wire_types as types
from .rules import ArchiveSearch, FoundElement

NAMESPACE = "http://www.altinn.no/services/Archive/ArchiveCommon/2010/10"
_REQUIRED = {"min_occurs": 1, "nillable": False}


def search_of(data: dict | None) -> ArchiveSearch:
    """A decoded ExternalSOASearchBE as the domain's search."""
    data = data or {}
    return ArchiveSearch(reportee=codec.value(data, "SSNOrOrgNumber"), reference=codec.value(data, "ReferenceId"),
                         subject=codec.value(data, "Subject"), date_from=codec.optional_time(data, "DateFrom"),
                         date_to=codec.optional_time(data, "DateTo"), case_id=codec.value(data, "CaseID"),
                         user_name=codec.value(data, "UserName"))


def _element(found: FoundElement) -> dict:
    # ReporteeId is Altinn's internal party id: the emulator has none and sends 0 (docs/behaviour/archive-common.md)
    return {"ArchiveReference": found.archive_reference, "ElementType": found.element_type, "IsAltinn1": False,
            "IsSubjectMessageTitle": found.is_subject_message_title, "LastChangedDate": found.last_changed,
            "ReporteeElementId": found.element_id, "ReporteeId": 0, "ReporteeName": found.reportee_name,
            "SSNOrOrganizationNumber": found.reportee, "SendComplete": found.send_complete,
            "Subject": found.subject}


def get_elements(call, args) -> dict:
    # languageID is accepted and not used: every element is listed in its own language
    found = call.emulator.archive_common.search(call.caller, search_of(args.get("searchServiceOwnerArchive")))
    return {"ServiceOwnerArchiveReporteeElementBEV2": [_element(f) for f in found]}


ARCHIVE_COMMON = ServiceContract(
    name="ArchiveCommonAgencyExternal",
    area="ArchiveExternal",
    bindings=("basic", "ws", "ec", "ec2"),
    namespaces={"basic": NAMESPACE, "ec": NAMESPACE},
    # the real EC and EC2 services are named without the "SF" other contracts have; Basic and WS keep it
    service_names={"ec": "ArchiveCommonAgencyExternalEC", "ec2": "ArchiveCommonAgencyExternalEC2"},
    operations=(
        Operation("GetServiceOwnerArchiveReporteeElements", get_elements, version=2,
                  wire_names={"ec": "GetServiceOwnerArchiveReporteeElementsEC",
                              "ec2": "GetServiceOwnerArchiveReporteeElementsEC"},
                  params=(("searchServiceOwnerArchive", types.ExternalSOASearchBE.customize(**_REQUIRED)),
                          ("languageID", Integer32(**_REQUIRED))),
                  returns=types.ServiceOwnerArchiveReporteeElementBEV2List),
    ),
)
