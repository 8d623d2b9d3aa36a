"""The editors' "Work on this document" page: a source's text with the names, dates and topics
the archive can read in it, and, from a passage the editor pastes or selects, a record drafted
for confirmation (events/record_drafts.py). Nothing is saved until the editor confirms."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from .date_expressions import date_expressions
from .models import Alias, Citation, Event, Organization, Person, Source, Topic
from .quotes import paragraph_spans
from .reading import (
    Actor,
    PassageProblem,
    find_passage,
    known_names,
    name_forms,
    surname_of,
    topics_in,
    unknown_names,
)
from .record_drafts import (
    PassageForm,
    RecordForm,
    RecordKind,
    Refused,
    permissions_needed,
    save_confirmed,
)

# Model fields whose form field has another name on the work page.
FORM_NAMES = {"kind": "event_kind", "quote": "passage"}


def archive_actors():
    """Every person and organization the archive knows, placeholders left out (they stand for no
    name), with the forms of their names: three queries, whatever the size of the archive."""
    aliases = {}
    for person, organization, name in Alias.objects.values_list("person", "organization", "name"):
        aliases.setdefault(("person", person) if person else ("organization", organization), []).append(name)
    people = Person.objects.filter(is_placeholder=False).values_list("pk", "name", "sort_name", "honorific")
    actors = [
        Actor("person", pk, name, name_forms(name, aliases.get(("person", pk), ()), honorific), surname_of(sort_name))
        for pk, name, sort_name, honorific in people
    ]
    actors += [
        Actor("organization", pk, name, name_forms(name, aliases.get(("organization", pk), ())))
        for pk, name in Organization.objects.filter(is_placeholder=False).values_list("pk", "name")
    ]
    return actors


def marked_text(text, spans):
    """The text as safe HTML paragraphs, each span (start, end, css class, title) inside a <mark>."""
    paragraphs = []
    for start, end in paragraph_spans(text):
        html, at = [], start
        for since, until, css, title in spans:
            if since < start or until > end or since < at:
                continue
            html.append(format_html("{}", text[at:since]))
            html.append(format_html('<mark class="{}" title="{}">{}</mark>', css, title, text[since:until]))
            at = until
        html.append(format_html("{}", text[at:end]))
        paragraphs.append(mark_safe("".join(html)))
    return paragraphs


def reading_of(text, source, actors, topics):
    """What the page shows of `text` (the whole source, or a passage of it)."""
    names = known_names(text, actors)
    unknown = unknown_names(text, names)
    dates = date_expressions(text, source.published)
    return {"names": names, "unknown": unknown, "dates": dates, "topics": topics_in(text, topics)}


def suggestions(reading):
    """What a passage's reading suggests for a record: its actors, date and topics."""
    actors, seen = [], set()
    for name in reading["names"]:
        key = f"{name.actor.kind}:{name.actor.pk}"
        if key not in seen:
            seen.add(key)
            actors.append((key, name.actor.name))
    dated = [expression.date for expression in reading["dates"] if expression.is_resolved]
    return {
        "actors": actors,
        "new_names": [name.text for name in reading["unknown"]],
        "date": dated[0] if dated else None,
        "topics": [topic.pk for topic in reading["topics"]],
    }


@never_cache  # an editor's page: no cache, shared or not, keeps it
@staff_member_required
def work_on_source(request, slug):
    """GET: the source's text, read. POST with a passage: a record drafted from it (step
    "suggest"), then saved when the editor confirms it (step "confirm")."""
    source = get_object_or_404(Source, slug=slug)
    actors = archive_actors()
    topics = list(Topic.objects.values_list("pk", "name"))
    whole = reading_of(source.text, source, actors, topics)
    spans = sorted(
        [(name.start, name.end, "name-known", f"{name.actor.kind}: {name.actor.name}") for name in whole["names"]]
        + [(name.start, name.end, "name-unknown", "matches no one recorded") for name in whole["unknown"]]
        + [(when.start, when.end, "date-found", f"{when.date} · {when.how}") for when in whole["dates"]]
    )
    context = {
        "source": source,
        "paragraphs": marked_text(source.text, spans),
        "reading": whole,
        "known": sorted({(name.actor.kind, name.actor.pk, name.actor.name) for name in whole["names"]}, key=lambda a: a[2]),
        "passage_form": PassageForm(),
    }
    if request.method != "POST":
        return render(request, "work_on_source.html", context)

    passage_form = PassageForm(request.POST)
    context["passage_form"] = passage_form
    if not passage_form.is_valid():
        return render(request, "work_on_source.html", context, status=400)
    try:
        start, end = find_passage(source.text, passage_form.cleaned_data["passage"])
    except PassageProblem as problem:
        passage_form.add_error("passage", str(problem))
        return render(request, "work_on_source.html", context, status=400)
    passage = source.text[start:end]
    kind = passage_form.cleaned_data["kind"]
    read = reading_of(passage, source, actors, topics)
    suggested = suggestions(read)
    cited_here = Citation.objects.filter(source=source, event__isnull=False).values("event")
    events = Event.objects.filter(pk__in=cited_here).order_by("title", "pk")
    options = {"kind": kind, "events": events, **suggested}
    confirming = request.POST.get("step") == "confirm"
    if confirming:
        form = RecordForm(request.POST, **options)
    else:
        form = RecordForm(initial={"passage": passage, "kind": kind, "summary": passage}, **options)
    context.update({"passage": passage, "passage_reading": read, "form": form, "kind_label": dict(RecordKind.CHOICES)[kind]})
    if not confirming:
        return render(request, "work_on_source.html", context)
    if form.is_valid():
        if not request.user.has_perms(permissions_needed(form)):
            # A viewer may read the page and see what a passage suggests, not save it.
            raise PermissionDenied("You may view the archive's records but not add them.")
        try:
            record = save_confirmed(form, source, passage)
        except Refused as refused:
            for name, problems in refused.errors.items():
                name = FORM_NAMES.get(name, name)
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, made_message(kind, record))
            return redirect(reverse("work_on_source", args=[source.slug]))
    return render(request, "work_on_source.html", context, status=400)


def made_message(kind, record):
    """The line the page shows after a save: what was made, with links to it."""
    admin_url = reverse(f"admin:events_{record._meta.model_name}_change", args=[record.pk])
    links = [("Edit it in the admin", admin_url)]
    if kind in (RecordKind.EVENT, RecordKind.PARTICIPATION):
        links.insert(0, ("See it", record.get_absolute_url()))
    described = {
        RecordKind.EVENT: "Event saved",
        RecordKind.SANCTION: "Sanction saved",
        RecordKind.OFFICE: "Office saved",
        RecordKind.PARTICIPATION: "Participants added",
    }[kind]
    return format_html(
        "{}: <bdi>{}</bdi>, with the passage cited. {}",
        described,
        str(record),
        format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in links)),
    )
