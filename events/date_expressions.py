"""Date expressions in a document's text, resolved against the document's own date.

Pure functions of a text and a FuzzyDate (the document's publication date). Each expression
found becomes a FuzzyDate no more precise than its words and the document's date allow:
"on Thursday" in an article of Friday 18 October 2024 is 17 October 2024; "earlier this week"
in one of Thursday 17 October 2024 is a range of days, 14–16 October 2024, not a day; "on
Thursday" in an undated article is unknown, and says why.

The fixtures' dates were worked out by hand from the same rules (fixtures/build.py's
docstring): a weekday is the day of that name in the document's week, Monday to Sunday (an
article of Thursday says "on Wednesday" of the day before and "on Friday" of the day after);
a day or month named without a year is the one nearest the document's date (the letter of
8 January 2023 writes "on 20 September" of 2022, an article of 17 October 2024 "18 October" of
the next day).
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from .dates import FuzzyDate, Precision, format_day, period_bounds

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
# "May" is a month and a verb: it is read as a month only with a day or a year beside it.
AMBIGUOUS_ALONE = {"may", "mar", "jan", "jun", "sept", "sep", "dec", "oct", "nov", "aug", "apr", "feb", "jul"}
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_WEEKDAY = r"(?P<weekday>" + "|".join(WEEKDAYS) + r")"
_YEAR = r"(?P<year>1[89]\d\d|20\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"

# Longest first: at each place in the text the first pattern that matches is taken.
PATTERNS = [
    ("day_month_year", rf"\b(?:(?:{'|'.join(WEEKDAYS)}),? )?{_DAY} (?:of )?{_MONTH},? {_YEAR}\b"),
    ("day_month_year", rf"\b{_MONTH} {_DAY},? {_YEAR}\b"),
    ("month_year", rf"\b{_MONTH},? {_YEAR}\b"),
    ("day_month", rf"\b{_DAY} (?:of )?{_MONTH}(?!\w)"),
    ("day_month", rf"\b{_MONTH} {_DAY}(?!\w)"),
    ("earlier_this_week", r"\bearlier (?:this|in the) week\b"),
    ("later_this_week", r"\blater (?:this|in the) week\b"),
    ("relative_period", r"\b(?P<which>this|last|next) (?P<period>week|month|year)\b"),
    ("relative_day", r"\b(?P<which>yesterday|today|tomorrow)\b"),
    ("weekday", rf"\b(?:on |last |this |next )?{_WEEKDAY}\b"),
    ("month", rf"\b(?:in |since |from |until |by )?{_MONTH}(?!\w)"),
    ("year", r"(?<![\w/.-])" + _YEAR + r"(?![\w/]|\.\d)"),
]
COMPILED = [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in PATTERNS]


@dataclass(frozen=True)
class DateExpression:
    start: int  # where the words are in the text
    end: int
    text: str
    date: FuzzyDate
    how: str  # how the date was read, in a sentence for the editor

    @property
    def is_resolved(self):
        return self.date.is_known or self.date.earliest is not None or self.date.latest is not None


def days_between(first, last):
    """A range of days as a FuzzyDate: precise to the month or year it lies in (with its bounds),
    or an unknown date keeping both bounds where it spans two years."""
    if first == last:
        return FuzzyDate(Precision.DAY, first, last)
    if (first.year, first.month) == (last.year, last.month):
        return FuzzyDate(Precision.MONTH, first, last)
    if first.year == last.year:
        return FuzzyDate(Precision.YEAR, first, last)
    return FuzzyDate(Precision.UNKNOWN, first, last)


def week_of(day):
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def nearest_year(day, month, on=None):
    """The year of the month `month` (or of its day `on`) nearest to `day`, a year either side; a
    tie goes to the earlier, as documents report more than they announce."""

    def distance(year):
        first, last = period_bounds(Precision.MONTH, datetime.date(year, month, 1))
        if on is not None:
            first = last = datetime.date(year, month, min(on, last.day))
        return 0 if first <= day <= last else min(abs((first - day).days), abs((last - day).days))

    return min((day.year - 1, day.year, day.year + 1), key=lambda year: (distance(year), year))


def known_day(document):
    return document.earliest if document.precision == Precision.DAY else None


UNDATED = "The document's date is not known to the {needed}, so “{words}” cannot be placed."


def resolve(kind, groups, words, document):
    """(FuzzyDate, how) for one match of the pattern `kind` in a document dated `document`."""
    unknown = FuzzyDate(Precision.UNKNOWN)
    day = known_day(document)
    if kind in ("day_month_year", "month_year", "year"):
        year = int(groups["year"])
        try:
            if kind == "day_month_year":
                date = FuzzyDate.containing(
                    datetime.date(year, MONTHS[groups["month"].lower()], int(groups["day"])), Precision.DAY
                )
            elif kind == "month_year":
                date = FuzzyDate.containing(datetime.date(year, MONTHS[groups["month"].lower()], 1), Precision.MONTH)
            else:
                date = FuzzyDate.containing(datetime.date(year, 1, 1), Precision.YEAR)
        except ValueError:
            return unknown, f"“{words}” is not a real date."
        return date, "Stated in full."
    if kind in ("day_month", "month"):
        month = MONTHS[groups["month"].lower()]
        on = int(groups["day"]) if kind == "day_month" else None
        if on is not None and not 1 <= on <= 31:
            return unknown, f"“{words}” is not a real date."
        if document.precision in (Precision.DAY, Precision.MONTH) and document.earliest:
            reference = document.latest or document.earliest
            year = nearest_year(reference, month, on)
            try:
                if on is None:
                    return (
                        FuzzyDate.containing(datetime.date(year, month, 1), Precision.MONTH),
                        f"No year given: the {calendar.month_name[month]} nearest the document's date.",
                    )
                resolved = datetime.date(year, month, on)
            except ValueError:
                return unknown, f"“{words}” is not a real date."
            return FuzzyDate.containing(resolved, Precision.DAY), (
                f"No year given: the {on} {calendar.month_name[month]} nearest the document's date."
            )
        return unknown, UNDATED.format(needed="month", words=words)
    if kind in ("earlier_this_week", "later_this_week", "weekday", "relative_day") or (
        kind == "relative_period" and groups["period"].lower() == "week"
    ):
        if day is None:
            return unknown, UNDATED.format(needed="day", words=words)
        monday, sunday = week_of(day)
        if kind == "earlier_this_week":
            if day == monday:
                return unknown, "The document is dated a Monday: nothing of its week comes earlier."
            return days_between(monday, day - datetime.timedelta(days=1)), (
                f"From the Monday of the document's week to the day before it ({format_day(day)})."
            )
        if kind == "later_this_week":
            if day == sunday:
                return unknown, "The document is dated a Sunday: nothing of its week comes later."
            return days_between(day + datetime.timedelta(days=1), sunday), (
                f"From the day after the document ({format_day(day)}) to the Sunday of its week."
            )
        if kind == "relative_day":
            shift = {"yesterday": -1, "today": 0, "tomorrow": 1}[groups["which"].lower()]
            return FuzzyDate.containing(day + datetime.timedelta(days=shift), Precision.DAY), (
                f"Counted from the document's date, {format_day(day)}."
            )
        if kind == "weekday":
            resolved = monday + datetime.timedelta(days=WEEKDAYS[groups["weekday"].lower()])
            prefix = words.split()[0].lower()
            if prefix == "last":
                resolved -= datetime.timedelta(days=7) if resolved >= day else datetime.timedelta(0)
            elif prefix == "next":
                resolved += datetime.timedelta(days=7) if resolved <= day else datetime.timedelta(0)
            return FuzzyDate.containing(resolved, Precision.DAY), (
                f"The {calendar.day_name[resolved.weekday()]} of the document's week (Monday to Sunday) "
                f"of {format_day(day)}: check the tense."
            )
        shift = {"this": 0, "last": -7, "next": 7}[groups["which"].lower()]
        first, last = (each + datetime.timedelta(days=shift) for each in (monday, sunday))
        return days_between(first, last), f"The week, Monday to Sunday, counted from {format_day(day)}."
    # relative_period: a month or a year.
    shift = {"this": 0, "last": -1, "next": 1}[groups["which"].lower()]
    if groups["period"].lower() == "month":
        if document.precision not in (Precision.DAY, Precision.MONTH) or not document.earliest:
            return unknown, UNDATED.format(needed="month", words=words)
        months = document.earliest.year * 12 + document.earliest.month - 1 + shift
        first = datetime.date(months // 12, months % 12 + 1, 1)
        return FuzzyDate.containing(first, Precision.MONTH), "The calendar month, counted from the document's date."
    if document.precision == Precision.UNKNOWN or not document.earliest:
        return unknown, UNDATED.format(needed="year", words=words)
    year = document.earliest.year + shift
    return FuzzyDate(Precision.YEAR, *period_bounds(Precision.YEAR, datetime.date(year, 1, 1))), (
        "The calendar year, counted from the document's date."
    )


def date_expressions(text, document):
    """Every date expression in `text`, in order, each with its resolved date, against the
    document's date `document` (a FuzzyDate). Where two patterns could read the same words,
    the longer reading wins ("18 October 2024", not "18 October" and "2024")."""
    found = []
    taken = [False] * len(text)
    for kind, pattern in COMPILED:
        for match in pattern.finditer(text):
            if any(taken[match.start() : match.end()]):
                continue
            groups = match.groupdict()
            if kind == "month" and groups["month"].lower() in AMBIGUOUS_ALONE:
                continue
            if kind == "month" and not text[match.start("month")].isupper():
                continue
            words = match.group(0)
            date, how = resolve(kind, groups, words, document)
            found.append(DateExpression(match.start(), match.end(), words, date, how))
            for index in range(match.start(), match.end()):
                taken[index] = True
    return sorted(found, key=lambda expression: expression.start)


def resolve_phrase(phrase, document):
    """The date of the one expression `phrase` is (for tests and the form): its FuzzyDate, or None."""
    found = date_expressions(phrase, document)
    return found[0].date if found else None
