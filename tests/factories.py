"""Small factory functions: each makes one record with sensible defaults, overridable by keyword.

Dates are given as the archive's visitors type them: "2021", "2021-03" or "2021-03-22",
or None for a date the documents never give.
"""

import itertools

from django.utils.text import slugify

from events.dates import FuzzyDate
from events.models import (
    Alias,
    Citation,
    ClaimBasis,
    Event,
    EventRelation,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    SanctionResponse,
    Source,
    StatusChange,
    Topic,
)

_numbers = itertools.count(1)


def unique_slug(text):
    return f"{slugify(text)[:100]}-{next(_numbers)}"


def make_person(name="David Lammy", *, aliases=(), **fields):
    first, _, last = name.rpartition(" ")
    fields.setdefault("slug", unique_slug(name))
    fields.setdefault("sort_name", f"{last}, {first}" if first else name)
    person = Person.objects.create(name=name, **fields)
    for alias in aliases:
        Alias.objects.create(person=person, name=alias)
    return person


def make_organization(name="Foreign, Commonwealth and Development Office", *, aliases=(), **fields):
    fields.setdefault("slug", unique_slug(name))
    fields.setdefault("kind", Organization.Kind.MINISTRY)
    organization = Organization.objects.create(name=name, **fields)
    for alias in aliases:
        Alias.objects.create(organization=organization, name=alias, kind=Alias.Kind.ABBREVIATION)
    return organization


def make_topic(name="Human rights", *, parent=None, **fields):
    fields.setdefault("slug", unique_slug(name))
    return Topic.objects.create(name=name, parent=parent, **fields)


def make_event(title="Foreign Secretary meets Wang Yi", *, date="2024-10-18", topics=(), **fields):
    fields.setdefault("slug", unique_slug(title))
    fields.setdefault("kind", Event.Kind.MEETING)
    fields.setdefault("summary", f"What happened: {title}.")
    # `date` as typed ("2024-10", None), or a FuzzyDate for what can't be typed ("by 17 October 2024").
    date = date if isinstance(date, FuzzyDate) else FuzzyDate.parse(date)
    event = Event.objects.create(title=title, **date.as_fields("date"), **fields)
    event.topics.set(topics)
    return event


def take_part(event, actor, role=Participation.Role.SPEAKER, **fields):
    """Records `actor` (a person or an organization) as taking part in `event`."""
    key = "person" if isinstance(actor, Person) else "organization"
    return Participation.objects.create(event=event, role=role, **{key: actor}, **fields)


def make_office(person, title="Foreign Secretary", *, start="2024-07-05", end=None, **fields):
    dates = {**FuzzyDate.parse(start).as_fields("start"), **FuzzyDate.parse(end).as_fields("end")}
    return Office.objects.create(person=person, title=title, **dates, **fields)


def relate(from_event, to_event, relation=EventRelation.Relation.RESPONDS_TO):
    return EventRelation.objects.create(from_event=from_event, to_event=to_event, relation=relation)


def make_source(
    text="The Foreign Secretary met Wang Yi in Beijing.", *, title="A news article", published=None, **fields
):
    fields.setdefault("slug", unique_slug(title))
    fields.setdefault("kind", Source.Kind.NEWS_ARTICLE)
    date = FuzzyDate.parse(published).as_fields("published")
    return Source.objects.create(title=title, text=text, **date, **fields)


def cite(record, quote, source=None):
    """A citation of `quote` for an event, a sanction or an office, from `source` (made to contain it if not given)."""
    source = source or make_source(text=f"Before. {quote} After.")
    key = {Event: "event", Sanction: "sanction", Office: "office"}[type(record)]
    return Citation.objects.create(source=source, quote=quote, **{key: record})


# The status log a made sanction gets for the status asked for: (change, on the announced date or not).
LOG_FOR_STATUS = {
    Sanction.Status.ACTIVE: [(StatusChange.Change.IMPOSED, True)],
    Sanction.Status.LIFTED: [(StatusChange.Change.IMPOSED, True), (StatusChange.Change.LIFTED, False)],
    Sanction.Status.SUSPENDED: [(StatusChange.Change.IMPOSED, True), (StatusChange.Change.SUSPENDED, False)],
    Sanction.Status.UNKNOWN: [],
}


def make_sanction(
    target, *, imposing_country="CN", announced="2021-03-26", answers=(), status=Sanction.Status.ACTIVE, **fields
):
    """A sanction on `target`, answering each sanction or event in `answers` (one, or a list), with a
    status log that gives it `status`: imposed on the day announced, then lifted or suspended on a
    date not known."""
    key = "target_person" if isinstance(target, Person) else "target_organization"
    date = FuzzyDate.parse(announced).as_fields("announced")
    sanction = Sanction.objects.create(imposing_country=imposing_country, **{key: target}, **date, **fields)
    for change, on_announcement in LOG_FOR_STATUS[status]:
        record_status(sanction, change, announced if on_announcement else None)
    for answered in answers if isinstance(answers, (list, tuple)) else [answers]:
        answer(sanction, answered)
    return sanction


def record_status(sanction, change, date=None, *, quote=None, citation=None):
    """An entry of `sanction`'s status log, backed by `citation` or a new one of `quote`."""
    citation = citation or cite(sanction, quote or f"The sanction was {change} as reported ({next(_numbers)}).")
    return StatusChange.objects.create(
        sanction=sanction, change=change, citation=citation, **FuzzyDate.parse(date).as_fields("date")
    )


def answer(sanction, answered):
    """Records that `sanction` answers `answered`, a sanction or an event."""
    key = "answers_sanction" if isinstance(answered, Sanction) else "answers_event"
    return SanctionResponse.objects.create(sanction=sanction, **{key: answered})


def claim(record, name, *, basis="inferred", reasoning="", outside_source="", citations=(), **target):
    """A ClaimBasis of `record`'s claim `name`, resting on `citations`; an inferred one gets a
    reasoning unless given one."""
    link = {Event: "event", Participation: "participation", Sanction: "sanction", Office: "office",
            EventRelation: "event_relation", SanctionResponse: "sanction_response"}[type(record)]
    if basis == "inferred" and not reasoning:
        reasoning = f"The {name} follows from what the documents say."
    basis_row = ClaimBasis.objects.create(
        claim=name, basis=basis, reasoning=reasoning, outside_source=outside_source, **{link: record}
    )
    basis_row.citations.set(citations)
    return basis_row
