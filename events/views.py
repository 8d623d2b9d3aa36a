import datetime
import functools
import re
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import BadRequest, FieldDoesNotExist
from django.db.models import prefetch_related_objects
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape, format_html
from django.utils import timezone
from django.utils.safestring import mark_safe

from .dates import Precision
from .filters import EventFilter, SanctionFilter, actor_names
from .models import Citation, Event, Organization, Participation, Person, Sanction, Source, Topic

PER_PAGE = 50
# A person's or organization's page lists this many of their events, offices or sanctions; the rest are a link away.
ON_RECORD_PAGE = 50
# Counting stops here: past it, a list says "more than 1,000" rather than read every match.
COUNT_LIMIT = 1_000
# How long the whole archive's count is kept before it is counted again.
TOTAL_COUNT_SECONDS = 300


class NotFound(Http404):
    """A 404 whose message is written for the visitor."""


def explains_bad_requests(view):
    """Shows a BadRequest or NotFound raised by `view` as the site's 400 or 404 page, with its message.

    Django's own handlers hide the message; ours are written for the visitor.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return render(request, "400.html", {"message": str(error)}, status=400)
        except NotFound as error:
            return render(request, "404.html", {"message": str(error)}, status=404)

    return wrapper


def csrf_failure(request, reason=""):
    """A form sent without its CSRF token: the site's own 403 page, which says what to do (CSRF_FAILURE_VIEW)."""
    return render(request, "403_csrf.html", status=403)


def paginate(request, items):
    """The page of `items` the request asks for: ?page=abc is a bad request, a page past the end is not found."""
    paginator = Paginator(items, PER_PAGE)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        raise BadRequest("The page number in the address should be a whole number, like ?page=2.") from None
    except EmptyPage:
        raise NotFound("There is no such page of this list.") from None


def by_year_and_month(events):
    """Events grouped for the timeline: [{"heading", "months": [{"heading", "events"}]}].

    Years and months run in order; within a year, events known only to the year come
    after its months, and events of unknown date form one last group.
    """
    years, undated = {}, []
    for event in events:
        if event.date_precision == Precision.UNKNOWN or event.date_earliest is None:
            undated.append(event)
            continue
        year = event.date_earliest.year
        month = None if event.date_precision == Precision.YEAR else event.date_earliest.month
        years.setdefault(year, {}).setdefault(month, []).append(event)
    groups = []
    for year in sorted(years):
        months = []
        for month in sorted(years[year], key=lambda month: (month is None, month or 0)):
            events_in_month = years[year][month]
            if month is None:
                heading = f"{year} — month not known"
            else:
                heading = events_in_month[0].date_earliest.strftime("%B %Y")
            months.append({"heading": heading, "events": events_in_month})
        groups.append({"heading": str(year), "months": months})
    if undated:
        groups.append({"heading": "Date unknown", "months": [], "events": undated})
    return groups


@dataclass
class Count:
    """How many records a list holds, as honestly as it can be told cheaply."""

    number: int
    more: bool = False  # the number is a lower bound: there are more
    counted_at: datetime.datetime | None = None  # set when the number was kept from an earlier count

    def __str__(self):
        text = f"more than {self.number:,}" if self.more else f"{self.number:,}"
        return text[0].upper() + text[1:]


def count_at_most(queryset):
    found = queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return Count(COUNT_LIMIT, more=True) if found > COUNT_LIMIT else Count(found)


def count_events(events, filtered):
    """The events' count: exact up to COUNT_LIMIT; beyond, the whole archive's total as last counted, or a bound."""
    count = count_at_most(events)
    if count.more and not filtered:
        number, counted_at = cache.get_or_set(
            "published-event-count", lambda: (events.count(), timezone.now()), TOTAL_COUNT_SECONDS
        )
        count = Count(number, counted_at=counted_at)
    return count


@dataclass
class TimelinePage:
    """One page of events in date order, with the events it starts after or ends before for the links."""

    events: list
    count: Count
    next: int | None  # show the events after this one
    previous: int | None  # show the events before this one

    @property
    def is_first(self):
        return self.previous is None


def place_in_timeline(request, name):
    """The event named by ?after= or ?before=, where a page starts or ends; None if not given."""
    value = request.GET.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        raise BadRequest(f"The place in the timeline (?{name}=) should be an event’s number, as the page links give.")
    try:
        return Event.objects.published().only("pk", "date_earliest", "title").get(pk=int(value))
    except Event.DoesNotExist:
        raise NotFound("The event this page was to start from is no longer in the timeline. Start again from the first page.") from None


