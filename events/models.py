import datetime
import functools
import operator
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import connections, models, router, transaction
from django.db.models import Count, F, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower
from django.db.models.lookups import Exact, In, IsNull
from django.db.models.sql.where import AND
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.text import get_text_list
from django_countries import countries

from . import search
from .dates import (
    FuzzyDateField,
    Precision,
    clean_fuzzy_dates,
    column_names,
    order_errors,
)
from .history import History
from .names import fts_query, fts_starts, typed_words, words_of
from .text import (
    MINIMUM_QUOTE_WORDS,
    NOT_IN_TEXT,
    NOT_UNIQUE,
    TOO_SHORT,
    NormalizedTextField,
    placement_problem,
    quote_problem,
    typographic_difference,
)


def country_choices():
    """Every ISO 3166-1 country, by its alpha-2 code, and the European Union, which acts here as one
    party (code EU, which ISO reserves for it; added by COUNTRIES_OVERRIDE in the settings).

    A callable, so that migrations name it instead of copying 250 names: choices live in Python,
    not in the database, and a change to them rebuilds no table.
    """
    return list(country_names(translation.get_language()).items())


def country_name(code):
    """The country's name in words ("United Kingdom"), or the code itself if it is none."""
    return country_names(translation.get_language()).get(code) or code


@functools.cache
def country_names(language):
    """{code: name} of every country in `language`. django-countries translates a name on each
    call (0.2 ms), and Django's get_country_display() reads all 250 choices on each (1.6 ms): a
    list of 50 sanctions spent 80 ms naming their countries."""
    with translation.override(language):
        return {code: str(name) for code, name in countries}


# A record page's address, by (URL name, script prefix, URLconf): (before the key, after it).
PAGE_ADDRESSES = {}
KEY = "7391046285"  # a valid slug, and a valid number
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def page_url(name, key):
    """What reverse(name, args=[key]) gives for a page of one record, a slug or a number, without its
    cost each time (some 0.1 ms; an organization with 970 parts spent 100 ms linking them): reversed
    once for the script prefix and URLconf in use, the key put between. A number, or a slug (letters,
    digits, hyphens and underscores), is written by reverse() as it is."""
    if not (type(key) is int or (isinstance(key, str) and SLUG.fullmatch(key))):
        return reverse(name, args=[key])  # which refuses what the page's address pattern would
    around = (name, get_script_prefix(), get_urlconf())
    if around not in PAGE_ADDRESSES:
        PAGE_ADDRESSES[around] = tuple(reverse(name, args=[KEY]).split(KEY))
    before, after = PAGE_ADDRESSES[around]
    return f"{before}{key}{after}"


def shows_country(field):
    """A model's get_<field>_display(), by country_name: Django leaves a method the model defines."""

    def display(self):
        return country_name(getattr(self, field))

    return display


OUTSIDE_FIELDS_HELP = (
    "Names of fields whose values do not come from the seed documents "
    '(for example ["native_name", "country"]). Pages mark them as such.'
)


PLACEHOLDER_HELP = (
    "Ticked for a record standing for someone the documents mention but do not name "
    "(“Unnamed Chinese official (1 of 4)”): lists show it apart, and name suggestions leave it out."
)


def refuse_bad_outside_fields(record):
    """Raises, beside `outside_fields`, unless it is a list of names of `record`'s fields (the
    pages look each one up). Left empty in a form, it is an empty list: the form would send a
    null, which the column cannot hold."""
    if record.outside_fields is None:
        record.outside_fields = []
    names = {field.name for field in record._meta.get_fields()}
    given = record.outside_fields
    if not (isinstance(given, list) and all(isinstance(name, str) and name in names for name in given)):
        raise ValidationError(
            {"outside_fields": 'Give a list of this record\'s field names, such as ["country"], or [] for none.'}
        )


def exactly_one_of(first, second, name, message=None):
    """A check constraint: exactly one of two foreign keys is set."""
    return models.CheckConstraint(
        condition=(Q(**{f"{first}__isnull": False}) & Q(**{f"{second}__isnull": True}))
        | (Q(**{f"{first}__isnull": True}) & Q(**{f"{second}__isnull": False})),
        name=name,
        violation_error_message=message
        or f"Choose exactly one: a {first.replace('_', ' ')} or a {second.replace('_', ' ')}.",
    )


def apostrophe_forms(text):
    """`text` with straight and typographic apostrophes both ways: people type O'Brien, articles print O’Brien."""
    return {text, text.replace("'", "’"), text.replace("’", "'")}


def any_of(conditions):
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


# Links from a record to another of its kind: a topic's or an organization's parent, the sanction
# a sanction answers. The checks below refuse a loop, but a walk along such links never trusts
# that: what was stored before them, or past them, must not keep a page walking forever.

# Trees of topics and organizations are a few levels deep; none may be deeper than this.
MAX_TREE_DEPTH = 20
# Sanctions answer sanctions that answer others; a chain of them is at most this long.
MAX_ANSWER_CHAIN = 100


def chain_from(record, link, limit):
    """`record` and the records its `link` leads to in turn (parent, parent's parent, ...), as
    stored, one query a step: up to the last, to the first met twice (the chain then ends in a
    loop), or to `limit` + 1 records, whichever comes first."""
    model, column = type(record), type(record)._meta.get_field(link).attname
    chain, seen = [record], set()
    following = getattr(record, column)
    while following is not None and len(chain) <= limit:
        seen.add(chain[-1].pk)
        chain.append(model._base_manager.get(pk=following))
        if following in seen:
            break
        following = getattr(chain[-1], column)
    return chain


def loop_in(chain):
    """The part of a `chain_from` that loops: from the record met twice round to it again; or []."""
    pks = [each.pk for each in chain]
    if len(chain) > 1 and pks[-1] in pks[:-1]:
        return chain[pks.index(pks[-1]) :]
    return []


def arrows(names):
    return " → ".join(names)


def refuse_a_bad_parent(record):
    """Raises, beside `parent`, why `record` (a topic or an organization) may not sit under it."""
    error = tree_error(record)
    if error:
        raise ValidationError({"parent": error})


def tree_error(record):
    """Why `record` (a topic or an organization) may not sit under its parent, or None."""
    chain = chain_from(record, "parent", MAX_TREE_DEPTH)
    loop = loop_in(chain)
    if loop and loop[0] is record:
        return f"Choosing {record.parent} as the parent would make a loop: {arrows(map(str, loop))}."
    if loop:
        return (
            f"{record.parent} is in or under a loop already ({arrows(map(str, loop))}): "
            "choose another parent, or mend the loop first."
        )
    if len(chain) > MAX_TREE_DEPTH:
        return f"Under {record.parent}, {record} would be more than {MAX_TREE_DEPTH} levels deep."
    return None


def not_its_own(link, name, message):
    """A check constraint: a record's `link` does not lead to itself (the database cannot follow a
    longer loop in a check; on PostgreSQL a trigger does, migration 0007)."""
    return models.CheckConstraint(condition=~Q(**{link: models.F("id")}), name=name, violation_error_message=message)


class VersionedModel(models.Model):
    """A record editors change in the admin. `version` counts its saves, so that a form loaded
    before the latest is known to be stale and refused (events/admin.py, VersionedForm): without
    it, the later of two editors' saves would silently undo the earlier one's change."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Counts the record's saves; a form carries the one it showed."
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        stored = self.stored_version(using=kwargs.get("using"))
        if stored is not None:
            # One more than the stored version, not this copy's: a revert saves an old version's copy.
            self.version = stored + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)

    def stored_version(self, using=None, lock=False):
        """The version in the database, or None for a record not stored (yet, or any more).

        With `lock`, inside a transaction, the row stays locked until it ends, so no other
        save can come between a check of the version and the save that follows it.
        """
        if self.pk is None:
            return None
        rows = type(self)._base_manager.using(using or router.db_for_write(type(self), instance=self))
        if lock and transaction.get_connection(rows.db).in_atomic_block:
            rows = rows.select_for_update()
        return rows.filter(pk=self.pk).values_list("version", flat=True).first()


def now_to_the_second():
    """Now, to the second: the fixture format keeps milliseconds and drops a zero fraction, so a
    time with microseconds would not load back as it was dumped."""
    return timezone.now().replace(microsecond=0)


class RecordModel(VersionedModel):
    """A record with a public page of its own, which its "Cite this" block dates by `modified`."""

    modified = models.DateTimeField(
        "last changed",
        # A record loaded from the fixtures gets the moment it was loaded: the fixtures do not hold it.
        default=now_to_the_second,
        editable=False,
        help_text="When it was last saved, or loaded if it has not been saved since.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.modified = now_to_the_second()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "modified"}
        super().save(*args, **kwargs)

    @property
    def changed_since_loaded(self):
        """Whether it has been saved since it was loaded or added: VersionedModel counts saves from 1."""
        return self.version > 1


class ExternalIdentifier:
    """An identifier of a person or organization in another database, never from the documents."""

    def __init__(self, field, label, link, pattern, example):
        self.field, self.label, self.link, self.pattern, self.example = field, label, link, pattern, example

    def url(self, value):
        return self.link.format(value)

    @property
    def message(self):
        return f"{self.label}: give one such as {self.example}, or leave it blank."

    def model_field(self):
        return models.CharField(
            self.label,
            max_length=100,
            blank=True,
            validators=[RegexValidator(self.pattern, self.message)],
            help_text=f"Not from the documents: the pages mark it so. Such as {self.example}; "
            f"links to {self.url(self.example)}.",
        )


EXTERNAL_IDENTIFIERS = [
    ExternalIdentifier("wikidata_id", "Wikidata QID", "https://www.wikidata.org/wiki/{}", r"^Q[1-9][0-9]*\Z", "Q1234"),
    ExternalIdentifier(
        "opensanctions_id",
        "OpenSanctions ID",
        "https://www.opensanctions.org/entities/{}/",
        r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
        "NK-ab12Cd34",
    ),
    ExternalIdentifier(
        "theyworkforyou_id",
        "TheyWorkForYou person ID",
        "https://www.theyworkforyou.com/mp/?p={}",
        r"^[1-9][0-9]*\Z",
        "10001",
    ),
    ExternalIdentifier(
        "parliament_id",
        "UK Parliament member ID",
        "https://members.parliament.uk/member/{}/contact",
        r"^[1-9][0-9]*\Z",
        "4000",
    ),
]


class HasExternalIdentifiers(models.Model):
    """A person or organization, with its identifiers in other databases."""

    wikidata_id = EXTERNAL_IDENTIFIERS[0].model_field()
    opensanctions_id = EXTERNAL_IDENTIFIERS[1].model_field()
    theyworkforyou_id = EXTERNAL_IDENTIFIERS[2].model_field()
    parliament_id = EXTERNAL_IDENTIFIERS[3].model_field()

    class Meta:
        abstract = True

    def external_links(self):
        """(label, identifier, URL) of each identifier it has, in EXTERNAL_IDENTIFIERS' order."""
        return [
            (identifier.label, value, identifier.url(value))
            for identifier in EXTERNAL_IDENTIFIERS
            if (value := getattr(self, identifier.field))
        ]

    def external_identifiers(self):
        """Each identifier it has, as the API and the exports give it: marked as from outside the
        documents, since an editor added it and no document gives it."""
        return [
            {"database": label, "identifier": value, "url": url, "basis": "outside"}
            for label, value, url in self.external_links()
        ]


