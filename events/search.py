"""Full-text search of events, on the per-event documents migrations 0005 and 0012 keep: PostgreSQL's
own text search with its English configuration, or SQLite's FTS5 with the Porter stemmer, so
"sanctioned", "sanctions" and "sanction" find the same events on both. A query is read as people
type it (`parse`): every word must be found, the last one also as the start of a word ("Lamm" finds
"Lammy"), "quoted words" as a phrase, -word or -"some words" to leave out, and a word or phrase with
spelling variants (SpellingVariant, kept by editors) as any of them.

The passages shown under each result (`passage_annotations`, `set_passages`) are marked by the
database that matched them, read with the page's events: ts_headline on PostgreSQL, FTS5's
highlight() on SQLite. A page in order of relevance keeps them (`as_kept`, `set_kept_passages`).
"""

import hashlib
import re
from dataclasses import dataclass

from django.apps import apps
from django.db import connections
from django.db.models import BooleanField, F, FloatField, Q
from django.db.models.expressions import Expression, RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import caching

# Words as both databases' indexes cut them: runs of letters and digits.
WORD = re.compile(r"[^\W_]+")

# Past this many matches (the rows a filter points to, or the events a search finds), walking the
# timeline in order and testing each event against them, stopping after a page, beats looking every
# match up and sorting them; below it, the other way round. Filters (EventQuerySet.among) and
# search on SQLite (matching) choose between those same two plans, so they share this threshold.
MANY_MATCHES = 10_000

# PostgreSQL's English stop words (tsearch_data/english.stop): its index leaves them out, so a word
# of these alone finds nothing there. SQLite's index keeps them; both drop them from a query, so
# both find the same events, and a query of nothing else is refused with a message (`parse`).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her
    hers herself it its itself they them their theirs themselves what which who whom this that these those
    am is are was were be been being have has had having do does did doing a an the and but if or because
    as until while of at by for with about against between into through during before after above below
    to from up down in out on off over under again further then once here there when where why how all
    any both each few more most other some such no nor not only own same so than too very s t can will
    just don should now""".split()
)

# A quoted phrase, or a run of anything else, either with a "-" before it to leave it out.
TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')

# How the matched words come back from the database, before they are escaped and made <mark>s:
# two characters of Unicode's private use area, which no alphabet uses.
START, STOP = "\ue000", "\ue001"

VARIANTS_SECONDS = 300
# The longest spelling variant, in words, that unquoted words typed one after another can spell.
LONGEST_VARIANT = 4


class SearchError(ValueError):
    """A search that cannot be run, with the message that says why."""


def words(text):
    return WORD.findall(text.casefold())


@dataclass(frozen=True)
class Phrase:
    """Words found one after the other; with `prefix`, the last only as the start of a word."""

    words: tuple
    prefix: bool = False


@dataclass(frozen=True)
class Term:
    """What one typed word or phrase asks for: any of its `phrases` (its spelling variants)."""

    phrases: tuple
    excluded: bool = False


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple

    @property
    def included(self):
        return [term for term in self.terms if not term.excluded]

    @property
    def excluded(self):
        return [term for term in self.terms if term.excluded]


def parse(text, variants=None):
    """The Query `text` asks for; SearchError if it asks for nothing that can be found.

    `variants` maps a phrase ("east turkestan") to all its spellings; by default, the editors'.
    """
    variants = spelling_variants() if variants is None else variants
    typed = []  # (words, excluded, quoted)
    for match in TOKEN.finditer(text):
        minus, quoted, minus_word, word = match.groups()
        if quoted is not None:
            found, excluded, is_quoted = words(quoted), bool(minus), True
        else:
            found, excluded, is_quoted = words(word), bool(minus_word), False
        if found:
            typed.append((tuple(found), excluded, is_quoted))
    if not typed:
        raise SearchError("Search for a word: letters or digits.")
    typed = joined_variants(typed, variants)
    terms = []
    for position, (found, excluded, quoted) in enumerate(typed):
        last = position == len(typed) - 1
        if len(found) == 1 and not quoted and found[0] in STOP_WORDS:
            continue  # PostgreSQL's index has no such word: neither database looks for it
        # The last word is matched as the start of a word as long as it is being typed.
        phrases = [Phrase(found, prefix=last and not quoted and not excluded)]
        phrases += [Phrase(spelling) for spelling in variants.get(" ".join(found), []) if spelling != found]
        terms.append(Term(tuple(phrases), excluded))
    query = Query(text, tuple(terms))
    if not query.included:
        if all(excluded for _, excluded, _ in typed):
            raise SearchError("Say what to find as well as what to leave out: a word without a “-” before it.")
        common = ", ".join(f"“{' '.join(found)}”" for found, _, _ in typed)
        raise SearchError(
            f"{common[0].upper()}{common[1:]} {'is' if len(typed) == 1 else 'are'} too common to search for: "
            "nearly every text has such words. Add a word that says what you are looking for, "
            "or put a phrase in quotation marks."
        )
    return query


def joined_variants(typed, variants):
    """`typed` with unquoted words that together spell a variant ("East Turkestan") made one phrase."""
    joined, position = [], 0
    while position < len(typed):
        for length in range(min(LONGEST_VARIANT, len(typed) - position), 1, -1):
            run = typed[position : position + length]
            if all(len(found) == 1 and not quoted and not excluded for found, excluded, quoted in run):
                phrase = tuple(found[0] for found, _, _ in run)
                if " ".join(phrase) in variants:
                    joined.append((phrase, False, False))
                    position += length
                    break
        else:
            joined.append(typed[position])
            position += 1
    return joined


# Spelling variants


def spelling_variants():
    """{phrase: [every spelling of it, as a tuple of words]}, from the editors' SpellingVariant records.

    Kept in the cache for a few minutes, and forgotten when a variant is saved (apps.py): every search reads it.
    """
    stored = caching.kept("spelling-variants", {str: [str]}, read_spelling_variants, VARIANTS_SECONDS)
    return {key: [tuple(spelling.split()) for spelling in spellings] for key, spellings in stored.items()}


def read_spelling_variants():
    found = {}
    for variant in apps.get_model("events", "SpellingVariant").objects.all():
        spellings = [" ".join(words(spelling)) for spelling in variant.spellings()]
        spellings = list(dict.fromkeys(spelling for spelling in spellings if spelling))
        for spelling in spellings:
            found.setdefault(spelling, [])
            found[spelling] += [other for other in spellings if other not in found[spelling]]
    return found


def forget_spelling_variants(**kwargs):
    """Connected in apps.py: a variant saved or deleted changes what every search looks for."""
    caching.forget("spelling-variants")


# Each database's query language


def tsquery(query, terms=None):
    """The query as PostgreSQL's to_tsquery() reads it. Words are letters and digits only (WORD),
    never its operators."""

    def phrase(each):
        return " <-> ".join(each.words) + (":*" if each.prefix else "")

    def term(each):
        found = "(" + " | ".join(phrase(each_phrase) for each_phrase in each.phrases) + ")"
        return f"!{found}" if each.excluded else found

    return " & ".join(term(each) for each in (query.terms if terms is None else terms))


def fts5_query(query, terms=None):
    """The query as SQLite's FTS5 reads it: each word quoted, so none is read as its syntax."""

    def phrase(each):
        return '"' + " ".join(each.words) + '"' + ("*" if each.prefix else "")

    def term(each):
        return "(" + " OR ".join(phrase(each_phrase) for each_phrase in each.phrases) + ")"

    terms = query.terms if terms is None else terms
    found = " AND ".join(term(each) for each in terms if not each.excluded)
    for each in terms:
        if each.excluded:
            found = f"({found}) NOT {term(each)}"
    return found


