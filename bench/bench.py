"""Diplo's two benchmarks. Run them through bench/run, which sets up the venvs first:

    bench/run [OPTIONS]                            the page benchmark; rewrites bench/RESULTS.md
    bench/run --events 20000 --duration 2          a small trial of it, about a quarter of an hour
    bench/run load fixtures|synthetic [OPTIONS]    the load test
    bench/run --help, bench/run load --help        this text and every option, with its default

Both serve Diplo with gunicorn on 127.0.0.1 under production settings (DEBUG unset, a random
SECRET_KEY, HTTPS=0, ALLOWED_HOSTS=127.0.0.1, CONN_MAX_AGE=600, static files collected and served
by whitenoise) and load it with wrk. Their PostgreSQL is a cluster of their own on 127.0.0.1
(tests/postgres.py makes it; fsync off, shared_buffers 512MB). Everything they start is stopped
when they end or are interrupted, and every step has a time limit. They need wrk and PostgreSQL
from Debian: bin/system-packages installs them, as root.

The page benchmark
------------------
How fast each kind of page is, against a peer. For each database (a SQLite file, a PostgreSQL
cluster), with a generated archive of N events (generate_archive) that is kept in bench/data/ and
reused while N, the seed and the code that makes it are the same, it:

1. picks a fixed mix of 33 pages from the data, by a few SQL queries, the same on both databases:
   - the timeline: its first page and a deep one (newest first, its default order), page 2 of an
     actor (the first page's "next" link), an actor by slug (popular, rare) and by full name, a
     parent topic and a child topic, a date range alone and with a kind (the menus' facet counts
     show whenever a filter is set), a kind, a country, a search for a word, for an inflected form
     of it (found by its stem) and for two words (searches sort by relevance), and two
     combinations of filters;
   - the lists: people, organizations, sources, sanctions, topics; a topic's page;
   - the record pages: the busiest person and organization, an event, a sanction, a source;
   - the API: /api/v1/events/ unfiltered, by actor and by topic, one event, /api/v1/people/;
2. requests each page once in a separate Django process (the test client, production settings)
   to count its SQL queries and record them with their parameters, then replays those queries
   bare on the raw DB-API connection (the median of several runs: "SQL alone"); and times the
   chart's grouped query (events/chart.py grouped_rows) alone, cold, for the whole archive and
   for one topic, as every timeline page reads it from a cache;
3. serves Diplo with gunicorn, the server-side page cache off (SERVER_PAGE_CACHE=0), warms each
   page, checks it answers 200, and measures it with wrk at concurrency 1 and 8 (median and 95th
   percentile);
4. reads the workers' peak memory (VmHWM);
5. serves Diplo again with the page cache on and measures a repeat request of each page at
   concurrency 1 (--cache-duration seconds; 0 skips this), checking that the answers say
   "X-Diplo-Cache: hit" (code without the cache gets a note instead);
6. with --exports, runs bench/exports.py on the database and keeps its table.

Once step 2 has run on the SQLite file, it serves Datasette on that file, the peer (in a venv of its
own, bench/.venv-datasette, from bench/requirements.txt), until the end of the run, and step 3 of
each database measures, beside each of Diplo's pages and the same way, its equivalent: its table
view filtered and sorted like Diplo's list (the timeline newest first, the people by sort name,
...), or Diplo's own main query run as a SQL query page (for a page that kept its events, the query
that reads them afresh: events/paging.py kept_events), or its row page; for an API page, the
JSON of that page. The figures, marked against the targets of issue 13, go to bench/RESULTS.md,
between two marker comments (the rest of the file is written by hand), and to
bench/data/last-run/ in full, with every query. It prints how long it should take before it
starts (about 40 minutes for both databases at a million events with the defaults, once the
datasets exist). It exits 1 if any page answered anything but 200 or wrk saw any error.

`bench.py capture IN OUT` is step 2, run by the benchmark in a Django process of its own.

The load test
-------------
How the site holds up under many visitors at once, from a throwaway database (a SQLite file in a
temporary folder, or a throwaway PostgreSQL cluster):

    bench/run load fixtures                         the real archive (loaddata diplo), on SQLite
    bench/run load synthetic --databases postgres   generate_archive --events N --seed 1 (100,000)

It migrates, loads the data, collects static files, serves Diplo with gunicorn as production runs
it, with gunicorn.conf.py (--workers overrides its number of workers), visits each page once per
worker, and runs

    wrk -t THREADS -c CONNECTIONS -d DURATION --timeout TIMEOUT --latency -s bench/wrk-mix.lua

over /, a filtered timeline, an event, a person, /sanctions/ and a source, taken from the data
(a typical record of each kind, not the first or the busiest); then each page alone for
--page-duration seconds with 8 connections, to show which page is slow (0 skips this).

All the while, --idle-connections TCP connections to gunicorn send nothing, as a browser's
speculative connections or a cheap attack do: each one gunicorn closes is opened again at once,
so that many are open at every moment. Two of them stalled every request for 30 s when the README
started one sync worker.

It prints requests/s, latency percentiles, the answers by status, any socket errors, the idle
connections held and the load average before and after. It exits 1 on any answer that is not 2xx
or 3xx, on any socket error (an answer slower than --timeout counts as one), on no answer at all,
on an error or a worker timeout in gunicorn's log, and if an idle connection could not be opened
or was answered with a 5xx. Figures, the machine, and what would make the slow pages fast:
bench/RESULTS.md.
"""

import argparse
import concurrent.futures
import contextlib
import datetime
import hashlib
import http.client
import json
import os
import platform
import re
import secrets
import selectors
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The checkout's own modules, importable once ROOT is on the path.
from tests import postgres
from tests.postgres import port_in_use

BENCH = ROOT / "bench"
DATA = BENCH / "data"
RUN_DIR = DATA / "last-run"
PYTHON = ROOT / ".venv" / "bin" / "python"
DATASETTE = BENCH / ".venv-datasette" / "bin" / "datasette"
LUA = BENCH / "wrk-report.lua"
RESULTS = BENCH / "RESULTS.md"
BEGIN = "<!-- bench/run writes from here to the end marker; edit outside the markers -->"
END = "<!-- bench/run: end of generated figures -->"
EXPORTS_BEGIN = "<!-- bench/run --exports writes from here to the end marker -->"
EXPORTS_END = "<!-- bench/run --exports: end of generated figures -->"

DEFAULT_EVENTS = 1_000_000
PAGE_SIZE = 50
# Targets the table is marked against.
TARGET_MEDIAN_MS = 100
TARGET_QUERIES = 10
TARGET_DS_RATIO = 1.0  # D/DS: no slower than Datasette's closest page
TARGET_SQL_RATIO = 3.0  # page/SQL: a page's median at most 3× its own SQL run bare
TARGET_CACHED_MS = 3  # a repeat request, from the page cache
TARGET_MEMORY_MB = {"sqlite": 64, "postgres": 72}  # peak worker memory, as at the 1M run of 2026-11-23
TARGET_DEEP_RATIO = 1.5  # "about as fast as the first page": deep p50 at most 1.5 × first p50
# The order the deep page's position is counted in: the timeline's default, newest first (each field
# descending, events/paging.py DATED_ORDER), undated events last.
DEEP_ORDER = ("date_earliest", "title", "id")
# Datasette's settings, whatever the mode: slow queries finish rather than error, pages of 50,
# and no facet suggestions (extra queries Diplo's pages do not make).
DATASETTE_SETTINGS = [("sql_time_limit_ms", "30000"), ("default_page_size", str(PAGE_SIZE)), ("suggest_facets", "off")]
DATASETTE_DB = "diplo"  # its name in Datasette's URLs: the file's stem
# The server-side page cache for anonymous visitors (diplo/settings.py), off for the cold figures
# and on for one more pass; a page it answers carries CACHE_HEADER: hit. Code without the cache
# ignores the variables, and its pages never say "hit": the report says so.
PAGE_CACHE_OFF = {"SERVER_PAGE_CACHE": "0"}
PAGE_CACHE_ON = {"SERVER_PAGE_CACHE": "1", "PAGE_CACHE_SECONDS": "3600"}
CACHE_HEADER = "x-diplo-cache"

# No control socket: its default path, in $HOME, is one for every gunicorn on the machine.
GUNICORN_ALONE = ["--no-control-socket"]
PG_SETTINGS = ["shared_buffers=512MB"]  # beside the throwaway cluster's own (tests/postgres.py)


class Failure(Exception):
    """A step that failed: the message says which and why."""


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# ------------------------------------------------------------------------------------------------
# Processes: everything started is stopped on exit, whatever the exit.
# ------------------------------------------------------------------------------------------------

CLEANUPS = []


def on_exit(name, function):
    CLEANUPS.append((name, function))
    return function


def run_cleanups():
    while CLEANUPS:
        name, function = CLEANUPS.pop()
        try:
            function()
        except Exception as error:  # noqa: BLE001 - keep stopping the rest
            print(f"bench: stopping {name} failed: {error}", file=sys.stderr)


def cancel_cleanup(function):
    for index, (_, registered) in enumerate(CLEANUPS):
        if registered is function:
            del CLEANUPS[index]
            return


def on_signal(signum, frame):
    raise SystemExit(128 + signum)


def run(command, timeout, what, env=None, capture=False, log_file=None):
    """Runs a command to its end within `timeout` seconds; raises Failure naming `what` otherwise."""
    stdout = subprocess.PIPE if capture else (log_file or None)
    try:
        result = subprocess.run(
            [str(part) for part in command], cwd=ROOT, env=env, timeout=timeout, text=True,
            stdout=stdout, stderr=subprocess.STDOUT if (capture or log_file) else None,
        )
    except subprocess.TimeoutExpired:
        raise Failure(f"{what} took longer than its limit of {timeout:.0f} s") from None
    if result.returncode != 0:
        detail = f":\n{result.stdout[-3000:]}" if capture and result.stdout else ""
        if log_file:
            detail = f" (see {log_file.name})"
        raise Failure(f"{what} failed with exit status {result.returncode}{detail}")
    return result.stdout if capture else None


