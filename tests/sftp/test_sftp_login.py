"""Logging in to the SFTP server: an agency system's password, or an SSH public key the seed names for it."""

from __future__ import annotations

import io
from dataclasses import replace

import paramiko
import pytest

from altinn_so.domain.catalog import AgencySystem
from altinn_so.seeding import SeedError, parse_seed

from .conftest import OTHER_PASSWORD, OTHER_SYSTEM, PASSWORD, SYSTEM, connect

import asyncssh  # noqa: E402 (after the conftest, which silences its import-time warnings)


def _key_pair():
    """A new Ed25519 key: paramiko's private key, and the OpenSSH public key line the seed would name."""
    key = asyncssh.generate_private_key("ssh-ed25519", comment="test@example")
    private = paramiko.Ed25519Key.from_private_key(io.StringIO(key.export_private_key("openssh").decode()))
    return private, key.export_public_key("openssh").decode().strip()


def _give_key(emulator, line: str, username: str = SYSTEM) -> None:
    system = emulator.catalog.get_system(username)
    emulator.catalog.put_system(replace(system, ssh_public_keys=(line,)))


def test_an_agency_system_logs_in_with_its_password_and_sees_its_two_folders(sftp_server):
    client = connect(sftp_server.port, SYSTEM, PASSWORD)
    try:
        assert sorted(client.listdir("/")) == ["inbound", "outbound"]
        assert client.normalize(".") == "/"
        assert client.normalize("inbound/..") == "/"
    finally:
        client.get_channel().get_transport().close()


@pytest.mark.parametrize("username, password", [(SYSTEM, "wrong"), (SYSTEM, OTHER_PASSWORD), ("nobody", "x"),
                                                (OTHER_SYSTEM, PASSWORD), (SYSTEM, "")])
def test_a_wrong_password_or_an_unknown_system_is_refused(sftp_server, username, password):
    with pytest.raises(paramiko.AuthenticationException):
        connect(sftp_server.port, username, password)


def test_failed_sftp_logins_count_towards_the_systems_lock_out(sftp_server, emulator):
    for _ in range(emulator.authenticator.policy.max_failures):
        with pytest.raises(paramiko.AuthenticationException):
            connect(sftp_server.port, SYSTEM, "wrong")
    with pytest.raises(paramiko.AuthenticationException):  # the right password, while locked out
        connect(sftp_server.port, SYSTEM, PASSWORD)
    connect(sftp_server.port, OTHER_SYSTEM, OTHER_PASSWORD).get_channel().get_transport().close()


def test_a_key_the_seed_names_for_the_system_logs_it_in(sftp_server, emulator):
    private, line = _key_pair()
    _give_key(emulator, line)
    client = connect(sftp_server.port, SYSTEM, key=private)
    try:
        assert sorted(client.listdir("/")) == ["inbound", "outbound"]
    finally:
        client.get_channel().get_transport().close()


def test_an_unknown_key_or_another_systems_key_is_refused(sftp_server, emulator):
    named, line = _key_pair()
    _give_key(emulator, line, OTHER_SYSTEM)
    stranger, _ = _key_pair()
    with pytest.raises(paramiko.AuthenticationException):
        connect(sftp_server.port, SYSTEM, key=stranger)
    with pytest.raises(paramiko.AuthenticationException):  # the key is ETT's system's, not TTD's
        connect(sftp_server.port, SYSTEM, key=named)


def test_the_seed_names_keys_as_lines_or_in_a_file_beside_it(tmp_path):
    _, first = _key_pair()
    _, second = _key_pair()
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ttd.pub").write_text(f"# TTD's batch machine\n{second}\n")
    seed = parse_seed({"service_owners": [{"code": "TTD", "orgno": "974761076", "name": "T", "systems": [
        {"username": "s", "password": "p", "ssh_public_keys": [first], "ssh_public_key_file": "keys/ttd.pub"}]}]},
        "seed.yaml", base=tmp_path)
    assert seed.systems["s"].ssh_public_keys == (first, second)
    assert AgencySystem.from_dict(seed.systems["s"].to_dict()) == seed.systems["s"]


@pytest.mark.parametrize("keys, problem", [(["not a key"], "not an OpenSSH public key line"),
                                           (["ssh-ed25519 !!!notbase64"], "not base64"),
                                           ({"a": 1}, "must be a list")])
def test_a_seed_key_that_is_no_public_key_line_is_refused(keys, problem):
    with pytest.raises(SeedError, match=problem):
        parse_seed({"service_owners": [{"code": "TTD", "orgno": "974761076", "name": "T", "systems": [
            {"username": "s", "password": "p", "ssh_public_keys": keys}]}]}, "seed.yaml")


@pytest.mark.parametrize("path", ["../outside.pub", "/etc/ssh/key.pub", "missing.pub"])
def test_a_seed_key_file_outside_the_seed_folder_or_missing_is_refused(tmp_path, path):
    with pytest.raises(SeedError, match="ssh_public_key_file|SSH public key file"):
        parse_seed({"service_owners": [{"code": "TTD", "orgno": "974761076", "name": "T", "systems": [
            {"username": "s", "password": "p", "ssh_public_key_file": path}]}]}, "seed.yaml", base=tmp_path)
