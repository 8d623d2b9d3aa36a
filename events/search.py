"""Full-text search of events, on the indexes migration 0005 made: PostgreSQL's own text search,
or SQLite's FTS5. Both match each word of the query as the start of a word in an event's title,
summary or place, or in a quote cited for it: "sanction" finds "sanctions", "Lamm" finds "Lammy".
"""

import re

from django.db import connection
from django.db.models.expressions import RawSQL

# Words as both databases' indexes cut them: runs of letters and digits.
WORD = re.compile(r"[^\W_]+")

# The expressions must be those of the PostgreSQL indexes (migration 0006), for the indexes to be used.
POSTGRESQL = (
    "SELECT id FROM events_event WHERE"
    " to_tsvector('simple', translate(title || ' ' || summary || ' ' || place, '<>', '  ')) @@ to_tsquery('simple', %s)"
    " UNION SELECT event_id FROM events_citation WHERE event_id IS NOT NULL"
    " AND to_tsvector('simple', translate(quote, '<>', '  ')) @@ to_tsquery('simple', %s)"
)
SQLITE = (
    "SELECT rowid FROM events_event_fts WHERE events_event_fts MATCH %s"
    " UNION SELECT event_id FROM events_citation"
    " WHERE event_id IS NOT NULL AND id IN (SELECT rowid FROM events_citation_fts WHERE events_citation_fts MATCH %s)"
)


def words(text):
    return WORD.findall(text.casefold())


def events_with_word(word):
    """The ids of the events with a word starting with `word` (one of `words()`), as a subquery for `pk__in`."""
    if connection.vendor == "postgresql":
        return RawSQL(POSTGRESQL, [f"{word}:*"] * 2)
    return RawSQL(SQLITE, [f'"{word}"*'] * 2)
