"""`make contracts`: the pinned real contracts downloaded into a cache, checked by SHA-256, and found by tests.

Nothing here reaches the code host: the mirror is a directory in ``tmp_path`` laid out as
``{repository}/{commit}/{path}`` (read through ``file://`` URLs, or served over HTTP on localhost), filled
from the real files when ``../shared/contracts`` is there and from small synthetic files otherwise.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest

from altinn_so.tooling import contracts
from altinn_so.tooling.contracts import ManifestError, Source, fetch, load_manifest, locate, parse_manifest, verify

HEADER = "\t".join(contracts.COLUMNS)


def _source(file: str, data: bytes, path: str | None = None) -> Source:
    return Source(file=file, repository="example/contracts", commit="0123456789abcdef" * 2 + "01234567",
                  path=path or f"wsdl dir/{file}", sha256=hashlib.sha256(data).hexdigest(), size=len(data))


def _put(mirror: Path, source: Source, data: bytes) -> None:
    target = mirror / source.repository / source.commit / source.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


SYNTHETIC = {
    "basic/A.wsdl": b"<definitions name='A'/>\n",
    "ec2/B.wsdl": b"<definitions name='B'/>\n" * 40,
    "batch/samples/C.xml": b"<C/>",
}


@pytest.fixture
def synthetic(tmp_path):
    """A mirror holding three small files, their manifest, and an empty cache directory."""
    mirror = tmp_path / "mirror"
    sources = [_source(file, data) for file, data in SYNTHETIC.items()]
    for source in sources:
        _put(mirror, source, SYNTHETIC[source.file])
    return mirror, sources, tmp_path / "cache"


def _statuses(result) -> dict[str, str]:
    return {outcome.source.file: outcome.status for outcome in result.outcomes}


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*.part")) if directory.exists() else []


# -- the manifest ------------------------------------------------------------------------------------

def test_manifest_pins_every_file_of_the_shared_copy():
    shared = contracts.shared_dir()
    if not shared.is_dir():
        pytest.skip(f"{shared} not found: nothing to compare the manifest with")
    sources = load_manifest()
    listed = {source.file for source in sources}
    # SOURCES.md records no repository for these: ours, derived from the neighbouring Reference.svcmap
    unpinned = {"SOURCES.md", "batch/SOURCES.md", "aec/CorrespondenceAgencyExternalAEC/urlmap.json",
                "ec2/BrokerServiceExternalEC2/urlmap.json"}
    present = {p.relative_to(shared).as_posix() for p in shared.rglob("*") if p.is_file()}
    assert present - unpinned == listed
    assert verify(shared, sources=sources, report=None) == []


def test_manifest_urls_point_at_the_pinned_commit():
    sources = load_manifest()
    assert len(sources) >= 70
    source = next(s for s in sources if s.file == "ec2/CorrespondenceAgencyExternalEC2.wsdl")
    assert source.url(contracts.DEFAULT_MIRROR) == (
        "https://raw.githubusercontent.com/Altinn/ec-client-dotnet/643e4e8c67ebd2bd55c098e10f51da8541449b8b/"
        "EC%20Endpoint%20Client/Service%20References/CorrespondenceAgencyEC2/CorrespondenceAgencyExternalEC2SF.wsdl")


@pytest.mark.parametrize("column, value", [
    ("file", "/etc/passwd"), ("file", "../outside.wsdl"), ("file", "basic/../../outside.wsdl"),
    ("file", "basic//A.wsdl"), ("file", "./A.wsdl"), ("file", ""), ("file", "C:/A.wsdl"), ("file", "basic\\A.wsdl"),
    ("path", "/abs/A.wsdl"), ("path", "../other-commit/A.wsdl"), ("path", "a/../../b"),
    ("repository", "../evil"), ("repository", "owner"), ("repository", "a/b/c"),
    ("commit", "abc123"), ("sha256", "0" * 63), ("size", "-1"),
])
def test_bad_manifest_lines_are_refused(column, value):
    good = dict(file="basic/A.wsdl", repository="example/contracts", commit="a" * 40, path="A.wsdl",
                sha256="b" * 64, size="10", blob="")
    assert len(parse_manifest(f"{HEADER}\n" + "\t".join(good.values()) + "\n")) == 1
    good[column] = value
    with pytest.raises(ManifestError, match="line 2"):
        parse_manifest(f"{HEADER}\n" + "\t".join(good.values()) + "\n")


def test_a_manifest_without_its_header_or_with_a_file_twice_is_refused():
    line = "\t".join(["basic/A.wsdl", "example/contracts", "a" * 40, "A.wsdl", "b" * 64, "10", ""])
    with pytest.raises(ManifestError, match="header"):
        parse_manifest(line + "\n")
    with pytest.raises(ManifestError, match="twice"):
        parse_manifest(f"# comment\n{HEADER}\n{line}\n{line}\n")


# -- fetching ----------------------------------------------------------------------------------------

def test_fetch_fills_the_cache_from_a_mirror_of_the_real_files(tmp_path):
    shared = contracts.shared_dir()
    if not shared.is_dir():
        pytest.skip(f"{shared} not found: no real files to build a mirror from (the synthetic tests still run)")
    sources = load_manifest()
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    for source in sources:
        _put(mirror, source, (shared / source.file).read_bytes())

    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=None)

    assert result.ok and result.count("fetched") == len(sources)
    assert verify(cache, sources=sources, report=None) == []
    assert locate({"ALTINN_SO_CONTRACTS_CACHE": str(cache)}, repo_root=tmp_path / "ws" / "repo",
                  sources=sources) == cache
    assert _leftovers(cache) == []


def test_fetch_fills_the_cache_and_reports_each_file(synthetic):
    mirror, sources, cache = synthetic
    lines = []
    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=lines.append)
    assert result.ok
    assert _statuses(result) == dict.fromkeys(SYNTHETIC, "fetched")
    for file, data in SYNTHETIC.items():
        assert (cache / file).read_bytes() == data
    assert len(lines) == 3 and all(line.startswith("fetched") for line in lines)


def test_a_second_fetch_downloads_nothing(synthetic, monkeypatch):
    mirror, sources, cache = synthetic
    assert fetch(cache, mirror=mirror.as_uri(), sources=sources, report=None).ok
    shutil.rmtree(mirror)

    def no_download(*args, **kwargs):
        raise AssertionError("a file already in the cache was downloaded again")
    monkeypatch.setattr(urllib.request, "urlopen", no_download)

    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=None)
    assert result.ok
    assert _statuses(result) == dict.fromkeys(SYNTHETIC, "present")


def test_the_mirror_may_be_a_plain_directory_or_come_from_the_environment(synthetic):
    mirror, sources, cache = synthetic
    assert fetch(cache, mirror=str(mirror), sources=sources, report=None).ok
    other = cache.parent / "other-cache"
    result = fetch(other, sources=sources, report=None, environ={"ALTINN_SO_CONTRACTS_MIRROR": mirror.as_uri()})
    assert result.ok and result.mirror == mirror.as_uri()


def test_a_file_that_does_not_match_its_sha256_is_refused_and_not_kept(synthetic):
    mirror, sources, cache = synthetic
    a, b = sources[0], sources[1]
    _put(mirror, a, SYNTHETIC[a.file].replace(b"A", b"X"))              # same size, other bytes
    _put(mirror, b, SYNTHETIC[b.file] + b"<!-- appended -->")            # longer

    lines = []
    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=lines.append)

    assert not result.ok
    assert _statuses(result) == {a.file: "mismatch", b.file: "mismatch", sources[2].file: "fetched"}
    assert "sha256" in result.outcomes[0].detail and a.sha256 in result.outcomes[0].detail
    assert not (cache / a.file).exists() and not (cache / b.file).exists()
    assert (cache / sources[2].file).read_bytes() == SYNTHETIC[sources[2].file]
    assert _leftovers(cache) == []
    assert any(line.startswith("MISMATCH") and a.file in line and "refused" in line for line in lines)


def test_a_wrong_file_already_in_the_cache_is_replaced_or_removed(synthetic):
    mirror, sources, cache = synthetic
    a, b = sources[0], sources[1]
    for source in (a, b):
        (cache / source.file).parent.mkdir(parents=True, exist_ok=True)
        (cache / source.file).write_bytes(b"edited by hand")
    _put(mirror, b, b"not B at all")                                      # the mirror is wrong about B too

    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=None)

    assert _statuses(result)[a.file] == "fetched" and (cache / a.file).read_bytes() == SYNTHETIC[a.file]
    assert _statuses(result)[b.file] == "mismatch" and not (cache / b.file).exists()


def test_a_file_missing_on_the_mirror_is_reported_and_the_others_fetched(synthetic):
    mirror, sources, cache = synthetic
    missing = sources[1]
    (mirror / missing.repository / missing.commit / missing.path).unlink()

    lines = []
    result = fetch(cache, mirror=mirror.as_uri(), sources=sources, report=lines.append)

    assert not result.ok and result.unreachable is None
    assert _statuses(result) == {sources[0].file: "fetched", missing.file: "missing", sources[2].file: "fetched"}
    assert any(line.startswith("MISSING") and missing.file in line for line in lines)
    assert not (cache / missing.file).exists()


@pytest.fixture
def http_mirror(synthetic):
    """The synthetic mirror served over HTTP on localhost."""
    mirror, sources, cache = synthetic
    handler = functools.partial(_QuietHandler, directory=str(mirror))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", mirror, sources, cache
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_fetch_over_http_quotes_paths_and_reports_a_404(http_mirror):
    url, mirror, sources, cache = http_mirror
    gone = sources[2]
    (mirror / gone.repository / gone.commit / gone.path).unlink()

    result = fetch(cache, mirror=url, sources=sources, report=None, timeout=5)

    assert _statuses(result) == {sources[0].file: "fetched", sources[1].file: "fetched", gone.file: "missing"}
    assert "404" in result.outcomes[2].detail
    assert (cache / sources[1].file).read_bytes() == SYNTHETIC[sources[1].file]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_mirror_is_a_clear_error_not_a_traceback(tmp_path):
    command = [sys.executable, "-m", "altinn_so.tooling.contracts", "fetch", "--dest", str(tmp_path / "cache"),
               "--mirror", f"http://127.0.0.1:{_closed_port()}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cannot reach http://127.0.0.1:" in done.stderr and "not tried" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").rglob("*.*"))


def test_a_mirror_that_does_not_answer_times_out_once(synthetic):
    mirror, sources, cache = synthetic
    with socket.socket() as silent:                       # accepts connections (backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        result = fetch(cache, mirror=f"http://127.0.0.1:{silent.getsockname()[1]}", sources=sources, report=None,
                       timeout=0.5)
    assert result.unreachable and "cannot reach" in result.unreachable
    assert _statuses(result) == dict.fromkeys(SYNTHETIC, "not tried")


def test_a_file_mirror_that_does_not_exist_is_unreachable(synthetic):
    mirror, sources, cache = synthetic
    result = fetch(cache, mirror=(mirror.parent / "nowhere").as_uri(), sources=sources, report=None)
    assert result.unreachable and "not a directory" in result.unreachable
    assert not result.ok and result.count("not tried") == 3


def test_the_command_line_reports_an_unknown_kind_of_mirror(tmp_path, capsys):
    assert contracts.main(["fetch", "--dest", str(tmp_path), "--mirror", "ftp://example.org"]) == 2
    assert "expected an http(s):// or file:// URL" in capsys.readouterr().err


# -- locating ----------------------------------------------------------------------------------------

def test_locate_order(synthetic, tmp_path):
    mirror, sources, cache = synthetic
    repo_root = tmp_path / "ws" / "repo"
    repo_root.mkdir(parents=True)
    env = {"ALTINN_SO_CONTRACTS_CACHE": str(cache)}

    assert locate({}, repo_root=repo_root, sources=sources) is None
    assert contracts.cache_dir({}, repo_root=repo_root) == repo_root / ".contracts" / "altinn2"

    fetch(cache, mirror=mirror.as_uri(), sources=sources[:2], report=None)          # an incomplete cache
    assert locate(env, repo_root=repo_root, sources=sources) is None
    fetch(cache, mirror=mirror.as_uri(), sources=sources, report=None)
    assert locate(env, repo_root=repo_root, sources=sources) == cache

    shared = tmp_path / "ws" / "shared" / "contracts" / "altinn2"
    shared.mkdir(parents=True)
    assert locate(env, repo_root=repo_root, sources=sources) == shared

    chosen = tmp_path / "elsewhere"
    assert locate({**env, "ALTINN_SO_CONTRACTS": str(chosen)}, repo_root=repo_root, sources=sources) == chosen
    assert contracts.contracts_dir is locate


def test_where_and_verify_on_the_command_line(synthetic, monkeypatch, capsys):
    mirror, sources, cache = synthetic
    monkeypatch.setenv("ALTINN_SO_CONTRACTS", str(cache))
    assert contracts.main(["where"]) == 0
    assert capsys.readouterr().out.startswith(f"{cache}\t(ALTINN_SO_CONTRACTS)")
    assert contracts.main(["verify", str(cache)]) == 1                    # the real manifest, an empty directory
    out = capsys.readouterr().out
    assert "MISSING" in out and "basic/CorrespondenceAgencyExternalBasic.wsdl" in out
