#!/usr/bin/env bash
# The package as a user installs it: build the wheel (python -m build), install it with its test extra in a
# fresh virtual environment, and run a small pytest file there that uses the altinn_so fixture - away from the
# checkout, so that nothing is imported from src/. Also checks `altinn-so --version` and `seed example`.
# Needs the project's .venv (make venv); takes about half a minute with a warm pip cache.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/altinn-so-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT

make --no-print-directory venv >/dev/null
.venv/bin/python -m build --wheel --outdir "$work/dist" "$root" >"$work/build.log" 2>&1 \
  || { tail -30 "$work/build.log" >&2; echo "wheel: python -m build failed" >&2; exit 1; }
wheel=$(ls "$work"/dist/altinn_so-*.whl)
echo "wheel: built $(basename "$wheel")"

python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check "altinn-so[test] @ file://$wheel"

cd "$work"
version=$("$work/venv/bin/altinn-so" --version)
[ "$version" = "altinn-so $(grep -m1 '^version' "$root/pyproject.toml" | cut -d'"' -f2)" ] \
  || { echo "wheel: --version says '$version'" >&2; exit 1; }
"$work/venv/bin/altinn-so" seed example >"$work/example.yaml"

mkdir "$work/suite"
cat >"$work/suite/test_installed_wheel.py" <<'PY'
import altinn_so


def test_the_installed_package_is_used():
    assert "/venv/" in altinn_so.__file__ and "/src/altinn_so/" not in altinn_so.__file__


def test_the_fixture_sends_a_notification(altinn_so):
    service = altinn_so.client("notification", "basic").service
    service.SendStandaloneNotificationBasicV3(
        systemUserName="ttd-system", systemPassword="ttd-password",
        standaloneNotifications={"StandaloneNotification": [{
            "ReporteeNumber": "23917710120", "LanguageID": 1044, "NotificationType": "TokenTextOnly",
            "ReceiverEndPoints": {"ReceiverEndPoint": [{"TransportType": "Email"}]},
            "TextTokens": {"TextToken": [{"TokenValue": "Emne"}, {"TokenValue": "Tekst"}]}}]})
    assert altinn_so.admin.outbox(channel="Email")[0]["address"] == "ola.nordmann@example.no"


def test_a_seed_file_from_seed_example_loads(altinn_so):
    with open("../example.yaml", encoding="utf-8") as handle:
        assert altinn_so.admin.load_seed(handle.read())
PY
cd "$work/suite"
"$work/venv/bin/python" -m pytest -q -p no:cacheprovider test_installed_wheel.py
echo "wheel: installed in a fresh environment, the fixture works"
