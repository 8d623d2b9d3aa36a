"""Exports of the public lists: every list (the timeline, people, organizations, sanctions and
sources) as CSV, JSON or newline-delimited JSON, at one address scheme:

    /export/<list>.<format>?<the list's own query>     e.g. /export/events.csv?topic=taiwan

The records are chosen by the very FilterSet (or check of ?unnamed=) that chooses the page's, so
an export and its page can never disagree; paging parameters (?after=, ?before=, ?page=) are
ignored, as an export holds every page. A filter the page refuses is refused here with the same
message (the site's 400 page).

Exports stream: the records are read in chunks of CHUNK, ordered by their number and each chunk
starting after the last one's (keyset chunks), each with its own prefetches, so a chunk costs a
fixed number of queries and the worker holds one chunk at a time, however large the export.
The rows are in the order the records were added (by number), not the page's order.

The JSON of a record nests what belongs to it (an event's participants with their roles and
offices, topics, citations and claims); the CSV row is made from that same record, flattened, so
the formats say the same.
"""

import csv
import json
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Prefetch, prefetch_related_objects
from django.http import StreamingHttpResponse
from django.urls import reverse

from diplo.views import BadAddress, NotFound

from . import addresses
from .dates import FuzzyDate, Precision
from .filters import EventFilter, SanctionFilter, unnamed_asked_for
from .models import (
    Alias,
    Citation,
    ClaimBasis,
    Event,
    Organization,
    Participation,
    Person,
    Sanction,
    Source,
    StatusChange,
    Topic,
)

# Records read, prefetched and written at a time: big enough that the queries per chunk are few per
# record, small enough that a chunk's records (and their prefetches) are little memory.
CHUNK = 500

# Where a list's filters end and its paging begins: an export holds every page.
NOT_FILTERS = dict.fromkeys(addresses.PAGING)


def first_error(form):
    return next(message for messages in form.errors.values() for message in messages)


def filtered(filterset):
    """The records a list's FilterSet lets through; a filter the page would refuse is a BadAddress
    with the message the page shows first."""
    if not filterset.is_valid():
        raise BadAddress(first_error(filterset.form))
    return filterset.qs


def selected_events(query):
    return filtered(EventFilter(query, queryset=Event.objects.published()))


def selected_sanctions(query):
    # The page's queryset, with the event that announced each, which the export links. Its own
    # prefetch of the status log goes: the export's (sanction_prefetches) also reads each entry's quote.
    page = Sanction.objects.published().for_list().select_related("announced_in")
    return filtered(SanctionFilter(query, queryset=page)).prefetch_related(None)


def selected_people(query):
    return Person.objects.for_list().filter(is_placeholder=unnamed_asked_for(query))


def selected_organizations(query):
    return Organization.objects.for_list().filter(is_placeholder=unnamed_asked_for(query))


def selected_sources(query):
    return Source.objects.for_list()


# Records as the exports give them. `site` is a Site: the site's address ("https://example.org"),
# to make the links absolute, with what every row needs worked out once per export.


class Site:
    """The site's address, each kind of page's address up to its slug or number, and the labels of
    choices, worked out once per export. Per row they were most of an export's time: a reverse() per
    link, and get_country_display() normalizing the 250 countries' choices on every call."""

    PAGES = {
        Event: ("event_detail", "slug"),
        Person: ("person_detail", "slug"),
        Organization: ("organization_detail", "slug"),
        Topic: ("topic_detail", "slug"),
        Source: ("source_detail", "slug"),
        Sanction: ("sanction_detail", "pk"),
    }

    def __init__(self, address):
        self.address = address
        # A slug is letters, digits, hyphens and underscores, which reverse() leaves as they are, so
        # a page's address is its prefix, the slug and a slash.
        self.prefixes = {
            model: address + reverse(name, args=[0]).removesuffix("0/") for model, (name, _) in self.PAGES.items()
        }
        self.labels = {}

    def url(self, model, key):
        return f"{self.prefixes[model]}{key}/"

    def link(self, record):
        model = type(record)
        return self.url(model, getattr(record, self.PAGES[model][1]))

    def quote_url(self, source_slug, citation_pk):
        return f"{self.prefixes[Source]}{source_slug}/#quote-{citation_pk}"

    def label(self, model, field, value):
        """What `record.get_<field>_display()` says, from a table made once."""
        try:
            labels = self.labels[model, field]
        except KeyError:
            choices = model._meta.get_field(field).flatchoices
            labels = self.labels[model, field] = {key: str(label) for key, label in choices}
        return labels.get(value, value)


