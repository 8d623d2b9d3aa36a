"""The editors' "Work on this document" page: a source read for names, dates and topics, and
records made from a passage of it, cited word for word, only once the editor confirms."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import (
    Alias,
    Citation,
    Event,
    Office,
    Organization,
    Participation,
    Person,
    Sanction,
    Source,
    Topic,
)

from .factories import make_organization, make_person, make_source, make_topic
from .helpers import make_editor

pytestmark = pytest.mark.django_db

LAMMY_SOURCE = "independent-lammy-raises-human-rights-concerns-in-talks-with-china"
# In the source, with typographic apostrophes and single spaces.
PAIR_MET = (
    "The Foreign Secretary had been under pressure to take a tough line on a range of human rights issues "
    "with foreign minister Wang Yi when the pair met on Friday during Mr Lammy’s first visit to China since "
    "taking office."
)


def work_page(slug):
    return reverse("work_on_source", args=[slug])


def record_counts():
    return {model.__name__: model.objects.count() for model in (Event, Sanction, Office, Participation, Citation, Person, Organization, Alias)}


def suggest(client, slug, passage, kind="event"):
    return client.post(work_page(slug), {"step": "suggest", "passage": passage, "kind": kind})


def confirmation(response):
    """The fields of the confirmation form as the page fills them in, as a browser would send them back."""
    form = response.context["form"]
    data = {"step": "confirm"}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(item, "pk", item)) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    return data


def marks(response, css):
    return re.findall(rf'<mark class="{css}" title="([^"]*)">([^<]*)</mark>', response.content.decode())


def test_an_anonymous_visitor_is_sent_to_sign_in(client, archive):
    response = client.get(work_page(LAMMY_SOURCE))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_unknown_source_is_not_found(client, editor):
    assert client.get(work_page("no-such-source")).status_code == 404


def test_the_source_admin_page_and_its_public_page_link_to_it_for_editors(client, archive):
    source = Source.objects.get(slug=LAMMY_SOURCE)
    assert work_page(LAMMY_SOURCE).encode() not in client.get(source.get_absolute_url()).content
    client.force_login(make_editor())
    assert work_page(LAMMY_SOURCE).encode() in client.get(source.get_absolute_url()).content
    admin_page = client.get(reverse("admin:events_source_change", args=[source.pk]))
    assert work_page(LAMMY_SOURCE).encode() in admin_page.content


def test_names_are_highlighted_by_name_alias_honorific_and_either_apostrophe(client, editor):
    make_person("David Lammy")
    make_person("Tom O'Brien")
    make_person("Keir Starmer", honorific="Sir", aliases=["Sir Keir"])
    make_organization("Foreign, Commonwealth and Development Office", aliases=["FCDO"])
    source = make_source(
        "Mr Lammy met Tom O’Brien. Sir Keir Starmer and the FCDO agreed; Sir Keir spoke. Lammy left.\n\n"
        "Alicia Kearns and Lord Smith of Finsbury said nothing; nor did the UK and China."
    )
    response = client.get(work_page(source.slug))
    assert response.status_code == 200
    assert marks(response, "name-known") == [
        ("person: David Lammy", "Mr Lammy"),
        ("person: Tom O&#x27;Brien", "Tom O’Brien"),
        ("person: Keir Starmer", "Sir Keir Starmer"),
        ("organization: Foreign, Commonwealth and Development Office", "FCDO"),
        ("person: Keir Starmer", "Sir Keir"),
        ("person: David Lammy", "Lammy"),
    ]
    assert [text for _, text in marks(response, "name-unknown")] == ["Alicia Kearns", "Lord Smith of Finsbury"]


def test_a_family_name_written_first_is_found_after_an_honorific(client, editor):
    make_person("Wang Yi", sort_name="Wang Yi")  # no comma: the name in its own order, family name first
    source = make_source("Mr Wang spoke; Mr Yi did not.")
    assert marks(client.get(work_page(source.slug)), "name-known") == [("person: Wang Yi", "Mr Wang")]


def test_a_surname_two_people_share_names_neither_of_them(client, editor):
    make_person("David Lammy")
    make_person("Dawn Lammy")
    source = make_source("Lammy spoke, then Mr Lammy, then David Lammy.")
    response = client.get(work_page(source.slug))
    assert marks(response, "name-known") == [("person: David Lammy", "David Lammy")]
    assert [text for _, text in marks(response, "name-unknown")] == ["Mr Lammy"]


def test_the_dates_are_resolved_against_the_documents_date(client, editor, archive):
    response = client.get(work_page("independent-lammy-to-urge-china-to-stop-supporting-russias-war"))
    dates = dict((text, title) for title, text in marks(response, "date-found"))
    assert dates["on Wednesday"].startswith("16 October 2024")
    assert dates["earlier this week"].startswith("Between 14 October 2024 and 16 October 2024")


def test_the_topics_whose_words_appear_are_listed_with_the_words(client, editor):
    make_topic("Taiwan")
    make_topic("Human rights")
    make_topic("Climate")
    source = make_source("Exercises around Taiwan raised human rights concerns.")
    topics = {topic.name: topic.words for topic in client.get(work_page(source.slug)).context["reading"]["topics"]}
    assert topics == {"Taiwan": ("Taiwan",), "Human rights": ("human", "rights")}


def test_a_pasted_passage_is_found_despite_straight_quotes_and_spacing_and_suggests_a_record(client, editor, archive):
    before = record_counts()
    pasted = PAIR_MET.replace("’", "'").replace(" with foreign", "\n  with   foreign")
    response = suggest(client, LAMMY_SOURCE, pasted)
    assert response.status_code == 200
    assert response.context["passage"] == PAIR_MET
    form = response.context["form"]
    lammy, wang_yi = Person.objects.get(slug="david-lammy"), Person.objects.get(slug="wang-yi")
    assert form["role_person:%d" % lammy.pk].value() == "mentioned"
    assert form["role_person:%d" % wang_yi.pk].value() == "mentioned"
    assert (form["date_precision"].value(), str(form["date_earliest"].value())) == ("day", "2024-10-18")
    assert Topic.objects.get(slug="human-rights").pk in form["topics"].value()
    assert record_counts() == before, "nothing is saved before the editor confirms"


def test_confirming_an_event_saves_it_with_the_passage_cited_verbatim_its_people_date_and_history(client, editor, archive):
    data = confirmation(suggest(client, LAMMY_SOURCE, PAIR_MET.replace("’", "'")))
    lammy, wang_yi = Person.objects.get(slug="david-lammy"), Person.objects.get(slug="wang-yi")
    data.update({"title": "Lammy and Wang Yi meet again", "event_kind": "meeting", f"role_person:{lammy.pk}": "visitor",
                 f"role_person:{wang_yi.pk}": "host"})
    response = client.post(work_page(LAMMY_SOURCE), data)
    assert response.status_code == 302
    event = Event.objects.get(title="Lammy and Wang Yi meet again")
    [citation] = event.citations.all()
    assert citation.quote == PAIR_MET and citation.is_verbatim
    assert {(p.person.slug, p.role) for p in event.participations.all()} == {("david-lammy", "visitor"), ("wang-yi", "host")}
    assert str(event.date) == "18 October 2024"
    assert "human-rights" in set(event.topics.values_list("slug", flat=True))
    assert {row.history_user for row in [*event.history.all(), *citation.history.all()]} == {editor}
    in_history = event.history.earliest().history_change_reason
    assert "David Lammy (visitor)" in in_history and "Wang Yi (host)" in in_history
    page = client.get(response["Location"])
    assert "Event saved" in page.content.decode()


def test_confirming_a_sanction_cites_the_passage_on_it(client, editor):
    target = make_person("Alicia Kearns")
    make_organization("Chinese government")
    source = make_source(
        "In 2021, the Chinese government imposed sanctions on Alicia Kearns and others.", published="2024-10-18"
    )
    data = confirmation(suggest(client, source.slug, "the Chinese government imposed sanctions on Alicia Kearns", "sanction"))
    assert data["announced_precision"] == "unknown" and "announced_earliest" not in data, "the passage gives no date"
    data.update({"imposing_country": "CN", "target": f"person:{target.pk}", "measures": "sanctions"})
    response = client.post(work_page(source.slug), data)
    assert response.status_code == 302, response.context["form"].errors
    sanction = Sanction.objects.get(target_person=target)
    assert sanction.imposed_by is None
    assert sanction.citations.get().quote == "the Chinese government imposed sanctions on Alicia Kearns"


def test_confirming_an_office_dates_its_start_from_the_passage(client, editor):
    holder = make_person("David Lammy")
    source = make_source("Last month David Lammy became Foreign Secretary, his first office.", published="2024-08-05")
    response = suggest(client, source.slug, "Last month David Lammy became Foreign Secretary", "office")
    data = confirmation(response)
    assert (data["start_precision"], data["start_earliest"]) == ("month", "2024-07-01")
    data.update({"person": f"person:{holder.pk}", "title": "Foreign Secretary"})
    assert client.post(work_page(source.slug), data).status_code == 302
    office = Office.objects.get(person=holder)
    assert str(office.start) == "July 2024"
    assert office.citations.get().quote == "Last month David Lammy became Foreign Secretary"


def test_adding_participants_to_an_event_cites_the_passage_on_it(client, editor, archive):
    event = Event.objects.get(slug="david-lammy-meets-wang-yi")
    passage = "During his visit to Beijing, Mr Lammy also met with Ding Xuexiang"
    data = confirmation(suggest(client, LAMMY_SOURCE, passage, "participation"))
    ding, lammy = Person.objects.get(slug="ding-xuexiang"), Person.objects.get(slug="david-lammy")
    assert data[f"role_person:{lammy.pk}"] == "", "no one is made a participant of an existing event unasked"
    data.update({"event": str(event.pk), f"role_person:{ding.pk}": "host"})
    assert client.post(work_page(LAMMY_SOURCE), data).status_code == 302
    assert event.participations.filter(person=ding, role="host").exists()
    assert event.citations.filter(quote=passage).exists()
    assert "; participants: Ding Xuexiang (host)." in event.history.latest().history_change_reason


def test_a_name_that_matches_no_one_becomes_a_new_person_with_the_confirmation(client, editor):
    source = make_source("Ms Kearns, chair of the committee, said on Thursday that it was wrong.", published="2024-10-18")
    data = confirmation(suggest(client, source.slug, "Ms Kearns, chair of the committee, said on Thursday"))
    assert Person.objects.count() == 0
    data.update({"title": "Kearns speaks", "event_kind": "statement", "new_0_action": "person", "role_new:0": "speaker"})
    assert client.post(work_page(source.slug), data).status_code == 302
    kearns = Person.objects.get()
    assert (kearns.honorific, kearns.name, kearns.sort_name) == ("Ms", "Kearns", "Kearns")
    assert Event.objects.get().participations.get().person == kearns
    assert kearns.history.count() == 1


def test_a_name_that_matches_no_one_may_become_an_alias_of_someone_recorded(client, editor):
    xi = make_person("Xi Jinping", slug="xi-jinping")
    source = make_source("Then President Xi spoke on Friday of stability.", published="2024-10-18")
    response = suggest(client, source.slug, "Then President Xi spoke on Friday")
    data = confirmation(response)
    assert response.context["form"].new_names == ["President Xi"]
    data.update({"title": "Xi speaks", "event_kind": "speech", "new_0_action": "alias",
                 "new_0_alias_of": "xi-jinping", "role_new:0": "speaker"})
    assert client.post(work_page(source.slug), data).status_code == 302
    assert xi.aliases.filter(name="President Xi").exists()
    event = Event.objects.get()
    assert "“President Xi” recorded as another name of “xi-jinping”" in event.history.get().history_change_reason
    assert Event.objects.get().participations.get().person == xi


def test_nothing_is_half_saved_when_a_late_step_is_refused(client, editor):
    source = make_source("Ms Kearns met Mr Nobody Known on Thursday in London.", published="2024-10-18")
    response = suggest(client, source.slug, "Ms Kearns met Mr Nobody Known on Thursday")
    data = confirmation(response)
    offered = response.context["form"].new_names
    data.update({"title": "A meeting", "event_kind": "meeting",
                 f"new_{offered.index('Ms Kearns')}_action": "person",
                 f"new_{offered.index('Mr Nobody Known')}_action": "alias",
                 f"new_{offered.index('Mr Nobody Known')}_alias_of": "someone-unrecorded"})
    before = record_counts()
    response = client.post(work_page(source.slug), data)
    assert response.status_code == 400
    assert "No one recorded is called “someone-unrecorded”" in response.content.decode()
    assert record_counts() == before


def test_a_passage_not_in_the_text_is_refused_with_a_message(client, editor, archive):
    before = record_counts()
    response = suggest(client, LAMMY_SOURCE, "David Lammy met the Dalai Lama on Friday")
    assert response.status_code == 400
    assert "This passage is not in the document’s text" in response.content.decode()
    assert record_counts() == before


def test_a_passage_found_twice_asks_for_more_context(client, editor):
    source = make_source("Then the minister said no. Later the minister said no again.")
    response = suggest(client, source.slug, "the minister said no")
    assert response.status_code == 400
    assert "This passage is in the text 2 times: add words before or after it" in response.content.decode()


def test_a_confirmation_whose_passage_left_the_text_is_refused(client, editor):
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.", published="2024-10-18")
    data = confirmation(suggest(client, source.slug, "The Foreign Secretary met Wang Yi in Beijing"))
    Source.objects.filter(pk=source.pk).update(text="The Foreign Secretary stayed in London.")
    data.update({"title": "A meeting", "event_kind": "meeting"})
    response = client.post(work_page(source.slug), data)
    assert response.status_code == 400
    assert Event.objects.count() == 0


def test_the_page_makes_as_many_queries_whatever_the_number_of_people(client, editor):
    source = make_source("Mr Lammy met Wang Yi.")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(work_page(source.slug)).status_code == 200
        return len(captured)

    make_person("David Lammy", aliases=["Mr Lammy"])
    few = queries()
    for number in range(30):
        make_person(f"Person Number{number}", aliases=[f"Mr Number{number}"])
    assert queries() == few <= 10


def test_a_confirmation_naming_someone_deleted_since_is_refused_with_nothing_saved(client, editor):
    gone = make_person("Wang Yi")
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.", published="2024-10-18")
    data = confirmation(suggest(client, source.slug, "The Foreign Secretary met Wang Yi in Beijing"))
    data.update({"title": "A meeting", "event_kind": "meeting"})
    gone.delete()
    before = record_counts()
    response = client.post(work_page(source.slug), data)
    assert response.status_code == 400
    assert "Someone given a role on this page is no longer recorded" in response.content.decode()
    assert record_counts() == before


def test_a_viewer_sees_what_a_passage_suggests_but_may_not_save_it(client):
    from django.contrib.auth.models import Permission, User

    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client.force_login(viewer)
    source = make_source("The Foreign Secretary met Wang Yi in Beijing on Friday.", published="2024-10-18")
    response = suggest(client, source.slug, "The Foreign Secretary met Wang Yi in Beijing")
    assert response.status_code == 200
    data = confirmation(response)
    data.update({"title": "A meeting", "event_kind": "meeting"})
    assert client.post(work_page(source.slug), data).status_code == 403
    assert Event.objects.count() == 0 and Citation.objects.count() == 0
