"""The timeline's bounded counts (paging.count_at_most), each alone: for each filter of a mix, the
time of the count as it is now and as it was before (over the events table with its joins), and the
number each gives, which must agree. Each time is the fastest of REPEATS runs (15): on a shared
machine the median measures the other work waiting for a core as much as the count. On SQLite,
which runs in this process, it is the process's CPU time, which waiting for a core does not add to;
on PostgreSQL, whose server is another process, the time on the clock.

    DATABASE_URL=... python bench/counts.py     # over an archive made by `manage.py generate_archive N`

On PostgreSQL, with a throwaway server: python -m tests.postgres --port N -- sh -c \
    'python manage.py migrate && python manage.py generate_archive N && python bench/counts.py'
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diplo.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import QueryDict  # noqa: E402

from events import paging  # noqa: E402
from events.filters import EventFilter  # noqa: E402
from events.models import Event, Participation, Person, Topic  # noqa: E402

REPEATS = int(os.environ.get("REPEATS", 15))


def busiest(field, rank=0):
    """The slug of the person or organization with the `rank`-th most participations (0: the most)."""
    rows = (
        Participation.objects.filter(**{f"{field}__isnull": False})
        .values(f"{field}__slug")
        .annotate(taking_part=Count("pk"))
        .order_by("-taking_part", f"{field}__slug")
    )
    return rows[rank][f"{field}__slug"]


def rare_person():
    """The person with the fewest participations."""
    rows = Participation.objects.filter(person__isnull=False).values("person__slug").annotate(n=Count("pk"))
    return rows.order_by("n", "person__slug")[0]["person__slug"]


def filters():
    parent = Topic.objects.filter(children__isnull=False).order_by("name").first()
    child = Topic.objects.filter(parent=parent).order_by("name").first()
    popular = busiest("person")
    return [
        ("Actor, popular", {"actor": popular}),
        ("Actor, rare", {"actor": rare_person()}),
        ("Organization, popular", {"actor": busiest("organization")}),
        ("Topic, a parent", {"topic": parent.slug}),
        ("Topic, a child", {"topic": child.slug}),
        ("Search, a word", {"q": "sanctions"}),
        ("Search, two words", {"q": "foreign secretary"}),
        ("Actor + dates + kind", {"actor": popular, "date_from": "2000", "kind": "meeting"}),
        ("Actor + topic", {"actor": popular, "topic": parent.slug}),
        ("Topic + kind", {"topic": parent.slug, "kind": "meeting"}),
        ("Kind", {"kind": "meeting"}),
    ]


def before(queryset):
    """The count as paging.count_at_most made it before: over the events, with the filters' joins."""
    return paging.bounded_tally(queryset.order_by().values("pk")[: paging.COUNT_LIMIT + 1].count())


def timed(count, queryset):
    clock = time.process_time if connection.vendor == "sqlite" else time.perf_counter
    times, tally = [], None
    for _ in range(REPEATS):
        start = clock()
        tally = count(queryset)
        times.append((clock() - start) * 1000)
    return min(times), tally


def main():
    print(f"{connection.vendor}, {Event.objects.count():,} events; the fastest of {REPEATS} runs, ms ({'CPU' if connection.vendor == 'sqlite' else 'clock'})")
    print("| count | filter | before | now | number |")
    print("|---|---|---|---|---|")
    for name, data in filters():
        query = QueryDict(mutable=True)
        query.update(data)
        filterset = EventFilter(query, queryset=Event.objects.published())
        if not filterset.is_valid():
            raise SystemExit(f"{name}: {filterset.errors}")
        events = filterset.qs
        was, old = timed(before, events)
        now, new = timed(paging.count_at_most, events)
        if (old.number, old.more) != (new.number, new.more):
            raise SystemExit(f"{name}: the counts disagree, {old} before and {new} now")
        shown = "&".join(f"{key}={value}" for key, value in data.items())
        print(f"| {name} | `?{shown}` | {was:.1f} | {now:.1f} | {new} |")
    person = Person.objects.get(slug=busiest("person"))
    events = Event.objects.published().involving(people=[person])
    was, old = timed(before, events)
    now, new = timed(paging.count_at_most, events)
    print(f"| The busiest person's page | `/people/{person.slug}/` | {was:.1f} | {now:.1f} | {new} |")


if __name__ == "__main__":
    main()