# The ids of the people (or organizations, or aliases) with a name that SQLite's FTS5 table of
# names (migration *_actor_name_words) matches.
NAMES_MATCHING = "SELECT {column} FROM events_actor_names WHERE events_actor_names MATCH %s AND {column} IS NOT NULL"


class ActorQuerySet(models.QuerySet):
    """What people and organizations share: the actor and target filters find them by name."""

    def called(self, text):
        """Those whose slug, name or any alias is exactly `text`, ignoring case.

        Names are compared lowercased by the database on both sides, which the indexes of
        lowercased names serve (a case-insensitive LIKE would read every row).
        """
        forms = apostrophe_forms(text)
        same_name = any_of(Q(lowered=Lower(Value(form))) for form in forms)
        everyone = self.model.objects.order_by()
        by_slug = everyone.filter(slug__in=[form.lower() for form in forms]).values("pk")
        by_name = everyone.alias(lowered=Lower("name")).filter(same_name).values("pk")
        by_alias = Alias.objects.order_by().alias(lowered=Lower("name")).filter(same_name)
        # One UNION of three index lookups: an OR of them would make PostgreSQL read every row.
        return self.filter(pk__in=by_slug.union(by_name, by_alias.values(self.model._meta.model_name)))

    def called_by_words(self, words, last_may_begin_a_word=False):
        """Those whose name or an alias has each of `words` as a whole word, ignoring case: "Xi"
        finds Xi Jinping, not Ding Xuexiang. With `last_may_begin_a_word`, the last word (still
        being typed) may be the start of one.

        Read from the indexes of names' words (migration *_actor_name_words): on PostgreSQL,
        LIKEs that its trigram indexes serve; on SQLite, its FTS5 table of names.
        """
        model_name = self.model._meta.model_name
        if connections[self.db].vendor == "sqlite":
            query = fts_query(words, last_may_begin_a_word)
            if query is None:
                return self.none()
            return self.filter(pk__in=RawSQL(NAMES_MATCHING.format(column=model_name), [query]))

        def having_words(queryset):
            queryset = queryset.order_by().alias(words=words_of("name"))
            for index, word in enumerate(words):
                ending = "" if last_may_begin_a_word and index == len(words) - 1 else " "
                queryset = queryset.filter(words__contains=Lower(Value(f" {word}{ending}")))
            return queryset

        by_name = having_words(self.model.objects).values("pk")
        by_alias = having_words(Alias.objects.filter(**{f"{model_name}__isnull": False})).values(model_name)
        # A UNION of the two, as in called(): an OR would read every row.
        return self.filter(pk__in=by_name.union(by_alias))

    def named_nearly(self, text, limit):
        """Rows (kind, pk, name, slug, honorific, compared name, likeness) of those whose name or an
        alias is most like `text`, in two querysets, by name and by alias, each at most `limit`
        where the database can bound a part of a UNION.

        The candidates are bounded: names with a word that starts as a typed word does, and on
        PostgreSQL those pg_trgm's % operator finds similar, all read from the indexes of names'
        words and, on PostgreSQL, ordered by pg_trgm's similarity (on SQLite the rows say 0).
        The caller ranks them by events.names.likeness, the same on both databases.
        """
        model_name = self.model._meta.model_name
        has_honorific = any(field.name == "honorific" for field in self.model._meta.fields)
        by_name = self.model.objects.order_by().annotate(
            actor_pk=F("pk"),
            actor_name=F("name"),
            actor_slug=F("slug"),
            actor_honorific=F("honorific") if has_honorific else Value(""),
        )
        by_alias = Alias.objects.order_by().filter(**{f"{model_name}__isnull": False}).annotate(
            actor_pk=F(model_name),
            actor_name=F(f"{model_name}__name"),
            actor_slug=F(f"{model_name}__slug"),
            actor_honorific=F(f"{model_name}__honorific") if has_honorific else Value(""),
        )
        if connections[self.db].vendor == "sqlite":
            # Candidates: names with a word that starts as a typed word does ("Kerns": "ke"), from
            # the FTS5 table of names, at most `limit` by name and `limit` by alias.
            query = fts_starts(typed_words(text))
            names = NAMES_MATCHING.format(column=model_name) + " AND alias IS NULL LIMIT %s"
            aliases = NAMES_MATCHING.format(column="alias") + f" AND {model_name} IS NOT NULL LIMIT %s"
            by_name = by_name.filter(pk__in=RawSQL(names, [query, limit])) if query else by_name.none()
            by_alias = by_alias.filter(pk__in=RawSQL(aliases, [query, limit])) if query else by_alias.none()

            def nearest(queryset):
                return queryset.annotate(likeness=Value(0.0))
        else:
            from django.contrib.postgres.lookups import TrigramSimilar
            from django.contrib.postgres.search import TrigramSimilarity

            starts = any_of(Q(words__contains=Lower(Value(f" {word[:2]}"))) for word in typed_words(text))
            # Honorifics left out: "Mr" is a trigram of tens of thousands of aliases ("Mr Wang"),
            # which the index would hand over to be compared one by one.
            named = " ".join(typed_words(text))

            def nearest(queryset):
                # Candidates: names pg_trgm finds similar (its % operator), and names with a word
                # that starts as a typed word does; both served by the trigram index, the most
                # similar first.
                queryset = queryset.alias(words=words_of("name"))
                queryset = queryset.filter(TrigramSimilar(F("words"), Value(named)) | starts)
                queryset = queryset.annotate(likeness=TrigramSimilarity(F("words"), Value(named)))
                return queryset.order_by("-likeness", "actor_pk")

        columns = ("actor_kind", "actor_pk", "actor_name", "actor_slug", "actor_honorific", "name", "likeness")
        found = [
            nearest(queryset.annotate(actor_kind=Value(model_name))).values_list(*columns)
            for queryset in (by_name, by_alias)
        ]
        # SQLite cannot LIMIT a part of a UNION: the caller bounds the whole of it.
        return [part[:limit] for part in found] if connections[self.db].features.supports_slicing_ordering_in_compound else found

    def with_event_counts(self):
        """Each with `event_count`, its published events: a subquery, so a page of a list counts for its own rows only."""
        events = (
            Participation.objects.filter(**{self.model._meta.model_name: models.OuterRef("pk")})
            .filter(event__is_published=True)
            .values(self.model._meta.model_name)
            .annotate(count=Count("event", distinct=True))
            .values("count")
        )
        return self.annotate(event_count=Coalesce(models.Subquery(events), 0))


class OrganizationQuerySet(ActorQuerySet):
    def for_list(self):
        return self.with_event_counts().select_related("parent").order_by("name", "pk")

    def for_detail(self):
        """What the organization page shows beside its events and its long lists: its parent and other names.
        The long lists are read apart, each cut to its first `limit` + 1: its offices by `first_offices`
        (their claim bases with the events', ClaimBasis.attach), its sanctions by
        SanctionQuerySet.of_organization, its parts by `parts`."""
        return self.select_related("parent").prefetch_related(
            models.Prefetch("aliases", queryset=Alias.objects.order_by("name", "pk")),
        )

    def first_offices(self, organization, limit):
        """The first `limit` + 1 offices of `organization`, by start, with their holders: one query with a
        LIMIT. Prefetched with a slice, Django numbered every office of the organization by a window
        function and kept the first (18 ms on PostgreSQL for the busiest organization)."""
        return list(
            Office.objects.filter(organization=organization)
            .select_related("person")
            .order_by(models.F("start_earliest").asc(nulls_last=True), "person__sort_name", "pk")[: limit + 1]
        )


    def parts(self, organization):
        """(name, slug) of each organization directly part of `organization`, by name: rows, not records,
        as the busiest organization has 970 (made into records, they were a fifth of its page's time)."""
        return self.filter(parent=organization).order_by("name", "pk").values_list("name", "slug")

    def for_api(self):
        """What the API's organization shows: its event count, parent and other names."""
        return self.with_event_counts().select_related("parent").prefetch_related(
            models.Prefetch("aliases", queryset=Alias.objects.order_by("name", "pk"))
        )


class PersonQuerySet(ActorQuerySet):
    def for_list(self):
        return self.with_event_counts().order_by("sort_name", "pk")

    def for_detail(self):
        """What the person page shows beside their events. The offices' claim bases are read with the
        events' (ClaimBasis.attach)."""
        return self.prefetch_related(
            models.Prefetch("aliases", queryset=Alias.objects.order_by("name", "pk")),
            models.Prefetch(
                "offices",
                queryset=Office.objects.select_related("organization").order_by(
                    models.F("start_earliest").asc(nulls_last=True), "title", "pk"
                ),
            ),
            models.Prefetch(
                "sanctions",
                queryset=Sanction.objects.published()
                .select_related("imposed_by")
                .with_status_log()
                .order_by(models.F("announced_earliest").asc(nulls_last=True), "pk"),
                to_attr="public_sanctions",
            ),
        )


    def for_api(self):
        """What the API's person shows: their event count, other names and offices."""
        return self.with_event_counts().prefetch_related(
            models.Prefetch("aliases", queryset=Alias.objects.order_by("name", "pk")),
            models.Prefetch(
                "offices",
                queryset=Office.objects.select_related("organization").order_by(
                    models.F("start_earliest").asc(nulls_last=True), "title", "pk"
                ),
            ),
        )


