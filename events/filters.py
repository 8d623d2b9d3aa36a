"""How the public lists are filtered and paged: one FilterSet each for the timeline and the sanctions
list, and one form each for the two ways of paging, together the single definition of what every
GET parameter means, what makes it invalid, and how to say it in plain English."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Q, Value
from django.utils.html import format_html, format_html_join
from django_filters.constants import EMPTY_VALUES

from diplo.views import BadAddress

from . import addresses, caching, paging, search
from .dates import parse_partial_date
from .models import Country, Event, Organization, Participation, Person, Sanction, Topic

# A search's words make one full-text query; the bound keeps that query small.
MAX_SEARCH_WORDS = 10
# The most people and organizations one actor filter may stand for.
MAX_ACTORS = 50
# The actor fields suggest every name while there are at most this many; beyond that the list
# would outweigh the page, and names are typed instead.
MAX_SUGGESTED_NAMES = 1000
SUGGESTED_NAMES_SECONDS = 300


@dataclass(frozen=True)
class Actors:
    """What a typed name turned out to mean: the people and organizations it matches."""

    text: str
    people: list
    organizations: list

    @property
    def names(self):
        return [str(actor) for actor in [*self.people, *self.organizations]]


@dataclass(frozen=True)
class PartialDate:
    text: str
    first: object
    last: object


class ActorField(forms.CharField):
    """A slug, name or alias, cleaned to the people and organizations it names.

    Exact matches (ignoring case) win; only when there are none does a name containing
    the text count, so "Lammy" finds David Lammy but "Wang Yi" doesn't also find Wang Yiwei.
    A text that names too many to list is refused, as a filter by all of them would be.
    """

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        exact = [Person.objects.called(text), Organization.objects.called(text)]
        # Names containing the text count only where none is exactly it: the database tests that once.
        none_exact = [~Exists(queryset) for queryset in exact]
        like = [
            Person.objects.filter(*none_exact).called_something_like(text),
            Organization.objects.filter(*none_exact).called_something_like(text),
        ]
        people, organizations = self.matches(exact + like)
        if not people and not organizations:
            raise ValidationError(
                "No person or organization called “%(text)s”.", code="unknown_actor", params={"text": text}
            )
        if len(people) + len(organizations) > MAX_ACTORS:
            raise ValidationError(
                "“%(text)s” fits more than %(most)s people and organizations. "
                "Type more of the name, or the name at the end of their page's address.",
                code="too_many_actors",
                params={"text": text, "most": MAX_ACTORS},
            )
        return Actors(text, people, organizations)

    @staticmethod
    def matches(querysets):
        """The people and organizations of these querysets (people first), read in one query: a UNION."""
        fields = ("actor_kind", "pk", "name", "slug", "honorific", "sort_key")
        parts = []
        for queryset in querysets:
            if queryset.model is Person:
                queryset = queryset.annotate(actor_kind=Value("person"), sort_key=F("sort_name"))
            else:
                queryset = queryset.annotate(actor_kind=Value("organization"), honorific=Value(""), sort_key=F("name"))
            parts.append(queryset.order_by().values_list(*fields))
        rows = parts[0].union(*parts[1:], all=True).order_by("-actor_kind", "sort_key", "pk")[: MAX_ACTORS + 1]
        found = {"person": [], "organization": []}
        for kind, pk, name, slug, honorific, _ in rows:
            if kind == "person":
                found[kind].append(Person(pk=pk, name=name, slug=slug, honorific=honorific))
            else:
                found[kind].append(Organization(pk=pk, name=name, slug=slug))
        return found["person"], found["organization"]


class PartialDateField(forms.CharField):
    """YYYY, YYYY-MM or YYYY-MM-DD, cleaned to the first and last day it covers."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            first, last = parse_partial_date(text)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
        return PartialDate(text, first, last)


def at_most_a_few_words(text):
    if len(text.split()) > MAX_SEARCH_WORDS:
        raise ValidationError(f"Search for at most {MAX_SEARCH_WORDS} words.", code="too_many_words")
    if not search.words(text):
        raise ValidationError("Search for a word: letters or digits.", code="no_words")


class ActorFilter(django_filters.Filter):
    field_class = ActorField


class PartialDateFilter(django_filters.Filter):
    field_class = PartialDateField


class YearFilter(django_filters.Filter):
    field_class = forms.IntegerField


def actor_widget():
    # The datalist itself is in the page: templates/_actor_names.html.
    return forms.TextInput(attrs={"list": "actor-names", "autocomplete": "off"})


