"""Records arranged the way the pages show them: the timeline's years and months, the topic tree,
a topic's subtopics, and the footnote naming a record's facts that are not from the documents."""

from django.core.exceptions import FieldDoesNotExist

from .dates import Precision


def by_year_and_month(events, newest=False):
    """Events grouped for the timeline: [{"heading", "months": [{"heading", "events"}]}].

    Years and months run in order, newest or oldest first; within a year, events known only to the
    year come after its months, and events of unknown date form one last group.
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
    for year in sorted(years, reverse=newest):
        months = []
        for month in sorted(years[year], key=lambda month: (month is None, -(month or 0) if newest else month or 0)):
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


def mark_uncertain(events, start, end):
    """Set `may_be` on each event that only may fall in the date filter's range from `start` to `end`
    (FuzzyDates, either None): what is known of its date, for the mark beside it."""
    first, last = start.earliest if start else None, end.latest if end else None
    for event in events:
        earliest, latest = event.date_earliest, event.date_latest
        certain = (first is None or (earliest is not None and earliest >= first)) and (
            last is None or (latest is not None and latest <= last)
        )
        event.may_be = None if certain else event.date.known_as


def nested(topics):
    """Topics in tree order, each with its depth, as [{"topic", "children": [...]}] for nested lists."""
    roots, path = [], []
    for topic in topics:
        node = {"topic": topic, "children": []}
        del path[topic.depth :]
        (path[-1]["children"] if path else roots).append(node)
        path.append(node)
    return roots


def children_of(topic, family):
    """The topic's children by name, picked from `family` (the topic and those below it) without a query."""
    children = [candidate for candidate in family if candidate.parent_id == topic.pk]
    children.sort(key=lambda child: (child.name, child.pk))
    return children


def outside_field_names(record):
    """The names of the fields a record says are not from the documents, for its footnote."""
    names = []
    for name in record.outside_fields or []:
        try:
            names.append(str(record._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, TypeError):
            names.append(str(name))
    return names


def outside_identifier_names(record):
    """The names of a person's or organization's identifiers in other databases, for the footnote
    that says they are not from the documents: none is."""
    return [label for label, _, _ in record.external_links()]


def claim_notes(*parts):
    """The claim bases behind a page's marks, in the order the page shows them, each given `about`:
    the part of the page it concerns ("" for the page's own record). Each of `parts` is (records,
    about), `about` a function naming a record's part of the page, or None. Reads each record's
    prefetched `claim_bases`."""
    notes = []
    for records, about in parts:
        for record in records:
            for basis in record.claim_bases.all():
                basis.about = about(record) if about else ""
                notes.append(basis)
    return notes


def participant_words(participation):
    return f"{participation.actor}, {participation.get_role_display().lower()}"


def relation_from_words(relation):
    return f"this event {relation.get_relation_display()} “{relation.to_event.title}”"


def relation_to_words(relation):
    return f"“{relation.from_event.title}” {relation.get_relation_display()} this event"


def answer_words(response):
    return f"answers {response.answered}"


def answered_by_words(response):
    return f"{response.sanction} answers this {'event' if response.answers_event_id else 'sanction'}"


def office_words(office):
    return office.title


def held_office_words(office):
    return f"{office.person}, {office.title}"


def event_participation_words(participation):
    return f"{participation.event.title}: {participation.get_role_display().lower()}"
