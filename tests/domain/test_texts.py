"""Token substitution and macros (docs/behaviour/notifications.md)."""

from __future__ import annotations

from datetime import date

import pytest

from altinn_so.domain.notifications.model import Channel, ServiceRef
from altinn_so.domain.notifications.texts import (MacroContext, expand_macros, format_birth_date,
                                                  substitute_tokens)
from altinn_so.domain.registry import Person, PostalAddress
from altinn_so.store.database import open_database

from .factories import (EMAIL_ONLY, FULL, MAIN, SERVICE_A, SMS_USER, USER, make_catalog, make_world, national_id,
                        request)

CATALOG = make_catalog(open_database(":memory:"))  # macros read service names from the catalog


def ctx(reportee=FULL, language=1044, linked=None) -> MacroContext:
    return MacroContext(reportee=reportee, language=language, linked_service=linked,
                        find_service=CATALOG.get_service)


# -- tokens ----------------------------------------------------------------------------------------

class TestTokens:
    def test_tokens_fill_placeholders_in_document_order(self):
        assert substitute_tokens("{0}-{1}-{2}", ["a", "b", "c"]) == ("a-b-c", set())

    def test_placeholder_may_repeat_and_appear_out_of_order(self):
        assert substitute_tokens("{1} {0} {1}", ["x", "y"]) == ("y x y", set())

    def test_missing_token_leaves_placeholder_and_is_reported(self):
        assert substitute_tokens("{0} and {1} and {3}", ["only"]) == ("only and {1} and {3}", {1, 3})

    def test_no_tokens_at_all(self):
        assert substitute_tokens("Hello {0}", []) == ("Hello {0}", {0})

    def test_surplus_tokens_are_ignored(self):
        assert substitute_tokens("{0}", ["a", "b", "c"]) == ("a", set())

    def test_empty_token_value_is_allowed(self):
        assert substitute_tokens("[{0}]", [""]) == ("[]", set())

    def test_token_values_are_not_substituted_again(self):
        assert substitute_tokens("{0}|{1}", ["{1}", "b"]) == ("{1}|b", set())

    def test_regex_specials_in_values_are_literal(self):
        assert substitute_tokens("{0}", [r"\1 \g<0> $1"]) == (r"\1 \g<0> $1", set())

    @pytest.mark.parametrize("text", ["{a}", "{-1}", "{ 0 }", "{{}}", "{}"])
    def test_other_braces_are_left_alone(self, text):
        assert substitute_tokens(text, ["X"]) == (text, set())

    def test_multi_digit_index(self):
        tokens = [str(i) for i in range(12)]
        assert substitute_tokens("{10}{11}", tokens) == ("1011", set())


# -- macros ----------------------------------------------------------------------------------------

class TestPersonMacros:
    @pytest.mark.parametrize("macro, value", [
        ("$reporteeFirstName$", "Ola"),
        ("$reporteeMiddleName$", "Testmann"),
        ("$reporteeLastName$", "Nordmann"),
        ("$reporteeName$", "Ola Testmann Nordmann"),
        ("$reporteeNumber$", ""),                       # documented: empty for a person
        ("$reporteeBirthDay$", "23"),
        ("$reporteeBirthMonth$", "11"),
        ("$reporteeBirthYear$", "1977"),
        ("$reporteePostalCode$", "0155"),
        ("$reporteePostalArea$", "OSLO"),
        ("$reporteePostalAddress1$", "Storgata 1"),
        ("$reporteePostalAddress2$", ""),
        ("$reporteePostalAddress3$", ""),
        ("$reporteeEmail$", "ola@example.no"),
        ("$reporteeMobileNumber$", "+4791234567"),
    ])
    def test_macro(self, macro, value):
        assert expand_macros(f"<{macro}>", ctx()) == f"<{value}>"

    def test_all_address_lines(self):
        person = Person(ssn=FULL.ssn, first_name="A", last_name="B",
                        address=PostalAddress("Linje 1", "Linje 2", "Linje 3", "9999", "STED"))
        text = "$reporteePostalAddress1$/$reporteePostalAddress2$/$reporteePostalAddress3$"
        assert expand_macros(text, ctx(person)) == "Linje 1/Linje 2/Linje 3"

    def test_name_without_middle_name(self):
        assert expand_macros("$reporteeName$|$reporteeMiddleName$", ctx(EMAIL_ONLY)) == "Kari Epost|"

    def test_missing_contact_data_is_empty(self):
        assert expand_macros("[$reporteeMobileNumber$]", ctx(EMAIL_ONLY)) == "[]"

    def test_explicit_birth_date_wins_over_the_number(self):
        person = Person(ssn=FULL.ssn, first_name="A", last_name="B", birth_date=date(1980, 1, 2))
        assert expand_macros("$reporteeBirthDay(yyyy-mm-dd)$ $reporteeBirthYear$", ctx(person)) == "1980-01-02 1980"

    def test_birth_date_from_a_d_number(self):
        person = Person(ssn=national_id(date(1981, 8, 12), dnr=True), first_name="D", last_name="N")
        assert expand_macros("$reporteeBirthDay(dd.mm.yyyy)$", ctx(person)) == "12.08.1981"

    def test_several_macros_in_one_text(self):
        text = "Hei $reporteeFirstName$ $reporteeLastName$, født $reporteeBirthDay(dd.mm.yyyy)$."
        assert expand_macros(text, ctx()) == "Hei Ola Nordmann, født 23.11.1977."

    def test_adjacent_macros(self):
        assert expand_macros("$reporteeFirstName$$reporteeLastName$", ctx()) == "OlaNordmann"


