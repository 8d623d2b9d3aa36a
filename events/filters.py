"""How the public lists are filtered and paged: one FilterSet each for the timeline and the sanctions
list, and one form each for the two ways of paging, together the single definition of what every
GET parameter means, what makes it invalid, and how to say it in plain English."""

import functools
import hashlib
import re
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet, Value
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django_filters.constants import EMPTY_VALUES

from diplo.views import BadAddress

from . import addresses, caching, names, paging, search
from .dates import FuzzyDate, describe_range
from .models import Event, Organization, Person, Sanction, country_choices, country_name
from .names import PREFIX_LETTERS, typed_words
from .paging import NEWEST, OLDEST, topic_tree

# A search's words make one full-text query; the bound keeps that query small.
MAX_SEARCH_WORDS = 10
# A search's own order (?sort=relevance); the date orders are SORTS, below.
RELEVANCE = "relevance"
# The most people and organizations one actor filter may stand for.
MAX_ACTORS = 50
# The actor fields suggest every name while there are at most this many; beyond that the list
# would outweigh the page, and names are typed instead.
MAX_SUGGESTED_NAMES = 1000
SUGGESTED_NAMES_SECONDS = 300
# A name that matches nobody is answered with at most this many of the closest names, chosen from
# at most four times this many candidates (by name and by alias, of people and of organizations).
CLOSE_NAMES = 5
CLOSE_NAME_CANDIDATES = 100
# What the site's links give as an actor: a slug ("david-lammy"), never a typed name with spaces.
SLUG_FORM = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


@dataclass(frozen=True)
class Actors:
    """What a typed name turned out to mean: the people and organizations it matches and, when
    it matches nobody, the people and organizations whose names are closest to it."""

    text: str
    people: list
    organizations: list
    closest: list = field(default_factory=list)

    @property
    def names(self):
        return [str(actor) for actor in self.matched]

    @property
    def matched(self):
        return [*self.people, *self.organizations]

    @property
    def nobody(self):
        return not self.matched

    @property
    def several(self):
        return len(self.matched) > 1


@dataclass(frozen=True)
class PartialDate:
    text: str
    date: FuzzyDate

    @property
    def first(self):
        return self.date.earliest

    @property
    def last(self):
        return self.date.latest


