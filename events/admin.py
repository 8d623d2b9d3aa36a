import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.db.models.functions import Length
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst, get_text_list
from django.utils.timezone import localtime
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import to_historic

from . import merging
from .dates import column_names
from .history import History, revert_reason
from .models import (
    CLAIM_TARGETS,
    Alias,
    Citation,
    ClaimBasis,
    Event,
    EventRelation,
    Merge,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    SanctionResponse,
    Source,
    SourceOriginal,
    SpellingVariant,
    StatusChange,
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

    class Media:
        css = {"all": ["css/admin.css"]}

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


class StatusChangeInline(admin.TabularInline):
    """The sanction's status log. Its quotes are the sanction's own citations: the menu offers those
    saved already, and the entry's clean() refuses any other."""

    model = StatusChange
    extra = 0
    fields = ["change", *column_names("date"), "citation"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        cited = Citation.objects.filter(sanction=obj) if obj is not None else Citation.objects.none()
        formset.form.base_fields["citation"].queryset = cited.select_related("source")
        return formset


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
        if request.method == "POST":
            version = versions.objects.filter(pk=version_id).values_list("history_date", flat=True).first()
            request.reverted_to = version
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)

    object_history_list_template = "admin/events/history_list.html"

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self.keep_message(obj, entry.user_id, entry.get_change_message())
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        reverted_to = getattr(request, "reverted_to", None)
        if reverted_to is None:
            self.keep_message(obj, entry.user_id, entry.get_change_message())
        else:
            # The admin's own message would be "No fields changed.": the revert's form starts
            # from the old version, so only what the editor changed on top of it counts.
            self.keep_message(obj, entry.user_id, revert_reason(reverted_to, message and entry.get_change_message()))
        return entry

    def keep_message(self, obj, user_id, message):
        version = obj.history.filter(history_user=user_id).order_by("-history_date", "-history_id").first()
        if version is not None:
            version.history_change_reason = message
            version.save(update_fields=["history_change_reason"])

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        """The record's versions, and those of the records merged into it, newest first."""
        merged = []
        if self.model in (Person, Organization) and is_a_key(self.model, object_id):
            merged = Merge.objects.in_force().filter(**{f"survivor_{self.model._meta.model_name}": object_id})
            merged = list(merged.values_list("old_pk", flat=True))
        versions = history_manager.filter(**{f"{pk_name}__in": [object_id, *merged]})
        # As django-simple-history does: the linked records each diff shows, read with the versions
        # (named, as select_related() with no names is deprecated).
        linked = [field.name for field in versions.model.tracked_fields if isinstance(field, models.ForeignKey)]
        return versions.select_related("history_user", *linked).order_by("-history_date", "-history_id")

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Labels each version, and compares it with the one before it of the same record (the
        list mixes in the versions of records merged into this one)."""
        records = list(historical_records)
        for position, current in enumerate(records):
            current.label = History.label(current)
            current.is_as_loaded = current.history_change_reason == History.FIRST_VERSION_REASON
            previous = next((older for older in records[position + 1 :] if older.id == current.id), None)
            if previous is not None:
                delta = current.diff_against(previous, foreign_keys_are_objs=foreign_keys_are_objs)
                helper = self.get_historical_record_context_helper(request, current)
                current.history_delta_changes = helper.context_for_delta_changes(delta)


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
        (None, {"fields": ["text", "seed_file", "original_file", "notes"]}),
    ]
    readonly_fields = ["work_on_it", "original_file"]
    inlines = [SourceCitationInline]

    published_display = fuzzy_date_column("published")

    def get_urls(self):
        from django.urls import path

        from .admin_documents import add_document_view, original_view

        wrap = self.admin_site.admin_view
        return [
            path("add-document/", wrap(add_document_view(self)), name="events_source_add_document"),
            path("<path:object_id>/original/", wrap(original_view(self)), name="events_source_original"),
            *super().get_urls(),
        ]

    def document_limit(self):
        from django.conf import settings

        return settings.DIPLO_DOCUMENT_MAX_BYTES

    @admin.display(description="original")
    def original_file(self, source):
        kept = SourceOriginal.objects.filter(source=source.pk).defer("content").annotate(size=Length("content"))
        original = kept.first() if source.pk else None
        if original is None:
            return "None kept in the archive: a seed document's file is named above." if source.seed_file else "None kept."
        link = reverse("admin:events_source_original", args=[source.pk])
        return format_html(
            '<a href="{}">View as text</a> · <a href="{}?download=1">Download</a> — {}, {} bytes, from {}, '
            "received {}; SHA-256 {}",
            link,
            link,
            original.content_type,
            f"{original.size:,}",
            original.origin,
            date_format(localtime(original.received_at), "j F Y, H:i"),
            original.sha256,
        )

    @admin.display(description="Work on this document")
    def work_on_it(self, source):
        if source.pk is None:
            return "Once it is saved: its names and dates read, and records made from its passages."
        return format_html(
            '<a href="{}">Read its names and dates, and make records from its passages</a>',
            reverse("work_on_source", args=[source.slug]),
        )


class MergeableAdmin(HistoryAdmin):
    """People and organizations: two that are one can be merged (events/merging.py), from the
    list's action, through a page that shows what will move."""

    actions = ["merge_two"]

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_merge"
        view = self.admin_site.admin_view(self.merge_view)
        return [path("<path:loser_id>/merge/<path:survivor_id>/", view, name=name), *super().get_urls()]

    def has_merge_permission(self, request):
        return self.has_change_permission(request) and self.has_delete_permission(request)

    @admin.action(description="Merge the two selected %(verbose_name_plural)s…", permissions=["merge"])
    def merge_two(self, request, queryset):
        chosen = list(queryset.order_by("pk")[:3])
        if len(chosen) != 2:
            plural = self.opts.verbose_name_plural
            self.message_user(
                request,
                f"Choose exactly two {plural} to merge: one is kept, the other merged into it.",
                messages.ERROR,
            )
            return None
        # The older record is offered as the one kept; the page lets the editor swap them.
        survivor, loser = chosen
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_merge", loser.pk, survivor.pk)

    def merge_view(self, request, loser_id, survivor_id):
        if not self.has_merge_permission(request):
            raise PermissionDenied
        if not (is_a_key(self.model, loser_id) and is_a_key(self.model, survivor_id)):
            raise Http404
        loser = self.model.objects.filter(pk=loser_id).first()
        survivor = self.model.objects.filter(pk=survivor_id).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Merge two {self.opts.verbose_name_plural}",
            "loser": loser,
            "survivor": survivor,
        }
        status = 200
        if loser is None or survivor is None:
            missing = loser_id if loser is None else survivor_id
            context["refusal"] = (
                f"There is no {self.opts.verbose_name} with id {missing} (any more): it may have been merged "
                "or deleted since. Nothing was merged."
            )
            status = 404
        elif loser.pk == survivor.pk:
            context["refusal"] = f"{loser} cannot be merged into itself: choose two different {self.opts.verbose_name_plural}."
            status = 400
        elif request.method == "POST":
            try:
                merge = merging.merge(
                    loser,
                    survivor,
                    user=request.user,
                    loser_version=version_posted(request, "loser_version"),
                    survivor_version=version_posted(request, "survivor_version"),
                )
            except merging.MergeRefused as refusal:
                context["refusal"] = str(refusal)
                status = 409
                loser = context["loser"] = self.model.objects.filter(pk=loser_id).first()
                survivor = context["survivor"] = self.model.objects.filter(pk=survivor_id).first()
            else:
                undo_url = reverse("admin:events_merge_undo", args=[merge.pk])
                self.message_user(
                    request,
                    format_html(
                        '{} was merged into {}: {}. <a href="{}">Undo this merge</a>',
                        merge.old_name,
                        survivor,
                        merging.moved_words(merge.snapshot["moved"]),
                        undo_url,
                    ),
                    messages.SUCCESS,
                )
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", survivor.pk)
        if loser is not None and survivor is not None and loser.pk != survivor.pk:
            context["moving"] = merging.what_would_move(loser)
            context["shared"] = merging.shared_events(loser, survivor)
            known = {survivor.name.casefold(), *(a.casefold() for a in survivor.aliases.values_list("name", flat=True))}
            known |= {a.casefold() for a in loser.aliases.values_list("name", flat=True)}
            context["new_alias"] = None if loser.name.casefold() in known else loser.name
        return render(request, "admin/events/merge_confirm.html", context, status=status)


