"""The API's JSON for each record (events/api.py): what the pages show, in the pages' words, with
each record's address on the site and in the API. Every nested list is read by the querysets the
views name (EventQuerySet.for_api and the like), so serializing a page makes no query of its own."""

import datetime
from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import (
    Citation,
    ClaimBasis,
    Event,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    Source,
    StatusChange,
    Topic,
    page_url,
)


def absolute(context, path):
    """`path` (an address on the site, from reverse() or page_url) with the request's scheme and host.
    They are read once per response and kept in its context: request.build_absolute_uri() splits and
    joins each address afresh, a sixth of a page of events' time."""
    request = context.get("request")
    if request is None:
        return path
    if not path.startswith("/") or path.startswith("//"):
        return request.build_absolute_uri(path)
    if "scheme and host" not in context:
        context["scheme and host"] = request.build_absolute_uri("/")[:-1]
    return context["scheme and host"] + path


class LabelField(serializers.CharField):
    """The label of a choice field's value (“Meeting” for "meeting"), as get_<field>_display() says it,
    from a table made once: DRF calls that method by inspecting its signature each time, some 0.15 ms."""

    def __init__(self, field_name, model=None, **kwargs):
        self.model = model  # the serializer's own model (Meta.model) if not given
        super().__init__(source=field_name, read_only=True, **kwargs)

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        model = self.model or parent.Meta.model
        self.labels = {value: str(label) for value, label in model._meta.get_field(self.source).flatchoices}

    def to_representation(self, value):
        return self.labels.get(value, str(value))


class FuzzyDateSerializer(serializers.Serializer):
    """A date as precisely as its sources give it: "October 2024" is the month, 1 to 31 October."""

    text = serializers.SerializerMethodField(help_text="As the pages say it: “October 2024”, “Date unknown (by 17 October 2024)”.")
    precision = serializers.CharField(help_text="day, month, year or unknown")
    earliest = serializers.DateField(allow_null=True, help_text="The first day it may be; null where nothing bounds it.")
    latest = serializers.DateField(allow_null=True, help_text="The last day it may be; null where nothing bounds it.")

    def get_text(self, date) -> str:
        return str(date)


class PageLinks(serializers.Serializer):
    """Where a record is on the site and in the API."""

    def page_url(self, record):
        return absolute(self.context, record.get_absolute_url())


class ActorSerializer(serializers.Serializer):
    """A person or an organization, as a link."""

    kind = serializers.SerializerMethodField(help_text="person or organization")
    name = serializers.SerializerMethodField()
    slug = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="Its page on the site.")
    api_url = serializers.SerializerMethodField()

    def get_kind(self, actor) -> str:
        return "person" if isinstance(actor, Person) else "organization"

    def get_name(self, actor) -> str:
        return str(actor)

    def get_url(self, actor) -> str:
        return absolute(self.context, actor.get_absolute_url())

    def get_api_url(self, actor) -> str:
        return absolute(self.context, page_url(f"api-{self.get_kind(actor)}", actor.slug))


class TopicRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["slug", "name", "url"]

    def get_url(self, topic) -> str:
        return absolute(self.context, topic.get_absolute_url())


class SourceRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Its page on the site, with its full text.")

    class Meta:
        model = Source
        fields = ["slug", "title", "outlet", "url"]

    def get_url(self, source) -> str:
        return absolute(self.context, source.get_absolute_url())


class CitationSerializer(serializers.ModelSerializer):
    source = SourceRefSerializer()
    url = serializers.SerializerMethodField(help_text="The quote, highlighted in its source's text on the site.")

    class Meta:
        model = Citation
        fields = ["id", "quote", "source", "url"]

    def get_url(self, citation) -> str:
        return absolute(self.context, citation.get_absolute_url())


class ClaimBasisSerializer(serializers.ModelSerializer):
    """A claim no cited quote states: inferred from the documents, or from outside them."""

    basis_label = LabelField("basis")
    outside_source = serializers.CharField(help_text="For a claim from outside the documents: where it comes from.")

    class Meta:
        model = ClaimBasis
        fields = ["claim", "basis", "basis_label", "reasoning", "outside_source"]


class ClaimBasisWithQuotesSerializer(ClaimBasisSerializer):
    citations = CitationSerializer(many=True, help_text="For an inferred claim: the quotes it rests on.")

    class Meta(ClaimBasisSerializer.Meta):
        fields = [*ClaimBasisSerializer.Meta.fields, "citations"]


@extend_schema_field(ActorSerializer)
class ActorField(serializers.Field):
    """A person or organization, whichever of two links is set."""

    def __init__(self, attribute, **kwargs):
        self.attribute = attribute
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, record):
        actor = getattr(record, self.attribute)
        return self.actors.to_representation(actor) if actor else None

    @cached_property
    def actors(self):
        # One serializer for every actor of a page: a serializer made per actor (its fields copied
        # each time) was half the time of a page of events.
        return ActorSerializer(context=self.context)


