"""The real Altinn II contracts (WSDLs, XSDs) that tests and tools read: where they are, and how to get them.

The contracts are third-party files, never copied into this repository. ``contract-sources.tsv`` pins each
one to a public GitHub repository, commit and path, with its size and SHA-256. ``fetch`` downloads them
into a cache (``make contracts``); ``locate`` says which directory to read::

    python -m altinn_so.tooling.contracts fetch [--dest DIR] [--mirror URL]
    python -m altinn_so.tooling.contracts verify [DIR]
    python -m altinn_so.tooling.contracts where

Environment: ``ALTINN_SO_CONTRACTS`` (a directory to read, wins over everything), ``ALTINN_SO_CONTRACTS_CACHE``
(the cache, default ``<repo>/.contracts/altinn2``), ``ALTINN_SO_CONTRACTS_MIRROR`` (where to download from,
default ``https://raw.githubusercontent.com``; a ``file://`` URL or a directory laid out as
``{repository}/{commit}/{path}`` works too).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

REPO_ROOT = Path(__file__).resolve().parents[3]
MANIFEST = Path(__file__).with_name("contract-sources.tsv")
DEFAULT_MIRROR = "https://raw.githubusercontent.com"
DEFAULT_TIMEOUT = 30.0
COLUMNS = ("file", "repository", "commit", "path", "sha256", "size", "blob")

_REPOSITORY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
_COMMIT = re.compile(r"[0-9a-f]{40}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ContractsError(Exception):
    """A problem the user can act on; the command line prints it without a traceback."""


class ManifestError(ContractsError):
    pass


@dataclass(frozen=True)
class Source:
    """One pinned contract file: ``file`` (relative to the contracts directory) is ``path`` in ``repository``
    at ``commit``."""

    file: str
    repository: str
    commit: str
    path: str
    sha256: str
    size: int
    blob: str = ""

    def url(self, mirror: str) -> str:
        return f"{mirror.rstrip('/')}/{self.repository}/{self.commit}/{urllib.parse.quote(self.path)}"


# -- the manifest ------------------------------------------------------------------------------------

def _relative(value: str, what: str, where: str) -> str:
    """``value`` if it is a plain relative path (no leading ``/``, no ``..``, ``.`` or empty part), else refuse."""
    parts = value.split("/")
    if (not value or value.startswith("/") or "\\" in value or "\0" in value or re.match(r"[A-Za-z]:", value)
            or any(part in ("", ".", "..") for part in parts)):
        raise ManifestError(f"{where}: {what} {value!r} is not a plain relative path")
    return value


def parse_manifest(text: str, origin: str = "manifest") -> list[Source]:
    """The sources a manifest lists (tab-separated, ``#`` comments, a header row naming ``COLUMNS``)."""
    sources: list[Source] = []
    header_seen = False
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{origin}, line {number}"
        cells = line.split("\t")
        if not header_seen:
            if tuple(cells) != COLUMNS:
                raise ManifestError(f"{where}: expected the header {' '.join(COLUMNS)}")
            header_seen = True
            continue
        if len(cells) != len(COLUMNS):
            raise ManifestError(f"{where}: expected {len(COLUMNS)} tab-separated fields, found {len(cells)}")
        file, repository, commit, path, sha256, size, blob = cells
        _relative(file, "file", where)
        _relative(path, "path", where)
        if not _REPOSITORY.fullmatch(repository):
            raise ManifestError(f"{where}: repository {repository!r} is not owner/name")
        if not _COMMIT.fullmatch(commit):
            raise ManifestError(f"{where}: commit {commit!r} is not 40 hexadecimal digits")
        if not _SHA256.fullmatch(sha256):
            raise ManifestError(f"{where}: sha256 {sha256!r} is not 64 hexadecimal digits")
        if not size.isdigit():
            raise ManifestError(f"{where}: size {size!r} is not a number of bytes")
        if blob and not _COMMIT.fullmatch(blob):
            raise ManifestError(f"{where}: blob {blob!r} is not 40 hexadecimal digits")
        if file in seen:
            raise ManifestError(f"{where}: {file} is listed twice")
        seen.add(file)
        sources.append(Source(file, repository, commit, path, sha256, int(size), blob))
    if not header_seen:
        raise ManifestError(f"{origin}: no header row")
    return sources


def load_manifest(path: Path | str = MANIFEST) -> list[Source]:
    return parse_manifest(Path(path).read_text(encoding="utf-8"), origin=str(path))


# -- where the contracts are -------------------------------------------------------------------------

def cache_dir(environ: Mapping[str, str] | None = None, *, repo_root: Path | None = None) -> Path:
    """Where ``fetch`` puts the contracts: ``ALTINN_SO_CONTRACTS_CACHE``, else ``<repo>/.contracts/altinn2``."""
    environ = os.environ if environ is None else environ
    configured = environ.get("ALTINN_SO_CONTRACTS_CACHE")
    return Path(configured) if configured else (repo_root or REPO_ROOT) / ".contracts" / "altinn2"


def shared_dir(*, repo_root: Path | None = None) -> Path:
    """The workplace's copy beside the repository: ``../shared/contracts/altinn2``."""
    return (repo_root or REPO_ROOT).parent / "shared" / "contracts" / "altinn2"


def holds(directory: Path, sources: Iterable[Source]) -> bool:
    """Every file of ``sources`` is in ``directory`` at its size (the hashes are ``verify``'s job)."""
    try:
        return all((directory / s.file).stat().st_size == s.size for s in sources)
    except OSError:
        return False


def explain(environ: Mapping[str, str] | None = None, *, repo_root: Path | None = None,
            sources: list[Source] | None = None) -> tuple[Path | None, str]:
    """``locate``'s answer and the rule that gave it."""
    environ = os.environ if environ is None else environ
    configured = environ.get("ALTINN_SO_CONTRACTS")
    if configured:
        return Path(configured), "ALTINN_SO_CONTRACTS"
    shared = shared_dir(repo_root=repo_root)
    if shared.is_dir():
        return shared, "the shared copy beside the repository"
    cache = cache_dir(environ, repo_root=repo_root)
    if holds(cache, load_manifest() if sources is None else sources):
        return cache, "the download cache that make contracts fills"
    return None, (f"no contracts: ALTINN_SO_CONTRACTS is not set, {shared} does not exist, and the cache "
                  f"{cache} does not hold them; run `make contracts`")


def locate(environ: Mapping[str, str] | None = None, *, repo_root: Path | None = None,
           sources: list[Source] | None = None) -> Path | None:
    """The directory holding the real contracts (``basic/…``, ``ec2/…``): ``ALTINN_SO_CONTRACTS`` if set;
    else ``../shared/contracts/altinn2`` beside the repository if it exists; else the download cache if it
    holds every file of the manifest; else None."""
    return explain(environ, repo_root=repo_root, sources=sources)[0]


contracts_dir = locate


# -- checking and downloading ------------------------------------------------------------------------

def check(path: Path, source: Source) -> str | None:
    """None when ``path`` holds ``source``'s bytes; else what is wrong."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    return _mismatch(data, source)


def _mismatch(data: bytes, source: Source) -> str | None:
    if len(data) != source.size:
        return f"{len(data)} bytes, expected {source.size}"
    digest = hashlib.sha256(data).hexdigest()
    if digest != source.sha256:
        return f"sha256 {digest}, expected {source.sha256}"
    return None


@dataclass
class Outcome:
    source: Source
    status: str        # present | fetched | missing | mismatch | failed | not tried
    detail: str = ""


@dataclass
class FetchResult:
    dest: Path
    mirror: str
    outcomes: list[Outcome] = field(default_factory=list)
    unreachable: str | None = None   # why the mirror could not be reached (the remaining files are "not tried")

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def ok(self) -> bool:
        return self.unreachable is None and all(o.status in ("present", "fetched") for o in self.outcomes)


class _Unreachable(Exception):
    pass


def _mirror(mirror: str | None, environ: Mapping[str, str]) -> str:
    mirror = mirror or environ.get("ALTINN_SO_CONTRACTS_MIRROR") or DEFAULT_MIRROR
    scheme = urllib.parse.urlsplit(mirror).scheme
    if scheme in ("http", "https", "file"):
        return mirror.rstrip("/")
    if not scheme or re.fullmatch(r"[A-Za-z]", scheme):     # a directory (or a Windows drive letter)
        return Path(mirror).resolve().as_uri()
    raise ContractsError(f"mirror {mirror!r}: expected an http(s):// or file:// URL, or a directory")


def _file_path(url: str) -> Path:
    return Path(urllib.request.url2pathname(urllib.parse.urlsplit(url).path))


def _download(url: str, source: Source, timeout: float) -> bytes | str:
    """The file's bytes (at most one more than its size), or why it is not on the mirror.

    Raises ``_Unreachable`` when the mirror itself cannot be reached.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "altinn-so-contracts"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read(source.size + 1)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return "not on the mirror (HTTP 404)"
        return f"HTTP {error.code} {error.reason}"
    except urllib.error.URLError as error:
        if url.startswith("file:"):
            return "not on the mirror" if isinstance(error.reason, FileNotFoundError) else str(error.reason)
        raise _Unreachable(str(error.reason)) from None
    except TimeoutError:
        raise _Unreachable(f"no answer within {timeout:g} s") from None
    except OSError as error:   # connection reset, TLS failure, ...
        raise _Unreachable(str(error)) from None


def _write(target: Path, data: bytes) -> None:
    """Put ``data`` at ``target`` atomically: a temporary file beside it, renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _inside(directory: Path, relpath: str) -> Path:
    target = directory / relpath
    if not target.resolve().is_relative_to(directory.resolve()):
        raise ManifestError(f"{relpath} would be written outside {directory}")
    return target


def fetch(dest: Path | str | None = None, *, mirror: str | None = None, sources: list[Source] | None = None,
          timeout: float = DEFAULT_TIMEOUT, report: Callable[[str], None] | None = print,
          environ: Mapping[str, str] | None = None) -> FetchResult:
    """Download every file of the manifest that ``dest`` (default: the cache) lacks or holds wrongly.

    A file is written only once its size and SHA-256 match the manifest; a file that does not match is
    refused, and a wrong copy already in ``dest`` is removed. Files already right are not downloaded again.
    ``report`` gets one line per file.
    """
    environ = os.environ if environ is None else environ
    sources = load_manifest() if sources is None else sources
    dest = Path(dest) if dest is not None else cache_dir(environ)
    base = _mirror(mirror, environ)
    result = FetchResult(dest=dest, mirror=base)
    say = report or (lambda line: None)

    for source in sources:
        if result.unreachable:
            result.outcomes.append(Outcome(source, "not tried"))
            continue
        target = _inside(dest, source.file)
        problem = check(target, source)
        if problem is None:
            result.outcomes.append(Outcome(source, "present"))
            say(f"present   {source.file}")
            continue
        if problem != "missing":
            target.unlink(missing_ok=True)
        if base.startswith("file:") and not _file_path(base).is_dir():
            result.unreachable = f"the mirror {base} is not a directory"
            result.outcomes.append(Outcome(source, "not tried"))
            continue
        url = source.url(base)
        try:
            data = _download(url, source, timeout)
        except _Unreachable as error:
            result.unreachable = f"cannot reach {base}: {error}"
            result.outcomes.append(Outcome(source, "not tried"))
            continue
        if isinstance(data, str):
            status = "missing" if data.startswith("not on") else "failed"
            result.outcomes.append(Outcome(source, status, data))
            say(f"{status.upper():9} {source.file}: {data} ({url})")
            continue
        mismatch = _mismatch(data, source)
        if mismatch:
            detail = mismatch if len(data) <= source.size else f"more than the {source.size} bytes expected"
            result.outcomes.append(Outcome(source, "mismatch", detail))
            say(f"MISMATCH  {source.file}: {detail}; refused, not written ({url})")
            continue
        _write(target, data)
        result.outcomes.append(Outcome(source, "fetched", f"{len(data)} bytes"))
        say(f"fetched   {source.file} ({len(data)} bytes)")
    return result


def verify(directory: Path | str, *, sources: list[Source] | None = None,
           report: Callable[[str], None] | None = print) -> list[tuple[Source, str]]:
    """The files of the manifest that ``directory`` lacks or holds with other bytes, with what is wrong."""
    sources = load_manifest() if sources is None else sources
    directory = Path(directory)
    problems = []
    for source in sources:
        problem = check(_inside(directory, source.file), source)
        if problem:
            problems.append((source, problem))
            if report:
                report(f"{'MISSING ' if problem == 'missing' else 'MISMATCH'}  {source.file}: {problem}")
    return problems


# -- command line ------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m altinn_so.tooling.contracts",
                                     description="The real Altinn II contracts: download, check, locate.")
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser("fetch", help="download the pinned contract files into the cache")
    get.add_argument("--dest", type=Path, help="directory to fill (default: ALTINN_SO_CONTRACTS_CACHE or "
                                               ".contracts/altinn2)")
    get.add_argument("--mirror", help=f"where to download from (default: ALTINN_SO_CONTRACTS_MIRROR or "
                                      f"{DEFAULT_MIRROR}); a file:// URL or a directory works too")
    get.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request")
    check_command = commands.add_parser("verify", help="check a contracts directory against the manifest")
    check_command.add_argument("directory", nargs="?", type=Path, help="default: the one `where` names")
    commands.add_parser("where", help="print the directory tests read the contracts from")
    args = parser.parse_args(argv)

    try:
        if args.command == "fetch":
            result = fetch(args.dest, mirror=args.mirror, timeout=args.timeout)
            if result.unreachable:
                print(f"error: {result.unreachable}; {result.count('not tried')} files not tried. "
                      f"Set ALTINN_SO_CONTRACTS_MIRROR (or --mirror) to a mirror you can reach.", file=sys.stderr)
            untried = result.count("not tried")
            bad = len(result.outcomes) - result.count("present") - result.count("fetched") - untried
            print(f"{result.count('fetched')} fetched, {result.count('present')} already present, {bad} failed"
                  + (f", {untried} not tried" if untried else "") + f" -> {result.dest}")
            return 0 if result.ok else 1
        if args.command == "verify":
            directory = args.directory or locate()
            if directory is None:
                raise ContractsError(explain()[1])
            problems = verify(directory)
            total = len(load_manifest())
            print(f"{total - len(problems)} of {total} files as pinned in {directory}")
            return 1 if problems else 0
        directory, why = explain()
        if directory is None:
            print(why, file=sys.stderr)
            return 1
        print(f"{directory}\t({why})")
        return 0
    except ContractsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
