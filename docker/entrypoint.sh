#!/bin/sh
# Migrate the database, then become the server (exec: it is PID 1 and receives SIGTERM).
# With arguments, run them instead, e.g. `docker compose run --rm app proxima users create ...`.
set -eu

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

proxima db upgrade
# only the reverse proxy's X-Forwarded-* are believed (the per-address sign-in throttle relies on it)
exec proxima serve --host 0.0.0.0 --port 8000 --workers "${PROXIMA_WORKERS:-2}" --proxy-headers \
    --forwarded-allow-ips "${PROXIMA_FORWARDED_ALLOW_IPS:-127.0.0.1}"
