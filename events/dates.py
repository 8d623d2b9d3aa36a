"""Dates known only as precisely as their sources allow.

A fuzzy date is stored in three columns: its precision, and the earliest and
latest day it may be. "October 2024" is (month, 2024-10-01, 2024-10-31); a date
the documents never give is (unknown, None, None), or keeps whatever bound the
documents do give (unknown, None, 2021-12-31: "before the end of 2021").
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"
    UNKNOWN = "unknown", "Unknown"


def column_names(prefix):
    """The names of the three columns that store the fuzzy date `prefix`: date_precision, ..."""
    return f"{prefix}_precision", f"{prefix}_earliest", f"{prefix}_latest"


def period_bounds(precision, day):
    """The first and last day of the day, month or year that contains `day`."""
    if precision == Precision.DAY:
        return day, day
    if precision == Precision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    if precision == Precision.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    raise ValueError(f"{precision!r} has no period")


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Day first, the archive's (and Britain's) convention: 18/10/2024 is the 18th of October.
_SLASHED_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# "October 2024", "Oct 2024", "18 October 2024", "18 Oct 2024".
_WORDED_DATE = re.compile(r"^(?:(\d{1,2}) )?([a-z]+) (\d{4})$")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9

ACCEPTED_FORMS = "2024, October 2024 (or Oct 2024, 2024-10), or 18 October 2024 (or 18/10/2024, day first, or 2024-10-18)"


def _year_month_day(text):
    """(year, month or None, day or None) of a date typed in one of the accepted forms, else None."""
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
    elif match := _SLASHED_DATE.match(text):
        day, month, year = match.groups()
    elif (match := _WORDED_DATE.match(text.lower())) and match[2] in _MONTHS:
        day, month, year = match[1], _MONTHS[match[2]], match[3]
    else:
        return None
    return tuple(int(part) if part is not None else None for part in (year, month, day))


@dataclass(frozen=True)
class FuzzyDate:
    precision: str
    earliest: datetime.date | None = None
    latest: datetime.date | None = None

    @classmethod
    def of(cls, instance, prefix):
        """The fuzzy date stored in `instance`'s three columns named by `prefix`."""
        return cls(*(getattr(instance, name) for name in column_names(prefix)))

    @classmethod
    def containing(cls, day, precision):
        """The whole day, month or year that `day` falls in."""
        return cls(precision, *period_bounds(precision, day))

    @classmethod
    def parse(cls, text):
        """The year, month or day a text names, in any of ACCEPTED_FORMS ('2021', 'March 2021',
        '22/03/2021', '2021-03-22', ...), ignoring case and spacing; None as a date never given.

        Raises ValueError with a message fit to show a person.
        """
        if text is None:
            return cls(Precision.UNKNOWN)
        text = " ".join(text.split())
        parts = _year_month_day(text)
        if parts is None:
            raise ValueError(f"Enter a date such as {ACCEPTED_FORMS}.")
        year, month, day = parts
        try:
            if day is not None:
                return cls.containing(datetime.date(year, month, day), Precision.DAY)
            if month is not None:
                return cls.containing(datetime.date(year, month, 1), Precision.MONTH)
            return cls.containing(datetime.date(year, 1, 1), Precision.YEAR)
        except ValueError:
            raise ValueError(f"{text} is not a real date.") from None

    def as_fields(self, prefix):
        """The keyword arguments that store this date in the columns named by `prefix`."""
        return dict(zip(column_names(prefix), (self.precision, self.earliest, self.latest), strict=True))

    @property
    def is_known(self):
        return self.precision != Precision.UNKNOWN

    def errors(self):
        """What is wrong with these three values, as {suffix: message}."""
        return self.shape_errors() or self.range_errors()

    def shape_errors(self):
        if not self.is_known:
            if self.earliest and self.latest and self.earliest > self.latest:
                return {"latest": "The latest day cannot come before the earliest."}
            return {}
        if self.earliest is None:
            return {"earliest": f"A date known to the {self.precision} needs its earliest day."}
        latest = self.latest or self.earliest
        first, last = period_bounds(self.precision, self.earliest)
        if not first <= latest <= last:
            return {"latest": f"The latest day must fall in the same {self.precision} as the earliest."}
        if latest < self.earliest:
            return {"latest": "The latest day cannot come before the earliest."}
        return {}

    def range_errors(self):
        """A bound outside the days a diplomatic archive can hold: a typo such as 0204 or 2204."""
        first, last = plausible_days()
        for suffix, day in (("earliest", self.earliest), ("latest", self.latest)):
            if day is not None and not first <= day <= last:
                return {suffix: f"Give a date between {format_day(first)} and {format_day(last)}."}
        return {}

    def completed(self):
        """The same date with a missing bound filled in from its precision."""
        if not self.is_known or self.earliest is None:
            return self
        first, last = period_bounds(self.precision, self.earliest)
        if self.precision == Precision.DAY:
            return FuzzyDate(self.precision, self.earliest, self.earliest)
        if self.latest is None:
            return FuzzyDate(self.precision, first, last)
        return self

    @property
    def known_as(self):
        """What is known of the date, in words that follow "known only as": "by 17 October 2024", "October 2024"."""
        text = str(self)
        if text.startswith("Date unknown ("):
            return text.removeprefix("Date unknown (").removesuffix(")")
        return text[0].lower() + text[1:] if text.startswith("Between") else text

    @property
    def edtf(self):
        """The date in the Library of Congress's Extended Date/Time Format, for exports: "2024-10-18",
        "2024-10", "2021", a range within a month or year as an interval ("2024-10-14/2024-10-16"),
        and an unknown date by the bounds it has ("../2024-10-17" for "by 17 October 2024",
        "2024-10-01/.." for "not before"). Empty when nothing is known of it: EDTF has no form for
        that, so the exports say it in words beside it (`edtf_note`)."""
        if not self.is_known:
            if self.earliest is None and self.latest is None:
                return ""
            return f"{self.earliest.isoformat() if self.earliest else '..'}/{self.latest.isoformat() if self.latest else '..'}"
        earliest, latest = self.earliest, self.latest or self.earliest
        if self.precision == Precision.DAY:
            return earliest.isoformat()
        first, last = period_bounds(self.precision, earliest)
        if (earliest, latest) != (first, last):
            return f"{earliest.isoformat()}/{latest.isoformat()}"
        return f"{earliest:%Y-%m}" if self.precision == Precision.MONTH else f"{earliest.year:04d}"

    @property
    def edtf_note(self):
        """Why `edtf` is empty or open-ended, in words; empty where it says the date whole."""
        if self.is_known:
            return ""
        if self.earliest is None and self.latest is None:
            return "No date is known."
        return f"Only bounds are known: {self.known_as}."

    def __str__(self):
        if not self.is_known:
            if self.latest and not self.earliest:
                return f"Date unknown (by {format_day(self.latest)})"
            if self.earliest and not self.latest:
                return f"Date unknown (after {format_day(self.earliest)})"
            if self.earliest and self.latest:
                return f"Date unknown (between {format_day(self.earliest)} and {format_day(self.latest)})"
            return "Date unknown"
        earliest, latest = self.earliest, self.latest or self.earliest
        if self.precision == Precision.DAY:
            return format_day(earliest)
        first, last = period_bounds(self.precision, earliest)
        if (earliest, latest) != (first, last):
            return f"Between {format_day(earliest)} and {format_day(latest)}"
        if self.precision == Precision.MONTH:
            return earliest.strftime("%B %Y")
        return str(earliest.year)


