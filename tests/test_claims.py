"""The basis of every claim (issue 11): a claim no cited quote states is inferred, with its
reasoning and quotes, or from outside the documents, saying where from; pages mark it, the admin
edits it, and editors review every one on the audit page."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.filters import read_actor_names
from events.models import ClaimBasis, Event, Office

from .factories import (
    cite,
    claim,
    make_event,
    make_office,
    make_organization,
    make_person,
    make_sanction,
    make_source,
    relate,
    take_part,
)
from .helpers import form_data, html_of, text_of

pytestmark = pytest.mark.django_db

AUDIT = reverse("claim_audit")


def marks(response):
    """Each claim mark on the page as (its text, its title)."""
    found = re.findall(r'<a class="claim claim-\w+" href="#claim-\d+" title="([^"]*)">([^<]*)<', html_of(response))
    return [(unescape(text), unescape(title)) for title, text in found]


def timeline_marks(response):
    """Each claim mark of a list, linking to its note on the record's page, as (its text, its title)."""
    found = re.findall(r'<a class="claim claim-\w+" href="[^"#]+#claim-\d+" title="([^"]*)">([^<]*)<', html_of(response))
    return [(unescape(text), unescape(title)) for title, text in found]


def han_zheng_meeting():
    """An event dated, as the archive dates the Han Zheng meeting, from the visit it was part of."""
    trip = make_event("James Cleverly visits China", date="2023-08")
    meeting = make_event("James Cleverly meets Han Zheng", date="2023-08")
    relate(meeting, trip, relation="part_of")
    quote = cite(trip, "a trip by James Cleverly in August 2023")
    reasoning = "The meeting was part of the trip, which document 001 dates to August 2023."
    return meeting, claim(meeting, "date", reasoning=reasoning, citations=[quote])


# The event page


def test_an_inferred_date_is_marked_with_its_reasoning_on_hover_and_in_a_note(client):
    meeting, basis = han_zheng_meeting()

    response = client.get(meeting.get_absolute_url())

    assert marks(response) == [("inferred", f"Inferred: {basis.reasoning}")]
    text = text_of(response)
    assert "Date August 2023 inferred (date): see its note below" in text
    assert "Claims no single quote states" in text
    assert f"Date, inferred: {basis.reasoning} “a trip by James Cleverly in August 2023” · Read in source" in text
    quote_link = basis.citations.get().get_absolute_url()
    assert f'<a href="{quote_link}">Read in source' in html_of(response)
    assert f'id="claim-{basis.pk}"' in html_of(response)


def test_a_claim_stated_by_a_quote_has_no_mark_and_the_page_no_notes(client):
    event = make_event("Lammy meets Wang Yi")
    cite(event, "Lammy met Wang Yi in Beijing")

    response = client.get(event.get_absolute_url())

    assert marks(response) == []
    assert "Claims no single quote states" not in text_of(response)


def test_a_participants_office_from_outside_the_documents_is_marked_beside_them_and_says_where_from(client):
    event = make_event("Lammy meets Wang Yi")
    lammy = make_person("David Lammy")
    part = take_part(event, lammy, office=make_office(lammy))
    claim(part, "office", basis="outside", outside_source="GOV.UK, the Foreign Secretary's page")

    response = client.get(event.get_absolute_url())

    assert marks(response) == [("from outside the documents", "From outside the documents: GOV.UK, the Foreign Secretary's page")]
    text = text_of(response)
    assert "David Lammy, speaker, as Foreign Secretary from outside the documents (office)" in text
    assert (
        "Office (David Lammy, speaker), from outside the documents: GOV.UK, the Foreign Secretary's page" in text
    )


def test_an_inferred_link_between_events_is_marked_on_both_events(client):
    statement, rumour = make_event("MPs refuse to be a bargaining chip"), make_event("Rumours of a deal")
    link = relate(statement, rumour, relation="responds_to")
    claim(link, "relation", reasoning="The statement answers “rumours that Beijing is considering lifting sanctions”.",
          citations=[cite(statement, "rumours that Beijing is considering lifting sanctions on us")])

    for event in (statement, rumour):
        response = client.get(event.get_absolute_url())
        assert [text for text, _ in marks(response)] == ["inferred"]
    assert "Relation (this event responds to “Rumours of a deal”), inferred" in text_of(client.get(statement.get_absolute_url()))



