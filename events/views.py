"""The public pages. A bad parameter raises BadAddress and a missing record or page Http404, which
the site's handlers (diplo/views.py) show as its 400 and 404 pages."""

import functools
from pathlib import Path

from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from diplo.middleware import may_be_signed_in
from diplo.views import NotFound

from . import archive, caching, citing, exports, freshness, search
from .addresses import canonical_url, redirect_to_canonical
from .chart import drawn, events_over_time
from .event_items import set_item_html
from .filters import (
    RELEVANCE,
    EventFilter,
    SanctionFilter,
    actor_names,
    chips,
    narrowing_links,
    page_number,
    place_in_timeline,
    sort_order,
    unnamed_asked_for,
)
from .models import (
    Citation,
    ClaimBasis,
    Event,
    Merge,
    Organization,
    Person,
    Sanction,
    Source,
    Topic,
    page_url,
)
from .paging import (
    NEWEST,
    Tally,
    actor_events,
    link_counts,
    paginate,
    ranked_page,
    tally_dates,
    timeline_page,
    topic_event_counts,
    topics_with_event_counts,
)
from .presentation import (
    answer_words,
    answered_by_words,
    by_year_and_month,
    children_of,
    claim_notes,
    event_participation_words,
    held_office_words,
    mark_uncertain,
    nested,
    office_words,
    outside_field_names,
    outside_identifier_names,
    participant_words,
    relation_from_words,
    relation_to_words,
)
from .quotes import highlight_quotes

# A person's or organization's page lists this many of their events (an organization's, also of its offices and
# sanctions); the rest are a link away.
ON_RECORD_PAGE = 50

# The people and organizations lists show this many of those not named in the documents below the
# named; the rest are a link away.
UNNAMED_SHOWN = 20


def timeline(request):
    if moved := redirect_to_canonical(request, EventFilter.base_filters):
        return moved
    filterset = EventFilter(request.GET, queryset=Event.objects.published())
    context = {"filterset": filterset}
    if not filterset.is_valid():
        return render(request, "timeline.html", {**context, "actor_names": actor_names()}, status=400)
    filtered_by = filterset.describe()
    context["chips"] = chips(filterset, request)
    filterset.qs  # noqa: B018 (fills `without_dates`, as the facet counts did before the chart was first)
    unplaced = filterset.without_dates.without_known_date() if filterset.has_date_range() else None
    # First: counted afresh, the chart reads the archive's version with its counts, which the facet
    # counts, the page's count and its items are then kept under without a query of their own.
    chart = events_over_time(filterset, unplaced)
    after, before = place_in_timeline(request.GET)
    query = filterset.search_query()
    sort = filterset.order()
    if sort == RELEVANCE:
        # With each event's passages; the ranking kept under the filters.
        page = ranked_page(filterset.qs, query, after, before, prefetch=False, kept_as=filterset.counts_key())
        groups = None  # in order of relevance, not of date
    else:

        def parts():
            dated, undated = filterset.timeline_parts()
            if not query:
                return dated, undated
            # Read with the page's events: the databases mark the matches of those rows only (PostgreSQL
            # after its sort and limit; SQLite, for at most search.MANY_MATCHES before its sort).
            passages = search.passage_annotations(query, filterset.qs.db)
            return [part.annotate(**passages) for part in dated], undated.annotate(**passages)

        page = timeline_page(
            filterset.qs,
            after,
            before,
            filtered=bool(filtered_by),
            sort=sort,
            parts=parts,
            # The chart counts these very events, and is read from the cache only under the version it counted.
            known_count=chart.figures.total,
            prefetch=False,  # set_item_html reads what its kept items lack
            # Kept unless each event carries its passages: they are marked for this very page.
            kept_as=None if query else filterset.counts_key(sorted_too=True),
        )
        if query:
            search.set_passages(page.events, filterset.qs.db)
        groups = by_year_and_month(page.events, newest=sort == NEWEST)
    dates = None
    if filterset.has_date_range():
        mark_uncertain(page.events, *filterset.date_range_ends())
        dates = tally_dates(
            page,
            certain=functools.partial(filterset.without_dates.certainly_within, *filterset.date_range()),
            maybe=functools.partial(filterset.without_dates.only_possibly_within, *filterset.date_range()),
            # Counted with the chart, unless the chart was kept from an earlier count.
            unplaced=chart.unplaced or filterset.without_dates.without_known_date,
            filters=filterset.counts_key(),
        )
    actors = filterset.form.cleaned_data.get("actor")
    if actors and not actors.matched and (survivor := merged_actor(actors.text)):
        return HttpResponsePermanentRedirect(
            canonical_url(request.path, request.GET, list(EventFilter.base_filters), actor=survivor.slug)
        )
    set_item_html(heading_levels(groups) if groups is not None else [(event, 2) for event in page.events])
    context["chart"] = drawn(chart, filterset)
    context["filter_form"] = filter_form(request, context)
    return render(
        request,
        "timeline.html",
        {
            **context,
            "page": page,
            "downloads": exports.downloads(request, "events", page.count, list(EventFilter.base_filters)),
            "groups": groups,
            "filtered_by": filtered_by,
            "dates": dates,
            "actors": actors,
            "actor_links": narrowing_links(request.GET, "actor", actors, list(EventFilter.base_filters)),
        },
    )


