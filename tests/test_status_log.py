"""A sanction's status over time: a log of entries (imposed, extended, suspended, lifted), each dated
as precisely as its quote allows and backed by a quote cited for the sanction. The current status
and its "as of" date come from the latest entry; an empty log is an unknown status."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import RestrictedError
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Citation, Sanction, StatusChange

from .factories import cite, make_person, make_sanction, record_status
from .helpers import form_data, html_of, text_of

pytestmark = pytest.mark.django_db

SANCTIONS = reverse("sanction_list")
IMPOSED, EXTENDED, SUSPENDED, LIFTED = (
    StatusChange.Change.IMPOSED, StatusChange.Change.EXTENDED, StatusChange.Change.SUSPENDED, StatusChange.Change.LIFTED
)


def status_line(response):
    """The text of the sanction page's Status entry."""
    return re.search(r"Status (.*?) Announced", text_of(response)).group(1)


def timeline(response):
    """The text of each entry of the page's status log, in the order shown."""
    log = re.search(r'<ol class="status-log">(.*?)</ol>', html_of(response), re.S).group(1)
    items = re.findall(r"<li><p>(.*?)</p>", log, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


def unlogged_sanction():
    return make_sanction(make_person("Tom Tugendhat"), announced="2021-03-26", status=Sanction.Status.UNKNOWN)


# The current status and as of when


def test_a_sanction_with_no_entry_has_an_unknown_status_and_its_page_says_why(client):
    sanction = unlogged_sanction()

    response = client.get(sanction.get_absolute_url())

    assert sanction.status == Sanction.Status.UNKNOWN
    assert status_line(response) == "Unknown (no status recorded)"
    assert "No quote in the archive says this sanction was imposed, extended, suspended or lifted" in text_of(response)


def test_the_status_and_its_as_of_date_are_the_latest_entrys(client):
    sanction = unlogged_sanction()
    record_status(sanction, IMPOSED, "2021-03-26")
    record_status(sanction, SUSPENDED, "2022-05")
    record_status(sanction, LIFTED, "2023")

    sanction.refresh_from_db()
    assert sanction.status == Sanction.Status.LIFTED
    assert status_line(client.get(sanction.get_absolute_url())) == "Lifted, as of 2023 (lifted)"


def test_entries_recorded_out_of_order_are_read_in_date_order(client):
    sanction = unlogged_sanction()
    record_status(sanction, LIFTED, "2023-06-01")
    record_status(sanction, IMPOSED, "2021-03-26")
    record_status(sanction, EXTENDED, "2022")

    sanction.refresh_from_db()
    response = client.get(sanction.get_absolute_url())

    assert sanction.status == Sanction.Status.LIFTED
    assert timeline(response) == ["Imposed: 26 March 2021", "Extended: 2022", "Lifted: 1 June 2023"]


def test_an_entry_of_unknown_date_stands_after_the_entry_recorded_before_it(client):
    sanction = unlogged_sanction()
    record_status(sanction, IMPOSED, "2021-03-26")
    record_status(sanction, LIFTED, None)

    sanction.refresh_from_db()
    response = client.get(sanction.get_absolute_url())

    assert sanction.status == Sanction.Status.LIFTED
    assert status_line(response) == "Lifted, as of a date not known (lifted)"
    assert timeline(response) == ["Imposed: 26 March 2021", "Lifted: a date not known"]


def test_deleting_the_latest_entry_gives_back_the_status_before_it():
    sanction = unlogged_sanction()
    record_status(sanction, IMPOSED, "2021-03-26")
    suspended = record_status(sanction, SUSPENDED, "2022")

    suspended.delete()

    assert Sanction.objects.get(pk=sanction.pk).status == Sanction.Status.ACTIVE


def test_a_save_of_the_sanction_keeps_the_status_its_log_gives():
    sanction = make_sanction(make_person(), status=Sanction.Status.LIFTED)
    sanction.status = Sanction.Status.ACTIVE  # as a stale copy or an old version would hold it

    sanction.save()

    assert Sanction.objects.get(pk=sanction.pk).status == Sanction.Status.LIFTED


# The page's timeline


def test_the_page_shows_the_log_as_an_ordered_list_with_each_quote_verbatim_and_linked(client):
    sanction = unlogged_sanction()
    quote = "China imposed sanctions on the MP in March 2021."
    citation = cite(sanction, quote)
    record_status(sanction, IMPOSED, "2021-03", citation=citation)

    response = client.get(sanction.get_absolute_url())
    html = html_of(response)

    assert timeline(response) == ["Imposed: March 2021"]
    log = re.search(r'<ol class="status-log">(.*?)</ol>', html, re.S).group(1)
    assert f"<blockquote><p>{quote}</p></blockquote>" in log
    assert f'href="{citation.get_absolute_url()}"' in log
    assert quote in citation.source.text


def test_the_sanctions_list_says_each_status_as_of_its_latest_entry(client):
    sanction = unlogged_sanction()
    record_status(sanction, IMPOSED, "2021-03-26")
    record_status(sanction, SUSPENDED, "2022-05")

    assert "China on Tom Tugendhat Suspended as of May 2022 announced 26 March 2021" in text_of(client.get(SANCTIONS))


def test_the_sanctions_list_filters_by_the_status_the_log_gives(client):
    lifted = make_sanction(make_person("Chen Quanguo"), status=Sanction.Status.LIFTED)
    make_sanction(make_person("Tom Tugendhat"))

    response = client.get(SANCTIONS, {"status": "lifted"})

    assert "1 sanction · lifted" in text_of(response)
    assert str(lifted) in text_of(response) and "Tom Tugendhat" not in text_of(response)


def test_the_sanctions_list_makes_the_same_number_of_queries_however_many_sanctions_and_entries(client):
    def queries_with(sanctions):
        while Sanction.objects.count() < sanctions:
            sanction = make_sanction(make_person(f"Target {Sanction.objects.count()}"), status=Sanction.Status.LIFTED)
            record_status(sanction, EXTENDED, "2022")
        client.get(SANCTIONS)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SANCTIONS)
        assert f"{sanctions} sanctions" in text_of(response)
        return len(captured)

    assert queries_with(2) == queries_with(12) <= 10