class ActorField(forms.CharField):
    """A slug, name or alias, cleaned to the people and organizations it names.

    Exact matches (ignoring case) win. Only when there are none do whole words count, each typed
    word (honorifics aside: "Mr Xi") a word of one name or alias: "Xi" finds Xi Jinping, not Ding
    Xuexiang. Only when no name has them all may the last word be the start of one, as it is typed
    ("Lamm"). A name that matches nobody is an answer too, with the closest names beside it.
    A text that names too many to list is refused, as a filter by all of them would be.
    """

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        people, organizations = self.matches(text)
        if len(people) + len(organizations) > MAX_ACTORS:
            raise ValidationError(
                "“%(text)s” fits more than %(most)s people and organizations. "
                "Type more of the name, or the name at the end of their page's address.",
                code="too_many_actors",
                params={"text": text, "most": MAX_ACTORS},
            )
        closest = [] if people or organizations else self.closest(text)
        return Actors(text, people, organizations, closest)

    @staticmethod
    def exact(text):
        """Querysets of the people and organizations whose slug, name or an alias is `text`."""
        return [Person.objects.called(text), Organization.objects.called(text)]

    @staticmethod
    def by_words(text):
        """Querysets of the people and organizations `text` names by words, from the surest to the
        least: its whole words, then its words with the last perhaps unfinished."""
        words = typed_words(text)
        if not words:
            return []
        return [
            [
                Person.objects.called_by_words(words, last_may_begin_a_word=prefix),
                Organization.objects.called_by_words(words, last_may_begin_a_word=prefix),
            ]
            for prefix in ((False, True) if len(words[-1]) >= PREFIX_LETTERS else (False,))
        ]

    @staticmethod
    def matches(text):
        """The people and organizations (people first) of the surest tier that finds anyone: `text` as
        an exact name (ActorField.exact), then by its words (by_words).

        A text in the form of a slug, as every link on the site gives it ("david-lammy"), is looked
        up exactly alone first: a few index lookups, where reading the tiers of words too took most
        of a rare actor's page's SQL, and building their queries most of its Python. Only if nobody
        has it are the words' tiers made and read. Typed text reads every tier in one query, so that
        a name typed by words costs the page one query: a UNION of each tier's, each row marked with
        its tier and the surest first. (A guard in SQL that the tiers before found nobody made the
        query too long for Django to write quickly.)
        """
        exact = ActorField.exact(text)
        if SLUG_FORM.fullmatch(text):
            people, organizations = ActorField.surest(exact)
            if people or organizations:
                return people, organizations
            words = ActorField.by_words(text)
            return ActorField.surest(*words) if words else ([], [])
        return ActorField.surest(exact, *ActorField.by_words(text))

    @staticmethod
    def surest(*tiers):
        """The people and organizations (people first) of the first of `tiers` that finds anyone, in one query."""
        fields = ("tier", "actor_kind", "pk", "name", "slug", "honorific", "sort_key")
        parts = []
        for tier, querysets in enumerate(tiers):
            for queryset in querysets:
                if queryset.model is Person:
                    queryset = queryset.annotate(actor_kind=Value("person"), sort_key=F("sort_name"))
                else:
                    queryset = queryset.annotate(
                        actor_kind=Value("organization"), honorific=Value(""), sort_key=F("name")
                    )
                parts.append(queryset.annotate(tier=Value(tier)).order_by().values_list(*fields))
        rows = parts[0].union(*parts[1:], all=True).order_by("tier", "-actor_kind", "sort_key", "pk")
        found = {"person": [], "organization": []}
        surest = None
        for tier, kind, pk, name, slug, honorific, _ in rows[: MAX_ACTORS + 1]:
            surest = tier if surest is None else surest
            if tier != surest:
                break
            found[kind].append(actor_of(kind, pk, name, slug, honorific))
        return found["person"], found["organization"]

    @staticmethod
    def closest(text):
        """The few people and organizations whose name or an alias is most like `text`, most alike first.

        One query: a UNION of the bounded candidates of people and organizations by name and by
        alias (ActorQuerySet.named_nearly); each is scored by its likeliest name.
        """
        if not typed_words(text):
            return []
        parts = []
        for model in (Person, Organization):
            parts += model.objects.named_nearly(text, CLOSE_NAME_CANDIDATES)
        rows = parts[0].union(*parts[1:], all=True).order_by("-likeness")[: 4 * CLOSE_NAME_CANDIDATES]
        best = {}
        for kind, pk, name, slug, honorific, compared, likeness in rows:
            likeness = max(likeness, names.likeness(text, compared))
            if likeness >= names.LEAST_LIKENESS and likeness > best.get((kind, pk), (0,))[0]:
                best[(kind, pk)] = (likeness, name, slug, honorific)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1].casefold(), item[0]))
        return [
            actor_of(kind, pk, name, slug, honorific)
            for (kind, pk), (_, name, slug, honorific) in ranked[:CLOSE_NAMES]
        ]


def actor_of(kind, pk, name, slug, honorific):
    """The person or organization (kind "person" or "organization") a row of names read: enough to name and link it."""
    if kind == "person":
        return Person(pk=pk, name=name, slug=slug, honorific=honorific)
    return Organization(pk=pk, name=name, slug=slug)


class PartialDateField(forms.CharField):
    """A year, month or day as people type it (dates.ACCEPTED_FORMS), cleaned to the period it names."""

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            date = FuzzyDate.parse(text)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None
        return PartialDate(text, date)


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


class QuickSelect(forms.Select):
    """Django's Select, with the HTML its templates write (select.html, select_option.html,
    attrs.html) written here instead: a template include per option and two per option's attributes
    made the country menu's 250 options some 600 includes, a quarter of a filtered timeline's time."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            parts.extend(
                f'\n  <option value="{conditional_escape(str(option["value"]))}"{attributes(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"  # select_option.html ends in a new line
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # every value in it escaped above


def attributes(attrs):
    """HTML attributes as Django's attrs.html writes them: True as a bare name, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


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
    # Placeholders ("Unnamed Chinese official (1 of 4)") are no names to type.
    people = Person.objects.filter(is_placeholder=False).order_by()
    organizations = Organization.objects.filter(is_placeholder=False).order_by()
    names = people.values_list("name").union(organizations.values_list("name")).order_by("name")
    names = [name for (name,) in names[: MAX_SUGGESTED_NAMES + 1]]
    if len(names) > MAX_SUGGESTED_NAMES:
        return []
    return sorted(names, key=str.casefold)