class SourceQuerySet(models.QuerySet):
    def for_list(self):
        """With `citation_count`: the quotes the source's page highlights, so a draft's are not counted."""
        cited = (
            Citation.objects.public()
            .filter(source=models.OuterRef("pk"))
            .values("source")
            .annotate(count=Count("*"))
        )
        return self.annotate(citation_count=Coalesce(models.Subquery(cited.values("count")), 0)).order_by("title", "pk")


class Source(RecordModel):
    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", "News article"
        LETTER = "letter", "Letter"
        PRESS_RELEASE = "press_release", "Press release"
        REPORT = "report", "Report"
        STATEMENT = "statement", "Statement"

    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=200, blank=True, help_text="The publication or site it appeared on.")
    author = models.CharField(max_length=200, blank=True, help_text="Blank where the document names no author.")
    url = models.URLField("URL", max_length=500, blank=True, help_text="Blank where the address is not known.")
    title_by_archive = models.BooleanField(
        "title written by the archive",
        default=False,
        help_text="Ticked where the document has no headline of its own and the title describes it.",
    )
    published = FuzzyDateField("Published")
    text = NormalizedTextField(
        help_text="The document's full text, verbatim, without site boilerplate. Citations are checked against it."
    )
    seed_file = models.CharField(max_length=200, blank=True, help_text="The seed file this text was taken from.")
    notes = models.TextField(blank=True, help_text="What was removed from the original, and why.")

    objects = SourceQuerySet.as_manager()
    history = History()

    # The quotes of its citations as an editor is changing them beside its text, by citation pk
    # (None for one being deleted): set by the admin, so that a change to the text and the
    # citations it needs are checked, and saved, as one step.
    revised_quotes = None

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["title", "id"], name="source_list_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("source_detail", self.slug)

    def clean(self):
        clean_fuzzy_dates(self)
        self.refuse_to_orphan_citations()

    def refuse_to_orphan_citations(self):
        """Refuses a change to the text that would leave a citation's quote out of it (or in it
        twice), unless that citation is corrected or deleted in the same step."""
        stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first() if self.pk else None
        if stored is None or stored == self.text:
            return
        revised = self.revised_quotes or {}
        orphaned = []
        for citation in self.citations.order_by("pk"):
            quote = revised.get(citation.pk, citation.quote)
            if quote is not None and placement_problem(quote, self.text):
                orphaned.append(citation)
        if orphaned:
            named = ", ".join(f"citation {citation.pk} (“{citation.quote[:30]}…”)" for citation in orphaned)
            counted = "1 citation" if len(orphaned) == 1 else f"{len(orphaned)} citations"
            raise ValidationError(
                {
                    "text": f"This change would leave {counted} quoting words that are no longer in the "
                    f"text, or are in it twice: {named}. Correct or delete them in the same save, or "
                    "keep the text as it was."
                }
            )


class SourceOriginal(models.Model):
    """The file a source added by an editor was taken from, byte for byte, beside its cleaned text.

    The five seed documents are kept as files (Source.seed_file); a document added later has its
    original here, in the database, so that every server sees it and a backup keeps it. It is
    never changed once saved: a correction goes into the source's text and notes.
    """

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="original")
    content = models.BinaryField(help_text="The file or the fetched page exactly as received.")
    content_type = models.CharField(max_length=100, help_text="As the server sent it, or as the file's name says.")
    sha256 = models.CharField("SHA-256", max_length=64, help_text="Of the content, to tell two copies apart.")
    origin = models.CharField(
        max_length=500, help_text="The address it was fetched from, the uploaded file's name, or “pasted”."
    )
    received_at = models.DateTimeField(help_text="When it was fetched, uploaded or pasted.")

    # The bytes themselves stay out of the history: they never change, and the sha256 names them.
    history = History(excluded_fields=["content"])

    class Meta:
        verbose_name = "original of a source"

    def __str__(self):
        return f"Original of {self.source} ({self.origin})"


class Organization(HasExternalIdentifiers, RecordModel):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government"
        MINISTRY = "ministry", "Ministry or department"
        PARLIAMENT = "parliament", "Parliament or chamber"
        COMMITTEE = "committee", "Committee"
        PARTY = "party", "Political party"
        STATE_BODY = "state_body", "State body"
        INTERNATIONAL = "international", "International organisation"
        COURT = "court", "Court"
        NGO = "ngo", "Civil society organisation"
        COMPANY = "company", "Company"
        MEDIA = "media", "Media"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    country = models.CharField(max_length=2, choices=country_choices, blank=True)
    get_country_display = shows_country("country")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    outside_fields = models.JSONField(default=list, blank=True, help_text=OUTSIDE_FIELDS_HELP)
    is_placeholder = models.BooleanField("placeholder", default=False, help_text=PLACEHOLDER_HELP)

    objects = OrganizationQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(Lower("name"), name="organization_lower_name_idx"),  # the actor filter's lookup
            models.Index(fields=["name", "id"], name="organization_list_idx"),
            # The list's named and unnamed, each in order: found without reading the others.
            models.Index(fields=["is_placeholder", "name", "id"], name="organization_named_list_idx"),
        ]
        constraints = [
            not_its_own("parent", "organization_not_its_own_parent", "An organization cannot be its own parent.")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("organization_detail", self.slug)

    def clean(self):
        refuse_a_bad_parent(self)
        refuse_bad_outside_fields(self)


class Person(HasExternalIdentifiers, RecordModel):
    name = models.CharField(max_length=200, help_text="The name as the documents give it in full: 'David Lammy'.")
    slug = models.SlugField(max_length=120, unique=True)
    sort_name = models.CharField(max_length=200, help_text="'Lammy, David'.")
    honorific = models.CharField(max_length=50, blank=True, help_text="Sir, Lord, Baroness, ...")
    native_name = models.CharField(max_length=200, blank=True, help_text="The name in its own script: 习近平.")
    native_name_language = models.CharField(max_length=20, blank=True, help_text="A BCP 47 tag: zh-Hans.")
    country = models.CharField(max_length=2, choices=country_choices, blank=True)
    get_country_display = shows_country("country")
    description = models.CharField(max_length=300, blank=True)
    outside_fields = models.JSONField(default=list, blank=True, help_text=OUTSIDE_FIELDS_HELP)
    is_placeholder = models.BooleanField("placeholder", default=False, help_text=PLACEHOLDER_HELP)

    objects = PersonQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = ["sort_name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(Lower("name"), name="person_lower_name_idx"),  # the actor filter's lookup
            models.Index(fields=["sort_name", "id"], name="person_list_idx"),
            # The list's named and unnamed, each in order: finding that a million-event archive has
            # no unnamed person read all 50,000 in order (215 ms).
            models.Index(fields=["is_placeholder", "sort_name", "id"], name="person_named_list_idx"),
        ]

    def __str__(self):
        return self.styled_name

    def get_absolute_url(self):
        return page_url("person_detail", self.slug)

    @property
    def styled_name(self):
        return f"{self.honorific} {self.name}" if self.honorific else self.name

    def clean(self):
        refuse_bad_outside_fields(self)


class Alias(models.Model):
    """Another name a person or organization goes by in the documents."""

    class Kind(models.TextChoices):
        SHORT = "short", "Short form (Mr Lammy, Sir Keir)"
        TITLE = "title", "Title (Lord Alton of Liverpool)"
        FULL = "full", "Fuller or other form"
        ABBREVIATION = "abbreviation", "Abbreviation (FCDO)"
        INFORMAL = "informal", "Informal name (Downing Street, Tory)"

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SHORT)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "aliases"
        constraints = [exactly_one_of("person", "organization", "alias_names_exactly_one_actor")]
        # The actor filter looks aliases up by name.
        indexes = [models.Index(Lower("name"), name="alias_lower_name_idx")]

    def __str__(self):
        return self.name


class TopicQuerySet(models.QuerySet):
    def event_counts(self, topics=None):
        """{topic pk: (its published events, the topics' under it included; those tagged with it directly)},
        for these topics, or for `topics` (all of them, already read) if given.

        One query, one pass over the event-topic links, each link joined to every topic it counts
        for: its own and those above it. An event tagged with two topics of one family is one event
        of their parent, hence COUNT(DISTINCT). Filtering by a topic includes the topics under it,
        so every count that stands for a topic counts them too.
        """
        topics = list(self.all()) if topics is None else topics
        if not topics:
            return {}
        # (topic, a topic it counts for), as literal integers (keys read from the database): a
        # deep tree has more pairs than PostgreSQL takes parameters.
        pairs = ", ".join(
            f"({int(above.pk)}, {int(topic.pk)})" for above in topics for topic in above.with_descendants(among=topics)
        )
        connection = connections[self.db]
        quote = connection.ops.quote_name
        links, events = quote(Event.topics.through._meta.db_table), quote(Event._meta.db_table)
        sql = f"""
            SELECT family.column1, COUNT(DISTINCT links.event_id),
                   COUNT(DISTINCT CASE WHEN family.column1 = family.column2 THEN links.event_id END)
            FROM {links} AS links
            JOIN {events} AS events ON events.id = links.event_id
            JOIN (VALUES {pairs}) AS family ON family.column2 = links.topic_id
            WHERE events.is_published = %s
            GROUP BY family.column1
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [True])
            found = {pk: (total, direct) for pk, total, direct in cursor.fetchall()}
        return {topic.pk: found.get(topic.pk, (0, 0)) for topic in topics}

    def in_tree_order(self):
        """A list of these topics, each parent followed by its children, each with a `depth` (0 at the top).

        Every topic is listed once, even where stored data breaks the rules: a loop, which has no
        top, is listed after the trees from its first topic by name, and a topic deeper than
        MAX_TREE_DEPTH levels at the deepest.
        """
        topics = list(self.order_by("name", "pk"))
        present = {topic.pk for topic in topics}
        children = {}
        for topic in topics:
            parent = topic.parent_id if topic.parent_id in present else None
            children.setdefault(parent, []).append(topic)
        ordered, listed = [], set()
        for top in children.get(None, []) + topics:
            todo = [(top, 0)]
            while todo:
                topic, depth = todo.pop()
                if topic.pk in listed:
                    continue
                listed.add(topic.pk)
                topic.depth = min(depth, MAX_TREE_DEPTH - 1)
                ordered.append(topic)
                todo.extend((child, depth + 1) for child in reversed(children.get(topic.pk, [])))
        return ordered


class Topic(RecordModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [not_its_own("parent", "topic_not_its_own_parent", "A topic cannot be its own parent.")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("topic_detail", self.slug)

    def clean(self):
        refuse_a_bad_parent(self)

    def with_descendants(self, among=None):
        """This topic and every topic below it, each once (a loop stored in the tree ends where it
        comes round), from one query over the (small) tree, or from `among`, all topics."""
        children = {}
        for topic in Topic.objects.all() if among is None else among:
            children.setdefault(topic.parent_id, []).append(topic)
        found, seen, todo = [], set(), [self]
        while todo:
            topic = todo.pop()
            if topic.pk in seen:
                continue
            seen.add(topic.pk)
            found.append(topic)
            todo.extend(children.get(topic.pk, []))
        return found


class Office(VersionedModel):
    """An office a person held: Foreign Secretary, Chair of the Foreign Affairs Committee."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="offices")
    title = models.CharField(max_length=200)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    start = FuzzyDateField("Start")
    end = FuzzyDateField("End")

    class Meta:
        ordering = ["person__sort_name", "start_earliest"]

    def __str__(self):
        return f"{self.title} ({self.person})"

    def clean(self):
        clean_fuzzy_dates(self)
        errors = order_errors(self, "start", "end", f"The office cannot end before it starts ({self.start}).")
        if errors:
            raise ValidationError(errors)


