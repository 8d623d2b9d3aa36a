"""Two records of one person, or one organization, merged into one: every link follows the one
kept, the old address leads to it, the merge is in both histories, and it can be undone exactly."""

import io

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from events import merging
from events.models import (
    Alias,
    Citation,
    ClaimBasis,
    Merge,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
)

from .factories import (
    cite,
    claim,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    take_part,
)
from .helpers import text_of
from .test_groups import staff_in

pytestmark = pytest.mark.django_db


def merge_url(loser, survivor):
    return reverse(f"admin:events_{loser._meta.model_name}_merge", args=[loser.pk, survivor.pk])


def confirm_merge(client, loser, survivor):
    """Opens the merge's confirmation page and confirms it, as an editor would; returns the answer."""
    page = client.get(merge_url(loser, survivor))
    assert page.status_code == 200, text_of(page)
    return client.post(merge_url(loser, survivor), {
        "loser_version": page.context["loser"].version,
        "survivor_version": page.context["survivor"].version,
    })


def state_of(*records):
    """Every record given, and every row linked to them, as stored (the survivor's version aside,
    as it counts saves, which only go up; undone merges aside, kept as a record)."""
    found = {}
    for record in records:
        stored = type(record).objects.filter(pk=record.pk).first()
        found[record._meta.label, record.pk] = stored and {
            key: value for key, value in model_to_dict(stored).items() if key != "version"
        }
        for model, field in merging.links_to(type(record)):
            rows = model._base_manager.filter(**{field: record.pk})
            if model is Merge:
                rows = rows.filter(undone_at__isnull=True)  # an undone merge stays on record, pointing at its survivor
            for row in rows.order_by("pk"):
                found[model._meta.label, row.pk] = model_to_dict(row)
    return found


@pytest.fixture
def two_lammys():
    """David Lammy twice: once in full, with an office, an event and an alias, and once as the
    documents' "Mr Lammy", with two events, an office, an alias, a sanction on him and a claim."""
    kept = make_person("David Lammy", aliases=["Mr Lammy"])
    make_office(kept, "Foreign Secretary")
    take_part(make_event("Lammy meets Wang Yi"), kept)

    duplicate = make_person("D. Lammy", aliases=["The Foreign Secretary"])
    office = make_office(duplicate, "Shadow Foreign Secretary", start="2021-11-29", end="2024-07-05")
    cite(office, "he was appointed Shadow Foreign Secretary")
    speech = make_event("Lammy speaks on China")
    participation = take_part(speech, duplicate, office=office)
    claim(participation, "actor")
    take_part(make_event("Lammy visits Beijing"), duplicate)
    sanction = make_sanction(duplicate)
    cite(sanction, "China sanctioned the MP today")
    return kept, duplicate


def test_merging_a_person_moves_their_events_offices_aliases_and_sanctions_to_the_one_kept(two_lammys, editor, client):
    kept, duplicate = two_lammys

    response = confirm_merge(client, duplicate, kept)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:events_person_change", args=[kept.pk])
    assert not Person.objects.filter(pk=duplicate.pk).exists()
    assert sorted(Participation.objects.filter(person=kept).values_list("event__title", flat=True)) == [
        "Lammy meets Wang Yi", "Lammy speaks on China", "Lammy visits Beijing"
    ]
    assert sorted(Office.objects.filter(person=kept).values_list("title", flat=True)) == [
        "Foreign Secretary", "Shadow Foreign Secretary"
    ]
    assert Sanction.objects.get().target_person == kept
    # The loser's name and aliases are the survivor's aliases now.
    assert sorted(Alias.objects.filter(person=kept).values_list("name", flat=True)) == [
        "D. Lammy", "Mr Lammy", "The Foreign Secretary"
    ]
    # Citations and claims stay with the records they back, which moved.
    assert Citation.objects.filter(office__person=kept).count() == 1
    assert "China sanctioned the MP today" in Citation.objects.filter(sanction__target_person=kept).values_list(
        "quote", flat=True
    )
    assert ClaimBasis.objects.get().participation.person == kept
    assert "D. Lammy was merged into David Lammy" in text_of(client.get(response["Location"]))