def start(name, command, log_path, env=None):
    """Starts a server in a session of its own; it is stopped on exit by its process id."""
    log_file = open(log_path, "w")
    process = subprocess.Popen(
        [str(part) for part in command], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def stop():
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        log_file.close()

    process.stop = on_exit(name, stop)
    return process


def stop(process):
    process.stop()
    cancel_cleanup(process.stop)


def get(port, path, timeout=300):
    """(status, body) of one GET to 127.0.0.1:port, redirects not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def get_headers(port, path, timeout=300):
    """(status, {header name, lowercased: value}) of one GET to 127.0.0.1:port, the body read."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


def wait_until_serving(port, process, log_path, limit=120, path="/"):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failure(f"the server on port {port} stopped at start-up; its log, {log_path}:\n"
                          + Path(log_path).read_text()[-3000:])
        try:
            get(port, path, timeout=limit)
            return
        except OSError:
            time.sleep(0.2)
    raise Failure(f"the server on port {port} did not answer within {limit} s (log: {log_path})")


BUSY, BUSY_SECONDS = 0.2, 3


def cpu_busy(seconds=BUSY_SECONDS):
    """The share of all CPUs' time spent on anything but idling, over `seconds`, from /proc/stat."""
    def sample():
        fields = [int(field) for field in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
        return sum(fields), fields[3] + fields[4]  # all, idle + iowait

    total, idle = sample()
    time.sleep(seconds)
    total_after, idle_after = sample()
    return 1 - (idle_after - idle) / max(total_after - total, 1)


def peak_memory_kb(pid):
    """VmHWM, the peak resident memory, of a process, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


def children(pid):
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


# ------------------------------------------------------------------------------------------------
# Datasets, kept in bench/data/ and keyed by N, the seed and the code that makes them.
# ------------------------------------------------------------------------------------------------


def dataset_key(events, seed):
    digest = hashlib.sha256()
    files = sorted((ROOT / "events" / "migrations").glob("*.py"))
    files += [ROOT / "events" / "management" / "commands" / "generate_archive.py"]
    files += sorted((ROOT / "events" / "synthetic").glob("*.py"))
    files += [ROOT / "fixtures" / "diplo.json"]
    for path in files:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return f"n{events}-seed{seed}-{digest.hexdigest()[:12]}"


def remove_stale(kind, events, seed, keep):
    for path in DATA.glob(f"{kind}-n{events}-seed{seed}-*"):
        if path != keep:
            log(f"Removing {path.relative_to(ROOT)}: made by other code than this (migrations or generator changed).")
            shutil.rmtree(path)


def django_env(secret, database_url):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DEBUG", "DIPLO_PLAIN_STATIC", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}}
    env.update(SECRET_KEY=secret, HTTPS="0", ALLOWED_HOSTS="127.0.0.1", CONN_MAX_AGE="600",
               LOG_LEVEL="WARNING", DATABASE_URL=database_url, PYTHONUNBUFFERED="1")
    return env


def generate(env, args, log_path):
    """migrate, then generate_archive N --seed S, into the database DATABASE_URL names."""
    load_limit = 900 + args.events / 400  # a million events: about 9 minutes; the limit is 50
    with open(log_path, "a") as log_file:
        started = time.monotonic()
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], 900, "manage.py migrate", env=env, log_file=log_file)
        run([PYTHON, "manage.py", "generate_archive", args.events, "--seed", args.seed], load_limit,
            f"manage.py generate_archive {args.events}", env=env, log_file=log_file)
    return time.monotonic() - started


class SQLiteDatabase:
    kind = "sqlite"
    label = "SQLite"

    def __init__(self, args):
        self.args = args
        self.key = dataset_key(args.events, args.seed)
        self.folder = DATA / f"sqlite-{self.key}"
        self.path = self.folder / f"{DATASETTE_DB}.sqlite3"
        self.url = f"sqlite:///{self.path}"
        self.generated_in = None

    def prepare(self, secret):
        marker = self.folder / "complete.json"
        if marker.exists():
            log(f"SQLite: reusing {self.path.relative_to(ROOT)} ({self.key}).")
            self.generated_in = json.loads(marker.read_text()).get("seconds")
            return
        remove_stale("sqlite", self.args.events, self.args.seed, self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        log(f"SQLite: generating {self.args.events:,} events into {self.path.relative_to(ROOT)} "
            f"(log: {(self.folder / 'generate.log').relative_to(ROOT)}) ...")
        seconds = generate(django_env(secret, self.url), self.args, self.folder / "generate.log")
        connection = sqlite3.connect(self.path)
        connection.execute("ANALYZE")
        connection.close()
        self.generated_in = seconds
        marker.write_text(json.dumps({"key": self.key, "seconds": round(seconds, 1)}))
        log(f"SQLite: generated and analysed in {seconds:.0f} s.")

    def start(self):
        pass

    def stop(self):
        pass

    def connect(self):
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)

    placeholder = "?"

    def version(self):
        return f"SQLite {sqlite3.sqlite_version}"

    def settings(self):
        connection = self.connect()
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        connection.close()
        return f"a file of {self.path.stat().st_size / 1e6:,.0f} MB, journal mode {journal}, analysed (ANALYZE)"


class PostgresDatabase:
    kind = "postgres"
    label = "PostgreSQL"
    placeholder = "%s"

    def __init__(self, args):
        self.args = args
        self.key = dataset_key(args.events, args.seed)
        self.folder = DATA / f"pg-{self.key}"
        self.port = args.pgport
        require_postgres()
        self.cluster = postgres.Cluster(self.folder, self.port, PG_SETTINGS)
        self.url = self.cluster.url
        self.running = False
        self.generated_in = None

    def start(self):
        if not self.running:
            self.cluster.start()
            self.serving()

    def serving(self):
        self.running = True
        on_exit("PostgreSQL", self.stop)

    def stop(self):
        if self.running:
            self.cluster.stop()
            self.running = False
            cancel_cleanup(self.stop)

    def connect(self):
        import psycopg

        return psycopg.connect(self.url, autocommit=True)

    def prepare(self, secret):
        marker = self.folder / "complete.json"
        if marker.exists():
            log(f"PostgreSQL: reusing the cluster in {self.folder.relative_to(ROOT)} ({self.key}).")
            self.generated_in = json.loads(marker.read_text()).get("seconds")
            self.start()
            return
        remove_stale("pg", self.args.events, self.args.seed, self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.serving()  # from here on, stopped on exit whatever happens
        self.cluster.create()
        log(f"PostgreSQL: generating {self.args.events:,} events into the cluster in "
            f"{self.folder.relative_to(ROOT)} (log: {(self.folder / 'generate.log').relative_to(ROOT)}) ...")
        seconds = generate(django_env(secret, self.url), self.args, self.folder / "generate.log")
        with self.connect() as connection:
            connection.execute("VACUUM ANALYZE")
        self.generated_in = seconds
        marker.write_text(json.dumps({"key": self.key, "seconds": round(seconds, 1)}))
        log(f"PostgreSQL: generated, vacuumed and analysed in {seconds:.0f} s.")

    def version(self):
        with self.connect() as connection:
            return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]

    def settings(self):
        with self.connect() as connection:
            size = connection.execute("SELECT pg_database_size('diplo')").fetchone()[0]
            jit = connection.execute("SHOW jit").fetchone()[0]
        return (f"a cluster of its own on 127.0.0.1:{self.port} ({', '.join(self.cluster.settings)}, jit={jit}, "
                f"other settings default), database {size / 1e6:,.0f} MB, VACUUM ANALYZE after loading")


# ------------------------------------------------------------------------------------------------
# The page mix, chosen from the data by SQL: the same pages on both databases for the same data.
# ------------------------------------------------------------------------------------------------


def plural(word):
    """An inflected form of an English word, for a search that must find it by its stem."""
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


# The order of the parameters in Diplo's canonical addresses (events/addresses.py): the filter
# form's fields, then paging. An address in another order is redirected, not measured.
CANONICAL_ORDER = ("actor", "date_from", "date_to", "date", "topic", "kind", "country", "q", "sort",
                   "after", "before", "page")


def pick_pages(database, events):
    """The pages to measure, each {"id", "name", "url", "note", "datasette": (kind, ...), "table"}:
    Datasette's closest page is ("table", its table, its parameters), ("row", table, pk) or ("sql",),
    Diplo's main query on its SQL page; ("json", one of those) is its JSON, for an API page.
    "table" names the table Diplo's main query lists (for the rows column)."""
    connection = database.connect()
    postgres = database.kind == "postgres"
    collate_c = ' COLLATE "C"' if postgres else ""

    def one(sql, params=()):
        cursor = connection.cursor()
        cursor.execute(sql.replace("?", database.placeholder), params)
        row = cursor.fetchone()
        if row is None:
            raise Failure(f"the page mix found nothing for: {' '.join(sql.split())}")
        return row

    def all_rows(sql, params=()):
        cursor = connection.cursor()
        cursor.execute(sql.replace("?", database.placeholder), params)
        return cursor.fetchall()

    started = time.monotonic()
    published = "e.is_published"

    def busiest(field, table, order="n DESC"):
        return one(
            f"SELECT a.slug, a.id, a.name, COUNT(DISTINCT pa.event_id) AS n FROM events_participation pa"
            f" JOIN events_event e ON e.id = pa.event_id JOIN {table} a ON a.id = pa.{field}_id"
            f" WHERE {published} GROUP BY a.id, a.slug, a.name ORDER BY {order}, a.id LIMIT 1")

    popular, popular_pk, popular_name, popular_count = busiest("person", "events_person")
    # The person with the fewest published events: one to three, when anyone has so few.
    rare, _, _, rare_count = busiest("person", "events_person", "n")
    organization, _, _, organization_count = busiest("organization", "events_organization")
    (namesakes,) = one("SELECT COUNT(*) FROM events_person WHERE lower(name) = lower(?)", (popular_name,))
    # Page 2 of the popular actor: after the 50th of their events, newest first (the timeline's default
    # order, events/paging.py DATED_ORDER reversed; the database's own collation, as Diplo's).
    second_after = one(
        f"SELECT e.id FROM events_event e WHERE {published} AND e.date_earliest IS NOT NULL AND EXISTS"
        " (SELECT 1 FROM events_participation pa WHERE pa.event_id = e.id AND pa.person_id = ?)"
        f" ORDER BY e.date_earliest DESC, e.title DESC, e.id DESC LIMIT 1 OFFSET {PAGE_SIZE - 1}", (popular_pk,))[0]
    # A topic with children, counting the published events tagged with it or with a child of it.
    topic, topic_count = one(
        "SELECT t.slug, COUNT(DISTINCT et.event_id) AS n FROM events_event_topics et"
        " JOIN events_event e ON e.id = et.event_id JOIN events_topic x ON x.id = et.topic_id"
        " JOIN events_topic t ON t.id = COALESCE(x.parent_id, x.id)"
        f" WHERE {published} AND EXISTS (SELECT 1 FROM events_topic c WHERE c.parent_id = t.id)"
        " GROUP BY t.id, t.slug ORDER BY n DESC, t.id LIMIT 1")
    child_topic, child_count = one(
        "SELECT t.slug, COUNT(*) AS n FROM events_event_topics et JOIN events_event e ON e.id = et.event_id"
        f" JOIN events_topic t ON t.id = et.topic_id WHERE {published} AND t.parent_id IS NOT NULL"
        " GROUP BY t.id, t.slug ORDER BY n DESC, t.id LIMIT 1")
    country, country_count = one(
        "SELECT country, COUNT(*) AS n FROM events_person WHERE country <> ''"
        f" GROUP BY country ORDER BY n DESC, country{collate_c} LIMIT 1")
    # A word of medium frequency: of the words (4 letters or more) in the first 20,000 published
    # titles, the one found closest to 1% of the time.
    sample = min(20_000, events)
    if postgres:
        words = ("SELECT lower(w) AS word FROM (SELECT title FROM events_event WHERE is_published"
                 " ORDER BY id LIMIT ?) s, regexp_split_to_table(s.title, ' ') AS w")
        letters_only = "word ~ '^[a-z]+$'"
    else:
        words = ("WITH RECURSIVE s(rest) AS (SELECT title || ' ' FROM events_event WHERE is_published"
                 " ORDER BY id LIMIT ?), split(w, rest) AS (SELECT '', rest FROM s UNION ALL"
                 " SELECT substr(rest, 1, instr(rest, ' ') - 1), substr(rest, instr(rest, ' ') + 1)"
                 " FROM split WHERE rest <> '') SELECT lower(w) AS word FROM split")
        letters_only = "word NOT GLOB '*[^a-z]*'"
    word, word_sample_count = one(
        f"SELECT word, COUNT(*) AS n FROM ({words}) words WHERE length(word) >= 4 AND {letters_only}"
        f" GROUP BY word ORDER BY abs(COUNT(*) - ?), word{collate_c} LIMIT 1", (sample, sample // 100))
    (word_count,) = one(f"SELECT COUNT(*) FROM events_event e WHERE {published} AND ' ' || lower(e.title) || ' ' LIKE ?",
                        (f"% {word} %",))
    # A second word for a two-word search: the one most often beside the first in the sample's titles.
    beside = {}
    for (title,) in all_rows("SELECT title FROM (SELECT title FROM events_event WHERE is_published ORDER BY id"
                             " LIMIT ?) s WHERE ' ' || lower(title) || ' ' LIKE ?", (sample, f"% {word} %")):
        for other in set(title.lower().split()) - {word}:
            if len(other) >= 4 and other.isalpha() and other.isascii():
                beside[other] = beside.get(other, 0) + 1
    if not beside:
        raise Failure(f"the page mix found no word beside “{word}” in the first {sample:,} titles")
    second_word = min(beside, key=lambda other: (-beside[other], other))
    # A stemmed search: of the sample's plurals (words ending in a single s, written in lower case:
    # not a name), the one closest to 1%, searched for in the singular, which finds it by its stem.
    plurals = ("word LIKE '%s' AND word NOT LIKE '%ss' AND word NOT LIKE '%us' AND word NOT LIKE '%is'"
               .replace("%", "%%" if postgres else "%"))
    try:
        plural_word, _ = one(
            f"SELECT word, COUNT(*) AS n FROM ({words.replace('lower(w)', 'w')}) words WHERE length(word) >= 5"
            f" AND {letters_only} AND {plurals} GROUP BY word ORDER BY abs(COUNT(*) - ?), word{collate_c} LIMIT 1", (sample, sample // 100))
        inflected, stem_note = plural_word[:-1], f"“{plural_word[:-1]}”, the singular of “{plural_word}” in titles"
    except Failure:
        inflected, stem_note = plural(word), f"“{plural(word)}”, an inflected form of “{word}”"
    (dated,) = one(f"SELECT COUNT(*) FROM events_event e WHERE {published} AND e.date_earliest IS NOT NULL")
    position = min(events // 2, max(dated - 1, 0))
    deep_order = ", ".join(f"{field}{collate_c if field == 'title' else ''} DESC" for field in DEEP_ORDER)
    deep_pk, deep_date = one(
        "SELECT id, date_earliest FROM events_event WHERE is_published AND date_earliest IS NOT NULL"
        f" ORDER BY {deep_order} LIMIT 1 OFFSET ?", (position,))
    event_slug, event_pk, event_count = one(
        "SELECT e.slug, e.id, COUNT(*) AS n FROM events_event e JOIN events_participation pa ON pa.event_id = e.id"
        f" WHERE {published} GROUP BY e.id, e.slug ORDER BY n DESC, e.id LIMIT 1")
    source_slug, source_pk, source_count = one(
        "SELECT s.slug, s.id, COUNT(*) AS n FROM events_source s JOIN events_citation c ON c.source_id = s.id"
        " GROUP BY s.id, s.slug ORDER BY n DESC, s.id LIMIT 1")
    sanction_pk, sanction_count = one(
        "SELECT s.id, COUNT(c.id) AS n FROM events_sanction s LEFT JOIN events_statuschange c ON c.sanction_id = s.id"
        " WHERE s.is_published GROUP BY s.id ORDER BY n DESC, s.id LIMIT 1")
    connection.close()
    deep_date = str(deep_date)
    log(f"{database.label}: page mix chosen in {time.monotonic() - started:.1f} s.")

    # Datasette's table views, sorted and filtered as Diplo's lists are; rows without the sort's
    # value left out, as Diplo lists them last (its first pages do not show them).
    size = {"_size": str(PAGE_SIZE)}
    timeline = {"_sort_desc": "date_earliest", "is_published__exact": "1", "date_earliest__notnull": "1", **size}
    people = {"_sort": "sort_name", "is_placeholder__exact": "0", **size}
    organizations = {"_sort": "name", "is_placeholder__exact": "0", **size}
    sources = {"_sort": "title", **size}
    sanctions = {"_sort": "announced_earliest", "is_published__exact": "1", "announced_earliest__notnull": "1", **size}
    topics = {"_sort": "name", **size}

    def page(id, name, params, note, datasette, path="/", table="events_event"):
        params = sorted(params.items(), key=lambda item: CANONICAL_ORDER.index(item[0]))
        url = path + ("?" + urllib.parse.urlencode(params) if params else "")
        return {"id": id, "name": name, "url": url, "note": note, "datasette": datasette, "table": table}

    api = "/api/v1/"
    dates = {"date_from": "1990-01", "date_to": "1990-06"}
    pages = [
        page("first", "Timeline, first page", {}, "newest first", ("table", "events_event", timeline)),
        page("deep", "Timeline, deep page", {"after": deep_pk},
             f"after event {deep_pk}, the published dated event at position {position:,}, newest first "
             f"(dated {deep_date})",
             ("table", "events_event", {**timeline, "_next": f"{deep_date},{deep_pk}"})),
        page("actor", "Actor, popular", {"actor": popular}, f"{popular_count:,} published events", ("sql",)),
        page("actor2", "Actor, page 2", {"actor": popular, "after": second_after},
             f"the first page's “next” link: after its {PAGE_SIZE}th event", ("sql",)),
        page("actorname", "Actor by name", {"actor": popular_name},
             "the popular actor's full name" + (f", which {namesakes:,} people have" if namesakes > 1 else ""),
             ("sql",)),
        page("rare", "Actor, rare", {"actor": rare}, f"{rare_count:,} published events", ("sql",)),
        page("topic", "Topic (a parent)", {"topic": topic}, f"{topic_count:,} published events with it or a child",
             ("sql",)),
        page("child", "Topic (a child)", {"topic": child_topic}, f"{child_count:,} published events", ("sql",)),
        page("dates", "Date range", dates, "events that are or may be in it",
             ("table", "events_event", {**timeline, "date_latest__gte": "1990-01-01",
                                        "date_earliest__lte": "1990-06-30"})),
        page("dateskind", "Date range + kind", {**dates, "kind": "meeting"},
             "with the facet counts of the other menus", ("sql",)),
        page("kind", "Kind", {"kind": "meeting"}, "", ("table", "events_event", {**timeline, "kind__exact": "meeting"})),
        page("country", "Country", {"country": country}, f"the country of the most people ({country_count:,})",
             ("sql",)),
        page("text", "Text search", {"q": word},
             f"in {word_count:,} published titles ({100 * word_count / max(events, 1):.1f}% of N; "
             f"{word_sample_count:,} times in the first {sample:,} titles); by relevance", ("sql",)),
        page("stem", "Search, stemmed", {"q": inflected},
             f"{stem_note}, found by its stem; by relevance", ("sql",)),
        page("words", "Search, two words", {"q": f"{word} {second_word}"},
             f"the word most often beside “{word}” in titles; by relevance", ("sql",)),
        page("combo1", "Actor + topic", {"actor": popular, "topic": topic}, "", ("sql",)),
        page("combo2", "Country + kind + from", {"date_from": "2000", "kind": "meeting", "country": country}, "",
             ("sql",)),
        page("people", "Person list", {}, "named people, by sort name",
             ("table", "events_person", people), path="/people/", table="events_person"),
        page("organizations", "Organization list", {}, "named organizations, by name",
             ("table", "events_organization", organizations), path="/organizations/", table="events_organization"),
        page("sources", "Source list", {}, "by title", ("table", "events_source", sources), path="/sources/",
             table="events_source"),
        page("sanctions", "Sanction list", {}, "by date announced",
             ("table", "events_sanction", sanctions), path="/sanctions/", table="events_sanction"),
        page("topics", "Topic list", {}, "the tree, with counts", ("table", "events_topic", topics), path="/topics/",
             table="events_topic"),
        page("topicpage", "Topic page", {}, f"{topic_count:,} published events with it or a child", ("sql",),
             path=f"/topics/{topic}/"),
        page("person", "Person page, popular", {}, f"{popular_count:,} published events", ("sql",),
             path=f"/people/{popular}/"),
        page("organization", "Organization page, popular", {}, f"{organization_count:,} published events", ("sql",),
             path=f"/organizations/{organization}/"),
        page("event", "Event page", {}, f"the event with the most participants ({event_count})",
             ("row", "events_event", event_pk), path=f"/events/{event_slug}/"),
        page("sanction", "Sanction page", {}, f"the sanction with the longest status log ({sanction_count})",
             ("row", "events_sanction", sanction_pk), path=f"/sanctions/{sanction_pk}/", table="events_sanction"),
        page("source", "Source page", {}, f"the source with the most citations ({source_count})",
             ("row", "events_source", source_pk), path=f"/sources/{source_slug}/", table="events_source"),
        page("api", "API, events", {}, "newest first", ("json", ("table", "events_event", timeline)),
             path=f"{api}events/"),
        page("apiactor", "API, events of an actor", {"actor": popular}, f"{popular_count:,} published events",
             ("json", ("sql",)), path=f"{api}events/"),
        page("apitopic", "API, events of a topic", {"topic": topic}, "a parent topic", ("json", ("sql",)),
             path=f"{api}events/"),
        page("apievent", "API, an event", {}, "the event page's event", ("json", ("row", "events_event", event_pk)),
             path=f"{api}events/{event_slug}/"),
        page("apipeople", "API, people", {}, "by sort name", ("json", ("table", "events_person", people)),
             path=f"{api}people/", table="events_person"),
    ]
    return pages, {"chart-all": "", "chart-topic": urllib.parse.urlencode({"topic": topic})}


# ------------------------------------------------------------------------------------------------
# Step 2, in a Django process of its own: queries per page, and their time alone.
# ------------------------------------------------------------------------------------------------

QMARK = re.compile(r"(?<!%)%s")


def sql_literal(value):
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def inline_sqlite(sql, params):
    """The query with its parameters as SQLite literals, for Datasette's SQL page."""
    if params is None:
        return sql
    return sql % tuple(sql_literal(value) for value in params)


def main_query(queries, table="events_event"):
    """The page's main query: the one that reads the rows it lists (most rows, from `table`)."""
    quoted = f'"{table}"'

    def candidate(query):
        sql = query["sql"].lstrip()
        return (sql[:6].upper() == "SELECT" and quoted in sql
                and not sql.upper().startswith("SELECT COUNT(") and not re.search(r"LIMIT 21\s*$", sql))

    candidates = [index for index, query in enumerate(queries) if candidate(query)]
    direct = [index for index in candidates if re.search(rf'FROM {quoted}(?!_)', queries[index]["sql"])]
    chosen = direct or candidates
    if not chosen:
        return None
    return max(chosen, key=lambda index: (queries[index]["rows"], -index))


def capture(in_path, out_path):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplo.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    job = json.loads(Path(in_path).read_text())
    client = Client(SERVER_NAME="127.0.0.1")
    vendor = connection.vendor
    results = {}
    for page in job["pages"]:
        client.get(page["url"])  # once first, so caches are as warm as a served page's
        recorded = []
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(recording(recorded)):
            response = client.get(page["url"])
        in_process_ms = (time.perf_counter() - started) * 1000
        captured_sql = [entry["sql"] for entry in captured.captured_queries]  # before another request clears them

        queries, totals, ids = replay(connection, recorded, job)
        main = main_query(queries, page["table"])
        # Datasette's peer runs the query that reads the page's rows. Where the page kept its events
        # (events/paging.py, kept_events) and so read none, that is the query of a request that reads them.
        afresh = queries_with_events_read(client, page["url"], connection)
        peer_queries, _, peer_ids = (queries, totals, ids) if main is not None else replay(connection, afresh, job)
        peer = main_query(peer_queries, page["table"])
        for query in queries:
            query["median_ms"] = round(statistics.median(query["ms"]), 3) if query["ms"] else None
            del query["ms"]
        results[page["id"]] = {
            "status": response.status_code,
            "queries": len(captured_sql),
            "captured_sql": captured_sql,
            "recorded": queries,
            "sql_ms": round(statistics.median(totals), 3) if totals else None,
            "sql_runs": len(totals),
            "in_process_ms": round(in_process_ms, 1),
            "main": main,
            "events_kept": len(afresh) > len(recorded),
            "main_ids": peer_ids.get(id(peer_queries[peer])) if peer is not None else None,
            "main_sql": peer_queries[peer]["sql"] if peer is not None else None,
            "main_sql_inlined": (inline_sqlite(peer_queries[peer]["sql"], peer_queries[peer]["params"])
                                 if peer is not None and vendor == "sqlite" else None),
        }
    charts = {name: chart_alone(connection, query, job) for name, query in job["charts"].items()}
    Path(out_path).write_text(json.dumps({"vendor": vendor, "pages": results, "charts": charts}, default=str, indent=1))


def recording(recorded):
    """A database execute wrapper that appends each query's (sql, params, many) to `recorded`."""

    def record(execute, sql, params, many, context):
        recorded.append((sql, params, many))
        return execute(sql, params, many, context)

    return record


def queries_with_events_read(client, url, connection):
    """The queries, recorded as capture() records them (`recording`), of a request of `url` that reads its events
    rather than take them from the cache (events.paging.kept_events), as a page whose events are not
    yet kept does."""
    from events import paging

    kept_events, recorded = paging.kept_events, []
    paging.kept_events = lambda inputs, read, using: read()
    try:
        with connection.execute_wrapper(recording(recorded)):
            client.get(url)
    finally:
        paging.kept_events = kept_events
    return recorded


def replay(connection, recorded, job):
    """(queries, their totals per run, {id(query): the ids it read}): the recorded queries that read,
    replayed bare on the raw DB-API connection, rows fetched, job["sql_runs"] times (at least 3, fewer
    once job["sql_budget"] seconds are spent)."""
    connection.ensure_connection()
    raw = connection.connection
    queries = [{"sql": sql, "params": None if params is None else list(params), "many": many, "ms": [],
                "rows": 0} for sql, params, many in recorded]
    replayable = [query for query in queries
                  if not query["many"] and query["sql"].lstrip()[:6].upper() in ("SELECT", "WITH R")]
    totals, budget_end = [], time.monotonic() + job["sql_budget"]
    ids = {}
    for run_number in range(job["sql_runs"]):
        total = 0.0
        for query in replayable:
            sql, params = query["sql"], query["params"]
            cursor = raw.cursor()
            if connection.vendor == "sqlite" and params is not None:
                sql = QMARK.sub("?", sql).replace("%%", "%")
            start = time.perf_counter()
            if params is None:
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
            rows = cursor.fetchall()
            elapsed = (time.perf_counter() - start) * 1000
            query["ms"].append(elapsed)
            total += elapsed
            if run_number == 0:
                query["rows"] = len(rows)
                names = [column[0] for column in cursor.description or []]
                # A UNION of querysets names its columns col1, col2, ...: the first is the id.
                key = "id" if "id" in names else "col1" if names[:1] == ["col1"] else None
                if key:
                    ids[id(query)] = [row[names.index(key)] for row in rows]
            cursor.close()
        totals.append(total)
        if run_number >= 2 and time.monotonic() > budget_end:
            break
    return queries, totals, ids


def chart_alone(connection, query, job):
    """The chart's grouped query (events/chart.py grouped_rows) for the timeline's filters `query`,
    cold: called directly, past the cache the page reads it from; its time in Django once, and its
    SQL replayed bare."""
    from django.http import QueryDict
    from django.test.utils import CaptureQueriesContext

    from events import chart
    from events.filters import EventFilter
    from events.models import Event

    filterset = EventFilter(QueryDict(query), queryset=Event.objects.published())
    if not filterset.is_valid():
        raise Failure(f"the chart's filters ?{query} are not valid: {filterset.errors}")
    recorded = []
    filterset.qs  # noqa: B018 - the filters' own lookups (the topic tree), not the chart's
    started = time.perf_counter()
    with CaptureQueriesContext(connection), connection.execute_wrapper(recording(recorded)):
        (rows, _), _ = chart.grouped_rows(filterset.qs_read_whole(), *filterset.date_range())  # ((rows, unplaced), version)
    in_django_ms = (time.perf_counter() - started) * 1000
    queries, totals, _ = replay(connection, recorded, job)
    return {"query": query, "queries": len(recorded), "groups": len(rows), "events": sum(row[2] for row in rows),
            "in_django_ms": round(in_django_ms, 1), "sql_ms": round(statistics.median(totals), 3) if totals else None,
            "sql_runs": len(totals), "sql": [entry["sql"] for entry in queries]}


# ------------------------------------------------------------------------------------------------
# Step 3: wrk.
# ------------------------------------------------------------------------------------------------


# A percentile of a wrk run in which no request finished: each took longer than the run. Shown as
# a miss, not an error (wrk counts an answer slower than --timeout as one).
NONE_FINISHED = -1


def wrk(port, path, threads, connections, args, duration=None):
    """wrk's figures for one page; a run in which no request finished (each took longer than the
    run) is run again, once, three times as long; after that its percentiles are NONE_FINISHED."""
    duration = duration or args.duration
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", f"{args.timeout}s",
               "-s", LUA, f"http://127.0.0.1:{port}{path}"]
    output = run(command, duration + args.timeout + 60, f"wrk on {path[:80]}", capture=True)
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            figures = json.loads(line[len("BENCH_JSON "):])
            figures["errors"] = sum(figures[key] for key in figures if key.startswith("errors_"))
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6) if figures["duration_us"] else 0
            if figures["requests"] == 0:
                if duration == args.duration:
                    log(f"wrk -c{connections} finished no request of {path[:80]} in {duration} s: again, for "
                        f"{3 * duration} s")
                    return wrk(port, path, threads, connections, args, 3 * duration)
                figures.update(p50_us=NONE_FINISHED, p95_us=NONE_FINISHED)
            return figures
    raise Failure(f"wrk printed no report for {path}:\n{output[-2000:]}")


def median_text(figures, digits=1):
    if figures["p50_us"] == NONE_FINISHED:
        return "no request finished"
    return f"p50 {figures['p50_us'] / 1000:.{digits}f} ms"


def warm(port, path, count, parallel):
    """`count` requests, `parallel` at a time (so every worker sees the page); their statuses."""
    with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
        return list(pool.map(lambda _: get(port, path)[0], range(count)))


@dataclass
class Server:
    """A server to measure: its name in the figures, its port, its path for each page (None: none),
    its name in the log, and how many requests to warm each page with at once (each worker's)."""

    name: str
    port: int
    path_of: object
    label: str
    parallel: int


def measure(servers, pages, args, levels=("c1", "c8")):
    """{server name: {page id: figures}}: each page measured on each server in turn, level by level
    (Diplo at c1, then Datasette at c1, then each at c8), so that the shared machine's speed, which
    drifts by tens of per cent over a run, is the same for a page and its peer."""
    figures = {server.name: {} for server in servers}
    for page in pages:
        measured = []
        for server in servers:
            path = server.path_of(page)
            if path is None:
                continue
            try:
                statuses = warm(server.port, path, args.warmups, server.parallel)
            except OSError as error:
                statuses = [f"no answer: {error}"]
            entry = {"path": path, "statuses": statuses, "ok": all(status == 200 for status in statuses)}
            figures[server.name][page["id"]] = entry
            if entry["ok"]:
                measured.append((server, path, entry))
            else:
                log(f"{server.label}: {page['name']}: answered {statuses}, not 200: NOT MEASURED")
        for level in levels:
            for server, path, entry in measured:
                entry[level] = wrk(server.port, path, 1, 1, args) if level == "c1" else wrk(server.port, path, 2, 8, args)
        for server, _path, entry in measured:
            message = f"{server.label}: {page['name']}: {median_text(entry['c1'])} at c1"
            if "c8" in levels:
                message += f", {median_text(entry['c8'])} at c8 ({entry['c8']['rps']:.0f} req/s)"
            log(message)
    return figures


def measure_cached(port, pages, args, label):
    """With the page cache on: each page requested until it comes from the cache (the response says
    so in CACHE_HEADER; every worker asked, as each may keep its own), then wrk at c1 for
    --cache-duration seconds: a repeat request's time."""
    figures = {}
    short = argparse.Namespace(**{**vars(args), "duration": args.cache_duration})
    for page in pages:
        entry = figures[page["id"]] = {"hit": False}
        try:
            for _ in range(2 * args.workers + 1):
                status, headers = get_headers(port, page["url"])
                entry["hit"] |= headers.get(CACHE_HEADER, "").lower() == "hit"
            entry["ok"] = status == 200
        except OSError as error:
            entry["ok"], status = False, f"no answer: {error}"
        if not entry["ok"]:
            log(f"{label}: {page['name']}: answered {status}, not 200: NOT MEASURED")
            continue
        entry["c1"] = wrk(port, page["url"], 1, 1, short)
        log(f"{label}: {page['name']}: {median_text(entry['c1'], 2)} at c1"
            + ("" if entry["hit"] else f" (no “{CACHE_HEADER}: hit”: not from the page cache)"))
        if not any(entry["hit"] for entry in figures.values()):
            # The first page, "/", is what a page cache keeps first: without it, this code has none.
            log(f"{label}: the first page did not come from a page cache: this code has none; the pass stops here.")
            break
    return figures


# ------------------------------------------------------------------------------------------------
# One database: Diplo; and Datasette on the SQLite file.
# ------------------------------------------------------------------------------------------------


def bench_diplo(database, args, secret, peer=None):
    """Diplo's figures on `database`, and, page by page beside them, its `peer`'s (Datasette), started
    in the SQLite pass and measured again in each pass after it."""
    # Cold requests: no server-side page cache (diplo/settings.py SERVER_PAGE_CACHE), and the API's
    # throttle, which still runs, set too high to refuse the load.
    env = {**django_env(secret, database.url), **PAGE_CACHE_OFF, "DIPLO_API_RATE": "1000000000/second"}
    database.prepare(secret)
    database.start()
    result = {"label": database.label, "kind": database.kind, "key": database.key,
              "generated_in": database.generated_in}
    result["version"] = database.version()
    result["settings"] = database.settings()
    pages, charts = pick_pages(database, args.events)
    result["pages"] = pages
    for page in pages:
        log(f"{database.label}: {page['name']}: {page['url']}" + (f" ({page['note']})" if page["note"] else ""))

    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], 300, "manage.py collectstatic", env=env)

    job = RUN_DIR / f"capture-{database.kind}-in.json"
    out = RUN_DIR / f"capture-{database.kind}.json"
    job.write_text(json.dumps({"pages": [{"id": page["id"], "url": page["url"], "table": page["table"]} for page in pages],
                               "charts": charts, "sql_runs": args.sql_runs, "sql_budget": args.sql_budget}))
    log(f"{database.label}: counting and timing each page's queries (Django test client) ...")
    run([PYTHON, Path(__file__), "capture", job, out], 300 + (len(pages) + len(charts)) * (args.sql_budget + 120),
        "capturing the queries", env=env, capture=True)
    captured = json.loads(out.read_text())
    result["capture"], result["charts"] = captured["pages"], captured["charts"]
    write_queries(database, pages, result["capture"])

    paths = peer.ready(database, result) if peer else None
    gunicorn, gunicorn_log = start_gunicorn(database, args, env, "cold")
    log(f"{database.label}: gunicorn with {args.workers} workers on 127.0.0.1:{args.port}, page cache off; measuring"
        + (", each page's peer in Datasette beside it ..." if paths else " ..."))
    servers = [Server("diplo", args.port, lambda page: page["url"], f"Diplo on {database.label}", args.workers)]
    if paths:
        servers.append(Server("datasette", args.datasette_port, lambda page: paths[page["id"]],
                              f"Datasette beside {database.label}", 3))
    figures = measure(servers, pages, args)
    result["diplo"] = figures["diplo"]
    if paths:
        peer.measured(database, figures["datasette"])
    workers = children(gunicorn.pid)
    result["worker_peak_kb"] = {str(pid): peak_memory_kb(pid) for pid in workers}
    result["workers_seen"] = len(workers)
    stop(gunicorn)
    result["gunicorn_log_errors"] = log_errors(gunicorn_log)
    if args.cache_duration:
        gunicorn, gunicorn_log = start_gunicorn(database, args, {**env, **PAGE_CACHE_ON}, "cached")
        log(f"{database.label}: gunicorn again, page cache on; measuring repeat requests ...")
        result["cached"] = measure_cached(args.port, pages, args, f"Diplo on {database.label}, page cache on")
        stop(gunicorn)
        result["gunicorn_log_errors"] += log_errors(gunicorn_log)
    return result


def log_errors(gunicorn_log):
    return [line for line in gunicorn_log.read_text().splitlines()
            if re.search(r"Traceback|Error|WORKER TIMEOUT|Booting worker", line)]


def start_gunicorn(database, args, env, name):
    if port_in_use(args.port):
        raise Failure(f"port {args.port} is in use: pass --port with a free one")
    gunicorn_log = RUN_DIR / f"gunicorn-{database.kind}-{name}.log"
    gunicorn = start(f"gunicorn ({database.label})", [
        # gunicorn.conf.py's threads would make them threaded workers: this benchmark's figures are
        # for sync ones.
        PYTHON, "-m", "gunicorn", "diplo.wsgi", "--workers", args.workers, "--worker-class", "sync", "--threads", 1,
        "--max-requests", "0", "--timeout", max(120, args.timeout * 2), "--bind", f"127.0.0.1:{args.port}",
        "--error-logfile", "-", *GUNICORN_ALONE,
    ], gunicorn_log, env=env)
    wait_until_serving(args.port, gunicorn, gunicorn_log, path="/robots.txt")
    return gunicorn, gunicorn_log


def datasette_path(page, capture, datasette=None):
    """Datasette's page closest to `page` (its table view, row page, or SQL page running Diplo's main
    query), or its JSON for an API page; None if Diplo's main query was not found."""
    kind, *rest = datasette or page["datasette"]
    if kind == "json":
        path = datasette_path(page, capture, rest[0])
        return path and json_path(path)
    if kind == "table":
        return f"/{DATASETTE_DB}/{rest[0]}?" + urllib.parse.urlencode(rest[1])
    if kind == "row":
        return f"/{DATASETTE_DB}/{rest[0]}/{rest[1]}"
    sql = capture[page["id"]]["main_sql_inlined"]
    if sql is None:
        return None
    return f"/{DATASETTE_DB}?" + urllib.parse.urlencode({"sql": sql})


def datasette_kind(page):
    """"table", "row" or "sql", with " JSON" for the JSON form."""
    kind = page["datasette"]
    return f"{kind[1][0]} JSON" if kind[0] == "json" else kind[0]


def datasette_row(page):
    """The pk of the record a page about one record shows on Datasette's row page, or None."""
    kind = page["datasette"][1] if page["datasette"][0] == "json" else page["datasette"]
    return kind[2] if kind[0] == "row" else None


def json_path(path):
    """The JSON form of a Datasette page, for checking which rows it shows (rows as lists, with the
    columns named apart: a query's columns can repeat a name, as "id" of two tables)."""
    base, _, query = path.partition("?")
    if base.endswith(".json"):
        return path
    return base + ".json" + ("?" + query if query else "")


def start_datasette(database, args, mode):
    log_path = RUN_DIR / f"datasette-{mode}.log"
    settings = [part for name, value in DATASETTE_SETTINGS for part in ("--setting", name, value)]
    files = ["-i", database.path] if mode == "immutable" else [database.path]
    if port_in_use(args.datasette_port):
        raise Failure(f"port {args.datasette_port} is in use: pass --datasette-port with a free one")
    process = start(f"Datasette ({mode})", [DATASETTE, "serve", *files, "-h", "127.0.0.1", "-p", args.datasette_port,
                                            *settings], log_path)
    wait_until_serving(args.datasette_port, process, log_path, path="/-/versions.json")
    return process


class Datasette:
    """The peer: Datasette serving the SQLite file, started once Diplo's queries on it are captured (its
    SQL pages run Diplo's main queries) and kept running through the passes after, so that each pass
    measures it page by page beside Diplo (measure). Its figures beside the SQLite pass are "figures";
    beside each pass, "figures_by_kind"."""

    def __init__(self, args):
        self.args = args
        self.process = None
        self.result = None

    def ready(self, database, sqlite_result):
        """Its path for each page, starting it in the SQLite pass; None before that pass."""
        if self.result is None:
            if database.kind != "sqlite":
                return None
            self.result, self.process = start_peer(database, sqlite_result, self.args)
        return self.result["paths"]

    def measured(self, database, figures):
        self.result["figures_by_kind"][database.kind] = figures
        if database.kind == "sqlite":
            self.result["figures"] = figures

    def stop(self):
        """Its figures (None if it never started), with its peak memory."""
        if self.process is not None:
            self.result["peak_kb"] = peak_memory_kb(self.process.pid)
            stop(self.process)
            self.process = None
        return self.result


def start_peer(database, sqlite_result, args):
    """(its result so far: paths, probe, mode, versions, rows; the running process) for Datasette on the SQLite file."""
    pages, capture = sqlite_result["pages"], sqlite_result["capture"]
    paths = {page["id"]: datasette_path(page, capture) for page in pages}
    result = {"paths": paths, "probe": {}, "figures": {}, "figures_by_kind": {}}
    modes = ["mutable", "immutable"] if args.datasette_mode == "auto" else [args.datasette_mode]
    if len(modes) > 1:
        # Which mode is faster here: a short run of three pages (table, table with a filter, SQL) in each.
        probe_args = argparse.Namespace(**{**vars(args), "duration": max(2, args.duration // 3)})
        probe_pages = [page for page in pages if page["id"] in ("first", "kind", "actor") and paths[page["id"]]]
        for mode in modes:
            process = start_datasette(database, args, mode)
            server = Server("probe", args.datasette_port, lambda page: paths[page["id"]], f"Datasette probe ({mode})", 3)
            figures = measure([server], probe_pages, probe_args, levels=("c1",))["probe"]
            stop(process)
            result["probe"][mode] = sum(max(entry["c1"]["p50_us"], 0) for entry in figures.values() if "c1" in entry) / 1000
        mode = min(modes, key=lambda mode: result["probe"][mode])
        log(f"Datasette: {mode} mode is faster here ({', '.join(f'{m} {ms:.1f} ms' for m, ms in result['probe'].items())}"
            " for the three probe pages' medians).")
    else:
        mode = modes[0]
    result["mode"] = mode
    process = start_datasette(database, args, mode)
    status, body = get(args.datasette_port, "/-/versions.json")
    result["versions"] = json.loads(body) if status == 200 else {}
    # Which rows each page shows, against Diplo's main query on the same file.
    result["rows"] = {}
    for page in pages:
        path = paths[page["id"]]
        if path is None:
            continue
        status, body = get(args.datasette_port, json_path(path))
        shown, truncated = [], False
        if status == 200:
            data = json.loads(body)
            columns = data.get("columns", [])
            key = "id" if "id" in columns else "col1" if columns[:1] == ["col1"] else None  # col1: a UNION's id
            if key:
                shown = [row[columns.index(key)] for row in data.get("rows", [])]
            truncated = bool(data.get("truncated"))
        result["rows"][page["id"]] = {"status": status, "ids": shown, "truncated": truncated}
    return result, process


def write_queries(database, pages, capture):
    """Every page's queries, with parameters and time alone, to bench/data/last-run/queries-<db>.txt."""
    lines = []
    for page in pages:
        entry = capture[page["id"]]
        lines.append(f"=== {page['name']}: {page['url']}  (status {entry['status']}, {entry['queries']} queries, "
                     f"SQL alone {entry['sql_ms']} ms, median of {entry['sql_runs']} runs)")
        for index, query in enumerate(entry["recorded"]):
            main = "  [main query]" if index == entry["main"] else ""
            lines.append(f"--- {index + 1}: {query['median_ms']} ms, {query['rows']} rows{main}")
            lines.append(query["sql"])
            lines.append(f"    params: {query['params']}")
        if entry.get("events_kept") and entry.get("main_sql"):
            lines.append("--- the page's events were kept; read afresh, they are read by (Datasette's peer runs it):")
            lines.append(entry["main_sql"])
        elif entry.get("events_kept"):
            lines.append("--- the page's events were kept; read afresh, they are read by a UNION, which is not taken as a main query")
        lines.append("")
    (RUN_DIR / f"queries-{database.kind}.txt").write_text("\n".join(lines))


# ------------------------------------------------------------------------------------------------
# The report.
# ------------------------------------------------------------------------------------------------


def ms(microseconds):
    if microseconds is None:
        return "—"
    if microseconds == NONE_FINISHED:
        return "**none finished ✗**"
    value = microseconds / 1000
    return f"{value:.1f}" if value < 10 else f"{value:,.0f}"


def miss(text, missed):
    return f"**{text} ✗**" if missed else text


def ratio(a, b):
    return a / b if a not in (None, NONE_FINISHED) and b not in (None, NONE_FINISHED) and b else None


def fmt_ratio(value, target=None):
    if value is None:
        return "—"
    text = f"{value:.2f}" if value < 10 else f"{value:.0f}"
    return miss(text, target is not None and value > target)


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    system = "unknown"
    if Path("/etc/os-release").exists():
        fields = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        system = fields.get("PRETTY_NAME", system).strip('"')
    return f"{cpu}, {os.cpu_count()} cores (`nproc`), {memory_kb / 1024 / 1024:.1f} GiB memory; {system}, Linux {platform.release()}"


def versions(results, datasette):
    import django
    import gunicorn
    import psycopg

    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    parts = [f"Python {platform.python_version()}", f"Django {django.__version__}", f"gunicorn {gunicorn.__version__}",
             f"psycopg {psycopg.__version__}", f"SQLite {sqlite3.sqlite_version}"]
    parts += [result["version"] for result in results if result["kind"] == "postgres"]
    if datasette:
        info = datasette.get("versions", {})
        parts.append(f"Datasette {info.get('datasette', {}).get('version', '?')} (on Python "
                     f"{info.get('python', {}).get('version', '?')}, SQLite {info.get('sqlite', {}).get('version', '?')})")
    parts.append("wrk " + wrk_version.split()[1].replace("debian/", "") if len(wrk_version.split()) > 1 else "wrk")
    return ", ".join(parts)


def report(args, results, datasette, errors, elapsed):
    small = args.events != DEFAULT_EVENTS
    out = [BEGIN, ""]
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = (f"### Small trial: N = {args.events:,}, not the benchmark's figures (to be regenerated at "
             f"N = {DEFAULT_EVENTS:,})" if small else f"### N = {args.events:,}")
    command = "bench/run " + " ".join(args.argv)
    out += [title, "", f"`{command.strip()}`, run on {when}, {elapsed / 60:.1f} minutes in all; the CPUs were "
            f"{100 * args.busy_before:.0f}% busy in the {BUSY_SECONDS} s before it started"
            + (" — **the machine was busy: other work on it skews these figures**" if args.busy_before > BUSY else "")
            + ".", ""]
    if errors:
        out += ["**ERRORS in this run — the figures below are not to be trusted until they are fixed:**", ""]
        out += [f"- **{error}**" for error in errors] + [""]
    out += [f"- **Machine**: {machine()}.",
            f"- **Versions**: {versions(results, datasette)}.",
            f"- **Data**: `generate_archive {args.events} --seed {args.seed}`, after `migrate`; dataset key "
            f"`{results[0]['key']}` (N, seed, and a hash of the migrations, the generator and the topic fixture)."]
    for result in results:
        generated = f"generated in {result['generated_in'] / 60:.1f} min" if result.get("generated_in") else "reused"
        out.append(f"- **{result['label']}**: {result['settings']}; {generated}.")
    out += [f"- **Diplo**: gunicorn {args.workers} sync workers, `--max-requests 0`, on 127.0.0.1, DEBUG unset, "
            "random SECRET_KEY, HTTPS=0, ALLOWED_HOSTS=127.0.0.1, CONN_MAX_AGE=600, static files collected "
            "(whitenoise)."]
    if datasette:
        probe = ", ".join(f"{mode} {value:.1f} ms" for mode, value in datasette["probe"].items())
        out.append(f"- **Datasette**: `datasette serve {'-i ' if datasette['mode'] == 'immutable' else ''}"
                   f"diplo.sqlite3 -h 127.0.0.1 "
                   + " ".join(f"--setting {name} {value}" for name, value in DATASETTE_SETTINGS) + "`, "
                   f"{datasette['mode']} mode" + (f" (the faster here: the sum of three pages' medians was {probe})"
                                                  if probe else "")
                   + "; its other settings default (3 SQL threads). It serves only SQLite, the same file "
                   "throughout, and is measured page by page beside Diplo in each database's pass (Diplo at c1, "
                   "Datasette at c1, Diplo at c8, Datasette at c8), so that a page and its peer are measured "
                   "within the same minute of a run whose machine speeds up and slows down by tens of per "
                   "cent: each table's DS columns are the figures beside that pass.")
    else:
        out.append("- **Datasette**: not run (it serves the SQLite file; this run had no SQLite database).")
    out += [f"- **Load**: after {args.warmups} warm-up requests per page ({args.workers} at a time), "
            f"`wrk -t1 -c1` and `wrk -t2 -c8`, {args.duration} s each, `--timeout {args.timeout}s`, on the same "
            f"machine (wrk and the servers share the cores); pages one after another; the server-side page cache "
            f"off ({', '.join(f'{k}={v}' for k, v in PAGE_CACHE_OFF.items())}) and the API's throttle raised out of "
            f"the way. Then gunicorn again with the page cache on "
            f"({', '.join(f'{k}={v}' for k, v in PAGE_CACHE_ON.items())}): each page requested "
            f"{2 * args.workers + 1} times, then `wrk -t1 -c1` for {args.cache_duration} s (*cached p50*). "
            f"SQL alone: the median of up to {args.sql_runs} replays (at least 3, stopping after {args.sql_budget} s)."
            if args.cache_duration else "No pass with the page cache on (`--cache-duration 0`).", ""]

    for result in results:
        out += database_table(result, datasette, args)

    out += ["Columns: **p50, p95** — wrk's latency percentiles in ms, at concurrency 1 (`-t1 -c1`) and 8 "
            "(`-t2 -c8`), cold (no page cache). **Queries** — SQL queries Diplo ran for the page (Django's test client in a separate "
            "process, `CaptureQueriesContext`). **SQL alone** — those same queries with the same parameters, "
            "replayed bare on the raw DB-API connection, rows fetched, ms in all (median of the runs). "
            "**Page/SQL** — p50 at c1 over SQL alone: what Django, the templates and HTTP add. **DS** — "
            "Datasette's equivalent page (*table*: its table view of `events_event`, filtered and sorted by "
            "`date_earliest`, undated rows left out (`date_earliest__notnull=1`), as Diplo's first pages have "
            "them last; for the other lists, their tables sorted as Diplo's lists are; *SQL*: Diplo's main query, parameters inlined, on Datasette's SQL page; *row*: its row "
            "page, which shows the record and counts the rows in other tables that point to it; *JSON*: the same page's "
            "`.json`, for an API page). **D/DS** — "
            "Diplo's p50 over Datasette's at the same concurrency. **Rows** — how many of the rows Diplo's main "
            "query read are on Datasette's page (its table view sorts by `date_earliest` and then `id`, not by "
            "the timeline's full order, so pages with many events on one day differ in which of them they show; a "
            "search's main query is its ranking of up to 1,001 candidates, of which Datasette shows 1,000). "
            "**Cached p50** — a repeat request's p50 at c1 with the page cache on.",
            "",
            f"Targets, marked **✗** where missed: D/DS at most {TARGET_DS_RATIO} at c1 and c8; page/SQL at most "
            f"{TARGET_SQL_RATIO:g}; at most {TARGET_QUERIES} queries; cached p50 under {TARGET_CACHED_MS} ms; peak "
            f"worker memory at most {TARGET_MEMORY_MB['sqlite']} MB on SQLite and {TARGET_MEMORY_MB['postgres']} MB "
            f"on PostgreSQL (issue 13); p50 at c1 under {TARGET_MEDIAN_MS} ms, and the deep page's at most "
            f"{TARGET_DEEP_RATIO}× the first page's. Every query of every page, with its parameters and time: "
            "`bench/data/last-run/queries-<database>.txt` (not kept in git).", ""]
    out += ["The pages, chosen from the data by SQL (the same on both databases), and Datasette's for each "
            "(on 127.0.0.1, database `diplo`; a SQL page's full query is in the queries file):", ""]
    for page in results[0]["pages"]:
        line = f"- **{page['name']}**: `{page['url']}`" + (f", {page['note']}" if page["note"] else "")
        path = (datasette or {}).get("paths", {}).get(page["id"])
        if path:
            line += f"; Datasette: `{path if len(path) <= 130 else path[:120] + '…'}`"
        out.append(line + ".")
    out.append("")
    out.append(END)
    return out


def database_table(result, datasette, args):
    pages, capture, diplo = result["pages"], result["capture"], result["diplo"]
    figures_ds = peer_figures(datasette, result["kind"])
    peak = max((kb for kb in result["worker_peak_kb"].values() if kb), default=0)
    lines = [f"#### {result['label']}", ""]
    cached = result.get("cached")
    any_hit = bool(cached) and any(entry.get("hit") for entry in cached.values())
    header = ["page", "URL", "p50 c1", "p95 c1", "p50 c8", "p95 c8", "queries", "SQL alone", "page/SQL",
              "DS", "DS p50 c1", "DS p50 c8", "D/DS c1", "D/DS c8", "rows", "cached p50"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    first_p50 = diplo.get("first", {}).get("c1", {}).get("p50_us")
    for page in pages:
        entry, captured = diplo.get(page["id"], {}), capture[page["id"]]
        c1, c8 = entry.get("c1"), entry.get("c8")
        p50 = c1["p50_us"] if c1 else None
        name = page["name"]
        if not entry.get("ok"):
            name += f" — **answered {entry.get('statuses')}**"
        p50_text = miss(ms(p50), p50 is not None and p50 / 1000 >= TARGET_MEDIAN_MS)
        deep = ratio(p50, first_p50)
        if page["id"] == "deep" and deep is not None:
            p50_text += f" ({miss(f'{deep:.2f}× first', deep > TARGET_DEEP_RATIO)})"
        sql_ms = captured["sql_ms"]
        ds = figures_ds.get(page["id"], {})
        ds_c1, ds_c8 = ds.get("c1"), ds.get("c8")
        rows = "—"
        if datasette and page["id"] in datasette["rows"]:
            shown = datasette["rows"][page["id"]]
            if datasette_row(page) is not None:
                rows = "same record" if shown["ids"] == [datasette_row(page)] else f"**{shown['ids'][:3]}**"
            elif captured["main_ids"] is not None:
                common = len(set(captured["main_ids"]) & set(shown["ids"]))
                rows = f"{common} of {len(captured['main_ids'])}"
                if shown.get("truncated"):
                    rows += f" (Datasette stops at {len(shown['ids']):,})"
        lines.append("| " + " | ".join([
            name, f"`{page['url']}`", p50_text, ms(c1["p95_us"]) if c1 else "—",
            ms(c8["p50_us"]) if c8 else "—", ms(c8["p95_us"]) if c8 else "—",
            miss(str(captured["queries"]), captured["queries"] > TARGET_QUERIES),
            f"{sql_ms:.1f}" if sql_ms is not None else "—",
            fmt_ratio(ratio(p50, sql_ms * 1000 if sql_ms else None), TARGET_SQL_RATIO),
            datasette_kind(page) if datasette else "—",
            ms(ds_c1["p50_us"]) if ds_c1 else "—", ms(ds_c8["p50_us"]) if ds_c8 else "—",
            fmt_ratio(ratio(p50, ds_c1["p50_us"] if ds_c1 else None), TARGET_DS_RATIO),
            fmt_ratio(ratio(c8["p50_us"] if c8 else None, ds_c8["p50_us"] if ds_c8 else None), TARGET_DS_RATIO),
            rows,
            cached_cell((cached or {}).get(page["id"]), any_hit),
        ]) + " |")
    lines.append("")
    kept = [page["name"] for page in pages if capture[page["id"]].get("events_kept")]
    if kept:
        lines += ["Pages served with their events kept (`events/paging.py`, `kept_events`): their queries and SQL "
                  "are the served page's, and Datasette's peer runs the query that reads the events where they are "
                  "not kept: " + "; ".join(kept) + ".", ""]
    target_mb = TARGET_MEMORY_MB[result["kind"]]
    memory = (f"Peak worker memory (VmHWM, the highest of the {result['workers_seen']} workers, page cache off): "
              + miss(f"{peak / 1024:,.0f} MB", peak / 1024 > target_mb) + f" (target: at most {target_mb} MB)")
    if datasette and result["kind"] == "sqlite" and datasette.get("peak_kb"):
        memory += f"; Datasette's process: {datasette['peak_kb'] / 1024:,.0f} MB"
    lines += [memory + ".", ""]
    if result["kind"] == "postgres" and datasette:
        lines += ["(DS columns: Datasette on the SQLite file, the same figures as in the SQLite table.)", ""]
    if cached and not any_hit:
        lines += [f"Cached p50: the first page did not say `{CACHE_HEADER}: hit` with the page cache turned on "
                  f"({', '.join(f'{k}={v}' for k, v in PAGE_CACHE_ON.items())}): this code has no server-side "
                  "page cache, so the pass stopped there, and the column shows that page's uncached repeat requests.",
                  ""]
    lines += chart_table(result)
    if diplo.get("deep", {}).get("c1") and capture["deep"]["main_ids"] == capture["first"]["main_ids"]:
        lines += ["Note: the deep page listed the same events as the first page: `?after=` is not implemented "
                  "by this code yet, so its figures are the first page's.", ""]
    return lines


def cached_cell(entry, any_hit):
    """A repeat request's p50 with the page cache on, marked against TARGET_CACHED_MS where the cache
    exists; "(not cached)" for a page it did not answer."""
    if not entry or not entry.get("c1"):
        return "—" if not entry else "**not 200**"
    if entry["c1"]["p50_us"] == NONE_FINISHED:
        return "**none finished ✗**"
    p50 = entry["c1"]["p50_us"] / 1000
    text = f"{p50:.2f}" if p50 < 10 else f"{p50:,.0f}"
    if not any_hit:
        return text
    text = miss(text, p50 >= TARGET_CACHED_MS)
    return text if entry["hit"] else text + " (not cached)"


def chart_table(result):
    """The chart's grouped query alone (events/chart.py grouped_rows), cold: not from the cache."""
    charts = result.get("charts") or {}
    if not charts:
        return []
    lines = ["The chart of events over time, alone: its grouped query (`events/chart.py` `grouped_rows`), cold "
             "(called directly, not read from the cache every timeline page above read it from):", "",
             "| filter | queries | groups | events counted | in Django, once (ms) | SQL alone (ms) |",
             "|---|---|---|---|---|---|"]
    for chart in charts.values():
        lines.append(f"| `{'?' + chart['query'] if chart['query'] else '(none)'}` | {chart['queries']} | "
                     f"{chart['groups']:,} | {chart['events']:,} | {chart['in_django_ms']:,.1f} | "
                     f"{chart['sql_ms']:,.1f} (median of {chart['sql_runs']}) |")
    return lines + [""]


def run_exports(database, secret, events):
    """bench/exports.py's table for one database, as it prints it."""
    env = {**django_env(secret, database.url), "ALLOWED_HOSTS": "testserver"}  # its test client's host
    log(f"{database.label}: the exports (bench/exports.py) ...")
    printed = run([PYTHON, BENCH / "exports.py"], 600 + 3.5 * events / 200, f"bench/exports.py on {database.label}",
                  env=env, capture=True)
    print(printed, end="")
    return printed


def exports_report(args, results):
    when = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    out = [EXPORTS_BEGIN, "", f"`bench/run {' '.join(args.argv)}`, N = {args.events:,}, run on {when}: "
           "`bench/exports.py` on each database, as it prints its table.", ""]
    for result in results:
        out += [f"#### {result['label']}", "", "```", result.get("exports", "").rstrip(), "```", ""]
    return out + [EXPORTS_END]


def write_results(lines, begin=BEGIN, end=END, heading="## The page benchmark (bench/run)"):
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    block = "\n".join(lines)
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n" + block + "\n"
    RESULTS.write_text(text)


def collect_errors(results, datasette):
    errors = []
    for result in results:
        for page in result["pages"]:
            entry = result["diplo"].get(page["id"], {})
            captured = result["capture"][page["id"]]
            where = f"Diplo on {result['label']}, {page['name']} ({page['url']})"
            if not entry.get("ok"):
                errors.append(f"{where} answered {entry.get('statuses')}, not 200")
            if captured["status"] != 200:
                errors.append(f"{where} answered {captured['status']} to the test client")
            for level in ("c1", "c8"):
                if entry.get(level, {}).get("errors"):
                    errors.append(f"{where}: wrk saw {entry[level]['errors']} errors at {level} "
                                  "(connect/read/write/status≥400/timeout)")

        for page_id, entry in (result.get("cached") or {}).items():
            if not entry.get("ok"):
                errors.append(f"Diplo on {result['label']} with the page cache on, {page_id}: not 200")
            elif entry["c1"].get("errors"):
                errors.append(f"Diplo on {result['label']} with the page cache on, {page_id}: wrk saw "
                              f"{entry['c1']['errors']} errors")
        if any("WORKER TIMEOUT" in line or "Traceback" in line for line in result["gunicorn_log_errors"]):
            errors.append(f"gunicorn's log on {result['label']} holds errors or worker timeouts "
                          f"(bench/data/last-run/gunicorn-{result['kind']}-*.log)")
    if datasette:
        for kind, figures in datasette["figures_by_kind"].items():
            beside = f"Datasette beside {kind}"
            for page_id, path in datasette["paths"].items():
                entry = figures.get(page_id)
                if path is None:
                    errors.append(f"Datasette: no SQL for {page_id}: Diplo's main query was not found")
                elif not entry or not entry.get("ok"):
                    errors.append(f"{beside}, {page_id} ({path[:100]}) answered {entry and entry.get('statuses')}, not 200")
                else:
                    for level in ("c1", "c8"):
                        if entry.get(level, {}).get("errors"):
                            errors.append(f"{beside}, {page_id}: wrk saw {entry[level]['errors']} errors at {level}")

    return errors


def peer_figures(datasette, kind):
    """Datasette's figures as measured beside the pass on `kind` (Datasette.measured); else beside SQLite's."""
    if not datasette:
        return {}
    return datasette["figures_by_kind"].get(kind) or datasette["figures"]


def console_summary(results, datasette):
    for result in results:
        print(f"\n{result['label']}: page, p50 c1 / c8 ms, queries, SQL alone ms, Datasette p50 c1 ms")
        for page in result["pages"]:
            entry = result["diplo"].get(page["id"], {})
            ds = peer_figures(datasette, result["kind"]).get(page["id"], {})
            print(f"  {page['name']:<24} {ms(entry.get('c1', {}).get('p50_us')):>7} / "
                  f"{ms(entry.get('c8', {}).get('p50_us')):>7}  {result['capture'][page['id']]['queries']:>3}  "
                  f"{result['capture'][page['id']]['sql_ms'] or 0:>9.1f}  {ms(ds.get('c1', {}).get('p50_us')):>7}")


# ------------------------------------------------------------------------------------------------
# The load test: many visitors at once, over a mix of pages.
# ------------------------------------------------------------------------------------------------

MIX = BENCH / "wrk-mix.lua"
# The load test's pages: the timeline, unfiltered and filtered, the sanctions, and a typical event,
# person and source (not the first or the busiest).
LOAD_PAGES = """
from django.db.models import Count
from events.models import Event, Person, Source

def middle(queryset):
    return queryset[queryset.count() // 2]

event = middle(Event.objects.published().order_by("pk"))
person = middle(Person.objects.annotate(n=Count("participations")).filter(n__gt=0).order_by("n", "pk"))
source = middle(Source.objects.annotate(n=Count("citations")).filter(n__gt=0).order_by("n", "pk"))
for url in ["/", "/?date_from=2020&topic=hong-kong", event.get_absolute_url(), person.get_absolute_url(),
            "/sanctions/", source.get_absolute_url()]:
    print(url)
"""
# wrk prints these only when something went wrong.
WRK_TROUBLE = re.compile(r"Non-2xx or 3xx responses|Socket errors")
WRK_FIGURES = re.compile(r"^ +(Latency|50%|90%|99%)|Requests/sec|Non-2xx|Socket errors")


@contextlib.contextmanager
def load_database(kind, folder, args):
    """(DATABASE_URL, what it is) of an empty database, a file in `folder` or a throwaway cluster,
    removed on leaving."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'db.sqlite3'}", f"SQLite {sqlite3.sqlite_version}"
        return
    with postgres.throwaway_cluster(args.pgport, PG_SETTINGS) as cluster:
        import psycopg

        with psycopg.connect(cluster.url) as connection:
            version = connection.execute("SHOW server_version").fetchone()[0]
        yield cluster.url, f"PostgreSQL {version}"


def machine_size():
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal:"))
    return f"{os.cpu_count()} CPUs, {memory_kb // 1024 // 1024} GB memory"


def wrk_load(arguments, limit, show=None):
    """Runs wrk, prints its report (only the lines `show` matches, if given), and says whether it saw trouble."""
    output = run(["wrk", *arguments], limit, "wrk", capture=True)
    for line in output.splitlines():
        if show is None or show.search(line):
            print(line)
    # A server that answers nothing at all gives wrk no error to count.
    answered = re.search(r"^ *(\d+) requests in", output, re.M)
    if not answered or int(answered.group(1)) == 0:
        print("=== wrk got no answer at all.")
        return True
    return bool(WRK_TROUBLE.search(output))


def load_test(kind, args):
    """One load test on one database; True when every answer was 2xx or 3xx, with no socket error,
    no error in gunicorn's log and none on the idle connections."""
    with (tempfile.TemporaryDirectory(prefix="diplo-load.") as folder,
          load_database(kind, Path(folder), args) as (url, version)):
        return load_site(url, version, Path(folder), args)


def load_site(url, version, folder, args):
    env = django_env(secrets.token_urlsafe(50), url)
    print(f"=== Diplo load test: {args.dataset} data on {version}; {machine_size()}")
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], 300, "manage.py migrate", env=env, capture=True)
    started = time.monotonic()
    if args.dataset == "fixtures":
        run([PYTHON, "manage.py", "loaddata", "diplo", "-v0"], args.load_limit, "manage.py loaddata", env=env)
    else:
        run([PYTHON, "manage.py", "generate_archive", args.events, "--seed", 1], args.load_limit,
            f"manage.py generate_archive {args.events}", env=env)
    print(f"Loaded in {time.monotonic() - started:.1f} s.")
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], 300, "manage.py collectstatic", env=env,
        capture=True)
    paths = run([PYTHON, "manage.py", "shell", "-v0", "-c", LOAD_PAGES], 300, "choosing the pages", env=env,
                capture=True).split()
    print("Pages:\n" + "\n".join(f"  {path}" for path in paths))

    if port_in_use(args.port):
        raise Failure(f"port {args.port} is in use: pass --port with a free one")
    # From ROOT, so gunicorn reads gunicorn.conf.py: what is measured is what production runs.
    gunicorn_command = [PYTHON, "-m", "gunicorn", "diplo.wsgi", "--bind", f"127.0.0.1:{args.port}", *GUNICORN_ALONE]
    if args.workers:
        gunicorn_command += ["--workers", args.workers]
    served = gunicorn_settings(gunicorn_command, env)
    print(f"gunicorn, from gunicorn.conf.py: {served['workers']} {served['worker_class']} workers × "
          f"{served['threads']} threads, timeout {served['timeout']} s, keepalive {served['keepalive']} s")
    gunicorn_log = folder / "gunicorn.log"
    gunicorn = start("gunicorn", gunicorn_command, gunicorn_log, env=env)
    try:
        wait_until_serving(args.port, gunicorn, gunicorn_log, limit=30, path="/sanctions/")
        # One visit to each page per worker first, so no worker's first request pays for the caches.
        for path in paths:
            for _ in range(int(served["workers"])):
                try:
                    get(args.port, path, timeout=120)
                except OSError:
                    pass  # counted by wrk, if it happens again
        with IdleConnections(args.port, args.idle_connections) as idle:
            trouble = run_wrk(args, paths)
        print(idle.report())
        trouble |= idle.failed
    finally:
        stop(gunicorn)
    trouble |= print_log_errors(gunicorn_log)
    return not trouble


def gunicorn_settings(command, env):
    """The settings gunicorn will run with (gunicorn.conf.py, then the environment, then `command`'s options)."""
    printed = run([*command, "--print-config"], 120, "gunicorn --print-config", env=env, capture=True)
    return dict(re.findall(r"^(\w+) += (.*)$", printed, re.M))


def run_wrk(args, paths):
    """The mix, then each page alone; True if wrk saw trouble."""
    site = f"http://127.0.0.1:{args.port}"
    timeout = f"{args.timeout}s"
    limit = args.duration + args.timeout + 60
    print(f"Load average before the mix: {load_average()}")
    print(f"=== The mix: wrk -t{args.threads} -c{args.connections} -d{args.duration}s --timeout {timeout} "
          f"--latency, with {args.idle_connections} idle connections open")
    trouble = wrk_load([f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", timeout,
                        "--latency", "-s", MIX, site, "--", *paths], limit)
    print(f"Load average after the mix: {load_average()}")
    if args.page_duration:
        for path in paths:
            print(f"=== One page: {path} (wrk -t2 -c8 -d{args.page_duration}s --timeout {timeout})")
            trouble |= wrk_load(["-t2", "-c8", f"-d{args.page_duration}s", "--timeout", timeout, "--latency",
                                 site + path], args.page_duration + args.timeout + 60, show=WRK_FIGURES)
    return trouble


def load_average():
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min), {fifteen:.2f} (15 min), on {os.cpu_count()} CPUs"


class IdleConnections:
    """`count` TCP connections to 127.0.0.1:port that send nothing, held open while in the `with`
    block: a thread opens each one again as soon as the server closes it."""

    def __init__(self, port, count):
        self.port = port
        self.count = count
        self.opened = self.closed_by_server = 0
        self.errors = []
        self.answers = []  # the first line of anything the server wrote to one, such as a 500 or a 408
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.hold, daemon=True)

    def __enter__(self):
        self.started = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        self.thread.join(timeout=10)
        self.held_for = time.monotonic() - self.started

    def open(self, selector):
        try:
            connection = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        except OSError as error:
            self.errors.append(str(error))
            return
        self.opened += 1
        selector.register(connection, selectors.EVENT_READ)

    def hold(self):
        with selectors.DefaultSelector() as selector:
            for _ in range(self.count):
                self.open(selector)
            while not self.stopping.is_set():
                for key, _ in selector.select(timeout=0.2):
                    connection = key.fileobj
                    try:
                        data = connection.recv(4096)
                    except OSError:
                        data = b""
                    if data:  # an answer to no request, which the server then closes: dropped at once
                        self.answers.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                    else:
                        self.closed_by_server += 1
                    selector.unregister(connection)
                    connection.close()
                    self.open(selector)
                if len(selector.get_map()) < self.count:
                    time.sleep(0.2)  # could not open one: try again, without spinning
                    self.open(selector)
            for key in list(selector.get_map().values()):
                key.fileobj.close()

    @property
    def failed(self):
        """An idle connection could not be opened, or the server answered one with a 5xx (a worker
        killed while it waited on it)."""
        return bool(self.errors) or any(re.match(r"HTTP/\S+ 5", answer) for answer in self.answers)

    def report(self):
        if not self.count:
            return "=== No idle connections were held (--idle-connections 0)."
        if self.errors:
            return (f"=== Idle connections: {len(self.errors)} attempts to open one failed, the first: "
                    f"{self.errors[0]}")
        answered = f"; the server answered them: {', '.join(self.answers)}" if self.answers else ""
        return (f"=== Idle connections: {self.count} held open throughout ({self.held_for:.0f} s), each sending "
                f"nothing; the server closed idle ones {self.closed_by_server} times and each was opened again at "
                f"once ({self.opened} opened in all){answered}"
                + ("." if self.failed else "; no error."))


def print_log_errors(log_path):
    """Prints the lines of gunicorn's log that report errors, each with the three after it, 40 lines
    at most, and says whether there were any."""
    lines = log_path.read_text().splitlines()
    shown = []
    for index, line in enumerate(lines):
        if re.search(r"Error|Traceback|WORKER TIMEOUT", line):
            shown += [text for text in lines[index:index + 4] if text not in shown]
    if shown:
        print("=== gunicorn's log holds errors:")
        print("\n".join(shown[:40]))
    return bool(shown)


def load_main(argv):
    parser = argparse.ArgumentParser(
        prog="bench/run load", usage="%(prog)s fixtures|synthetic [OPTIONS]",
        description=__doc__[__doc__.index("The load test"):], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("dataset", choices=["fixtures", "synthetic"],
                        help="fixtures: the real archive; synthetic: generate_archive --events N --seed 1")
    parser.add_argument("--databases", default="sqlite", help="sqlite, postgres or both, one after the other (sqlite)")
    parser.add_argument("--events", type=int, default=100_000, help="N, events to generate for synthetic (100000)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py's: WEB_CONCURRENCY, or 2 a CPU)")
    parser.add_argument("--idle-connections", type=int, default=2,
                        help="TCP connections to gunicorn that send nothing, held open throughout wrk's runs (2)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads for the mix (2)")
    parser.add_argument("--connections", type=int, default=50, help="wrk's connections for the mix (50)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mix (60)")
    parser.add_argument("--page-duration", type=int, default=10, help="seconds of each page alone; 0 skips them (10)")
    parser.add_argument("--timeout", type=int, default=10,
                        help="seconds after which wrk counts an answer as a socket error (10)")
    parser.add_argument("--load-limit", type=int, default=1200, help="seconds allowed for loading the data (1200)")
    parser.add_argument("--port", type=int, default=8097, help="gunicorn's port (8097)")
    parser.add_argument("--pgport", type=int, help="the PostgreSQL cluster's port (a free one)")
    args = parser.parse_args(argv)
    kinds = database_kinds(parser, args.databases)
    if args.duration < 1 or (args.workers is not None and args.workers < 1) or args.connections < args.threads:
        parser.error("--duration and --workers at least 1, and at least as many --connections as --threads")
    if args.idle_connections < 0:
        parser.error("--idle-connections at least 0")
    require_wrk()
    if "postgres" in kinds:
        require_postgres()
    sys.stdout.reconfigure(line_buffering=True)  # our lines and the commands' own, in the order they come
    failed = [kind for kind in kinds if not load_test(kind, args)]
    if failed:
        print(f"=== Some answers were errors or failed (see above), on {' and '.join(failed)}.")
        return 1
    print("=== Every answer was 2xx or 3xx, with no socket errors, and gunicorn logged no error.")
    return 0


# ------------------------------------------------------------------------------------------------
# The command line.
# ------------------------------------------------------------------------------------------------


def database_kinds(parser, databases):
    kinds = [kind.strip() for kind in databases.split(",") if kind.strip()]
    if not kinds or set(kinds) - {"sqlite", "postgres"}:
        parser.error("--databases takes sqlite, postgres, or both: sqlite,postgres")
    return kinds


def require_wrk():
    if shutil.which("wrk") is None:
        raise Failure("wrk is not installed: run bin/system-packages (as root), or apt-get install wrk")


def require_postgres():
    if lacking := postgres.missing():
        raise Failure(f"{lacking} is missing: run bin/system-packages (as root)")


# The pages measured (pick_pages), for the estimate printed before they are chosen.
PAGES_IN_MIX = 33


def estimate(args, kinds):
    """How long the run should take, from its options: wrk's time, and a rough allowance for the rest."""
    wrk_seconds = len(kinds) * PAGES_IN_MIX * (2 * (args.duration + 1) + args.cache_duration + 1)
    if "sqlite" in kinds and not args.no_datasette:
        # Datasette beside each database's pass, and its probe.
        wrk_seconds += len(kinds) * PAGES_IN_MIX * 2 * (args.duration + 1) + 2 * 3 * max(2, args.duration // 3)
    # Per page and database: warm-ups, the capture and its replays (a few seconds at a million
    # events, growing with N); per database: choosing the mix and starting servers.
    scale = args.events / DEFAULT_EVENTS
    other = len(kinds) * (PAGES_IN_MIX * (1 + scale * (3 + min(args.sql_budget, args.sql_runs * 0.3))) + 30 + 90 * scale)
    if args.exports:
        # bench/exports.py reads every event three times, and more: at about 2,000 rows/s.
        other += len(kinds) * (20 + 3.5 * args.events / 2000)
    minutes = (wrk_seconds + other) / 60
    return (f"Expected to take about {minutes:.0f} minutes ({wrk_seconds / 60:.0f} of them wrk's), plus any "
            f"dataset it has to generate first (about 10 minutes per database at a million events).")


def main(argv):
    if argv[:1] == ["load"]:
        return load_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="bench/run", usage="%(prog)s [OPTIONS] | %(prog)s load fixtures|synthetic [OPTIONS]",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="N, events to generate (1000000)")
    parser.add_argument("--seed", type=int, default=1, help="generate_archive's seed (1)")
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both (sqlite,postgres)")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page per concurrency (5)")
    parser.add_argument("--cache-duration", type=int, default=2,
                        help="seconds of wrk per page with the page cache on; 0 skips that pass (2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (3)")
    parser.add_argument("--timeout", type=int, default=60, help="wrk's limit for one answer, seconds (60)")
    parser.add_argument("--warmups", type=int, default=3, help="warm-up requests per page (3)")
    parser.add_argument("--sql-runs", type=int, default=10, help="replays of each page's SQL (10)")
    parser.add_argument("--sql-budget", type=int, default=10,
                        help="seconds of replays per page after which fewer runs suffice (10; at least 3 runs)")
    parser.add_argument("--exports", action="store_true",
                        help="after the pages, run bench/exports.py on each database and put its table in RESULTS.md "
                        "(long: it reads every event three times; about half an hour a database at a million)")
    parser.add_argument("--datasette-mode", choices=["auto", "mutable", "immutable"], default="auto",
                        help="auto: try both, keep the faster (auto)")
    parser.add_argument("--no-datasette", action="store_true", help="skip the peer")
    parser.add_argument("--port", type=int, default=8101, help="gunicorn's port (8101)")
    parser.add_argument("--datasette-port", type=int, default=8102, help="Datasette's port (8102)")
    parser.add_argument("--pgport", type=int, default=54331, help="the PostgreSQL cluster's port (54331)")
    parser.add_argument("--no-results", action="store_true", help="do not rewrite bench/RESULTS.md")
    args = parser.parse_args(argv)
    args.argv = argv
    kinds = database_kinds(parser, args.databases)
    if args.events < 100 or args.duration < 1 or args.workers < 1 or args.cache_duration < 0:
        parser.error("--events at least 100, --duration and --workers at least 1, --cache-duration at least 0")
    require_wrk()
    if "postgres" in kinds:
        require_postgres()
    if not args.no_datasette and "sqlite" in kinds and not DATASETTE.exists():
        raise Failure(f"Datasette is not installed in {DATASETTE.parent.parent}: run bench/run, not bench/bench.py")

    log(estimate(args, kinds))
    started = time.monotonic()
    args.busy_before = cpu_busy()
    if args.busy_before > BUSY:
        log(f"WARNING: the CPUs were {100 * args.busy_before:.0f}% busy before the run: something else is running, "
            "and will skew the figures.")
    DATA.mkdir(exist_ok=True)
    shutil.rmtree(RUN_DIR, ignore_errors=True)
    RUN_DIR.mkdir()
    secret = secrets.token_urlsafe(50)
    results = []
    peer = None if args.no_datasette or "sqlite" not in kinds else Datasette(args)
    try:
        for kind in kinds:
            database = SQLiteDatabase(args) if kind == "sqlite" else PostgresDatabase(args)
            try:
                results.append(bench_diplo(database, args, secret, peer))
                if args.exports:
                    results[-1]["exports"] = run_exports(database, secret, args.events)
            finally:
                database.stop()
    finally:
        datasette = peer.stop() if peer else None
    elapsed = time.monotonic() - started
    errors = collect_errors(results, datasette)
    (RUN_DIR / "results.json").write_text(json.dumps(
        {"args": {key: value for key, value in vars(args).items()}, "results": results, "datasette": datasette,
         "errors": errors}, default=str, indent=1))
    console_summary(results, datasette)
    if not args.no_results:
        write_results(report(args, results, datasette, errors, elapsed))
        if args.exports:
            write_results(exports_report(args, results), EXPORTS_BEGIN, EXPORTS_END, "## The exports (bench/exports.py)")
        log(f"Wrote {RESULTS.relative_to(ROOT)}; everything measured is in {RUN_DIR.relative_to(ROOT)}/.")
    if errors:
        print("\nERRORS:", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    log(f"Done in {elapsed / 60:.1f} minutes; every page answered 200, and wrk saw no errors.")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "capture":
        capture(sys.argv[2], sys.argv[3])
        sys.exit(0)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, on_signal)
    try:
        sys.exit(main(sys.argv[1:]))
    except (Failure, postgres.ClusterError) as failure:
        print(f"bench/run: {failure}", file=sys.stderr)
        sys.exit(2)
    finally:
        run_cleanups()
