"""CreateSimpleCorrespondenceService (docs/behaviour/correspondence.md): a new correspondence service owned by the caller,
cloned from a correspondence(-template) service."""

from __future__ import annotations

import pytest

from altinn_so.domain.auth import Caller
from altinn_so.domain.catalog import Service
from altinn_so.services.correspondence.rules.simple_service import FIRST_CODE, create_simple_service
from altinn_so.domain.errors import AltinnError

from .factories import ETT_MESSAGE, correspondence, make_catalog, owner_caller, system_caller


def create(emulator, code="2000", edition=1, *, caller=None) -> Service:
    return emulator.correspondence.create_simple_service(caller or system_caller(emulator), code, edition)


def create_fails(emulator, code, edition) -> AltinnError:
    with pytest.raises(AltinnError) as caught:
        create(emulator, code, edition)
    return caught.value


class TestCreate:
    def test_from_the_asf_template(self, emulator):
        service = create(emulator)
        assert service == Service(code="100001", edition=1, owner="TTD", kind="correspondence",
                                  name="Enkel meldingstjeneste – Testdepartementet", names={})
        assert emulator.catalog.get_service("100001", 1) == service

    def test_codes_count_up(self, emulator):
        assert [create(emulator).code for _ in range(3)] == ["100001", "100002", "100003"]
        assert FIRST_CODE == 100_000

    def test_taken_codes_are_skipped(self, emulator):
        emulator.catalog.put_service(Service("100001", 1, "ETT", "Opptatt"))
        emulator.catalog.put_service(Service("100002", 1, "ETT", "Opptatt"))
        assert create(emulator).code == "100003"
        assert emulator.catalog.get_service("100001", 1).owner == "ETT"

    def test_an_ordinary_correspondence_service_is_no_template(self, emulator):
        with pytest.raises(AltinnError) as caught:
            create(emulator, "5678", 1)
        assert caught.value.error_id == 40013

    def test_owned_by_the_caller(self, emulator):
        service = create(emulator, caller=system_caller(emulator, "ett-system"))
        assert (service.owner, service.name) == ("ETT", "Enkel meldingstjeneste – Etaten for testing")
        aec = create(emulator, caller=owner_caller(emulator, "TTD"))
        assert aec.owner == "TTD"

    def test_the_new_service_takes_correspondence(self, emulator):
        service = create(emulator)
        receipt = emulator.correspondence.insert(system_caller(emulator),
                                                 correspondence(service=(service.code, str(service.edition))))
        assert receipt.status.value == "OK"
        ett = system_caller(emulator, "ett-system")
        with pytest.raises(AltinnError) as caught:
            emulator.correspondence.insert(ett, correspondence(service=(service.code, "1"), system_user_code="ETT"))
        assert caught.value.error_id == 5


class TestErrors:
    @pytest.mark.parametrize("code", [None, ""])
    def test_template_code_is_required(self, emulator, code):
        assert create_fails(emulator, code, 1).error_id == 40006

    @pytest.mark.parametrize("code, edition", [("2000", 2), ("9999", 1), ("2000", None), ("2000", 0)])
    def test_template_must_exist(self, emulator, code, edition):
        assert create_fails(emulator, code, edition).error_id == 40013

    def test_template_must_be_a_correspondence_service(self, emulator):
        assert create_fails(emulator, "5679", 1).error_id == 40013

    def test_a_failure_uses_no_code(self, emulator):
        create_fails(emulator, "5679", 1)
        assert create(emulator).code == "100001"


def test_the_function_on_its_own(db):
    catalog = make_catalog(db)
    catalog.put_service(Service("2000", 1, "TTD", "Mal", kind="correspondence-template", names={1033: "Service A"}))
    numbers = iter(range(1, 10))
    caller = Caller(owner=catalog.get_owner("ETT"))
    service = create_simple_service(catalog, lambda: next(numbers), caller, "2000", 1)
    assert (service.code, service.edition, service.owner) == ("100001", 1, "ETT")
    assert service.names == {1033: "Service A"}
    assert catalog.get_service("100001", 1) == service
    catalog.put_service(Service("100003", 1, "TTD", "x"))
    assert create_simple_service(catalog, lambda: next(numbers), caller, "2000", 1).code == "100002"
    assert create_simple_service(catalog, lambda: next(numbers), caller, "2000", 1).code == "100004"


def test_another_owners_service_is_no_template(emulator):
    """Only Altinn's template services (kind correspondence-template) can be cloned."""
    with pytest.raises(AltinnError) as caught:
        create(emulator, ETT_MESSAGE[0], int(ETT_MESSAGE[1]))
    assert caught.value.error_id == 40013
