#!/usr/bin/env bash
# Build the container image, start it, call Test and one real operation over SOAP, check the admin API
# sees the call, stop it with SIGTERM and check it exits cleanly. Needs root and podman; on these
# machines ../shared/tools/container-env.sh provides both; without them the script says so and skips.
set -euo pipefail
cd "$(dirname "$0")/.."
env_script=${CONTAINER_ENV:-../shared/tools/container-env.sh}
if ! command -v ctr >/dev/null || ! command -v ctr-build >/dev/null; then
  if [ -f "$env_script" ] && [ "$(id -u)" = 0 ]; then
    bash "$env_script"
  else
    echo "test-image: skipped: no ctr/ctr-build and no $env_script to set podman up (or not root)" >&2
    exit 0
  fi
fi

image=localhost/altinn-so:test
name=altinn-so-test-$$
port=${TEST_IMAGE_PORT:-18080}  # (SFTP on a free port: on the host network 2222 may be taken)
ctr-build -q --format docker -f docker/Dockerfile -t "$image" . >/dev/null  # docker format keeps HEALTHCHECK
out=$(mktemp)  # each SOAP answer, for the checks after it
cleanup() { ctr rm -f "$name" >/dev/null 2>&1 || true; rm -f "$out"; }
trap cleanup EXIT
# `producer | contains TEXT`: reads all of its input before it looks, so that the producer never writes into
# a closed pipe (`grep -q` stops at the first match, and pipefail then fails the script with 141, SIGPIPE).
contains() { local text; text=$(cat); grep -qF -- "$1" <<<"$text"; }
ctr run -d --name "$name" --network host -e ALTINN_SO_PORT="$port" -e ALTINN_SO_SFTP_PORT=0 "$image" >/dev/null 2>&1  # podman without systemd complains about health timers

base=http://127.0.0.1:$port
for _ in $(seq 1 60); do
  curl -fsS "$base/_admin/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fsS "$base/_admin/health" | contains '"ok"'

soap() {  # path, action, body
  curl -sS -o "$out" -w '%{http_code}' -X POST "$base$1" \
    -H 'Content-Type: text/xml; charset=utf-8' -H "SOAPAction: \"$2\"" \
    --data "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>$3</s:Body></s:Envelope>"
}
status=$(soap /ServiceEngineExternal/NotificationAgencyExternalBasic.svc \
  http://www.altinn.no/services/2009/10/IAltinnContractBase/Test \
  '<Test xmlns="http://www.altinn.no/services/2009/10"/>')
[ "$status" = 200 ] && grep -q TestResponse "$out"

