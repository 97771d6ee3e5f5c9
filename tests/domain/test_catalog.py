"""Service owners, agency systems, services and notification templates."""

from __future__ import annotations

import pytest

from altinn_so.domain.catalog import (LANGUAGES, AgencySystem, NotificationTemplate, Service, ServiceOwner,
                                      TemplateText)

from .factories import SERVICE_A, TEMPLATES, TTD


class TestServiceOwner:
    @pytest.mark.parametrize("short_name, sender", [
        ("TTD", "TTD"), ("NAV", "NAV"), ("Etaten", "Etaten"), ("A1b2C3d4E5f", "A1b2C3d4E5f"),
        (None, None), ("", None), ("Twelve_chars", None), ("TwelveChars1", None), ("Test dep", None),
        ("Tøy", None), ("NAV-IT", None),
    ])
    def test_sms_sender_name_is_at_most_11_letters_and_digits(self, short_name, sender):
        owner = ServiceOwner(code="TTD", orgno=TTD.orgno, name="x", short_name=short_name)
        assert owner.sms_sender_name == sender

    def test_round_trip(self):
        assert ServiceOwner.from_dict(TTD.to_dict()) == TTD
        plain = ServiceOwner(code="X", orgno=TTD.orgno, name="X")
        assert ServiceOwner.from_dict(plain.to_dict()) == plain and "short_name" not in plain.to_dict()

    def test_invalid_orgno(self):
        with pytest.raises(ValueError, match="not a valid organisation number"):
            ServiceOwner.from_dict({"code": "TTD", "orgno": "310001008"})


class TestAgencySystem:
    def test_owner_from_the_enclosing_entry(self):
        system = AgencySystem.from_dict({"username": "u", "password": "p"}, owner="TTD")
        assert (system.owner, system.system_user_code_prefix) == ("TTD", "TTD")

    def test_explicit_owner_and_prefix(self):
        system = AgencySystem.from_dict({"username": "u", "password": "p", "owner": "ETT",
                                         "system_user_code_prefix": "ETT_X"}, owner="TTD")
        assert (system.owner, system.system_user_code_prefix) == ("ETT", "ETT_X")

    def test_no_owner(self):
        with pytest.raises(ValueError, match="no owner"):
            AgencySystem.from_dict({"username": "u", "password": "p"})

    def test_round_trip(self):
        system = AgencySystem("u", "p", "TTD", "TTD_A")
        assert AgencySystem.from_dict(system.to_dict()) == system


class TestService:
    def test_name_per_language_with_fallback(self):
        assert SERVICE_A.name_in(1033) == "Service A"
        assert SERVICE_A.name_in(1044) == "Tjeneste A"
        assert SERVICE_A.name_in(2068) == "Tjeneste A"
        assert SERVICE_A.name_in(None) == "Tjeneste A"

    def test_round_trip(self):
        assert Service.from_dict(SERVICE_A.to_dict()) == SERVICE_A

    def test_defaults(self):
        service = Service.from_dict({"code": 4255, "edition": "10", "owner": "TTD"})
        assert (service.code, service.edition, service.kind, service.name) == ("4255", 10, "correspondence", "")


class TestTemplates:
    def test_languages(self):
        assert set(LANGUAGES) == {1033, 1044, 2068}

    @pytest.mark.parametrize("text, has_email", [
        (TemplateText(sms="x"), False),
        (TemplateText(email_body="b"), True),
        (TemplateText(email_subject="s"), True),
        (TemplateText(email_subject="", email_body=""), True),
        (TemplateText(), False),
    ])
    def test_has_email(self, text, has_email):
        assert text.has_email is has_email

    def test_shared_template_is_available_to_every_owner(self):
        template = NotificationTemplate("T", {})
        assert template.available_to("TTD") and template.available_to("ETT")

    def test_owned_template_only_to_its_owner(self):
        template = NotificationTemplate("T", {}, owner="TTD")
        assert template.available_to("TTD") and not template.available_to("ETT")

    @pytest.mark.parametrize("template", TEMPLATES, ids=lambda t: t.name)
    def test_round_trip(self, template):
        assert NotificationTemplate.from_dict(template.to_dict()) == template

    def test_unknown_language(self):
        with pytest.raises(ValueError, match="unknown language 1083"):
            NotificationTemplate.from_dict({"name": "T", "languages": {1083: {"sms": "x"}}})

    def test_language_keys_may_be_text(self):
        template = NotificationTemplate.from_dict({"name": "T", "languages": {"1044": {"sms": "x"}}})
        assert template.texts == {1044: TemplateText(sms="x")}

    def test_no_reminder_by_default(self):
        assert NotificationTemplate.from_dict({"name": "T"}).reminder_days is None
        assert NotificationTemplate.from_dict({"name": "T", "reminder_days": "7"}).reminder_days == 7
