from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class EventsConfig(AppConfig):
    name = 'events'

    def ready(self):
        from simple_history.models import HistoricalChanges

        from .filters import forget_actor_names
        from .freshness import record_changed, records_linked
        from .models import (
            Alias,
            ArchiveVersion,
            Organization,
            Person,
            SpellingVariant,
            Topic,
        )
        from .paging import forget_topic_tree
        from .search import forget_spelling_variants

        for model in (Person, Organization, Alias):
            post_save.connect(forget_actor_names, sender=model, dispatch_uid=f"forget-names-{model.__name__}")
            post_delete.connect(forget_actor_names, sender=model, dispatch_uid=f"forget-names-{model.__name__}-deleted")
        post_save.connect(forget_topic_tree, sender=Topic, dispatch_uid="forget-topic-tree")
        post_delete.connect(forget_topic_tree, sender=Topic, dispatch_uid="forget-topic-tree-deleted")
        post_save.connect(forget_spelling_variants, sender=SpellingVariant, dispatch_uid="forget-variants")
        post_delete.connect(forget_spelling_variants, sender=SpellingVariant, dispatch_uid="forget-variants-deleted")

        # Every change to a record raises the archive's version, which the caches of pages, event
        # items, charts and counts are keyed by. The history rows are written with each save, which
        # raises it already. Changes that send no signal (update(), raw SQL) raise it where they are made.
        for model in self.get_models(include_auto_created=True):
            if model is ArchiveVersion or issubclass(model, HistoricalChanges):
                continue
            name = model._meta.label
            post_save.connect(record_changed, sender=model, dispatch_uid=f"archive-version-saved-{name}")
            post_delete.connect(record_changed, sender=model, dispatch_uid=f"archive-version-deleted-{name}")
            m2m_changed.connect(records_linked, sender=model, dispatch_uid=f"archive-version-linked-{name}")
