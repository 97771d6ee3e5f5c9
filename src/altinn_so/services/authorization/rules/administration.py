"""AuthorizationAdministration's operations over the role assignments, the consents, the registry, the temp keys
and the consent-usage log (docs/behaviour/authorization.md). The wire layer calls these; tests may too."""

from __future__ import annotations

from altinn_so.domain.errors import AltinnError, ErrorCode

from . import Authorizations
from .consent_usage import ConsentUsage, ConsentUsageRepository, UsageReport, log_usage
from .reportees import Reportee, ReporteeSearch, list_reportees, party
from .roles import Role, RoleSearch, find_roles
from .temp_keys import DEFAULT_MINUTES, TempKey, TempKeyRepository, mint, redeem


class AuthorizationAdministration:
    def __init__(self, authorizations: Authorizations, registry, catalog, clock, temp_keys: TempKeyRepository,
                 usages: ConsentUsageRepository):
        self.authorizations = authorizations
        self.registry = registry
        self.catalog = catalog
        self.clock = clock
        self.temp_keys = temp_keys
        self.usages = usages

    def reportees(self, search: ReporteeSearch) -> list[Reportee]:
        return list_reportees(self.authorizations, self.registry, search)

    def roles(self, search: RoleSearch | None) -> list[Role]:
        return find_roles(self.authorizations, self.registry, search)

    def mint_temp_key(self, person: str, reportee: str | None = None, minutes: float = DEFAULT_MINUTES) -> TempKey:
        """A key as the link service would give it to ``person`` acting for ``reportee`` (default: himself).
        ValueError unless ``reportee`` is among the person's reportees (GetReportees with sub-units)."""
        reportee = reportee or person
        try:
            allowed = {r.number for r in self.reportees(ReporteeSearch(person, include_sub_units=True))}
        except AltinnError as error:
            raise ValueError(f"person={person!r}: {error.message}") from None
        if reportee not in allowed:
            raise ValueError(f"{person} may not act for {reportee} (not among the person's reportees)")
        return mint(self.temp_keys, person, reportee, self.clock.now(), minutes)

    def reportee_by_temp_key(self, key: str | None) -> Reportee:
        used = redeem(self.temp_keys, key, self.clock.now())
        found = party(self.registry, used.reportee)
        if found is None:  # the registry lost the party since the key was minted (a new seed)
            raise AltinnError(ErrorCode.INVALID_REPORTEE_NUMBER, f"No party {used.reportee} is known.")
        return Reportee.of(found)

    def log_consent_usage(self, owner: str, report: UsageReport) -> ConsentUsage:
        return log_usage(self.usages, self.catalog, owner, report, self.clock.now())