ns=http://www.altinn.no/services/ServiceEngine/Notification/2010/10
n=http://schemas.altinn.no/services/ServiceEngine/Notification/2009/10
status=$(soap /ServiceEngineExternal/NotificationAgencyExternalBasic.svc \
  "$ns/INotificationAgencyExternalBasic/SendStandaloneNotificationBasicV2" \
  "<SendStandaloneNotificationBasicV2 xmlns=\"$ns\"><systemUserName>ttd-system</systemUserName>
   <systemPassword>ttd-password</systemPassword><standaloneNotifications>
   <StandaloneNotification xmlns=\"http://schemas.altinn.no/services/ServiceEngine/StandaloneNotificationBE/2009/10\">
   <n:LanguageID xmlns:n=\"$n\">1044</n:LanguageID><n:NotificationType xmlns:n=\"$n\">TokenTextOnly</n:NotificationType>
   <n:ReceiverEndPoints xmlns:n=\"$n\"><n:ReceiverEndPoint><n:TransportType>Email</n:TransportType></n:ReceiverEndPoint></n:ReceiverEndPoints>
   <n:ReporteeNumber xmlns:n=\"$n\">23917710120</n:ReporteeNumber>
   <n:TextTokens xmlns:n=\"$n\"><n:TextToken><n:TokenValue>Hei</n:TokenValue></n:TextToken><n:TextToken><n:TokenValue>Fra containeren</n:TokenValue></n:TextToken></n:TextTokens>
   </StandaloneNotification></standaloneNotifications></SendStandaloneNotificationBasicV2>")
[ "$status" = 200 ] && grep -q 'Varsel er sendt ut til brukeren.' "$out"
curl -fsS "$base/_admin/outbox" | contains 'Fra containeren'
curl -fsS "$base/_admin/journal?bodies=0" | contains SendStandaloneNotificationBasicV2

[ "$(ctr exec "$name" id -u)" != 0 ]          # not running as root
ctr healthcheck run "$name"                   # the image's own HEALTHCHECK passes
ctr stop -t 20 "$name" >/dev/null 2>&1       # SIGTERM
code=$(ctr inspect "$name" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || { echo "test-image: the emulator exited with $code on SIGTERM" >&2; ctr logs "$name" >&2; exit 1; }
echo "test-image: ok ($image answered SOAP, journaled the call and stopped cleanly)"

# The same image serving HTTPS with certificates from `altinn-so certs`: its health check must follow.
if [ -x .venv/bin/altinn-so ]; then
  certs=$(mktemp -d)
  cleanup() { ctr rm -f "$name" >/dev/null 2>&1 || true; rm -f "$out"; rm -rf "$certs"; }
  .venv/bin/altinn-so certs --out "$certs" >/dev/null
  chmod 755 "$certs" && chmod 644 "$certs"/*.pem  # the image's user is not root (test keys only)
  ctr rm -f "$name" >/dev/null 2>&1 || true
  port=$((port + 1)); base=https://127.0.0.1:$port
  ctr run -d --name "$name" --network host -v "$certs:/certs:ro" -e ALTINN_SO_PORT="$port" -e ALTINN_SO_SFTP_PORT=0 \
    -e ALTINN_SO_TLS_CERT=/certs/server.pem -e ALTINN_SO_TLS_KEY=/certs/server-key.pem "$image" >/dev/null 2>&1
  for _ in $(seq 1 60); do
    curl -fsSk "$base/_admin/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS --cacert "$certs/ca.pem" "$base/_admin/health" | contains '"ok"'
  ctr healthcheck run "$name" || { echo "test-image: the health check fails under TLS" >&2; ctr logs "$name" >&2; exit 1; }
  ctr stop -t 20 "$name" >/dev/null 2>&1
  echo "test-image: ok (HTTPS, and the health check follows it)"
fi

# The same image with two worker processes on PostgreSQL (the local server, if one answers).
pg_admin=${ALTINN_SO_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres}
python=.venv/bin/python
if [ -x "$python" ] && "$python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" \
     "$pg_admin" 2>/dev/null; then
  db=altinn_so_image_$$
  pg_url="${pg_admin%/*}/$db"
  "$python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], autocommit=True).execute(f'CREATE DATABASE {sys.argv[2]}')" \
    "$pg_admin" "$db"
  cleanup() {
    ctr rm -f "$name" >/dev/null 2>&1 || true
    rm -f "$out"
    rm -rf "${certs:-}"
    "$python" -c "import psycopg, sys; psycopg.connect(sys.argv[1], autocommit=True).execute(f'DROP DATABASE IF EXISTS {sys.argv[2]} WITH (FORCE)')" \
      "$pg_admin" "$db" || true
  }
  ctr rm -f "$name" >/dev/null 2>&1 || true
  port=$((port + 1)); base=http://127.0.0.1:$port
  ctr run -d --name "$name" --network host -e ALTINN_SO_PORT="$port" -e ALTINN_SO_SFTP_PORT=0 -e ALTINN_SO_DB="$pg_url" \
    -e ALTINN_SO_WORKERS=2 "$image" >/dev/null 2>&1
  for _ in $(seq 1 60); do
    curl -fsS "$base/_admin/health" >/dev/null 2>&1 && break
    sleep 0.5
  done
  status=$(soap /ServiceEngineExternal/NotificationAgencyExternalBasic.svc \
    http://www.altinn.no/services/2009/10/IAltinnContractBase/Test \
    '<Test xmlns="http://www.altinn.no/services/2009/10"/>')
  [ "$status" = 200 ] || { echo "test-image: no answer on PostgreSQL" >&2; ctr logs "$name" >&2; exit 1; }
  curl -fsS "$base/_admin/journal?bodies=0" | contains '"Test"'
  ctr logs "$name" 2>&1 | contains "2 worker processes"
  ctr stop -t 20 "$name" >/dev/null 2>&1
  echo "test-image: ok (two workers on PostgreSQL)"
else
  echo "test-image: no PostgreSQL at $pg_admin; the PostgreSQL run of the image is skipped"
fi