# Most records share their dates with others (a month, a year, the same day): each distinct date is
# put into words and EDTF once. The records share the dict, which nothing changes.
@lru_cache(maxsize=4096)
def date_record_of(precision, earliest, latest):
    date = FuzzyDate(precision, earliest, latest)
    return {
        "text": str(date),
        "precision": date.precision,
        "earliest": date.earliest.isoformat() if date.earliest else None,
        "latest": date.latest.isoformat() if date.latest else None,
        "edtf": date.edtf,
        "edtf_note": date.edtf_note,
    }


def date_record(date):
    """A FuzzyDate as the exports give it: in words, its precision and bounds, and EDTF."""
    return date_record_of(date.precision, date.earliest, date.latest)


def claim_records(bases):
    """The claims a record makes that no quote states: each inferred (with its reasoning) or from
    outside the documents (with where from). A claim not listed is stated by a cited quote."""
    return [
        {
            "claim": basis.claim,
            "basis": basis.basis,
            "reasoning": basis.reasoning,
            "outside_source": basis.outside_source,
        }
        for basis in bases
    ]


def link(site, record):
    return site.link(record)


def citation_records(site, citations):
    return [
        {
            "quote": citation.quote,
            "source": citation.source.title,
            "source_url": site.url(Source, citation.source.slug),
            "quote_url": site.quote_url(citation.source.slug, citation.pk),
        }
        for citation in citations
    ]


def actor_record(site, actor):
    if actor is None:
        return None
    kind = "person" if isinstance(actor, Person) else "organization"
    return {"type": kind, "name": str(actor), "url": link(site, actor)}


def event_records(site, queryset):
    """The JSON records of the events of `queryset`, read a chunk at a time as rows of values, not
    model instances: six queries a chunk (the events, then their participations with each actor
    and office, the participations' claims, topics, citations with their sources, and the events'
    own claims), and no model, related manager or reverse() per row."""
    columns = ("pk", "slug", "title", "kind", "date_precision", "date_earliest", "date_latest", "place",
               "country", "summary")
    for events in value_chunks(queryset, columns):
        numbers = [event["pk"] for event in events]
        participations = list(
            Participation.objects.filter(event__in=numbers)
            .order_by("order", "pk")
            .values_list(
                "pk", "event", "role", "person__honorific", "person__name", "person__slug", "organization__name",
                "organization__slug", "office", "office__title", "office__organization__name",
            )
        )
        participation_claims = grouped(
            ClaimBasis.objects.filter(participation__event__in=numbers).order_by("pk"),
            "participation",
        )
        topics = grouped(
            Event.topics.through.objects.filter(event__in=numbers).order_by("topic__name", "topic__pk"),
            "event", ("topic__name", "topic__slug"),
        )
        citations = grouped(
            Citation.objects.filter(event__in=numbers).order_by("pk"),
            "event", ("pk", "quote", "source__title", "source__slug"),
        )
        event_claims = grouped(ClaimBasis.objects.filter(event__in=numbers).order_by("pk"), "event")
        participants = {}
        for (number, event, role, honorific, person, person_slug, organization, organization_slug, office,
             office_title, office_organization) in participations:
            if person_slug is not None:
                actor = {"type": "person", "name": f"{honorific} {person}" if honorific else person,
                         "url": site.url(Person, person_slug)}
            else:
                actor = {"type": "organization", "name": organization, "url": site.url(Organization, organization_slug)}
            participants.setdefault(event, []).append({
                **actor,
                "role": role,
                "role_label": site.label(Participation, "role", role),
                "office": {"title": office_title, "organization": office_organization} if office is not None else None,
                "claims": claim_rows(participation_claims.get(number, ())),
            })
        for event in events:
            number = event["pk"]
            yield {
                "id": number,
                "url": site.url(Event, event["slug"]),
                "title": event["title"],
                "kind": event["kind"],
                "kind_label": site.label(Event, "kind", event["kind"]),
                "date": date_record_of(event["date_precision"], event["date_earliest"], event["date_latest"]),
                "place": event["place"],
                "country": event["country"],
                "country_name": site.label(Event, "country", event["country"]),
                "summary": event["summary"],
                "participants": participants.get(number, []),
                "topics": [
                    {"name": topic["topic__name"], "slug": topic["topic__slug"], "url": site.url(Topic, topic["topic__slug"])}
                    for topic in topics.get(number, ())
                ],
                "citations": [
                    {
                        "quote": citation["quote"],
                        "source": citation["source__title"],
                        "source_url": site.url(Source, citation["source__slug"]),
                        "quote_url": site.quote_url(citation["source__slug"], citation["pk"]),
                    }
                    for citation in citations.get(number, ())
                ],
                "claims": claim_rows(event_claims.get(number, ())),
            }


