"""The public pages. A bad parameter raises BadAddress and a missing record or page Http404, which
the site's handlers (diplo/views.py) show as its 400 and 404 pages."""

from django.shortcuts import get_object_or_404, render

from . import search
from .filters import (
    RELEVANCE,
    EventFilter,
    SanctionFilter,
    actor_names,
    page_number,
    place_in_timeline,
)
from .models import Citation, Event, Organization, Person, Sanction, Source, Topic
from .paging import (
    actor_events,
    paginate,
    ranked_page,
    timeline_page,
    topics_with_event_counts,
)
from .presentation import by_year_and_month, children_of, nested, outside_field_names
from .quotes import highlight_quotes

# A person's or organization's page lists this many of their events (an organization's, also of its offices and
# sanctions); the rest are a link away.
ON_RECORD_PAGE = 50


def timeline(request):
    filterset = EventFilter(request.GET, queryset=Event.objects.published())
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "timeline.html", context, status=400)
    filtered_by = filterset.describe()
    after, before = place_in_timeline(request.GET)
    query = filterset.search_query()
    if filterset.order() == RELEVANCE:
        page = ranked_page(filterset.qs, query, after, before)  # with each event's passages
        groups = None  # in order of relevance, not of date
    else:
        events = filterset.qs
        if query:
            # Read with the page's events: the databases mark the matches of those rows only (PostgreSQL
            # after its sort and limit; SQLite, for at most search.MANY_MATCHES before its sort).
            events = events.annotate(**search.passage_annotations(query, events.db))
        page = timeline_page(events, after, before, filtered=bool(filtered_by))
        if query:
            search.set_passages(page.events, events.db)
        groups = by_year_and_month(page.events)
    return render(request, "timeline.html", {**context, "page": page, "groups": groups, "filtered_by": filtered_by})


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    return render(request, "event_detail.html", {"event": event})


def person_list(request):
    page = paginate(Person.objects.for_list(), page_number(request.GET))
    return render(request, "person_list.html", {"page": page})


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.for_detail(), slug=slug)
    listed = actor_events(person, ON_RECORD_PAGE, people=[person])
    statements = Citation.objects.statements_by(person, [event.pk for event in listed.events])
    return render(
        request,
        "person_detail.html",
        {"person": person, "listed": listed, "statements": statements, "outside": outside_field_names(person)},
    )


def organization_list(request):
    page = paginate(Organization.objects.for_list(), page_number(request.GET))
    return render(request, "organization_list.html", {"page": page})


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.for_detail(ON_RECORD_PAGE), slug=slug)
    listed = actor_events(organization, ON_RECORD_PAGE, organizations=[organization])
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


def sanction_list(request):
    filterset = SanctionFilter(request.GET, queryset=Sanction.objects.published().for_list())
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "sanction_list.html", context, status=400)
    page = paginate(filterset.qs, page_number(request.GET))
    return render(request, "sanction_list.html", {**context, "page": page, "filtered_by": filterset.describe()})


def sanction_detail(request, pk):
    sanction = get_object_or_404(Sanction.objects.published().for_detail(), pk=pk)
    return render(request, "sanction_detail.html", {"sanction": sanction})


def source_list(request):
    page = paginate(Source.objects.for_list(), page_number(request.GET))
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


def topic_list(request):
    topics, counted_at = topics_with_event_counts()
    return render(request, "topic_list.html", {"tree": nested(topics), "counted_at": counted_at})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    family = topic.with_descendants()
    after, before = place_in_timeline(request.GET)
    page = timeline_page(Event.objects.published().about(family), after, before)
    children = children_of(topic, family)
    return render(request, "topic_detail.html", {"topic": topic, "children": children, "page": page})
