"""The facet counts and topic counts at scale: each timeline page of a mix, its time (median of
five, the cache warm or cold) and queries, and the plan of the menus' one counting query.

    DATABASE_URL=... python bench/facets.py     # over an archive made by `manage.py generate_archive N`

On PostgreSQL, with a throwaway server: python -m tests.postgres --port N -- sh -c \
    'python manage.py migrate && python manage.py generate_archive N && python bench/facets.py'
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplo.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from events.filters import EventFilter  # noqa: E402
from events.models import Event, Person, Topic  # noqa: E402
from events.paging import topic_event_counts  # noqa: E402

REPEATS = int(os.environ.get("REPEATS", 5))


def pages():
    topic = Topic.objects.filter(children__isnull=False).order_by("name").first()
    person = Person.objects.order_by("pk").first()
    word = Event.objects.published().order_by("pk").first().title.split()[-1]
    return [
        ("whole timeline", "/"),
        ("kind", "/?kind=meeting"),
        ("parent topic", f"/?topic={topic.slug}"),
        ("country", "/?country=CN"),
        ("date range + kind", "/?date_from=1990-01&date_to=1990-06&kind=meeting"),
        ("date from (wide) ", "/?date_from=2000"),
        ("search", f"/?q={word}"),
        ("actor + topic", f"/?actor={person.slug}&topic={topic.slug}"),
        ("country + kind + from", "/?date_from=2000&kind=meeting&country=CN"),
        ("topic list", "/topics/"),
        ("topic page", topic.get_absolute_url()),
    ]


def timed(client, url, cold):
    """(median ms of the page, of all its SQL, of its facet counts' query; its number of queries)."""
    times, sql, facets, queries = [], [], [], 0
    for _ in range(REPEATS):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
        sql.append(sum(float(query["time"]) for query in captured) * 1000)
        facets.append(sum(float(q["time"]) for q in captured if q["sql"].startswith("WITH sample_")) * 1000)
    return statistics.median(times), statistics.median(sql), statistics.median(facets), queries


def explain(query):
    """The plan of the menus' counting query on the timeline filtered by `query`."""
    filterset = EventFilter(query, queryset=Event.objects.published())
    assert filterset.is_valid()
    with CaptureQueriesContext(connection) as captured:
        filterset.facet_counts()
    (sql,) = [q["sql"] for q in captured if q["sql"].startswith("WITH sample_")]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return "\n".join("    " + " | ".join(str(part) for part in row) for row in cursor.fetchall())


def main():
    client = Client()
    events = Event.objects.count()
    print(f"{connection.vendor}, {events:,} events")
    start = time.perf_counter()
    topic_event_counts()
    print(f"topic counts (cached 5 min), one query: {(time.perf_counter() - start) * 1000:.0f} ms")
    print(f"ms, medians of {REPEATS}; cold: the cache emptied before each; facets: the menus' counts' one query")
    print(f"{'page':26} {'cold page':>9} {'cold SQL':>9} {'warm page':>9} {'warm SQL':>9} {'facets':>7} queries")
    only = os.environ.get("ONLY")
    for name, url in pages():
        if only and only not in name:
            continue
        cold, cold_sql, _, cold_queries = timed(client, url, cold=True)
        warm, warm_sql, facets, warm_queries = timed(client, url, cold=False)
        print(
            f"{name:26} {cold:9.0f} {cold_sql:9.0f} {warm:9.0f} {warm_sql:9.0f} {facets:7.0f} "
            f"{cold_queries:>3}/{warm_queries}"
        )
    for query in ({"date_from": "2000", "kind": "meeting"}, {"country": "CN"}):
        print(f"plan, the menus' counts under {query}:")
        print(explain(query))


if __name__ == "__main__":
    main()