def test_the_confirmation_page_says_what_will_move_before_anything_does(two_lammys, editor, client):
    kept, duplicate = two_lammys

    page = text_of(client.get(merge_url(duplicate, kept)))

    assert "Merge D. Lammy" in page and "into David Lammy" in page
    assert "2 participations" in page
    assert "1 office" in page
    assert "1 alias" in page
    assert "1 sanction" in page
    assert "“D. Lammy” becomes an alias of David Lammy." in page
    assert "Keep D. Lammy instead" in page
    assert Person.objects.filter(pk=duplicate.pk).exists()


def test_the_merged_persons_old_address_redirects_permanently_to_the_one_kept(two_lammys, editor, client):
    kept, duplicate = two_lammys
    old_address = duplicate.get_absolute_url()
    confirm_merge(client, duplicate, kept)

    response = client.get(old_address)

    assert response.status_code == 301
    assert response["Location"] == kept.get_absolute_url()
    assert "Lammy visits Beijing" in text_of(client.get(kept.get_absolute_url()))


def test_the_timeline_filtered_by_the_old_address_redirects_to_the_one_kept(two_lammys, editor, client):
    kept, duplicate = two_lammys
    confirm_merge(client, duplicate, kept)

    response = client.get(f"/?actor={duplicate.slug}")

    assert response.status_code == 301
    assert response["Location"] == f"/?actor={kept.slug}"


def test_an_address_that_never_was_is_still_not_found(two_lammys, client):
    assert client.get("/people/nobody-ever/").status_code == 404
    assert client.get("/organizations/nothing-ever/").status_code == 404


def test_the_merge_is_in_both_records_history_and_the_survivors_shows_the_others(two_lammys, editor, client):
    kept, duplicate = two_lammys
    confirm_merge(client, duplicate, kept)

    last_of_duplicate = Person.history.filter(id=duplicate.pk).order_by("-history_date").first()
    last_of_kept = Person.history.filter(id=kept.pk).order_by("-history_date").first()
    assert last_of_duplicate.history_type == "-"
    assert last_of_duplicate.history_change_reason.startswith("Merged into David Lammy")
    assert last_of_kept.history_user == editor
    assert last_of_kept.history_change_reason.startswith("Merged D. Lammy")
    history = text_of(client.get(reverse("admin:events_person_history", args=[kept.pk])))
    assert "Merged into David Lammy" in history
    assert f"merged in, person no. {duplicate.pk}" in history


def test_undoing_the_merge_restores_both_people_and_every_link_exactly(two_lammys, editor, client):
    kept, duplicate = two_lammys
    before = state_of(kept, duplicate)
    confirm_merge(client, duplicate, kept)
    merge = Merge.objects.get()

    page = client.get(reverse("admin:events_merge_undo", args=[merge.pk]))
    assert "Undo this merge?" in text_of(page)
    response = client.post(reverse("admin:events_merge_undo", args=[merge.pk]))

    assert response.status_code == 302
    assert state_of(kept, duplicate) == before
    assert Person.objects.get(pk=duplicate.pk).version == duplicate.version
    assert client.get(duplicate.get_absolute_url()).status_code == 200
    restored = Person.history.filter(id=duplicate.pk).order_by("-history_date").first()
    assert restored.history_change_reason.startswith("Restored by undoing its merge into David Lammy")
    assert Person.history.filter(id=kept.pk).order_by("-history_date").first().history_change_reason.startswith(
        "Undid the merge of D. Lammy"
    )


def test_a_merge_cannot_be_undone_twice(two_lammys, editor, client):
    kept, duplicate = two_lammys
    confirm_merge(client, duplicate, kept)
    merge = Merge.objects.get()
    client.post(reverse("admin:events_merge_undo", args=[merge.pk]))

    again = client.post(reverse("admin:events_merge_undo", args=[merge.pk]))

    assert "This merge was undone already" in text_of(again)
    assert Person.objects.filter(pk=duplicate.pk).count() == 1