# How long the timeline's rendered filter form is kept. Its key says all it is drawn from, so this
# bounds only the room it takes.
FILTER_FORM_SECONDS = 3600


def filter_form(request, context):
    """The timeline's filter form (templates/_filter_form.html) for a valid filter, with its menus'
    counts (EventFilter.show_facet_counts), kept under all it is drawn from: the address, the values
    typed and the archive's version, which decides the counts, the topics and the names suggested.
    Rendering its 300-odd menu options took 10–20 ms a page, and putting the counts into them 1 ms."""
    filterset = context["filterset"]
    form = filterset.form
    inputs = (
        request.path,
        [(name, form.data.getlist(name)) for name in form.fields],  # not the paging: page 2 has page 1's form
        translation.get_language(),  # the countries' names
        freshness.current(filterset.qs.db),
    )

    def render():
        filterset.show_facet_counts()
        form_context = {
            **context,
            "actor_names": actor_names(),
            "request": request,
            "label": "Filter events",
            "button": "Filter events",
        }
        return render_to_string("_filter_form.html", form_context, request)

    return caching.drawn_from("timeline-form", inputs, render, FILTER_FORM_SECONDS)


def heading_levels(groups):
    """[(event, the level of its heading)] for the timeline's groups: under a month's h3, or a year's h2."""
    levels = []
    for group in groups:
        levels += [(event, 4) for month in group["months"] for event in month["events"]]
        levels += [(event, 3) for event in group.get("events", ())]
    return levels


def event_detail(request, slug):
    event = get_object_or_404(Event.objects.published().for_detail(), slug=slug)
    Event.objects.claim_bases_of(event)
    claims = claim_notes(
        ([event], None),
        (event.participations.all(), participant_words),
        (event.relations_from.all(), relation_from_words),
        (event.relations_to.all(), relation_to_words),
        (event.public_answers, answered_by_words),
    )
    return render(request, "event_detail.html", {"event": event, "claims": claims, **cited(request, event)})


def person_list(request):
    return render(request, "person_list.html", actor_list(request, Person, "people"))


def person_detail(request, slug):
    person = Person.objects.for_detail().filter(slug=slug).first()
    if person is None:
        return to_survivor(Person, slug)
    listed = actor_events(person, ON_RECORD_PAGE, people=[person])
    ClaimBasis.attach(office=list(person.offices.all()), participation=listed.participations)
    statements = Citation.objects.statements_by(person, [event.pk for event in listed.events])
    claims = claim_notes((person.offices.all(), office_words), (listed.participations, event_participation_words))
    return render(
        request,
        "person_detail.html",
        {
            "person": person,
            "listed": listed,
            "statements": statements,
            "outside": outside_field_names(person) + outside_identifier_names(person),
            "claims": claims,
            **cited(request, person),
        },
    )


def to_survivor(model, slug):
    """A permanent redirect from the address of a record merged into another to the survivor's
    page; a 404 for an address that never was, or whose merge was undone."""
    survivor = Merge.objects.survivor_of(model, slug)
    if survivor is None:
        raise Http404(f"No {model._meta.verbose_name} is at this address.")
    return HttpResponsePermanentRedirect(survivor.get_absolute_url())


