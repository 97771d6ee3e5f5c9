"""Agency-system authentication (docs/behaviour/faults-and-auth.md): 989 vs 5, certificates, lock-out and its expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest

from altinn_so.domain.auth import (LOCKED_OUT, MISSING_CREDENTIALS, WRONG_CREDENTIALS, AuthMode, LockoutPolicy,
                                   SystemAuthenticator)
from altinn_so.domain.catalog import AgencySystem
from altinn_so.domain.clock import Clock
from altinn_so.domain.errors import AltinnError, ErrorCode

from altinn_so.store.database import open_database
from altinn_so.store.repositories import SqlLockouts

from .factories import ETT, NOW, TTD, make_catalog

PASSWORD = AuthMode.PASSWORD
CERT_PW = AuthMode.CERTIFICATE_AND_PASSWORD
CERT = AuthMode.CERTIFICATE


class Setup:
    def __init__(self, db, policy: LockoutPolicy = LockoutPolicy()):
        self.db = db
        self.catalog = make_catalog(db)
        self.lockouts = SqlLockouts(db)
        self.clock = Clock(frozen_at=NOW)
        self.auth = SystemAuthenticator(self.catalog, self.lockouts, self.clock, policy)

    def login(self, username="ttd-system", password="ttd-password", mode=PASSWORD, cert=None):
        return self.auth.authenticate(username, password, mode=mode, certificate_orgno=cert)

    def fail(self, *args, **kwargs) -> AltinnError:
        with pytest.raises(AltinnError) as caught:
            self.login(*args, **kwargs)
        return caught.value

    def wrong(self, times, mode=PASSWORD, cert=None):
        for _ in range(times):
            assert self.fail(password="wrong", mode=mode, cert=cert).message == WRONG_CREDENTIALS


@pytest.fixture
def s(db):
    return Setup(db)


class TestPassword:
    def test_success_names_owner_and_system(self, s):
        caller = s.login()
        assert caller.owner == TTD
        assert caller.system.username == "ttd-system"

    def test_each_system_maps_to_its_owner(self, s):
        assert s.login("ett-system", "ett-password").owner == ETT

    @pytest.mark.parametrize("username, password", [(None, "ttd-password"), ("", "ttd-password"),
                                                    ("ttd-system", None), ("ttd-system", ""), (None, None)])
    @pytest.mark.parametrize("mode", [PASSWORD, CERT_PW])
    def test_missing_credentials_are_always_989(self, s, username, password, mode):
        error = s.fail(username, password, mode=mode, cert=TTD.orgno)
        assert error.error_id == ErrorCode.EXTERNAL_SYSTEM_AUTHENTICATION == 989
        assert error.message == MISSING_CREDENTIALS

    def test_wrong_password_is_989(self, s):
        error = s.fail(password="wrong")
        assert (error.error_id, error.message) == (989, WRONG_CREDENTIALS)
        assert error.message == "Incorrect username/password/pin given for user"

    def test_unknown_system_is_989(self, s):
        assert s.fail("nobody", "x").error_id == 989

    def test_password_is_case_sensitive(self, s):
        assert s.fail(password="TTD-PASSWORD").error_id == 989

    def test_password_of_another_system_is_wrong(self, s):
        assert s.fail("ttd-system", "ett-password").error_id == 989


class TestCertificate:
    def test_certificate_and_password_success(self, s):
        caller = s.login(mode=CERT_PW, cert=TTD.orgno)
        assert caller.owner == TTD and caller.system.username == "ttd-system"

    def test_wrong_password_with_certificate_is_5(self, s):
        error = s.fail(password="wrong", mode=CERT_PW, cert=TTD.orgno)
        assert (error.error_id, error.message) == (ErrorCode.NOT_AUTHORIZED, WRONG_CREDENTIALS)
        assert error.error_id == 5

    def test_unknown_system_with_certificate_is_5(self, s):
        assert s.fail("nobody", "x", mode=CERT_PW, cert=TTD.orgno).error_id == 5

    def test_no_certificate_on_a_certificate_endpoint_is_5(self, s):
        error = s.fail(mode=CERT_PW, cert=None)
        assert error.error_id == 5 and "requires a valid enterprise certificate" in error.message

    def test_no_certificate_is_refused_before_the_password_is_checked(self, s):
        for _ in range(6):
            error = s.fail(password="wrong", mode=CERT_PW, cert=None)
            assert error.error_id == 5 and "requires a valid enterprise certificate" in error.message
        assert s.db.query("SELECT COUNT(*) FROM lockouts") == [(0,)]
        assert s.login().owner == TTD

    def test_certificate_of_another_organisation_is_5(self, s):
        error = s.fail(mode=CERT_PW, cert=ETT.orgno)
        assert error.error_id == 5
        assert ETT.orgno in error.message

    def test_certificate_only_success(self, s):
        caller = s.login(None, None, mode=CERT, cert=ETT.orgno)
        assert caller.owner == ETT and caller.system is None

    def test_certificate_only_ignores_body_credentials(self, s):
        assert s.login("whatever", "wrong", mode=CERT, cert=TTD.orgno).owner == TTD

    def test_certificate_only_without_certificate_is_5(self, s):
        assert s.fail(None, None, mode=CERT, cert=None).error_id == 5

    def test_certificate_of_a_non_service_owner_is_5(self, s):
        error = s.fail(None, None, mode=CERT, cert="310003018")
        assert error.error_id == 5 and "310003018" in error.message

    def test_system_whose_owner_is_missing_is_5(self, s):
        s.catalog.put_system(AgencySystem("orphan", "pw", "XXX"))
        assert s.fail("orphan", "pw").error_id == 5


class TestLockout:
    def test_policy_defaults(self):
        assert LockoutPolicy() == LockoutPolicy(max_failures=5, duration=timedelta(minutes=15))

    def test_four_failures_do_not_lock(self, s):
        s.wrong(4)
        assert s.login().owner == TTD

    def test_fifth_failure_locks_even_the_right_password(self, s):
        s.wrong(5)
        error = s.fail()
        assert (error.error_id, error.message) == (989, LOCKED_OUT)

    def test_lock_out_with_certificate_is_5(self, s):
        s.wrong(5, mode=CERT_PW, cert=TTD.orgno)
        error = s.fail(mode=CERT_PW, cert=TTD.orgno)
        assert (error.error_id, error.message) == (5, LOCKED_OUT)

    def test_failures_count_across_modes(self, s):
        s.wrong(3)
        s.wrong(2, mode=CERT_PW, cert=TTD.orgno)
        assert s.fail().message == LOCKED_OUT
        assert s.fail(mode=CERT_PW, cert=TTD.orgno).error_id == 5

    def test_lock_lasts_15_minutes(self, s):
        s.wrong(5)
        s.clock.advance(timedelta(minutes=15) - timedelta(seconds=1))
        assert s.fail().message == LOCKED_OUT
        s.clock.advance(timedelta(seconds=1))
        assert s.login().owner == TTD

    def test_attempts_while_locked_do_not_extend_the_lock(self, s):
        s.wrong(5)
        for _ in range(3):
            s.clock.advance(timedelta(minutes=4))
            assert s.fail(password="wrong").message == LOCKED_OUT
        s.clock.advance(timedelta(minutes=3))   # 15 minutes after the fifth failure
        assert s.login().owner == TTD

    def test_after_expiry_the_count_starts_again(self, s):
        s.wrong(5)
        s.clock.advance(timedelta(minutes=16))
        s.wrong(4)
        assert s.login().owner == TTD

    def test_after_expiry_five_new_failures_lock_again(self, s):
        s.wrong(5)
        s.clock.advance(timedelta(minutes=16))
        s.wrong(5)
        assert s.fail().message == LOCKED_OUT

    def test_success_resets_the_count(self, s):
        s.wrong(4)
        s.login()
        assert s.lockouts.get_lockout("ttd-system") == (0, None)
        s.wrong(4)
        assert s.login().owner == TTD

    def test_lock_is_per_system(self, s):
        s.wrong(5)
        assert s.login("ett-system", "ett-password").owner == ETT

    def test_unknown_systems_are_not_counted(self, s):
        for _ in range(6):
            s.fail("nobody", "x")
        assert s.db.query("SELECT COUNT(*) FROM lockouts") == [(0,)]

    def test_missing_password_is_not_counted(self, s):
        for _ in range(6):
            s.fail(password="")
        assert s.login().owner == TTD

    def test_lock_records_the_expiry(self, s):
        s.wrong(5)
        assert s.lockouts.get_lockout("ttd-system") == (5, NOW + timedelta(minutes=15))

    def test_custom_policy(self, db):
        s = Setup(db, LockoutPolicy(max_failures=2, duration=timedelta(seconds=30)))
        s.wrong(2)
        assert s.fail().message == LOCKED_OUT
        s.clock.advance(timedelta(seconds=30))
        assert s.login().owner == TTD

    def test_lock_out_through_the_emulator_store(self, emulator):
        auth = emulator.authenticator
        for _ in range(5):
            with pytest.raises(AltinnError):
                auth.authenticate("ttd-system", "wrong", mode=PASSWORD)
        with pytest.raises(AltinnError) as caught:
            auth.authenticate("ttd-system", "ttd-password", mode=PASSWORD)
        assert caught.value.message == LOCKED_OUT
        emulator.clock.advance(timedelta(minutes=15))
        assert auth.authenticate("ttd-system", "ttd-password", mode=PASSWORD).owner.code == "TTD"

    def test_a_success_does_not_lift_a_lock_out_set_meanwhile_on_another_worker(self, s):
        s.wrong(4)
        stale = s.lockouts.get_lockout("ttd-system")  # what this worker read before the other's fifth failure
        s.wrong(1)  # the other worker's failure locks the system

        class ReadBeforeTheLock:
            get_lockout = staticmethod(lambda username: stale)
            update_lockout = staticmethod(s.lockouts.update_lockout)

        auth = SystemAuthenticator(s.catalog, ReadBeforeTheLock(), s.clock)
        with pytest.raises(AltinnError) as caught:
            auth.authenticate("ttd-system", "ttd-password", mode=PASSWORD)
        assert caught.value.message == LOCKED_OUT
        assert s.lockouts.get_lockout("ttd-system") == (5, NOW + timedelta(minutes=15))

    def test_failures_on_several_workers_all_count(self, db, persistent_url):
        """Two processes' failed logins add up (the count is read and written atomically)."""
        first, second = Setup(open_database(persistent_url)), Setup(open_database(persistent_url))
        try:
            for _ in range(2):
                first.wrong(1)
                second.wrong(1)
            first.wrong(1)  # the fifth failure, counted across both
            second.db.refresh()  # as each request does: the second process sees the lock-out
            assert second.fail().message == LOCKED_OUT
        finally:
            first.db.close()
            second.db.close()