def actor_names():
    """Every person's and organization's name, for the actor fields' suggestions; none if there are too many.

    Kept in the cache for a few minutes, and forgotten when a name is saved: every filtered page
    shows them.
    """
    return caching.kept("actor-names", [str], read_actor_names, SUGGESTED_NAMES_SECONDS)


def forget_actor_names(**kwargs):
    """Connected in apps.py: a person, organization or alias saved or deleted changes the names."""
    caching.forget("actor-names")


def read_actor_names():
    people, organizations = Person.objects.order_by(), Organization.objects.order_by()
    names = people.values_list("name").union(organizations.values_list("name")).order_by("name")
    names = [name for (name,) in names[: MAX_SUGGESTED_NAMES + 1]]
    if len(names) > MAX_SUGGESTED_NAMES:
        return []
    return sorted(names, key=str.casefold)


def all_of(queryset, narrowed):
    """The rows of `queryset` that each queryset of `narrowed` (each `queryset` filtered) lets through."""
    for rows in narrowed:
        queryset = queryset & rows
    return queryset


# The facet counts' conditions test membership in a set the database reads once (a hashed or
# materialised IN), not a subquery run for each event: a rare choice's count reads every event
# the other filters let through, and a correlated subquery for each of them made the whole
# archive's country counts take 20 s at 100,000 events on PostgreSQL.


def tagged_with_any(topics):
    """A condition on events: tagged with one of `topics`."""
    links = Event.topics.through.objects.filter(topic__in=[topic.pk for topic in topics])
    return Q(pk__in=links.values("event_id"))


def from_country(code):
    """A condition on events: in the country `code` or with a participant from it (as EventQuerySet.in_country)."""
    people = Participation.objects.filter(person__in=Person.objects.filter(country=code).values("pk"))
    organizations = Participation.objects.filter(
        organization__in=Organization.objects.filter(country=code).values("pk")
    )
    return Q(country=code) | Q(pk__in=people.values("event_id")) | Q(pk__in=organizations.values("event_id"))


@dataclass(frozen=True)
class Chip:
    """A filter in use, shown above the results as a link to the same list without it."""

    label: str  # "Topic: Human rights"
    url: str


def chips(filterset, request):
    """The filters in use on a valid FilterSet, in the form's order, each as a Chip."""
    form, fields = filterset.form, list(filterset.base_filters)
    found = []
    for name in fields:
        value = form.cleaned_data.get(name)
        if value in EMPTY_VALUES:
            continue
        choices = filterset.filters[name].extra.get("choices")
        if choices:
            # The choice's own label: the menu's may carry a count, or a topic's indent.
            text = str(dict(choices).get(value, value)).strip("\u2003 ")
        else:
            text = form.data.get(name, "").strip()  # as typed: what the visitor will recognise
        without = dict.fromkeys([name, *addresses.PAGING])
        found.append(Chip(f"{form.fields[name].label}: {text}", addresses.canonical_url(request.path, request.GET, fields, **without)))
    return found


def isolated(text):
    """`text`, a record's or a visitor's, in a <bdi>: a right-to-left mark in it cannot reorder the words around it."""
    return format_html("<bdi>{}</bdi>", text)


def join_or(names):
    """The names as "A, B or C", each isolated."""
    *others, last = [isolated(name) for name in names]
    if not others:
        return last
    return format_html("{} or {}", format_html_join(", ", "{}", ((name,) for name in others)), last)


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class EventFilterForm(FilterForm):
    def clean(self):
        cleaned_data = super().clean()
        date_from, date_to = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if date_from and date_to and date_from.first > date_to.last:
            self.add_error("date_to", f"This is before the “From” date, {date_from.text}.")
        return cleaned_data