def merged_actor(text):
    """The person or organization that the one once at the address ending `text` was merged
    into, for an actor filter that names no one else; or None."""
    slug = text.strip().lower()
    return Merge.objects.survivor_of(Person, slug) or Merge.objects.survivor_of(Organization, slug)


def organization_list(request):
    return render(request, "organization_list.html", actor_list(request, Organization, "organizations"))


def actor_list(request, model, listing):
    """The people or organizations the documents name, a page of them, with the first placeholders
    (those they mention but do not name) listed apart; or, with ?unnamed=1, a page of the placeholders."""
    unnamed = unnamed_asked_for(request.GET)
    rows = model.objects.for_list()
    page = paginate(rows.filter(is_placeholder=bool(unnamed)), page_number(request.GET))
    placeholders = [] if unnamed else list(rows.filter(is_placeholder=True)[: UNNAMED_SHOWN + 1])
    return {
        "page": page,
        "unnamed": bool(unnamed),
        "placeholders": placeholders[:UNNAMED_SHOWN],
        "more_placeholders": len(placeholders) > UNNAMED_SHOWN,
        "downloads": exports.downloads(
            request, listing, page.paginator.count, ["unnamed"], "" if unnamed else " named in the documents"
        ),
        "placeholder_downloads": exports.downloads(
            request, listing, None if len(placeholders) > UNNAMED_SHOWN else len(placeholders), unnamed="1"
        ),
    }


def organization_detail(request, slug):
    organization = Organization.objects.for_detail().filter(slug=slug).first()
    if organization is None:
        return to_survivor(Organization, slug)
    organization.listed_offices = Organization.objects.first_offices(organization, ON_RECORD_PAGE)
    listed = actor_events(organization, ON_RECORD_PAGE, organizations=[organization])
    offices = organization.listed_offices[:ON_RECORD_PAGE]
    organization.public_sanctions_imposed, organization.public_sanctions = Sanction.objects.of_organization(
        organization, ON_RECORD_PAGE
    )
    ClaimBasis.attach(office=organization.listed_offices, participation=listed.participations)
    claims = claim_notes((offices, held_office_words), (listed.participations, event_participation_words))
    return render(
        request,
        "organization_detail.html",
        {
            "organization": organization,
            # Written here, not by the template: the busiest organization has 970 parts.
            "parts": mark_safe(  # noqa: S308 (each name and address escaped)
                ", ".join(
                    f'<bdi><a href="{escape(page_url("organization_detail", slug))}">{escape(name)}</a></bdi>'
                    for name, slug in Organization.objects.parts(organization)
                )
            ),
            "listed": listed,
            "limit": ON_RECORD_PAGE,
            "outside": outside_field_names(organization) + outside_identifier_names(organization),
            "claims": claims,
            **cited(request, organization),
        },
    )


def sanction_list(request):
    if moved := redirect_to_canonical(request, SanctionFilter.base_filters):
        return moved
    filterset = SanctionFilter(request.GET, queryset=Sanction.objects.published().for_list())
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "sanction_list.html", context, status=400)
    page = paginate(filterset.qs, page_number(request.GET))
    actors = filterset.form.cleaned_data.get("target")
    return render(
        request,
        "sanction_list.html",
        {
            **context,
            "page": page,
            "filtered_by": filterset.describe(),
            "chips": chips(filterset, request),
            "actors": actors,
            "actor_links": narrowing_links(request.GET, "target", actors, list(SanctionFilter.base_filters)),
            "downloads": exports.downloads(request, "sanctions", page.paginator.count, list(SanctionFilter.base_filters)),
        },
    )


def sanction_detail(request, pk):
    sanction = get_object_or_404(Sanction.objects.published().for_detail(), pk=pk)
    claims = claim_notes(
        ([sanction], None),
        (sanction.public_answers, answer_words),
        (sanction.public_responses, answered_by_words),
    )
    return render(request, "sanction_detail.html", {"sanction": sanction, "claims": claims, **cited(request, sanction)})


def source_list(request):
    page = paginate(Source.objects.for_list(), page_number(request.GET))
    downloads = exports.downloads(request, "sources", page.paginator.count)
    return render(request, "source_list.html", {"page": page, "downloads": downloads})


