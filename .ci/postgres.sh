#!/usr/bin/env bash
# Make sure a PostgreSQL server answers at $ALTINN_SO_TEST_POSTGRES (default the local server on
# 127.0.0.1:5432 with trust authentication). If none does and this is a Debian machine we are root on,
# install Debian's PostgreSQL, start it and let local TCP connections in without a password.
set -euo pipefail
url=${ALTINN_SO_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres}
host_port=${url#*@}; host_port=${host_port%%/*}
host=${host_port%:*}; port=${host_port##*:}
[ "$port" = "$host_port" ] && port=5432

answers() {
  python3 - "$host" "$port" <<'PY'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2).close()
except OSError:
    sys.exit(1)
PY
}

if answers; then
  echo "ci: PostgreSQL answers at $host:$port"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "ci: no PostgreSQL at $host:$port and no way to install one; the PostgreSQL tests will fail" >&2
  exit 0
fi
echo "ci: installing PostgreSQL (none answers at $host:$port)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq postgresql >/dev/null 2>&1 \
  || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq postgresql >/dev/null 2>&1; } \
  || { echo "ci: PostgreSQL could not be installed; the PostgreSQL tests will fail" >&2; exit 0; }
version=$(ls /etc/postgresql | sort -V | tail -1)
hba=/etc/postgresql/$version/main/pg_hba.conf
# Trust local TCP connections, as the machines this project is developed on do (a throwaway CI server).
sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
sed -i -E "s/^#?port = .*/port = $port/" "/etc/postgresql/$version/main/postgresql.conf"
pg_ctlcluster "$version" main start || pg_ctlcluster "$version" main restart || true  # checked just below
for _ in $(seq 1 30); do answers && break; sleep 1; done
answers && echo "ci: PostgreSQL $version started on $host:$port" \
  || echo "ci: PostgreSQL did not start; the PostgreSQL tests will fail" >&2