def version_posted(request, name):
    """The version a confirmation page showed, as posted; one that is not a number is none shown,
    and the merge then goes by the records as they are."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    """Every merge made, read-only, each with a way to undo it."""

    list_display = ["__str__", "merged_at", "merged_by", "undone_at"]
    list_select_related = ["survivor_person", "survivor_organization", "merged_by"]
    list_filter = ["undone_at"]
    search_fields = ["old_name", "old_slug", "survivor_person__name", "survivor_organization__name"]
    fields = ["old_name", "old_slug", "old_pk", "survivor_person", "survivor_organization", "merged_at", "merged_by",
              "undone_at", "undone_by", "moved"]
    readonly_fields = fields
    change_form_template = "admin/events/merge_change_form.html"

    def has_add_permission(self, request):
        return False  # a merge is made from the list of people or organizations

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # deleting it would lose the old address's redirect and the undo

    @admin.display(description="what moved")
    def moved(self, merge):
        return merging.moved_words(merge.snapshot.get("moved", []))

    def get_urls(self):
        view = self.admin_site.admin_view(self.undo_view)
        return [path("<path:merge_id>/undo/", view, name="events_merge_undo"), *super().get_urls()]

    def undo_view(self, request, merge_id):
        merge = Merge.objects.filter(pk=merge_id).first() if is_a_key(Merge, merge_id) else None
        if merge is None:
            raise Http404
        if not self.admin_site._registry[type(merge.survivor)].has_merge_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": "Undo a merge", "merge": merge}
        status = 200
        if merge.is_undone:
            context["refusal"] = "This merge was undone already: there is nothing to undo."
        elif request.method == "POST":
            try:
                left = merging.undo(merge, user=request.user)
            except merging.MergeRefused as refusal:
                context["refusal"] = str(refusal)
                status = 409
            else:
                self.message_user(request, f"The merge of {merge.old_name} into {merge.survivor} was undone. {left}")
                return redirect(f"admin:events_{merge.survivor._meta.model_name}_change", merge.old_pk)
        return render(request, "admin/events/merge_undo.html", context, status=status)


@admin.register(Person)
class PersonAdmin(MergeableAdmin):
    list_display = ["name", "honorific", "native_name", "country", "description"]
    list_filter = ["country", "honorific"]
    search_fields = ["name", "sort_name", "native_name", "aliases__name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    formfield_overrides = JSON_FORM_FIELDS
    inlines = [AliasInline, OfficeInline]


@admin.register(Organization)
class OrganizationAdmin(MergeableAdmin):
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
    readonly_fields = ["status"]
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
        (None, {"fields": ["announced_in"]}),
    ]
    inlines = [SanctionResponseInline, CitationInline, StatusChangeInline, ClaimBasisInline]

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