CLAIM_COLUMNS = ("claim", "basis", "reasoning", "outside_source")


def claim_rows(rows):
    return [{column: row[column] for column in CLAIM_COLUMNS} for row in rows]


def grouped(queryset, by, columns=CLAIM_COLUMNS):
    """The rows of `queryset` as values of `columns`, in its order, in lists by their `by`."""
    groups = {}
    for row in queryset.values(by, *columns):
        groups.setdefault(row[by], []).append(row)
    return groups


def value_chunks(queryset, columns, size=None):
    """As chunks(), the records as dicts of `columns` (the first the number), not model instances."""
    size = size or CHUNK
    ordered = queryset.order_by("pk").values(*columns)
    last = None
    while True:
        chunk = list((ordered if last is None else ordered.filter(pk__gt=last))[:size])
        if not chunk:
            return
        yield chunk
        if len(chunk) < size:
            return
        last = chunk[-1]["pk"]


def date_columns(prefix, date):
    return {
        prefix: date["text"],
        f"{prefix}_precision": date["precision"],
        f"{prefix}_earliest": date["earliest"] or "",
        f"{prefix}_latest": date["latest"] or "",
        f"{prefix}_edtf": date["edtf"],
        f"{prefix}_edtf_note": date["edtf_note"],
    }


def claims_text(claims, of=""):
    """Claims in one cell: "date: inferred (reasoning)", "place: from outside the documents (where)"."""
    return [
        f"{of}{claim['claim']}: "
        + (
            f"inferred ({claim['reasoning']})"
            if claim["basis"] == ClaimBasis.Basis.INFERRED
            else f"from outside the documents ({claim['outside_source']})"
        )
        for claim in claims
    ]


def participant_text(participant):
    """"David Lammy (speaker, Foreign Secretary)"."""
    details = [participant["role_label"].lower()]
    if participant["office"]:
        details.append(participant["office"]["title"])
    return f"{participant['name']} ({', '.join(details)})"


def event_row(record):
    participants = record["participants"]
    claims = claims_text(record["claims"])
    for participant in participants:
        claims += claims_text(participant["claims"], of=f"{participant['name']}'s ")
    return {
        "id": record["id"],
        "url": record["url"],
        "title": record["title"],
        "kind": record["kind_label"],
        **date_columns("date", record["date"]),
        "place": record["place"],
        "country": record["country_name"],
        "participants": "; ".join(participant_text(participant) for participant in participants),
        "participant_urls": " ".join(participant["url"] for participant in participants),
        "topics": "; ".join(topic["name"] for topic in record["topics"]),
        "claims_not_stated": "; ".join(claims),
        "citations": len(record["citations"]),
        "summary": record["summary"],
    }