class ParticipantSerializer(serializers.ModelSerializer):
    actor = ActorField("actor")
    role_label = LabelField("role")

    class Meta:
        model = Participation
        fields = ["actor", "role", "role_label"]


class OfficeSerializer(serializers.ModelSerializer):
    organization = serializers.SerializerMethodField()
    start = FuzzyDateSerializer()
    end = FuzzyDateSerializer()

    class Meta:
        model = Office
        fields = ["title", "organization", "start", "end"]

    @extend_schema_field(ActorSerializer(allow_null=True))
    def get_organization(self, office):
        return ActorSerializer(office.organization, context=self.context).data if office.organization else None


class ParticipantDetailSerializer(ParticipantSerializer):
    office = OfficeSerializer(allow_null=True, help_text="The office the person held at the time, if the documents say.")
    claim_bases = ClaimBasisWithQuotesSerializer(many=True)

    class Meta(ParticipantSerializer.Meta):
        fields = [*ParticipantSerializer.Meta.fields, "office", "claim_bases"]


class EventSerializer(serializers.ModelSerializer, PageLinks):
    kind_label = LabelField("kind")
    date = FuzzyDateSerializer()
    may_be_outside_dates = serializers.SerializerMethodField(
        help_text="With a date filter: what is known of the date of an event that only may be in the range "
        "(“October 2024”), the pages' “May be in this period”; null for one certainly in it, or without a date filter."
    )
    topics = TopicRefSerializer(many=True)
    participants = ParticipantSerializer(many=True, source="participations")
    claim_bases = ClaimBasisSerializer(
        many=True, help_text="Which of its date and place are inferred or from outside the documents."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "id", "slug", "title", "kind", "kind_label", "date", "may_be_outside_dates", "place", "country",
            "summary", "topics", "participants", "claim_bases", "url", "api_url",
        ]

    def get_may_be_outside_dates(self, event) -> str | None:
        return getattr(event, "may_be", None)

    def get_url(self, event) -> str:
        return self.page_url(event)

    def get_api_url(self, event) -> str:
        return absolute(self.context, page_url("api-event", event.slug))


class EventDetailSerializer(EventSerializer):
    participants = ParticipantDetailSerializer(many=True, source="participations")
    citations = CitationSerializer(many=True)
    claim_bases = ClaimBasisWithQuotesSerializer(
        many=True, help_text="The event's claims that are inferred or from outside the documents, with their basis."
    )

    class Meta(EventSerializer.Meta):
        fields = [name for name in EventSerializer.Meta.fields if name != "may_be_outside_dates"] + ["citations"]


class AliasField(serializers.ListField):
    child = serializers.CharField()

    def to_representation(self, aliases):
        return [alias.name for alias in aliases.all()]


class ExternalIdentifierSerializer(serializers.Serializer):
    """An identifier in another database: not from the documents, as the pages mark it."""

    database = serializers.CharField(help_text="“Wikidata QID”, “OpenSanctions ID”, ...")
    identifier = serializers.CharField()
    url = serializers.URLField()
    basis = serializers.CharField(help_text="Always “outside”: an editor added it, the documents do not give it.")


class ExternalIdentifiers(serializers.Serializer):
    external_identifiers = serializers.SerializerMethodField()

    @extend_schema_field(ExternalIdentifierSerializer(many=True))
    def get_external_identifiers(self, actor):
        return actor.external_identifiers()


class PersonSerializer(serializers.ModelSerializer, PageLinks, ExternalIdentifiers):
    styled_name = serializers.CharField(help_text="With the honorific: “Sir Keir Starmer”.")
    event_count = serializers.IntegerField(help_text="The published events they took part in.")
    outside_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields whose values do not come from the documents."
    )
    is_placeholder = serializers.BooleanField(
        help_text="Someone the documents mention but do not name; the site lists these apart."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id", "slug", "name", "styled_name", "sort_name", "honorific", "native_name", "native_name_language",
            "country", "description", "is_placeholder", "outside_fields", "external_identifiers", "event_count",
            "url", "api_url",
        ]

    def get_url(self, person) -> str:
        return self.page_url(person)

    def get_api_url(self, person) -> str:
        return absolute(self.context, page_url("api-person", person.slug))


class PersonDetailSerializer(PersonSerializer):
    aliases = AliasField(help_text="The other forms of the name the documents use.")
    offices = OfficeSerializer(many=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "aliases", "offices"]