class EventFilter(django_filters.FilterSet):
    actor = ActorFilter(
        label="Person or organization",
        method="filter_actor",
        max_length=200,
        widget=actor_widget(),
        help_text="A name, a form the documents use (“Mr Lammy”), or part of one.",
    )
    date_from = PartialDateFilter(
        label="From", method="filter_date_from", max_length=10, help_text="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    date_to = PartialDateFilter(
        label="To", method="filter_date_to", max_length=10, help_text="YYYY, YYYY-MM or YYYY-MM-DD"
    )
    topic = django_filters.ChoiceFilter(
        label="Topic",
        choices=[],  # the topic tree, set for each request in __init__
        method="filter_topic",
        empty_label="Any topic",
        error_messages={"invalid_choice": "There is no topic “%(value)s”."},
    )
    kind = django_filters.ChoiceFilter(
        label="Kind of event",
        choices=Event.Kind.choices,
        empty_label="Any kind",
        error_messages={"invalid_choice": "“%(value)s” is not a kind of event this archive records."},
    )
    country = django_filters.ChoiceFilter(
        label="Country",
        choices=Country.choices,
        method="filter_country",
        empty_label="Any country",
        error_messages={"invalid_choice": "“%(value)s” is not a country this archive records."},
    )
    q = django_filters.CharFilter(
        label="Words",
        method="filter_text",
        max_length=200,
        validators=[at_most_a_few_words],
        help_text="Found in titles, summaries, places and quotes.",
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the topic tree serves the menu, the check of a chosen slug and its subtopics.
        self.topics = Topic.objects.in_tree_order()
        # Em spaces survive in an <option>'s text, where ordinary spaces are collapsed.
        self.filters["topic"].extra["choices"] = [
            (topic.slug, "\u2003" * topic.depth + topic.name) for topic in self.topics
        ]

    # The filters whose menus show, beside each choice, the events it would give.
    FACETS = ("kind", "country", "topic")

    def filter_queryset(self, queryset):
        """The events every filter given lets through: each filter narrows the whole list on its own,
        once (`narrowed`), and the list is what they all let through, so the facet counts can
        combine all but one of them without filtering again."""
        self.narrowed = {
            name: self.filters[name].filter(queryset, value)
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }
        return all_of(queryset, self.narrowed.values())

    def facet_counts(self):
        """{facet: {choice: paging.FacetCount}}: for each choice of each facet, the events it would
        give with the other filters as they are. One query at most, none for what is cached."""
        self.qs  # noqa: B018 (fills `narrowed`)
        narrowed = dict(self.narrowed)
        if "country" in narrowed:
            # The same events, as a set read once: the filter's correlated EXISTS, run for every event
            # a rare choice reads, made the other menus take 13-20 s on PostgreSQL (bench/RESULTS.md).
            narrowed["country"] = self.queryset.filter(from_country(self.form.cleaned_data["country"]))
        others = {facet: [rows for name, rows in narrowed.items() if name != facet] for facet in self.FACETS}
        unfiltered = [facet for facet in self.FACETS if not others[facet]]
        found = {}
        if "topic" in unfiltered:
            # The whole archive's topic counts are the topic list's, so the menu and the list agree.
            counts, _ = paging.topic_event_counts()
            found["topic"] = {topic.slug: paging.bounded(counts.get(topic.pk, (0, 0))[0]) for topic in self.topics}
        events = {facet: all_of(self.queryset, rows) for facet, rows in others.items()}
        choices = {
            "kind": {kind: events["kind"].filter(kind=kind) for kind in Event.Kind.values},
            "country": {code: events["country"].filter(from_country(code)) for code in Country.values},
            "topic": {
                topic.slug: events["topic"].filter(tagged_with_any(topic.with_descendants(among=self.topics)))
                for topic in self.topics
            },
        }
        to_count = {facet: rows for facet, rows in choices.items() if facet not in found}
        found |= paging.facet_counts(to_count, [facet for facet in unfiltered if facet in to_count])
        return found

    def show_facet_counts(self):
        """Puts the facet counts into the labels of the kind, country and topic menus: "Meeting (12)"."""
        counts = self.facet_counts()
        for facet in self.FACETS:
            field = self.form.fields[facet]
            field.choices = [
                (value, f"{label} ({counts[facet][value]})" if value in counts.get(facet, {}) else label)
                for value, label in field.choices
                if value != ""  # the "Any ..." choice, which the field puts first itself
            ]

    def chosen_topic(self):
        slug = self.form.cleaned_data.get("topic")
        return next((topic for topic in self.topics if topic.slug == slug), None) if slug else None

    def filter_actor(self, queryset, name, actors):
        return queryset.involving(people=actors.people, organizations=actors.organizations)

    def filter_date_from(self, queryset, name, date):
        return queryset.overlapping(first=date.first)

    def filter_date_to(self, queryset, name, date):
        return queryset.overlapping(last=date.last)

    def filter_topic(self, queryset, name, slug):
        return queryset.about(self.chosen_topic().with_descendants(among=self.topics))

    def filter_country(self, queryset, name, code):
        return queryset.in_country(code)

    def filter_text(self, queryset, name, text):
        return queryset.search(text)

    def describe(self):
        """What the list is filtered by, as phrases to follow its count: ["about Human rights", ...].

        A phrase that holds a name or a typed word is HTML, the value isolated in a <bdi>.
        """
        data = self.form.cleaned_data
        phrases = []
        if data.get("topic"):
            phrases.append(format_html("about {}", isolated(self.chosen_topic().name)))
        if data.get("actor"):
            phrases.append(format_html("with {}", join_or(data["actor"].names)))
        if data.get("kind"):
            phrases.append(f"of the kind “{Event.Kind(data['kind']).label}”")
        if data.get("country"):
            phrases.append(f"in or involving {Country(data['country']).label}")
        date_from, date_to = data.get("date_from"), data.get("date_to")
        if date_from and date_to:
            phrases.append(f"from {date_from.text} to {date_to.text}")
        elif date_from:
            phrases.append(f"from {date_from.text}")
        elif date_to:
            phrases.append(f"up to {date_to.text}")
        if data.get("q"):
            phrases.append(format_html("matching “{}”", isolated(data["q"])))
        return phrases


class SanctionFilter(django_filters.FilterSet):
    imposing_country = django_filters.ChoiceFilter(
        label="Imposed by",
        choices=Country.choices,
        empty_label="Any country",
        error_messages={"invalid_choice": "“%(value)s” is not a country this archive records."},
    )
    target = ActorFilter(
        label="Target",
        method="filter_target",
        max_length=200,
        widget=actor_widget(),
        help_text="A person or organization: a name, a form the documents use, or part of one.",
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=Sanction.Status.choices,
        empty_label="Any status",
        error_messages={"invalid_choice": "“%(value)s” is not a status a sanction can have."},
    )
    year = YearFilter(
        label="Announced in",
        method="filter_year",
        min_value=1900,
        max_value=2100,
        help_text="A year: YYYY",
        # A text box, not type=number: it must be able to show back whatever was typed.
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": "Enter a year as four digits: YYYY."},
    )

    class Meta:
        model = Sanction
        fields = []
        form = FilterForm

    def filter_target(self, queryset, name, actors):
        return queryset.targeting(people=actors.people, organizations=actors.organizations)

    def filter_year(self, queryset, name, year):
        return queryset.announced_during(year)

    def describe(self):
        data = self.form.cleaned_data
        phrases = []
        if data.get("imposing_country"):
            phrases.append(f"imposed by {Country(data['imposing_country']).label}")
        if data.get("target"):
            phrases.append(format_html("on {}", join_or(data["target"].names)))
        if data.get("status"):
            phrases.append(Sanction.Status(data["status"]).label.lower())
        if data.get("year") is not None:
            phrases.append(f"announced in {data['year']}")
        return phrases


# Paging. Its parameters are not fields of a filter form: a new filter starts at the first page.


class PageNumberField(forms.Field):
    """A page number, read as the paginator always read it (int()); absent, the first page."""

    default_error_messages = {"invalid": "The page number in the address should be a whole number, like ?page=2."}

    def clean(self, value):
        if value is None:
            return 1
        try:
            return int(value)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class EventNumberField(forms.Field):
    """An event's number as the timeline's page links give it: ASCII digits and nothing else."""

    def __init__(self, parameter, **kwargs):
        super().__init__(required=False, **kwargs)
        self.error_messages["invalid"] = (
            f"The place in the timeline (?{parameter}=) should be an event’s number, as the page links give."
        )

    def clean(self, value):
        # Absent, the timeline starts at its beginning; present, even empty, it must be a number.
        if value is None:
            return None
        # 18 digits fit any database's integer.
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


class PageNumberForm(forms.Form):
    """?page= of a list paged by number: people, organizations, sanctions and sources."""

    page = PageNumberField()


class PlaceInTimelineForm(forms.Form):
    """?after= or ?before=: the event a page of the timeline, or of a topic's events, starts after or ends before."""

    after = EventNumberField("after")
    before = EventNumberField("before")

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("after") is not None and cleaned_data.get("before") is not None:
            raise ValidationError(
                "Ask for the events after one event or before one, not both.", code="after_and_before"
            )
        return cleaned_data


def paging_of(form):
    """The form's cleaned data; a bad value is a BadAddress, whose message the 400 page shows."""
    if not form.is_valid():
        raise BadAddress(next(message for messages in form.errors.values() for message in messages))
    return form.cleaned_data


def page_number(query):
    """The page a list paged by number is asked for: ?page=, 1 if absent."""
    return paging_of(PageNumberForm(query))["page"]


def place_in_timeline(query):
    """(after, before): the numbers of the events a page of the timeline starts after or ends before, or None."""
    paging = paging_of(PlaceInTimelineForm(query))
    return paging["after"], paging["before"]
