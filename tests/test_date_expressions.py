"""The date resolver: expressions in a document's text, read against the document's own date."""

import datetime

import pytest

from events.date_expressions import date_expressions, resolve_phrase
from events.dates import FuzzyDate, Precision
from events.models import Event, Source

D = datetime.date
# The seeds' documents: 004 is Thursday 17 October 2024, 001 Friday 18 October 2024, the letter
# in 002 was published on Monday 9 January 2023; 000 and 003 are undated.
THURSDAY = FuzzyDate.parse("2024-10-17")
FRIDAY = FuzzyDate.parse("2024-10-18")
LETTER = FuzzyDate.parse("2023-01-09")
UNDATED = FuzzyDate(Precision.UNKNOWN)


def day(text):
    return FuzzyDate.parse(text)


def days(first, last, precision=Precision.MONTH):
    return FuzzyDate(precision, first, last)


TABLE = [
    # (expression, the document's date, what it resolves to)
    ("on Thursday", FRIDAY, day("2024-10-17")),
    ("on Friday", FRIDAY, day("2024-10-18")),
    ("on Wednesday", THURSDAY, day("2024-10-16")),
    ("on Friday", THURSDAY, day("2024-10-18")),
    ("earlier this week", THURSDAY, days(D(2024, 10, 14), D(2024, 10, 16))),
    ("Earlier in the week", FRIDAY, days(D(2024, 10, 14), D(2024, 10, 17))),
    ("later this week", THURSDAY, days(D(2024, 10, 18), D(2024, 10, 20))),
    ("in August 2023", FRIDAY, day("2023-08")),
    ("October 2024", THURSDAY, day("2024-10")),
    ("Oct 2024", THURSDAY, day("2024-10")),
    ("last year", FRIDAY, day("2023")),
    ("this year", FRIDAY, day("2024")),
    ("next year", FRIDAY, day("2025")),
    ("last month", FRIDAY, day("2024-09")),
    ("next month", FRIDAY, day("2024-11")),
    ("yesterday", FRIDAY, day("2024-10-17")),
    ("today", FRIDAY, day("2024-10-18")),
    ("tomorrow", THURSDAY, day("2024-10-18")),
    ("this week", THURSDAY, days(D(2024, 10, 14), D(2024, 10, 20))),
    ("next week", THURSDAY, days(D(2024, 10, 21), D(2024, 10, 27))),
    ("last week", THURSDAY, days(D(2024, 10, 7), D(2024, 10, 13))),
    ("18 October", THURSDAY, day("2024-10-18")),
    ("on 20 September", LETTER, day("2022-09-20")),
    ("On 24 November", LETTER, day("2022-11-24")),
    ("in August", FRIDAY, day("2024-08")),
    ("18 October 2024", UNDATED, day("2024-10-18")),
    ("October 18, 2024", UNDATED, day("2024-10-18")),
    ("in 2021", UNDATED, day("2021")),
    ("since 2018", FRIDAY, day("2018")),
    # A week across two months keeps its days, precise only to the year they share.
    ("next week", FuzzyDate.parse("2024-10-24"), days(D(2024, 10, 28), D(2024, 11, 3), Precision.YEAR)),
    # ... and across two years, only its bounds.
    ("next week", FuzzyDate.parse("2024-12-26"), days(D(2024, 12, 30), D(2025, 1, 5), Precision.UNKNOWN)),
    # Nothing relative can be placed in an undated document, or one dated only to the year.
    ("on Thursday", UNDATED, UNDATED),
    ("earlier this week", UNDATED, UNDATED),
    ("last month", FuzzyDate.parse("2024"), UNDATED),
    ("last year", UNDATED, UNDATED),
    ("last year", FuzzyDate.parse("2024"), day("2023")),
    ("18 October", UNDATED, UNDATED),
    # Nothing of a Monday's week comes earlier than it.
    ("earlier this week", FuzzyDate.parse("2024-10-14"), UNDATED),
]


