import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from events.dates import FuzzyDate, Precision, parse_partial_date
from events.models import Citation, Event, Sanction

from .factories import (
    make_event,
    make_organization,
    make_person,
    make_sanction,
    make_source,
)

pytestmark = pytest.mark.django_db

SOURCE_TEXT = "The UK imposed sanctions on four Chinese officials."


def test_a_sanction_with_two_targets_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(
            imposing_country="CN", target_person=make_person(), target_organization=make_organization()
        )


def test_a_sanction_with_no_target_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Sanction.objects.create(imposing_country="CN")


def test_a_sanction_with_no_target_is_refused_by_validation_with_a_message():
    sanction = Sanction(imposing_country="CN")
    with pytest.raises(ValidationError, match="exactly one"):
        sanction.full_clean()


def test_a_sanction_with_one_target_is_saved():
    sanction = Sanction.objects.create(imposing_country="CN", target_person=make_person("Tom Tugendhat"))
    assert sanction.target.name == "Tom Tugendhat"


def test_a_citation_supporting_two_records_is_refused_by_the_database():
    source = make_source(SOURCE_TEXT, title="A source")
    event = make_event("E", kind=Event.Kind.STATEMENT)
    sanction = make_sanction(make_person(), imposing_country="GB")
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, quote="four Chinese officials", event=event, sanction=sanction)


def test_a_quote_missing_from_its_source_is_refused_with_a_message_that_says_so():
    citation = Citation(source=make_source(SOURCE_TEXT, title="A source"), quote="five Chinese officials")
    with pytest.raises(ValidationError) as error:
        citation.full_clean(exclude=["event", "sanction", "office"])
    assert "not in the text of “A source”" in str(error.value.message_dict["quote"])


def test_a_quote_is_verbatim_only_when_it_matches_exactly():
    source = make_source(SOURCE_TEXT, title="A source")
    assert Citation(source=source, quote="four Chinese officials").is_verbatim
    assert not Citation(source=source, quote="Four Chinese officials").is_verbatim
    assert not Citation(source=source, quote="").is_verbatim


def test_a_month_precision_date_is_completed_to_the_whole_month():
    event = Event(title="E", slug="e", kind="visit", summary="s", date_precision=Precision.MONTH,
                  date_earliest=datetime.date(2023, 8, 1))
    event.full_clean()
    assert (event.date_earliest, event.date_latest) == (datetime.date(2023, 8, 1), datetime.date(2023, 8, 31))
    assert str(event.date) == "August 2023"


def test_a_date_whose_bounds_leave_its_month_is_refused():
    event = Event(title="E", slug="e", kind="visit", summary="s", date_precision=Precision.MONTH,
                  date_earliest=datetime.date(2023, 8, 30), date_latest=datetime.date(2023, 9, 2))
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date_latest" in error.value.message_dict


def test_a_known_date_without_its_earliest_day_is_refused():
    event = Event(title="E", slug="e", kind="visit", summary="s", date_precision=Precision.YEAR)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "date_earliest" in error.value.message_dict


@pytest.mark.parametrize(
    "date, shown",
    [
        (FuzzyDate("day", datetime.date(2024, 10, 18), datetime.date(2024, 10, 18)), "18 October 2024"),
        (FuzzyDate("month", datetime.date(2024, 10, 1), datetime.date(2024, 10, 31)), "October 2024"),
        (FuzzyDate("month", datetime.date(2024, 10, 14), datetime.date(2024, 10, 16)),
         "Between 14 October 2024 and 16 October 2024"),
        (FuzzyDate("year", datetime.date(2021, 1, 1), datetime.date(2021, 12, 31)), "2021"),
        (FuzzyDate("unknown"), "Date unknown"),
        (FuzzyDate("unknown", None, datetime.date(2021, 12, 31)), "Date unknown (by 31 December 2021)"),
    ],
)
def test_a_date_reads_as_precisely_as_it_is_known(date, shown):
    assert str(date) == shown


@pytest.mark.parametrize(
    "text, bounds",
    [
        ("2021", (datetime.date(2021, 1, 1), datetime.date(2021, 12, 31))),
        ("2024-02", (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))),
        ("2024-10-18", (datetime.date(2024, 10, 18), datetime.date(2024, 10, 18))),
    ],
)
def test_a_partial_date_covers_its_whole_period(text, bounds):
    assert parse_partial_date(text) == bounds


@pytest.mark.parametrize("text", ["2024-13-40", "2023-02-29", "abc", "24", "2024-1", "2024/10/18", ""])
def test_a_malformed_or_impossible_date_is_rejected_with_a_message(text):
    with pytest.raises(ValueError, match="date"):
        parse_partial_date(text)