def format_day(day):
    return f"{day.day} {day:%B %Y}"


def describe_range(start, end):
    """A date filter's range in words: "in October 2024", "14–16 October 2024", "from 2021 to March 2022",
    "from 18 October 2024", "up to 2021". `start` and `end` are known FuzzyDates, or None where not given."""
    if start and end:
        if start == end:
            return f"on {start}" if start.precision == Precision.DAY else f"in {start}"
        if start.precision == end.precision == Precision.DAY:
            first, last = start.earliest, end.earliest
            if (first.year, first.month) == (last.year, last.month):
                return f"{first.day}–{last.day} {last:%B %Y}"
            if first.year == last.year:
                return f"{first.day} {first:%B}–{last.day} {last:%B %Y}"
        return f"from {start} to {end}"
    if start:
        return f"from {start}"
    return f"up to {end}"


# The archive's records are modern diplomacy; a date before this is a typo.
FIRST_PLAUSIBLE_DAY = datetime.date(1800, 1, 1)


def plausible_days():
    """The first and last day a stored date may be: 1800 to the end of next year (a planned visit or
    a sanction's end may be announced ahead), taken from today's date at each check."""
    return FIRST_PLAUSIBLE_DAY, datetime.date(datetime.date.today().year + 1, 12, 31)


class FuzzyDateField:
    """A fuzzy date on a model: `published = FuzzyDateField("Published")` declares its three columns
    (published_precision, published_earliest, published_latest) and reads them as one FuzzyDate.

    It is not a column itself: queries and forms name the columns. `clean_fuzzy_dates` checks
    every one a model declares.
    """

    def __init__(self, label):
        # The columns are made now, while the model's body is read, so they keep their place among
        # its fields (and in forms, fixtures and migrations) as if written there one by one.
        self.columns = (
            models.CharField(
                f"{label} precision",
                max_length=7,
                choices=Precision.choices,
                default=Precision.UNKNOWN,
                help_text="How precisely the sources give this date. Never more precise than they are.",
            ),
            models.DateField(
                f"{label}: earliest",
                null=True,
                blank=True,
                help_text="The first day it may be (the 1st of the month for a month-precision date).",
            ),
            models.DateField(
                f"{label}: latest",
                null=True,
                blank=True,
                help_text="The last day it may be (the 31st of December for a year-precision date).",
            ),
        )

    def contribute_to_class(self, model, name):
        self.name = name
        for column_name, column in zip(column_names(name), self.columns, strict=True):
            model.add_to_class(column_name, column)
        setattr(model, name, self)

    def __get__(self, record, model=None):
        if record is None:
            return self
        return FuzzyDate.of(record, self.name)

    def __set__(self, record, date):
        for column_name, value in date.as_fields(self.name).items():
            setattr(record, column_name, value)

    def clean(self, record):
        """Fill in the date's missing bound, or raise its errors against its columns."""
        date = getattr(record, self.name).completed()
        errors = date.errors()
        if errors:
            raise ValidationError({f"{self.name}_{suffix}": message for suffix, message in errors.items()})
        setattr(record, self.name, date)


def clean_fuzzy_dates(record):
    """Clean every fuzzy date `record`'s model declares, in the order it declares them (for its clean())."""
    for attribute in vars(type(record)).values():
        if isinstance(attribute, FuzzyDateField):
            attribute.clean(record)


def order_errors(record, first, then, message):
    """{column: message} if the fuzzy date `then` must come before `first` (its last possible day
    before the other's first), against the column of `then` that says so; else {}. For a clean()."""
    start, end = getattr(record, first), getattr(record, then)
    if start.earliest and end.latest and end.latest < start.earliest:
        return {f"{then}_earliest" if end.earliest else f"{then}_latest": message}
    return {}


def parse_partial_date(text):
    """'2021', '2021-03' or '2021-03-25' as the (first, last) days it covers.

    Raises ValueError with a message fit to show a person.
    """
    date = FuzzyDate.parse(text)
    return date.earliest, date.latest