def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)
    citations = list(source.citations.for_source())
    paragraphs, unplaced = highlight_quotes(source.text, citations)
    inferences = [(citation, basis) for citation, basis in ClaimBasis.objects.of_citations(citations) if basis.is_public]
    return render(
        request,
        "source_detail.html",
        {
            "source": source,
            "citations": citations,
            "paragraphs": paragraphs,
            "unplaced": unplaced,
            "inferences": inferences,
            **cited(request, source),
            # The session is read only for a request that carries one: reading it marks the page
            # as varying on the cookie, which would keep every visitor's copy out of shared caches.
            "for_editors": may_be_signed_in(request) and request.user.is_staff,
        },
    )


def topic_list(request):
    topics, counted_at = topics_with_event_counts()
    return render(request, "topic_list.html", {"tree": nested(topics), "counted_at": counted_at})


def topic_detail(request, slug):
    topic = get_object_or_404(Topic.objects.select_related("parent"), slug=slug)
    family = topic.with_descendants()
    after, before = place_in_timeline(request.GET)
    sort = sort_order(request.GET)
    found, number = link_counts(Event.topics.through.objects.filter(topic__in=family))
    events = Event.objects.published().about(family, found=found)
    page = timeline_page(events, after, before, sort=sort, known_count=number, prefetch=False)
    set_item_html([(event, 3) for event in page.events])
    children = children_of(topic, family)
    direct_count = None
    if children or page.count.more:
        # Past the counting bound, the topic list's count stands in for "more than 1,000", so the two agree.
        counts, counted_at = topic_event_counts()
        total, direct_count = counts.get(topic.pk, (0, 0))
        if page.count.more:
            page.count = Tally(total, counted_at=counted_at)
    return render(
        request,
        "topic_detail.html",
        {
            "topic": topic,
            "children": children,
            "page": page,
            "sort": sort,
            "direct_count": direct_count,
            **cited(request, topic),
        },
    )


def cited(request, record):
    """What every record page shows to cite it and tell machines what it is: the "Cite this" block
    and the JSON-LD, from what the page has read already."""
    return {"cite": citing.cite_this(request, record), "linked_data": citing.linked_data(request, record)}


# The records that can be cited on their own, by the name their address starts with: those with a
# public page, looked up as that page looks them up.
CITABLE = {
    "events": lambda key: get_object_or_404(Event.objects.published(), slug=key),
    "people": lambda key: get_object_or_404(Person, slug=key),
    "organizations": lambda key: get_object_or_404(Organization, slug=key),
    "sanctions": lambda key: get_object_or_404(Sanction.objects.published().select_related("target_person", "target_organization"), pk=key),
    "sources": lambda key: get_object_or_404(Source, slug=key),
    "topics": lambda key: get_object_or_404(Topic, slug=key),
}


def citation_file(request, section, key, extension):
    """The citation of one record as a file a reference manager imports: BibTeX or CSL-JSON."""
    cite = citing.cite_this(request, CITABLE[section](key))
    if extension == "bib":
        response = HttpResponse(cite.bibtex, content_type=citing.BIBTEX_TYPE)
    else:
        response = HttpResponse(cite.csl_json, content_type=citing.CSL_JSON_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{cite.key}.{extension}"'
    return response


def about_data(request):
    return render(
        request,
        "about_data.html",
        {
            "downloads": archive.downloads(),
            "site": request.build_absolute_uri("/"),
            "today": timezone.now().date(),
            "chunk": exports.CHUNK,
        },
    )


def download(request, name):
    """One of the whole-archive downloads (archive.FILES), as `export_archive` last wrote it."""
    media_types = {file_name: media_type for file_name, _, media_type in archive.FILES}
    if name not in media_types:
        raise NotFound("There is no such download. The downloads are listed on the “About the data” page.")
    path = Path(settings.DIPLO_DOWNLOADS_DIR) / name
    try:
        opened = path.open("rb")
    except FileNotFoundError:
        raise NotFound("This download has not been made yet on this site: `manage.py export_archive` makes it.") from None
    return FileResponse(opened, as_attachment=True, filename=name, content_type=media_types[name])