def test_an_event_page_shows_the_claims_of_its_date_participants_links_and_answers_within_ten_queries(
    client, django_assert_max_num_queries
):
    meeting, _ = han_zheng_meeting()
    role = take_part(meeting, make_person("Han Zheng"))
    claim(role, "role", reasoning="He hosted the visit.")
    later = make_event("Cleverly reports on his visit", date="2023-09")
    claim(relate(later, meeting, relation="responds_to"), "relation", basis="outside", outside_source="Hansard, September 2023")
    answering = make_sanction(make_person("Official 1"), answers=meeting)
    claim(answering.responses.get(), "answers", reasoning="It names the meeting.")

    with django_assert_max_num_queries(10):
        response = client.get(meeting.get_absolute_url())

    assert sorted(text for text, _ in marks(response)) == ["from outside the documents", "inferred", "inferred", "inferred"]
    text = text_of(response)
    assert "Role (Han Zheng, speaker), inferred: He hosted the visit." in text
    assert "Relation (“Cleverly reports on his visit” responds to this event), from outside the documents" in text


def test_the_timeline_marks_an_inferred_date_and_links_to_its_note_on_the_event_page(client):
    meeting, basis = han_zheng_meeting()

    response = client.get(reverse("timeline"))

    assert [title for _, title in timeline_marks(response)] == [f"Inferred: {basis.reasoning}"]
    assert f'href="{meeting.get_absolute_url()}#claim-{basis.pk}"' in html_of(response)
    assert "August 2023 inferred (date): see its note Meeting" in text_of(response)


# The sanction page


def test_a_sanction_marks_its_inferred_regime_and_each_answer_with_its_basis(client):
    uk = [make_sanction(make_person(f"Official {n}"), imposing_country="GB") for n in (1, 2)]
    china = make_sanction(make_person("Tom Tugendhat"), answers=uk, regime="Global Human Rights sanctions regime")
    claim(china, "regime", reasoning="The letter names the regime, not these targets.",
          citations=[cite(china, "our Global Human Rights sanctions regime")])
    first_answer = china.responses.order_by("pk").first()
    claim(first_answer, "answers", basis="outside", outside_source="The UK's sanctions list, March 2021")

    response = client.get(china.get_absolute_url())

    assert [text for text, _ in marks(response)] == ["inferred", "from outside the documents"]
    text = text_of(response)
    assert "Answers United Kingdom on Official 1, announced 26 March 2021 from outside the documents" in text
    assert "United Kingdom on Official 2, announced 26 March 2021" in text
    assert "Regime, inferred: The letter names the regime, not these targets." in text
    # The answered sanction shows the answer, and its basis, too.
    answered = client.get(uk[0].get_absolute_url())
    assert "Answered by China on Tom Tugendhat" in text_of(answered)
    assert [text for text, _ in marks(answered)] == ["from outside the documents"]


def test_an_event_lists_the_sanctions_that_answer_it_with_the_basis_of_each(client):
    announcement = make_event("UK sanctions officials over Xinjiang", kind="sanction_announcement")
    answer_to_it = make_sanction(make_person("Tom Tugendhat"), answers=announcement)
    claim(answer_to_it.responses.get(), "answers", basis="outside", outside_source="China's foreign ministry")
    draft = make_sanction(make_person("Nus Ghani"), answers=announcement, is_published=False)

    response = client.get(announcement.get_absolute_url())

    text = text_of(response)
    assert "Sanctions answering this event China on Tom Tugendhat, announced 26 March 2021" in text
    assert "Nus Ghani" not in text and draft.get_absolute_url() not in html_of(response)
    assert "Answers (China on Tom Tugendhat answers this event), from outside the documents" in text
    assert "Answers UK sanctions officials over Xinjiang" in text_of(client.get(answer_to_it.get_absolute_url()))