def test_undo_leaves_a_link_changed_since_the_merge_and_says_so(two_lammys, editor, client):
    kept, duplicate = two_lammys
    confirm_merge(client, duplicate, kept)
    Sanction.objects.get().delete()

    response = client.post(reverse("admin:events_merge_undo", args=[Merge.objects.get().pk]), follow=True)

    assert "1 of the links the merge moved had changed since" in text_of(response)
    assert Participation.objects.filter(person=duplicate).count() == 2


def test_a_later_merge_of_the_survivor_carries_the_first_old_address_along():
    first, second, third = make_person("Wang Yi"), make_person("Mr Wang"), make_person("Minister Wang")
    merging.merge(second, first)
    merging.merge(first, third)

    assert Merge.objects.survivor_of(Person, second.slug) == third
    assert Merge.objects.survivor_of(Person, first.slug) == third


@pytest.fixture
def two_ministries():
    kept = make_organization("Ministry of Foreign Affairs", aliases=["MFA"])
    duplicate = make_organization("Chinese Foreign Ministry", aliases=["Beijing"])
    child = make_organization("Department of European Affairs", parent=duplicate)
    take_part(make_event("The ministry protests"), duplicate)
    official = make_person("Wang Yi")
    make_office(official, "Minister", organization=duplicate)
    make_sanction(make_person("Iain Duncan Smith"), imposed_by=duplicate)
    make_sanction(duplicate, imposing_country="GB")
    return kept, duplicate, child


def test_merging_an_organization_moves_its_children_offices_events_and_sanctions_both_ways(two_ministries, editor, client):
    kept, duplicate, child = two_ministries
    before = state_of(kept, duplicate)

    response = confirm_merge(client, duplicate, kept)

    assert response.status_code == 302
    child.refresh_from_db()
    assert child.parent == kept
    assert Office.objects.get().organization == kept
    assert Participation.objects.get().organization == kept
    assert Sanction.objects.get(imposing_country="CN").imposed_by == kept
    assert Sanction.objects.get(imposing_country="GB").target_organization == kept
    assert sorted(kept.aliases.values_list("name", flat=True)) == ["Beijing", "Chinese Foreign Ministry", "MFA"]
    old = client.get(duplicate.get_absolute_url())
    assert (old.status_code, old["Location"]) == (301, kept.get_absolute_url())

    client.post(reverse("admin:events_merge_undo", args=[Merge.objects.get().pk]))

    assert state_of(kept, duplicate) == before
    assert client.get(duplicate.get_absolute_url()).status_code == 200


def test_a_record_cannot_be_merged_into_itself(two_lammys, editor, client):
    kept, _ = two_lammys

    response = client.post(merge_url(kept, kept), {"loser_version": 1, "survivor_version": 1})

    assert response.status_code == 400
    assert "David Lammy cannot be merged into itself" in text_of(response)
    with pytest.raises(merging.MergeRefused, match="cannot be merged into itself"):
        merging.merge(kept, kept)


def test_a_person_cannot_be_merged_into_an_organization():
    person, organization = make_person("Wang Yi"), make_organization("Ministry of Foreign Affairs")

    with pytest.raises(merging.MergeRefused, match="only two of one kind can be merged"):
        merging.merge(person, organization)

    assert Person.objects.filter(pk=person.pk).exists()


def test_a_merge_confirmed_after_someone_changed_a_record_is_refused_and_moves_nothing(two_lammys, editor, client):
    kept, duplicate = two_lammys
    page = client.get(merge_url(duplicate, kept))
    Person.objects.get(pk=kept.pk).save()  # another editor's save, after the page was shown
    before = state_of(kept, duplicate)

    response = client.post(merge_url(duplicate, kept), {
        "loser_version": page.context["loser"].version,
        "survivor_version": page.context["survivor"].version,
    })

    assert response.status_code == 409
    assert "David Lammy was changed since you opened this page: nothing was merged" in text_of(response)
    assert state_of(kept, duplicate) == before
    assert not Merge.objects.exists()


