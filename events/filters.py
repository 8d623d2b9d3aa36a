"""How the public lists are filtered and paged: one FilterSet each for the timeline and the sanctions
list, and one form each for the two ways of paging, together the single definition of what every
GET parameter means, what makes it invalid, and how to say it in plain English."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, Value
from django.utils.html import format_html, format_html_join

from diplo.views import BadAddress

from . import caching, search
from .dates import parse_partial_date
from .models import Country, Event, Organization, Person, Sanction, Topic

# A search's words make one full-text query; the bound keeps that query small.
MAX_SEARCH_WORDS = 10
# The orders the timeline can be shown in (?sort=).
RELEVANCE, OLDEST = "relevance", "oldest"
SORTS = [(RELEVANCE, "Most relevant first (with words to search for)"), (OLDEST, "Oldest first")]
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
    try:
        search.parse(text)
    except search.SearchError as error:
        raise ValidationError(str(error), code="no_words") from None


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
        help_text="Found in titles, summaries, places and quotes, in any form (“sanctioned” finds “sanctions”) "
        "and any spelling editors list (“Uyghur” finds “Uighur”). “Quoted words” as a phrase; -word to leave out.",
    )
    # Only a search has a relevance; without one the timeline is in date order.
    sort = django_filters.ChoiceFilter(
        label="Order",
        choices=SORTS,
        method="filter_sort",
        empty_label="Most relevant first for a search, else by date",
        error_messages={"invalid_choice": "“%(value)s” is not an order the timeline can be shown in."},
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
        return queryset.search(self.search_query())

    def filter_sort(self, queryset, name, value):
        return queryset  # the order is the page's to apply: see `order` and paging.timeline_page

    def search_query(self):
        """The parsed search (search.Query), or None without one."""
        text = self.form.cleaned_data.get("q")
        return search.parse(text) if text else None

    def order(self):
        """How the page is sorted: RELEVANCE by default for a search, else the date order."""
        chosen = self.form.cleaned_data.get("sort")
        if chosen == RELEVANCE and not self.form.cleaned_data.get("q"):
            return OLDEST  # nothing to be relevant to
        return chosen or (RELEVANCE if self.form.cleaned_data.get("q") else OLDEST)

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