# People, organizations and sources


def test_a_person_page_marks_an_inferred_end_of_office_and_a_participation_claim(client):
    sunak = make_person("Rishi Sunak")
    office = make_office(sunak, "Prime Minister", start=None)
    claim(office, "end", reasoning="Document 004 shows Starmer as Prime Minister by 17 October 2024.",
          citations=[cite(office, "Prime Minister Sir Keir Starmer")])
    part = take_part(make_event("Sunak meets Xi"), sunak, role="party")
    claim(part, "role", reasoning="Only the Chinese side reports the agreement.",
          citations=[cite(part.event, "agreed in principle to resume exchanges")])

    response = client.get(sunak.get_absolute_url())

    assert [text for text, _ in marks(response)] == ["inferred", "inferred"]
    text = text_of(response)
    assert "End (Prime Minister), inferred: Document 004 shows Starmer" in text
    assert "Role (Sunak meets Xi: party), inferred: Only the Chinese side reports the agreement." in text


def test_an_organization_page_marks_an_inferred_claim_on_an_office_held_there(client):
    committee = make_organization("Foreign Affairs Committee")
    office = make_office(make_person("Alicia Kearns"), "Chair", organization=committee)
    claim(office, "start", reasoning="She chaired it by August 2023.", citations=[cite(office, "chairwoman Alicia Kearns")])

    response = client.get(committee.get_absolute_url())

    assert [text for text, _ in marks(response)] == ["inferred"]
    assert "Start (Alicia Kearns, Chair), inferred: She chaired it by August 2023." in text_of(response)


def test_a_source_page_says_which_of_its_quotes_support_an_inference(client):
    meeting, basis = han_zheng_meeting()
    source = basis.citations.get().source

    text = text_of(client.get(source.get_absolute_url()))

    assert (
        "“a trip by James Cleverly in August 2023”: this quote supports an inference: the date of "
        f"James Cleverly meets Han Zheng. {basis.reasoning}"
    ) in text


def test_a_drafts_inference_is_not_told_on_the_public_source_page(client):
    meeting, basis = han_zheng_meeting()
    Event.objects.filter(pk=meeting.pk).update(is_published=False)

    text = text_of(client.get(basis.citations.get().source.get_absolute_url()))

    assert "supports an inference" not in text


def test_a_source_page_gives_its_original_address_or_says_it_is_not_recorded(client):
    kept = make_source(title="Kept", url="https://example.org/article")
    lost = make_source(title="Lost")

    assert "Original address https://example.org/article" in text_of(client.get(kept.get_absolute_url()))
    assert "Original address Original address not recorded" in text_of(client.get(lost.get_absolute_url()))


def test_a_source_page_says_when_its_title_is_the_archives(client):
    described = make_source(title="MPs say they are not a bargaining chip", title_by_archive=True)
    headlined = make_source(title="Lammy raises human rights concerns")

    assert "Title written by the archive, not the publisher’s headline." in text_of(
        client.get(described.get_absolute_url())
    )
    assert "Title written by the archive" not in text_of(client.get(headlined.get_absolute_url()))


# Placeholders


def test_people_not_named_in_the_documents_are_listed_apart(client):
    make_person("David Lammy")
    make_person("Unnamed Chinese official (1 of 4)", is_placeholder=True)

    text = text_of(client.get(reverse("person_list")))

    named, _, unnamed = text.partition("Not named in the documents")
    assert "1 person named in the documents" in named and "David Lammy" in named
    assert "Unnamed Chinese official" not in named
    assert "Unnamed Chinese official (1 of 4)" in unnamed