def test_a_second_editor_merging_the_same_record_is_told_it_is_gone(two_lammys, editor, client):
    kept, duplicate = two_lammys
    page = client.get(merge_url(duplicate, kept))
    merging.merge(duplicate, kept)  # the first editor's merge, while the page was open

    response = client.post(merge_url(duplicate, kept), {
        "loser_version": page.context["loser"].version,
        "survivor_version": page.context["survivor"].version,
    })

    assert response.status_code == 404
    assert "may have been merged or deleted since" in text_of(response)
    assert Merge.objects.count() == 1


def test_an_organization_cannot_be_merged_so_that_it_sits_under_itself(editor, client):
    top = make_organization("Government of China")
    under = make_organization("Ministry of Foreign Affairs", parent=top)

    response = client.post(merge_url(top, under), {})

    assert response.status_code == 409
    assert "Ministry of Foreign Affairs sits under Government of China" in text_of(response)
    assert Organization.objects.count() == 2


def test_the_merge_action_asks_for_exactly_two(editor, client):
    people = [make_person(name) for name in ("Wang Yi", "Mr Wang", "Minister Wang")]
    changelist = reverse("admin:events_person_changelist")

    three = client.post(changelist, {"action": "merge_two", "_selected_action": [p.pk for p in people]}, follow=True)
    two = client.post(changelist, {"action": "merge_two", "_selected_action": [p.pk for p in people[:2]]})

    assert "Choose exactly two people to merge" in text_of(three)
    assert two.status_code == 302
    assert two["Location"] == merge_url(people[1], people[0])


def test_a_malformed_or_unknown_id_in_a_merge_address_is_not_found(editor, client):
    person = make_person("Wang Yi")

    assert client.get(f"/admin/events/person/abc/merge/{person.pk}/").status_code == 404
    assert client.get(f"/admin/events/person/{person.pk}/merge/99999999999999999999/").status_code == 404
    assert client.post("/admin/events/merge/abc/undo/").status_code == 404
    assert client.post("/admin/events/merge/12345/undo/").status_code == 404
    missing = client.get(f"/admin/events/person/12345/merge/{person.pk}/")
    assert missing.status_code == 404
    assert "There is no person with id 12345" in text_of(missing)


def test_the_list_of_merges_makes_as_many_queries_for_many_merges_as_for_one(editor, client, django_assert_max_num_queries):
    def merges_made(count):
        for number in range(count):
            merging.merge(make_person(f"Mr Wang {number}"), make_person(f"Wang Yi {number}"), user=editor)

    merges_made(1)
    with django_assert_max_num_queries(10):
        one = client.get(reverse("admin:events_merge_changelist"))
    merges_made(20)
    with django_assert_max_num_queries(10):
        many = client.get(reverse("admin:events_merge_changelist"))

    assert "Mr Wang 0 merged into Wang Yi 0" in text_of(one)
    assert "Mr Wang 19 merged into Wang Yi 19" in text_of(many)


def test_a_viewer_may_see_the_merges_but_neither_merge_nor_undo(two_lammys, client):
    kept, duplicate = two_lammys
    merge = merging.merge(duplicate, make_person("Mr Lammy"))
    call_command("create_groups", stdout=io.StringIO())
    staff_in("viewers", client)

    assert client.get(merge_url(kept, merge.survivor)).status_code == 403
    assert client.post(reverse("admin:events_merge_undo", args=[merge.pk])).status_code == 403
    assert client.get(reverse("admin:events_merge_change", args=[merge.pk])).status_code == 200
    assert not Merge.objects.get().is_undone


def test_a_sanctions_old_versions_name_the_one_kept_and_name_the_other_again_after_an_undo(editor, client):
    kept, duplicate = make_person("David Lammy"), make_person("D. Lammy")
    sanction = make_sanction(duplicate)
    sanction.measures = "asset bans"
    sanction.save()  # keeps the version as loaded, then this one
    assert set(Sanction.history.values_list("target_person", flat=True)) == {duplicate.pk}

    merge = merging.merge(duplicate, kept)
    assert set(Sanction.history.values_list("target_person", flat=True)) == {kept.pk}

    merging.undo(merge)
    assert set(Sanction.history.values_list("target_person", flat=True)) == {duplicate.pk}