class TestBirthDayFormat:
    @pytest.mark.parametrize("fmt, expected", [
        ("yyyy-mm-dd", "1977-11-23"),   # the example in docs/behaviour/notifications.md
        ("dd/mm/yy", "23/11/77"),
        ("yy/dd/mm", "77/23/11"),
        ("dd.mm", "23.11"),
        ("dd.mm.yyyy", "23.11.1977"),
        ("yyyymmdd", "19771123"),
        ("mm", "11"),
        ("yy", "77"),
        ("dd. mm. yyyy kl", "23. 11. 1977 kl"),  # other letters are literal
    ])
    def test_formats(self, fmt, expected):
        assert expand_macros(f"$reporteeBirthDay({fmt})$", ctx()) == expected

    def test_format_function_pads(self):
        assert format_birth_date(date(2005, 1, 2), "dd/mm/yy yyyy") == "02/01/05 2005"

    def test_no_birth_date_gives_empty_text(self):
        assert expand_macros("[$reporteeBirthDay(dd.mm.yyyy)$]", ctx(MAIN)) == "[]"
        assert expand_macros("[$reporteeBirthDay$$reporteeBirthMonth$$reporteeBirthYear$]", ctx(MAIN)) == "[]"


class TestOrganisationAndUserMacros:
    @pytest.mark.parametrize("macro, value", [
        ("$reporteeName$", "Eksempel AS"),
        ("$reporteeNumber$", MAIN.orgno),
        ("$reporteeFirstName$", ""),
        ("$reporteeMiddleName$", ""),
        ("$reporteeLastName$", ""),
        ("$reporteePostalAddress1$", "Kaigata 10"),
        ("$reporteePostalCode$", "0150"),
        ("$reporteePostalArea$", "OSLO"),
        ("$reporteeEmail$", "post@eksempel.example"),    # the first official address
        ("$reporteeMobileNumber$", "+4790000001"),
    ])
    def test_organisation(self, macro, value):
        assert expand_macros(f"<{macro}>", ctx(MAIN)) == f"<{value}>"

    @pytest.mark.parametrize("macro, value", [
        ("$reporteeName$", "Selma Selvregistrert"),
        ("$reporteeNumber$", ""),
        ("$reporteeEmail$", "selma@example.no"),
        ("$reporteeMobileNumber$", ""),
        ("$reporteePostalCode$", ""),
        ("$reporteeBirthYear$", ""),
    ])
    def test_self_registered_user(self, macro, value):
        assert expand_macros(f"<{macro}>", ctx(USER)) == f"<{value}>"

    def test_user_mobile(self):
        assert expand_macros("$reporteeMobileNumber$", ctx(SMS_USER)) == "+4791111111"


class TestServiceNameMacros:
    def test_linked_service(self):
        assert expand_macros("$servicename$", ctx(linked=SERVICE_A)) == "Tjeneste A"

    def test_linked_service_in_the_notification_language(self):
        assert expand_macros("$servicename$", ctx(linked=SERVICE_A, language=1033)) == "Service A"
        assert expand_macros("$servicename$", ctx(linked=SERVICE_A, language=2068)) == "Tjeneste A"

    def test_no_linked_service_gives_empty_text(self):
        assert expand_macros("[$servicename$]", ctx()) == "[]"

    def test_explicit_service(self):
        assert expand_macros("$servicename|SC:1000|SEC:2$", ctx()) == "Tjeneste A, utgave 2"
        assert expand_macros("$servicename|SC:1000|SEC:1$", ctx(language=1033)) == "Service A"

    def test_explicit_service_wins_over_the_linked_one(self):
        text = "$servicename$ / $servicename|SC:1000|SEC:2$"
        assert expand_macros(text, ctx(linked=SERVICE_A)) == "Tjeneste A / Tjeneste A, utgave 2"

    @pytest.mark.parametrize("macro", ["$servicename|SC:9999|SEC:1$", "$servicename|SC:1000|SEC:99$",
                                       "$servicename|SC:1000|SEC:x$", "$servicename|SC:1000|SEC:$"])
    def test_unknown_explicit_service_gives_empty_text(self, macro):
        assert expand_macros(f"[{macro}]", ctx()) == "[]"