def actor_common(site, record):
    """What a person's and an organization's records share."""
    return {
        "id": record.pk,
        "url": link(site, record),
        "name": record.name,
        "aliases": [alias.name for alias in record.aliases.all()],
        "country": record.country,
        "country_name": site.label(type(record), "country", record.country),
        "description": record.description,
        "named_in_documents": not record.is_placeholder,
        "outside_fields": list(record.outside_fields),
        "external_identifiers": record.external_identifiers(),
        "events": record.event_count,
    }


def person_record(site, person):
    return {
        **actor_common(site, person),
        "sort_name": person.sort_name,
        "honorific": person.honorific,
        "native_name": person.native_name,
        "native_name_language": person.native_name_language,
    }


def organization_record(site, organization):
    return {
        **actor_common(site, organization),
        "kind": organization.kind,
        "kind_label": site.label(Organization, "kind", organization.kind),
        "parent": actor_record(site, organization.parent),
    }


def actor_row(record):
    row = {
        **record,
        "aliases": "; ".join(record["aliases"]),
        "country": record["country_name"],
        "outside_fields": "; ".join(record["outside_fields"]),
        "external_identifiers": "; ".join(
            f"{identifier['database']} {identifier['identifier']} (outside the documents)"
            for identifier in record["external_identifiers"]
        ),
    }
    del row["country_name"]
    if "parent" in row:
        row["kind"] = row.pop("kind_label")
        parent = row.pop("parent")
        row["parent"], row["parent_url"] = (parent["name"], parent["url"]) if parent else ("", "")
    return row


def sanction_record(site, sanction):
    announced_in = sanction.announced_in if sanction.announced_in and sanction.announced_in.is_published else None
    return {
        "id": sanction.pk,
        "url": link(site, sanction),
        "imposing_country": sanction.imposing_country,
        "imposing_country_name": site.label(Sanction, "imposing_country", sanction.imposing_country),
        "imposed_by": actor_record(site, sanction.imposed_by),
        "target": actor_record(site, sanction.target),
        "regime": sanction.regime,
        "measures": sanction.measures,
        "reason": sanction.reason,
        "status": sanction.status,
        "announced": date_record(sanction.announced),
        "status_log": [
            {
                "change": entry.change,
                "date": date_record(entry.date),
                "citation": citation_records(site, [entry.citation])[0] if entry.citation else None,
            }
            for entry in sanction.status_log_in_order()
        ],
        "announced_in": {"title": announced_in.title, "url": link(site, announced_in)} if announced_in else None,
        "citations": citation_records(site, sanction.citations.all()),
        "claims": claim_records(sanction.claim_bases.all()),
    }


def sanction_row(record):
    imposed_by, target, announced_in = record["imposed_by"], record["target"], record["announced_in"]
    return {
        "id": record["id"],
        "url": record["url"],
        "imposing_country": record["imposing_country_name"],
        "imposed_by": imposed_by["name"] if imposed_by else "",
        "target": target["name"],
        "target_type": target["type"],
        "target_url": target["url"],
        "regime": record["regime"],
        "measures": record["measures"],
        "reason": record["reason"],
        "status": record["status"],
        **date_columns("announced", record["announced"]),
        # Each change of status, in date order: "imposed (2021); lifted (March 2023)".
        "status_log": "; ".join(f"{entry['change']} ({entry['date']['text']})" for entry in record["status_log"]),
        "announced_in": announced_in["url"] if announced_in else "",
        "claims_not_stated": "; ".join(claims_text(record["claims"])),
        "citations": len(record["citations"]),
    }


def source_record(site, source):
    """A source's record, without its text: that is on its page, and in the whole-archive download."""
    return {
        "id": source.pk,
        "url": link(site, source),
        "title": source.title,
        "title_by_archive": source.title_by_archive,
        "kind": source.kind,
        "kind_label": site.label(Source, "kind", source.kind),
        "outlet": source.outlet,
        "author": source.author,
        "original_url": source.url,
        "published": date_record(source.published),
        "citations": source.citation_count,
        "notes": source.notes,
    }


def source_row(record):
    row = {**record, "kind": record["kind_label"], **date_columns("published", record["published"])}
    del row["kind_label"]
    return row