def a_year_before(day):
    """366 days before `day`, or the first day there is: a filter from the year 1 has no year before it."""
    return day - datetime.timedelta(days=366) if day > datetime.date.min + datetime.timedelta(days=366) else datetime.date.min


def overlap_conditions(first=None, last=None):
    """Conditions for events whose possible days overlap [first, last], in three disjoint parts, each fit
    for an index that holds it in timeline order: known dates, unknown dates with a first possible day
    ("between ..." or "after ..."), and unknown dates with only a last one ("by ...")."""
    known = ~Q(date_precision=Precision.UNKNOWN) & Q(date_earliest__isnull=False)
    unknown_with_earliest = Q(date_precision=Precision.UNKNOWN, date_earliest__isnull=False)
    without_earliest = Q(date_earliest__isnull=True, date_latest__isnull=False)
    if first:
        # A known date spans at most a year, so one that ends on or after `first` began at most 366
        # days before it: the second condition adds nothing but a place for the timeline index to
        # start reading. An unknown date's bounds may be years apart: its own index holds few rows.
        known &= Q(date_latest__gte=first, date_earliest__gte=a_year_before(first))
        unknown_with_earliest &= Q(date_latest__gte=first) | Q(date_latest__isnull=True)
        without_earliest &= Q(date_latest__gte=first)
    if last:
        known &= Q(date_earliest__lte=last)
        unknown_with_earliest &= Q(date_earliest__lte=last)
    return known, unknown_with_earliest, without_earliest


def certainly_within(first=None, last=None):
    """Events every possible day of which is in [first, last]; a missing bound is no certainty, but for
    "by ..." before `last` when there is no `first`."""
    condition = Q()
    if first:
        condition &= Q(date_earliest__gte=first)
    if last:
        # date_earliest <= last follows from date_latest <= last; it gives the timeline index a place to stop.
        ends_in_time = Q(date_latest__lte=last)
        if first:
            condition &= ends_in_time & Q(date_earliest__lte=last)
        else:
            condition &= ends_in_time & (Q(date_earliest__lte=last) | Q(date_earliest__isnull=True))
    return condition


def only_possibly_within(first=None, last=None):
    """Conditions for events overlapping [first, last] that may also fall outside it, each fit for an index:
    known dates that straddle either end (a year at most each side), and unknown dates not held inside."""
    known, unknown_with_earliest, without_earliest = overlap_conditions(first, last)
    conditions = []
    if first:
        conditions.append(known & Q(date_earliest__lt=first))
    if last:
        conditions.append(
            known & Q(date_earliest__gt=a_year_before(last), date_latest__gt=last)
        )
    inside = certainly_within(first, last)
    return [*conditions, unknown_with_earliest & ~inside, without_earliest & ~inside]