def timeline_page(request, events, filtered=True):
    """The page of `events` the request asks for, by ?after= or ?before= an event (keyset paging)."""
    size = PER_PAGE
    after, before = place_in_timeline(request, "after"), place_in_timeline(request, "before")
    if after and before:
        raise BadRequest("Ask for the events after one event or before one, not both.")
    if before:
        found = events.page_before(before, size + 1)
        shown = found[-size:]
        previous = shown[0].pk if len(found) > size else None
        following = shown[-1].pk if shown else None
    else:
        found = events.page_after(after, size + 1)
        shown = found[:size]
        previous = shown[0].pk if after and shown else None
        following = shown[-1].pk if len(found) > size else None
    prefetch_related_objects(shown, *Event.objects.list_prefetches())
    if not after and not before and following is None:
        count = Count(len(shown))  # the whole list is on this page: no need to count it again
    else:
        count = count_events(events, filtered)
    return TimelinePage(shown, count, following, previous)


@explains_bad_requests
def timeline(request):
    filterset = EventFilter(request.GET, queryset=Event.objects.published())
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "timeline.html", context, status=400)
    filtered_by = filterset.describe()
    page = timeline_page(request, filterset.qs, filtered=bool(filtered_by))
    groups = by_year_and_month(page.events)
    return render(request, "timeline.html", {**context, "page": page, "groups": groups, "filtered_by": filtered_by})


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "event_detail.html", {"event": event})


@explains_bad_requests
def person_list(request):
    page = paginate(request, Person.objects.for_list())
    return render(request, "person_list.html", {"page": page})


def outside_field_names(record):
    """The names of the fields a record says are not from the documents, for its footnote."""
    names = []
    for name in record.outside_fields or []:
        try:
            names.append(str(record._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, TypeError):
            names.append(str(name))
    return names


@dataclass
class ActorEvents:
    """The first events an actor took part in, in date order, with the actor's own part in each."""

    participations: list
    count: Count
    events: list

    @property
    def cut(self):
        return self.count.more or self.count.number > len(self.events)


def actor_events(actor, **involving):
    """The actor's first ON_RECORD_PAGE published events: a page of the timeline, never all of them."""
    events = Event.objects.published().involving(**involving)
    found = events.page_after(None, ON_RECORD_PAGE + 1)
    shown = found[:ON_RECORD_PAGE]
    field = "person" if "people" in involving else "organization"
    parts = Participation.objects.filter(event__in=[event.pk for event in shown], **{field: actor})
    place = {event.pk: position for position, event in enumerate(shown)}
    participations = sorted(parts.select_related("event", "office"), key=lambda part: (place[part.event_id], part.pk))
    count = Count(len(shown)) if len(found) <= ON_RECORD_PAGE else count_at_most(events)
    return ActorEvents(participations, count, shown)


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.for_detail(), slug=slug)
    listed = actor_events(person, people=[person])
    statements = Citation.objects.statements_by(person, [event.pk for event in listed.events])
    return render(
        request,
        "person_detail.html",
        {"person": person, "listed": listed, "statements": statements, "outside": outside_field_names(person)},
    )


@explains_bad_requests
def organization_list(request):
    page = paginate(request, Organization.objects.for_list())
    return render(request, "organization_list.html", {"page": page})


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.for_detail(ON_RECORD_PAGE), slug=slug)
    listed = actor_events(organization, organizations=[organization])
    return render(
        request,
        "organization_detail.html",
        {
            "organization": organization,
            "listed": listed,
            "limit": ON_RECORD_PAGE,
            "outside": outside_field_names(organization),
        },
    )


@explains_bad_requests
def sanction_list(request):
    filterset = SanctionFilter(request.GET, queryset=Sanction.objects.published().for_list())
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "sanction_list.html", context, status=400)
    page = paginate(request, filterset.qs)
    return render(request, "sanction_list.html", {**context, "page": page, "filtered_by": filterset.describe()})


def sanction_detail(request, pk):
    sanction = get_object_or_404(Sanction.objects.published().for_detail(), pk=pk)
    return render(request, "sanction_detail.html", {"sanction": sanction})


@explains_bad_requests
def source_list(request):
    page = paginate(request, Source.objects.for_list())
    return render(request, "source_list.html", {"page": page})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = list(source.citations.for_source())
    paragraphs, unplaced = highlight_quotes(source.text, citations)
    return render(
        request,
        "source_detail.html",
        {"source": source, "citations": citations, "paragraphs": paragraphs, "unplaced": unplaced},
    )


def topic_event_counts():
    """({topic pk: published events}, when counted): kept for TOTAL_COUNT_SECONDS, as counting reads every event's topics."""
    return cache.get_or_set(
        "topic-event-counts",
        lambda: ({topic.pk: topic.event_count for topic in Topic.objects.with_event_counts()}, timezone.now()),
        TOTAL_COUNT_SECONDS,
    )


