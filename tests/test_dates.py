"""Fuzzy dates as code uses them: parsed from what people type, stored in three columns, read back as one."""

import datetime

import pytest
from django.core.exceptions import FieldDoesNotExist, ValidationError

from events.dates import FuzzyDate, FuzzyDateField, Precision
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


@pytest.mark.parametrize("text", ["2021-3", "21", "2021/03/22", "March 2021", ""])
def test_a_malformed_date_is_rejected_with_the_forms_it_may_take(text):
    with pytest.raises(ValueError, match=r"^Enter a date as YYYY, YYYY-MM or YYYY-MM-DD\.$"):
        FuzzyDate.parse(text)


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
    columns = [Sanction._meta.get_field(name) for name in ("lifted_precision", "lifted_earliest", "lifted_latest")]
    assert [column.verbose_name for column in columns] == ["Lifted precision", "Lifted: earliest", "Lifted: latest"]


def test_cleaning_fills_in_each_dates_missing_bound():
    office = Office(start_precision=Precision.MONTH, start_earliest=D(2023, 8, 1), end_precision=Precision.YEAR,
                    end_earliest=D(2024, 1, 1))
    office.clean()
    assert office.start == FuzzyDate.parse("2023-08")
    assert office.end == FuzzyDate.parse("2024")


def test_cleaning_reports_an_error_against_the_column_of_the_date_it_is_in():
    sanction = Sanction(**FuzzyDate.parse("2021").as_fields("announced"), lifted_precision=Precision.DAY)
    with pytest.raises(ValidationError) as raised:
        sanction.clean()
    assert raised.value.message_dict == {"lifted_earliest": ["A date known to the day needs its earliest day."]}
