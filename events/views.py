import functools
import re

from django.core.exceptions import BadRequest, FieldDoesNotExist
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from .dates import Precision
from .filters import EventFilter, SanctionFilter, actor_names
from .models import Citation, Event, Organization, Person, Sanction, Source, Topic

PER_PAGE = 50


def explains_bad_requests(view):
    """Shows a BadRequest raised by `view` as the site's 400 page, with its message.

    Django's own 400 handler hides the message; ours are written for the visitor.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return render(request, "400.html", {"message": str(error)}, status=400)

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
        raise Http404("There is no such page of this list.") from None


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


@explains_bad_requests
def timeline(request):
    events = Event.objects.published().for_list().in_date_order()
    filterset = EventFilter(request.GET, queryset=events)
    context = {"filterset": filterset, "actor_names": actor_names()}
    if not filterset.is_valid():
        return render(request, "timeline.html", context, status=400)
    page = paginate(request, filterset.qs)
    groups = by_year_and_month(page.object_list)
    return render(
        request, "timeline.html", {**context, "page": page, "groups": groups, "filtered_by": filterset.describe()}
    )


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


def person_detail(request, slug):
    person = get_object_or_404(Person.objects.for_detail(), slug=slug)
    statements = Citation.objects.statements_by(person)
    return render(
        request,
        "person_detail.html",
        {"person": person, "statements": statements, "outside": outside_field_names(person)},
    )


@explains_bad_requests
def organization_list(request):
    page = paginate(request, Organization.objects.for_list())
    return render(request, "organization_list.html", {"page": page})


def organization_detail(request, slug):
    organization = get_object_or_404(Organization.objects.for_detail(), slug=slug)
    return render(
        request,
        "organization_detail.html",
        {"organization": organization, "outside": outside_field_names(organization)},
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


def topic_list(request):
    return render(request, "topic_list.html", {"tree": nested(Topic.objects.with_event_counts().in_tree_order())})


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
    events = Event.objects.published().about(family).for_list().in_date_order()
    children = [candidate for candidate in family if candidate.parent_id == topic.pk]
    children.sort(key=lambda child: (child.name, child.pk))
    return render(
        request,
        "topic_detail.html",
        {"topic": topic, "children": children, "page": paginate(request, events)},
    )


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
    if citation.role_id:
        role = citation.role
        return "office", f"{role.title}, {role.person}", role.person.get_absolute_url()
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
