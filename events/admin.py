from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from .models import (
    Alias,
    Citation,
    Event,
    EventRelation,
    Organization,
    Participation,
    Person,
    Office,
    Sanction,
    Source,
    Topic,
)

admin.site.site_header = "Diplo editors"
admin.site.site_title = "Diplo admin"
admin.site.index_title = "Records"


class CitationInline(admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote"]


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0
    fields = ["name", "kind"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["person", "organization", "office"]
    fields = ["person", "organization", "role", "office", "order"]


class EventRelationInline(admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "related event"
    verbose_name_plural = "related events (this event … that event)"


class OfficeInline(admin.TabularInline):
    model = Office
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["title", "organization", "start_precision", "start_earliest", "start_latest",
              "end_precision", "end_earliest", "end_latest"]
    show_change_link = True


class HistoryAdmin(SimpleHistoryAdmin):
    """The admin of a record whose every change is kept: its History page lists each version,
    who saved it, when and what changed, and opens any version to revert to it.

    That page replaces Django's own, which listed the admin's messages ("Changed quote for
    citation ..."); each version keeps the message as its reason, so changes made in the
    inlines beside it (participants, related events, aliases, offices) are still told.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history only hides the Revert button from a user who may view but not
        # change, and saves their POST all the same; reverting is a change, so refuse it.
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.keep_message(obj, entry)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self.keep_message(obj, entry)
        return entry

    def keep_message(self, obj, entry):
        version = obj.history.filter(history_user=entry.user_id).order_by("-history_date", "-history_id").first()
        if version is not None:
            version.history_change_reason = entry.get_change_message()
            version.save(update_fields=["history_change_reason"])


def fuzzy_fieldset(prefix, label):
    return (label, {"fields": [(f"{prefix}_precision", f"{prefix}_earliest", f"{prefix}_latest")]})


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "kind", "outlet", "published_display", "seed_file"]
    list_filter = ["kind", "outlet", "published_precision"]
    search_fields = ["title", "outlet", "author", "text"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "outlet", "author", "url"]}),
        fuzzy_fieldset("published", "Published"),
        (None, {"fields": ["text", "seed_file", "notes"]}),
    ]

    @admin.display(description="published", ordering="published_earliest")
    def published_display(self, source):
        return str(source.published)


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "honorific", "native_name", "country", "description"]
    list_filter = ["country", "honorific"]
    search_fields = ["name", "sort_name", "native_name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AliasInline, OfficeInline]


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ["name", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    inlines = [AliasInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
    list_filter = ["parent"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]

    def get_deleted_objects(self, objs, request):
        """Refuse to delete a topic that still tags events, as PROTECT refuses one with children.

        Deleting it would silently drop it from those events: no confirmation line, no history.
        An editor who means it first moves the events to another topic.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        tagged = Event.objects.filter(topics__in=[topic.pk for topic in objs]).distinct().order_by("title", "pk")
        protected = list(protected)
        for event in tagged:
            link = reverse("admin:events_event_change", args=[event.pk])
            protected.append(format_html('Event tagged with it: <a href="{}">{}</a>', link, event))
        return deleted, counts, perms_needed, protected


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["title", "person", "organization", "start_display", "end_display"]
    list_filter = ["title"]
    search_fields = ["title", "person__name", "person__aliases__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    fieldsets = [
        (None, {"fields": ["person", "title", "organization"]}),
        fuzzy_fieldset("start", "Start"),
        fuzzy_fieldset("end", "End"),
    ]
    inlines = [CitationInline]

    @admin.display(description="start", ordering="start_earliest")
    def start_display(self, office):
        return str(office.start)

    @admin.display(description="end", ordering="end_earliest")
    def end_display(self, office):
        return str(office.end)


@admin.register(Event)
class EventAdmin(HistoryAdmin):
    list_display = ["title", "date_display", "kind", "is_published"]
    list_filter = ["is_published", "kind", "date_precision", "topics", "country"]
    search_fields = ["title", "summary", "place", "citations__quote"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["topics"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "is_published"]}),
        fuzzy_fieldset("date", "Date"),
        (None, {"fields": ["place", "country", "summary", "topics"]}),
    ]
    inlines = [ParticipationInline, CitationInline, EventRelationInline]

    @admin.display(description="date", ordering="date_earliest")
    def date_display(self, event):
        return str(event.date)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        historical = to_historic(obj) if obj is not None else None
        if historical is None:
            return form
        # An old version rebuilt from history carries no topics of its own, so the revert form
        # would offer today's; offer the topics the event had then.
        topics_then = [row.topic_id for row in historical.topics.all()]

        class AsItWas(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial["topics"] = topics_then

        return AsItWas


@admin.register(Sanction)
class SanctionAdmin(HistoryAdmin):
    list_display = ["__str__", "imposing_country", "status", "announced_display", "is_published"]
    list_filter = ["imposing_country", "status", "announced_precision", "is_published"]
    search_fields = [
        "target_person__name",
        "target_person__aliases__name",
        "target_organization__name",
        "regime",
        "measures",
        "reason",
    ]
    autocomplete_fields = ["imposed_by", "target_person", "target_organization", "responds_to", "announced_in"]
    fieldsets = [
        (None, {"fields": ["imposing_country", "imposed_by", "target_person", "target_organization"]}),
        (None, {"fields": ["regime", "measures", "reason", "status", "is_published"]}),
        fuzzy_fieldset("announced", "Announced"),
        fuzzy_fieldset("lifted", "Lifted"),
        (None, {"fields": ["responds_to", "announced_in"]}),
    ]
    inlines = [CitationInline]

    @admin.display(description="announced", ordering="announced_earliest")
    def announced_display(self, sanction):
        return str(sanction.announced)


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    list_display = ["__str__", "source", "event", "sanction", "office"]
    list_filter = ["source"]
    search_fields = ["quote", "source__title"]
    autocomplete_fields = ["source", "event", "sanction", "office"]
