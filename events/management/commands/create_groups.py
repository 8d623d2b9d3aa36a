"""Create the two groups the admin's users are put in, with exactly their permissions.

- editors: add, change, delete and view every record in the archive, their history included.
- viewers: view them only.

Safe to run again: each group's permissions are brought to exactly these, and the command says
how many it added and removed. `--dry-run` says what it would do and changes nothing.
Permissions come from `migrate`, so run this after it.
"""

from django.apps import apps
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

GROUPS = {
    "editors": ["add", "change", "delete", "view"],
    "viewers": ["view"],
}


def permissions_for(actions):
    """The permissions for `actions` on every events model, historical versions included."""
    models = list(apps.get_app_config("events").get_models())
    content_types = ContentType.objects.get_for_models(*models)
    wanted = {
        (content_types[model].pk, get_permission_codename(action, model._meta))
        for model in models
        for action in actions
    }
    found = [
        permission
        for permission in Permission.objects.filter(content_type__in=content_types.values())
        if (permission.content_type_id, permission.codename) in wanted
    ]
    if len(found) != len(wanted):
        raise CommandError("Some permissions of the events app do not exist yet: run `manage.py migrate` first.")
    return found


class Command(BaseCommand):
    help = "Create the editors and viewers groups with their permissions; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would change, and change nothing.")

    @transaction.atomic
    def handle(self, *args, dry_run=False, **options):
        would = "would be " if dry_run else ""
        for name, actions in GROUPS.items():
            wanted = set(permissions_for(actions))
            group = Group.objects.filter(name=name).first()
            state = "exists" if group else f"{would}created"
            had = set(group.permissions.all()) if group else set()
            added, removed = wanted - had, had - wanted
            if not dry_run:
                group = group or Group.objects.create(name=name)
                group.permissions.set(wanted)
            self.stdout.write(
                f"{name}: {state}; {len(wanted)} permissions, {len(added)} {would}added, {len(removed)} {would}removed."
            )