class OrganizationSerializer(serializers.ModelSerializer, PageLinks, ExternalIdentifiers):
    kind_label = LabelField("kind")
    parent = ActorField("parent")
    event_count = serializers.IntegerField(help_text="The published events it took part in.")
    outside_fields = serializers.ListField(
        child=serializers.CharField(), help_text="Fields whose values do not come from the documents."
    )
    is_placeholder = serializers.BooleanField(
        help_text="One the documents mention but do not name; the site lists these apart."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "id", "slug", "name", "kind", "kind_label", "country", "parent", "description", "is_placeholder",
            "outside_fields", "external_identifiers", "event_count", "url", "api_url",
        ]

    def get_url(self, organization) -> str:
        return self.page_url(organization)

    def get_api_url(self, organization) -> str:
        return absolute(self.context, page_url("api-organization", organization.slug))


class OrganizationDetailSerializer(OrganizationSerializer):
    aliases = AliasField(help_text="The other forms of the name the documents use.")

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "aliases"]


class EventRefSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = ["slug", "title", "url"]

    def get_url(self, event) -> str:
        return absolute(self.context, event.get_absolute_url())


class StatusChangeSerializer(serializers.Serializer):
    """An entry of a sanction's status log, with the quote that says so."""

    change = serializers.CharField(help_text="imposed, extended, suspended or lifted")
    change_label = LabelField("change", StatusChange)
    date = FuzzyDateSerializer()
    citation = CitationSerializer(allow_null=True, help_text="Null only for an entry carried over with no quote yet.")


class SanctionSerializer(serializers.ModelSerializer, PageLinks):
    imposed_by = ActorField("imposed_by", help_text="The authority that imposed it, if the documents say.")
    target = ActorField("target")
    status_label = LabelField("status")
    announced = FuzzyDateSerializer()
    status_log = StatusChangeSerializer(
        many=True, source="status_log_in_order", help_text="In date order; the status is the last entry's."
    )
    announced_in = serializers.SerializerMethodField(help_text="The event that announced it, if published.")
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = [
            "id", "imposing_country", "imposed_by", "target", "regime", "measures", "reason", "status",
            "status_label", "announced", "status_log", "announced_in", "url", "api_url",
        ]

    @extend_schema_field(EventRefSerializer(allow_null=True))
    def get_announced_in(self, sanction):
        event = sanction.announced_in
        if event is None or not event.is_published:
            return None
        return EventRefSerializer(event, context=self.context).data

    def get_url(self, sanction) -> str:
        return self.page_url(sanction)

    def get_api_url(self, sanction) -> str:
        return absolute(self.context, page_url("api-sanction", sanction.pk))


class SanctionDetailSerializer(SanctionSerializer):
    citations = CitationSerializer(many=True)
    claim_bases = ClaimBasisWithQuotesSerializer(many=True)

    class Meta(SanctionSerializer.Meta):
        fields = [*SanctionSerializer.Meta.fields, "citations", "claim_bases"]


class SourceSerializer(serializers.ModelSerializer, PageLinks):
    kind_label = LabelField("kind")
    published = FuzzyDateSerializer()
    original_url = serializers.CharField(source="url", help_text="Where it was published, if known.")
    citation_count = serializers.IntegerField(help_text="Its quotes cited on the public pages.")
    url = serializers.SerializerMethodField(help_text="Its page on the site.")
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = [
            "id", "slug", "kind", "kind_label", "title", "title_by_archive", "outlet", "author", "published",
            "original_url", "citation_count", "url", "api_url",
        ]

    def get_url(self, source) -> str:
        return self.page_url(source)

    def get_api_url(self, source) -> str:
        return absolute(self.context, page_url("api-source", source.slug))


class SourceDetailSerializer(SourceSerializer):
    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text", "notes"]


class TopicSerializer(serializers.ModelSerializer, PageLinks):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    event_count = serializers.SerializerMethodField(
        help_text="Published events about it or a topic under it, as last counted (at `counted_at`)."
    )
    direct_count = serializers.SerializerMethodField(help_text="Published events tagged with it directly.")
    counted_at = serializers.SerializerMethodField(
        help_text="When the counts were made: they are kept for an hour, or until any record changes, as the topic list's are."
    )
    url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = [
            "id", "slug", "name", "parent", "description", "event_count", "direct_count", "counted_at", "url",
            "api_url",
        ]

    def counts(self, topic):
        return self.context["topic_counts"].get(topic.pk, (0, 0))

    def get_event_count(self, topic) -> int:
        return self.counts(topic)[0]

    def get_direct_count(self, topic) -> int:
        return self.counts(topic)[1]

    def get_counted_at(self, topic) -> datetime.datetime:
        return self.context["topic_counts_at"]

    def get_url(self, topic) -> str:
        return self.page_url(topic)

    def get_api_url(self, topic) -> str:
        return absolute(self.context, page_url("api-topic", topic.slug))
