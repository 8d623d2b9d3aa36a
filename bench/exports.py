"""The exports at scale: rows per second and the worker's peak memory for each export of a mix, over
an archive made by `manage.py generate_archive N`.

    DATABASE_URL=sqlite:////tmp/big.sqlite3 python bench/exports.py
    DATABASE_URL=sqlite:////tmp/big.sqlite3 python bench/exports.py events.csv events.ndjson   # only these

On PostgreSQL, with a throwaway server: python -m tests.postgres --port N -- sh -c \
    'python manage.py migrate && python manage.py generate_archive N && python bench/exports.py'

The exports of the mix are named as in the first column of the table (`--list` prints them); name
some to run only those, e.g. the two whole-archive exports at a million events, where the JSON
(the same records as the NDJSON, in brackets) would add as long again.

Each export runs in a fresh process of its own (this script, called with the export's address),
which answers it through Django's request handling as gunicorn's worker would, reads the whole
streamed body, and reports its rows, seconds and peak resident memory (VmHWM, from /proc) before
and after. Memory that stays flat whatever the export's size is the point: the export is read in
keyset chunks (events/exports.py), never whole.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplo.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
# As in production, but over plain HTTP: the test client speaks nothing else.
os.environ.setdefault("HTTPS", "0")


def peak_memory_kb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def measure(path):
    """In this process: answer `path`, read it all; print {rows, seconds, bytes, memory before/after} as JSON."""
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    # With DEBUG on, Django keeps every query it runs, and memory would grow with the export.
    assert not settings.DEBUG, "run without DEBUG"

    client = Client()
    # Warm up imports and the connection on an export of nothing (a name nobody has), so "before"
    # is the worker as it stands ready to serve.
    b"".join(client.get("/export/events.csv?actor=nobody-has-this-name-at-all").streaming_content)
    before = peak_memory_kb()
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    rows = size = 0
    calendar = path.split("?")[0].endswith(".ics")  # its rows are its events, each many lines
    ending = b""
    for piece in response.streaming_content:
        rows += piece.count(b"BEGIN:VEVENT") if calendar else piece.count(b"\n")
        size += len(piece)
        ending = piece[-1:] or ending
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if path.split("?")[0].endswith(".csv"):
        rows -= 1  # the header
    elif path.split("?")[0].endswith(".json"):
        rows -= 2  # a newline before each record, and two after the last
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "bytes": size, "before_kb": before, "after_kb": peak_memory_kb()}))


def exports():
    import django

    django.setup()
    from events.models import Topic

    topic = Topic.objects.filter(children__isnull=False).order_by("name").first()
    return {
        "events.csv": "/export/events.csv",
        "events.ndjson": "/export/events.ndjson",
        "events.json": "/export/events.json",
        "topic.csv": f"/export/events.csv?topic={topic.slug}",
        "meetings-1990s.csv": "/export/events.csv?kind=meeting&date_from=1990&date_to=1999",
        "people.csv": "/export/people.csv",
        "sanctions.json": "/export/sanctions.json",
        "calendar.ics": "/calendar.ics",
    }


def main(names):
    from django.db import connection

    mix = exports()
    unknown = [name for name in names if name not in mix]
    if unknown:
        sys.exit(f"No export named {', '.join(unknown)}: the mix is {', '.join(mix)}.")
    print(f"Database: {connection.vendor}")
    # CPU seconds are this process's alone (the database's own work too, for SQLite): on a machine
    # busy with other work, rows per CPU second say what a quiet core would do.
    print(
        f"{'export':<20} {'rows':>9} {'s':>7} {'rows/s':>8} {'CPU s':>7} {'rows/CPU s':>10} {'MB':>7} "
        f"{'peak MB before':>15} {'after':>7}"
    )
    for name in names or mix:
        path = mix[name]
        done = subprocess.run([sys.executable, __file__, "--measure", path], capture_output=True, text=True, check=True)
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        rate = figures["rows"] / figures["seconds"] if figures["seconds"] else 0
        cpu_rate = figures["rows"] / figures["cpu"] if figures["cpu"] else 0
        print(
            f"{name:<20} {figures['rows']:>9,} {figures['seconds']:>7.1f} {rate:>8,.0f} "
            f"{figures['cpu']:>7.1f} {cpu_rate:>10,.0f} "
            f"{figures['bytes'] / 1e6:>7.1f} {figures['before_kb'] / 1024:>15.0f} {figures['after_kb'] / 1024:>7.0f}",
            flush=True,  # each line as its export ends: a full run takes a while
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--measure"]:
        measure(sys.argv[2])
    elif sys.argv[1:2] == ["--list"]:
        print("\n".join(f"{name:<20} {path}" for name, path in exports().items()))
    else:
        import django

        django.setup()
        main(sys.argv[1:])