def test_past_the_first_few_the_placeholders_are_a_link_away(client, monkeypatch):
    from events import views

    monkeypatch.setattr(views, "UNNAMED_SHOWN", 1)
    for n in (1, 2):
        make_person(f"Unnamed official ({n} of 2)", is_placeholder=True)

    first = client.get(reverse("person_list"))
    assert "the first 1 are listed; see them all" in text_of(first)
    assert 'href="?unnamed=1"' in html_of(first)

    every = text_of(client.get(reverse("person_list"), {"unnamed": "1"}))
    assert "People not named in the documents" in every
    assert "Unnamed official (1 of 2)" in every and "Unnamed official (2 of 2)" in every


def test_organizations_not_named_in_the_documents_are_listed_apart(client):
    make_organization("Foreign Affairs Committee")
    make_organization("Unnamed state-run organisation in Xinjiang", is_placeholder=True)

    text = text_of(client.get(reverse("organization_list")))

    named, _, unnamed = text.partition("Not named in the documents")
    assert "Foreign Affairs Committee" in named and "Unnamed state-run" not in named
    assert "Unnamed state-run organisation in Xinjiang" in unnamed


def test_a_list_asked_for_something_other_than_the_unnamed_says_so(client):
    response = client.get(reverse("person_list"), {"unnamed": "yes"})
    assert response.status_code == 400
    assert "“unnamed” takes 1" in text_of(response)


def test_placeholders_are_left_out_of_the_name_suggestions():
    make_person("David Lammy")
    make_person("Unnamed Chinese official (1 of 4)", is_placeholder=True)
    make_organization("Unnamed civil society organisations", is_placeholder=True)

    assert read_actor_names() == ["David Lammy"]


# The admin


def inline_management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def office_form(office, **claim_fields):
    """The office's admin form as shown, with one new claim basis."""
    data = {
        "person": str(office.person_id),
        "title": office.title,
        "organization": "",
        "start_precision": "unknown",
        "start_earliest": "",
        "start_latest": "",
        "end_precision": "unknown",
        "end_earliest": "",
        "end_latest": "",
        "loaded_version": str(office.version),
    }
    data |= inline_management("citations", 0) | inline_management("claim_bases", 1)
    data |= {f"claim_bases-0-{name}": value for name, value in claim_fields.items()}
    return data


def post_office(client, office, **claim_fields):
    return client.post(reverse("admin:events_office_change", args=[office.pk]), office_form(office, **claim_fields))


@pytest.mark.parametrize(
    "claim_fields, message",
    [
        (
            {"claim": "end", "basis": "inferred", "reasoning": "", "citations": "QUOTE"},
            "An inferred claim needs its reasoning: say in a sentence how the quotes lead to it.",
        ),
        (
            {"claim": "end", "basis": "inferred", "reasoning": "Starmer held it by then."},
            "An inferred claim must cite at least one quote it rests on.",
        ),
        (
            {"claim": "end", "basis": "outside", "outside_source": ""},
            "A claim from outside the documents must say where it comes from.",
        ),
        (
            {"claim": "salary", "basis": "outside", "outside_source": "A guess"},
            "“salary” is not a field or link of an office: name one of end, organization, person, start, title.",
        ),
    ],
    ids=["inferred without reasoning", "inferred without quotes", "outside without origin", "no such claim"],
)
def test_the_admin_refuses_a_claim_basis_that_lacks_what_it_needs_and_saves_nothing(
    editor, client, claim_fields, message
):
    office = make_office(make_person("Rishi Sunak"), "Prime Minister")
    quote = cite(office, "Prime Minister Rishi Sunak")
    claim_fields = {name: str(quote.pk) if value == "QUOTE" else value for name, value in claim_fields.items()}

    response = post_office(client, office, **claim_fields)

    assert response.status_code == 200
    assert message in text_of(response)
    assert not ClaimBasis.objects.exists()
    assert Office.objects.get(pk=office.pk).version == office.version


