import json

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, get_text_list
from django.utils.timezone import localtime
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from .dates import column_names
from .models import (
    CLAIM_TARGETS,
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
    SpellingVariant,
    Topic,
)
from .text import NormalizedTextField

admin.site.site_header = "Diplo editors"
admin.site.site_title = "Diplo admin"
admin.site.index_title = "Records"


# Versions: a save from a form shown before another editor's save is refused (a lost update).


class VersionField(forms.IntegerField):
    """The version of the record a form showed, sent back hidden with it. It never counts as a
    change: a form is changed by what its editor typed, not by how old it is."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        # Bounded as the column is, so a forged value is a form error, not a database's overflow.
        super().__init__(required=False, min_value=1, max_value=2**31 - 1, **kwargs)

    def has_changed(self, initial, data):
        return False


class VersionedForm(forms.ModelForm):
    """The admin form of a VersionedModel: refuses to save over a change made since it was shown.

    It carries the version it showed; if the stored version has moved on, the save is refused,
    saying who changed what, and nothing of it is saved. The admin saves a record's own form
    whether or not anything in it changed, and the inlines beside it (participants, aliases)
    have no version of their own, so this form is checked on every save. A revert's form shows
    an old version on purpose: it carries the version stored when it was shown, the one the
    revert replaces.
    """

    loaded_version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if to_historic(self.instance) is not None:
            self.fields["loaded_version"].initial = self.instance.stored_version()
        elif self.instance.pk is not None:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is not None and self.will_be_saved():
            self.refuse_if_stale(cleaned_data.get("loaded_version"))
        return cleaned_data

    def will_be_saved(self):
        return True

    def refuse_if_stale(self, shown_version):
        stored = self.instance.stored_version(lock=True)
        # None: the record was deleted, and this is the revert that brings it back.
        if stored is not None and stored != shown_version:
            raise ValidationError(stale_message(self.instance, shown_version), code="stale")


class VersionedInlineForm(VersionedForm):
    """An inline's VersionedForm: the admin saves an inline only if it changed, so an unchanged
    one, however old, overwrites nothing and is let through."""

    def will_be_saved(self):
        return self.has_changed()


def stale_message(record, shown_version):
    """Tells an editor that `record` was saved by someone else after their form showed `shown_version`."""
    latest, changed = changes_since(record, shown_version)
    if latest is None:
        what = ""
    else:
        who = latest.history_user.get_username() if latest.history_user else "someone"
        when = date_format(localtime(latest.history_date), "j F Y, H:i")
        if changed:
            what = f" {who} changed {get_text_list(changed, 'and')} ({when})."
        else:
            reason = (latest.history_change_reason or "no field shown here changed").rstrip(".")
            what = f" {who} saved it ({when}): {reason}."
    return (
        f"This {record._meta.verbose_name} was changed since you opened this form:{what} Nothing "
        "you entered was saved: reload the page to see the current version, then make your changes again."
    )


def changes_since(record, version):
    """(The latest version of `record` in its history, the labels of the fields changed since
    `version`), or (None, []) for a record that keeps no history (an office, a topic)."""
    history = getattr(type(record), "history", None)
    if history is None:
        return None, []
    versions = history.filter(**{record._meta.pk.attname: record.pk}).order_by("-history_date", "-history_id")
    latest = versions.first()
    # The last history row of a version holds it complete, its many-to-many fields set.
    shown = versions.filter(version=version).first() if version is not None else None
    if latest is None or shown is None:
        return latest, []
    changed = latest.diff_against(shown).changed_fields
    return latest, [capfirst(record._meta.get_field(name).verbose_name) for name in changed]


class VersionedAdmin:
    """The admin of a VersionedModel: its forms are VersionedForms, and the version they carry
    is a hidden field of the first fieldset."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        seen_only = obj is not None and not self.has_change_permission(request, obj)
        if seen_only or "loaded_version" in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "loaded_version"]}), *rest]


class VersionedInline(VersionedAdmin):
    """An inline of a VersionedModel."""

    form = VersionedInlineForm