def all_of(queryset, narrowed):
    """The rows of `queryset` that each queryset of `narrowed` (each `queryset` filtered, or a function
    that makes it) lets through."""
    for rows in narrowed:
        queryset = queryset & made(rows)
    return queryset


def made(rows):
    """`rows`, a queryset, or the queryset a function makes."""
    return rows if isinstance(rows, QuerySet) else rows()


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
        if callable(choices):  # the countries
            choices = choices()
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


def actor_phrase(preposition, actors):
    """"with David Lammy", "with David Alton or David Lammy"; for a name nobody has, "with anyone called “Boris”"."""
    if actors.nobody:
        return format_html("{} anyone called “{}”", preposition, isolated(actors.text))
    return format_html("{} {}", preposition, join_or(actors.names))


def narrowing_links(query, parameter, actors, fields):
    """(actor, address) for each actor a filter could be narrowed to: the several a name matched,
    or the closest to one that matched nobody. Each address is the list's own canonical address
    (`fields` in order) with `parameter` set to the actor's slug and paging started again."""
    if actors is None or not (actors.several or actors.nobody):
        return []
    restart = dict.fromkeys(addresses.PAGING)
    return [
        (actor, "?" + addresses.canonical_query(query, fields, **restart, **{parameter: actor.slug}))
        for actor in (actors.matched if actors.several else actors.closest)
    ]


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# The timeline's orders (paging.NEWEST first by default). A sort added here is offered by the form
# and accepted in the address; the view decides how to read it.
SORTS = [(NEWEST, "Newest first"), (OLDEST, "Oldest first")]
# ?date=unknown: only the events of which nothing is known of the date, which a date range leaves out.
UNKNOWN_DATE = "unknown"

COUNTRIES_LEFT_OUT = (
    "Lists the countries with events among those the other filters leave; any other ISO country "
    "code can be asked for in the address (?country=FR)."
)


class EventFilterForm(FilterForm):
    def clean(self):
        cleaned_data = super().clean()
        date_from, date_to = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if date_from and date_to and date_from.first > date_to.last:
            self.add_error("date_to", f"This is before the “From” date, {date_from.date}.")
        if cleaned_data.get("date") == UNKNOWN_DATE and (date_from or date_to):
            self.add_error(
                "date",
                "Events with no known date can't be in a date range: clear “From” and “To”, or choose any date.",
            )
        return cleaned_data


