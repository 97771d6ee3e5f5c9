"""Credentials left out of what the journal keeps, so that a journal can be pasted into a bug report.

The journal stores a call's bytes as they came (or, for MTOM and streamed bodies, its envelope with the
files replaced). Before it does, the text of every element whose local name is a password of the contracts
(``systemPassword``, ``SystemPassword``, ``agencyPassword``, ``userPassword``, ``password``, the push
receiver's ``passwd``, WS-Security's UsernameToken ``Password``) becomes ``MASK``: the XML stays well
formed, and it still shows that a password was sent and in which element.

A regular expression over the bytes, not a parse: this runs on every call, and the body was parsed once
already. Bodies without the letters ``assw`` (most responses) cost one substring search.
"""

from __future__ import annotations

import re

MASK = b"********"

# <prefix:name attributes>text</ where the local name ends in "password" / "Password", or is "passwd". An
# attribute value may hold ">", so quoted values are skipped whole; the text may be CDATA.
_SECRET = re.compile(
    rb"(<(?:[A-Za-z_][\w.-]*:)?(?:(?:[A-Za-z_][\w.-]*)?[Pp]assword|passwd)(?=[\s/>])"  # the start tag's name
    rb"""(?:[^>"'/]|"[^"]*"|'[^']*'|/(?!>))*>)"""  # its attributes (a self-closing tag has no text)
    rb"(?:[^<]|<!\[CDATA\[.*?\]\]>)+(?=</)",  # its text, up to the end tag
    re.S)


def _masked(match: re.Match) -> bytes:
    return match.group(1) + MASK


def mask_secrets(body: bytes) -> bytes:
    """``body`` with each password element's text replaced by ``MASK`` (the same object when it has none)."""
    if b"assw" not in body:
        return body
    return _SECRET.sub(_masked, body)