def is_a_key(model, text):
    """Whether `text`, from the address or a form, has the form of one of `model`'s primary keys,
    in the range its column holds (the database fails on a larger number, where a lookup should
    find nothing)."""
    try:
        model._meta.pk.run_validators(model._meta.pk.to_python(text))
    except ValidationError:
        return False
    return True


# Records chosen in a form: an id that names none is refused, and never sent to the database,
# which fails on one past its column's range (SQLite: "Python int too large to convert").


class ShowsOnlyWellFormedKeys:
    """An autocomplete widget that, showing a form again, looks up only the records it was sent
    whose keys are well formed. Django's looks up whatever was sent, so a form refused for an id
    such as "abc", or a number past the column's range, was a 500 instead of its errors."""

    def optgroups(self, name, value, attr=None):
        model = self.field.remote_field.model
        return super().optgroups(name, [each for each in value if is_a_key(model, each)], attr)


class CheckedAutocompleteSelect(ShowsOnlyWellFormedKeys, AutocompleteSelect):
    pass


class CheckedAutocompleteSelectMultiple(ShowsOnlyWellFormedKeys, AutocompleteSelectMultiple):
    pass


class CheckedMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses an id that is not a well-formed key as Django refuses one that names no record.
    Django looks the ids up all at once, where a number past the column's range fails in SQLite
    (one at a time, as a single choice is looked up, it simply finds nothing)."""

    def clean(self, value):
        for key in value if isinstance(value, (list, tuple)) else []:
            if key not in self.empty_values and not is_a_key(self.queryset.model, key):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                )
        return super().clean(value)


class ChecksChosenKeys:
    """An admin or inline whose fields that choose records use the widgets and field above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = CheckedAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", CheckedMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CitationInline(ChecksChosenKeys, VersionedInline, admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "quote"]


class AliasInline(admin.TabularInline):
    model = Alias
    extra = 0
    fields = ["name", "kind"]


