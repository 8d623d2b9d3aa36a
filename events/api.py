"""The read-only JSON API at /api/v1/: the published records the pages show, filtered by the pages'
own FilterSets (events/filters.py) and paged by keys, as the timeline is (events/paging.py), so that
the API and the pages can never disagree.

Every list pages by the record a page starts after (`?after=`, which its `next` link gives) and
says how many it holds, exactly up to 1,000 (paging.COUNT_LIMIT) and then "more", as the pages do.
A bad parameter is a 400 whose JSON carries the pages' own message, keyed by the parameter.
"""

from django import forms
from django.http import JsonResponse
from django.urls import reverse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from diplo.views import NotFound

from . import serializers
from .addresses import canonical_url
from .filters import (
    RELEVANCE,
    UNKNOWN_DATE,
    ActorFilter,
    EventFilter,
    EventNumberField,
    PartialDateFilter,
    PlaceInTimelineForm,
    SanctionFilter,
    YearFilter,
)
from .models import Event, Organization, Person, Sanction, Source, Topic
from .paging import (
    COUNT_LIMIT,
    PER_PAGE,
    Tally,
    count_at_most,
    ranked_page,
    records_after,
    timeline_page,
    topic_event_counts,
)
from .presentation import mark_uncertain

# The filters whose values are typed text, not a model's field, are strings in the schema; the topic
# menu's choices are read for each request, so the schema gives its slugs as text too.
for text_filter in (ActorFilter, PartialDateFilter, YearFilter, EventFilter.base_filters["topic"]):
    extend_schema_field(OpenApiTypes.INT if text_filter is YearFilter else OpenApiTypes.STR)(text_filter)

# A page of the API holds at most this many records: a page of 100 events with their participants
# and topics reads as many queries as one of 10, but each is larger.
MOST_PER_PAGE = 100


def not_found(request, *args, **kwargs):
    """Any other address under /api/: a 404 in JSON, not the site's HTML page."""
    return JsonResponse({"detail": "There is no such address in the API: see /api/v1/ for its lists."}, status=404)


# Paging


class PageSizeField(forms.IntegerField):
    def __init__(self):
        message = f"The page size (?size=) should be a whole number from 1 to {MOST_PER_PAGE}."
        super().__init__(
            required=False,
            min_value=1,
            max_value=MOST_PER_PAGE,
            error_messages=dict.fromkeys(["invalid", "min_value", "max_value"], message),
        )


class TimelinePagingForm(PlaceInTimelineForm):
    """The timeline's own paging (?after=, ?before=: the same messages), and the page's size."""

    size = PageSizeField()


class RecordNumberField(EventNumberField):
    def __init__(self, parameter):
        super().__init__(parameter)
        self.error_messages["invalid"] = (
            f"The place in the list (?{parameter}=) should be a record’s number, as the `next` links give."
        )


class ListPagingForm(forms.Form):
    after = RecordNumberField("after")
    size = PageSizeField()


def paging_of(form):
    """The form's cleaned data; a bad value is a 400 keyed by its parameter."""
    if not form.is_valid():
        raise exceptions.ValidationError(form.errors)
    return form.cleaned_data


def tally(count):
    """A paging.Tally as JSON."""
    return {
        "number": count.number,
        "more": count.more,
        "counted_at": count.counted_at.isoformat() if count.counted_at else None,
    }


COUNT_SCHEMA = {
    "type": "object",
    "description": f"How many the list holds: exact up to {COUNT_LIMIT:,}; past that `more` is true and "
    "`number` a lower bound, or the whole archive's total as counted at `counted_at`.",
    "properties": {
        "number": {"type": "integer"},
        "more": {"type": "boolean"},
        "counted_at": {"type": "string", "format": "date-time", "nullable": True},
    },
    "required": ["number", "more", "counted_at"],
}
LINK_SCHEMA = {"type": "string", "format": "uri", "nullable": True}
SIZE_PARAMETER = {
    "name": "size",
    "required": False,
    "in": "query",
    "description": f"How many records a page holds: 1 to {MOST_PER_PAGE}, {PER_PAGE} if not given.",
    "schema": {"type": "integer", "minimum": 1, "maximum": MOST_PER_PAGE},
}


def after_parameter(what):
    return {
        "name": "after",
        "required": False,
        "in": "query",
        "description": f"The number of the {what} a page starts after, as the `next` link gives.",
        "schema": {"type": "integer"},
    }


