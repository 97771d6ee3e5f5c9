"""What the admin API and page show of subscriptions: the subscriptions and their activations."""

from __future__ import annotations

from altinn_so.service import Listing

LISTINGS = (
    Listing(
        "subscriptions", "subscriptions",
        read=lambda emulator, newest: emulator.subscription_store.list_subscriptions(newest),
        title="Subscriptions",
        columns=("#", "created", "owner", "service", "reportee", "period", "identity fields", "next schedule",
                 "expires", "activations", "last element"),
        row=lambda s: [s.id, s.created_at, s.owner, f"{s.service_code}/{s.service_edition}", s.reportee,
                       s.period_type, ", ".join(s.identity_values), s.next_schedule_at or "ended",
                       s.expires_at or "", s.activations, s.last_element_id or ""],
        empty="No subscription yet."),
    Listing(
        "subscription-activations", "subscription_activations",
        read=lambda emulator, newest: emulator.subscription_store.list_activations(newest),
        title="Subscription activations",
        columns=("#", "activated", "subscription", "period", "scheduled", "element"),
        row=lambda a: [a.id, a.activated_at, a.subscription_id, a.period + 1, a.scheduled_at, a.element_id],
        empty="No subscription activated yet."),
)