class TestMacroSyntax:
    @pytest.mark.parametrize("text", [
        "$reporteename$",                         # case-sensitive
        "$ReporteeName$",
        "$REPORTEEFIRSTNAME$",
        "$ServiceName$",
        "$servicename|sc:1000|sec:1$",
        "$reporteebirthday(dd.mm)$",
        "$ReporteeBirthDay(dd.mm)$",
    ])
    def test_macros_are_case_sensitive(self, text):
        assert expand_macros(text, ctx(linked=SERVICE_A)) == text

    @pytest.mark.parametrize("text", ["$unknownMacro$", "$reporteeShoeSize$", "$foo$ and $bar$"])
    def test_unknown_macros_are_left_alone(self, text):
        assert expand_macros(text, ctx()) == text

    def test_unknown_macro_next_to_a_known_one(self):
        assert expand_macros("$nope$ $reporteeFirstName$", ctx()) == "$nope$ Ola"

    @pytest.mark.parametrize("text", ["Pris: 100 $", "$ 5 $", "$$", "US$ 10 and $reporteeFirstName", "$$$"])
    def test_lone_dollars_are_text(self, text):
        assert expand_macros(text, ctx()) == text

    def test_text_without_dollar_is_untouched(self):
        assert expand_macros("Hei {0}", ctx()) == "Hei {0}"

    def test_macro_values_are_not_expanded_again(self):
        person = Person(ssn=FULL.ssn, first_name="$reporteeLastName$", last_name="Nordmann")
        assert expand_macros("$reporteeFirstName$", ctx(person)) == "$reporteeLastName$"


# -- through the engine: tokens first, then macros -------------------------------------------------

class TestRendering:
    def test_token_values_may_contain_macros(self, db):
        world = make_world(db)
        outcome = world.prepare(request(FULL, "Email", template="Plain",
                                        tokens=["$reporteeFirstName$", "født $reporteeBirthDay(dd.mm.yy)$"]))
        (message,) = outcome.messages
        assert message.subject == "Subject Ola"
        assert message.body == "Body født 23.11.77"

    def test_macros_in_templates_use_the_linked_service_and_language(self, db):
        world = make_world(db)
        outcome = world.prepare(request(FULL, "Email", "SMS", template="Macros", language=1033, tokens=["x"]),
                                linked_service=SERVICE_A)
        by_channel = {m.channel: m for m in outcome.messages}
        assert by_channel[Channel.EMAIL].subject == "Til Ola Testmann Nordmann"
        assert by_channel[Channel.EMAIL].body == "Service A|x"
        assert by_channel[Channel.SMS].body == "Hei Ola x"

    def test_the_standalone_service_filter_is_the_service_of_servicename(self, db):
        world = make_world(db)
        outcome = world.prepare(request(MAIN, "Email", template="Macros", tokens=["x"],
                                        service=ServiceRef("1000", 2)))
        assert {m.body for m in outcome.messages} == {"Tjeneste A, utgave 2|x"}

    def test_missing_tokens_are_reported_per_message(self, db):
        world = make_world(db)
        outcome = world.prepare(request(FULL, "Email", "SMS", template="Plain", tokens=["only"]))
        by_channel = {m.channel: m for m in outcome.messages}
        assert by_channel[Channel.EMAIL].body == "Body {1}"
        assert by_channel[Channel.EMAIL].missing_tokens == (1,)
        assert by_channel[Channel.SMS].body == "SMS only"
        assert by_channel[Channel.SMS].missing_tokens == ()

    def test_missing_tokens_in_subject_and_body_are_collected_sorted(self, db):
        world = make_world(db)
        outcome = world.prepare(request(FULL, "Email", template="Plain", tokens=None))
        assert outcome.messages[0].missing_tokens == (0, 1)
        assert outcome.messages[0].subject == "Subject {0}"


def test_a_confidential_address_is_never_revealed_by_macros():
    hidden = Person("23917710120", "Ola", "Nordmann", address=PostalAddress("Hemmelig vei 1", postal_code="0001",
                                                                            postal_area="OSLO"),
                    confidential_address=True)
    context = MacroContext(hidden, 1044, None, lambda code, edition: None)
    text = "$reporteePostalAddress1$|$reporteePostalCode$|$reporteePostalArea$|$reporteeName$"
    assert expand_macros(text, context) == "|||Ola Nordmann"
