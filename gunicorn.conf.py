"""gunicorn's settings for Diplo in production, read from the folder gunicorn starts in:

    .venv/bin/gunicorn diplo.wsgi

Meant to sit behind a buffering reverse proxy (deploy/nginx.conf), which holds slow and idle
clients so that the workers only ever see whole requests. Any setting can be overridden without
editing this file, from the command line or from GUNICORN_CMD_ARGS (both win over this file):

    GUNICORN_CMD_ARGS="--threads 8 --bind 127.0.0.1:9000" .venv/bin/gunicorn diplo.wsgi

WEB_CONCURRENCY sets the number of workers, as gunicorn's own default does.
"""

import os


def available_cpus():
    """The CPUs this process may run on (fewer than the machine's in a container or under taskset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# Loopback only: the proxy in front is what the internet talks to.
bind = ["127.0.0.1:8000"]

# Threads: a connection that sends nothing ties up one thread for at most 5 s (gunicorn then
# parks it until it speaks), where with sync workers it tied up a whole worker for 30 s.
worker_class = "gthread"
threads = 4
# Two processes per CPU: one runs Python while the other's threads wait on the database.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * available_cpus()))

# A worker silent this long is killed and replaced: a threaded worker's main loop stays awake
# through a slow request, a sync worker (if chosen instead) does not. Above SQLite's busy timeout
# (20 s, diplo/settings.py) either way, so a save waiting for the write lock ends in a 503.
timeout = 30
# On a restart or stop, requests under way get this long to finish: again more than a save may
# wait for SQLite's write lock.
graceful_timeout = 30
# The proxy keeps its idle connections to gunicorn open for 4 s (deploy/nginx.conf); gunicorn waits
# a little longer, so the proxy, never gunicorn, is the one to close them. A parked connection that
# never spoke is closed after as long.
keepalive = 5

# gunicorn's maximum, above the proxy's 4 KB, so that a long address is refused by the proxy
# (which adds the site's headers to its 414), never by gunicorn's bare one.
limit_request_line = 8190
# A browser sends 10 to 20 headers and the proxy adds 4; 100 leaves room for a CDN's.
limit_request_fields = 100
# Again above the proxy's 4 KB a header, so the proxy is the one to refuse an oversized header.
limit_request_field_size = 8190

# Only the header the proxy sets, and overwrites whatever a client sent in it, says a request came
# over HTTPS; gunicorn's other two defaults would let a client claim it. It is believed from the
# proxy's address alone (forwarded_allow_ips, by default 127.0.0.1 and ::1, or FORWARDED_ALLOW_IPS).
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