class EventQuerySet(models.QuerySet):
    """Events, and what they were narrowed to. involving() and about() keep the link rows they
    narrowed the events to (`links`: participations, or topic links), with how many of those rows
    they found, up to search.MANY_MATCHES + 1; filters after them and `&` keep them too, since those
    only narrow the events further. A count can then read them along their own index
    (paging.count_at_most; counted_along says when) instead of the events table with its joins.
    `|` and the set operations forget them: their events are no longer all among the rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.links = ()

    def _clone(self):
        clone = super()._clone()
        clone.links = self.links
        return clone

    def __and__(self, other):
        combined = super().__and__(other)
        if isinstance(combined, EventQuerySet) and combined is not self and combined is not other:
            combined.links = self.links + getattr(other, "links", ())
        return combined

    def __or__(self, other):
        return self._forgetting_links(super().__or__(other))

    def __xor__(self, other):
        return self._forgetting_links(super().__xor__(other))

    def _combinator_query(self, *args, **kwargs):
        return self._forgetting_links(super()._combinator_query(*args, **kwargs))

    @staticmethod
    def _forgetting_links(queryset):
        if isinstance(queryset, EventQuerySet):
            queryset.links = ()
        return queryset

    def counted_along(self):
        """(link rows, events): the link rows to count these events along, and these events without
        the condition that narrowed them to those rows, which the rows meet already (tested again
        for each row, its list of events was read whole); (None, self) to count the events themselves.

        Only where every link found many rows (among() tested each event for them): where one found
        few, the events are narrowed to the list of its events' ids, which the databases read first
        anyway. Of several, the first applied (the actor, in the form's order): each found as many.
        Only on SQLite, which walks the index its query names: PostgreSQL plans the count from its
        statistics, and read along the links it was slower as often as faster (bench/RESULTS.md,
        "Counts, each alone").
        """
        if connections[self.db].vendor != "sqlite":
            return None, self
        if not self.links or any(found <= search.MANY_MATCHES for found, _ in self.links):
            return None, self
        _, rows = self.links[0]
        events = self._chain()
        where = events.query.where
        if where.connector == AND and not where.negated:
            where.children = [child for child in where.children if getattr(child, "narrowed_to", None) is not rows]
        return rows, events

    def read_whole(self):
        """These events, to be read every one (the chart counts them all) rather than a page: each test
        against many link rows that among() made an EXISTS, run for each event so that a page read in
        order can stop early, made a test against the set of those rows' events, which the databases
        read once. For a topic of 655,743 links at a million events, the chart's query took 13.6 s
        against 2.4 s on SQLite, and 3.9 s against 1.2 s on PostgreSQL."""
        events = self._chain()
        where = events.query.where
        if where.connector != AND or where.negated:
            return self
        tested = [child for child in where.children if getattr(child, "tested_per_event", False)]
        where.children = [child for child in where.children if not getattr(child, "tested_per_event", False)]
        key = F("pk")
        if connections[self.db].vendor == "sqlite":
            # Not the key itself ("+id"), so that SQLite scans the index the rest of the query reads and
            # probes the set, rather than look each of its events up by key and sort them all again:
            # 2.4 s against 6.1 s for the topic above.
            key = models.Func(F("pk"), template="+%(expressions)s", output_field=models.IntegerField())
        for child in tested:
            events = events.filter(In(key, child.narrowed_to.values("event_id")))
        return events

    def published(self):
        return self.filter(is_published=True)

    def list_prefetches(self):
        """What a list of events shows beside each: its topics, who took part, and which of its
        date and place are inferred or from outside the documents."""
        # Only the columns an event's item shows (templates/_event_item.html, and the API's
        # EventSerializer): a person's or organization's description, identifiers and notes are
        # long, and 50 events name a few hundred of them. A field left out here and read later
        # would cost a query per row, which the pages' query-count tests would catch.
        return [
            models.Prefetch("topics", queryset=Topic.objects.only("name", "slug")),
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person", "organization")
                .only(
                    "event", "role", "order", "person", "organization",
                    "person__name", "person__slug", "person__honorific",
                    "organization__name", "organization__slug",
                )
                .order_by("order", "pk"),
            ),
            models.Prefetch(
                "claim_bases",
                queryset=ClaimBasis.objects.filter(claim__in=["date", "place"])
                .only("event", "claim", "basis", "reasoning", "outside_source")
                .order_by("pk"),
            ),
        ]

    def for_detail(self):
        """Everything the event page shows, in a fixed number of queries; drafts on the far side are left out."""
        return self.prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related("person", "organization", "office").order_by(
                    "order", "pk"
                ),
            ),
            models.Prefetch("topics", queryset=Topic.objects.order_by("name", "pk")),
            Citation.with_sources(),
            models.Prefetch(
                "relations_from",
                queryset=EventRelation.objects.filter(to_event__is_published=True)
                .select_related("to_event")
                .order_by(models.F("to_event__date_earliest").asc(nulls_last=True), "to_event__title", "pk"),
            ),
            models.Prefetch(
                "relations_to",
                queryset=EventRelation.objects.filter(from_event__is_published=True)
                .select_related("from_event")
                .order_by(models.F("from_event__date_earliest").asc(nulls_last=True), "from_event__title", "pk"),
            ),
            models.Prefetch(
                "sanctions",
                queryset=Sanction.objects.published()
                .select_related("target_person", "target_organization")
                .order_by("pk"),
                to_attr="public_sanctions",
            ),
            models.Prefetch(
                "answering_sanctions",
                queryset=SanctionResponse.objects.filter(sanction__is_published=True)
                .select_related("sanction__target_person", "sanction__target_organization")
                .order_by(models.F("sanction__announced_earliest").asc(nulls_last=True), "sanction__pk"),
                to_attr="public_answers",
            ),
        )

    def claim_bases_of(self, event):
        """Reads the claim bases of `event` (read with for_detail) and of its participations, relations and
        answers, with their quotes, in one query (ClaimBasis.attach): a prefetch for each took the page
        to 11 queries for an event with relations."""
        ClaimBasis.attach(
            event=[event],
            participation=list(event.participations.all()),
            event_relation=[*event.relations_from.all(), *event.relations_to.all()],
            sanction_response=event.public_answers,
        )
        return event

    def for_api(self):
        """Everything the API's event shows (events/serializers.py, EventDetailSerializer): who took part,
        in which office and on what basis, its topics, citations and claims, in a fixed number of queries."""
        return self.prefetch_related(
            models.Prefetch(
                "participations",
                queryset=Participation.objects.select_related(
                    "person", "organization", "office__organization"
                ).order_by("order", "pk"),
            ),
            models.Prefetch("topics", queryset=Topic.objects.order_by("name", "pk")),
            Citation.with_sources(),
            ClaimBasis.with_quotes(),
            ClaimBasis.with_quotes("participations__claim_bases"),
        )

    def overlapping(self, first=None, last=None):
        """Events whose possible days overlap [first, last] (either may be None: no bound that side), the
        bounds of an unknown date included ("by 17 October 2024" may be in October 2024). A date with no
        bound at all can't be placed, so never matches: without_known_date() finds those."""
        return self.filter(functools.reduce(operator.or_, overlap_conditions(first, last)))

    def timeline_parts(self, first=None, last=None):
        """These events (only those overlapping [first, last], if either is given) as ([dated parts],
        undated part): querysets that together hold them, each read in timeline order off an index.

        Paging reads each and merges them (paging.py): one condition for all would be an OR, which the
        databases can't read in order from one index, and would make a deep or narrow page read every row.
        """
        if first is None and last is None:
            return [self.filter(date_earliest__isnull=False)], self.filter(self.undated_condition())
        known, unknown_with_earliest, without_earliest = overlap_conditions(first, last)
        return [self.filter(known), self.filter(unknown_with_earliest)], self.filter(without_earliest)

    def undated_condition(self):
        """date_earliest IS NULL, in the form that reads these events soonest. SQLite's statistics give
        each value of the timeline's index a few events, so it walks the index's NULLs (some 70,000
        events at a million) to list the few undated events of a rare actor, 6 ms, where it would look
        up the actor's events by id: behind a unary plus the index is not used for it. PostgreSQL has
        no unary plus for dates, nor the need."""
        column = Q(date_earliest__isnull=True)
        if connections[self.db].vendor != "sqlite" or not any(found <= search.MANY_MATCHES for found, _ in self.links):
            return column
        return IsNull(Func(F("date_earliest"), template="+%(expressions)s", output_field=models.DateField()), True)

    def without_known_date(self):
        """Events of which nothing is known of the date, not even a bound: no date filter can place them."""
        return self.filter(date_earliest__isnull=True, date_latest__isnull=True)

    def certainly_within(self, first=None, last=None):
        """Events every possible day of which is in [first, last]; a missing bound is no certainty."""
        return self.filter(certainly_within(first, last))

    def only_possibly_within(self, first=None, last=None):
        """Events overlapping [first, last] that may also fall outside it."""
        return self.filter(functools.reduce(operator.or_, only_possibly_within(first, last)))

    # The filters below test membership with a subquery rather than a join: a join repeats an
    # event once per matching row and needs DISTINCT, which stops the database reading the
    # timeline index in order and stopping after one page.

    def among(self, rows, found=None):
        """These events that `rows` (a queryset with an `event` field) point to, in the form that reads least.

        A few rows: the events are looked up by id and the page sorted. Many: the timeline is read in
        order and each event checked against them, so a page stops after a few hundred events. Each
        plan is fast where the other is slow (SQLite takes the first whenever given `pk IN (...)`), so
        one bounded count, along an index, picks: `found`, if the caller counted it already (up to
        search.MANY_MATCHES + 1), saves that query.
        """
        rows = rows.order_by()
        if found is None:
            found = rows[: search.MANY_MATCHES + 1].count()
        if found > search.MANY_MATCHES:
            condition = Exact(models.Exists(rows.filter(event=models.OuterRef("pk"))), True)
            condition.tested_per_event = True  # read_whole tests a set instead
        else:
            condition = In(F("pk"), rows.values("event_id"))
        # Marked, so that a count read along `rows` can leave out the test of each event against them.
        condition.narrowed_to = rows
        narrowed = self.filter(condition)
        narrowed.links = (*self.links, (found, rows))
        return narrowed

    def involving(self, people=(), organizations=(), found=None):
        return self.among(Participation.involving(people, organizations), found)

    def in_country(self, code):
        from_there = Participation.objects.filter(
            Q(person__country=code) | Q(organization__country=code), event=models.OuterRef("pk")
        )
        return self.filter(Q(country=code) | models.Exists(from_there))

    def in_country_as_a_set(self, code):
        """The events in_country gives, tested against sets the database reads once (a hashed or
        materialised IN) instead of a subquery run for each event. For reading a sample of events
        (the facet counts), where in_country's EXISTS, run for every event a rare choice reads,
        made the menus take 13-20 s at 100,000 events on PostgreSQL; the timeline keeps in_country,
        whose EXISTS lets it stop after a page."""
        people = Participation.objects.filter(person__in=Person.objects.filter(country=code).values("pk"))
        organizations = Participation.objects.filter(
            organization__in=Organization.objects.filter(country=code).values("pk")
        )
        return self.filter(
            Q(country=code) | Q(pk__in=people.values("event_id")) | Q(pk__in=organizations.values("event_id"))
        )

    def in_country_read_whole(self, code):
        """in_country's events, for a query that reads every one of them (the chart). On SQLite, as
        in_country_as_a_set. On PostgreSQL, as one set, the three sets' union, which it reads and hashes
        once: under OR it tested each event against each set afresh (larger than work_mem, they were not
        hashed), and a country's chart at a million events had not finished after 15 minutes; as one
        set it took 3.4 s."""
        if connections[self.db].vendor == "sqlite":
            return self.in_country_as_a_set(code)
        there = Event.objects.filter(country=code).values("pk")
        people = Participation.objects.filter(person__country=code).values("event_id")
        organizations = Participation.objects.filter(organization__country=code).values("event_id")
        return self.filter(pk__in=there.union(people, organizations))

    def about(self, topics, found=None):
        return self.among(Event.topics.through.objects.filter(topic__in=topics), found)

    def search(self, query):
        """Events whose title, summary, place or cited quotes hold what `query` (a search.Query, or
        text to parse) asks for."""
        if isinstance(query, str):
            query = search.parse(query)
        return self.filter(search.matching(query, using=self.db))


# Some forty times the longest summary in the archive, and far below what PostgreSQL's search
# index of an event holds (a tsvector of at most 1 MB, some 100,000 different words), which
# would otherwise refuse the save with a database error.
MAX_SUMMARY_LENGTH = 20_000


class Event(RecordModel):
    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        VISIT = "visit", "Visit"
        STATEMENT = "statement", "Statement"
        SPEECH = "speech", "Speech"
        LETTER = "letter", "Letter"
        REPORT = "report", "Report"
        SANCTION_ANNOUNCEMENT = "sanction_announcement", "Sanction announcement"
        MILITARY_EXERCISE = "military_exercise", "Military exercise"
        AGREEMENT = "agreement", "Agreement"
        POLICY_DECISION = "policy_decision", "Policy decision"
        DEBATE = "debate", "Debate"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=150, unique=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    date = FuzzyDateField("Date")
    place = models.CharField(max_length=200, blank=True, help_text="Blank where the documents do not say.")
    country = models.CharField(
        max_length=2, choices=country_choices, blank=True, help_text="Where it took place, if the documents say."
    )
    get_country_display = shows_country("country")
    summary = models.TextField(help_text="What happened, in words the citations support.")
    topics = models.ManyToManyField(Topic, blank=True, related_name="events")
    is_published = models.BooleanField(
        "published", default=True, help_text="Untick to keep a draft off the public pages."
    )

    objects = EventQuerySet.as_manager()
    history = History(m2m_fields=[topics])

    class Meta:
        ordering = [models.F("date_earliest").asc(nulls_last=True), "title", "pk"]
        indexes = [
            # The timeline's order, whole, so a page is read straight off the index, and the
            # date filters seek into it by date_earliest.
            models.Index(fields=["date_earliest", "title", "id"], name="event_timeline_idx"),
            models.Index(fields=["kind", "date_earliest", "title", "id"], name="event_kind_timeline_idx"),
            # The date filters' two parts of unknown dates with bounds (EventQuerySet.timeline_parts), a
            # few in a hundred events, read in timeline order without passing the rest.
            models.Index(
                fields=["date_earliest", "title", "id"],
                condition=Q(date_precision=Precision.UNKNOWN),
                name="event_unknown_date_idx",
            ),
            models.Index(
                fields=["title", "id"],
                condition=Q(date_earliest__isnull=True, date_latest__isnull=False),
                name="event_bounded_undated_idx",
            ),
            # The chart of events over time groups them by their first and last possible days: read
            # off this index alone, in its order, with no sort and no visit to the table.
            models.Index(fields=["date_earliest", "date_latest", "is_published"], name="event_chart_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("event_detail", self.slug)

    def clean(self):
        clean_fuzzy_dates(self)
        if len(self.summary) > MAX_SUMMARY_LENGTH:
            raise ValidationError(
                {
                    "summary": f"A summary may be at most {MAX_SUMMARY_LENGTH:,} characters long (this one has "
                    f"{len(self.summary):,}): say what happened, and let the citations carry the detail."
                }
            )


class Participation(models.Model):
    class Role(models.TextChoices):
        HOST = "host", "Host"
        VISITOR = "visitor", "Visitor"
        SPEAKER = "speaker", "Speaker"
        AUTHOR = "author", "Author"
        RECIPIENT = "recipient", "Recipient"
        SIGNATORY = "signatory", "Signatory"
        PARTY = "party", "Party"
        TARGET = "target", "Target"
        MENTIONED = "mentioned", "Mentioned"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="participations")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    # PROTECT: deleting an office must not silently forget that someone acted in it.
    office = models.ForeignKey(
        Office,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="participations",
        help_text="The office the person held at the time, if the documents say.",
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [exactly_one_of("person", "organization", "participation_names_exactly_one_actor")]
        indexes = [
            # An actor's events, from the index alone: the actor filter and the actor's page.
            models.Index(fields=["person", "event"], name="participation_person_event_idx"),
            models.Index(fields=["organization", "event"], name="participation_org_event_idx"),
        ]

    @staticmethod
    def involving(people=(), organizations=()):
        """The participations of any of `people` or `organizations`."""
        return Participation.objects.filter(Q(person__in=people) | Q(organization__in=organizations)).order_by()

    def __str__(self):
        return f"{self.actor} ({self.get_role_display()})"

    @property
    def actor(self):
        return self.person or self.organization

    def clean(self):
        if self.office_id and self.office.person_id != self.person_id:
            raise ValidationError({"office": "The office must be one this person held."})


class EventRelation(models.Model):
    class Relation(models.TextChoices):
        RESPONDS_TO = "responds_to", "responds to"
        FOLLOWS = "follows", "follows"
        PART_OF = "part_of", "is part of"
        ABOUT = "about", "is about"

    from_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_from")
    to_event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="relations_to")
    relation = models.CharField(max_length=20, choices=Relation.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_event", "to_event", "relation"], name="event_relation_unique"),
            models.CheckConstraint(
                condition=~Q(from_event=models.F("to_event")),
                name="event_relation_not_to_itself",
                violation_error_message="An event cannot be related to itself.",
            ),
        ]

    def __str__(self):
        return f"{self.from_event} {self.get_relation_display()} {self.to_event}"


class SanctionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def for_list(self):
        return (
            self.select_related("imposed_by", "target_person", "target_organization")
            .with_status_log()
            .order_by(models.F("announced_earliest").asc(nulls_last=True), "pk")
        )

    def with_status_log(self):
        """With each one's status log, which says its status and as of when (one query for them all)."""
        return self.prefetch_related(models.Prefetch("status_log", queryset=StatusChange.objects.order_by("pk")))

    def targeting(self, people=(), organizations=()):
        return self.filter(Q(target_person__in=people) | Q(target_organization__in=organizations))

    def of_organization(self, organization, limit):
        """(the published sanctions `organization` imposed, those against it): the first `limit` + 1 of
        each by date announced, with their status logs, in one query and one for the logs. Each side's
        first are picked by a subquery along its own index; numbering every sanction of the busiest
        organization by a window over both sides (935 of them at a million events) took 30-50 ms."""
        by_date = (models.F("announced_earliest").asc(nulls_last=True), "pk")
        first = {
            side: self.published().filter(**{side: organization}).order_by(*by_date).values("pk")[: limit + 1]
            for side in ("imposed_by", "target_organization")
        }
        if connections[self.db].features.supports_slicing_ordering_in_compound:
            # One UNION: under an OR of the two, PostgreSQL read all 20,000 sanctions (30 ms).
            either = Q(pk__in=first["imposed_by"].union(first["target_organization"]))
        else:  # SQLite, which cannot cut the parts of a UNION, looks each OR up along its index
            either = Q(pk__in=first["imposed_by"]) | Q(pk__in=first["target_organization"])
        rows = list(
            self.filter(either)
            .select_related("imposed_by", "target_person", "target_organization")
            .with_status_log()
            .order_by(*by_date)
        )
        # A sanction it imposed on itself is among both sides' rows, and each side keeps only its own first.
        imposed = [row for row in rows if row.imposed_by_id == organization.pk][: limit + 1]
        against = [row for row in rows if row.target_organization_id == organization.pk][: limit + 1]
        return imposed, against

    def for_detail(self):
        """Everything the sanction page shows: what it answers and the sanctions answering it, each
        with the basis of the link; drafts on the far side are left out."""
        targets = ["target_person", "target_organization"]
        return self.select_related("imposed_by", *targets, "announced_in").prefetch_related(
            models.Prefetch(
                "responses",
                queryset=SanctionResponse.objects.filter(
                    Q(answers_sanction__is_published=True) | Q(answers_event__is_published=True)
                )
                .select_related(*[f"answers_sanction__{target}" for target in targets], "answers_event")
                .prefetch_related(ClaimBasis.with_quotes())
                .order_by("pk"),
                to_attr="public_answers",
            ),
            models.Prefetch(
                "answered_by",
                queryset=SanctionResponse.objects.filter(sanction__is_published=True)
                .select_related(*[f"sanction__{target}" for target in targets])
                .prefetch_related(ClaimBasis.with_quotes())
                .order_by(models.F("sanction__announced_earliest").asc(nulls_last=True), "sanction__pk"),
                to_attr="public_responses",
            ),
            Citation.with_sources(),
            StatusChange.with_quotes(),
            ClaimBasis.with_quotes(),
        )

    def for_api(self):
        """What the API's sanctions list shows: who imposed each, on whom, the event that announced it,
        and its status log with each entry's quote."""
        return self.select_related("imposed_by", "target_person", "target_organization", "announced_in").prefetch_related(
            StatusChange.with_quotes()
        )

    def for_api_detail(self):
        """What the API's sanction shows: as in the list, with its citations and the basis of its claims."""
        return self.for_api().prefetch_related(
            Citation.with_sources(),
            ClaimBasis.with_quotes(),
        )

    def announced_during(self, year):
        return self.filter(announced_earliest__year__lte=year, announced_latest__year__gte=year).exclude(
            announced_precision=Precision.UNKNOWN
        )


class Sanction(RecordModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        LIFTED = "lifted", "Lifted"
        SUSPENDED = "suspended", "Suspended"
        UNKNOWN = "unknown", "Unknown"

    imposing_country = models.CharField(max_length=2, choices=country_choices)
    get_imposing_country_display = shows_country("imposing_country")
    imposed_by = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sanctions_imposed",
        help_text="The authority that imposed it, if the documents say.",
    )
    target_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    target_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    regime = models.CharField(max_length=200, blank=True, help_text="The regime or legal basis, if given.")
    measures = models.CharField(max_length=300, blank=True, help_text="In the documents' words: 'asset bans'.")
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=10,
        choices=Status.choices,
        default=Status.UNKNOWN,
        editable=False,
        help_text="The latest entry of its status log says it (refresh_status); kept here for the list's filter.",
    )
    announced = FuzzyDateField("Announced")
    announced_in = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    is_published = models.BooleanField(
        "published", default=True, help_text="Untick to keep a draft off the public pages."
    )

    objects = SanctionQuerySet.as_manager()
    history = History()

    class Meta:
        ordering = [models.F("announced_earliest").asc(nulls_last=True), "pk"]
        constraints = [
            exactly_one_of("target_person", "target_organization", "sanction_has_exactly_one_target"),
        ]

    def __str__(self):
        return f"{self.get_imposing_country_display()} on {self.target}"

    def get_absolute_url(self):
        return page_url("sanction_detail", self.pk)

    @property
    def target(self):
        return self.target_person or self.target_organization

    def clean(self):
        clean_fuzzy_dates(self)

    def status_log_in_order(self):
        """Its status log (`status_log`, prefetched or not) in date order: see StatusChange.in_order."""
        return StatusChange.in_order(self.status_log.all())

    @property
    def latest_status_change(self):
        """The entry of its log that says its current status, or None for a log that is empty."""
        log = self.status_log_in_order()
        return log[-1] if log else None

    def save(self, *args, **kwargs):
        # Whatever a form or a revert holds, the status is what the log says.
        if self.pk is not None:
            self.status = self.status_from_log()
        super().save(*args, **kwargs)

    def status_from_log(self):
        """The status the latest entry of its stored log says: unknown for an empty log."""
        log = StatusChange.in_order(StatusChange.objects.filter(sanction_id=self.pk))
        return log[-1].resulting_status if log else self.Status.UNKNOWN

    def refresh_status(self):
        """Stores the status its log says. Written with update(), not save(): the status is not
        the editors' to type, so no form holds a stale copy of it, and its change is not a new
        version of the record."""
        from .freshness import bump  # freshness reads this module's ArchiveVersion

        self.status = self.status_from_log()
        Sanction.objects.filter(pk=self.pk).update(status=self.status)
        bump(Sanction.objects.db)  # update() sends no signal

    @property
    def numbered(self):
        """Its name with its number, told apart from others on the same target."""
        return f"{self} (no. {self.pk})"


class StatusChange(models.Model):
    """One entry of a sanction's status log: it was imposed, extended, suspended or lifted, on a
    date as precise as the documents give it, as a quote cited for the sanction says.

    The sanction's current status is its latest entry's (Sanction.refresh_status, run whenever an
    entry is saved or deleted); a sanction with no entry has an unknown status.
    """

    class Change(models.TextChoices):
        IMPOSED = "imposed", "Imposed"
        EXTENDED = "extended", "Extended"
        SUSPENDED = "suspended", "Suspended"
        LIFTED = "lifted", "Lifted"

    # The status each change leaves the sanction in.
    RESULTING_STATUS = {
        Change.IMPOSED: Sanction.Status.ACTIVE,
        Change.EXTENDED: Sanction.Status.ACTIVE,
        Change.SUSPENDED: Sanction.Status.SUSPENDED,
        Change.LIFTED: Sanction.Status.LIFTED,
    }

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="status_log")
    change = models.CharField(max_length=10, choices=Change.choices)
    date = FuzzyDateField("Date")
    # RESTRICT: deleting the quote alone would leave the entry unbacked without a word on the admin's
    # page; deleting the sanction takes both, its quotes and its log, and is allowed.
    # Null only for entries carried over from the status field the log replaced (migration
    # *_sanction_status_log), on a sanction that cited no quote; clean() asks every form for one.
    citation = models.ForeignKey(
        "Citation",
        null=True,
        blank=True,  # in the database only: clean() asks for one, with a message that says why
        on_delete=models.RESTRICT,
        related_name="status_changes",
        help_text="The quote, cited for this sanction, that says so. A new sanction: add the quote "
        "under Citations and save, then choose it here.",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "status change"
        verbose_name_plural = "status log (imposed, extended, suspended, lifted; each with the quote that says so)"

    def __str__(self):
        return f"{self.get_change_display()}: {self.date}"

    @property
    def resulting_status(self):
        return self.RESULTING_STATUS[self.change]

    @property
    def when(self):
        """Its date in words, to follow "as of" or a change: "2021", "26 March 2021", "a date not
        known (by 31 December 2021)"."""
        date = self.date
        if date.is_known:
            return str(date)
        known = str(date).removeprefix("Date unknown")
        return f"a date not known{known}"

    @staticmethod
    def with_quotes():
        """A prefetch of a sanction's status log, each entry with its quote and the quote's source."""
        return models.Prefetch("status_log", queryset=StatusChange.objects.select_related("citation__source"))

    @staticmethod
    def in_order(entries):
        """`entries` (one sanction's) in date order, by the first day each may be, or else its last.
        An entry of unknown date stands where it was recorded: just after the entry recorded before
        it, so a log carried over as "imposed (date unknown), lifted 2023" still ends lifted, and
        "imposed 2021" followed by "lifted (date unknown)" ends lifted too."""
        placed, place = [], datetime.date.min
        for entry in sorted(entries, key=lambda entry: entry.pk or 0):
            place = entry.date_earliest or entry.date_latest or place
            placed.append((place, entry.pk or 0, entry))
        return [entry for *_, entry in sorted(placed, key=lambda row: row[:2])]

    def clean(self):
        clean_fuzzy_dates(self)
        errors = {}
        if self.citation_id is None:
            errors["citation"] = "Choose the quote that says so: each entry of the log is backed by one."
        elif self.sanction_id is not None and self.citation.sanction_id != self.sanction_id:
            errors["citation"] = "Choose a quote cited for this sanction (its citations are listed on its page)."
        sanction = self.sanction if self.sanction_id else None
        if sanction is not None and sanction.announced.earliest and self.date.latest:
            if self.date.latest < sanction.announced.earliest:
                column = "date_earliest" if self.date.earliest else "date_latest"
                errors[column] = f"A sanction's status cannot change before it was announced ({sanction.announced})."
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        with transaction.atomic(using=router.db_for_write(type(self), instance=self)):
            super().save(*args, **kwargs)
            self.sanction.refresh_status()

    def delete(self, *args, **kwargs):
        sanction = self.sanction
        with transaction.atomic(using=router.db_for_write(type(self), instance=self)):
            deleted = super().delete(*args, **kwargs)
            sanction.refresh_status()
        return deleted


class SanctionResponse(models.Model):
    """A sanction answering another sanction, or an event, as the documents say it does. China's
    2021 sanctions answered the UK's sanctions as a whole: each of them answers all five."""

    sanction = models.ForeignKey(Sanction, on_delete=models.CASCADE, related_name="responses")
    # PROTECT, like every link a document backs: deleting the other record would otherwise
    # unlink this one silently, with no line on the admin's confirmation page or in the history.
    answers_sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.PROTECT, related_name="answered_by"
    )
    answers_event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="answering_sanctions"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            exactly_one_of(
                "answers_sanction",
                "answers_event",
                "sanction_response_answers_exactly_one",
                "Choose exactly one thing it answers: a sanction or an event.",
            ),
            models.UniqueConstraint(fields=["sanction", "answers_sanction"], name="sanction_response_unique_sanction"),
            models.UniqueConstraint(fields=["sanction", "answers_event"], name="sanction_response_unique_event"),
            models.CheckConstraint(
                condition=~Q(answers_sanction=models.F("sanction")),
                name="sanction_response_not_to_itself",
                violation_error_message="A sanction cannot answer itself.",
            ),
        ]

    def __str__(self):
        return f"{self.sanction} answers {self.answered}"

    @property
    def answered(self):
        return self.answers_sanction or self.answers_event

    def clean(self):
        error = self.answer_error()
        if error:
            raise ValidationError({"answers_sanction": error})

    def answer_error(self):
        """Why the sanction may not answer the one it names, or None: itself, or one that answers
        it already, directly or through others (followed one step of answers per query, at most
        MAX_ANSWER_CHAIN steps)."""
        if self.answers_sanction_id is None or self.sanction_id is None:
            return None
        answered = self.answers_sanction.numbered
        if self.answers_sanction_id == self.sanction_id:
            return "A sanction cannot answer itself."
        level, seen = {self.answers_sanction_id}, set()
        for _ in range(MAX_ANSWER_CHAIN):
            if self.sanction_id in level:
                return (
                    f"{answered} answers {self.sanction.numbered} already, directly or through others: "
                    "answering it would make a loop."
                )
            seen |= level
            answers = SanctionResponse.objects.filter(sanction__in=level, answers_sanction__isnull=False)
            level = set(answers.exclude(pk=self.pk).values_list("answers_sanction", flat=True)) - seen
            if not level:
                return None
        return f"Answering {answered} would make a chain of more than {MAX_ANSWER_CHAIN} sanctions answering each other."