class EventFilter(django_filters.FilterSet):
    actor = ActorFilter(
        label="Person or organization",
        method="filter_actor",
        max_length=200,
        widget=actor_widget(),
        help_text="A name, a form the documents use (“Mr Lammy”), or whole words of one (“Lammy”).",
    )
    # The two dates, and ?date=, are applied together by filter_queryset.
    date_from = PartialDateFilter(
        label="From",
        method="applied_elsewhere",
        max_length=100,
        help_text="A year, month or day: 2024, October 2024, 18 October 2024 or 18/10/2024 (day first).",
    )
    date_to = PartialDateFilter(
        label="To",
        method="applied_elsewhere",
        max_length=100,
        help_text="As “From”. Events whose date may be in the range are shown too, marked.",
    )
    date = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Events with no known date",
        choices=[(UNKNOWN_DATE, "Only these")],
        method="applied_elsewhere",
        empty_label="Shown unless dates are given",
        error_messages={"invalid_choice": "“%(value)s” is not a choice here: leave it empty, or ask for “unknown”."},
    )
    topic = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Topic",
        choices=[],  # the topic tree, set for each request in __init__
        method="filter_topic",
        empty_label="Any topic",
        error_messages={"invalid_choice": "There is no topic “%(value)s”."},
    )
    kind = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Kind of event",
        choices=Event.Kind.choices,
        empty_label="Any kind",
        error_messages={"invalid_choice": "“%(value)s” is not a kind of event this archive records."},
    )
    country = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Country",
        choices=country_choices,
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
    # Only a search has a relevance; without one the timeline is in date order, newest first.
    sort = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Order",
        choices=[(RELEVANCE, "Most relevant first (with words to search for)"), *SORTS],
        method="applied_elsewhere",
        empty_label="Most relevant first for a search, else newest first",
        error_messages={"invalid_choice": "“%(value)s” is not an order the timeline can be shown in."},
    )

    class Meta:
        model = Event
        fields = []
        form = EventFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One query for the topic tree (none while it is kept) serves the menu, the check of a
        # chosen slug and its subtopics.
        self.topics = topic_tree()
        # Em spaces survive in an <option>'s text, where ordinary spaces are collapsed.
        self.filters["topic"].extra["choices"] = [
            (topic.slug, "\u2003" * topic.depth + topic.name) for topic in self.topics
        ]
        # A form field built before (the API's schema reads the class's filters) would keep the empty menu.
        self.filters["topic"].__dict__.pop("_field", None)

    # The filters whose menus show, beside each choice, the events it would give.
    FACETS = ("kind", "country", "topic")

    # Applied together, after the others, by filter_queryset; the sort narrows nothing.
    APPLIED_TOGETHER = ("date_from", "date_to", "date", "sort")

    def filter_queryset(self, queryset):
        """The events every filter given lets through: each filter narrows the whole list on its own,
        once (`narrowed`, the dates together as "dates"), and the list is what they all let through,
        so the facet counts can combine all but one of them without filtering again. `without_dates`
        is what the other filters let through, whose events with no known date are counted as left out."""
        self.narrowed = {
            name: self.filters[name].filter(queryset, value)
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES and name not in self.APPLIED_TOGETHER
        }
        self.without_dates = all_of(queryset, self.narrowed.values())
        if self.form.cleaned_data.get("date") == UNKNOWN_DATE:
            self.narrowed["dates"] = queryset.without_known_date()
            return self.without_dates.without_known_date()
        if self.has_date_range():
            # Made only where the facet counts or the chart count it: building its conditions was a
            # tenth of a date filter's page.
            self.narrowed["dates"] = functools.partial(queryset.overlapping, *self.date_range())
            return self.without_dates.overlapping(*self.date_range())
        return self.without_dates

    def counts_key(self, sorted_too=False):
        """A key for what the filters in use count (the chart, the facet counts): the same for the same
        filters however given, in whatever order, on any page and, unless `sorted_too`, in any sort."""
        fields = [name for name in self.base_filters if name != "sort" or sorted_too]
        others = dict.fromkeys([*addresses.PAGING, *(name for name in self.form.data if name not in fields)])
        return hashlib.sha256(addresses.canonical_query(self.form.data, fields, **others).encode()).hexdigest()

    def qs_read_whole(self):
        """The filtered events (qs), in the form that reads every one soonest: for the chart, which counts
        them all, where the page reads a few. The links as sets (EventQuerySet.read_whole), the country
        as in_country_read_whole."""
        self.qs  # noqa: B018 (fills `narrowed`)
        narrowed = {name: made(rows).read_whole() for name, rows in self.narrowed.items()}
        if "country" in narrowed:
            narrowed["country"] = self.queryset.in_country_read_whole(self.form.cleaned_data["country"])
        return all_of(self.queryset, narrowed.values())

    def facet_counts(self):
        """{facet: {choice: paging.FacetCount, or None where no count could be made quickly}}: for each
        choice of each facet, the events it would give with the other filters as they are. One query
        at most, none for what is cached (paging.facet_counts)."""
        self.qs  # noqa: B018 (fills `narrowed`)
        narrowed = dict(self.narrowed)
        if "country" in narrowed:
            # The same events, as a set read once (EventQuerySet.in_country_as_a_set and in_country_read_whole
            # say why).
            narrowed["country"] = self.queryset.in_country_read_whole(self.form.cleaned_data["country"])
        others = {facet: [rows for name, rows in narrowed.items() if name != facet] for facet in self.FACETS}
        unfiltered = [facet for facet in self.FACETS if not others[facet]]
        found = {}
        if "topic" in unfiltered:
            # The whole archive's topic counts are the topic list's, so the menu and the list agree.
            counts, _ = paging.topic_event_counts()
            found["topic"] = {topic.slug: paging.bounded(counts.get(topic.pk, (0, 0))[0]) for topic in self.topics}
        # Made only where counted: where the counts are kept, building the querysets was a tenth of a filtered page.
        events = {facet: functools.partial(all_of, self.queryset, others[facet]) for facet in self.FACETS if facet not in found}
        choices = {"kind": Event.Kind.values, "country": [code for code, _ in country_choices()], "topic": [topic.slug for topic in self.topics]}
        found |= paging.facet_counts(events, choices, self.topic_family_pks, unfiltered, filters=self.counts_key())
        return found

    def topic_family_pks(self):
        """{slug: pks of the topic and every topic under it}, which paging.facet_counts asks for only to count."""
        return {topic.slug: [below.pk for below in topic.with_descendants(among=self.topics)] for topic in self.topics}

    def show_facet_counts(self):
        """Puts the facet counts into the labels of the kind, country and topic menus: "Meeting (12)".
        Where some choices go without a count, the first of the menus says why (`facet_note`)."""
        counts = self.facet_counts()
        self.facet_note = None
        left_out = {code for code, _ in country_choices() if self.leaves_out_country(code, counts.get("country"))}
        for facet in self.FACETS:
            field = self.form.fields[facet]
            field.choices = [
                (value, f"{label} ({counts[facet][value]})" if counts.get(facet, {}).get(value) else label)
                for value, label in field.choices
                if value != ""  # the "Any ..." choice, which the field puts first itself
                and not (facet == "country" and value in left_out)
            ]
        if left_out:
            self.form.fields["country"].help_text = self.form["country"].help_text = COUNTRIES_LEFT_OUT
        if any(count is None for facet in self.FACETS for count in counts.get(facet, {}).values()):
            self.facet_note = paging.facet_sample_note()
            first = next(name for name in self.form.fields if name in self.FACETS)
            # The bound field copied its field's help text when the form was first read.
            self.form.fields[first].help_text = self.form[first].help_text = self.facet_note

    def leaves_out_country(self, code, counts):
        """Whether the country menu leaves `code` out: a country the counts prove gives no event here
        (not the chosen one). Of some 250 countries the archive names a few; a menu of every one
        would bury them."""
        count = counts.get(code) if counts is not None else None
        return count is not None and count.number == 0 and not count.more and code != self.form.cleaned_data.get("country")

    def chosen_topic(self):
        slug = self.form.cleaned_data.get("topic")
        return next((topic for topic in self.topics if topic.slug == slug), None) if slug else None

    def filter_actor(self, queryset, name, actors):
        if actors.nobody:
            return queryset.none()
        return queryset.involving(people=actors.people, organizations=actors.organizations)

    def applied_elsewhere(self, queryset, name, value):
        return queryset

    def has_date_range(self):
        return bool(self.form.cleaned_data.get("date_from") or self.form.cleaned_data.get("date_to"))

    def date_range(self):
        """(first, last): the first and last days of the date range; None for a side not given."""
        date_from, date_to = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        return (date_from.first if date_from else None), (date_to.last if date_to else None)

    def date_range_ends(self):
        """(start, end): the FuzzyDates typed as “From” and “To”, None where not given."""
        date_from, date_to = self.form.cleaned_data.get("date_from"), self.form.cleaned_data.get("date_to")
        return (date_from.date if date_from else None), (date_to.date if date_to else None)

    def timeline_parts(self):
        """The filtered events as EventQuerySet.timeline_parts splits them, to be paged."""
        if self.has_date_range():
            self.qs  # noqa: B018 (filters the events, keeping those before the dates in without_dates)
            return self.without_dates.timeline_parts(*self.date_range())
        return self.qs.timeline_parts()

    def filter_topic(self, queryset, name, slug):
        return queryset.about(self.chosen_topic().with_descendants(among=self.topics))

    def filter_country(self, queryset, name, code):
        return queryset.in_country(code)

    def filter_text(self, queryset, name, text):
        return queryset.search(self.search_query())

    def search_query(self):
        """The parsed search (search.Query), or None without one."""
        text = self.form.cleaned_data.get("q")
        return search.parse(text) if text else None

    def order(self):
        """How the page is sorted: RELEVANCE by default for a search, else the date order."""
        chosen = self.form.cleaned_data.get("sort")
        if chosen == RELEVANCE and not self.form.cleaned_data.get("q"):
            return NEWEST  # nothing to be relevant to
        return chosen or (RELEVANCE if self.form.cleaned_data.get("q") else NEWEST)

    def describe(self):
        """What the list is filtered by, as phrases to follow its count: ["about Human rights", ...].

        A phrase that holds a name or a typed word is HTML, the value isolated in a <bdi>.
        """
        data = self.form.cleaned_data
        phrases = []
        if data.get("topic"):
            phrases.append(format_html("about {}", isolated(self.chosen_topic().name)))
        if data.get("actor"):
            phrases.append(actor_phrase("with", data["actor"]))
        if data.get("kind"):
            phrases.append(f"of the kind “{Event.Kind(data['kind']).label}”")
        if data.get("country"):
            phrases.append(f"in or involving {country_name(data['country'])}")
        if self.has_date_range():
            phrases.append(describe_range(*self.date_range_ends()))
        if data.get("date") == UNKNOWN_DATE:
            phrases.append("with no known date")
        if data.get("q"):
            phrases.append(format_html("matching “{}”", isolated(data["q"])))
        return phrases