@pytest.mark.parametrize(("expression", "document", "expected"), TABLE, ids=[f"{row[0]} in {row[1]}" for row in TABLE])
def test_an_expression_resolves_against_the_documents_date(expression, document, expected):
    assert resolve_phrase(expression, document) == expected


def test_earlier_this_week_is_a_range_of_days_not_a_day():
    date = resolve_phrase("earlier this week", THURSDAY)
    assert date.precision != Precision.DAY
    assert str(date) == "Between 14 October 2024 and 16 October 2024"


def test_an_unplaceable_expression_says_why():
    [found] = date_expressions("The pair met on Thursday.", UNDATED)
    assert found.text == "on Thursday"
    assert "not known to the day" in found.how


def test_a_full_date_is_read_whole_not_as_a_day_and_a_year():
    found = date_expressions("Our ref: MC2022/30120 8 January 2023", LETTER)
    assert [(each.text, each.date) for each in found] == [("8 January 2023", day("2023-01-08"))]


def test_a_number_that_is_not_a_year_and_may_the_verb_are_not_dates():
    assert date_expressions("Ministers may meet 23 countries; ref 2022/30120 and 12.2021.", FRIDAY) == []


def test_each_expression_keeps_its_place_in_the_text():
    text = "The pair met on Friday, after the exercises earlier this week."
    assert [text[each.start : each.end] for each in date_expressions(text, FRIDAY)] == ["on Friday", "earlier this week"]


# (event, source, the expression in one of its cited quotes from that source): the fixtures'
# dates, worked out by hand from the same documents, must come out the same.
FIXTURE_PAIRS = [
    ("starmer-on-the-taiwan-strait-at-pmqs", "independent-lammy-to-urge-china", "on Wednesday"),
    ("downing-street-on-uighurs-and-competent-courts", "independent-lammy-raises", "on Thursday"),
    ("david-lammy-meets-wang-yi", "independent-lammy-raises", "on Friday"),
    ("china-holds-military-exercises-around-taiwan", "independent-lammy-to-urge-china", "earlier this week"),
    ("james-cleverly-visits-china", "independent-lammy-raises", "August 2023"),
    ("a-british-foreign-secretary-visits-china-in-2018", "independent-lammy-raises", "2018"),
    ("foreign-secretary-raises-human-rights-with-chinese-counterpart", "fcdo-letter", "20 September"),
    ("un-third-committee-joint-statement-on-xinjiang", "fcdo-letter", "31 October 2022"),
    ("minister-speaks-on-xinjiang-in-the-house-of-lords", "fcdo-letter", "17 November"),
    ("lord-alton-writes-about-the-us-cecc-report", "fcdo-letter", "19 November"),
    ("uk-stops-deploying-chinese-surveillance-systems-on-sensitive-sites", "fcdo-letter", "24 November"),
    ("foreign-office-letter-to-lord-alton", "fcdo-letter", "8 January 2023"),
    ("uk-launches-bno-immigration-route", "fcdo-letter", "31 January 2021"),
    ("uk-leads-first-un-joint-statement-on-xinjiang", "fcdo-letter", "2019"),
    ("g7-leaders-commit-to-supply-chains-free-of-forced-labour", "fcdo-letter", "2021"),
    ("china-sanctions-british-mps-and-peers", "independent-sanctioned", "2021"),
]


@pytest.mark.parametrize(("slug", "source_start", "expression"), FIXTURE_PAIRS, ids=[row[0] for row in FIXTURE_PAIRS])
def test_the_fixtures_dates_come_out_the_same_from_their_cited_passages(archive, slug, source_start, expression):
    event = Event.objects.get(slug=slug)
    source = Source.objects.get(slug__startswith=source_start)
    quotes = [citation.quote for citation in event.citations.filter(source=source)]
    resolved = [
        found.date
        for quote in quotes
        for found in date_expressions(quote, source.published)
        if found.text.lower().endswith(expression.lower())
    ]
    assert resolved, f"“{expression}” is in none of the quotes of {slug} from {source}"
    assert set(resolved) == {event.date}
