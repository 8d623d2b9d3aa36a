"""Full-text search of events, on the per-event documents migration 0005 keeps: PostgreSQL's own
text search, or SQLite's FTS5. Each word of the query must start a word of an event's title,
summary or place, or of a quote cited for it: "sanction" finds "sanctions", "Lamm" finds "Lammy".
"""

import re

from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

# Words as both databases' indexes cut them: runs of letters and digits.
WORD = re.compile(r"[^\W_]+")

# Past this many matches (the rows a filter points to, or the events a search finds), walking the
# timeline in order and testing each event against them, stopping after a page, beats looking every
# match up and sorting them; below it, the other way round. Filters (EventQuerySet.among) and
# search on SQLite (matching) choose between those same two plans, so they share this threshold.
MANY_MATCHES = 10_000


def words(text):
    return WORD.findall(text.casefold())


def matching(words, using):
    """A condition on events_event: the event's document holds every one of `words` (from `words()`).

    `using` is the alias of the database the events are read from, which SQLite's count of the
    matches must ask too: on an anonymous visitor's page that is the read replica.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        # The planner chooses: the GIN index for a rare word, the timeline's index for a common one.
        query = " & ".join(f"{word}:*" for word in words)
        return RawSQL(
            "\"events_event\".\"search_document\" @@ to_tsquery('simple', %s)", [query], output_field=BooleanField()
        )
    query = " ".join(f'"{word}"*' for word in words)
    matches = "SELECT rowid FROM events_search WHERE events_search MATCH %s"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({matches} LIMIT {MANY_MATCHES + 1})", [query])
        (count,) = cursor.fetchone()
    # SQLite looks up every id of an IN list and sorts them, unless the unary + stops it: then it
    # walks the timeline's index, testing each event against the list, and stops after a page.
    many = "+" if count > MANY_MATCHES else ""
    return RawSQL(f'{many}"events_event"."id" IN ({matches})', [query], output_field=BooleanField())
