from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EventsConfig(AppConfig):
    name = 'events'

    def ready(self):
        from .filters import forget_actor_names
        from .models import Alias, Organization, Person, SpellingVariant, Topic
        from .paging import forget_topic_tree
        from .search import forget_spelling_variants

        for model in (Person, Organization, Alias):
            post_save.connect(forget_actor_names, sender=model, dispatch_uid=f"forget-names-{model.__name__}")
            post_delete.connect(forget_actor_names, sender=model, dispatch_uid=f"forget-names-{model.__name__}-deleted")
        post_save.connect(forget_topic_tree, sender=Topic, dispatch_uid="forget-topic-tree")
        post_delete.connect(forget_topic_tree, sender=Topic, dispatch_uid="forget-topic-tree-deleted")
        post_save.connect(forget_spelling_variants, sender=SpellingVariant, dispatch_uid="forget-variants")
        post_delete.connect(forget_spelling_variants, sender=SpellingVariant, dispatch_uid="forget-variants-deleted")