def topic_list(request):
    topics = Topic.objects.in_tree_order()
    counts, counted_at = topic_event_counts()
    for topic in topics:
        topic.event_count = counts.get(topic.pk, 0)
    return render(request, "topic_list.html", {"tree": nested(topics), "counted_at": counted_at})


def nested(topics):
    """Topics in tree order, each with its depth, as [{"topic", "children": [...]}] for nested lists."""
    roots, path = [], []
    for topic in topics:
        node = {"topic": topic, "children": []}
        del path[topic.depth :]
        (path[-1]["children"] if path else roots).append(node)
        path.append(node)
    return roots


@explains_bad_requests
def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    family = topic.with_descendants()
    page = timeline_page(request, Event.objects.published().about(family))
    children = [candidate for candidate in family if candidate.parent_id == topic.pk]
    children.sort(key=lambda child: (child.name, child.pk))
    return render(request, "topic_detail.html", {"topic": topic, "children": children, "page": page})


# The source page: the document's text with every cited quote marked.

PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")


def paragraph_spans(text):
    """(start, end) of each paragraph of `text`, paragraphs being separated by blank lines."""
    start = 0
    for separator in PARAGRAPH_BREAK.finditer(text):
        if text[start : separator.start()].strip():
            yield start, separator.start()
        start = separator.end()
    if text[start:].strip():
        yield start, len(text)


def supported_record(citation):
    """(kind, title, url) of the record a citation supports, for the link beside its quote."""
    if citation.event_id:
        return "event", citation.event.title, citation.event.get_absolute_url()
    if citation.sanction_id:
        return "sanction", str(citation.sanction), citation.sanction.get_absolute_url()
    if citation.office_id:
        office = citation.office
        return "office", f"{office.title}, {office.person}", office.person.get_absolute_url()
    return None


def backlinks(citations):
    """One small group of links after quotes that end together, to the records they support."""
    links, seen = [], set()
    for citation in citations:
        kind, title, url = supported_record(citation)
        if url not in seen:
            seen.add(url)
            links.append(format_html('<a href="{}">{}<span class="visually-hidden">: {}</span></a>', url, kind, title))
    return format_html(' <span class="supports">↩ {}</span>', mark_safe(" · ".join(links)))


def highlight_quotes(text, citations):
    """The text as a list of safe HTML paragraphs, each cited quote inside <mark id="quote-<pk>">.

    A quote is marked where it first occurs. Quotes nest as marks inside marks; where
    two overlap without nesting, or a quote runs on into the next paragraph, its mark is
    closed and opened again, the id staying on its first part. A link to the record a
    quote supports follows its end. Returns (paragraphs, citations whose quote isn't in the text).
    """
    text = text.replace("\r\n", "\n")
    spans, unplaced = {}, []
    for citation in citations:
        quote = citation.quote.replace("\r\n", "\n")
        start = text.find(quote) if quote.strip() else -1
        if start < 0:
            unplaced.append(citation)
        else:
            spans[citation] = (start, start + len(quote))

    paragraphs = list(paragraph_spans(text))
    last_paragraph = {}
    for number, (first, last) in enumerate(paragraphs):
        for citation, (start, end) in spans.items():
            if start < last and first < end:
                last_paragraph[citation] = number

    anchored, html = set(), []
    for number, (first, last) in enumerate(paragraphs):
        # Each quote's part within this paragraph.
        parts = {
            citation: (max(start, first), min(end, last))
            for citation, (start, end) in spans.items()
            if start < last and first < end
        }
        out, open_marks, position = [], [], first

        def open_mark(citation):
            if citation in anchored:
                out.append(mark_safe('<mark class="quote">'))
            else:
                out.append(format_html('<mark class="quote" id="{}">', citation.anchor))
                anchored.add(citation)
            open_marks.append(citation)

        for cut in sorted({last, *(bound for part in parts.values() for bound in part)}):
            out.append(mark_safe(escape(text[position:cut]).replace("\n", "<br>")))
            position = cut
            ending = [citation for citation in open_marks if parts[citation][1] == cut]
            if ending:
                lowest = min(open_marks.index(citation) for citation in ending)
                reopen = [citation for citation in open_marks[lowest:] if citation not in ending]
                out.extend(mark_safe("</mark>") for _ in open_marks[lowest:])
                del open_marks[lowest:]
                finished = [citation for citation in ending if last_paragraph[citation] == number]
                if finished:
                    out.append(backlinks(finished))
                for citation in reopen:
                    open_mark(citation)
            starting = [citation for citation, (start, end) in parts.items() if start == cut and end > cut]
            for citation in sorted(starting, key=lambda citation: (-parts[citation][1], citation.pk)):
                open_mark(citation)
        html.append(mark_safe("".join(out)))
    return html, unplaced
