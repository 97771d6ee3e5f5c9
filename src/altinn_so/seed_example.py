"""``altinn-so seed example``: a commented seed file to start from, with identity numbers that pass their checks.

Every run draws fresh numbers: organisation numbers (nine digits, mod-11) and national identity numbers of
synthetic test persons (the month shifted by +80, as the national test data uses, with both mod-11 check
digits), so that a seed author never has to compute a check digit by hand.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .domain.ids import (is_national_id, is_organisation_number, with_national_id_check_digits,
                         with_organisation_check_digit)


def organisation_number(rng: random.Random, taken: set[str]) -> str:
    """A valid organisation number starting with 3 (the range test organisations use), not in ``taken``."""
    while True:
        number = with_organisation_check_digit("3" + "".join(rng.choice("0123456789") for _ in range(7)))
        if number and number not in taken and is_organisation_number(number):
            taken.add(number)
            return number


def synthetic_national_id(rng: random.Random, taken: set[str]) -> str:
    """The national identity number of a synthetic test person born 1940-1999 (month + 80)."""
    while True:
        born = date(1940, 1, 1) + timedelta(days=rng.randrange(60 * 365))
        individual = rng.randrange(0, 500)  # 000-499: born in the 1900s
        first_nine = f"{born.day:02d}{born.month + 80:02d}{born.year % 100:02d}{individual:03d}"
        number = with_national_id_check_digits(first_nine)
        if number and number not in taken and is_national_id(number):
            taken.add(number)
            return number


def example_seed(rng: random.Random | None = None) -> str:
    """The text of a valid seed file (YAML, with comments) that adds to the embedded default."""
    rng = rng or random.SystemRandom()
    orgs: set[str] = set()
    persons: set[str] = set()
    owner, company, unit = (organisation_number(rng, orgs) for _ in range(3))
    ola, kari, reserved = (synthetic_national_id(rng, persons) for _ in range(3))
    return f"""\
# A seed file for altinn-so (format: docs/seed-format.md), made by `altinn-so seed example`.
# Load it on top of the embedded default:   altinn-so serve --seed this-file.yaml
# or alone:                                  altinn-so serve --no-default-seed --seed this-file.yaml
# Every number below is freshly drawn and passes its mod-11 check: organisation numbers start with 3, national
# identity numbers belong to synthetic test persons (birth month + 80). Quote numbers: YAML reads digits with a
# leading zero as octal.
version: 1

service_owners:
  - code: XMP                       # the service owner code (three letters); SystemUserCode starts with it
    orgno: "{owner}"
    name: Eksempeletaten
    short_name: Eksempel            # SMS sender with UseServiceOwnerShortNameAsSenderOfSms (at most 11 characters)
    systems:                        # systemUserName / systemPassword of its agency systems
      - username: xmp-system
        password: xmp-password
    services:
      - code: "7001"                # ServiceCode / ServiceEdition of InsertCorrespondence and status queries
        edition: 1
        name: Melding fra Eksempeletaten
        kind: correspondence

templates:
  - name: XmpVarsel                 # the NotificationType a request names
    owner: XMP                      # only XMP may use it; leave out for every service owner
    reminder_days: 7                # a reminder seven days after the first notice
    languages:                      # 1044 Bokmål, 2068 Nynorsk, 1033 English
      1044:
        sms: "Ny melding fra $servicename$: {{0}}"
        email_subject: "{{0}}"
        email_body: "Hei $reporteeName$. {{1}}"

persons:
  - ssn: "{ola}"  # KRR e-mail and mobile: notified on both channels
    first_name: Ola
    last_name: Eksempel
    address: {{address1: Eksempelveien 1, postal_code: "0150", postal_area: OSLO}}
    email: ola.eksempel@example.no
    mobile: "+4791000001"
  - ssn: "{kari}"  # e-mail only: an SMS notification to her fails (ErrorID 30301)
    first_name: Kari
    last_name: Eksempel
    email: kari.eksempel@example.no
  - ssn: "{reserved}"  # reserved in KRR: reservable messages and notifications do not reach him
    first_name: Rolf
    last_name: Reservert
    reserved: true

organisations:
  - orgno: "{company}"
    name: Eksempel Handel AS
    emails: [post@handel.example]   # its official notification addresses
    mobiles: ["+4790000011"]
    contacts:                       # a contact person who follows service 7001/1 for the company
      - name: Siri Saksbehandler
        email: siri@handel.example
        services: ["7001:1"]
  - orgno: "{unit}"
    name: Eksempel Handel AS avd. Bergen
    parent: "{company}"  # a sub-unit without addresses: notifications go to the main unit's
"""
