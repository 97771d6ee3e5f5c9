"""What the admin API and page show of authorization: the seed's role assignments and consents, the temp keys
minted and the consent usages logged; and the route that mints a temp key (``POST /_admin/temp-keys``)."""

from __future__ import annotations

from altinn_so.admin.api import ApiError
from altinn_so.service import AdminRoute, Cell, Listing

from .rules.temp_keys import DEFAULT_MINUTES


def _newest(items: list, newest: int | None) -> list:
    return items[-newest:] if newest else items


def _mint(emulator, request):
    """A temp key as the link service would give one: ``{"person", "reportee" (default the person), "minutes"}``."""
    data = request.json()
    person = data.get("person")
    if not isinstance(person, str) or not person:
        raise ApiError(400, "person (a national identity number) is required")
    reportee = data.get("reportee")
    if reportee is not None and not isinstance(reportee, str):
        raise ApiError(400, "reportee must be a national identity or organisation number")
    minutes = data.get("minutes", DEFAULT_MINUTES)
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or minutes <= 0:
        raise ApiError(400, "minutes must be a number more than 0")
    try:
        key = emulator.authorization_administration.mint_temp_key(person, reportee, minutes)
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    return 201, key.to_dict()


ADMIN_ROUTES = (AdminRoute("POST", "/temp-keys", _mint),)

LISTINGS = (
    Listing(
        "role-assignments", "role_assignments",
        read=lambda emulator, newest: _newest(emulator.authorization_store.list_assignments(), newest),
        title="Role assignments (who may act for whom)",
        columns=("person", "reportee", "roles", "delegated by"),
        row=lambda a: [a.covered_by, a.offered_by, " ".join(a.roles), a.delegated_by or Cell("registers", "muted")],
        empty="No role assignment in the seed."),
    Listing(
        "consents", "consents",
        read=lambda emulator, newest: _newest(emulator.authorization_store.list_consents(), newest),
        title="Consents",
        columns=("person", "uses Altinn", "acts for others"),
        row=lambda c: [c.person, Cell("yes", "ok") if c.uses_altinn else Cell("no", "fault"),
                       Cell("yes", "ok") if c.acts_for_others else Cell("no", "fault")],
        empty="No consent in the seed: every person has consented to everything."),
    Listing(
        "temp-keys", "temp_keys",
        read=lambda emulator, newest: emulator.temp_keys.list_temp_keys(newest),
        title="Temp keys (link service)",
        columns=("key", "person", "reportee", "expires", "used"),
        row=lambda k: [k.key, k.person, k.reportee, k.expires_at, k.used_at or Cell("not yet", "muted")],
        empty="No temp key minted yet."),
    Listing(
        "consent-usages", "consent_usages",
        read=lambda emulator, newest: emulator.consent_usages.list_usages(newest),
        title="Consent usage (LogConsentUsage)",
        columns=("#", "owner", "service", "data consumer", "authorization code", "used"),
        row=lambda u: [u.id, u.owner, f"{u.service_code}/{u.service_edition}", u.data_consumer,
                       u.authorization_code, u.used_at],
        empty="No consent usage logged yet."),
)
