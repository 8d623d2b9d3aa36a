"""Every saved change to a record, kept by django-simple-history with who made it and when."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from simple_history.models import HistoricalRecords

# Set within unrecorded(): deletes then make no history.
_unrecorded = ContextVar("history_unrecorded", default=False)


@contextmanager
def unrecorded():
    """Within it, a delete makes no history: for work on a copy whose history is not kept (the
    whole-archive download removing its drafts, events/archive.py), where a history row for each
    deleted record was most of the work."""
    token = _unrecorded.set(True)
    try:
        yield
    finally:
        _unrecorded.reset(token)


class History(HistoricalRecords):
    """Every saved change, with who made it and when; editors see it and revert from the admin.

    Loading the archive is not an edit, so it makes no history: `loaddata` saves raw, then sets
    many-to-many fields, which django-simple-history would otherwise record as an anonymous change.
    A record that has no history yet (loaded, or older than history) gets its stored version
    recorded just before its first change, so that change can be seen and undone.
    """

    FIRST_VERSION_REASON = "The record as it stood before its first recorded change"

    @classmethod
    def label(cls, version):
        """What made `version`, for the history page: "As loaded" for the version kept before a
        loaded record's first change, else its reason (the admin's message, a revert, a merge),
        else its kind ("Created", "Changed", "Deleted")."""
        if version.history_change_reason == cls.FIRST_VERSION_REASON:
            return "As loaded"
        return version.history_change_reason or version.get_history_type_display()

    def __init__(self, **options):
        # The admin's message for a change can be long: it names every inline changed with it.
        options.setdefault("history_change_reason_field", models.TextField(null=True, blank=True))
        super().__init__(**options)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            models.signals.pre_save.connect(self.pre_save, sender=sender, weak=False)

    def pre_save(self, instance, raw=False, using=None, **kwargs):
        if not raw and not instance._state.adding and not hasattr(instance, "skip_history_when_saving"):
            self.keep_first_version(instance, using)

    def post_save(self, instance, created, using=None, **kwargs):
        if kwargs.get("raw"):
            instance.skip_history_when_saving = True  # also silences the many-to-many set that follows
        super().post_save(instance, created, using=using, **kwargs)

    def pre_delete(self, instance, using=None, **kwargs):
        if _unrecorded.get():
            return
        super().pre_delete(instance, **kwargs)
        # Recorded before the delete, not after as django-simple-history does: by then the
        # many-to-many rows (an event's topics) are gone, and the version would lack them.
        # A delete that fails rolls this back with it.
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            self.create_historical_record(instance, "-", using=using)

    def post_delete(self, instance, using=None, **kwargs):
        """Already recorded in `pre_delete`."""

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if action in ("pre_add", "pre_remove", "pre_clear") and not reverse:
            if not hasattr(instance, "skip_history_when_saving"):
                self.keep_first_version(instance, kwargs.get("using"))
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)

    def keep_first_version(self, instance, using):
        model = type(instance)
        history = getattr(model, self.manager_name)
        if instance.pk is None or history.filter(**{model._meta.pk.attname: instance.pk}).exists():
            return
        stored = model._default_manager.using(using).filter(pk=instance.pk).first()
        if stored is not None:
            stored._history_user = None  # whoever made it is not known
            stored._change_reason = self.FIRST_VERSION_REASON
            self.create_historical_record(stored, "+", using=using)


def revert_reason(reverted_to, also_changed=""):
    """The reason kept with a revert: "Reverted to the version of 18 Oct 2024 12:04", and what the
    editor changed on top of that version, if anything."""
    reason = f"Reverted to the version of {date_format(localtime(reverted_to), 'j M Y H:i')}"
    return f"{reason}, then: {also_changed}" if also_changed else reason
