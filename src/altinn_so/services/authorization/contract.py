"""AuthorizationAdministrationExternal, declared once for WS, EC and EC2 (docs/behaviour/authorization.md).

EC and EC2 have real WSDLs: interface ``IAuthorizationAdministrationEC``/``…EC2`` (EC2's actions keep the EC
name), namespace ``…/Authorization/Administration/2012/11``, operations ``GetReporteesEC`` and
``GetReporteeByTempKeyEC``, and on EC2 ``LogConsentUsage`` too. WS is inferred from Altinn's documentation: interface
``IAuthorizationAdministrationExternal`` in ``…/Authorization/Administration/2010/10`` with ``GetRoles`` (its types
in ``role_types``), ``GetReportees`` and ``GetReporteeByTempKey`` (the EC2 types, D125). Endpoints under
``/AuthorizationExternal/``: ``AdministrationExternal.svc``, ``AdministrationExternalEC.svc`` and
``AdministrationExternalEC2.svc``, which only the addresses ``serve --authorization-allow`` allows may call (D130).
"""

from __future__ import annotations

from spyne import Boolean, DateTime, Integer32, Unicode

from altinn_so.soap import codec
from altinn_so.soap.contract import Operation, ServiceContract

from . import role_types
from . import wire_types as types
from .rules.consent_usage import UsageReport
from .rules.reportees import Reportee, ReporteeSearch
from .rules.roles import Role, RoleSearch

WS_NAMESPACE = "http://www.altinn.no/services/Authorization/Administration/2010/10"
EC_NAMESPACE = "http://www.altinn.no/services/Authorization/Administration/2012/11"
_REQUIRED = {"min_occurs": 1, "nillable": False}


def _reportee(reportee: Reportee) -> dict:
    return {"Name": reportee.name, "OrganizationNumber": reportee.orgno, "ReporteeType": reportee.kind,
            "SSN": reportee.ssn}


def _role(role: Role) -> dict:
    return {"CoveredBy": role.covered_by, "DelegatedBy": role.delegated_by, "OfferedBy": role.offered_by,
            "RoleCode": role.code, "RoleName": role.name, "RoleTypeSource": role.source}


def get_reportees(call, args) -> dict:
    search = ReporteeSearch(codec.value(args, "userSSN"),
                            include_inactive=bool(codec.value(args, "retrieveInActiveReportee")),
                            include_sub_units=bool(codec.value(args, "retrieveSubEnitiy")),
                            maximum=codec.value(args, "maximumReporteeCount"))
    return {"ExternalReporteeBE": [_reportee(r) for r in call.emulator.authorization_administration.reportees(search)]}


def get_reportee_by_temp_key(call, args) -> dict:
    return _reportee(call.emulator.authorization_administration.reportee_by_temp_key(codec.value(args, "tempKey")))


def log_consent_usage(call, args) -> None:
    report = UsageReport(codec.value(args, "serviceCode"), codec.value(args, "serviceEditionCode"),
                         codec.value(args, "dataConsumer"), codec.value(args, "authorizationCode"),
                         codec.optional_time(args, "usageDateTime"))
    call.emulator.authorization_administration.log_consent_usage(call.caller.owner.code, report)


def get_roles(call, args) -> dict:
    data = codec.value(args, "roleSearchBE")
    search = None if data is None else RoleSearch(
        covered_by_user=codec.value(data, "CoveredByUser"), covered_by_party=codec.value(data, "CoveredByParty"),
        offered_by=codec.value(data, "OfferedByParty"), language=codec.value(data, "LanguageID"),
        role_code=codec.value(data, "RoleCodeFilter"))
    return {"ExternalRoleBE": [_role(r) for r in call.emulator.authorization_administration.roles(search)]}


ADMINISTRATION = ServiceContract(
    name="AuthorizationAdministrationExternal",
    area="AuthorizationExternal",
    bindings=("ws", "ec", "ec2"),
    namespaces={"basic": WS_NAMESPACE, "ec": EC_NAMESPACE},
    interfaces={"basic": "IAuthorizationAdministrationExternal", "ec": "IAuthorizationAdministration"},
    endpoint_names={"ws": "AdministrationExternal", "ec": "AdministrationExternalEC",
                    "ec2": "AdministrationExternalEC2"},
    operations=(
        Operation("GetReportees", get_reportees,
                  params=(("userSSN", Unicode), ("retrieveInActiveReportee", Boolean(nillable=False)),
                          ("retrieveSubEnitiy", Boolean(nillable=False)), ("maximumReporteeCount", Integer32)),
                  returns=types.ExternalReporteeBEList),
        Operation("GetReporteeByTempKey", get_reportee_by_temp_key,
                  params=(("tempKey", types.guid(nillable=False)),),
                  returns=types.ExternalReporteeBE),
        Operation("LogConsentUsage", log_consent_usage, bindings=frozenset({"ec2"}),
                  wire_names={"ec2": "LogConsentUsage"},
                  params=(("serviceCode", Unicode(**_REQUIRED)), ("serviceEditionCode", Integer32(**_REQUIRED)),
                          ("dataConsumer", Unicode(**_REQUIRED)), ("authorizationCode", types.guid(**_REQUIRED)),
                          ("usageDateTime", DateTime))),
        Operation("GetRoles", get_roles, bindings=frozenset({"ws"}),
                  params=(("roleSearchBE", role_types.ExternalRoleSearchBE),),
                  returns=role_types.ExternalRoleBEList),
    ),
)