class SanctionFilter(django_filters.FilterSet):
    imposing_country = django_filters.ChoiceFilter(
        widget=QuickSelect,
        label="Imposed by",
        choices=country_choices,
        empty_label="Any country",
        error_messages={"invalid_choice": "“%(value)s” is not a country this archive records."},
    )
    target = ActorFilter(
        label="Target",
        method="filter_target",
        max_length=200,
        widget=actor_widget(),
        help_text="A person or organization: a name, a form the documents use, or whole words of one.",
    )
    status = django_filters.ChoiceFilter(
        widget=QuickSelect,
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
        if actors.nobody:
            return queryset.none()
        return queryset.targeting(people=actors.people, organizations=actors.organizations)

    def filter_year(self, queryset, name, year):
        return queryset.announced_during(year)

    def describe(self):
        data = self.form.cleaned_data
        phrases = []
        if data.get("imposing_country"):
            phrases.append(f"imposed by {country_name(data['imposing_country'])}")
        if data.get("target"):
            phrases.append(actor_phrase("on", data["target"]))
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


class SortForm(forms.Form):
    """?sort= of a list of events without a filter form: a topic's events."""

    sort = forms.ChoiceField(
        choices=SORTS,
        required=False,
        error_messages={"invalid_choice": "The order in the address (?sort=) should be “newest” or “oldest”."},
    )


def paging_of(form):
    """The form's cleaned data; a bad value is a BadAddress, whose message the 400 page shows."""
    if not form.is_valid():
        raise BadAddress(next(message for messages in form.errors.values() for message in messages))
    return form.cleaned_data


def page_number(query):
    """The page a list paged by number is asked for: ?page=, 1 if absent."""
    return paging_of(PageNumberForm(query))["page"]


def unnamed_asked_for(query):
    """?unnamed=1 of the people and organizations lists: only those the documents mention without naming."""
    unnamed = query.get("unnamed", "")
    if unnamed not in ("", "1"):
        raise BadAddress("“unnamed” takes 1, to list those not named in the documents, or nothing.")
    return bool(unnamed)


def sort_order(query):
    """The order a list of events is asked for: ?sort=, newest first if absent."""
    return paging_of(SortForm(query))["sort"] or NEWEST


def place_in_timeline(query):
    """(after, before): the numbers of the events a page of the timeline starts after or ends before, or None."""
    paging = paging_of(PlaceInTimelineForm(query))
    return paging["after"], paging["before"]
