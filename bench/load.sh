#!/usr/bin/env bash
# Load test: Diplo under gunicorn on a throwaway database, hit by wrk over a mix of pages.
#
#   bench/load.sh fixtures  [sqlite|postgres]   # the real archive (loaddata diplo)
#   bench/load.sh synthetic [sqlite|postgres]   # generate_archive $EVENTS --seed 1 (100,000 events)
#
# It makes a database in a temporary folder (SQLite file, or a PostgreSQL cluster of its own on
# 127.0.0.1:$PGPORT), migrates, loads the data, collects static files, serves Diplo with
# production settings (DEBUG off, HTTPS=0, ALLOWED_HOSTS=127.0.0.1) on 127.0.0.1:$PORT, and runs
#
#   wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT --latency -s <mix.lua>
#
# over /, a filtered timeline, an event, a person, /sanctions/ and a source, taken from the data.
# Then $PAGE_DURATION on each page alone (with 8 connections), to show which page is slow.
# It prints requests/s, latency percentiles, the answers by status and any socket errors, and
# exits 1 if any answer was not 2xx/3xx or any socket error occurred. Everything it starts
# (gunicorn, PostgreSQL) is stopped on exit, and every step has a time limit.
#
# Settings, from the environment: EVENTS (100000), WORKERS (4), PORT (8097), PGPORT (54337),
# THREADS (2), CONNECTIONS (50), DURATION (60s), TIMEOUT (10s: a slower answer counts as a socket
# error), PAGE_DURATION (10s; 0 skips the per-page runs), LOAD_LIMIT (1200: seconds for loading).
set -euo pipefail
cd "$(dirname "$0")/.."

dataset=${1:-fixtures}
database=${2:-sqlite}
case "$dataset" in fixtures|synthetic) ;; *) echo "usage: bench/load.sh fixtures|synthetic [sqlite|postgres]" >&2; exit 2;; esac
case "$database" in sqlite|postgres) ;; *) echo "usage: bench/load.sh fixtures|synthetic [sqlite|postgres]" >&2; exit 2;; esac

