"""Who may use the admin API and page: everyone, or, with an admin token, whoever shows it.

An API client sends ``Authorization: Bearer <token>``. A browser logs in once on a small form
(``/_admin/login``), which sets a cookie holding a hash of the token (the token itself never sits in the
browser's cookie jar); the cookie is HttpOnly, so the page's scripts cannot read it, and SameSite=Strict, so
another site's form cannot make the browser post to the admin API with it. Health and readiness stay open:
container health checks and load balancers ask them without credentials.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, quote

COOKIE = "altinn_so_admin"
OPEN_PATHS = frozenset({"/health", "/ready"})
LOGIN_PATH, LOGOUT_PATH = "/login", "/logout"
_CHALLENGE = 'Bearer realm="altinn-so admin"'


class AdminAccess:
    def __init__(self, token: str | None):
        self.token = token or None
        # What is compared: digests, so that the comparison takes as long whatever the length of what was sent.
        self._digest = _digest(self.token) if self.token else b""
        self._cookie = hashlib.sha256(b"altinn-so admin cookie\0" + self._digest).hexdigest() if self.token else ""

    @property
    def required(self) -> bool:
        return self.token is not None

    def is_open(self, path: str) -> bool:
        return not self.required or path.rstrip("/") in OPEN_PATHS

    def refusal(self, environ: dict) -> str | None:
        """None when the request may go on, else why not (said in the 401's JSON)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        if header:
            scheme, _, credential = header.strip().partition(" ")
            if scheme.lower() != "bearer" or not credential.strip():
                return "the Authorization header must be 'Bearer <admin token>'"
            if self.matches(credential.strip()):
                return None
            return "the admin token is wrong"
        cookie = _cookie_value(environ)
        if cookie is not None:
            if hmac.compare_digest(cookie.encode("ascii", "replace"), self._cookie.encode("ascii")):
                return None
            return "the admin login has expired (the server's admin token changed); log in again"
        return ("this admin call needs the admin token: send 'Authorization: Bearer <token>' (the server's "
                "--admin-token, ALTINN_SO_ADMIN_TOKEN), or log in on /_admin/login")

    def matches(self, token: str) -> bool:
        return hmac.compare_digest(_digest(token), self._digest)

    def challenge(self, reason: str) -> tuple[str, str]:
        error = ', error="invalid_token"' if "wrong" in reason or "expired" in reason else ""
        return "WWW-Authenticate", _CHALLENGE + error

    def set_cookie(self, environ: dict) -> tuple[str, str]:
        secure = "; Secure" if environ.get("wsgi.url_scheme") == "https" else ""
        return "Set-Cookie", f"{COOKIE}={self._cookie}; Path=/_admin; HttpOnly; SameSite=Strict{secure}"

    @staticmethod
    def clear_cookie() -> tuple[str, str]:
        return "Set-Cookie", f"{COOKIE}=; Path=/_admin; Max-Age=0; HttpOnly; SameSite=Strict"


def wants_page(environ: dict) -> bool:
    """Whether a browser asks (it accepts HTML): it is shown the login form rather than JSON."""
    return "text/html" in environ.get("HTTP_ACCEPT", "")


def login_form(target: str, message: str = "") -> bytes:
    said = f'<p class="error">{html.escape(message)}</p>' if message else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>altinn-so: admin login</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 3em auto; max-width: 28em; }}
input {{ font: inherit; }} .error {{ color: #a00; }}</style></head>
<body><h1>altinn-so admin</h1>{said}
<p>This emulator's admin page needs its admin token (<code>--admin-token</code>,
<code>ALTINN_SO_ADMIN_TOKEN</code>).</p>
<form method="post" action="/_admin/login"><input type="hidden" name="next" value="{html.escape(target)}">
<label>admin token <input type="password" name="token" autocomplete="current-password" autofocus></label>
<button type="submit">log in</button></form></body></html>
""".encode("utf-8")


def login_fields(body: bytes) -> tuple[str, str]:
    """The login form's token and the admin page to go back to (only one of ours: never another site)."""
    fields = {key: values[-1] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
    return fields.get("token", ""), safe_target(fields.get("next", ""))


def safe_target(target: str) -> str:
    if target.startswith("/_admin") and not target.startswith("//") and "\\" not in target:
        return quote(target, safe="/?&=%:;,+-._~")
    return "/_admin/"


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def _cookie_value(environ: dict) -> str | None:
    raw = environ.get("HTTP_COOKIE", "")
    if COOKIE not in raw:
        return None
    try:
        cookies = SimpleCookie(raw)
    except CookieError:
        return None
    morsel = cookies.get(COOKIE)
    return morsel.value if morsel is not None and morsel.value else None