@dataclass(frozen=True)
class Listing:
    """One public list and how it is exported."""

    name: str  # in the address, and the records' name: /export/events.csv, "these 12 events"
    singular: str  # "event"
    select: object  # query -> the queryset the page lists (BadAddress for a bad filter)
    records: object  # (site, queryset) -> its JSON records, read in chunks
    row: object  # JSON record -> the CSV row


def sanction_prefetches():
    # The export writes a quote's source by its title and address: a source's text (a whole
    # document, often several per sanction) is left unread.
    return (
        Prefetch("citations", queryset=Citation.objects.select_related("source").defer("source__text").order_by("pk")),
        Prefetch(
            "status_log", queryset=StatusChange.objects.select_related("citation__source").defer("citation__source__text")
        ),
        Prefetch("claim_bases", queryset=ClaimBasis.objects.order_by("pk")),
    )


def chunks(queryset, prefetches, size=None):
    """The records of `queryset` in order of number, as lists of at most `size` (CHUNK), each read
    after the last one's final number (keyset), with `prefetches` read for that chunk alone."""
    size = size or CHUNK
    ordered = queryset.order_by("pk")
    last = None
    while True:
        chunk = list((ordered if last is None else ordered.filter(pk__gt=last))[:size])
        if not chunk:
            return
        prefetch_related_objects(chunk, *prefetches)
        yield chunk
        let_go(chunk)
        if len(chunk) < size:
            return
        last = chunk[-1].pk


def let_go(chunk):
    """Drop what was prefetched for each record of `chunk`. A prefetched record refers back to its
    own (an alias to its person), a cycle that only Python's rare full collection frees: the people's
    export at a million events grew by 40 MB. Without these links, each chunk goes once written."""
    for instance in chunk:
        instance.__dict__.pop("_prefetched_objects_cache", None)


def instance_records(record, prefetches=()):
    """Records made by `record(site, instance)` from model instances read in chunks with `prefetches`:
    for the lists of thousands, not millions, where a model instance per row costs little."""

    def records(site, queryset):
        for chunk in chunks(queryset, prefetches):
            for instance in chunk:
                yield record(site, instance)

    return records


ALIASES = (Prefetch("aliases", queryset=Alias.objects.order_by("name", "pk")),)

LISTINGS = {
    listing.name: listing
    for listing in (
        Listing("events", "event", selected_events, event_records, event_row),
        Listing("people", "person", selected_people, instance_records(person_record, ALIASES), actor_row),
        Listing(
            "organizations", "organization", selected_organizations,
            instance_records(organization_record, ALIASES), actor_row,
        ),
        Listing(
            "sanctions", "sanction", selected_sanctions,
            instance_records(sanction_record, sanction_prefetches()), sanction_row,
        ),
        Listing("sources", "source", selected_sources, instance_records(source_record), source_row),
    )
}


class Line:
    """A file-like object that hands back what csv.writer writes, to stream it."""

    def write(self, text):
        return text


def as_csv(listing, found):
    writer = csv.writer(Line())
    # The columns are those of a record with every field empty, so that a CSV of nothing still
    # says what a row would hold.
    header = list(listing.row(EMPTY_RECORDS[listing.name]()))
    yield writer.writerow(header)
    for record in found:
        row = listing.row(record)
        yield writer.writerow([spreadsheet_safe(row[column]) for column in header])


