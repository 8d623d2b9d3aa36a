"""Merging two people, or two organizations, that are one: every link to the one merged away (the
loser) moves to the one kept (the survivor), the loser's name becomes one of the survivor's aliases,
and the loser is deleted. A Merge row keeps its old address, which then leads to the survivor, and a
snapshot of the loser and of each link moved, from which `undo` puts everything back.

The links are found from the models, not listed here, so a link added to Person or Organization
later moves too: each foreign key to the loser (participations, offices, aliases, sanctions as
target or as the authority, an organization's children, earlier merges into it), and the same
columns in the history of other records (a sanction's old versions), so that reverting one of them
later names the survivor rather than a record that is gone. Citations and claim bases hang from
the records that move, so they follow with them. The loser's own history stays under its id, and
the survivor's history page shows it beside its own (events/admin.py).
"""

import json

from django.apps import apps
from django.core import serializers
from django.db import router, transaction
from django.db.models import ForeignKey
from django.utils import timezone
from django.utils.text import get_text_list

from . import freshness
from .models import (
    MAX_TREE_DEPTH,
    Alias,
    Merge,
    Organization,
    Participation,
    Person,
    chain_from,
)


class MergeRefused(Exception):
    """Why a merge, or its undo, cannot be made: a sentence for the editor. Nothing was saved."""


def links_to(model):
    """(model, field name) of every foreign key to `model`: the live records' links, then the
    same columns in the history of other records."""
    live, historical = [], []
    for candidate in apps.get_app_config("events").get_models():
        for field in candidate._meta.fields:
            if isinstance(field, ForeignKey) and field.remote_field.model is model:
                if candidate.__name__.startswith("Historical"):
                    # Its own history's id column is no foreign key; these are other records' links.
                    historical.append((candidate, field.name))
                else:
                    live.append((candidate, field.name))
    return live + historical


def what_would_move(loser):
    """[(how many, what)] of the records linked to `loser` that a merge moves, for the
    confirmation page: "3 participations in events", "1 sanction (as its target)"."""
    moving = []
    for model, field in links_to(type(loser)):
        if model.__name__.startswith("Historical"):
            continue
        count = model._base_manager.filter(**{field: loser.pk}).count()
        if count:
            name = model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural
            moving.append((count, f"{name} (as {model._meta.get_field(field).verbose_name})"))
    return moving


def shared_events(loser, survivor):
    """How many events both took part in: after the merge the survivor is listed twice in them."""
    field = type(loser)._meta.model_name
    theirs = Participation.objects.filter(**{field: survivor.pk}).values("event")
    return Participation.objects.filter(**{field: loser.pk}, event__in=theirs).values("event").distinct().count()


def merge(loser, survivor, *, user=None, loser_version=None, survivor_version=None):
    """Merges `loser` into `survivor` in one transaction; returns the Merge. Raises MergeRefused,
    saving nothing, for a record merged into itself or into one of another kind, or when either
    was changed (or merged, or deleted) since the versions the editor was shown."""
    model = type(survivor)
    if model not in (Person, Organization):
        raise MergeRefused("Only people and organizations can be merged.")
    if type(loser) is not model:
        raise MergeRefused(
            f"{loser} is {'a person' if isinstance(loser, Person) else 'an organization'} and {survivor} is "
            f"{'a person' if model is Person else 'an organization'}: only two of one kind can be merged."
        )
    if loser.pk == survivor.pk:
        raise MergeRefused(f"{survivor} cannot be merged into itself: choose two different records.")
    with transaction.atomic(using=router.db_for_write(model)):
        loser, survivor = lock_both(model, loser, survivor, loser_version, survivor_version)
        if model is Organization:
            refuse_a_tree_loop(loser, survivor)
        moved = move_links(model, loser.pk, survivor.pk)
        new_alias = alias_for(loser, survivor)
        record = json.loads(serializers.serialize("json", [loser]))[0]
        merge = Merge.objects.create(
            **{f"survivor_{model._meta.model_name}": survivor},
            old_slug=loser.slug,
            old_name=str(loser),
            old_pk=loser.pk,
            merged_by=user,
            snapshot={"record": record, "moved": moved, "new_alias": new_alias},
        )
        # Merges into the loser moved to the survivor with the rest; this one is the loser's own.
        loser._history_user = user
        loser._change_reason = f"Merged into {survivor} ({survivor.slug}); undo from merge no. {merge.pk}"
        loser.delete()
        survivor._history_user = user
        survivor._change_reason = f"Merged {loser} ({loser.slug}) into this record: {moved_words(moved)}"
        survivor.save()
    return merge


