"""``--admin-token``: every admin call but health and readiness needs it, as a Bearer header or as the page's
login cookie; a call without it, or with a wrong one, changes nothing and gets 401 with a JSON reason."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
import requests

from altinn_so.app import EmulatorApp
from altinn_so.domain.clock import Clock
from altinn_so.emulator import Emulator
from altinn_so.seeding import compose_seed
from altinn_so.services import SERVICES

from .helpers import KARI, OLA, prefill

TOKEN = "s3cret-admin-token"
TEST_NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SEED = compose_seed(services=SERVICES)
JSON = "application/json; charset=utf-8"
PAGES = ["/", "/data", "/enduser", "/push"]  # the web pages (the push page is a service's)
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")
_SAMPLES = ("1", "x", "AR1", "TTD", "ttd-system", "x.txt")


@pytest.fixture
def guarded(base_url, _server, emulator) -> str:
    """The test server (after ``base_url`` plugged its unguarded app in), its admin API guarded by ``TOKEN``."""
    served, url = _server
    served.app = EmulatorApp(emulator, admin_token=TOKEN)
    return url


def _sample_path(pattern: str) -> str:
    """A path the route ``pattern`` (``^/x/(?P<id>\\d{1,18})/?$``) matches: each group filled with a sample."""
    body = pattern.removeprefix("^").removesuffix("/?$")
    out, index = [], 0
    while (match := _GROUP.search(body, index)) is not None:
        out.append(body[index:match.start()])
        depth, end = 1, match.end()
        while depth:  # to the group's closing parenthesis
            depth += {"(": 1, ")": -1}.get(body[end], 0)
            end += 1
        group = body[match.end():end - 1]
        out.append(next(sample for sample in (*_SAMPLES, *group.split("|")) if re.fullmatch(group, sample)))
        index = end
    out.append(body[index:])
    path = "".join(out).replace("\\", "")
    assert re.fullmatch(pattern, path), (pattern, path)
    return path


def _every_route(app: EmulatorApp) -> list[tuple[str, str]]:
    routes = [(method, _sample_path(pattern)) for method, pattern in app.admin.route_table()]
    routes += [(method, page) for page in PAGES for method in ("GET", "HEAD")] + [("POST", "/enduser")]
    return [(method, path) for method, path in routes if path.rstrip("/") not in ("/health", "/ready")]


def test_the_route_table_holds_the_core_and_the_services_routes(emulator):
    table = set(EmulatorApp(emulator).admin.route_table())
    assert {("POST", "^/reset/?$"), ("GET", "^/journal/?$"), ("POST", "^/clock/advance/?$")} <= table
    services = {(extra.method, f"^{extra.pattern}/?$") for service in emulator.services
                for extra in service.admin_routes}
    assert len(services) > 10 and services <= table


def test_every_admin_route_is_refused_without_the_token_and_with_a_wrong_one(guarded, emulator):
    app = EmulatorApp(emulator)
    http = requests.Session()
    refused = 0
    for method, path in _every_route(app):
        for headers in ({}, {"Authorization": "Bearer wrong-token"}, {"Authorization": f"Basic {TOKEN}"},
                        {"Authorization": "Bearer"}, {"Cookie": "altinn_so_admin=forged"}):
            response = http.request(method, f"{guarded}/_admin{path}", headers=headers, timeout=10,
                                    allow_redirects=False)
            assert response.status_code == 401, (method, path, headers, response.status_code, response.text[:300])
            assert response.headers["WWW-Authenticate"].startswith('Bearer realm="altinn-so admin"')
            if method != "HEAD":
                assert response.headers["Content-Type"] == JSON, (method, path)
                reason = response.json()
                assert list(reason) == ["error"] and reason["error"], reason
            refused += 1
    assert refused == 5 * len(_every_route(app))


def test_the_reasons_say_what_was_wrong(guarded):
    def reason(**headers) -> str:
        response = requests.post(f"{guarded}/_admin/reset", headers=headers, timeout=10)
        assert response.status_code == 401
        return response.json()["error"]

    assert "needs the admin token" in reason() and "Authorization: Bearer" in reason()
    assert reason(Authorization="Bearer nope") == "the admin token is wrong"
    assert "Bearer <admin token>" in reason(Authorization=f"Token {TOKEN}")
    assert "log in again" in reason(Cookie="altinn_so_admin=0123")
    wrong = requests.post(f"{guarded}/_admin/reset", headers={"Authorization": "Bearer nope"}, timeout=10)
    assert 'error="invalid_token"' in wrong.headers["WWW-Authenticate"]


def test_a_refused_call_changes_nothing(guarded, emulator, soap):
    soap.notify()
    clock = emulator.clock.now()
    for method, path, body in (("DELETE", "/journal", None), ("POST", "/reset", None),
                               ("PUT", "/clock", {"now": "2030-01-01T00:00:00+00:00"}),
                               ("POST", "/faults", {"match": {}, "action": {"type": "http_status", "status": 500}}),
                               ("DELETE", "/outbox", None)):
        assert requests.request(method, f"{guarded}/_admin{path}", json=body, timeout=10).status_code == 401
    assert len(emulator.journal.list_entries()) == 1
    assert emulator.outbox.list_messages() and emulator.faults.rules.list_rules() == []
    assert emulator.clock.now() >= clock and emulator.clock.now().year < 2030


def test_every_admin_route_is_accepted_with_the_token(_server):
    """With the token each route answers as it does on a server without one, each on a fresh emulator (the same
    status: a sample id may name nothing, a sample body may be refused, but never 401)."""
    served, url = _server
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    def statuses(token: str | None, headers: dict) -> list[int]:
        emulator = Emulator(clock=Clock(frozen_at=TEST_NOW), seed=SEED)
        try:
            served.app = EmulatorApp(emulator, admin_token=token)
            return [requests.request(method, f"{url}/_admin{path}", headers=headers, timeout=10,
                                     allow_redirects=False).status_code
                    for method, path in _every_route(served.app)]
        finally:
            emulator.close()

    with_token = statuses(TOKEN, bearer)
    assert 401 not in with_token
    assert with_token == statuses(None, {})
    assert with_token.count(200) > 20


def test_health_and_readiness_stay_open(guarded):
    for path in ("/health", "/health/", "/ready"):
        response = requests.get(f"{guarded}/_admin{path}", timeout=10)
        assert response.status_code == 200, path
        assert "WWW-Authenticate" not in response.headers


def test_without_a_token_nothing_is_asked(base_url):
    assert requests.post(f"{base_url}/_admin/reset", timeout=10).status_code == 200
    response = requests.get(f"{base_url}/_admin/login?next=/_admin/data", allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers["Location"]) == (303, "/_admin/data")


# -- the page's login -------------------------------------------------------------------------------------------

def _browser() -> requests.Session:
    http = requests.Session()
    http.headers["Accept"] = "text/html,application/xhtml+xml,*/*;q=0.8"
    return http


def _log_in(http: requests.Session, url: str, token: str = TOKEN, target: str = "/_admin/") -> requests.Response:
    return http.post(f"{url}/_admin/login", data={"token": token, "next": target}, allow_redirects=False,
                     timeout=10)


def test_a_browser_is_shown_the_login_form_that_leads_back_to_the_page(guarded):
    http = _browser()
    response = http.get(f"{guarded}/_admin/data?x=1", timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<form method="post" action="/_admin/login">' in response.text
    assert 'name="next" value="/_admin/data?x=1"' in response.text
    assert 'type="password" name="token"' in response.text
    assert TOKEN not in response.text


def test_logging_in_sets_an_http_only_strict_cookie_that_opens_every_page(guarded):
    http = _browser()
    assert _log_in(http, guarded, "wrong").status_code == 401
    assert "That is not the admin token." in _log_in(http, guarded, "wrong").text
    response = _log_in(http, guarded, target="/_admin/data")
    assert (response.status_code, response.headers["Location"]) == (303, "/_admin/data")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("altinn_so_admin=") and TOKEN not in cookie
    assert {"HttpOnly", "SameSite=Strict", "Path=/_admin"} <= {part.strip() for part in cookie.split(";")}
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back
    for page in PAGES:
        page_response = http.get(f"{guarded}/_admin{page}", timeout=10)
        assert page_response.status_code == 200, page
        assert page_response.headers["Content-Type"].startswith("text/html")
    assert http.get(f"{guarded}/_admin/journal", timeout=10).status_code == 200  # the cookie opens the API too


def test_the_page_forms_post_with_the_cookie(guarded, emulator):
    task = next(r.value for r in prefill(emulator).references if r.type == "WorkFlowReference")
    form = {"action": "sign", "element": task, "reportee": OLA, "signer": KARI, "security_level": "4"}
    stranger = _browser()
    assert stranger.post(f"{guarded}/_admin/enduser", data=form, allow_redirects=False,
                         timeout=10).status_code == 401
    assert not emulator.worklist.element(int(task)).signatures
    http = _browser()
    _log_in(http, guarded)
    response = http.post(f"{guarded}/_admin/enduser", data=form, allow_redirects=False, timeout=10)
    assert response.status_code == 303 and response.headers["Location"].endswith("&done=sign")
    assert emulator.worklist.element(int(task)).signatures


def test_logging_out_clears_the_cookie(guarded):
    http = _browser()
    _log_in(http, guarded)
    response = http.post(f"{guarded}/_admin/logout", allow_redirects=False, timeout=10)
    assert (response.status_code, response.headers["Location"]) == (303, "/_admin/login")
    assert "Max-Age=0" in response.headers["Set-Cookie"]
    assert http.get(f"{guarded}/_admin/", timeout=10).status_code == 401
    assert http.get(f"{guarded}/_admin/logout", timeout=10).status_code == 405


def test_a_cookie_of_another_token_is_refused(_server, emulator):
    served, url = _server
    http = _browser()
    served.app = EmulatorApp(emulator, admin_token="the-old-token")
    assert _log_in(http, url, "the-old-token").status_code == 303
    assert http.get(f"{url}/_admin/", timeout=10).status_code == 200
    served.app = EmulatorApp(emulator, admin_token=TOKEN)  # restarted with another token
    assert http.get(f"{url}/_admin/", timeout=10).status_code == 401


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/_admin", "/elsewhere", ""])
def test_the_login_leads_only_to_an_admin_page(guarded, target):
    response = _log_in(_browser(), guarded, target=target)
    assert (response.status_code, response.headers["Location"]) == (303, "/_admin/")