class KeysetPagination(BasePagination):
    """Pages of a list in the order of the view's `keyset` fields (the last unique), each starting
    after the record `?after=` numbers: the same cost however deep the page."""

    def paginate_queryset(self, queryset, request, view):
        paging = paging_of(ListPagingForm(request.query_params))
        size = paging["size"] or PER_PAGE
        after = None
        if paging["after"] is not None:
            after = view.get_queryset().filter(pk=paging["after"]).first()
            if after is None:
                raise NotFound("The record this page was to start after is no longer in the list. Start again from the first page.")
        found = records_after(queryset, view.keyset, after, size + 1)
        shown = found[:size]
        self.next = None
        if len(found) > size:
            self.next = request.build_absolute_uri(
                canonical_url(request.path, request.query_params, view.parameters, after=shown[-1].pk)
            )
        # The whole list on its first page needs no count of its own.
        self.count = Tally(len(shown)) if after is None and len(found) <= size else count_at_most(queryset)
        return shown

    def get_paginated_response(self, data):
        return Response({"count": tally(self.count), "next": self.next, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "results"],
            "properties": {"count": COUNT_SCHEMA, "next": LINK_SCHEMA, "results": schema},
        }

    def get_schema_operation_parameters(self, view):
        return [after_parameter("record"), SIZE_PARAMETER]


