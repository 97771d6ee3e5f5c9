"""A real headless Chromium a test drives as a person would: it loads a page, fills in its forms and clicks
their buttons, and reads what the browser then shows. Spoken to over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on the child's file descriptors 3 and 4), so that no
WebSocket library is needed. The page under test has no scripts of its own; the test's lines run in the page
only to type into fields and click, as a person's hands would."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Flags as this machine needs them: no sandbox as root, and no background traffic the closed network refuses.
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


def _at_fds_3_and_4(to_browser: int, from_browser: int):
    """Run in the child before exec: the pipe ends where ``--remote-debugging-pipe`` looks for them."""
    def arrange():
        read, write = os.dup(to_browser), os.dup(from_browser)  # out of 3 and 4's way first
        os.dup2(read, 3)
        os.dup2(write, 4)
    return arrange


class Browser:
    def __init__(self, profile_dir, timeout: float = 30):
        self.timeout = timeout
        to_browser_read, self._write = os.pipe()
        self._read, from_browser_write = os.pipe()
        self.process = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_at_fds_3_and_4(to_browser_read, from_browser_write))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer, self._next_id, self._events, self._session = b"", 0, [], None
        try:
            page = next(t for t in self._call("Target.getTargets")["targetInfos"] if t["type"] == "page")
            self._session = self._call("Target.attachToTarget", targetId=page["targetId"],
                                       flatten=True)["sessionId"]
            self._call("Page.enable")
        except Exception:
            self.close()
            raise

    # -- what a test does ------------------------------------------------------------------------------------

    def open(self, url: str) -> None:
        self._loads(lambda: self._call("Page.navigate", url=url))

    def run(self, expression: str):
        """The value of a JavaScript expression in the page (to type into a field, or read what is shown)."""
        result = self._call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} failed in the page: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the element and wait for the page it leads to."""
        self._loads(lambda: self.run(f"document.querySelector({json.dumps(selector)}).click()"))

    def fill(self, selector: str, value: str) -> None:
        self.run(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")

    def html(self) -> str:
        return self.run("document.documentElement.outerHTML")

    def close(self) -> None:
        try:
            self._call("Browser.close")
        except Exception:  # gone already
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        for fd in (self._read, self._write):
            os.close(fd)

    # -- the protocol --------------------------------------------------------------------------------------

    def _loads(self, action) -> None:
        self._events.clear()
        action()
        self._wait_for("Page.loadEventFired")

    def _call(self, method: str, **params) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self._session:
            message["sessionId"] = self._session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._message()
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
            self._events.append(answer)

    def _wait_for(self, event: str) -> dict:
        while True:
            for index, message in enumerate(self._events):
                if message.get("method") == event:
                    del self._events[:index + 1]
                    return message
            self._events.append(self._message())

    def _message(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise TimeoutError("chromium did not answer in time")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