def lock_both(model, loser, survivor, loser_version, survivor_version):
    """Both records read afresh, locked until the transaction ends (on PostgreSQL; SQLite's
    IMMEDIATE transactions let one writer in at a time), in the order of their ids so that two
    merges of the same pair wait for each other instead of deadlocking."""
    locked = {
        record.pk: record
        for record in model._base_manager.select_for_update().filter(pk__in=[loser.pk, survivor.pk]).order_by("pk")
    }
    for record, shown in ((loser, loser_version), (survivor, survivor_version)):
        if record.pk not in locked:
            raise MergeRefused(
                f"{record} was merged or deleted since you opened this page: nothing was merged. "
                "Go back to the list to see the records as they are now."
            )
        if shown is not None and locked[record.pk].version != shown:
            raise MergeRefused(
                f"{record} was changed since you opened this page: nothing was merged. "
                "Reload the page to see what the merge would move now, then merge again."
            )
    return locked[loser.pk], locked[survivor.pk]


def refuse_a_tree_loop(loser, survivor):
    """The loser's children move under the survivor: refused if the survivor is among them, or
    under them, which would put it under itself."""
    above = chain_from(survivor, "parent", MAX_TREE_DEPTH)
    if any(organization.pk == loser.pk for organization in above[1:]):
        raise MergeRefused(
            f"{survivor} sits under {loser}: merged, it would sit under itself. Give {survivor} "
            "another parent first, or merge the other way round."
        )


def move_links(model, loser_pk, survivor_pk):
    """Points every link to the loser at the survivor; returns [[model label, field, [pks]]]."""
    moved = []
    for linked, field in links_to(model):
        rows = linked._base_manager.filter(**{field: loser_pk})
        pks = sorted(rows.values_list("pk", flat=True))
        if pks:
            linked._base_manager.filter(pk__in=pks).update(**{field: survivor_pk})
            freshness.bump(linked._base_manager.db)  # update() sends no signal
            moved.append([linked._meta.label, field, pks])
    return moved


def alias_for(loser, survivor):
    """Makes the loser's name an alias of the survivor, unless the survivor has that name already
    (its aliases, the loser's among them now, included); returns the new alias's id, or None."""
    field = type(loser)._meta.model_name
    known = {survivor.name.casefold(), *(name.casefold() for name in survivor.aliases.values_list("name", flat=True))}
    if loser.name.casefold() in known:
        return None
    return Alias.objects.create(**{field: survivor}, name=loser.name, kind=Alias.Kind.FULL).pk


def moved_words(moved):
    """What a merge moved, in words: "2 participations, 1 alias, 1 sanction"."""
    live = [(apps.get_model(label), pks) for label, _field, pks in moved if ".Historical" not in label]
    if not live:
        return "nothing was linked to it"
    return get_text_list(
        [
            f"{len(pks)} {model._meta.verbose_name if len(pks) == 1 else model._meta.verbose_name_plural}"
            for model, pks in live
        ],
        "and",
    )


def undo(merge, *, user=None):
    """Undoes `merge` in one transaction: the merged record comes back as it was, with its id,
    address and version, every link moved by the merge points at it again, and the alias the
    merge made is removed. Links changed since the merge (moved on, or deleted) are left as
    they are, and counted in the returned sentence. Raises MergeRefused, saving nothing, if the
    merge was undone already or its old address is taken."""
    with transaction.atomic(using=router.db_for_write(Merge)):
        merge = Merge.objects.select_for_update().filter(pk=merge.pk).first()
        if merge is None or merge.is_undone:
            raise MergeRefused("This merge was undone already: there is nothing to undo.")
        survivor = merge.survivor
        model = type(survivor)
        survivor = model._base_manager.select_for_update().get(pk=survivor.pk)
        if model._base_manager.filter(slug=merge.old_slug).exists():
            raise MergeRefused(
                f"The address “{merge.old_slug}” is another record's now: change that record's slug first, "
                "then undo the merge."
            )
        if model._base_manager.filter(pk=merge.old_pk).exists():
            raise MergeRefused(f"Another {model._meta.verbose_name} has id {merge.old_pk} now: this merge cannot be undone.")
        restored = next(serializers.deserialize("json", json.dumps([merge.snapshot["record"]]))).object
        restored._history_user = user
        restored._change_reason = f"Restored by undoing its merge into {survivor} (merge no. {merge.pk})"
        restored.save(force_insert=True)
        left = 0
        for label, field, pks in merge.snapshot["moved"]:
            linked = apps.get_model(label)
            still = linked._base_manager.filter(pk__in=pks, **{field: survivor.pk})
            back = still.update(**{field: merge.old_pk})
            freshness.bump(still.db)  # update() sends no signal
            if ".Historical" not in label:
                left += len(pks) - back
        if merge.snapshot.get("new_alias"):
            Alias.objects.filter(pk=merge.snapshot["new_alias"], **{model._meta.model_name: survivor}).delete()
        merge.undone_at, merge.undone_by = timezone.now(), user
        merge.save(update_fields=["undone_at", "undone_by"])
        survivor._history_user = user
        survivor._change_reason = f"Undid the merge of {merge.old_name} ({merge.old_slug}) into this record"
        survivor.save()
    if left:
        return (
            f"{left} of the links the merge moved had changed since (deleted, or linked to another record) "
            f"and were left as they are: see {survivor}'s page."
        )
    return ""