class CitationQuerySet(models.QuerySet):
    def public(self):
        """Citations whose record appears on the public pages."""
        return self.filter(
            Q(event__is_published=True) | Q(sanction__is_published=True) | Q(office__isnull=False)
        )

    def statements_by(self, person, events):
        """Quotes on `events` (a page of them) where `person` spoke or wrote."""
        return (
            self.filter(
                event__in=events,
                event__participations__person=person,
                event__participations__role__in=[Participation.Role.SPEAKER, Participation.Role.AUTHOR],
            )
            .select_related("source", "event")
            .distinct()
            .order_by(models.F("event__date_earliest").asc(nulls_last=True), "event__title", "pk")
        )

    def for_source(self):
        """With the records they support, to link each highlighted quote back to its record (the claims
        each is a basis of: ClaimBasis.objects.of_citations)."""
        return (
            self.public()
            .select_related(
                "event",
                "sanction__target_person",
                "sanction__target_organization",
                "office__person",
            )
            .order_by("pk")
        )


class Citation(VersionedModel):
    """A verbatim quote from a source, backing one event, sanction or office."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = NormalizedTextField(
        help_text=f"Copied exactly from the source's text, quotation marks and all: at least "
        f"{MINIMUM_QUOTE_WORDS} words, found in the text once."
    )
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")
    sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")

    objects = CitationQuerySet.as_manager()
    history = History()

    QUOTE_PROBLEMS = {
        TOO_SHORT: "A quote must be at least {words} words long, to back anything: quote more of the sentence.",
        NOT_IN_TEXT: "This quote is not in the text of “{source}”. Copy it exactly from the source.",
        NOT_UNIQUE: "This quote is found more than once in the text of “{source}”: add words before or after "
        "it, so that it is found once and the page marks the passage meant.",
    }

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(event__isnull=False, sanction__isnull=True, office__isnull=True)
                    | Q(event__isnull=True, sanction__isnull=False, office__isnull=True)
                    | Q(event__isnull=True, sanction__isnull=True, office__isnull=False)
                ),
                name="citation_supports_exactly_one_record",
                violation_error_message="A citation supports exactly one record: an event, a sanction or an office.",
            )
        ]

    def __str__(self):
        return f"“{self.quote[:60]}” ({self.source})"

    @staticmethod
    def with_sources(lookup="citations"):
        """A prefetch of the citations at `lookup`, in the order they were made, each with its source."""
        return models.Prefetch(lookup, queryset=Citation.objects.select_related("source").order_by("pk"))

    def get_absolute_url(self):
        return f"{self.source.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"quote-{self.pk}"

    @property
    def is_verbatim(self):
        return bool(self.quote) and self.quote in self.source.text

    def clean(self):
        problem = quote_problem(self.quote, self.source.text) if self.source_id and self.quote else None
        if problem == NOT_IN_TEXT and (near := typographic_difference(self.quote, self.source.text)):
            differing, passage = near
            raise ValidationError(
                {
                    "quote": f"This quote differs from the source only in its {get_text_list(differing, 'and')}; "
                    f"the source has: “{passage}” — copy that exact text into the quote."
                }
            )
        if problem:
            message = self.QUOTE_PROBLEMS[problem].format(source=self.source, words=MINIMUM_QUOTE_WORDS)
            raise ValidationError({"quote": message})


# The records a claim basis may be about, each by the name of its link from ClaimBasis.
CLAIM_TARGETS = ["event", "participation", "sanction", "office", "event_relation", "sanction_response"]

# Claims about a link that is not one of the record's own fields: an event's participants and the
# events it relates to, a sanction's target and what it answers.
CLAIM_LINKS = {
    "event": {"participants", "relations", "sanctions"},
    "participation": {"actor"},
    "sanction": {"target", "answers"},
    "office": set(),
    "event_relation": set(),
    "sanction_response": {"answers"},
}

# Fields no claim is about: bookkeeping, not statements.
NOT_CLAIMS = {"id", "version", "is_published", "order"}


def claim_names(target):
    """The names a claim about a `target` record (one of CLAIM_TARGETS) may have: its fields (a
    fuzzy date by its own name, "date", not its columns) and the links in CLAIM_LINKS."""
    model = ClaimBasis._meta.get_field(target).related_model
    fuzzy = [name for name, value in vars(model).items() if isinstance(value, FuzzyDateField)]
    columns = {column for name in fuzzy for column in column_names(name)}
    fields = {field.name for field in [*model._meta.fields, *model._meta.many_to_many]}
    return sorted((fields - columns - NOT_CLAIMS) | set(fuzzy) | CLAIM_LINKS[target])


class ClaimBasisQuerySet(models.QuerySet):
    def for_pages(self):
        return self.prefetch_related(models.Prefetch("citations", queryset=Citation.objects.select_related("source")))

    def for_audit(self):
        """With its record and the quotes it rests on, for the editors' audit page."""
        return self.with_records().prefetch_related(
            Citation.with_sources()
        )

    def of_citations(self, citations):
        """[(citation, basis)] of the claim bases `citations` are quotes for, with their records
        (ClaimBasisQuerySet.with_records), by citation and basis. The links are read first, in a query of
        their own: the records' twenty joins cost PostgreSQL 8 ms to plan, for a source of whose quotes
        most often none is the basis of a claim."""
        links = list(
            self.model.citations.through.objects.filter(citation__in=[citation.pk for citation in citations])
            .order_by("citation_id", "claimbasis_id")
            .values_list("citation_id", "claimbasis_id")
        )
        if not links:
            return []
        bases = self.with_records().in_bulk([basis for _, basis in links])
        by_pk = {citation.pk: citation for citation in citations}
        return [(by_pk[citation], bases[basis]) for citation, basis in links]

    def with_records(self):
        """With its record, the record's page and what names them both."""
        return self.select_related(
            "event",
            "participation__event",
            "participation__person",
            "participation__organization",
            "sanction__target_person",
            "sanction__target_organization",
            "office__person",
            "event_relation__from_event",
            "event_relation__to_event",
            "sanction_response__sanction__target_person",
            "sanction_response__sanction__target_organization",
            "sanction_response__answers_sanction__target_person",
            "sanction_response__answers_sanction__target_organization",
            "sanction_response__answers_event",
        )