# What an entry needs


def test_an_entry_without_a_quote_is_refused():
    sanction = unlogged_sanction()
    entry = StatusChange(sanction=sanction, change=IMPOSED, date_precision="unknown")

    with pytest.raises(ValidationError) as refused:
        entry.full_clean()

    assert refused.value.message_dict["citation"] == [
        "Choose the quote that says so: each entry of the log is backed by one."
    ]


def test_an_entry_backed_by_another_sanctions_quote_is_refused():
    sanction, other = unlogged_sanction(), make_sanction(make_person("Nus Ghani"))
    entry = StatusChange(sanction=sanction, change=IMPOSED, date_precision="unknown", citation=other.citations.first())

    with pytest.raises(ValidationError) as refused:
        entry.full_clean()

    assert refused.value.message_dict["citation"] == [
        "Choose a quote cited for this sanction (its citations are listed on its page)."
    ]


def test_a_quote_that_backs_an_entry_cannot_be_deleted_from_under_it():
    sanction = make_sanction(make_person())

    with pytest.raises(RestrictedError):
        sanction.citations.first().delete()

    assert sanction.status_log.count() == 1


def test_deleting_a_sanction_takes_its_quotes_and_its_log_with_it():
    sanction = make_sanction(make_person())

    sanction.delete()

    assert not StatusChange.objects.exists()
    assert not Citation.objects.exists()


# In the admin


def admin_log(response):
    return response.context["inline_admin_formsets"][2].formset


def test_the_admin_offers_only_the_sanctions_own_quotes_for_an_entry(editor, client):
    sanction = make_sanction(make_person())
    make_sanction(make_person("Nus Ghani"))

    formset = admin_log(client.get(reverse("admin:events_sanction_change", args=[sanction.pk])))

    offered = list(formset.form.base_fields["citation"].queryset)
    assert offered == list(sanction.citations.all())