# A spreadsheet reads a cell that starts with one of these as a formula, and an editor's text
# ("=HYPERLINK(...)") could then run in a researcher's spreadsheet: OWASP's "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value`, with a text that a spreadsheet would take for a formula led by an apostrophe, which
    spreadsheets show as text and do not display. The JSON exports keep every text exactly."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_json(listing, found):
    yield "["
    separator = "\n"
    for record in found:
        yield separator + json.dumps(record, ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


def as_ndjson(listing, found):
    for record in found:
        yield json.dumps(record, ensure_ascii=False) + "\n"


# Rows sent to the client at a time. Each piece the response sends costs as much as making a short
# row, so rows go out a hundred at a time: still a few hundred kilobytes, however large the export.
PIECE = 100


def in_pieces(texts):
    piece = []
    for text in texts:
        piece.append(text)
        if len(piece) == PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    content_type: str
    write: object


FORMATS = {
    format.name: format
    for format in (
        Format("csv", "CSV", "text/csv; charset=utf-8", as_csv),
        Format("json", "JSON", "application/json", as_json),
        Format("ndjson", "NDJSON", "application/x-ndjson", as_ndjson),
    )
}


def empty_date_record():
    return date_record(FuzzyDate(Precision.UNKNOWN))


def empty_event():
    return {
        "id": "", "url": "", "title": "", "kind": "", "kind_label": "", "date": empty_date_record(), "place": "",
        "country": "", "country_name": "", "summary": "", "participants": [], "topics": [], "citations": [],
        "claims": [],
    }


def empty_actor(**more):
    return {
        "id": "", "url": "", "name": "", "aliases": [], "country": "", "country_name": "", "description": "",
        "named_in_documents": "", "outside_fields": [], "external_identifiers": [], "events": "", **more,
    }


def empty_sanction():
    return {
        "id": "", "url": "", "imposing_country": "", "imposing_country_name": "", "imposed_by": None,
        "target": {"type": "", "name": "", "url": ""}, "regime": "", "measures": "", "reason": "", "status": "",
        "announced": empty_date_record(), "status_log": [], "announced_in": None, "citations": [],
        "claims": [],
    }


def empty_source():
    return {
        "id": "", "url": "", "title": "", "title_by_archive": "", "kind": "", "kind_label": "", "outlet": "",
        "author": "", "original_url": "", "published": empty_date_record(), "citations": "", "notes": "",
    }


# A record with every field empty, for the header of a CSV of nothing.
EMPTY_RECORDS = {
    "events": empty_event,
    "people": lambda: empty_actor(sort_name="", honorific="", native_name="", native_name_language=""),
    "organizations": lambda: empty_actor(kind="", kind_label="", parent=None),
    "sanctions": empty_sanction,
    "sources": empty_source,
}


def export(request, listing, format):
    """The records a list's filters select, in one of FORMATS, streamed."""
    chosen, written = LISTINGS.get(listing), FORMATS.get(format)
    if chosen is None or written is None:
        raise NotFound(
            f"There is no such export. Exports are /export/<list>.<format>, the list one of "
            f"{', '.join(LISTINGS)} and the format one of {', '.join(FORMATS)}."
        )
    queryset = chosen.select(request.GET)
    site = Site(request.build_absolute_uri("/").rstrip("/"))
    response = StreamingHttpResponse(
        in_pieces(written.write(chosen, chosen.records(site, queryset))), content_type=written.content_type
    )
    response["Content-Disposition"] = f'attachment; filename="diplo-{chosen.name}.{written.name}"'
    return response


@dataclass(frozen=True)
class Downloads:
    """The links to a list's exports, and what they hold: "these 1,234 events"."""

    what: str
    links: list  # [(label, address)]


def downloads(request, listing, count, fields=(), qualifier="", **changes):
    """The export links of a list page showing `count` records (a paging.Tally, a number, or None
    where the page does not count them), each address the page's own query without its paging and
    with `changes` made. A count that is only a bound says so; `qualifier` follows the noun
    (" named in the documents")."""
    query = addresses.canonical_query(request.GET, fields, **NOT_FILTERS, **changes)
    noun = listing
    if count is None:
        what = f"all of these {noun}{qualifier}"
    elif getattr(count, "more", False):
        what = f"all of these {noun}{qualifier} ({str(count).lower()})"
    else:
        number = getattr(count, "number", count)
        what = f"these {number:,} {noun}{qualifier}" if number != 1 else f"this one {LISTINGS[listing].singular}{qualifier}"
    links = []
    for format in FORMATS.values():
        address = reverse("export", args=[listing, format.name])
        links.append((format.label, f"{address}?{query}" if query else address))
    return Downloads(what, links)