def test_the_admin_saves_an_inferred_claim_with_its_quotes_and_the_history_tells_it(editor, client):
    event = make_event("James Cleverly meets Han Zheng")
    quote = cite(event, "a trip by James Cleverly in August 2023")
    data = {
        "title": event.title,
        "slug": event.slug,
        "kind": event.kind,
        "is_published": "on",
        "date_precision": "month",
        "date_earliest": "2023-08-01",
        "date_latest": "2023-08-31",
        "place": "",
        "country": "",
        "summary": event.summary,
        "loaded_version": str(event.version),
        "citations-0-id": str(quote.pk),
        "citations-0-event": str(event.pk),
        "citations-0-source": str(quote.source_id),
        "citations-0-quote": quote.quote,
        "citations-0-loaded_version": str(quote.version),
        "claim_bases-0-claim": "date",
        "claim_bases-0-basis": "inferred",
        "claim_bases-0-reasoning": "The meeting was part of the trip, dated August 2023.",
        "claim_bases-0-citations": [str(quote.pk)],
    }
    data |= inline_management("participations", 0) | inline_management("citations", 1, 1)
    data |= inline_management("relations_from", 0) | inline_management("claim_bases", 1)

    response = client.post(reverse("admin:events_event_change", args=[event.pk]), data)

    assert response.status_code == 302, text_of(response)
    basis = ClaimBasis.objects.get()
    assert (basis.event, basis.claim, list(basis.citations.all())) == (event, "date", [quote])
    reason = event.history.order_by("-history_date").first().history_change_reason
    assert "Added claim basis “date of James Cleverly meets Han Zheng: inferred from the documents”." in reason


def test_claims_about_a_participant_are_edited_in_the_claim_bases_admin(editor, client):
    event = make_event()
    part = take_part(event, make_person("Keir Starmer"), role="party")
    data = {
        "participation": str(part.pk),
        "claim": "role",
        "basis": "outside",
        "outside_source": "The Foreign Office's own record of the talks",
    }

    response = client.post(reverse("admin:events_claimbasis_add"), data)

    assert response.status_code == 302, text_of(response)
    assert ClaimBasis.objects.get().participation == part


def test_the_claim_bases_admin_refuses_a_claim_about_no_record_or_two(editor, client):
    event = make_event()
    part = take_part(event, make_person("Keir Starmer"))
    for targets in ({}, {"event": str(event.pk), "participation": str(part.pk)}):
        data = {"claim": "role", "basis": "outside", "outside_source": "Somewhere"} | targets
        response = client.post(reverse("admin:events_claimbasis_add"), data)
        assert response.status_code == 200
        assert "A claim basis is about exactly one record." in text_of(response)
    assert not ClaimBasis.objects.exists()


# The audit page


def test_the_audit_page_is_for_editors_only(client):
    assert client.get(AUDIT).status_code == 302
    client.force_login(User.objects.create_user("reader", password="a-long-reader-password"))
    assert client.get(AUDIT).status_code == 302


def test_the_audit_page_lists_every_inferred_or_outside_claim_with_its_record_reasoning_and_quotes(editor, client):
    meeting, inferred = han_zheng_meeting()
    sanction = make_sanction(make_person("Official 1"), imposing_country="GB")
    outside = claim(sanction, "announced", basis="outside", outside_source="The UK sanctions list")

    response = client.get(AUDIT)

    text = text_of(response)
    assert "2 claims" in text
    assert (
        f"Date of James Cleverly meets Han Zheng, inferred · Edit claim basis {inferred.pk} "
        f"Reasoning: {inferred.reasoning} “a trip by James Cleverly in August 2023”"
    ) in text
    assert "Announced of United Kingdom on Official 1, from outside the documents" in text
    assert "From: The UK sanctions list" in text
    assert f'href="{meeting.get_absolute_url()}"' in html_of(response)
    assert f'href="{reverse("admin:events_claimbasis_change", args=[outside.pk])}"' in html_of(response)
    assert response["Cache-Control"].startswith("max-age=0")


def add_claims(count):
    for number in range(count):
        event = make_event(f"Event {number}")
        claim(event, "date", citations=[cite(event, f"Quote {number} about the date")])
        claim(make_office(make_person(f"Person {number}")), "end", basis="outside", outside_source="Elsewhere")


