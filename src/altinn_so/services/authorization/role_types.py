"""GetRoles' wire types, written by hand: OUR INFERENCE, not a published contract.

No real WSDL of the WS AdministrationExternal endpoint is available to us (only EC and EC2, which lack GetRoles).
The types follow Altinn's documentation of GetRoles (docs/behaviour/authorization.md): the search
ExternalRoleSearchBE and the result ExternalRoleBEList of ExternalRoleBE, in the role-search data namespace
``…/Authorization/Administration/2009/10``, members in the alphabetical order WCF's data contracts use, every
member optional and nillable as WCF declares them. Replace this module with generated types if the real WSDL turns
up.
"""

from spyne import ComplexModel, Integer32, Unicode

from altinn_so.soap.types import repeated

NS_ADMINISTRATION_2009_10 = "http://schemas.altinn.no/services/Authorization/Administration/2009/10"


class ExternalRoleSearchBE(ComplexModel):
    __namespace__ = NS_ADMINISTRATION_2009_10
    _type_info = [
        ("CoveredByParty", Unicode),
        ("CoveredByUser", Unicode),
        ("LanguageID", Integer32(nillable=False)),
        ("OfferedByParty", Unicode),
        ("RoleCodeFilter", Unicode),
    ]


class ExternalRoleBE(ComplexModel):
    __namespace__ = NS_ADMINISTRATION_2009_10
    _type_info = [
        ("CoveredBy", Unicode),
        ("DelegatedBy", Unicode),
        ("OfferedBy", Unicode),
        ("RoleCode", Unicode),
        ("RoleName", Unicode),
        ("RoleTypeSource", Unicode),
    ]


class ExternalRoleBEList(ComplexModel):
    __namespace__ = NS_ADMINISTRATION_2009_10
    _type_info = [("ExternalRoleBE", repeated(ExternalRoleBE))]