class ClaimBasis(models.Model):
    """The basis of one claim a record makes that no cited quote plainly states. A claim with no
    basis recorded is stated: a citation of its record says it."""

    class Basis(models.TextChoices):
        INFERRED = "inferred", "Inferred from the documents"
        OUTSIDE = "outside", "From outside the documents"

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases")
    participation = models.ForeignKey(
        Participation, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases"
    )
    sanction = models.ForeignKey(
        Sanction, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases"
    )
    office = models.ForeignKey(Office, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases")
    event_relation = models.ForeignKey(
        EventRelation, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases"
    )
    sanction_response = models.ForeignKey(
        SanctionResponse, null=True, blank=True, on_delete=models.CASCADE, related_name="claim_bases"
    )
    claim = models.CharField(
        max_length=50, help_text="The field or link the claim is about: date, office, role, answers, summary, …"
    )
    basis = models.CharField(max_length=10, choices=Basis.choices)
    reasoning = models.TextField(
        blank=True, help_text="For an inferred claim: the sentence of reasoning that leads from the quotes to it."
    )
    outside_source = models.CharField(
        "from where",
        max_length=500,
        blank=True,
        help_text="For a claim from outside the documents: where it comes from.",
    )
    citations = models.ManyToManyField(
        Citation,
        blank=True,
        related_name="claim_bases",
        help_text="For an inferred claim: the quotes it rests on (any in the archive, at least one).",
    )

    objects = ClaimBasisQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = "claim basis"
        verbose_name_plural = "claim bases"
        constraints = [
            models.CheckConstraint(
                condition=any_of(
                    Q(**{f"{name}__isnull": name != target for name in CLAIM_TARGETS}) for target in CLAIM_TARGETS
                ),
                name="claim_basis_about_exactly_one_record",
                violation_error_message="A claim basis is about exactly one record.",
            ),
            *[
                models.UniqueConstraint(fields=[target, "claim"], name=f"claim_basis_one_per_{target}_claim")
                for target in CLAIM_TARGETS
            ],
        ]

    def __str__(self):
        return f"{self.claim} of {self.record}: {self.get_basis_display().lower()}"

    @staticmethod
    def with_quotes(lookup="claim_bases"):
        """A prefetch of the claim bases at `lookup`, with the quotes each rests on."""
        return models.Prefetch(lookup, queryset=ClaimBasis.objects.for_pages())

    @staticmethod
    def attach(**records):
        """Read the claim bases of records of several kinds at once, with their quotes: `records` maps a
        claim's link (CLAIM_TARGETS: "office", "participation", ...) to a list of such records, and each
        record's `claim_bases.all()` then answers without a query. A prefetch per kind costs a query per
        kind (two more with their quotes); a person's page showed offices and participations."""
        wanted = {target: [record for record in listed if record.pk is not None] for target, listed in records.items()}
        condition = Q()
        for target, listed in wanted.items():
            if listed:
                condition |= Q(**{f"{target}__in": [record.pk for record in listed]})
        found = list(ClaimBasis.objects.for_pages().filter(condition).order_by("pk")) if condition else []
        for target, listed in wanted.items():
            by_record = {}
            for basis in found:
                by_record.setdefault(getattr(basis, f"{target}_id"), []).append(basis)
            for record in listed:
                # As prefetch_related leaves it: the related manager's all() returns this queryset, read.
                kept = ClaimBasis.objects.none()
                kept._result_cache, kept._prefetch_done = by_record.get(record.pk, []), True
                record.__dict__.setdefault("_prefetched_objects_cache", {})["claim_bases"] = kept

    # The kind of record it is about, while that record is not saved yet (an inline beside a new
    # event): set by the admin, so that the claim's name is checked all the same.
    intended_target = None

    @property
    def target(self):
        """The name of the link to its record (one of CLAIM_TARGETS), or None."""
        linked = (name for name in CLAIM_TARGETS if getattr(self, f"{name}_id") is not None)
        return next(linked, self.intended_target)

    @property
    def record(self):
        return getattr(self, self.target, None) if self.target else None

    @property
    def is_inferred(self):
        return self.basis == self.Basis.INFERRED

    @property
    def marker(self):
        """The short mark beside the claim on a page."""
        return "inferred" if self.is_inferred else "from outside the documents"

    @property
    def explanation(self):
        """The reasoning, or where the claim comes from, in a sentence: the marker's title and note."""
        if self.is_inferred:
            return f"Inferred: {self.reasoning}"
        return f"From outside the documents: {self.outside_source}"

    @property
    def claim_label(self):
        return self.claim.replace("_", " ")

    @property
    def is_public(self):
        """Whether the page that shows it is public (a draft's claims are not)."""
        return getattr(self.page_record, "is_published", True)

    @property
    def page_record(self):
        """The record whose public page shows the claim: a participant's or relation's event, an
        answer's sanction, an office's holder."""
        record = self.record
        if self.participation_id:
            return record.event
        if self.event_relation_id:
            return record.from_event
        if self.sanction_response_id:
            return record.sanction
        if self.office_id:
            return record.person
        return record

    def clean(self):
        errors = {}
        if self.target and self.claim and self.claim not in claim_names(self.target):
            kind = self.target.replace("_", " ")
            errors["claim"] = (
                f"“{self.claim}” is not a field or link of {'an' if kind[0] in 'aeiou' else 'a'} {kind}: "
                f"name one of {', '.join(claim_names(self.target))}."
            )
        if self.basis == self.Basis.INFERRED and not self.reasoning.strip():
            errors["reasoning"] = "An inferred claim needs its reasoning: say in a sentence how the quotes lead to it."
        if self.basis == self.Basis.OUTSIDE and not self.outside_source.strip():
            errors["outside_source"] = "A claim from outside the documents must say where it comes from."
        if errors:
            raise ValidationError(errors)

    def problems(self):
        """What is wrong with this stored claim basis, in sentences (empty if nothing): what
        `clean` refuses, and an inferred claim resting on no quote. Reads `citations`, which a
        caller checking many prefetches."""
        try:
            self.clean()
            found = []
        except ValidationError as error:
            found = [message for messages in error.message_dict.values() for message in messages]
        if self.target is None:
            found.append("It is about no record.")
        if self.is_inferred and not self.citations.all():
            found.append("An inferred claim must cite at least one quote it rests on.")
        return found


class SpellingVariant(VersionedModel):
    """Spellings of one name or word that a search treats as one ("Uyghur", "Uighur", "Uigur").

    Not from the documents: editors keep these, and say in `note` where each equivalence comes from.
    """

    term = models.CharField(max_length=100, unique=True, help_text="The spelling most sources use now.")
    equivalents = models.TextField(
        help_text="Other spellings a search for the term should also find, one a line. "
        "A spelling of several words is found as a phrase."
    )
    note = models.TextField(help_text="Where these spellings come from: a style guide, a romanisation system, a source.")

    history = History()

    class Meta:
        ordering = ["term"]

    def __str__(self):
        return self.term

    def spellings(self):
        """The term and each equivalent, as typed."""
        return [self.term, *(line.strip() for line in self.equivalents.splitlines() if line.strip())]

    def clean(self):
        if not any(search.words(spelling) for spelling in self.spellings()[1:]):
            raise ValidationError({"equivalents": "Give at least one other spelling, in letters or digits."})
        if not search.words(self.term):
            raise ValidationError({"term": "A term is letters or digits."})


class MergeQuerySet(models.QuerySet):
    def in_force(self):
        return self.filter(undone_at__isnull=True)

    def survivor_of(self, model, slug):
        """The record of `model` that the one once at `slug` was merged into, or None. A later merge
        of that record moves this merge to its own survivor (events/merging.py), so one step is enough."""
        survivor_field = f"survivor_{model._meta.model_name}"
        merge = (
            self.in_force()
            .filter(old_slug=slug, **{f"{survivor_field}__isnull": False})
            .select_related(survivor_field)
            .order_by("-merged_at", "-pk")
            .first()
        )
        return getattr(merge, survivor_field) if merge else None


class Merge(models.Model):
    """A person or organization merged into another of its kind (events/merging.py): the old
    address, which now leads to the survivor, and what moved, so that the merge can be undone."""

    survivor_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="merged_in"
    )
    survivor_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="merged_in"
    )
    old_slug = models.SlugField(max_length=120, help_text="The address of the record merged away.")
    old_name = models.CharField(max_length=200)
    old_pk = models.PositiveIntegerField(help_text="The merged record's id, given back to it by an undo.")
    snapshot = models.JSONField(
        default=dict, help_text="The merged record as it was, and every link moved to the survivor."
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MergeQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at", "-pk"]
        constraints = [exactly_one_of("survivor_person", "survivor_organization", "merge_has_exactly_one_survivor")]
        # The detail pages look an unknown slug up here.
        indexes = [models.Index(fields=["old_slug"], name="merge_old_slug_idx")]

    def __str__(self):
        return f"{self.old_name} merged into {self.survivor}"

    @property
    def survivor(self):
        return self.survivor_person or self.survivor_organization

    @property
    def is_undone(self):
        return self.undone_at is not None


class ArchiveVersion(models.Model):
    """One row: a number raised by every change to the archive's records (events/freshness.py), in
    the same transaction as the change. The caches of rendered pages and event items are keyed by it,
    so every process, and every machine sharing the database, stops serving what a change made stale
    at the commit, whatever cache each of them keeps."""

    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "archive version"

    def __str__(self):
        return f"Archive version {self.number}"