class Matches(Expression):
    """The condition that an event's document holds what `query` asks for, on events_event under
    whatever alias a query gives it (as a subquery, Django names it U0): SQL naming the table
    itself would test the outer query's event instead."""

    output_field = BooleanField()

    def __init__(self, query, many=False):
        super().__init__()
        self.query, self.many, self.id = query, many, F("id")

    def get_source_expressions(self):
        return [self.id]

    def set_source_expressions(self, expressions):
        [self.id] = expressions

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.id)
        if connection.vendor == "postgresql":
            # search_document, a column the model does not know, beside the id under the same alias.
            document = column[: -len('"id"')] + '"search_document"'
            return f"{document} @@ to_tsquery('english', %s)", [*params, tsquery(self.query)]
        # SQLite looks up every id of an IN list and sorts them, unless the unary + stops it: then it
        # walks the timeline's index, testing each event against the list, and stops after a page.
        plus = "+" if self.many else ""
        matches = "SELECT rowid FROM events_search WHERE events_search MATCH %s"
        return f"{plus}{column} IN ({matches})", [*params, fts5_query(self.query)]


def matching(query, using):
    """A condition on events: the event's document holds what `query` (from `parse`) asks for.

    `using` is the alias of the database the events are read from, which SQLite's count of the
    matches must ask too: on an anonymous visitor's page that is the read replica.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        # The planner chooses: the GIN index for a rare word, the timeline's index for a common one.
        return Matches(query)
    return Matches(query, many=match_count(fts5_query(query), using) > MANY_MATCHES)


# How long a search's count of its matches is kept. It is read back only at the archive's version
# it was counted at, which any change raises, so this bounds only the room it takes.
MATCH_COUNT_SECONDS = 3600


def match_count(fts_query, using):
    """How many events' documents match `fts_query` (FTS5's syntax), up to MANY_MATCHES + 1: kept with the
    archive's version it was counted at (freshness.kept_with_version), as a record's link counts are, since each page of the
    same search asks again and two common words took FTS5 15 ms to count at a million events. Counted
    afresh, it reads the version with it, which the rest of the page then uses without a query of its own."""
    # Not at the top: freshness imports the models, which import this module.
    from . import freshness

    def count():
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT count(*) FROM (SELECT rowid FROM events_search WHERE events_search MATCH %s"
                f" LIMIT {MANY_MATCHES + 1})), {freshness.version_sql(using)}",
                [fts_query],
            )
            return cursor.fetchone()  # (the count, the version)

    key = f"match-count-{MANY_MATCHES}-{hashlib.sha256(fts_query.encode()).hexdigest()}"
    return freshness.kept_with_version(key, int, count, MATCH_COUNT_SECONDS, using)


def ranked(query, candidates, using):
    """[(event id, date_earliest, title, rank)] of the events of `candidates` (querysets of ids, each
    sliced) that match `query`, the rank higher for a better match: one query.

    SQLite's bm25() weighs each word by how few documents hold it, which FTS5 counts once per
    query when it reads the matches itself (CROSS JOIN keeps it the outer loop): asked event by
    event, it would count them again for each.
    """
    connection = connections[using]
    model = apps.get_model("events", "Event")
    in_candidates = Q()
    for each in candidates:
        in_candidates |= Q(pk__in=each)
    events = model.objects.using(using).filter(in_candidates)
    if connection.vendor == "postgresql":
        rank = RawSQL(
            "ts_rank(\"events_event\".\"search_document\", to_tsquery('english', %s))",
            [tsquery(query, query.included)],
            output_field=FloatField(),
        )
        return list(events.annotate(rank=rank).values_list("pk", "date_earliest", "title", "rank"))
    where, params = events.order_by().values("pk").query.sql_with_params()
    where = where[where.index(" WHERE ") + len(" WHERE ") :]
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT "events_event"."id", "events_event"."date_earliest", "events_event"."title",'
            " -bm25(events_search) FROM events_search CROSS JOIN events_event"
            ' ON "events_event"."id" = events_search.rowid'
            f" WHERE events_search MATCH %s AND {where}",
            [fts5_query(query, query.included), *params],
        )
        return [(pk, model._meta.get_field("date_earliest").to_python(day), title, rank)
                for pk, day, title, rank in cursor.fetchall()]


# Passages


@dataclass(frozen=True)
class Passage:
    html: str  # safe HTML, the matched words in <mark>s
    quote_url: str = ""  # the address of the quote it is from, in its source; empty for the event's own text


# Options of ts_headline: the whole text, its matches marked; `excerpt` cuts it the same way on both databases.
HEADLINE_OPTIONS = f"HighlightAll=true, StartSel={START}, StopSel={STOP}"


def whole_words(query):
    """`query` with its last word matched whole, not as the start of a word."""
    return Query(
        query.text,
        tuple(Term(tuple(Phrase(phrase.words) for phrase in term.phrases), term.excluded) for term in query.terms),
    )


def passage_annotations(query, using):
    """Annotations of events_event that mark where `query` matched, for `set_passages`: worth
    computing for one page of events only."""
    if connections[using].vendor == "postgresql":
        found = "to_tsquery('english', %s)"
        found_params = [tsquery(query, query.included), HEADLINE_OPTIONS]
        return {
            "marked_text": RawSQL(
                "ts_headline('english', concat_ws(' ', \"events_event\".\"summary\", \"events_event\".\"place\"),"
                f" {found}, %s)",
                found_params,
            ),
            # The first quote that matched: "id:source slug:quote marked".
            "marked_quotes": RawSQL(
                "(SELECT c.id || ':' || s.slug || ':' || h.marked FROM events_citation c"
                " JOIN events_source s ON s.id = c.source_id"
                f" CROSS JOIN LATERAL (SELECT ts_headline('english', c.quote, {found}, %s) AS marked) h"
                " WHERE c.event_id = \"events_event\".\"id\" AND strpos(h.marked, %s) > 0 ORDER BY c.id LIMIT 1)",
                [*found_params, START],
            ),
        }
    return {
        # The event's whole document: its title, summary and place, then its quotes (as migration 0012 writes it).
        # Asked of one row at a time, FTS5 would gather every word a prefix starts afresh for each: the
        # words are marked only where whole (the stems of what was typed), "Lamm" not in "Lammy".
        "marked_text": RawSQL(
            "(SELECT highlight(events_search, 0, %s, %s) FROM events_search"
            " WHERE events_search MATCH %s AND events_search.rowid = \"events_event\".\"id\")",
            [START, STOP, fts5_query(whole_words(query), whole_words(query).included)],
        ),
        # Where each quote is in it: "id:length:source slug", in the same order, joined by commas.
        "marked_quotes": RawSQL(
            "(SELECT group_concat(part) FROM (SELECT c.id || ':' || length(c.quote) || ':' || s.slug AS part"
            " FROM events_citation c JOIN events_source s ON s.id = c.source_id"
            " WHERE c.event_id = \"events_event\".\"id\" ORDER BY c.id))",
            [],
        ),
    }


def set_passages(events, using):
    """Sets `passages` on each event, from the `passage_annotations` it was read with: the passage of
    its summary where the search matched, and of the first quote, each a Passage."""
    postgresql = connections[using].vendor == "postgresql"
    for event in events:
        event.passages = []
        parts = marked_parts(event) if not postgresql else postgresql_parts(event)
        for citation_id, slug, text in parts:
            html = excerpt(text or "")
            if html is None:
                continue
            event.passages.append(Passage(html, quote_url(citation_id, slug) if citation_id else ""))
            if citation_id:
                break  # the summary's passage and the first quote's: enough to say why the event matched


def quote_url(citation_id, source_slug):
    """Citation.get_absolute_url, from the citation's number and its source's slug."""
    # Not at the top: the models import this module.
    from .models import page_url

    return f"{page_url('source_detail', source_slug)}#quote-{citation_id}"


def as_kept(events):
    """Each event's passages as values the cache keeps: {event id: [(html, quote's address or "")]}."""
    return {event.pk: [(str(passage.html), passage.quote_url) for passage in event.passages] for event in events}


# The shape of as_kept's value (caching.has_shape).
KEPT_SHAPE = {int: [(str, str)]}


def set_kept_passages(events, kept):
    """Sets `passages` on each event from `kept`, as as_kept wrote it."""
    for event in events:
        # The html is excerpt()'s, escaped before it was kept.
        event.passages = [Passage(mark_safe(html), url) for html, url in kept.get(event.pk, ())]  # noqa: S308


def postgresql_parts(event):
    """[(citation id, source slug, marked text)] from PostgreSQL's headlines, the summary's first."""
    parts = [(None, None, event.marked_text)]
    if event.marked_quotes:
        citation_id, slug, text = event.marked_quotes.split(":", 2)
        parts.append((int(citation_id), slug, text))
    return parts


def marked_parts(event):
    """As `postgresql_parts`, from SQLite's highlighted document, cut back into its title, summary
    and place, and quotes, all joined by single spaces. The title is left out: the page shows it."""
    document = event.marked_text or ""
    lengths = [("title", None, len(event.title)), (None, None, len(f"{event.summary} {event.place}"))]
    for part in event.marked_quotes.split(",") if event.marked_quotes else []:
        citation_id, length, slug = part.split(":")
        lengths.append((int(citation_id), slug, int(length)))
    parts, position = [], 0
    for citation_id, slug, length in lengths:
        end = marked_length(document, position, length)
        if citation_id != "title":
            parts.append((citation_id, slug, document[position:end]))
        position = end + 1
    return parts


def marked_length(marked, position, length):
    """Where in `marked` (a text with START and STOP inserted) the `length` characters of the
    original from `position` on end, the STOPs that close them included."""
    seen = 0
    while position < len(marked) and seen < length:
        if marked[position] not in (START, STOP):
            seen += 1
        position += 1
    while position < len(marked) and marked[position] == STOP:
        position += 1
    return position


# Around a passage's first match, this many words before and after.
WORDS_BEFORE, WORDS_AFTER = 12, 30


def excerpt(marked):
    """A few dozen words of `marked` around its first match, escaped, matches in <mark>; None if none matched."""
    if START not in marked:
        return None
    parts = re.split(r"(\s+)", marked)
    first = next(index for index, part in enumerate(parts) if START in part)
    start, end = max(0, first - 2 * WORDS_BEFORE), first + 2 * WORDS_AFTER
    html, open_mark = [], False
    for character in "".join(parts[start:end]).strip():
        if character == START:
            if not open_mark:
                html.append("<mark>")
            open_mark = True
        elif character == STOP:
            if open_mark:
                html.append("</mark>")
            open_mark = False
        else:
            html.append(escape(character))
    if open_mark:
        html.append("</mark>")
    return mark_safe(("… " if start > 0 else "") + "".join(html) + (" …" if end < len(parts) else ""))