class ParticipationInline(ChecksChosenKeys, admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["person", "organization", "office"]
    fields = ["person", "organization", "role", "office", "order"]


class EventRelationInline(ChecksChosenKeys, admin.TabularInline):
    model = EventRelation
    fk_name = "from_event"
    extra = 0
    autocomplete_fields = ["to_event"]
    verbose_name = "related event"
    verbose_name_plural = "related events (this event … that event)"


class SanctionResponseInline(ChecksChosenKeys, admin.TabularInline):
    model = SanctionResponse
    fk_name = "sanction"
    extra = 0
    autocomplete_fields = ["answers_sanction", "answers_event"]
    verbose_name = "what this sanction answers"
    verbose_name_plural = "what this sanction answers (a sanction or an event, each on its own row)"


class ClaimBasisForm(forms.ModelForm):
    """A claim basis as editors give it: an inferred claim names the quotes it rests on (the model's
    clean() checks the rest, which needs no many-to-many field)."""

    def clean(self):
        cleaned_data = super().clean()
        inferred = cleaned_data.get("basis") == ClaimBasis.Basis.INFERRED
        if inferred and "citations" in self.fields and not cleaned_data.get("citations"):
            self.add_error("citations", "An inferred claim must cite at least one quote it rests on.")
        return cleaned_data


class ClaimBasisFormSet(BaseInlineFormSet):
    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.instance.intended_target = self.fk.name  # checked before a new record has its key
        return form


class ClaimBasisInline(ChecksChosenKeys, admin.StackedInline):
    """The claims of the record that no quote plainly states. A claim with none here is stated."""

    model = ClaimBasis
    form = ClaimBasisForm
    formset = ClaimBasisFormSet
    extra = 0
    autocomplete_fields = ["citations"]
    fields = ["claim", "basis", "reasoning", "citations", "outside_source"]
    verbose_name = "claim not stated by a quote"
    verbose_name_plural = "claims not stated by a quote (inferred, or from outside the documents)"


class OfficeInline(ChecksChosenKeys, VersionedInline, admin.TabularInline):
    model = Office
    extra = 0
    autocomplete_fields = ["organization"]
    fields = ["title", "organization", *column_names("start"), *column_names("end")]
    show_change_link = True


class HistoryAdmin(ChecksChosenKeys, VersionedAdmin, SimpleHistoryAdmin):
    """The admin of a record whose every change is kept: its History page lists each version,
    who saved it, when and what changed, and opens any version to revert to it.

    That page replaces Django's own, which listed the admin's messages ("Changed quote for
    citation ..."); each version keeps the message as its reason, so changes made in the
    inlines beside it (participants, related events, aliases, offices) are still told.
    """

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Asked before the version is looked up, so that a user who may not see the history
        # learns nothing from the answer, not even whether the version exists.
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        # django-simple-history would look an id like "abc" up, and fail with a 500.
        versions = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        if not (is_a_key(self.model, object_id) and is_a_key(versions, version_id)):
            raise Http404
        # django-simple-history only hides the Revert button from a user who may view but not
        # change, and saves their POST all the same; reverting is a change, so refuse it.
        if request.method == "POST" and not self.has_change_history_permission(request):
            raise PermissionDenied
        # In one transaction, as the admin's own change view is: a revert refused halfway
        # (a stale form, a source's text its citations no longer stand in) leaves nothing saved.
        with transaction.atomic(using=router.db_for_write(self.model)):
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


class ShallowJSONDecoder(json.JSONDecoder):
    """Reads JSON as json does, and refuses as invalid any nested too deep for Python's parser,
    which raises RecursionError (a 500) from a depth of some tens of thousands."""

    def decode(self, text, *args, **kwargs):
        try:
            return super().decode(text, *args, **kwargs)
        except RecursionError:
            raise json.JSONDecodeError("nested too deeply", text, 0) from None


JSON_FORM_FIELDS = {models.JSONField: {"decoder": ShallowJSONDecoder}}


def fuzzy_fieldset(prefix, label):
    """A fuzzy date's three columns, side by side under `label`."""
    return (label, {"fields": [column_names(prefix)]})


def fuzzy_date_column(prefix):
    """A list column showing the fuzzy date `prefix` as the pages do, sorted by its earliest day."""

    @admin.display(description=prefix, ordering=f"{prefix}_earliest")
    def column(model_admin, record):
        return str(getattr(record, prefix))

    return column


class CitationsBesideTheirSource(BaseInlineFormSet):
    """A source's citations, edited on its page. The admin builds them before it checks the
    source's own form, so they hand the source their quotes as submitted: a change to its text is
    then checked against the citations as they will be, and an editor can correct them in the
    same step (Source.refuse_to_orphan_citations)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.instance.revised_quotes = dict(self.submitted_quotes())

    def submitted_quotes(self):
        """(pk, quote as submitted, or None if it is to be deleted) for each citation shown."""
        for form in self.initial_forms:
            if form.instance.pk is None:
                continue
            if self.can_delete and form["DELETE"].data:
                yield form.instance.pk, None
            else:
                yield form.instance.pk, form.fields["quote"].to_python(form["quote"].data)


class SourceCitationInline(VersionedInline, admin.TabularInline):
    model = Citation
    formset = CitationsBesideTheirSource
    extra = 0
    fields = ["quote", "supports"]
    readonly_fields = ["supports"]
    verbose_name_plural = "citations of this source, checked against its text"
    # A source has dozens of citations, each a sentence or two.
    formfield_overrides = {NormalizedTextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 80})}}

    def has_add_permission(self, request, obj=None):
        return False  # a citation is added beside the record it supports, which it needs

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("event", "sanction__target_person", "sanction__target_organization", "office__person")
        )

    @admin.display(description="supports")
    def supports(self, citation):
        record = citation.event or citation.sanction or citation.office
        url = reverse(f"admin:events_{record._meta.model_name}_change", args=[record.pk])
        return format_html('<a href="{}">{}: {}</a>', url, record._meta.verbose_name, record)


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "kind", "outlet", "published_display", "seed_file"]
    list_filter = ["kind", "outlet", "published_precision"]
    search_fields = ["title", "outlet", "author", "text"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["work_on_it", "title", "slug", "kind", "outlet", "author", "url"]}),
        fuzzy_fieldset("published", "Published"),
        (None, {"fields": ["text", "seed_file", "notes"]}),
    ]
    readonly_fields = ["work_on_it"]
    inlines = [SourceCitationInline]

    published_display = fuzzy_date_column("published")

    @admin.display(description="Work on this document")
    def work_on_it(self, source):
        if source.pk is None:
            return "Once it is saved: its names and dates read, and records made from its passages."
        return format_html(
            '<a href="{}">Read its names and dates, and make records from its passages</a>',
            reverse("work_on_source", args=[source.slug]),
        )


@admin.register(Person)
class PersonAdmin(HistoryAdmin):
    list_display = ["name", "honorific", "native_name", "country", "description"]
    list_filter = ["country", "honorific"]
    search_fields = ["name", "sort_name", "native_name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = JSON_FORM_FIELDS
    inlines = [AliasInline, OfficeInline]


@admin.register(Organization)
class OrganizationAdmin(HistoryAdmin):
    list_display = ["name", "kind", "country", "parent"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    formfield_overrides = JSON_FORM_FIELDS
    inlines = [AliasInline]


@admin.register(Topic)
class TopicAdmin(ChecksChosenKeys, VersionedAdmin, admin.ModelAdmin):
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
class OfficeAdmin(ChecksChosenKeys, VersionedAdmin, admin.ModelAdmin):
    list_display = ["title", "person", "organization", "start_display", "end_display"]
    list_filter = ["title"]
    search_fields = ["title", "person__name", "person__aliases__name", "organization__name"]
    autocomplete_fields = ["person", "organization"]
    fieldsets = [
        (None, {"fields": ["person", "title", "organization"]}),
        fuzzy_fieldset("start", "Start"),
        fuzzy_fieldset("end", "End"),
    ]
    inlines = [CitationInline, ClaimBasisInline]

    start_display = fuzzy_date_column("start")
    end_display = fuzzy_date_column("end")


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
    inlines = [ParticipationInline, CitationInline, EventRelationInline, ClaimBasisInline]

    date_display = fuzzy_date_column("date")

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
    autocomplete_fields = ["imposed_by", "target_person", "target_organization", "announced_in"]
    fieldsets = [
        (None, {"fields": ["imposing_country", "imposed_by", "target_person", "target_organization"]}),
        (None, {"fields": ["regime", "measures", "reason", "status", "is_published"]}),
        fuzzy_fieldset("announced", "Announced"),
        fuzzy_fieldset("lifted", "Lifted"),
        (None, {"fields": ["announced_in"]}),
    ]
    inlines = [SanctionResponseInline, CitationInline, ClaimBasisInline]

    announced_display = fuzzy_date_column("announced")


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    list_display = ["__str__", "source", "event", "sanction", "office"]
    list_filter = ["source"]
    search_fields = ["quote", "source__title"]
    autocomplete_fields = ["source", "event", "sanction", "office"]


@admin.register(ClaimBasis)
class ClaimBasisAdmin(ChecksChosenKeys, admin.ModelAdmin):
    """Every claim basis, including those about a participant, a related event or an answer, which
    have no page of their own to sit beside (an inline cannot hold an inline)."""

    form = ClaimBasisForm
    list_display = ["claim", "basis", "record_column"]
    list_filter = ["basis", "claim"]
    search_fields = ["claim", "reasoning", "outside_source"]
    autocomplete_fields = ["event", "sanction", "office", "citations"]
    raw_id_fields = ["participation", "event_relation", "sanction_response"]
    fieldsets = [
        ("The record it is about (one only)", {"fields": CLAIM_TARGETS}),
        (None, {"fields": ["claim", "basis", "reasoning", "citations", "outside_source"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_records()

    @admin.display(description="record")
    def record_column(self, basis):
        return basis.record


@admin.register(SpellingVariant)
class SpellingVariantAdmin(HistoryAdmin):
    list_display = ["term", "equivalents", "note"]
    search_fields = ["term", "equivalents", "note"]
    fields = ["term", "equivalents", "note"]
    formfield_overrides = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})}}
