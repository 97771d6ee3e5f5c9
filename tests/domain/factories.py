"""Small, hand-built domain worlds for the domain tests.

Every identity number here is synthetic: national ids use the test-data month
offset (+80, Skatteetaten's Tenor) and all numbers pass their mod-11 checks.
Worlds are built on the real repositories, over whichever store a test runs
against (see conftest: SQLite and PostgreSQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from altinn_so.domain.auth import AuthMode, Caller
from altinn_so.domain.catalog import AgencySystem, NotificationTemplate, Service, ServiceOwner, TemplateText
from altinn_so.domain.clock import Clock
from altinn_so.services.correspondence.rules.model import BinaryAttachment, CorrespondenceRequest
from altinn_so.domain.ids import with_national_id_check_digits, with_organisation_check_digit
from altinn_so.domain.notifications.engine import NotificationEngine, NotificationSettings, Rules
from altinn_so.domain.notifications.model import EndPointRequest, NotificationRequest, ServiceRef
from altinn_so.domain.registry import (Organisation, OrganisationContact, Person, PostalAddress,
                                       SelfRegisteredUser)
from altinn_so.store.database import Database
from altinn_so.store.repositories import SqlCatalog, SqlRegistry

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


# -- identity numbers ------------------------------------------------------------------------------

def national_id(birth: date, *, offset: int = 80, dnr: bool = False, skip: int = 0) -> str:
    """A synthetic national id for ``birth`` (month + ``offset``), valid under mod 11.

    The individual number is chosen in the range the register uses for the
    birth year's century; ``skip`` gives the next valid numbers for the same date.
    """
    if birth.year < 1900:
        individuals = range(500, 750)
    elif birth.year < 2000:
        individuals = range(0, 500)
    else:
        individuals = range(500, 1000)
    day = birth.day + (40 if dnr else 0)
    month = birth.month + offset
    for individual in individuals:
        number = with_national_id_check_digits(f"{day:02d}{month:02d}{birth.year % 100:02d}{individual:03d}")
        if number:
            if skip == 0:
                return number
            skip -= 1
    raise AssertionError(f"no valid national id for {birth}")


def org_number(first_eight: str) -> str:
    """The first valid organisation number at or after ``first_eight`` + check digit."""
    start = int(first_eight)
    for candidate in range(start, start + 20):
        number = with_organisation_check_digit(f"{candidate:08d}")
        if number:
            return number
    raise AssertionError(f"no valid organisation number near {first_eight}")


# -- a small world ---------------------------------------------------------------------------------

TTD = ServiceOwner(code="TTD", orgno=org_number("31000100"), name="Testdepartementet", short_name="TTD")
ETT = ServiceOwner(code="ETT", orgno=org_number("31000200"), name="Etaten for testing", short_name="Etaten")

SERVICE_A = Service(code="1000", edition=1, owner="TTD", name="Tjeneste A", names={1033: "Service A"})
SERVICE_B = Service(code="1000", edition=2, owner="TTD", name="Tjeneste A, utgave 2")
SERVICE_ETT = Service(code="2000", edition=1, owner="ETT", name="Etatens tjeneste")

ALL_LANGUAGES = (1033, 1044, 2068)


def _texts(sms=None, subject=None, body=None, languages=ALL_LANGUAGES):
    return {lang: TemplateText(sms=sms, email_subject=subject, email_body=body) for lang in languages}


TEMPLATES = (
    NotificationTemplate("Plain", _texts("SMS {0}", "Subject {0}", "Body {1}")),
    NotificationTemplate("Languages", {
        1033: TemplateText(sms="en {0}", email_subject="en-subject", email_body="en-body"),
        1044: TemplateText(sms="nb {0}", email_subject="nb-subject", email_body="nb-body"),
        2068: TemplateText(sms="nn {0}", email_subject="nn-subject", email_body="nn-body"),
    }),
    NotificationTemplate("BokmaalOnly", _texts("SMS", "Subject", "Body", languages=(1044,))),
    NotificationTemplate("EmailOnly", _texts(None, "Subject {0}", "Body {0}")),
    NotificationTemplate("SmsOnly", _texts("SMS {0}")),
    NotificationTemplate("Reminder", _texts("SMS {0}", "Subject {0}", "Body {0}"), reminder_days=7),
    NotificationTemplate("ReminderEmailOnly", _texts(None, "Subject", "Body"), reminder_days=3),
    NotificationTemplate("WithSender", _texts("SMS", "Subject", "Body"), email_sender="avsender@ttd.example"),
    NotificationTemplate("TtdOwn", _texts("SMS", "Subject", "Body"), owner="TTD"),
    NotificationTemplate("EttOwn", _texts("SMS", "Subject", "Body"), owner="ETT"),
    NotificationTemplate("Macros", _texts("Hei $reporteeFirstName$ {0}", "Til $reporteeName$",
                                          "$servicename$|{0}")),
)

# Persons (all synthetic, Tenor month offset).
FULL = Person(ssn=national_id(date(1977, 11, 23)), first_name="Ola", middle_name="Testmann", last_name="Nordmann",
              address=PostalAddress(address1="Storgata 1", postal_code="0155", postal_area="OSLO"),
              email="ola@example.no", mobile="+4791234567")
EMAIL_ONLY = Person(ssn=national_id(date(1985, 3, 5)), first_name="Kari", last_name="Epost", email="kari@example.no")
MOBILE_ONLY = Person(ssn=national_id(date(1981, 8, 12), dnr=True), first_name="Dagny", last_name="Mobil",
                     mobile="+4748765432")
NO_CONTACT = Person(ssn=national_id(date(1990, 1, 30)), first_name="Lise", last_name="Utenkontakt")
RESERVED = Person(ssn=national_id(date(1962, 5, 17)), first_name="Per", last_name="Reservert",
                  email="per@example.no", mobile="+4792345678", reserved=True)
UNREGISTERED = national_id(date(2001, 2, 3))  # valid, but not in the register

# Organisations.
MAIN = Organisation(
    orgno=org_number("31000300"), name="Eksempel AS",
    address=PostalAddress(address1="Kaigata 10", postal_code="0150", postal_area="OSLO"),
    emails=("post@eksempel.example", "regnskap@eksempel.example"), mobiles=("+4790000001",),
    contacts=(
        OrganisationContact(name="Siri Saksbehandler", email="siri@eksempel.example", mobile="+4790000002",
                            services=(("1000", 1),)),
        OrganisationContact(name="Tor Annentjeneste", email="tor@eksempel.example", mobile="+4790000003",
                            services=(("1000", 2),)),
        OrganisationContact(name="Una Utenmobil", email="una@eksempel.example", services=(("1000", 1),)),
    ),
)
SUB_UNIT = Organisation(
    orgno=org_number("31000400"), name="Eksempel AS avd. Bergen", parent=MAIN.orgno,
    contacts=(OrganisationContact(name="Berit Bergen", email="berit@eksempel.example", services=(("1000", 1),)),),
)
SUB_UNIT_WITH_EMAIL = Organisation(orgno=org_number("31000500"), name="Eksempel AS avd. Tromsø",
                                   parent=MAIN.orgno, emails=("tromso@eksempel.example",))
ORPHAN_SUB_UNIT = Organisation(orgno=org_number("31000600"), name="Foreldreløs avd.", parent=org_number("31000700"))
EMAIL_ORG = Organisation(orgno=org_number("31000800"), name="Bare Epost ANS", emails=("kontakt@bareepost.example",))
MOBILE_ORG = Organisation(orgno=org_number("31000900"), name="Bare Mobil ANS", mobiles=("+4790000009",))
EMPTY_ORG = Organisation(orgno=org_number("31001000"), name="Uten Kontakt SA")
UNREGISTERED_ORG = org_number("31001100")

# Self-registered users.
USER = SelfRegisteredUser(username="selma", name="Selma Selvregistrert", email="selma@example.no")
SMS_USER = SelfRegisteredUser(username="sigurd", name="Sigurd Sms", mobile="+4791111111")
EMPTY_USER = SelfRegisteredUser(username="tom", name="Tom Tom")


def make_registry(db: Database) -> SqlRegistry:
    registry = SqlRegistry(db)
    for person in (FULL, EMAIL_ONLY, MOBILE_ONLY, NO_CONTACT, RESERVED):
        registry.put_person(person)
    for organisation in (MAIN, SUB_UNIT, SUB_UNIT_WITH_EMAIL, ORPHAN_SUB_UNIT, EMAIL_ORG, MOBILE_ORG, EMPTY_ORG):
        registry.put_organisation(organisation)
    for user in (USER, SMS_USER, EMPTY_USER):
        registry.put_user(user)
    return registry


def make_catalog(db: Database) -> SqlCatalog:
    catalog = SqlCatalog(db)
    for owner in (TTD, ETT):
        catalog.put_owner(owner)
    catalog.put_system(AgencySystem("ttd-system", "ttd-password", "TTD"))
    catalog.put_system(AgencySystem("ett-system", "ett-password", "ETT"))
    for service in (SERVICE_A, SERVICE_B, SERVICE_ETT):
        catalog.put_service(service)
    for template in TEMPLATES:
        catalog.put_template(template)
    return catalog


@dataclass
class World:
    registry: SqlRegistry
    catalog: SqlCatalog
    clock: Clock
    engine: NotificationEngine

    def prepare(self, request: NotificationRequest, *, owner: ServiceOwner = TTD, rules: Rules = Rules(),
                linked_service: Service | None = None):
        return self.engine.prepare(owner, request, rules=rules, origin="test", linked_service=linked_service)


def make_world(db: Database, settings: NotificationSettings = NotificationSettings()) -> World:
    registry, catalog, clock = make_registry(db), make_catalog(db), Clock(frozen_at=NOW)
    return World(registry, catalog, clock, NotificationEngine(registry, catalog, clock, settings))


def endpoint(spec) -> EndPointRequest:
    """``"SMS"`` or ``("Email", "a@b.no")`` -> an EndPointRequest."""
    if isinstance(spec, EndPointRequest):
        return spec
    if isinstance(spec, tuple):
        return EndPointRequest(*spec)
    return EndPointRequest(spec)



def request(reportee, *endpoints, template="Plain", language=1044, tokens=("first", "second"),
            service: ServiceRef | None = None, **fields) -> NotificationRequest:
    """A valid NotificationRequest unless a test overrides a field; ``reportee`` may be an entity or a number."""
    number = reportee
    if isinstance(reportee, Person):
        number = reportee.ssn
    elif isinstance(reportee, Organisation):
        number = reportee.orgno
    elif isinstance(reportee, SelfRegisteredUser):
        number = reportee.username
    return NotificationRequest(
        reportee_number=number,
        notification_type=template,
        language=language,
        endpoints=[endpoint(e) for e in (endpoints or ("Email",))],
        text_tokens=None if tokens is None else list(tokens),
        service=service,
        **fields,
    )


# -- the embedded default seed (src/altinn_so/seed/default.yaml), for tests on a whole Emulator -------

OLA = "23917710120"        # e-mail and mobile in KRR, digital mailbox (digipost)
KARI = "05838520067"       # e-mail only, no digital mailbox
PER = "17856230120"        # reserved in KRR, e-mail and mobile
LISE = "30819040083"       # no contact data
HEMMELIG = "01879940008"   # strictly confidential address
DAGNY = "52888115005"      # D-number, mobile only
ORG = "310003018"          # Eksempel AS: e-mail, mobile, one contact person following 4255:10
ORG_BERGEN = "310004006"   # sub-unit of ORG without addresses
ORG_EMAIL = "310005002"    # e-mail only
ORG_EMPTY = "310006009"    # no addresses
SELF_REGISTERED = "selvreg_bruker"
TTD_ORGNO = "310001007"
ETT_ORGNO = "310002003"
ASF_TEMPLATE = ("2000", 1)           # ASF's correspondence-template service
TTD_MESSAGE = ("5678", "1")          # TTD's correspondence service "Melding fra Testdepartementet"
TTD_DPV = ("4255", "10")             # TTD's DPV correspondence service
TTD_FORM = ("5679", "1")             # TTD's form service: not a correspondence service
ETT_MESSAGE = ("9100", "1")          # ETT's correspondence service


def system_caller(emulator, username: str = "ttd-system", password: str | None = None) -> Caller:
    """A caller that logged in with an agency system's password (Basic/WS/EC)."""
    password = password or username.replace("system", "password")
    return emulator.authenticator.authenticate(username, password, mode=AuthMode.PASSWORD)


def owner_caller(emulator, code: str = "TTD") -> Caller:
    """An AEC caller: the service owner of a certificate, no agency system."""
    return Caller(owner=emulator.catalog.get_owner(code))


def pdf(file_name: str = "brev.pdf", data: bytes = b"%PDF-1.4 test", **fields) -> BinaryAttachment:
    return BinaryAttachment(file_name=file_name, name=fields.pop("name", file_name), data=data, **fields)


def correspondence(reportee: str | None = OLA, *, service=TTD_MESSAGE, reference: str | None = "ref-1",
                   system_user_code: str | None = "TTD_SAK", **fields) -> CorrespondenceRequest:
    """A valid InsertCorrespondence request unless a test overrides a field."""
    values = dict(service_code=service[0], service_edition=service[1], reportee=reportee,
                  senders_reference=reference, system_user_code=system_user_code, language="1044",
                  title="Tittel", summary="Sammendrag", body="Brødtekst")
    values.update(fields)
    return CorrespondenceRequest(**values)
