"""Fuzzy dates as code uses them: parsed from what people type, stored in three columns, read back as one."""

import datetime
import re

import pytest
from django.core.exceptions import FieldDoesNotExist, ValidationError

from events.dates import FuzzyDate, FuzzyDateField, Precision, describe_range
from events.models import Event, Office, Sanction, Source

D = datetime.date


@pytest.mark.parametrize(
    "text, date",
    [
        ("2021", FuzzyDate(Precision.YEAR, D(2021, 1, 1), D(2021, 12, 31))),
        ("2021-03", FuzzyDate(Precision.MONTH, D(2021, 3, 1), D(2021, 3, 31))),
        ("2024-02", FuzzyDate(Precision.MONTH, D(2024, 2, 1), D(2024, 2, 29))),
        ("2021-03-22", FuzzyDate(Precision.DAY, D(2021, 3, 22), D(2021, 3, 22))),
        (" 2021-03 ", FuzzyDate(Precision.MONTH, D(2021, 3, 1), D(2021, 3, 31))),
        (None, FuzzyDate(Precision.UNKNOWN, None, None)),
    ],
)
def test_a_typed_date_is_parsed_to_the_whole_period_it_names(text, date):
    assert FuzzyDate.parse(text) == date


@pytest.mark.parametrize(
    "text, date",
    [
        ("October 2024", FuzzyDate(Precision.MONTH, D(2024, 10, 1), D(2024, 10, 31))),
        ("oct 2024", FuzzyDate(Precision.MONTH, D(2024, 10, 1), D(2024, 10, 31))),
        ("  SEPT   2024 ", FuzzyDate(Precision.MONTH, D(2024, 9, 1), D(2024, 9, 30))),
        ("18 October 2024", FuzzyDate(Precision.DAY, D(2024, 10, 18), D(2024, 10, 18))),
        ("18 Oct 2024", FuzzyDate(Precision.DAY, D(2024, 10, 18), D(2024, 10, 18))),
        ("18/10/2024", FuzzyDate(Precision.DAY, D(2024, 10, 18), D(2024, 10, 18))),
        ("1/2/2021", FuzzyDate(Precision.DAY, D(2021, 2, 1), D(2021, 2, 1))),
    ],
)
def test_a_date_is_also_read_as_people_type_it_day_first(text, date):
    assert FuzzyDate.parse(text) == date


ACCEPTED = (
    "2024, October 2024 (or Oct 2024, 2024-10), or 18 October 2024 (or 18/10/2024, day first, or 2024-10-18)"
)


@pytest.mark.parametrize("text", ["2021-3", "21", "2021/03/22", "March", "October 18 2024", "18.10.2024", ""])
def test_a_malformed_date_is_rejected_with_the_forms_it_may_take(text):
    with pytest.raises(ValueError, match=rf"^Enter a date such as {re.escape(ACCEPTED)}\.$"):
        FuzzyDate.parse(text)


@pytest.mark.parametrize("text", ["31/02/2024", "30 February 2024", "18/13/2024"])
def test_an_impossible_day_typed_day_first_or_in_words_is_rejected_by_name(text):
    with pytest.raises(ValueError, match=rf"^{text} is not a real date\.$"):
        FuzzyDate.parse(text)


@pytest.mark.parametrize(
    "start, end, words",
    [
        ("2024-10", "2024-10", "in October 2024"),
        ("2021", "2021", "in 2021"),
        ("2024-10-18", "2024-10-18", "on 18 October 2024"),
        ("2024-10-14", "2024-10-16", "14–16 October 2024"),
        ("2024-10-14", "2024-11-02", "14 October–2 November 2024"),
        ("2024-10", "2025-03", "from October 2024 to March 2025"),
        ("2024-10-18", None, "from 18 October 2024"),
        (None, "2021", "up to 2021"),
    ],
)
def test_a_date_range_is_described_in_words(start, end, words):
    as_date = lambda text: FuzzyDate.parse(text) if text else None  # noqa: E731
    assert describe_range(as_date(start), as_date(end)) == words


@pytest.mark.parametrize(
    "date, known_as",
    [
        (FuzzyDate(Precision.UNKNOWN, None, D(2024, 10, 17)), "by 17 October 2024"),
        (FuzzyDate(Precision.UNKNOWN, D(2020, 1, 1), D(2021, 6, 30)), "between 1 January 2020 and 30 June 2021"),
        (FuzzyDate(Precision.MONTH, D(2024, 10, 14), D(2024, 10, 16)), "between 14 October 2024 and 16 October 2024"),
        (FuzzyDate.parse("2024-10"), "October 2024"),
    ],
)
def test_what_is_known_of_a_date_is_said_in_words_that_follow_known_only_as(date, known_as):
    assert date.known_as == known_as


@pytest.mark.parametrize("text", ["2023-02-29", "2021-13", "2021-00", "2021-03-00", "0000"])
def test_an_impossible_date_is_rejected_by_name(text):
    with pytest.raises(ValueError, match=rf"^{text} is not a real date\.$"):
        FuzzyDate.parse(text)


def test_a_day_gives_the_month_or_year_containing_it():
    assert FuzzyDate.containing(D(2024, 10, 18), Precision.MONTH) == FuzzyDate.parse("2024-10")
    assert FuzzyDate.containing(D(2024, 10, 18), Precision.YEAR) == FuzzyDate.parse("2024")


def test_a_date_gives_the_keyword_arguments_of_its_three_columns():
    assert FuzzyDate.parse("2021-03").as_fields("date") == {
        "date_precision": Precision.MONTH,
        "date_earliest": D(2021, 3, 1),
        "date_latest": D(2021, 3, 31),
    }
    assert FuzzyDate.parse(None).as_fields("end") == {
        "end_precision": Precision.UNKNOWN,
        "end_earliest": None,
        "end_latest": None,
    }


def test_a_record_reads_its_three_columns_as_one_date():
    date = FuzzyDate.parse("2021-03")
    assert Event(**date.as_fields("date")).date == date
    assert Office(**date.as_fields("start")).start == date
    assert Office(**date.as_fields("start")).end == FuzzyDate(Precision.UNKNOWN)


def test_setting_a_records_date_sets_its_three_columns():
    source = Source()
    source.published = FuzzyDate.parse("2024-10-18")
    assert (source.published_precision, source.published_earliest, source.published_latest) == (
        Precision.DAY,
        D(2024, 10, 18),
        D(2024, 10, 18),
    )


def test_a_fuzzy_date_is_not_a_column_but_its_three_columns_are():
    assert isinstance(Sanction.announced, FuzzyDateField)
    with pytest.raises(FieldDoesNotExist):
        Sanction._meta.get_field("announced")
    columns = [Sanction._meta.get_field(name) for name in ("announced_precision", "announced_earliest", "announced_latest")]
    assert [column.verbose_name for column in columns] == ["Announced precision", "Announced: earliest", "Announced: latest"]


def test_cleaning_fills_in_each_dates_missing_bound():
    office = Office(start_precision=Precision.MONTH, start_earliest=D(2023, 8, 1), end_precision=Precision.YEAR,
                    end_earliest=D(2024, 1, 1))
    office.clean()
    assert office.start == FuzzyDate.parse("2023-08")
    assert office.end == FuzzyDate.parse("2024")


def test_cleaning_reports_an_error_against_the_column_of_the_date_it_is_in():
    office = Office(**FuzzyDate.parse("2021").as_fields("start"), end_precision=Precision.DAY)
    with pytest.raises(ValidationError) as raised:
        office.clean()
    assert raised.value.message_dict == {"end_earliest": ["A date known to the day needs its earliest day."]}