class TimelinePagination(BasePagination):
    """The event list's paging, which is the timeline's (EventList.list reads it): only its schema is here."""

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "order", "not_shown", "actors", "next", "previous", "results"],
            "properties": {
                "count": COUNT_SCHEMA,
                "order": {"type": "string", "enum": ["newest", "oldest", RELEVANCE]},
                "not_shown": {
                    "type": "array",
                    "description": "What the filters leave out that the list would otherwise hold, and how to see it.",
                    "items": {
                        "type": "object",
                        "properties": {
                            "count": COUNT_SCHEMA,
                            "reason": {"type": "string"},
                            "url": {"type": "string", "format": "uri"},
                        },
                    },
                },
                "actors": {
                    "type": "object",
                    "nullable": True,
                    "description": "Whom ?actor= was taken to mean; for a name nobody has, the closest names.",
                    "properties": {
                        "text": {"type": "string"},
                        "matched": {"type": "array", "items": {"type": "object"}},
                        "closest": {"type": "array", "items": {"type": "object"}},
                    },
                },
                "next": LINK_SCHEMA,
                "previous": LINK_SCHEMA,
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        before = {**after_parameter("event"), "name": "before"}
        before["description"] = "The number of the event a page ends before, as the `previous` link gives."
        return [after_parameter("event"), before, SIZE_PARAMETER]


# The lists


class EventList(generics.ListAPIView):
    """The timeline's events, filtered and ordered as the timeline is for the same parameters."""

    serializer_class = serializers.EventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventFilter
    pagination_class = TimelinePagination
    queryset = Event.objects.published()
    parameters = [*EventFilter.base_filters, "size"]

    def list(self, request, *args, **kwargs):
        filterset = EventFilter(request.query_params, queryset=self.get_queryset(), request=request)
        if not filterset.is_valid():
            raise exceptions.ValidationError(filterset.errors)
        paging = paging_of(TimelinePagingForm(request.query_params))
        after, before, size = paging["after"], paging["before"], paging["size"] or PER_PAGE
        sort = filterset.order()
        if sort == RELEVANCE:
            page = ranked_page(filterset.qs, filterset.search_query(), after, before, size=size)
        else:
            page = timeline_page(
                filterset.qs,
                after,
                before,
                filtered=bool(filterset.describe()),
                sort=sort,
                parts=filterset.timeline_parts,
                size=size,
            )
        not_shown = []
        if filterset.has_date_range():
            mark_uncertain(page.events, *filterset.date_range_ends())
            undated = count_at_most(filterset.without_dates.without_known_date())
            if undated.number:
                not_shown.append({
                    "count": tally(undated),
                    "reason": "Events with no known date: a date range can't place them.",
                    "url": self.link(request, date_from=None, date_to=None, date=UNKNOWN_DATE),
                })
        if sort == RELEVANCE and page.unranked:
            not_shown.append({
                "count": tally(page.count),
                "reason": f"Matches past the first {page.ranked:,} in date order, which are not ranked by relevance.",
                "url": self.link(request, sort="oldest"),
            })
        return Response({
            "count": tally(page.count),
            "order": sort,
            "not_shown": not_shown,
            "actors": actors_json(filterset.form.cleaned_data.get("actor"), self.get_serializer_context()),
            "next": self.link(request, after=page.next) if page.next is not None else None,
            "previous": self.link(request, before=page.previous) if page.previous is not None else None,
            "results": self.get_serializer(page.events, many=True).data,
        })

    def link(self, request, **changes):
        """This list's address with `changes`, paging started again unless `changes` place it."""
        changes = {"after": None, "before": None, **changes}
        return request.build_absolute_uri(canonical_url(request.path, request.query_params, self.parameters, **changes))


def actors_json(actors, context):
    if actors is None:
        return None
    serializer = serializers.ActorSerializer
    return {
        "text": actors.text,
        "matched": serializer(actors.matched, many=True, context=context).data,
        "closest": serializer(actors.closest, many=True, context=context).data,
    }


class KeysetList(generics.ListAPIView):
    pagination_class = KeysetPagination
    parameters = ["size"]


class PersonList(KeysetList):
    """Everyone the archive records, by sort name; those the documents mention but do not name are marked."""

    serializer_class = serializers.PersonSerializer
    queryset = Person.objects.with_event_counts()
    keyset = ("sort_name", "id")


class OrganizationList(KeysetList):
    """Every organization the archive records, by name."""

    serializer_class = serializers.OrganizationSerializer
    queryset = Organization.objects.with_event_counts().select_related("parent")
    keyset = ("name", "id")


class SanctionList(KeysetList):
    """The published sanctions, filtered as the sanctions page is, by date announced (unknown last)."""

    serializer_class = serializers.SanctionSerializer
    queryset = Sanction.objects.published().for_api()
    filter_backends = [DjangoFilterBackend]
    filterset_class = SanctionFilter
    keyset = ("announced_earliest", "id")
    parameters = [*SanctionFilter.base_filters, "size"]


class SourceList(KeysetList):
    """Every source document, by title."""

    serializer_class = serializers.SourceSerializer
    queryset = Source.objects.for_list()
    keyset = ("title", "id")


class TopicList(KeysetList):
    """Every topic, by name, with its events as last counted."""

    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.select_related("parent")
    keyset = ("name", "id")

    def get_serializer_context(self):
        counts, counted_at = topic_event_counts()
        return {**super().get_serializer_context(), "topic_counts": counts, "topic_counts_at": counted_at}


# The records


class EventDetail(generics.RetrieveAPIView):
    """A published event with who took part (their roles and offices), its topics, its citations (each
    quote with its source) and the basis of every claim no quote states."""

    serializer_class = serializers.EventDetailSerializer
    queryset = Event.objects.published().for_api()
    lookup_field = "slug"


class PersonDetail(generics.RetrieveAPIView):
    serializer_class = serializers.PersonDetailSerializer
    queryset = Person.objects.for_api()
    lookup_field = "slug"


class OrganizationDetail(generics.RetrieveAPIView):
    serializer_class = serializers.OrganizationDetailSerializer
    queryset = Organization.objects.for_api()
    lookup_field = "slug"


class SanctionDetail(generics.RetrieveAPIView):
    serializer_class = serializers.SanctionDetailSerializer
    queryset = Sanction.objects.published().for_api_detail()


class SourceDetail(generics.RetrieveAPIView):
    """A source document with its full text."""

    serializer_class = serializers.SourceDetailSerializer
    queryset = Source.objects.for_list()
    lookup_field = "slug"


class TopicDetail(generics.RetrieveAPIView):
    """A topic with its events as last counted, as the topic list on the site says them."""

    serializer_class = serializers.TopicSerializer
    queryset = Topic.objects.select_related("parent")
    lookup_field = "slug"

    def get_serializer_context(self):
        counts, counted_at = topic_event_counts()
        return {**super().get_serializer_context(), "topic_counts": counts, "topic_counts_at": counted_at}


class Index(generics.GenericAPIView):
    """The API's lists, schema and documentation."""

    @extend_schema(responses={200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}})
    def get(self, request):
        names = ["events", "people", "organizations", "sanctions", "sources", "topics", "schema", "docs"]
        return Response({name: request.build_absolute_uri(reverse(f"api-{name}")) for name in names})

