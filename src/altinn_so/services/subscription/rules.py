"""Subscription: subscriptions and the form tasks the clock makes of them (docs/behaviour/subscription.md).

``submit`` is SubmitSubscription: each subscription of the call checked and stored on its own, each with its
sub-receipt (D46). ``activate_due`` is the clock's job: each subscription whose next schedule date has come is
activated once per period passed, each activation a form task in the reportee's worklist (a core reportee element)
with the forms of the prefilled set of the same identity fields, then its dates move on by its period
(``periods``). Altinn documents no ErrorIDs for subscriptions; the ones used here are chosen from its global list
(D45).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from altinn_so.domain.auth import Caller
from altinn_so.domain.case_links import CaseLinks
from altinn_so.domain.catalog import CatalogRepository, Service
from altinn_so.domain.clock import Clock, as_aware
from altinn_so.domain.elements import ACTIVE, FORM_TASK, ElementForm, ReporteeElement, ReporteeElementRepository
from altinn_so.domain.errors import AltinnError, ErrorCode
from altinn_so.domain.ownership import checked_system_user_code, owned_service
from altinn_so.domain.receipts import OWNER_PARTY, Receipt, ReceiptService, ReceiptStatus, Reference
from altinn_so.domain.registry import RegistryRepository, reportee_number, resolve_reportee
from altinn_so.domain.values import evolve

from .periods import PERIODS, nth_date

RECEIPT_TYPE = "Subscription"
SAVED = "Subscription saved successfully"
BATCH_REFERENCE = "BatchReference"  # the externalBatchId
SUBSCRIPTION_REFERENCE = "ReceiversReference"  # the subscription's id in the emulator (D46)
# At most this many activations per run of the clock's job: a daily subscription and a clock moved ten years on
# catch up over several runs (the server's scheduler runs every second), never in one endless transaction (D51).
MAX_ACTIVATIONS_PER_RUN = 100


# -- requests --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SubscriptionRequest:
    """A Subscription as a client sent it (``None``: left out)."""

    reportee: str | None
    service_code: str | None
    service_edition: int | None
    period_type: str | None
    start_at: datetime | None
    schedule_at: datetime | None  # NextScheduleDate
    due_at: datetime | None  # NextDueDate
    visible_at: datetime | None = None  # VisibleDate
    expires_at: datetime | None = None  # ExpirationDate
    identity_values: tuple[str, ...] = ()  # the IdentityFields' FieldValues, in order
    case_id: int | None = None
    client_subscription_id: int | None = None  # SubscriptionID: undocumented, kept as given
    user_type: int | None = None  # UserType: undocumented, kept as given


# -- state ------------------------------------------------------------------------------------------------

def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _text(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class Subscription:
    """A stored subscription: the dates as first given, and how many periods have been activated. The dates of the
    n-th activation are the first ones moved on by n periods (``periods.nth_date``)."""

    id: int
    owner: str
    service_code: str
    service_edition: int
    reportee: str
    period_type: str
    start_at: datetime
    first_schedule_at: datetime
    first_due_at: datetime
    first_visible_at: datetime | None
    expires_at: datetime | None
    identity_values: tuple[str, ...]
    external_batch_id: str
    system_user_code: str
    created_at: datetime
    receipt_id: int = 0
    activations: int = 0  # periods activated so far
    last_element_id: int | None = None
    client_subscription_id: int | None = None
    user_type: int | None = None
    case_id: int | None = None  # the collaboration case each activation's form task joins

    def schedule_at(self, n: int) -> datetime | None:
        """When the n-th activation (from 0) is due; None when there is none (Once, expired, the calendar's end)."""
        moment = nth_date(self.first_schedule_at, self.period_type, n)
        if moment is None or (self.expires_at is not None and moment > self.expires_at):
            return None
        return moment

    @property
    def next_schedule_at(self) -> datetime | None:
        return self.schedule_at(self.activations)

    def due_at(self, n: int) -> datetime:
        return nth_date(self.first_due_at, self.period_type, n) or self.first_due_at

    def visible_at(self, n: int) -> datetime:
        """From when the n-th activation's form task shows: VisibleDate moved on, or its schedule date."""
        if self.first_visible_at is None:
            return self.schedule_at(n) or self.first_schedule_at
        return nth_date(self.first_visible_at, self.period_type, n) or self.first_visible_at

    def to_dict(self) -> dict:
        return {
            "id": self.id, "owner": self.owner, "service_code": self.service_code,
            "service_edition": self.service_edition, "reportee": self.reportee, "period_type": self.period_type,
            "start_at": _text(self.start_at), "first_schedule_at": _text(self.first_schedule_at),
            "first_due_at": _text(self.first_due_at), "first_visible_at": _text(self.first_visible_at),
            "expires_at": _text(self.expires_at), "identity_values": list(self.identity_values),
            "external_batch_id": self.external_batch_id, "system_user_code": self.system_user_code,
            "created_at": _text(self.created_at), "receipt_id": self.receipt_id, "activations": self.activations,
            "last_element_id": self.last_element_id, "next_schedule_at": _text(self.next_schedule_at),
            "client_subscription_id": self.client_subscription_id, "user_type": self.user_type,
            "case_id": self.case_id,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Subscription":
        return cls(
            id=int(data.get("id") or 0), owner=data["owner"], service_code=data["service_code"],
            service_edition=int(data["service_edition"]), reportee=data["reportee"],
            period_type=data["period_type"], start_at=datetime.fromisoformat(data["start_at"]),
            first_schedule_at=datetime.fromisoformat(data["first_schedule_at"]),
            first_due_at=datetime.fromisoformat(data["first_due_at"]),
            first_visible_at=_time(data.get("first_visible_at")), expires_at=_time(data.get("expires_at")),
            identity_values=tuple(data.get("identity_values") or ()),
            external_batch_id=data["external_batch_id"], system_user_code=data["system_user_code"],
            created_at=datetime.fromisoformat(data["created_at"]), receipt_id=int(data.get("receipt_id") or 0),
            activations=int(data.get("activations") or 0), last_element_id=data.get("last_element_id"),
            client_subscription_id=data.get("client_subscription_id"), user_type=data.get("user_type"),
            case_id=data.get("case_id"),
        )


@dataclass(frozen=True)
class Activation:
    """One period of a subscription made a form task: at most one per subscription and period (the store's key)."""

    id: int
    subscription_id: int
    period: int  # 0 for the first
    element_id: int
    activated_at: datetime  # on the emulator's clock
    scheduled_at: datetime

    def to_dict(self) -> dict:
        return {"id": self.id, "subscription_id": self.subscription_id, "period": self.period,
                "element_id": self.element_id, "activated_at": self.activated_at.isoformat(),
                "scheduled_at": self.scheduled_at.isoformat()}

    @classmethod
    def from_dict(cls, data: dict) -> "Activation":
        return cls(int(data.get("id") or 0), int(data["subscription_id"]), int(data["period"]),
                   int(data["element_id"]), datetime.fromisoformat(data["activated_at"]),
                   datetime.fromisoformat(data["scheduled_at"]))


class SubscriptionRepository(Protocol):
    def add_subscription(self, subscription: Subscription) -> Subscription: ...  # assigns the id
    def put_subscription(self, subscription: Subscription) -> None: ...
    def get_subscription(self, subscription_id: int) -> Subscription | None: ...
    def next_due(self, now: datetime) -> Subscription | None: ...  # the one whose next schedule date is earliest
    def list_subscriptions(self, newest: int | None = None) -> list[Subscription]: ...
    # Raises if the subscription's period was activated already (the store's unique key).
    def add_activation(self, activation: Activation) -> Activation: ...
    def list_activations(self, newest: int | None = None) -> list[Activation]: ...


class PrefilledSets(Protocol):
    """PreFill's prefilled sets, as a subscription reads them: each has ``identity_fields`` ((Index, FieldValue)
    pairs), ``forms`` (``ElementForm``s) and ``element_id`` (the form task instantiated from it, if any)."""

    def sets_of(self, service_code: str, service_edition: int, reportee: str) -> list[Any]: ...


def identity_values(prefilled_set: Any) -> tuple[str, ...]:
    """A prefilled set's identity field values in the order of their Index (numeric indexes as numbers)."""
    def order(field: tuple[str, str]):
        index = field[0] or ""
        return (0, int(index), "") if index.isdigit() else (1, 0, index)
    return tuple(value or "" for _, value in sorted(prefilled_set.identity_fields, key=order))


# -- the service ------------------------------------------------------------------------------------------

class SubscriptionService:
    def __init__(self, store: SubscriptionRepository, elements: ReporteeElementRepository, receipts: ReceiptService,
                 prefilled_sets: PrefilledSets, registry: RegistryRepository, catalog: CatalogRepository,
                 clock: Clock, transaction, cases: CaseLinks = CaseLinks()):
        self.store = store
        self.cases = cases
        self.elements = elements
        self.receipts = receipts
        self.prefilled_sets = prefilled_sets
        self.registry = registry
        self.catalog = catalog
        self.clock = clock
        self._transaction = transaction

    # -- SubmitSubscription ----------------------------------------------------------------------------------

    def submit(self, caller: Caller, external_batch_id: str | None, system_user_code: str | None,
               entries: list[SubscriptionRequest]) -> Receipt:
        """Each subscription checked and stored on its own: one Subscription receipt for the call, found by its
        BatchReference, with a sub-receipt for each subscription in order (D46)."""
        if not external_batch_id:
            raise AltinnError(ErrorCode.EXTERNAL_REFERENCE_CANNOT_BE_NULL, "externalBatchId cannot be null.")
        system_user_code = checked_system_user_code(caller, system_user_code, name="SystemUserCode")
        if not entries:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "Subscriptionlist holds no Subscription.")
        outcomes: list[Subscription | AltinnError] = []
        for entry in entries:
            try:
                outcomes.append(self._check(caller, entry, external_batch_id, system_user_code))
            except AltinnError as error:
                outcomes.append(error)
        failed = sum(isinstance(o, AltinnError) for o in outcomes)
        status = ReceiptStatus.OK if not failed else ReceiptStatus.VALIDATION_FAILED
        owner_party = Reference(OWNER_PARTY, caller.owner.orgno)
        with self._transaction():
            parent = self.receipts.create(RECEIPT_TYPE, status,
                                          f"{len(outcomes) - failed} of {len(outcomes)} subscriptions accepted",
                                          [Reference(BATCH_REFERENCE, external_batch_id), owner_party])
            subs = []
            for outcome in outcomes:
                if isinstance(outcome, AltinnError):
                    subs.append(self.receipts.create(RECEIPT_TYPE, ReceiptStatus.VALIDATION_FAILED,
                                                     f"ErrorID {outcome.error_id}: {outcome.message}",
                                                     [owner_party], parent_id=parent.id))
                    continue
                stored = self.store.add_subscription(outcome)
                sub = self.receipts.create(RECEIPT_TYPE, ReceiptStatus.OK, SAVED, [
                    Reference(SUBSCRIPTION_REFERENCE, str(stored.id)), owner_party], parent_id=parent.id)
                self.store.put_subscription(evolve(stored, receipt_id=sub.id))
                subs.append(sub)
        return replace(parent, sub_receipts=tuple(subs))

    # -- checks, in the order they are reported -------------------------------------------------------------

    def _check(self, caller: Caller, entry: SubscriptionRequest, batch_id: str,
               system_user_code: str) -> Subscription:
        service = self._service(caller, entry.service_code, entry.service_edition)
        if not entry.reportee:
            raise AltinnError(ErrorCode.REPORTEE_CANNOT_BE_NULL, "ReporteeId cannot be null.")
        reportee = reportee_number(resolve_reportee(self.registry, entry.reportee))
        if entry.case_id is not None:  # each activation's form task joins the reportee's collaboration case
            self.cases.check(caller.owner.code, entry.case_id, reportee)
        if not entry.period_type:
            raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, "SubscriptionPeriodType cannot be null.")
        if entry.period_type not in PERIODS:
            raise AltinnError(ErrorCode.GENERAL_ERROR,
                              f"SubscriptionPeriodType {entry.period_type} is not one of {', '.join(PERIODS)}.")
        for value, name in ((entry.start_at, "StartDate"), (entry.schedule_at, "NextScheduleDate"),
                            (entry.due_at, "NextDueDate")):
            if value is None:
                raise AltinnError(ErrorCode.ARGUMENT_NULL_EXCEPTION, f"{name} cannot be null.")
        start, schedule, due = as_aware(entry.start_at), as_aware(entry.schedule_at), as_aware(entry.due_at)
        visible = as_aware(entry.visible_at) if entry.visible_at else None
        expires = as_aware(entry.expires_at) if entry.expires_at else None
        _in_order(start, "StartDate", schedule, "NextScheduleDate")
        _in_order(schedule, "NextScheduleDate", due, "NextDueDate")
        if visible is not None:
            _in_order(visible, "VisibleDate", due, "NextDueDate")
        if expires is not None:
            _in_order(schedule, "NextScheduleDate", expires, "ExpirationDate")
        if entry.identity_values and self._prefilled_set(service, reportee, entry.identity_values) is None:
            raise AltinnError(ErrorCode.FORM_DATA_IS_NOT_VALID,
                              f"No prefilled form set of service {service.code} edition {service.edition} for "
                              f"{reportee} has the identity fields {list(entry.identity_values)}.")
        return Subscription(
            id=0, owner=service.owner, service_code=service.code, service_edition=service.edition,
            reportee=reportee, period_type=entry.period_type, start_at=start, first_schedule_at=schedule,
            first_due_at=due, first_visible_at=visible, expires_at=expires,
            identity_values=tuple(entry.identity_values), external_batch_id=batch_id,
            system_user_code=system_user_code, created_at=self.clock.now(),
            client_subscription_id=entry.client_subscription_id, user_type=entry.user_type, case_id=entry.case_id)

    def _service(self, caller: Caller, code: str | None, edition: int | None) -> Service:
        if not code:
            raise AltinnError(ErrorCode.EXTERNAL_SERVICE_CODE_CANNOT_BE_NULL, "ExternalServiceCode cannot be null.")
        if edition is None:
            raise AltinnError(ErrorCode.NOT_A_VALID_SERVICE, f"Service {code} edition {edition} does not exist.")
        return owned_service(self.catalog, caller, code, edition, kind="form", unknown=ErrorCode.NOT_A_VALID_SERVICE)

    def _prefilled_set(self, service: Service, reportee: str, values: tuple[str, ...]) -> Any | None:
        """The prefilled set of the service and reportee whose identity field values are ``values`` (D49)."""
        sets = self.prefilled_sets.sets_of(service.code, service.edition, reportee)
        return next((s for s in sets if identity_values(s) == tuple(values)), None)

    # -- the clock's job -------------------------------------------------------------------------------------

    def activate_due(self, limit: int = MAX_ACTIVATIONS_PER_RUN) -> int:
        """Activate every period due on the clock, earliest first, at most ``limit``: how many were activated.

        Each activation is a transaction of its own that reads the subscription again under the store's write
        lock, so that workers sharing the store never activate one period twice (the store's key on subscription
        and period would refuse it too). Nothing due costs one read and no lock."""
        now = self.clock.now()
        done = 0
        while done < limit and self.store.next_due(now) is not None:
            with self._transaction():
                subscription = self.store.next_due(now)  # again, now that no other worker can write
                if subscription is None:
                    break
                self._activate(subscription, now)
            done += 1
        return done

    def _activate(self, subscription: Subscription, now: datetime) -> None:
        n = subscription.activations
        scheduled = subscription.schedule_at(n)
        prefilled = self._prefilled_set_of(subscription)
        element = self.elements.add_element(ReporteeElement(
            id=0, owner=subscription.owner, service_code=subscription.service_code,
            service_edition=subscription.service_edition, reportee=subscription.reportee, kind=FORM_TASK,
            status=ACTIVE, created_at=now, visible_at=subscription.visible_at(n), due_at=subscription.due_at(n),
            forms=tuple(ElementForm(f.data_format_id, f.data_format_version, f.form_data_xml, f.senders_reference)
                        for f in (prefilled.forms if prefilled else ())),
            case_id=subscription.case_id, origin=f"subscription:{subscription.id}"))
        if prefilled is not None and prefilled.element_id:
            element = self._with_attachments_of(prefilled.element_id, element)
        self.store.add_activation(Activation(0, subscription.id, n, element.id, now, scheduled))
        self.store.put_subscription(evolve(subscription, activations=n + 1, last_element_id=element.id))

    def _prefilled_set_of(self, subscription: Subscription) -> Any | None:
        sets = self.prefilled_sets.sets_of(subscription.service_code, subscription.service_edition,
                                           subscription.reportee)
        return next((s for s in sets if identity_values(s) == subscription.identity_values), None)

    def _with_attachments_of(self, source_id: int, element: ReporteeElement) -> ReporteeElement:
        """The prefilled attachments, copied from the form task the prefilled set was instantiated as: the set keeps
        their names and sizes, that form task their bytes (D49)."""
        source = self.elements.get_element(source_id)
        prefilled = [a for a in (source.attachments if source else ()) if a.added_by == "prefill"]
        if not prefilled:
            return element
        copied = tuple(evolve(a, id=self.elements.add_attachment_data(
            element.id, self.elements.attachment_data(a.id) or b"")) for a in prefilled)
        element = evolve(element, attachments=copied)
        self.elements.put_element(element)
        return element


def _in_order(earlier: datetime, earlier_name: str, later: datetime, later_name: str) -> None:
    if later < earlier:
        raise AltinnError(ErrorCode.GENERAL_ERROR, f"{later_name} must not be earlier than {earlier_name}.")