EVENTS=${EVENTS:-100000} WORKERS=${WORKERS:-4} PORT=${PORT:-8097} PGPORT=${PGPORT:-54337}
THREADS=${THREADS:-2} CONNECTIONS=${CONNECTIONS:-50} DURATION=${DURATION:-60s} TIMEOUT=${TIMEOUT:-10s}
PAGE_DURATION=${PAGE_DURATION:-10s} LOAD_LIMIT=${LOAD_LIMIT:-1200}
PYTHON=.venv/bin/python
command -v wrk >/dev/null || { echo "bench/load.sh: wrk is not installed (apt-get install -y wrk)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "bench/load.sh: run bin/setup first" >&2; exit 1; }

work=$(mktemp -d /tmp/diplo-load.XXXXXX)
gunicorn_pid="" pgdata="" pgbin=""
as_postgres=()
stop_everything() {
    if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
        kill -TERM "$gunicorn_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$gunicorn_pid" 2>/dev/null || true
    fi
    if [ -n "$pgdata" ]; then
        "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap stop_everything EXIT
trap 'exit 130' INT TERM

export SECRET_KEY="load-test-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
export HTTPS=0 ALLOWED_HOSTS=127.0.0.1 CONN_MAX_AGE=600 LOG_LEVEL=WARNING
unset DEBUG DIPLO_PLAIN_STATIC

if [ "$database" = postgres ]; then
    pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$pgbin" ] || { echo "bench/load.sh: PostgreSQL is not installed" >&2; exit 1; }
    pgdata="$work/pgdata"
    mkdir "$pgdata"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pgdata" "$work"; as_postgres=(runuser -u postgres --); fi
    "${as_postgres[@]}" "$pgbin/initdb" -D "$pgdata" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # fsync off: a throwaway cluster, and the load test measures the site, not the disk.
    "${as_postgres[@]}" "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w -t 60 \
        -o "-k /tmp -p $PGPORT -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=512MB" start >/dev/null
    psql -h 127.0.0.1 -p "$PGPORT" -U postgres -v ON_ERROR_STOP=1 -qc "CREATE ROLE app LOGIN PASSWORD 'app'" \
        -c "CREATE DATABASE diplo OWNER app"
    export DATABASE_URL="postgres://app:app@127.0.0.1:$PGPORT/diplo"
    server_version=$(psql -h 127.0.0.1 -p "$PGPORT" -U postgres -Atc "SHOW server_version")
else
    export DATABASE_URL="sqlite:///$work/db.sqlite3"
    server_version="SQLite $($PYTHON -c 'import sqlite3; print(sqlite3.sqlite_version)')"
fi

echo "=== Diplo load test: $dataset data on $server_version; $(nproc) CPUs, $(free -g | awk '/^Mem/ {print $2}') GB memory"
timeout 300 $PYTHON manage.py migrate --noinput -v0
started=$(date +%s%N)
if [ "$dataset" = fixtures ]; then
    timeout "$LOAD_LIMIT" $PYTHON manage.py loaddata diplo -v0
else
    timeout "$LOAD_LIMIT" $PYTHON manage.py generate_archive "$EVENTS" --seed 1
fi
elapsed=$(( ($(date +%s%N) - started) / 100000000 ))
echo "Loaded in $((elapsed / 10)).$((elapsed % 10)) s."
timeout 300 $PYTHON manage.py collectstatic --noinput -v0

# Real addresses from the data: a typical record of each kind, not the first or the busiest.
timeout 300 $PYTHON manage.py shell -v0 -c '
from django.db.models import Count
from events.models import Event, Person, Sanction, Source

def middle(queryset):
    return queryset[queryset.count() // 2]

event = middle(Event.objects.published().order_by("pk"))
person = middle(Person.objects.annotate(n=Count("participations")).filter(n__gt=0).order_by("n", "pk"))
source = middle(Source.objects.annotate(n=Count("citations")).filter(n__gt=0).order_by("n", "pk"))
for url in ["/", "/?topic=hong-kong&date_from=2020", event.get_absolute_url(), person.get_absolute_url(),
            "/sanctions/", source.get_absolute_url()]:
    print(url)
' >"$work/urls"
echo "Pages:"; sed 's/^/  /' "$work/urls"

{
    echo "paths = {"; sed 's/.*/  "&",/' "$work/urls"; echo "}"
    cat <<'LUA'
local threads = {}
local codes = {200, 301, 302, 304, 400, 403, 404, 429, 500, 502, 503, 504}

function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end

function init(args)
    counter = id
    counts = {}
end

function request()
    counter = counter + 1
    return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
    counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
    local total = {}
    for _, thread in ipairs(threads) do
        local counted = thread:get("counts")
        for _, code in ipairs(codes) do total[code] = (total[code] or 0) + (counted[code] or 0) end
    end
    io.write("Answers by status:")
    for _, code in ipairs(codes) do
        if total[code] > 0 then io.write(string.format(" %d: %d", code, total[code])) end
    end
    io.write("\n")
end
LUA
} >"$work/mix.lua"

$PYTHON -m gunicorn diplo.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" --timeout 120 \
    --log-file "$work/gunicorn.log" &
gunicorn_pid=$!
for _ in $(seq 150); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/sanctions/" 2>/dev/null && break
    kill -0 "$gunicorn_pid" 2>/dev/null || { cat "$work/gunicorn.log" >&2; exit 1; }
    sleep 0.2
done
# One visit to each page first, so no worker's first request pays for the caches.
while read -r path; do
    for _ in $(seq "$WORKERS"); do curl -sS -o /dev/null -m 120 "http://127.0.0.1:$PORT$path" || true; done
done <"$work/urls"

failed=0
check() {
    # wrk prints these lines only when something went wrong.
    if grep -E "Non-2xx or 3xx responses|Socket errors" "$1" >/dev/null; then failed=1; fi
}

echo "=== The mix: wrk -t$THREADS -c$CONNECTIONS -d$DURATION --timeout $TIMEOUT --latency, $WORKERS gunicorn workers"
timeout 600 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency -s "$work/mix.lua" \
    "http://127.0.0.1:$PORT" | tee "$work/mix.out"
check "$work/mix.out"

if [ "$PAGE_DURATION" != 0 ]; then
    while read -r path; do
        echo "=== One page: $path (wrk -t2 -c8 -d$PAGE_DURATION --timeout $TIMEOUT)"
        timeout 600 wrk -t2 -c8 -d"$PAGE_DURATION" --timeout "$TIMEOUT" --latency "http://127.0.0.1:$PORT$path" \
            | grep -E "^ +(Latency|50%|90%|99%)|Requests/sec|Non-2xx|Socket errors" | tee "$work/page.out"
        check "$work/page.out"
    done <"$work/urls"
fi

if grep -E "Error|Traceback" "$work/gunicorn.log" >/dev/null; then
    echo "=== gunicorn's log holds errors:"; grep -E -A3 "Error|Traceback|WORKER TIMEOUT" "$work/gunicorn.log" | head -40
fi
if [ "$failed" = 1 ]; then
    echo "=== Some answers were errors or failed (see above)."
    exit 1
fi
echo "=== Every answer was 2xx or 3xx, with no socket errors."