def test_an_editor_adds_an_entry_in_the_admin_and_the_status_and_history_follow(editor, client):
    sanction = make_sanction(make_person(), announced="2021-03-26")
    url = reverse("admin:events_sanction_change", args=[sanction.pk])
    quote = cite(sanction, "The sanctions were lifted in June 2024 after talks.")
    data = form_data(client.get(url)) | {
        "status_log-TOTAL_FORMS": "2",
        "status_log-1-change": "lifted",
        "status_log-1-date_precision": "month",
        "status_log-1-date_earliest": "2024-06-01",
        "status_log-1-citation": str(quote.pk),
    }

    response = client.post(url, data)

    assert response.status_code == 302
    sanction.refresh_from_db()
    assert sanction.status == Sanction.Status.LIFTED
    assert [str(entry) for entry in sanction.status_log_in_order()] == ["Imposed: 26 March 2021", "Lifted: June 2024"]
    assert "Added status change “Lifted: June 2024”" in sanction.history.first().history_change_reason


def test_the_admin_refuses_an_entry_without_a_quote_and_saves_nothing(editor, client):
    sanction = make_sanction(make_person())
    url = reverse("admin:events_sanction_change", args=[sanction.pk])
    data = form_data(client.get(url)) | {
        "status_log-TOTAL_FORMS": "2",
        "status_log-1-change": "lifted",
        "status_log-1-date_precision": "unknown",
        "regime": "A regime typed at the same time",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert admin_log(response).errors[1]["citation"] == [
        "Choose the quote that says so: each entry of the log is backed by one."
    ]
    sanction.refresh_from_db()
    assert sanction.status == Sanction.Status.ACTIVE and sanction.regime == ""
    assert sanction.status_log.count() == 1


def test_the_status_is_shown_in_the_admin_but_not_typed(editor, client):
    sanction = make_sanction(make_person(), status=Sanction.Status.SUSPENDED)

    response = client.get(reverse("admin:events_sanction_change", args=[sanction.pk]))

    assert "status" not in response.context["adminform"].form.fields
    assert "Suspended" in text_of(response)


# The fixtures' sanctions


def test_every_fixture_sanction_has_a_log_and_the_status_it_gives(archive):
    for sanction in Sanction.objects.prefetch_related("status_log"):
        latest = sanction.latest_status_change
        assert latest is not None, sanction
        assert sanction.status == latest.resulting_status, sanction


def test_every_fixture_entry_cites_a_quote_of_its_own_sanction_verbatim(archive):
    for entry in StatusChange.objects.select_related("citation__source"):
        assert entry.citation.sanction_id == entry.sanction_id
        assert entry.citation.quote in entry.citation.source.text
        entry.full_clean()


def test_the_fixture_logs_say_only_what_the_documents_say(archive):
    logs = {
        sanction.pk: [(entry.change, str(entry.date), entry.citation.quote[:48]) for entry in sanction.status_log_in_order()]
        for sanction in Sanction.objects.prefetch_related("status_log__citation")
    }

    uk = ("imposed", "Date unknown", "The UK imposed sanctions on four Chinese officia")
    china = ("imposed", "2021", "In response, in 2021, Beijing imposed sanctions ")
    assert {pk: logs[pk] for pk in range(1, 6)} == dict.fromkeys(range(1, 6), [uk])
    assert {pk: logs[pk] for pk in range(6, 13)} == dict.fromkeys(range(6, 13), [china])
    # The civil society organisations: the MPs and peers say only that they "remain sanctioned".
    assert logs[13] == [("imposed", "Date unknown", "“We will not accept any reprieve that applies on")]


def test_a_fixture_sanction_page_shows_its_log(archive, client):
    sanction = Sanction.objects.get(pk=6)

    response = client.get(sanction.get_absolute_url())

    assert status_line(response).startswith("Active, as of 2021 (imposed)")
    assert timeline(response) == ["Imposed: 2021"]


@pytest.mark.parametrize("chosen", ["abc", "99999999999999999999", "-1", "0"])
def test_a_forged_quote_for_an_entry_is_refused_with_a_message_not_a_server_error(editor, client, chosen):
    sanction = make_sanction(make_person())
    url = reverse("admin:events_sanction_change", args=[sanction.pk])
    data = form_data(client.get(url)) | {
        "status_log-TOTAL_FORMS": "2",
        "status_log-1-change": "lifted",
        "status_log-1-date_precision": "unknown",
        "status_log-1-citation": chosen,
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Select a valid choice" in admin_log(response).errors[1]["citation"][0]
    assert sanction.status_log.count() == 1