def test_the_audit_page_answers_in_the_same_number_of_queries_however_many_claims(editor, client):
    counts = []
    for count in (2, 20):
        add_claims(count)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(AUDIT).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# The archive


def test_every_claim_basis_in_the_archive_is_marked_on_its_page(archive, client):
    bases = list(ClaimBasis.objects.with_records().order_by("pk"))
    assert bases
    for basis in bases:
        html = html_of(client.get(basis.page_record.get_absolute_url()))
        assert f'href="#claim-{basis.pk}"' in html, basis
        assert f'id="claim-{basis.pk}"' in html, basis


def test_the_han_zheng_meeting_is_dated_august_2023_as_an_inference(archive, client):
    meeting = Event.objects.get(slug="james-cleverly-meets-han-zheng")
    response = client.get(meeting.get_absolute_url())
    assert "Date August 2023 inferred" in text_of(response)


def test_the_readmes_example_of_each_basis_holds_in_the_archive(archive):
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    examples = {
        "uk-launches-bno-immigration-route": None,  # stated
        "james-cleverly-meets-han-zheng": "inferred",
        "starmer-on-the-taiwan-strait-at-pmqs": "outside",
    }
    for slug, basis in examples.items():
        event = Event.objects.get(slug=slug)
        claim_of = {"james-cleverly-meets-han-zheng": "date", "starmer-on-the-taiwan-strait-at-pmqs": "place"}
        name = claim_of.get(slug, "date")
        assert ClaimBasis.objects.filter(event=event, claim=name).values_list("basis", flat=True).first() == basis
        assert event.title.replace("’", "'") in readme


# Answers in the admin


def test_the_admin_records_what_a_sanction_answers_and_the_history_tells_it(editor, client):
    uk = make_sanction(make_person("Official 1"), imposing_country="GB")
    china = make_sanction(make_person("Tom Tugendhat"))
    url = reverse("admin:events_sanction_change", args=[china.pk])
    data = form_data(client.get(url)) | inline_management("responses", 1) | {"responses-0-answers_sanction": str(uk.pk)}

    response = client.post(url, data)

    assert response.status_code == 302, text_of(response)
    assert [row.answers_sanction for row in china.responses.all()] == [uk]
    reason = china.history.order_by("-history_date").first().history_change_reason
    assert f"Added sanction response “{china} answers {uk}”." in reason


def test_the_admin_refuses_an_answer_that_would_make_a_loop_and_saves_nothing(editor, client):
    first = make_sanction(make_person("Official 1"), imposing_country="GB")
    second = make_sanction(make_person("Tom Tugendhat"), answers=first)
    url = reverse("admin:events_sanction_change", args=[first.pk])
    data = form_data(client.get(url)) | inline_management("responses", 1) | {"responses-0-answers_sanction": str(second.pk)}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "answering it would make a loop" in text_of(response)
    assert not first.responses.exists()


def test_a_source_page_lists_each_quote_behind_an_inference_with_its_claim_and_record_in_few_queries(client):
    source = make_source("Ministers met in Beijing. The talks were held on 18 October. Nothing else was said.")
    talks = make_event("Talks in Beijing", date="2024-10-18")
    draft = make_event("A draft", date="2024-10-19", is_published=False)
    met, held = cite(talks, "Ministers met in Beijing.", source=source), cite(talks, "The talks were held on 18 October.", source=source)
    claim(talks, "date", reasoning="The day the talks were held.", citations=[held, met])
    claim(talks, "place", reasoning="Where the ministers met.", citations=[met])
    claim(draft, "date", reasoning="A draft's reasoning.", citations=[met])

    with CaptureQueriesContext(connection) as captured:
        text = text_of(client.get(source.get_absolute_url()))

    behind = text[text.index("Quotes behind inferences") :]
    assert behind.count("this quote supports an inference") == 3
    assert behind.index("the date of Talks in Beijing. The day the talks were held.") < behind.index(
        "the place of Talks in Beijing. Where the ministers met."
    )
    assert "A draft's reasoning" not in text
    assert len(captured) <= 10
